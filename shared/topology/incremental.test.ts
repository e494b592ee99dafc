// The incremental derive must always equal the full derive of the same objects, and its deltas
// must turn the previous model into the new one. Checked on random change sequences.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObjects, EndpointSlice, ObjectKind, Pod } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from './derive.ts';
import { applyDelta, isEqual } from './diff.ts';
import { IncrementalDerive, type ObjectChange } from './incremental.ts';
import { random } from '../../test/random.ts';

const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

type Mutation = (objects: ClusterObjects, pick: <T>(list: T[]) => T, n: number) => ObjectChange | null;

function replace<K extends ObjectKind>(objects: ClusterObjects, kind: K, uid: string, next: ClusterObjects[K][number] | null): ObjectChange {
  const list = objects[kind] as ClusterObjects[K][number][];
  const index = list.findIndex((o) => o.metadata.uid === uid);
  if (next === null) list.splice(index, 1);
  else if (index >= 0) list[index] = next;
  else list.push(next);
  return { kind, uid, object: next };
}

const mutations: Record<string, Mutation> = {
  podReadiness: (o, pick) => {
    const pod = structuredClone(pick(o.pods.filter((p) => p.status?.podIP)));
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready) ready.status = ready.status === 'True' ? 'False' : 'True';
    return replace(o, 'pods', pod.metadata.uid, pod);
  },
  podIP: (o, pick, n) => {
    const pod = structuredClone(pick(o.pods.filter((p) => p.status?.podIP && !p.spec.hostNetwork)));
    const ip = `10.244.9.${n % 250}`;
    pod.status = { ...pod.status, podIP: ip, podIPs: [{ ip }] };
    return replace(o, 'pods', pod.metadata.uid, pod);
  },
  // A pod moving onto an address a slice names without a targetRef, which no pod holds (one that
  // moved away or was deleted): that endpoint's pod changes. (Two pods on one IP are ambiguous.)
  podTakesEndpointAddress: (o, pick) => {
    const held = new Set(o.pods.flatMap((p) => (p.status?.podIPs ?? []).map((a) => `${p.metadata.namespace}/${a.ip}`)));
    const named = o.endpointSlices.flatMap((s) => (s.endpoints ?? []).filter((e) => !e.targetRef).flatMap((e) => e.addresses.map((ip) => ({ ip, namespace: s.metadata.namespace }))));
    const free = named.filter(({ ip, namespace }) => !held.has(`${namespace}/${ip}`));
    const candidates = free.flatMap(({ ip, namespace }) => o.pods.filter((p) => p.metadata.namespace === namespace && p.status?.podIP && !p.spec.hostNetwork).map((p) => ({ p, ip })));
    if (candidates.length === 0) return null;
    const { p, ip } = pick(candidates);
    const pod = structuredClone(p);
    pod.status = { ...pod.status, podIP: ip, podIPs: [{ ip }] };
    return replace(o, 'pods', pod.metadata.uid, pod);
  },
  podLabels: (o, pick, n) => {
    const pod = structuredClone(pick(o.pods));
    pod.metadata.labels = { ...pod.metadata.labels, rollout: String(n) };
    return replace(o, 'pods', pod.metadata.uid, pod);
  },
  podAdded: (o, pick, n) => {
    const pod: Pod = structuredClone(pick(o.pods.filter((p) => p.status?.podIP && !p.spec.hostNetwork)));
    pod.metadata = { ...pod.metadata, name: `${pod.metadata.name}-copy${n}`, uid: `added-${n}` };
    pod.status = { ...pod.status, podIP: `10.244.8.${n % 250}`, podIPs: [{ ip: `10.244.8.${n % 250}` }] };
    return replace(o, 'pods', pod.metadata.uid, pod);
  },
  podDeleted: (o, pick) => (o.pods.length > 5 ? replace(o, 'pods', pick(o.pods).metadata.uid, null) : null),
  sliceFlip: (o, pick) => {
    const slice: EndpointSlice = structuredClone(pick(o.endpointSlices.filter((s) => (s.endpoints ?? []).length > 0)));
    const endpoint = slice.endpoints![0]!;
    endpoint.conditions = { ...endpoint.conditions, ready: !(endpoint.conditions?.ready ?? true) };
    return replace(o, 'endpointSlices', slice.metadata.uid, slice);
  },
  sliceShrink: (o, pick) => {
    const slice = structuredClone(pick(o.endpointSlices.filter((s) => (s.endpoints ?? []).length > 0)));
    slice.endpoints = slice.endpoints!.slice(1);
    return replace(o, 'endpointSlices', slice.metadata.uid, slice);
  },
  servicePort: (o, pick, n) => {
    const service = structuredClone(pick(o.services.filter((s) => (s.spec.ports ?? []).length > 0)));
    service.spec.ports = [{ ...service.spec.ports![0]!, port: 1000 + n }];
    return replace(o, 'services', service.metadata.uid, service);
  },
  serviceDeleted: (o, pick) => (o.services.length > 3 ? replace(o, 'services', pick(o.services).metadata.uid, null) : null),
  policyDeleted: (o, pick) => (o.networkPolicies.length > 0 ? replace(o, 'networkPolicies', pick(o.networkPolicies).metadata.uid, null) : null),
  ingressChanged: (o, pick, n) => {
    if (o.ingresses.length === 0) return null;
    const ingress = structuredClone(pick(o.ingresses));
    ingress.spec.tls = [{ hosts: [`h${n}.example.com`] }];
    return replace(o, 'ingresses', ingress.metadata.uid, ingress);
  },
  nodeChanged: (o, pick, n) => {
    const node = structuredClone(pick(o.nodes));
    node.metadata.labels = { ...node.metadata.labels, touched: String(n) };
    return replace(o, 'nodes', node.metadata.uid, node);
  },
};

describe('IncrementalDerive', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('random change batches on the demo stay equal to a full derive (seed %i)', (seed) => {
    const next = random(seed);
    const pick = <T,>(list: T[]): T => list[Math.floor(next() * list.length)]!;
    const objects = structuredClone(demo.objects);
    // Half the slices without targetRefs: their endpoints find their pods by IP, so a pod's
    // new IP must re-link them.
    objects.endpointSlices.forEach((slice, i) => {
      if (i % 2 === 0) for (const endpoint of slice.endpoints ?? []) delete endpoint.targetRef;
    });
    const incremental = new IncrementalDerive(objects, demo.source);
    const names = Object.keys(mutations);
    for (let batch = 1; batch <= 25; batch++) {
      const changes: ObjectChange[] = [];
      const size = 1 + Math.floor(next() * 4);
      for (let i = 0; i < size; i++) {
        const change = mutations[pick(names)]!(objects, pick, batch * 10 + i);
        if (change) changes.push(change);
      }
      const before = structuredClone(incremental.topology);
      const delta = incremental.update(changes, objects, demo.source, batch);
      const full = derive(objects, demo.source);
      expect(isEqual(incremental.topology, full), `seed ${seed} batch ${batch}: ${changes.map((c) => c.kind).join(', ')}`).toBe(true);
      expect(isEqual(applyDelta(before, delta), full), `seed ${seed} batch ${batch}: the delta`).toBe(true);
    }
  });

  test('a pod readiness change touches only that pod\'s records', () => {
    const objects = structuredClone(demo.objects);
    const incremental = new IncrementalDerive(objects, demo.source);
    const pod = structuredClone(objects.pods.find((p) => p.metadata.name.startsWith('backend'))!);
    pod.status!.conditions = pod.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
    const change = replace(objects, 'pods', pod.metadata.uid, pod);
    const delta = incremental.update([change], objects, demo.source, 1);
    expect(delta.added).toEqual([]);
    expect(delta.removed).toEqual([]);
    expect(delta.updated.map((e) => e.id)).toEqual([`pod:${pod.metadata.uid}`]);
  });

  test('a Node change falls back to a full derive, with a correct delta', () => {
    const objects = structuredClone(demo.objects);
    const incremental = new IncrementalDerive(objects, demo.source);
    const node = structuredClone(objects.nodes[1]!);
    node.status!.conditions = [{ type: 'Ready', status: 'False' }];
    const delta = incremental.update([replace(objects, 'nodes', node.metadata.uid, node)], objects, demo.source, 1);
    expect(delta.updated.map((e) => e.id)).toContain(`node:${node.metadata.name}`);
    expect(isEqual(incremental.topology, derive(objects, demo.source))).toBe(true);
  });
});
