/**
 * The kubelets' DNS settings as a live session joins them (LiveSession.objects: the Nodes from
 * the watch caches with `withKubeletDns` applied on every derive): on the bundled demo, a reading
 * of one node becomes that host's `kubeletDns`, the tracer's DNS hop takes its clusterDomain
 * instead of assuming one, and a Node watch event (whose object never carries the reading) keeps
 * it through the incremental model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObjects, KubeNode } from '../../../shared/kube/objects.ts';
import { parseSnapshot } from '../../../shared/snapshot/format.ts';
import { derive } from '../../../shared/topology/derive.ts';
import { IncrementalDerive } from '../../../shared/topology/incremental.ts';
import { trace } from '../../../shared/trace/trace.ts';
import type { Trace } from '../../../shared/trace/types.ts';
import { KubeHttpError, type KubeClient } from './client.ts';
import { readKubeletDns, withKubeletDns } from './kubelet-dns.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
/** Runs on demo-worker-1. */
const frontend = 'shop/frontend-855456765f-6r8k4';
const dnsEvidence = (t: Trace) => (t.dns?.hops ?? []).flatMap((h) => h.evidence.map((e) => e.text)).join('\n');

/** A node proxy where only demo-worker-1's kubelet answers, with a domain other than the assumed one. */
const client: KubeClient = {
  server: 'https://api.example:6443',
  getJSON: async <T>(path: string): Promise<T> => {
    if (path === '/api/v1/nodes/demo-worker-1/proxy/configz') return { kubeletconfig: { clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal', cgroupDriver: 'systemd' } } as T;
    throw new KubeHttpError(502, '{"message":"error trying to reach service: dial tcp: i/o timeout"}', path);
  },
  openStream: () => Promise.reject(new Error('not used')),
};

/** The objects as the session's caches hold them, with the readings joined as objects() does. */
const joined = (objects: ClusterObjects, byNode: Map<string, NonNullable<KubeNode['kubeletConfig']>>): ClusterObjects => ({ ...objects, nodes: withKubeletDns(objects.nodes, { byNode }) });

describe('kubelet DNS readings joined to the model', () => {
  test('the node read gets its kubeletDns and the DNS hop uses it; the others keep the assumption', async () => {
    const names = snapshot.objects.nodes.map((n) => n.metadata.name);
    const reading = await readKubeletDns(client, names);
    expect([...reading.byNode.keys()]).toEqual(['demo-worker-1']);
    expect(reading.problems).toHaveLength(names.length - 1);

    const topology = derive(joined(snapshot.objects, reading.byNode), snapshot.source);
    expect(topology.hosts['node:demo-worker-1']?.kubeletDns).toEqual({ clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal' });
    expect(topology.hosts['node:demo-worker-2']?.kubeletDns).toBeUndefined();

    const traced = trace(topology, { from: frontend, to: 'backend' });
    expect(dnsEvidence(traced)).toContain('the kubelet on demo-worker-1 (its configz): clusterDNS 10.96.0.10, clusterDomain corp.internal');
    expect(dnsEvidence(traced)).not.toContain('assumed: the kubelet');
    expect(traced.dns?.searches).toEqual(['shop.svc.corp.internal', 'svc.corp.internal', 'corp.internal']);
    // Without the reading, the same trace assumes cluster.local and says so.
    const assumed = trace(derive(snapshot.objects, snapshot.source), { from: frontend, to: 'backend' });
    expect(assumed.dns?.searches).toEqual(['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    expect(dnsEvidence(assumed)).toContain('assumed: the kubelet');
  });

  test('a Node watch event, whose object lacks the reading, keeps it in the incremental model', () => {
    const byNode = new Map([['demo-worker-1', { clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal' }]]);
    const model = new IncrementalDerive(joined(snapshot.objects, byNode), snapshot.source);
    expect(model.topology.hosts['node:demo-worker-1']?.kubeletDns?.clusterDomain).toBe('corp.internal');

    // The cache's copy of the node, relabelled by a watch event: as the API server sends it.
    const objects = structuredClone(snapshot.objects);
    const node = objects.nodes.find((n) => n.metadata.name === 'demo-worker-1')!;
    node.metadata.labels = { ...node.metadata.labels, 'podpath.test/relabelled': 'yes' };
    expect(node.kubeletConfig).toBeUndefined();
    const delta = model.update([{ kind: 'nodes', uid: node.metadata.uid, object: node }], joined(objects, byNode), snapshot.source, 2);
    const host = model.topology.hosts['node:demo-worker-1'];
    expect(host?.labels['podpath.test/relabelled']).toBe('yes');
    expect(host?.kubeletDns).toEqual({ clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal' });
    expect(delta.updated.map((e) => e.id)).toContain('node:demo-worker-1');
  });
});
