/**
 * What a real /bin/sh makes of a command line we show: the words it splits it into, and every
 * program it would run with its argv. The programs are stand-ins on a PATH of their own that
 * only write their arguments down, so nothing a command says happens; a program without a
 * stand-in (an injected `touch`) is "not found" on stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The programs the commands Podpath shows run (on the node or in a pod's `kubectl exec`). */
const standIns = ['kubectl', 'iptables-save', 'grep', 'ip', 'nft', 'ipvsadm', 'tcpdump', 'bridge', 'ovs-ofctl', 'wg'];

const split = (bytes: Buffer): string[] => bytes.toString('utf8').split('\0').slice(0, -1);

/** The words `text` is to sh, as the arguments of a command (`printf` is sh's own, on every sh). */
export function shellWords(text: string, shell = '/bin/sh'): string[] {
  const result = spawnSync(shell, ['-c', `printf '%s\\0' - ${text}`], { env: {} });
  if (result.status !== 0) throw new Error(`${shell} failed on ${JSON.stringify(text)}: ${result.stderr.toString()}`);
  return split(result.stdout).slice(1);
}

export interface ShellRun {
  /** Each program run, as [name, ...args], sorted (a pipeline's programs run at once). */
  runs: string[][];
  /** What sh said on stderr: empty unless something failed. */
  errors: string;
}

/**
 * Runs each command through one sh with the stand-ins, in a directory of its own (where an
 * injected `>` would write); one sh for all, as starting one per command is slow.
 */
export function shellRuns(commands: readonly string[], shell = '/bin/sh'): ShellRun[] {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-sh-'));
  try {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // One file per process: a pipeline's programs run at once.
    for (const name of standIns) writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\0' "\${0##*/}" "$@" > "$CALLS/$$"\n`, { mode: 0o755 });
    const script = commands.map((command, i) => {
      mkdirSync(join(dir, `${i}`));
      return `export CALLS=${i}\n{\n${command}\n} 2>${i}/stderr`;
    });
    spawnSync(shell, ['-c', script.join('\n')], { cwd: dir, env: { PATH: bin } });
    return commands.map((_command, i) => {
      const calls = join(dir, `${i}`);
      const runs = readdirSync(calls)
        .filter((file) => file !== 'stderr')
        .map((file) => split(readFileSync(join(calls, file))));
      runs.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const stderr = join(calls, 'stderr');
      return { runs, errors: existsSync(stderr) ? readFileSync(stderr, 'utf8') : 'the command never ran: an earlier one broke the script' };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
