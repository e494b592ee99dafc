/**
 * The kubelet stand-in (./kubelet/main.go, built by ./build-kubelet) from tests: one per node,
 * serving the exec endpoint that kube-apiserver dials (InternalIP 127.0.0.1, its own port) and
 * running each command in a named netns, so that a debug pod's exec goes the whole real way:
 * client → WebSocket → kube-apiserver → SPDY over TLS → the kubelet's streaming code → a process.
 * It uses the control plane's state dir (the kubeconfig's folder) for its certificates.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runScript } from './lifecycle.ts';

export const buildKubeletScript = join(import.meta.dirname, 'build-kubelet');

/** Builds the stand-in if it is not cached yet; resolves with its path. */
export async function buildKubelet(onStderr?: (line: string) => void): Promise<string> {
  const out = await runScript(buildKubeletScript, [], { onStderr });
  return join(out.trim().split('\n').pop() ?? '', 'podpath-kubelet');
}

/** One exec the stand-in served, as it logged it. */
export interface ServedExec {
  /** `namespace/pod/container`. */
  exec: string;
  command: string[];
  /** The request's Upgrade header: `SPDY/3.1` when kube-apiserver translated a WebSocket exec. */
  upgrade: string;
}

export interface KubeletOptions {
  binary: string;
  /** The control plane's kubeconfig (admin context): the stand-in registers its Node and writes pod status with it. */
  kubeconfig: string;
  node: string;
  netns: string;
  /** The container's PATH: a program not found there is "executable file not found in $PATH". */
  imagePath: string;
  /** A program whose exec hangs until the stand-in ends. */
  hold?: string;
}

export interface Kubelet {
  port: number;
  /** Every exec served so far. */
  readonly execs: ServedExec[];
  /** Resolves with the first stderr line matching `pattern` (already written or to come). */
  stderrLine(pattern: RegExp): Promise<string>;
  /** SIGKILL to the stand-in and the commands it runs (its process group): a node that dies. */
  kill(): Promise<void>;
  /** SIGTERM, then waits until it exited. */
  stop(): Promise<void>;
}

export function startKubelet(options: KubeletOptions): Promise<Kubelet> {
  const dir = join(options.kubeconfig, '..');
  const args = [
    `--kubeconfig=${options.kubeconfig}`,
    '--context=admin',
    `--node=${options.node}`,
    `--netns=${options.netns}`,
    `--image-path=${options.imagePath}`,
    `--tls-cert-file=${join(dir, 'pki/kubelet-serving.crt')}`,
    `--tls-private-key-file=${join(dir, 'pki/kubelet-serving.key')}`,
    `--client-ca-file=${join(dir, 'pki/client-ca.crt')}`,
    ...(options.hold ? [`--hold=${options.hold}`] : []),
    // Its stdin is a pipe from this process: if the test dies, the stand-in ends too.
    '--until-stdin-closes',
  ];
  // Its own process group, so that kill() reaches the commands it started too.
  const child = spawn(options.binary, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const execs: ServedExec[] = [];
  const stderr: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };

  return new Promise<Kubelet>((resolve, reject) => {
    let isReady = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const ready = /^ready port=(\d+) /.exec(line);
      if (ready && !isReady) {
        isReady = true;
        resolve({
          port: Number(ready[1]),
          execs,
          stderrLine: (pattern) => {
            const seen = stderr.find((l) => pattern.test(l));
            return seen !== undefined ? Promise.resolve(seen) : new Promise((r) => waiters.push({ pattern, resolve: r }));
          },
          kill: async () => {
            signal('SIGKILL');
            await exited;
          },
          stop: async () => {
            signal('SIGTERM');
            await exited;
          },
        });
      } else if (line.startsWith('{')) {
        execs.push(JSON.parse(line) as ServedExec);
      }
    });
    child.once('error', reject);
    void exited.then(() => {
      if (!isReady) reject(new Error(`podpath-kubelet exited before it was ready (${child.exitCode ?? child.signalCode}): ${stderr.slice(-5).join('\n')}`));
    });
  });
}
