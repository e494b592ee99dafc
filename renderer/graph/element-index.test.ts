import { describe, expect, test } from 'vitest';
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import type { ClusterObjects, Pod } from '../../shared/kube/objects.ts';
import type { Topology } from '../../shared/model/types.ts';
import { derive } from '../../shared/topology/derive.ts';
import { applyDelta, diff } from '../../shared/topology/diff.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { GraphElementIndex } from './element-index.ts';
import { graphElementById } from './element-lookup.ts';
import type { GraphElement, Grouping } from './element-types.ts';
import { toGraphElements } from './elements.ts';
import { sampleObjects } from './testing/sample-topology.ts';

/** Elements as a comparable map: id → the whole element. */
const canonical = (elements: readonly GraphElement[]) => new Map(elements.map((e) => [e.data.id, JSON.stringify(e)]));

const podNamed = (objects: ClusterObjects, name: string): Pod => objects.pods.find((p) => p.metadata.name === name)!;

function setReady(pod: Pod, isReady: boolean): void {
  pod.status!.conditions = [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: isReady ? 'True' : 'False' }];
  for (const status of pod.status!.containerStatuses ?? []) status.ready = isReady;
}

function slicePods(objects: ClusterObjects, service: string, change: (endpoints: NonNullable<ClusterObjects['endpointSlices'][number]['endpoints']>) => void): void {
  const slice = objects.endpointSlices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service)!;
  change(slice.endpoints!);
}

/** Changes to the sample's objects, applied one after another, as a live cluster would make them. */
const steps: [string, (objects: ClusterObjects) => void][] = [
  [
    'a pod and its endpoint go not ready',
    (o) => {
      setReady(podNamed(o, 'backend-1'), false);
      slicePods(o, 'backend', (eps) => (eps[0]!.conditions = { ready: false, serving: false, terminating: false }));
    },
  ],
  [
    'a new pod joins a Service',
    (o) => {
      const pod = structuredClone(podNamed(o, 'backend-1'));
      pod.metadata.name = 'backend-3';
      pod.metadata.uid = 'uid-backend-3';
      pod.status!.podIP = '10.244.1.9';
      pod.status!.podIPs = [{ ip: '10.244.1.9' }];
      setReady(pod, true);
      o.pods.push(pod);
      slicePods(o, 'backend', (eps) =>
        eps.push({ addresses: ['10.244.1.9'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-a', targetRef: { kind: 'Pod', name: 'backend-3', namespace: 'shop', uid: 'uid-backend-3' } }),
      );
    },
  ],
  ['a pod is deleted, its endpoint left behind', (o) => void o.pods.splice(o.pods.indexOf(podNamed(o, 'frontend-1')), 1)],
  [
    'the pending pod is scheduled',
    (o) => {
      const pod = podNamed(o, 'report-7f9c');
      pod.spec.nodeName = 'node-b';
      pod.status = { phase: 'Running', podIP: '10.244.2.40', podIPs: [{ ip: '10.244.2.40' }], hostIP: '172.18.0.3', containerStatuses: [{ name: 'app', ready: true, restartCount: 0 }] };
      setReady(pod, true);
    },
  ],
  ['a node goes NotReady', (o) => void (o.nodes[1]!.status!.conditions = [{ type: 'Ready', status: 'False' }])],
  ['a Service becomes a LoadBalancer without an address', (o) => void (o.services.find((s) => s.metadata.name === 'backend')!.spec.type = 'LoadBalancer')],
  ['the Ingress is deleted', (o) => void (o.ingresses = [])],
  [
    'a NetworkPolicy isolates the backend pods (their boxes are marked)',
    (o) => void o.networkPolicies.push({ metadata: { name: 'backend-in', namespace: 'shop', uid: 'np-uid-backend-in' }, spec: { podSelector: { matchLabels: { app: 'backend' } } } }),
  ],
  ['the NetworkPolicy goes', (o) => void (o.networkPolicies = o.networkPolicies.filter((p) => p.metadata.name !== 'backend-in'))],
  [
    'no LoadBalancer is left: nothing is reached from the Internet, which goes',
    (o) => {
      for (const service of o.services) {
        service.spec.type = 'ClusterIP';
        delete service.status;
      }
    },
  ],
  ['an endpoint slice is deleted', (o) => void (o.endpointSlices = o.endpointSlices.filter((s) => s.metadata.name !== 'db-abcde'))],
  ['a node is deleted: its pods are on a node not shown', (o) => void o.nodes.splice(1, 1)],
  [
    'a node comes back with a new name and a pod',
    (o) => {
      const node = structuredClone(o.nodes[0]!);
      node.metadata.name = 'node-c';
      node.metadata.uid = 'node-uid-c';
      o.nodes.push(node);
      const pod = structuredClone(podNamed(o, 'backend-1'));
      pod.metadata.name = 'backend-9';
      pod.metadata.uid = 'uid-backend-9';
      pod.spec.nodeName = 'node-c';
      o.pods.push(pod);
    },
  ],
  [
    'a pod in a new namespace (the colours change: a new picture)',
    (o) => {
      const pod = structuredClone(podNamed(o, 'backend-1'));
      pod.metadata.name = 'api-1';
      pod.metadata.namespace = 'web';
      pod.metadata.uid = 'uid-api-1';
      o.pods.push(pod);
    },
  ],
];

const filterSets: [string, GraphFilters][] = [
  ['no filters', noFilters],
  ['problems only', { ...noFilters, problemsOnly: true }],
  ['system namespaces hidden', { ...noFilters, hideSystemNamespaces: true }],
  ['one namespace', { ...noFilters, namespaces: ['shop'] }],
  ['no devices', { ...noFilters, kinds: { ...noFilters.kinds, devices: false } }],
  ['no Services', { ...noFilters, kinds: { ...noFilters.kinds, services: false } }],
  ['one node', { ...noFilters, nodes: ['node-a'] }],
  ['a search by name', { ...noFilters, search: 'backend' }],
  ['a search by address range', { ...noFilters, search: '10.244.1.0/24' }],
];

describe('GraphElementIndex: a delta gives the elements a whole build would', () => {
  for (const grouping of ['node', 'namespace'] as Grouping[]) {
    for (const routed of [false, true]) {
      for (const [filterName, filters] of filterSets) {
        test(`by ${grouping}, ${routed ? 'routed' : 'bridge'} CNI, ${filterName}`, () => {
          const objects = sampleObjects({ routed });
          let topology = derive(objects);
          let index = new GraphElementIndex(topology, grouping, filters);
          expect(canonical(index.list)).toEqual(canonical(toGraphElements(topology, grouping, filters)));
          let incremental = 0;
          steps.forEach(([name, change], i) => {
            change(objects);
            const delta = diff(topology, derive(objects), i + 1);
            const next = applyDelta(topology, delta);
            const result = index.update(next, delta);
            if (result) incremental++;
            else index = new GraphElementIndex(next, grouping, filters);
            topology = next;
            const whole = toGraphElements(next, grouping, filters);
            expect(canonical(index.list), name).toEqual(canonical(whole));
            // Parents and edge ends are drawn before what hangs from them can be added.
            const ids = new Set(index.list.map((e) => e.data.id));
            for (const e of index.list) {
              if (e.group === 'nodes' && e.data.parent) expect(ids, `${name}: parent of ${e.data.id}`).toContain(e.data.parent);
              if (e.group === 'edges') expect(ids.has(e.data.source) && ids.has(e.data.target), `${name}: ends of ${e.data.id}`).toBe(true);
            }
          });
          // Only the new namespace called for a whole new picture.
          expect(incremental).toBe(steps.length - 1);
          expect(index.byId.has('ext:internet')).toBe(false);
        });
      }
    }
  }

  test('a pod removed before its EndpointSlice changes (two watches, two deltas) takes its endpoint edges with it', () => {
    for (const grouping of ['node', 'namespace'] as Grouping[]) {
      const topology = derive(sampleObjects());
      const index = new GraphElementIndex(topology, grouping);
      const pod = Object.values(topology.pods).find((p) => p.name === 'backend-1')!;
      const delta = { seq: 1, added: [], updated: [], removed: [pod.id, ...pod.containers, ...(pod.veth ? [pod.veth] : [])] };
      const next = applyDelta(topology, delta);
      expect(Object.values(next.endpoints).some((e) => e.pod === pod.id)).toBe(true);
      expect(index.update(next, delta)).not.toBeNull();
      expect(canonical(index.list)).toEqual(canonical(toGraphElements(next, grouping)));
    }
  });

  test('an element no change touched keeps its identity; a changed one is a new object', () => {
    const objects = sampleObjects();
    const topology = derive(objects);
    const index = new GraphElementIndex(topology, 'node');
    const before = new Map(index.byId);
    setReady(podNamed(objects, 'db-0'), false);
    const delta = diff(topology, derive(objects), 1);
    const changed = index.update(applyDelta(topology, delta), delta)!;
    expect(changed.updated.map((e) => e.data.id).sort()).toEqual(['ctr:uid-db-0/app', 'pod:uid-db-0']);
    expect(changed.added).toEqual([]);
    expect(changed.removed).toEqual([]);
    for (const [id, element] of index.byId) {
      if (id === 'pod:uid-db-0' || id === 'ctr:uid-db-0/app') expect(element).not.toBe(before.get(id));
      else expect(element, id).toBe(before.get(id));
    }
  });
});

describe('GraphElementIndex on 10,000 pods', () => {
  const objects = generateCluster(10_000);
  const topology: Topology = derive(objects);
  const index = new GraphElementIndex(topology, 'node');
  const total = index.list.length;

  test('a pod going not ready changes a bounded handful of elements, not the graph', () => {
    const pod = objects.pods[4_321]!;
    const changed = structuredClone(objects);
    const copy = changed.pods[4_321]!;
    copy.status!.conditions = (copy.status!.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
    for (const status of copy.status!.containerStatuses ?? []) status.ready = false;
    const delta = diff(topology, derive(changed), 1);
    expect(delta.updated.map((e) => e.id)).toContain(`pod:${pod.metadata.uid}`);
    const result = index.update(applyDelta(topology, delta), delta)!;
    const touched = result.added.length + result.updated.length + result.removed.length;
    expect(total).toBeGreaterThan(40_000);
    expect(touched).toBeGreaterThan(0);
    expect(touched).toBeLessThanOrEqual(6);
    expect(result.updated.map((e) => e.data.id)).toContain(`pod:${pod.metadata.uid}`);
  });
});

describe('graphElementById', () => {
  test('builds from its owner alone the very element the whole picture draws, and null for what it does not draw', () => {
    for (const routed of [false, true]) {
      const topology = derive(sampleObjects({ routed }));
      for (const grouping of ['node', 'namespace'] as Grouping[]) {
        for (const [name, filters] of filterSets) {
          const whole = toGraphElements(topology, grouping, filters);
          for (const element of whole) expect(graphElementById(topology, grouping, element.data.id, filters), `${name}: ${element.data.id}`).toEqual(element);
          const drawn = new Set(whole.map((e) => e.data.id));
          const everything = toGraphElements(topology, grouping).map((e) => e.data.id);
          for (const id of everything.filter((i) => !drawn.has(i))) expect(graphElementById(topology, grouping, id, filters), `${name}: ${id}`).toBeNull();
        }
      }
    }
  });
});
