/** The real CLI (`bin/podpath.mjs`) run as a user runs it, for the CLI tests. */
import { execFile } from 'node:child_process';
import { repoRoot } from './e2e/serve.ts';

export interface CliResult {
  /** The exit code; -1 when the process was killed (the timeout) or could not start. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `podpath ARGS` from the repository root with `stdin` as its input (and `nodeArgs`, Node's
 * own options, before the script); never rejects.
 */
export function runPodpath(args: string[], options: { stdin?: string; nodeArgs?: string[] } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...(options.nodeArgs ?? []), 'bin/podpath.mjs', ...args], { cwd: repoRoot, timeout: 60_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.stdin ?? '');
  });
}
