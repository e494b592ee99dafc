import { describe, expect, test } from 'vitest';
import type { ClusterObjects, Pod } from '../../shared/kube/objects.ts';
import type { Topology } from '../../shared/model/types.ts';
import { derive } from '../../shared/topology/derive.ts';
import { applyDelta, diff } from '../../shared/topology/diff.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { prepare, type Prepared } from './detail-units.ts';
import { GraphElementIndex } from './element-index.ts';
import { computeLayout } from './layout.ts';

/** Everything level of detail reads of a prepared graph, elements as their identities. */
function reading(p: Prepared) {
  const unit = (u: Prepared['units'][number]) => ({
    id: u.id,
    element: u.element,
    devices: u.devices,
    contents: u.contents,
    box: u.box,
    contentsBox: u.contentsBox,
    pods: { ...u.pods },
    namespaces: new Map(u.namespaces),
    services: u.services,
    servicesWithoutEndpoints: u.servicesWithoutEndpoints,
    innerEdges: u.innerEdges,
    outerEdges: u.outerEdges,
  });
  return {
    total: p.total,
    units: p.units.map(unit),
    rows: p.rows.map((r) => ({ id: r.id, units: r.units.map((u) => u.id), box: r.box, pods: { ...r.pods }, namespaces: new Map(r.namespaces), notReadyHosts: r.notReadyHosts })),
    unitOf: new Map([...p.unitOf].map(([id, o]) => [id, { unit: o.unit.id, isContent: o.isContent }])),
    free: p.free,
    edges: p.edges,
  };
}

const podAt = (objects: ClusterObjects, i: number): Pod => objects.pods[i]!;
function setReady(pod: Pod, isReady: boolean): void {
  pod.status!.conditions = [{ type: 'Ready', status: isReady ? 'True' : 'False' }];
  for (const status of pod.status!.containerStatuses ?? []) status.ready = isReady;
}
/** The endpoint of a pod in its Service's slice. */
function endpointOf(objects: ClusterObjects, pod: Pod) {
  for (const slice of objects.endpointSlices) for (const endpoint of slice.endpoints ?? []) if (endpoint.targetRef?.name === pod.metadata.name) return { slice, endpoint };
  throw new Error(`no endpoint for ${pod.metadata.name}`);
}

/** Live changes to a generated cluster, and whether each keeps every node's place and size. */
const steps: [string, boolean, (o: ClusterObjects) => void][] = [
  [
    'a pod and its endpoint go not ready',
    true,
    (o) => {
      setReady(podAt(o, 7), false);
      endpointOf(o, podAt(o, 7)).endpoint.conditions = { ready: false, serving: false, terminating: false };
    },
  ],
  ['another pod goes not ready, its endpoint still ready', true, (o) => setReady(podAt(o, 400), false)],
  [
    'the first pod is ready again',
    true,
    (o) => {
      setReady(podAt(o, 7), true);
      endpointOf(o, podAt(o, 7)).endpoint.conditions = { ready: true, serving: true, terminating: false };
    },
  ],
  [
    "every endpoint of a Service goes not ready (the same edges: a Service without a ready endpoint)",
    true,
    (o) => {
      for (const endpoint of endpointOf(o, podAt(o, 50)).slice.endpoints ?? []) endpoint.conditions = { ready: false, serving: false, terminating: false };
    },
  ],
  ['a node goes NotReady', true, (o) => void (o.nodes[3]!.status!.conditions = [{ type: 'Ready', status: 'False' }])],
  [
    "every endpoint of a Service goes (its endpoint edges go: a Service without endpoints)",
    true,
    (o) => {
      const { slice } = endpointOf(o, podAt(o, 20));
      slice.endpoints = [];
    },
  ],
  ['a pod is deleted (a node goes: measured afresh)', false, (o) => void o.pods.splice(500, 1)],
  ['after it, a pod goes not ready again', true, (o) => setReady(podAt(o, 30), false)],
];

describe('prepare: following a live update that kept every box', () => {
  test('gives what measuring afresh gives, and measures again when a node came or went', () => {
    const objects = generateCluster(1_200);
    let topology: Topology = derive(objects);
    const index = new GraphElementIndex(topology, 'node');
    let positions = new Map(Object.entries(computeLayout(index.list).positions));
    let last = prepare(index.list, positions);
    steps.forEach(([name, isShapeKept, change], i) => {
      change(objects);
      const delta = diff(topology, derive(objects), i + 1);
      topology = applyDelta(topology, delta);
      expect(index.update(topology, delta), name).not.toBeNull();
      // The adapter keeps the positions map while no node moved; else it makes a new one.
      if (!isShapeKept) positions = new Map(Object.entries(computeLayout(index.list).positions));
      const followed = prepare(index.list, positions);
      expect(followed.unitOf === last.unitOf, `${name}: followed rather than measured`).toBe(isShapeKept);
      expect(reading(followed), name).toEqual(reading(prepare(index.list, new Map(positions))));
      // The same list again: the same prepared graph.
      expect(prepare(index.list, positions)).toBe(followed);
      last = followed;
    });
  });

  test('a node whose size changed at the same positions is measured afresh', () => {
    const objects = generateCluster(300);
    const index = new GraphElementIndex(derive(objects), 'node');
    const positions = new Map(Object.entries(computeLayout(index.list).positions));
    const first = prepare(index.list, positions);
    const list = index.list.map((e) => (e.group === 'nodes' && e.data.kind === 'pod' ? { ...e, data: { ...e.data, width: (e.data.width ?? 40) + 10 } } : e));
    const again = prepare(list, positions);
    expect(again.unitOf).not.toBe(first.unitOf);
    expect(reading(again)).toEqual(reading(prepare(list, new Map(positions))));
  });
});
