// The app's "Read from the kubelets" (issue 15) in the backend, against the real control plane
// (test/cluster): the limited context is refused nodes/proxy and nothing changes; admin gets
// through RBAC, but kube-apiserver will not proxy to a node whose address is loopback, so each
// node is reported not read with the server's reason, the session goes on following the cluster
// and the tracer keeps its assumption. Where a kubelet does answer (its configz stood in for at
// the session's client, everything else the real server), the reading joins the model and stays
// through the Node's watch events. A snapshot says why there is nothing to read.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import { openBackend, type Backend } from '../../electron/backend/backend.ts';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { LiveSession } from '../../electron/backend/session.ts';
import { kubeletDnsOf } from '../../shared/trace/resolv-conf.ts';
import { adminApi, waitFor, type KubeApi } from '../cluster/harness.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: the kubelet DNS read tests need the test control plane (see "control plane unavailable" above)');

describe('reading the kubelets\' DNS settings on a snapshot', () => {
  test('the demo answers why there is nothing to read', async () => {
    const backend = await openBackend({ kind: 'demo' });
    try {
      await expect(backend.handlers.readKubeletDns({})).rejects.toThrow(/demo cluster is a snapshot.*Open a live context/);
    } finally {
      await backend.close();
    }
  });
});

describe.skipIf(!kubeconfig)('reading the kubelets\' DNS settings in a live context, against the real API server', () => {
  const prefix = `pp-kdns-${randomBytes(3).toString('hex')}`;
  const nodes = [`${prefix}-a`, `${prefix}-b`];
  const later = `${prefix}-c`;
  let api: KubeApi;
  let backend: Backend;

  beforeAll(async () => {
    api = adminApi({ kubeconfig: kubeconfig as string });
    // Loopback addresses: kube-apiserver refuses to proxy to them, whoever asks.
    for (const node of nodes) await api.createNode(node, { internalIP: '127.0.0.1' });
    backend = await openBackend({ kind: 'demo' }, { kubeconfigPaths: [kubeconfig as string], session: { coalesceMs: 50 } });
  });
  afterAll(async () => {
    await backend?.close();
    for (const node of [...nodes, later]) await api?.deleteObject(`/api/v1/nodes/${node}`).catch(() => {});
    await api?.close();
  });

  test('limited: refused get on nodes/proxy, said once; the model does not change', async () => {
    const opened = await backend.open({ kind: 'context', context: 'limited', namespaces: ['team-b'] });
    // The limited user cannot list Nodes, so it has none to ask unless it names them.
    const unnamed = await backend.handlers.readKubeletDns({});
    expect(unnamed).toMatchObject({ read: 0, of: 0 });
    expect(unnamed.problems).toEqual([expect.stringMatching(/^no Nodes to ask: .*forbidden/i)]);

    const answer = await backend.handlers.readKubeletDns({ nodes });
    expect(answer).toEqual({ read: 0, of: 2, problems: ["the kubelets' configz was not read: reading it needs get on nodes/proxy"] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await backend.handlers.getState({});
    expect(after.sessionId).toBe(opened.sessionId);
    expect(after.seq).toBe(opened.seq);
    expect(after.topology).toEqual(opened.topology);
  });

  test('admin: each node is reported with the server\'s refusal, and the session keeps following the cluster with the assumption', async () => {
    const opened = await backend.open({ kind: 'context', context: 'admin' });
    for (const node of nodes) expect(opened.topology.hosts[`node:${node}`]).toBeDefined();

    const answer = await backend.handlers.readKubeletDns({});
    expect(answer.of).toBe(Object.keys(opened.topology.hosts).length);
    for (const node of nodes) {
      const problem = answer.problems.find((p) => p.startsWith(`node ${node}:`));
      expect(problem, `the problem of ${node} among ${JSON.stringify(answer.problems)}`).toMatch(/address not allowed/);
    }
    expect(answer.read).toBe(answer.of - answer.problems.length);
    // The refusal is per node, not an RBAC one: nothing says nodes/proxy is forbidden.
    expect(answer.problems.join('\n')).not.toMatch(/needs get on nodes\/proxy/);

    // Still live: a Node created now reaches the model, and no host has a kubelet reading.
    await api.createNode(later, { internalIP: '127.0.0.1' });
    const state = await waitFor(async () => {
      const now = await backend.handlers.getState({});
      return now.topology.hosts[`node:${later}`] ? now : null;
    }, 15_000, `node ${later} in the model`);
    expect(state.sessionId).toBe(opened.sessionId);
    for (const node of nodes) {
      const host = state.topology.hosts[`node:${node}`]!;
      expect(host.kubeletDns).toBeUndefined();
      expect(kubeletDnsOf(host, '10.96.0.10', 'svc kube-system/kube-dns')).toMatchObject({ isAssumed: true, clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local' });
    }
  });

  test('a kubelet that answers: its reading joins the model in a delta and stays through the Node\'s watch events', async () => {
    const deltas: TopologyDelta[] = [];
    const config = configForContext(loadKubeconfig([kubeconfig as string]), 'admin');
    const session = await LiveSession.open({ config, contextName: 'admin', coalesceMs: 50, onDelta: (delta) => deltas.push(delta) });
    try {
      // Only nodes[0]'s configz is stood in for; the rest goes to the real API server.
      const getJSON = session.client.getJSON.bind(session.client);
      Object.assign(session.client, {
        getJSON: <T>(path: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<T> =>
          path === `/api/v1/nodes/${nodes[0]}/proxy/configz` ? Promise.resolve({ kubeletconfig: { clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal', cgroupDriver: 'systemd' } } as T) : getJSON<T>(path, options),
      });
      const answer = await session.readKubeletDns(nodes);
      expect(answer.read).toBe(1);
      expect(answer.of).toBe(2);
      expect(answer.problems).toEqual([expect.stringMatching(new RegExp(`^node ${nodes[1]}: .*address not allowed`))]);
      const id = `node:${nodes[0]}`;
      await waitFor(() => session.topology.hosts[id]?.kubeletDns, 10_000, 'the reading joined');
      expect(session.topology.hosts[id]?.kubeletDns).toEqual({ clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal' });
      expect(session.topology.hosts[`node:${nodes[1]}`]?.kubeletDns).toBeUndefined();
      expect(deltas.some((d) => d.updated.some((e) => e.id === id))).toBe(true);
      expect(session.objects().nodes.find((n) => n.metadata.name === nodes[0])?.kubeletConfig).toEqual({ clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal' });

      // A watch event brings the Node without the reading; the model keeps it.
      await api.patch(`/api/v1/nodes/${nodes[0]}`, { metadata: { labels: { 'podpath.test/relabelled': 'yes' } } });
      await waitFor(() => session.topology.hosts[id]?.labels['podpath.test/relabelled'] === 'yes', 10_000, 'the relabel in the model');
      expect(session.topology.hosts[id]?.kubeletDns?.clusterDomain).toBe('corp.internal');
    } finally {
      await session.close();
    }
  });
});
