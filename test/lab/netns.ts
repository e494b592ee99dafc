/**
 * Running commands and processes in network namespaces, as root, with iproute2's `ip netns`:
 * one-shot commands (`ip netns exec NS cmd…`), long-running processes whose output goes to a log
 * file, and the readiness line such a process prints. The lab's only way into a namespace.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** The PATH every command gets: iptables, nft, conntrack and ip live in /usr/sbin. */
const env = { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` };

export interface Output {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  readonly stderr: string;
  readonly stdout: string;
  constructor(command: string[], code: number | string | null, stdout: string, stderr: string) {
    super(`${command.join(' ')} failed (${code}): ${(stderr || stdout).trim().split('\n').slice(-5).join(' | ')}`);
    this.name = 'CommandError';
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export interface RunOptions {
  /** Written to the command's stdin (a CNI netconf). */
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs one command to completion; rejects with CommandError on a non-zero exit. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: { ...env, ...options.env }, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new CommandError([command, ...args], error.code ?? error.signal ?? null, stdout, stderr));
        else resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs one command inside the network namespace `netns`. */
export function runIn(netns: string, command: string, args: string[], options: RunOptions = {}): Promise<Output> {
  return run('ip', ['netns', 'exec', netns, command, ...args], options);
}

/** `ip -j …` parsed. */
export async function ipJson<T = unknown>(netns: string | undefined, args: string[]): Promise<T> {
  const { stdout } = await run('ip', [...(netns ? ['-n', netns] : []), '-j', ...args]);
  return JSON.parse(stdout || '[]') as T;
}

/** The names of the network namespaces `ip netns` knows. */
export async function listNetns(): Promise<string[]> {
  const list = await ipJson<{ name: string }[]>(undefined, ['netns', 'list']);
  return list.map((n) => n.name);
}

/** The process ids running in `netns`. */
export async function pidsIn(netns: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', netns]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  /** Resolves once the log has a line matching `ready`; rejects if the process exits first. */
  waitForLog(ready: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: boolean;
}

/**
 * Starts a long-running process in `netns` (or the root namespace when undefined), stdout and
 * stderr appended to `log`. `ip netns exec` execs the command, so the pid is the command's own.
 */
export function startDaemon(
  name: string,
  netns: string | undefined,
  command: string,
  args: string[],
  log: string,
  extraEnv: Record<string, string> = {},
): Daemon {
  const fd = openSync(log, 'a');
  const argv = netns ? ['ip', 'netns', 'exec', netns, command, ...args] : [command, ...args];
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), { env: { ...env, ...extraEnv }, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exited = false;
  let exitInfo = '';
  const onExit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitInfo = `${code ?? signal}`;
      resolve();
    });
    child.once('error', (error) => {
      exited = true;
      exitInfo = error.message;
      resolve();
    });
  });
  const tail = () => readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
  return {
    name,
    pid: child.pid ?? -1,
    log,
    get exited() {
      return exited;
    },
    async waitForLog(ready, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
        if (ready.test(readFileSync(log, 'utf8'))) return;
        if (exited) throw new Error(`${name} exited (${exitInfo}) before printing ${ready}; ${log}:\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`${name} did not print ${ready} within ${timeoutMs} ms; ${log}:\n${tail()}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    },
    async stop(graceMs = 5_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await onExit;
      clearTimeout(timer);
    },
  };
}
