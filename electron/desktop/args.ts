/**
 * The desktop app's own command line. Electron and Chromium put their switches in argv as
 * well, so this only picks out what it knows and ignores the rest.
 */
export interface DesktopArgs {
  /** A snapshot file to open instead of a cluster or the bundled demo. */
  snapshotPath: string | null;
  kubeconfig: string | null;
  context: string | null;
  /** Snapshot files named without a flag: what the OS passes when the user opens a
   * `.podpath.json` file with Podpath (file association, "Open with"). */
  files: string[];
}

const flags = { '--snapshot': 'snapshotPath', '--kubeconfig': 'kubeconfig', '--context': 'context' } as const;

type FlagKey = (typeof flags)[keyof typeof flags];

/** A bare argument that names a snapshot file; the app path in development (`.`) and anything
 * else a launcher adds is not one. */
const isSnapshotFile = (arg: string): boolean => /\.json$/i.test(arg);

export function parseDesktopArgs(argv: readonly string[]): DesktopArgs {
  const args: DesktopArgs = { snapshotPath: null, kubeconfig: null, context: null, files: [] };
  // argv[0] is the executable (Electron's, or the packaged app's).
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let isFlag = false;
    for (const [flag, key] of Object.entries(flags) as [keyof typeof flags, FlagKey][]) {
      if (arg === flag) {
        isFlag = true;
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) {
          args[key] = next;
          i++;
        }
      } else if (arg.startsWith(`${flag}=`)) {
        isFlag = true;
        args[key] = arg.slice(flag.length + 1) || null;
      }
    }
    if (!isFlag && !arg.startsWith('-') && isSnapshotFile(arg)) args.files.push(arg);
  }
  return args;
}

/** The snapshot a launch asks for: `--snapshot FILE`, else the last file named on the line. */
export function requestedSnapshot(args: DesktopArgs): string | null {
  return args.snapshotPath ?? args.files.at(-1) ?? null;
}
