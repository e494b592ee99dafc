/**
 * Building, starting and stopping the real control plane from tests: thin wrappers over the
 * scripts next to this file (build, up, down, restart-apiserver), which do the real work so a
 * shell can do it too. Tests normally import this through ./harness.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { readKubeconfig } from './kubeconfig.ts';

export const clusterScripts = {
  build: join(import.meta.dirname, 'build'),
  up: join(import.meta.dirname, 'up'),
  down: join(import.meta.dirname, 'down'),
  restartApiServer: join(import.meta.dirname, 'restart-apiserver'),
};

export interface ControlPlane {
  /** Path of the kubeconfig with the contexts `admin` (current), `limited` and `cert`. */
  kubeconfig: string;
  /** `https://127.0.0.1:<port>`; the same after restarts. */
  server: string;
  /** The state dir: logs/, pids/, cmd/, env, pki/, serving/. */
  dir: string;
  /** True when `up` found this control plane already running (see StartOptions.dir). */
  reused: boolean;
  /** Stops everything and removes the state dir (test/cluster/down); a no-op when reused. */
  stop(): Promise<void>;
  /**
   * Stops kube-apiserver only; etcd and the controllers keep running. A graceful stop (SIGTERM:
   * GOAWAY, watches closed, about 2 s; SIGKILL after 5 s), or with `{ kill: true }` a crash (SIGKILL
   * at once: connections reset).
   */
  stopApiServer(options?: { kill?: boolean }): Promise<void>;
  /** Starts kube-apiserver again with the exact command line and port; resolves once /readyz is ok. */
  startApiServer(): Promise<void>;
  /** stopApiServer() then startApiServer(). */
  restartApiServer(): Promise<void>;
  /** Stops etcd only, gracefully or (`{ kill: true }`) as a crash; kube-apiserver keeps running
   * and answers what its watch cache holds, and errors for the rest. */
  stopEtcd(options?: { kill?: boolean }): Promise<void>;
  /** Starts etcd again on its port and data dir; resolves once /health is ok. */
  startEtcd(): Promise<void>;
}

export class ControlPlaneError extends Error {
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super(stderr.trim() ? `${message}\n${stderr.trim()}` : message);
    this.name = 'ControlPlaneError';
    this.stderr = stderr;
  }
}

/** The scripts need a `node` on PATH (to pick free ports); give them the one running this. */
function scriptEnv(dir: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  if (dir !== undefined) env.PODPATH_CLUSTER_DIR = dir;
  return env;
}

export interface RunOptions {
  dir?: string;
  /** Called with each line the script writes to stderr (progress of a cold build, say). */
  onStderr?: (line: string) => void;
}

/** Runs one of the scripts; resolves with its stdout, rejects with its stderr in the message. */
export function runScript(script: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(script, args, { env: scriptEnv(options.dir), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const name = script.slice(script.lastIndexOf('/') + 1);
        reject(new ControlPlaneError(`test/cluster/${name} ${args.join(' ')} failed (${error.code ?? error.signal ?? error.message})`, stderr));
      } else resolvePromise(stdout);
    });
    const onStderr = options.onStderr;
    if (onStderr) {
      let pending = '';
      child.stderr?.on('data', (chunk: Buffer | string) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onStderr(line);
      });
      child.stderr?.on('end', () => {
        if (pending) onStderr(pending);
      });
    }
  });
}

/** Builds the binaries if they are not cached yet (test/cluster/build); resolves with the bin folder. */
export async function buildControlPlane(options: RunOptions = {}): Promise<string> {
  const out = await runScript(clusterScripts.build, [], options);
  return out.trim().split('\n').pop() ?? '';
}

export interface StartOptions extends RunOptions {
  /**
   * The state dir. Default: $PODPATH_CLUSTER_DIR if set — where `up` reuses a control plane that
   * is already running, and then stop() leaves it running — else a new temporary folder.
   */
  dir?: string;
}

/** Runs test/cluster/up (building first if needed) and resolves once the API is ready. */
export async function startControlPlane(options: StartOptions = {}): Promise<ControlPlane> {
  const dir = options.dir ?? process.env.PODPATH_CLUSTER_DIR ?? mkdtempSync(join(tmpdir(), 'podpath-cluster-'));
  let reused = false;
  const stdout = await runScript(clusterScripts.up, [], {
    dir,
    onStderr: (line) => {
      if (line.startsWith('up: reusing')) reused = true;
      options.onStderr?.(line);
    },
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('KUBECONFIG=')) throw new ControlPlaneError(`test/cluster/up printed no KUBECONFIG= line (last line: ${last})`, '');
  const cp = connectControlPlane(last.slice('KUBECONFIG='.length));
  return reused ? { ...cp, reused, stop: async () => {} } : cp;
}

/**
 * A handle on a control plane `up` already started, from its kubeconfig (which lives in the state
 * dir) — what a test file does with `inject('kubeconfig')`.
 */
export function connectControlPlane(kubeconfig: string): ControlPlane {
  const dir = dirname(kubeconfig);
  const server = readKubeconfig(kubeconfig, 'admin').server;
  const restart = (arg: string, component = 'kube-apiserver') => runScript(clusterScripts.restartApiServer, [arg, component], { dir }).then(() => {});
  return {
    kubeconfig,
    server,
    dir,
    reused: false,
    stop: () => runScript(clusterScripts.down, [], { dir }).then(() => {}),
    stopApiServer: (options) => restart(options?.kill ? 'kill' : 'stop'),
    startApiServer: () => restart('start'),
    restartApiServer: () => restart('restart'),
    stopEtcd: (options) => restart(options?.kill ? 'kill' : 'stop', 'etcd'),
    startEtcd: () => restart('start', 'etcd'),
  };
}
