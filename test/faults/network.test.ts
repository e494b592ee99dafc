// Network faults between a live session and the real API server (toxiproxy in between, TLS passing
// through): latency, a bandwidth limit, resets, half-open connections, connections cut after a few
// bytes, the proxy down — mid-watch and mid-LIST — while objects change behind the fault. After
// each, the live model equals a fresh LIST within `convergeMs`; file descriptors and sockets stay
// bounded. The longer loop of the same is scripts/bench-soak.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createKubeClient, type KubeClient } from '../../electron/backend/kube/client.ts';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { ListWatch } from '../../electron/backend/kube/list-watch.ts';
import type { LiveSession } from '../../electron/backend/session.ts';
import type { Pod } from '../../shared/kube/objects.ts';
import { adminApi, connectControlPlane, waitFor, type KubeApi } from '../cluster/harness.ts';
import { Churn, converge, faultListWatch, openSession, resources, type Resources } from './convergence.ts';
import { kubeconfigVia } from './fault-proxy.ts';
import { startToxiproxy, type Proxy, type Toxic, type Toxiproxy } from './toxiproxy.ts';

const kubeconfig = inject('kubeconfig');
const toxiproxyBinary = inject('toxiproxy');
const missing = !kubeconfig ? 'the test control plane' : !toxiproxyBinary ? 'toxiproxy (test/cluster/build-toxiproxy)' : null;
// CI must not pass by skipping: there a missing part fails the file.
const isCI = process.env.CI === 'true';
if (missing && !isCI) console.log(`skipped: network fault tests need ${missing} (see "unavailable" above)`);

/** How long the model may take to equal a fresh LIST once a fault is lifted: a watch given up
 * after 8 s of silence, the backoff (at most 2 s), a LIST, with room for a loaded machine. */
const convergeMs = 30_000;

test.runIf(missing && isCI)('the fault harness has what it needs (CI)', () => {
  expect.fail(`CI=true and ${missing} is missing: the fault tests cannot run`);
});

describe.skipIf(missing)('network faults between a live session and the API server', () => {
  const id = Math.random().toString(36).slice(2, 8);
  const ns = `faults-${id}`;
  const node = `faults-${id}`;
  const net = `10.248.${Math.floor(Math.random() * 250) + 1}`;
  let api: KubeApi;
  let toxi: Toxiproxy;
  let proxy: Proxy;
  let via: string;
  let session: LiveSession;
  let churn: Churn;
  let before: Resources;

  beforeAll(async () => {
    const cp = connectControlPlane(kubeconfig);
    api = adminApi(cp);
    await api.createNamespace(ns);
    await api.createNode(node, { podCIDR: `${net}.0/24`, internalIP: `${net}.1` });
    await api.createService(ns, { name: 'churn', selector: { app: 'churn' }, ports: [{ port: 80, targetPort: 'http' }] });
    await api.createNetworkPolicy(ns, { name: 'deny-all', podSelector: {}, policyTypes: ['Ingress'] });
    churn = new Churn(api, ns, node, net);
    await churn.step();
    toxi = await startToxiproxy(toxiproxyBinary);
    proxy = await toxi.createProxy(`apiserver-${id}`, cp.server);
    via = kubeconfigVia(kubeconfig, proxy.url, mkdtempSync(join(tmpdir(), 'podpath-faults-')), 'via-toxiproxy.yaml');
    before = resources();
    session = await openSession(via);
    await converge(session, api, ns, convergeMs);
  });

  afterAll(async () => {
    await session?.close();
    await toxi?.stop();
    await api?.deleteObject(`/api/v1/namespaces/${ns}`);
    await api?.deleteObject(`/api/v1/nodes/${node}`);
    await api?.close();
  });

  const isTroubled = () => session.kinds().some((k) => k.state === 'reconnecting' || k.state === 'unavailable');

  const midWatch: { name: string; toxics: Toxic[]; bites: boolean }[] = [
    { name: 'latency 300 ms ± 200 ms', toxics: [{ type: 'latency', attributes: { latency: 300, jitter: 200 } }], bites: false },
    { name: 'bandwidth 8 KB/s', toxics: [{ type: 'bandwidth', attributes: { rate: 8 } }], bites: false },
    { name: 'reset_peer: every connection reset', toxics: [{ type: 'reset_peer', attributes: { timeout: 0 } }], bites: true },
    { name: 'half-open: nothing comes back, nothing is closed (timeout 0)', toxics: [{ type: 'timeout', attributes: { timeout: 0 } }], bites: true },
    { name: 'limit_data: every connection cut after 3 KB', toxics: [{ type: 'limit_data', attributes: { bytes: 3072 } }], bites: true },
  ];

  for (const fault of midWatch) {
    test(`mid-watch, ${fault.name}: changes behind the fault arrive, the model equals a fresh LIST`, async () => {
      const names = await Promise.all(fault.toxics.map((toxic) => proxy.addToxic(toxic)));
      try {
        await churn.step();
        await churn.step();
        // A fault that breaks connections must be seen to break them, or the test proves nothing.
        if (fault.bites) await waitFor(isTroubled, 20_000, 'a watch noticing the fault');
      } finally {
        for (const name of names) await proxy.removeToxic(name);
      }
      await converge(session, api, ns, convergeMs);
      await waitFor(() => session.kinds().every((k) => k.state === 'live' || k.state === 'absent'), convergeMs, 'every kind live again');
    });
  }

  test('mid-watch, the proxy down (connections closed, new ones refused) until kinds are unavailable, then up', async () => {
    await proxy.setEnabled(false);
    try {
      await churn.step();
      await waitFor(() => session.kinds().some((k) => k.state === 'unavailable'), 20_000, 'a kind unavailable');
      // The model says it too, at the next flush.
      await waitFor(() => session.topology.cluster.unavailableKinds.length > 0, 5_000, 'unavailableKinds in the model');
    } finally {
      await proxy.setEnabled(true);
    }
    await converge(session, api, ns, convergeMs);
    await waitFor(() => session.topology.cluster.unavailableKinds.length === 0, convergeMs, 'no kind unavailable in the model');
  });

  test('mid-LIST, every connection reset after the first page: unavailable, never a partial list; then exactly what is there', async () => {
    const path = `/api/v1/namespaces/${ns}/pods`;
    // Pages of one pod: at least two of them.
    await churn.step();
    await churn.step();
    const real = createKubeClient(configForContext(loadKubeconfig([via]), 'admin'));
    const toxics: string[] = [];
    // The real client through the proxy; the reset (a real one, by toxiproxy) starts as the first page arrives.
    const client: KubeClient = {
      ...real,
      async getJSON<T>(url: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<T> {
        const page = await real.getJSON<T>(url, options);
        if (toxics.length === 0) toxics.push(await proxy.addToxic({ type: 'reset_peer', attributes: { timeout: 0 } }));
        return page;
      },
    };
    const states: string[] = [];
    const watch = new ListWatch<Pod>({ client, path, pageSize: 1, trim: (raw) => raw as Pod, onChange: () => {}, onStatus: (state) => states.push(state), ...faultListWatch });
    try {
      await watch.start();
      expect(states).toContain('unavailable');
      expect(watch.lists).toBe(0);
      expect(watch.cache.size).toBe(0);
      await churn.step();
      for (const name of toxics) await proxy.removeToxic(name);
      const listed = async () => (await api.list<Pod>(path)).map((p) => `${p.metadata.uid} ${p.metadata.labels?.gen}`).sort();
      const cached = () => [...watch.cache.values()].map((p) => `${p.metadata.uid} ${p.metadata.labels?.gen}`).sort();
      await waitFor(async () => JSON.stringify(cached()) === JSON.stringify(await listed()), convergeMs, 'the cache equal to a fresh LIST');
      expect(watch.lists).toBe(1);
    } finally {
      for (const name of toxics) await proxy.removeToxic(name);
      await watch.stop();
    }
  });

  test('file descriptors and sockets are back near where they started', async () => {
    await converge(session, api, ns, convergeMs);
    // The open session holds a watch per kind; the HTTP pool's idle sockets close on their own timeout.
    await waitFor(() => resources().fds <= before.fds + 30 && resources().sockets <= before.sockets + 20, 20_000, `fds ≤ ${before.fds + 30}, sockets ≤ ${before.sockets + 20} (now ${JSON.stringify(resources())})`);
  });
});
