/**
 * The fault soak (issue 12): a live session on a private test control plane, through toxiproxy,
 * for `minutes` (default 10). Faults follow one another — latency, a bandwidth limit, resets,
 * half-open connections, connections cut after a few bytes, the proxy down, kube-apiserver or etcd killed
 * or stopped and started again — each held a few seconds while Pods are created, relabelled and
 * deleted behind it. After each, the time from lifting the fault until the live model equals a
 * fresh LIST is measured (the churn paused meanwhile, so there is one answer to converge to). Reports the faults
 * injected, convergence p50/p95/max, any that did not converge, and file descriptors, sockets,
 * RSS and heap before and after.
 *
 *   node --expose-gc scripts/bench-soak.ts [--minutes N]     the soak alone
 *   npm run bench                                             with the other benches (--no-soak skips it)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminApi, startControlPlane } from '../test/cluster/harness.ts';
import { Churn, converge, difference, openSession, resources, type Resources } from '../test/faults/convergence.ts';
import { kubeconfigVia } from '../test/faults/fault-proxy.ts';
import { buildToxiproxy, startToxiproxy, type Proxy, type Toxic } from '../test/faults/toxiproxy.ts';

/** A fault not lifted within this long of being lifted is counted as not converged. */
const convergeMs = 60_000;

type Fault = { name: string } & ({ toxics: Toxic[] } | { proxyDown: true } | { apiserver: 'kill' | 'stop' } | { etcd: 'kill' | 'stop' });

const faults: Fault[] = [
  { name: 'latency 300±200 ms', toxics: [{ type: 'latency', attributes: { latency: 300, jitter: 200 } }] },
  { name: 'bandwidth 8 KB/s', toxics: [{ type: 'bandwidth', attributes: { rate: 8 } }] },
  { name: 'reset_peer', toxics: [{ type: 'reset_peer', attributes: { timeout: 0 } }] },
  { name: 'reset_peer 300 ms in, at 4 KB/s (mid-LIST)', toxics: [{ type: 'bandwidth', attributes: { rate: 4 } }, { type: 'reset_peer', attributes: { timeout: 300 } }] },
  { name: 'half-open (timeout 0)', toxics: [{ type: 'timeout', attributes: { timeout: 0 } }] },
  { name: 'limit_data 3 KB', toxics: [{ type: 'limit_data', attributes: { bytes: 3072 } }] },
  { name: 'proxy down', proxyDown: true },
  { name: 'kube-apiserver killed', apiserver: 'kill' },
  { name: 'kube-apiserver stopped', apiserver: 'stop' },
  { name: 'etcd killed', etcd: 'kill' },
  { name: 'etcd stopped', etcd: 'stop' },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function settled(): Resources {
  (globalThis as { gc?: () => void }).gc?.();
  return resources();
}

const show = (r: Resources) => `${r.fds} fds, ${r.sockets} sockets, RSS ${r.rssMb.toFixed(0)} MB, heap ${r.heapMb.toFixed(1)} MB`;

export async function benchSoak(minutes: number): Promise<void> {
  console.log(`\nfault soak: ${minutes} min of faults between a live session and kube-apiserver (toxiproxy), objects changing behind them`);
  const cp = await startControlPlane();
  const api = adminApi(cp);
  const toxi = await startToxiproxy(await buildToxiproxy());
  try {
    const proxy: Proxy = await toxi.createProxy('apiserver', cp.server);
    const via = kubeconfigVia(cp.kubeconfig, proxy.url, mkdtempSync(join(tmpdir(), 'podpath-soak-')), 'via-toxiproxy.yaml');
    const ns = 'soak';
    await api.createNamespace(ns);
    await api.createNode('soak', { podCIDR: '10.250.9.0/24', internalIP: '10.250.9.1' });
    await api.createService(ns, { name: 'churn', selector: { app: 'churn' }, ports: [{ port: 80, targetPort: 'http' }] });
    const churn = new Churn(api, ns, 'soak', '10.250.9');
    await churn.step();
    const session = await openSession(via);
    await converge(session, api, ns, convergeMs);
    const before = settled();

    // Changes behind every fault: a step every 300 ms while `isChurning` (a step the API server
    // refuses while it is down is simply lost; the model must follow the API, not the steps).
    let isChurning = false;
    let steps = 0;
    let isDone = false;
    const churning = (async () => {
      while (!isDone) {
        if (isChurning) await churn.step().then(() => steps++, () => {});
        await sleep(300);
      }
    })();

    const times = new Map<string, number[]>();
    const failures: string[] = [];
    const deadline = Date.now() + minutes * 60_000;
    let injected = 0;
    for (let i = 0; Date.now() < deadline; i++) {
      const fault = faults[i % faults.length]!;
      const heldMs = 2_000 + Math.random() * 4_000;
      let liftedAt = 0;
      isChurning = true;
      if ('toxics' in fault) {
        const names: string[] = [];
        for (const toxic of fault.toxics) names.push(await proxy.addToxic(toxic));
        await sleep(heldMs);
        isChurning = false;
        for (const name of names.reverse()) await proxy.removeToxic(name);
        liftedAt = performance.now();
      } else if ('proxyDown' in fault) {
        await proxy.setEnabled(false);
        await sleep(heldMs);
        isChurning = false;
        await proxy.setEnabled(true);
        liftedAt = performance.now();
      } else if ('etcd' in fault) {
        await cp.stopEtcd({ kill: fault.etcd === 'kill' });
        await sleep(heldMs);
        isChurning = false;
        await cp.startEtcd();
        liftedAt = performance.now();
      } else {
        await cp.stopApiServer({ kill: fault.apiserver === 'kill' });
        await sleep(heldMs);
        isChurning = false;
        await cp.startApiServer();
        liftedAt = performance.now();
      }
      injected++;
      // Wait for a step in flight to finish, so the API holds one answer.
      await sleep(400);
      try {
        await converge(session, api, ns, convergeMs);
        // From the moment the fault was lifted (kube-apiserver: once it is ready again).
        times.set(fault.name, [...(times.get(fault.name) ?? []), performance.now() - liftedAt]);
      } catch (error) {
        failures.push(`${fault.name}: ${error instanceof Error ? error.message : String(error)}`);
        console.log(`  did not converge after ${fault.name}: ${await difference(session, api, ns).catch(String)}`);
      }
    }
    isDone = true;
    await churning;
    const after = settled();
    await session.close();
    await sleep(6_000); // the HTTP pool's idle sockets close on their own timeout
    const closed = settled();

    const all = [...times.values()].flat();
    console.log(`faults injected: ${injected} (${steps} churn steps behind them); converged ${all.length}, not converged ${failures.length}`);
    console.log('fault                                      n    p50 ms   p95 ms   max ms');
    for (const fault of faults) {
      const t = times.get(fault.name) ?? [];
      console.log(`${fault.name.padEnd(42)} ${String(t.length).padStart(2)} ${percentile(t, 50).toFixed(0).padStart(8)} ${percentile(t, 95).toFixed(0).padStart(8)} ${Math.max(...t, 0).toFixed(0).padStart(8)}`);
    }
    console.log(`${'all'.padEnd(42)} ${String(all.length).padStart(2)} ${percentile(all, 50).toFixed(0).padStart(8)} ${percentile(all, 95).toFixed(0).padStart(8)} ${Math.max(...all, 0).toFixed(0).padStart(8)}`);
    console.log(`before: ${show(before)}`);
    console.log(`after:  ${show(after)} (session open)`);
    console.log(`closed: ${show(closed)}`);
    for (const failure of failures) console.log(`  ! ${failure}`);
  } finally {
    await toxi.stop();
    await api.close();
    await cp.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--minutes');
  await benchSoak(at > 0 ? Number(process.argv[at + 1]) : 10);
}
