/**
 * A small HTTPS proxy in front of the test control plane's kube-apiserver that forwards every
 * request to it — the real server, the real credentials — except the ones a test chooses to fail,
 * which it answers itself with an HTTP error as an overloaded or broken server would. It serves
 * with kube-apiserver's own serving certificate (valid for 127.0.0.1), so a kubeconfig needs only
 * its server URL changed (`kubeconfigVia`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

export interface FaultProxy {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** Requests to paths matching this answer `status`; null forwards everything. */
  fail: { path: RegExp; status: number } | null;
  /** How many requests were answered with the fault. */
  failed: number;
  close(): Promise<void>;
}

export async function startFaultProxy(clusterDir: string, server: string): Promise<FaultProxy> {
  const cert = readFileSync(join(clusterDir, 'serving', 'apiserver.crt'));
  const key = readFileSync(join(clusterDir, 'serving', 'apiserver.key'));
  const target = new URL(server);
  const proxy: FaultProxy & { server: Server } = {
    url: '',
    fail: null,
    failed: 0,
    server: createServer({ cert, key }, (req, res) => {
      const fault = proxy.fail;
      if (fault && fault.path.test(req.url ?? '')) {
        proxy.failed++;
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Internal Server Error', reason: 'InternalError', code: fault.status }));
        return;
      }
      const upstream = httpsRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, ca: cert },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    }),
    async close() {
      this.server.closeAllConnections();
      await new Promise((resolve) => this.server.close(resolve));
    },
  };
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  (proxy as { url: string }).url = `https://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  return proxy;
}

/** A copy of `kubeconfig` (in `dir`) whose clusters all point at `server` instead. */
export function kubeconfigVia(kubeconfig: string, server: string, dir: string, name: string): string {
  const doc = parseDocument(readFileSync(kubeconfig, 'utf8'));
  const clusters = doc.get('clusters') as { items: { get(k: string): { set(k: string, v: unknown): void } }[] };
  for (const entry of clusters.items) entry.get('cluster').set('server', server);
  const path = join(dir, name);
  writeFileSync(path, doc.toString());
  return path;
}
