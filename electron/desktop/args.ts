/**
 * The desktop app's own command line. Electron and Chromium put their switches in argv as
 * well, so this only picks out what it knows and ignores the rest.
 */
export interface DesktopArgs {
  /** A snapshot file to open instead of a cluster or the bundled demo. */
  snapshotPath: string | null;
  kubeconfig: string | null;
  context: string | null;
}

const flags = { '--snapshot': 'snapshotPath', '--kubeconfig': 'kubeconfig', '--context': 'context' } as const;

export function parseDesktopArgs(argv: readonly string[]): DesktopArgs {
  const args: DesktopArgs = { snapshotPath: null, kubeconfig: null, context: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    for (const [flag, key] of Object.entries(flags) as [keyof typeof flags, keyof DesktopArgs][]) {
      if (arg === flag) {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) {
          args[key] = next;
          i++;
        }
      } else if (arg.startsWith(`${flag}=`)) {
        args[key] = arg.slice(flag.length + 1) || null;
      }
    }
  }
  return args;
}
