/**
 * What Electronegativity (`npm test`'s electronegativity step, scripts/electronegativity.ts) may
 * not run or report, each with the reason. Anything else it finds in electron/ fails the step.
 */

/** Checks not run at all (class names, as `-x` takes them). */
export const skippedChecks: Record<string, string> = {
  // Fetches Electron's release list from the internet, which tests never reach. The Electron
  // version is pinned in package.json and updated on purpose.
  AvailableSecurityFixesGlobalCheck: 'needs the network',
};

/** Files not scanned: tests feed hostile values to the code on purpose, and never ship. */
export const isScanned = (file: string): boolean => !/\.test\.ts$/.test(file);

/** Findings reviewed and accepted: the check's id, the file under electron/, and why. */
export const acceptedFindings: { check: string; file: string; reason: string }[] = [
  {
    check: 'PRELOAD_JS_CHECK',
    file: 'desktop/window.ts',
    reason: "reviewed: the preload (electron/preload.ts) runs sandboxed and isolated, and exposes through contextBridge only the contract's request names and `on` (preload.test.ts)",
  },
  {
    check: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'main.ts',
    reason: 'shell.openExternal only receives URLs that guardNavigation (desktop/security.ts) let through as http(s), asserted by security.test.ts',
  },
  {
    check: 'CSP_GLOBAL_CHECK',
    file: 'desktop/security.ts',
    reason: "desktopContentSecurityPolicy builds the policy with .replace(), which the scanner reads as an unparsable policy literal; the policies are asserted by security.test.ts",
  },
];
