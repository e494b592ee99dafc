/**
 * The live-load benchmark of design §9 ("first useful view, against the API server's own LIST
 * time"): fill a private test control plane with N Pods (Running, with IPs, on N/30 Nodes) and
 * N/10 Services whose EndpointSlices the real controller makes; then time
 *   - a bare paginated LIST of the same kinds (limit 500), and
 *   - opening a session on the context until its full model is derived,
 * and report the ratio and the session's heap.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { configForContext } from '../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../electron/backend/kube/kubeconfig.ts';
import { createKubeClient } from '../electron/backend/kube/client.ts';
import { kindSpecs, pathOf } from '../electron/backend/kube/kinds.ts';
import { LiveSession } from '../electron/backend/session.ts';
import { adminApi, startControlPlane, waitFor, type KubeApi } from '../test/cluster/harness.ts';

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Fills the control plane with `pods` Running pods (IPs, on pods/30 Nodes) and pods/10 Services, in namespace `bench-<pods>`, and waits for their EndpointSlices. */
export async function fill(api: KubeApi, pods: number): Promise<void> {
  const nodes = Math.ceil(pods / 30);
  const namespace = `bench-${pods}`;
  await api.createNamespace(namespace);
  await inParallel([...Array(nodes).keys()], 16, (n) =>
    api.createNode(`bench-${pods}-${n}`, { podCIDR: `10.${64 + (n >> 8)}.${n & 255}.0/24`, internalIP: `172.16.${n >> 8}.${n & 255}` }),
  );
  await inParallel([...Array(Math.ceil(pods / 10)).keys()], 16, (s) =>
    api.createService(namespace, { name: `app-${s}`, selector: { app: `app-${s}` }, ports: [{ port: 80, targetPort: 'http' }] }),
  );
  await inParallel([...Array(pods).keys()], 32, async (p) => {
    const n = p % nodes;
    const name = `app-${Math.floor(p / 10)}-${p}`;
    await api.createPod(namespace, { name, labels: { app: `app-${Math.floor(p / 10)}` }, nodeName: `bench-${pods}-${n}`, ports: [{ name: 'http', containerPort: 8080 }] });
    await api.setPodStatus(namespace, name, { podIP: `10.${64 + (n >> 8)}.${n & 255}.${Math.floor(p / nodes) + 2}`, hostIP: `172.16.${n >> 8}.${n & 255}` });
  });
  // The controller has caught up when every pod is an endpoint.
  await waitFor(
    async () => {
      const slices = await api.list<{ endpoints?: unknown[] }>(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`);
      return slices.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0) >= pods;
    },
    600_000,
    'EndpointSlices for every pod',
  );
}

async function openOnce(config: Parameters<typeof LiveSession.open>[0]['config'], pods: number): Promise<number> {
  const start = performance.now();
  const session = await LiveSession.open({ config, contextName: 'admin' });
  const ms = performance.now() - start;
  const seen = Object.keys(session.topology.pods).length;
  await session.close();
  if (seen < pods) throw new Error(`the session saw ${seen} pods, expected ${pods}`);
  return ms;
}

/** The heap an open session holds, measured in a fresh Node process so nothing else is counted. */
async function sessionHeap(kubeconfig: string): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--measure-heap', kubeconfig], { maxBuffer: 1 << 20 });
  return Number(stdout.trim());
}

if (process.argv[2] === '--measure-heap') {
  const config = configForContext(loadKubeconfig([process.argv[3] ?? '']), 'admin');
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const session = await LiveSession.open({ config, contextName: 'admin' });
  globalThis.gc?.();
  console.log(((process.memoryUsage().heapUsed - before) / 2 ** 20).toFixed(1));
  await session.close();
  process.exit(0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export async function benchLive(sizes: number[]): Promise<void> {
  const cp = await startControlPlane();
  const api = adminApi(cp);
  try {
    console.log('\nfirst full model from a live context vs. a bare paginated LIST (design §9: ≤ 1.5×)');
    console.log('pods      bare LIST   session open   ratio   session heap');
    let total = 0;
    for (const pods of sizes) {
      await fill(api, pods - total);
      total = pods;
      const config = configForContext(loadKubeconfig([cp.kubeconfig]), 'admin');
      const client = createKubeClient(config);
      const bare: number[] = [];
      const opened: number[] = [];
      for (let run = 0; run < 3; run++) {
        const start = performance.now();
        await Promise.all(
          kindSpecs.map(async (spec) => {
            for (const path of spec.namespaces ? spec.namespaces.map((ns) => pathOf(spec, ns)) : [pathOf(spec)]) {
              let token: string | undefined;
              do {
                const page = await client
                  .getJSON<{ metadata?: { continue?: string } }>(`${path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`)
                  .catch(() => ({ metadata: { continue: undefined } }));
                token = page.metadata?.continue || undefined;
              } while (token);
            }
          }),
        );
        bare.push(performance.now() - start);
        opened.push(await openOnce(config, pods));
      }
      const heap = await sessionHeap(cp.kubeconfig);
      const b = median(bare);
      const o = median(opened);
      console.log(
        `${String(pods).padEnd(9)} ${b.toFixed(0).padStart(7)} ms ${o.toFixed(0).padStart(11)} ms ${(o / b).toFixed(2).padStart(7)}×   ${heap.toFixed(0)} MB`,
      );
    }
  } finally {
    await api.close();
    await cp.stop();
  }
}
