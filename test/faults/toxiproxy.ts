/**
 * toxiproxy (github.com/Shopify/toxiproxy) between Podpath and the test control plane's
 * kube-apiserver: a TCP proxy, so TLS passes through untouched and the kubeconfig needs only its
 * server URL pointed at the proxy (kube-apiserver's certificate holds for 127.0.0.1). Its HTTP API
 * adds "toxics" — latency, bandwidth limits, resets, half-open connections — to live connections.
 *
 *   const toxi = await startToxiproxy(await buildToxiproxy());
 *   const apiserver = await toxi.createProxy('apiserver', cp.server);   // → https://127.0.0.1:<port>
 *   await apiserver.addToxic({ type: 'reset_peer', attributes: { timeout: 0 } });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runScript } from '../cluster/harness.ts';
import { waitFor } from '../cluster/wait.ts';

export const buildScript = join(import.meta.dirname, '..', 'cluster', 'build-toxiproxy');

/** Builds toxiproxy's server if it is not cached yet (test/cluster/build-toxiproxy); resolves with its path. */
export async function buildToxiproxy(onStderr?: (line: string) => void): Promise<string> {
  const out = await runScript(buildScript, [], onStderr ? { onStderr } : {});
  return out.trim().split('\n').pop() ?? '';
}

export type ToxicType = 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';

export interface Toxic {
  type: ToxicType;
  /** Default `downstream`: what the server sends, as a LIST page or a watch event. */
  stream?: 'upstream' | 'downstream';
  attributes: Record<string, number>;
}

export interface Proxy {
  readonly name: string;
  /** `https://127.0.0.1:<port>`: the upstream's URL with the proxy's port. */
  readonly url: string;
  /** Adds a toxic to every connection, open ones included; returns its name. */
  addToxic(toxic: Toxic): Promise<string>;
  removeToxic(name: string): Promise<void>;
  /** Disabled: open connections are closed and new ones refused. */
  setEnabled(isEnabled: boolean): Promise<void>;
  /** Removes every toxic and enables the proxy again. */
  clear(): Promise<void>;
}

export interface Toxiproxy {
  createProxy(name: string, upstreamUrl: string): Promise<Proxy>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startToxiproxy(binary: string): Promise<Toxiproxy> {
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${api}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    const text = await response.text();
    if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  await waitFor(async () => (await fetch(`${api}/version`)).ok, 10_000, `toxiproxy listening on ${port} (log: ${log})`);

  let toxics = 0;
  return {
    async createProxy(name, upstreamUrl) {
      const upstream = new URL(upstreamUrl);
      const listen = await freePort();
      await call('POST', '/proxies', { name, listen: `127.0.0.1:${listen}`, upstream: `${upstream.hostname}:${upstream.port}`, enabled: true });
      const proxy: Proxy = {
        name,
        url: `${upstream.protocol}//127.0.0.1:${listen}`,
        async addToxic(toxic) {
          const toxicName = `${toxic.type}-${++toxics}`;
          await call('POST', `/proxies/${name}/toxics`, { name: toxicName, type: toxic.type, stream: toxic.stream ?? 'downstream', toxicity: 1, attributes: toxic.attributes });
          return toxicName;
        },
        async removeToxic(toxicName) {
          // Removing a toxic waits for the connections inside it (a bandwidth toxic's sleep); the
          // API may answer 503 meanwhile. Try until it is gone.
          await waitFor(
            async () => {
              const list = (await call('GET', `/proxies/${name}/toxics`)) as { name: string }[];
              if (!list.some((toxic) => toxic.name === toxicName)) return true;
              await call('DELETE', `/proxies/${name}/toxics/${toxicName}`);
              return true;
            },
            30_000,
            `toxic ${toxicName} removed`,
          );
        },
        async setEnabled(isEnabled) {
          await call('POST', `/proxies/${name}`, { enabled: isEnabled });
        },
        async clear() {
          const list = (await call('GET', `/proxies/${name}/toxics`)) as { name: string }[];
          for (const toxic of list.reverse()) await proxy.removeToxic(toxic.name);
          await call('POST', `/proxies/${name}`, { enabled: true });
        },
      };
      return proxy;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
