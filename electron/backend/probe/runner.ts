/**
 * Running one probe command: an argv array, never a shell, so a netns, container or node name
 * read from the cluster is one argument and nothing else. A runner is a prefix put before the
 * command (`ip netns exec NETNS`, `docker exec NODE`) or, for the debug pod, the API's exec;
 * either way it answers with what happened, and classify.ts says what that means.
 */
import { spawn } from 'node:child_process';

/** What became of one command, before anyone judged it. */
export type RunOutcome =
  | { kind: 'exited'; exitCode: number | null; stdout: string; stderr: string }
  /** The program could not be started: `ENOENT` (not installed), `EACCES`, `EPERM`. */
  | { kind: 'spawn-error'; code: string; message: string }
  | { kind: 'timed-out'; afterMs: number }
  | { kind: 'too-large'; limitBytes: number }
  | { kind: 'aborted' }
  /** The way in failed (the API's exec refused or dropped): no command can run, not just this one. */
  | { kind: 'transport-error'; message: string };

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs one command (argv[0] and its arguments) where the probe reads the node. */
export type Runner = (argv: readonly string[], options: RunOptions) => Promise<RunOutcome>;

/** iptables-save of a node with thousands of Services runs to tens of MB; more is not a datapath. */
export const outputLimitBytes = 64 * 1024 * 1024;

/**
 * The environment a probe command gets: a PATH that finds ip, nft and iptables (they live in
 * sbin), the C locale so that error messages read the same everywhere (classify.ts matches
 * them), and for `docker`/`podman` the variables that choose their daemon. Nothing else of
 * Podpath's environment reaches a command.
 */
export function probeEnv(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${from.PATH ? `:${from.PATH}` : ''}`,
    LC_ALL: 'C',
  };
  for (const name of ['HOME', 'XDG_RUNTIME_DIR', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'CONTAINER_HOST', 'CONTAINER_CONNECTION']) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * A runner that spawns `[...prefix, ...argv]` on this machine. A command past its timeout, or
 * cancelled, is killed (SIGKILL: these are read-only dumps, nothing to flush); `docker exec`'s
 * process inside the container is the daemon's to end.
 */
export function spawnRunner(prefix: readonly string[] = [], env: Record<string, string> = probeEnv()): Runner {
  return (argv, options) => {
    const [program, ...args] = [...prefix, ...argv];
    if (program === undefined) throw new Error('spawnRunner: an empty command');
    return new Promise<RunOutcome>((resolve) => {
      if (options.signal?.aborted) return resolve({ kind: 'aborted' });
      const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;
      let ending: RunOutcome | null = null;
      const stop = (outcome: RunOutcome) => {
        ending ??= outcome;
        child.kill('SIGKILL');
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > outputLimitBytes) stop({ kind: 'too-large', limitBytes: outputLimitBytes });
        else into.push(chunk);
      };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));
      const timer = setTimeout(() => stop({ kind: 'timed-out', afterMs: options.timeoutMs }), options.timeoutMs);
      const onAbort = () => stop({ kind: 'aborted' });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (outcome: RunOutcome) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      child.once('error', (error: NodeJS.ErrnoException) => settle(ending ?? { kind: 'spawn-error', code: error.code ?? 'error', message: error.message }));
      child.once('close', (code) => {
        settle(ending ?? { kind: 'exited', exitCode: code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
      });
    });
  };
}
