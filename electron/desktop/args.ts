/**
 * The desktop app's own command line. Electron and Chromium put their switches in argv as
 * well, so this only picks out what it knows and ignores the rest.
 */
export interface DesktopArgs {
  /** A snapshot file to open instead of the bundled demo. */
  snapshotPath: string | null;
}

export function parseDesktopArgs(argv: readonly string[]): DesktopArgs {
  let snapshotPath: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--snapshot') {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        snapshotPath = next;
        i++;
      }
    } else if (arg?.startsWith('--snapshot=')) {
      snapshotPath = arg.slice('--snapshot='.length) || null;
    }
  }
  return { snapshotPath };
}
