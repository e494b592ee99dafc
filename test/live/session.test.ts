// Live sessions against the real control plane (test/cluster): initial state, deltas, RBAC,
// an API server restart, 410 Gone, and that closing a session leaves nothing running.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { KindStatus } from '../../shared/ipc.ts';
import type { Pod } from '../../shared/kube/objects.ts';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import { createKubeClient } from '../../electron/backend/kube/client.ts';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { ListWatch } from '../../electron/backend/kube/list-watch.ts';
import { LiveSession } from '../../electron/backend/session.ts';
import { adminApi, connectControlPlane, startControlPlane, waitFor, type ControlPlane, type KubeApi } from '../cluster/harness.ts';

const kubeconfig = inject('kubeconfig');

/** Compacts the control plane's etcd to its current revision, through etcd's JSON gateway. */
async function compactEtcd(cp: ControlPlane): Promise<void> {
  const env = Object.fromEntries(
    readFileSync(join(cp.dir, 'env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const post = async (path: string, body: unknown) => (await fetch(`${env.ETCD_URL}${path}`, { method: 'POST', body: JSON.stringify(body) })).json();
  const { header } = (await post('/v3/kv/range', { key: 'AA==' })) as { header: { revision: string } };
  await post('/v3/kv/compaction', { revision: Number(header.revision), physical: true });
}
if (!kubeconfig) console.log('skipped: live session tests need the test control plane (see "control plane unavailable" above)');

const suffix = randomBytes(3).toString('hex');
const ns = `live-${suffix}`;
const nodes = [`live-${suffix}-a`, `live-${suffix}-b`];

interface Opened {
  session: LiveSession;
  deltas: TopologyDelta[];
  kinds: KindStatus[][];
}

async function open(context: string, namespaces?: string[], file = kubeconfig): Promise<Opened> {
  const deltas: TopologyDelta[] = [];
  const kinds: KindStatus[][] = [];
  const session = await LiveSession.open({
    config: configForContext(loadKubeconfig([file]), context),
    contextName: context,
    namespaces,
    coalesceMs: 50,
    onDelta: (d) => deltas.push(d),
    onKinds: (k) => kinds.push(k),
    listWatch: { backoff: { initialMs: 100, maxMs: 1000 } },
  });
  return { session, deltas, kinds };
}

const podIds = (session: LiveSession, namespace = ns) =>
  Object.values(session.topology.pods)
    .filter((p) => p.namespace === namespace)
    .map((p) => p.id)
    .sort();

describe.skipIf(!kubeconfig)('a live session against a real control plane', () => {
  let cp: ControlPlane;
  let api: KubeApi;
  const created: Pod[] = [];

  async function runningPod(name: string, node: string, ip: string, labels: Record<string, string>): Promise<Pod> {
    await api.createPod(ns, { name, labels, nodeName: node, ports: [{ name: 'http', containerPort: 8080 }] });
    const pod = await api.setPodStatus(ns, name, { podIP: ip, hostIP: node === nodes[0] ? '172.30.0.1' : '172.30.0.2', ready: true });
    created.push(pod);
    return pod;
  }

  beforeAll(async () => {
    cp = connectControlPlane(kubeconfig);
    api = adminApi(cp);
    await api.createNamespace(ns);
    await api.createNode(nodes[0]!, { podCIDR: '10.250.1.0/24', internalIP: '172.30.0.1' });
    await api.createNode(nodes[1]!, { podCIDR: '10.250.2.0/24', internalIP: '172.30.0.2' });
    await runningPod('web-1', nodes[0]!, '10.250.1.5', { app: 'web' });
    await runningPod('web-2', nodes[1]!, '10.250.2.5', { app: 'web' });
    await api.createService(ns, { name: 'web', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
    await waitFor(async () => (await api.endpointSlicesOf(ns, 'web')).flatMap((s) => s.endpoints ?? []).length === 2, 20_000, 'EndpointSlices for web');
  });

  afterAll(async () => {
    await api?.deleteObject(`/api/v1/namespaces/${ns}`);
    for (const node of nodes) await api?.deleteObject(`/api/v1/nodes/${node}`);
    await api?.close();
  });

  test('the initial state equals what the API holds, EndpointSlices from the real controller included', async () => {
    const { session } = await open('admin');
    try {
      const listed = await api.list<Pod>(`/api/v1/namespaces/${ns}/pods`);
      expect(podIds(session)).toEqual(listed.map((p) => `pod:${p.metadata.uid}`).sort());
      const web = session.topology.services[`svc:${ns}/web`];
      expect(web?.clusterIPs[0]).toMatch(/^10\.96\./);
      const endpoints = Object.values(session.topology.endpoints).filter((e) => e.service === web?.id);
      expect(endpoints.map((e) => e.address).sort()).toEqual(['10.250.1.5', '10.250.2.5']);
      expect(endpoints.every((e) => e.pod && e.isReady)).toBe(true);
      expect(session.topology.hosts[`node:${nodes[0]}`]?.podCIDRs).toEqual(['10.250.1.0/24']);
      expect(session.kinds().find((k) => k.kind === 'pods')).toMatchObject({ state: 'live', scope: 'cluster' });
      expect(session.kinds().find((k) => k.kind === 'gateways')?.state).toBe('absent');
    } finally {
      await session.close();
    }
  });

  test('adding, changing and deleting Pods, Services and NetworkPolicies arrive as deltas', async () => {
    const { session, deltas } = await open('admin');
    try {
      const pod = await runningPod('web-3', nodes[0]!, '10.250.1.6', { app: 'web' });
      const podId = `pod:${pod.metadata.uid}`;
      await waitFor(() => deltas.some((d) => d.added.some((e) => e.id === podId)), 15_000, 'the new pod added');
      await waitFor(() => session.topology.endpoints[`ep:${ns}/web/10.250.1.6`]?.isReady, 20_000, 'its endpoint from the controller');

      await api.patch(`/api/v1/namespaces/${ns}/pods/web-3`, { metadata: { labels: { app: 'web', version: 'v2' } } });
      await waitFor(() => deltas.some((d) => d.updated.some((e) => e.id === podId && (e as { labels?: Record<string, string> }).labels?.version === 'v2')), 15_000, 'the pod updated');

      await api.createService(ns, { name: 'db', selector: { app: 'db' }, ports: [{ port: 5432 }] });
      await waitFor(() => deltas.some((d) => d.added.some((e) => e.id === `svc:${ns}/db`)), 15_000, 'the Service added');

      await api.createNetworkPolicy(ns, { name: 'deny-all', podSelector: {}, policyTypes: ['Ingress'] });
      await waitFor(() => deltas.some((d) => d.added.some((e) => e.id === `netpol:${ns}/deny-all`)), 15_000, 'the policy added');
      await api.deleteObject(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/deny-all`);
      await waitFor(() => deltas.some((d) => d.removed.includes(`netpol:${ns}/deny-all`)), 15_000, 'the policy removed');

      await api.deleteObject(`/api/v1/namespaces/${ns}/pods/web-3`);
      await waitFor(() => deltas.some((d) => d.removed.includes(podId)), 15_000, 'the pod removed');
      await waitFor(() => !session.topology.endpoints[`ep:${ns}/web/10.250.1.6`], 20_000, 'its endpoint removed');

      // Sequence numbers count up by one: the renderer detects gaps with them.
      expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
    } finally {
      await session.close();
    }
  });

  test('the RBAC-limited user gets a working, partial picture with Nodes forbidden', async () => {
    await api.createPod('team-a', { name: `a-${suffix}`, labels: { app: 'a' }, nodeName: nodes[0] });
    await api.setPodStatus('team-a', `a-${suffix}`, { podIP: '10.250.1.9', hostIP: '172.30.0.1' });
    const { session } = await open('limited', ['team-b']);
    try {
      const kinds = Object.fromEntries(session.kinds().map((k) => [k.kind, k]));
      expect(kinds.nodes?.state).toBe('forbidden');
      expect(kinds.nodes?.reason).toMatch(/nodes/);
      expect(kinds.pods).toMatchObject({ state: 'live', scope: ['team-a', 'team-b'] });
      expect(Object.values(session.topology.pods).map((p) => p.name)).toContain(`a-${suffix}`);
      expect(Object.values(session.topology.pods).every((p) => p.namespace === 'team-a' || p.namespace === 'team-b')).toBe(true);
      expect(session.topology.cluster.unavailableKinds.map((k) => k.kind)).toContain('nodes');
    } finally {
      await session.close();
      await api.deleteObject(`/api/v1/namespaces/team-a/pods/a-${suffix}`);
    }
  });

  test('a watch too far behind (410 Gone) relists and converges', async () => {
    // The test control plane serves ConfigMap watches from etcd (no watch cache), so compacting
    // etcd past a resourceVersion makes a watch from it fail with a real 410 Gone.
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await api.create(path, { metadata: { name: 'before' }, data: { a: '1' } });
    const { metadata } = await api.get<{ metadata: { resourceVersion: string } }>(`${path}?limit=1`);
    // Two changes after it, then compaction: the history right after that resourceVersion is gone.
    await api.create(path, { metadata: { name: 'after' }, data: { a: '2' } });
    await api.create(path, { metadata: { name: 'later' }, data: { a: '3' } });
    await compactEtcd(cp);

    const client = createKubeClient(configForContext(loadKubeconfig([kubeconfig]), 'admin'));
    const watch = new ListWatch<unknown>({ client, path, trim: (raw) => raw, onChange: () => {}, onStatus: () => {}, resumeFrom: metadata.resourceVersion });
    await watch.start();
    try {
      expect(watch.lists).toBe(1);
      const listed = await api.list<{ metadata: { uid: string } }>(path);
      expect([...watch.cache.keys()].sort()).toEqual(listed.map((c) => c.metadata.uid).sort());
      expect(listed.length).toBeGreaterThanOrEqual(3);
    } finally {
      await watch.stop();
    }
  });

  test('a LIST whose continue token expires mid-way starts over and ends consistent', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    for (const name of ['page-1', 'page-2', 'page-3']) await api.create(path, { metadata: { name } });
    const real = createKubeClient(configForContext(loadKubeconfig([kubeconfig]), 'admin'));
    let compactions = 0;
    // The real client, but etcd is compacted (for real) just before the first next-page request,
    // and a change is made so the token's revision is gone: the server answers 410.
    const client = {
      ...real,
      async getJSON<T>(url: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<T> {
        if (url.includes('continue=') && compactions === 0) {
          compactions++;
          await api.create(path, { metadata: { name: 'page-4' } });
          await compactEtcd(cp);
        }
        return real.getJSON<T>(url, options);
      },
    };
    const watch = new ListWatch<unknown>({ client, path, trim: (raw) => raw, onChange: () => {}, onStatus: () => {}, pageSize: 1 });
    await watch.start();
    try {
      expect(compactions).toBe(1);
      const listed = await api.list<{ metadata: { uid: string } }>(path);
      expect([...watch.cache.keys()].sort()).toEqual(listed.map((c) => c.metadata.uid).sort());
      expect(listed.length).toBeGreaterThanOrEqual(4);
    } finally {
      await watch.stop();
    }
  });

  test('kube-apiserver stopped and restarted mid-watch: reconnecting, then the API state, nothing missing or duplicated', async () => {
    // A control plane of its own: stopping the shared one would fail other test files.
    const own = await startControlPlane();
    const ownApi = adminApi(own);
    const { session, kinds } = await open('admin', undefined, own.kubeconfig);
    try {
      await ownApi.createNamespace(ns);
      await ownApi.createNode(nodes[0]!, { podCIDR: '10.250.1.0/24', internalIP: '172.30.0.1' });
      for (const name of ['web-1', 'web-2']) await ownApi.createPod(ns, { name, nodeName: nodes[0] });
      await waitFor(() => podIds(session).length === 2, 15_000, 'both pods seen');
      await own.stopApiServer();
      await waitFor(() => kinds.some((k) => k.some((s) => s.kind === 'pods' && s.state === 'reconnecting')), 30_000, 'pods reconnecting');
      await own.startApiServer();
      // Changes after the restart must arrive too.
      await ownApi.createPod(ns, { name: 'web-3', nodeName: nodes[0] });
      await ownApi.deleteObject(`/api/v1/namespaces/${ns}/pods/web-1`);
      const listed = async () => (await ownApi.list<Pod>(`/api/v1/namespaces/${ns}/pods`)).map((p) => `pod:${p.metadata.uid}`).sort();
      await waitFor(async () => JSON.stringify(podIds(session)) === JSON.stringify(await listed()), 60_000, 'the session converged to the API');
      expect(podIds(session)).toHaveLength(2);
      await waitFor(() => session.kinds().every((k) => k.state === 'live' || k.state === 'absent'), 30_000, 'every kind live again');
    } finally {
      await session.close();
      await ownApi.close();
      await own.stop();
    }
  });

  test('closing a session leaves no sockets or timers behind', async () => {
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    const before = count();
    const { session } = await open('admin');
    expect(count()).toBeGreaterThan(before);
    await session.close();
    // Keep-alive sockets of the HTTP pool close on their own timeout; wait for that, no longer.
    await waitFor(() => count() <= before, 15_000, `resources back to ${before}`);
  });

  test('Gateway API kinds are read once their CRDs exist', async () => {
    // A control plane of its own: the CRDs would change what other test files see.
    const own = await startControlPlane();
    const ownApi = adminApi(own);
    try {
      for (const [plural, kind] of [['gateways', 'Gateway'], ['httproutes', 'HTTPRoute']] as const) {
        await ownApi.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
          // *.k8s.io groups need the approval annotation the real Gateway API CRDs carry.
          metadata: { name: `${plural}.gateway.networking.k8s.io`, annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/gateway-api/pull/2466' } },
          spec: {
            group: 'gateway.networking.k8s.io',
            scope: 'Namespaced',
            names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
            versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
          },
        });
      }
      await waitFor(async () => (await ownApi.get<{ resources: { name: string }[] }>('/apis/gateway.networking.k8s.io/v1')).resources.length === 2, 30_000, 'the CRDs served');
      await ownApi.create('/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'edge' },
        spec: { gatewayClassName: 'example', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      });
      const { session } = await open('admin', undefined, own.kubeconfig);
      try {
        const kinds = Object.fromEntries(session.kinds().map((k) => [k.kind, k]));
        expect(kinds.gateways).toMatchObject({ state: 'live', count: 1 });
        expect(kinds.httpRoutes).toMatchObject({ state: 'live', count: 0 });
        expect(session.objects().gateways.map((g) => g.metadata.name)).toEqual(['edge']);
      } finally {
        await session.close();
      }
    } finally {
      await ownApi.close();
      await own.stop();
    }
  });
});
