import { readFileSync } from 'node:fs';
import cytoscape from 'cytoscape';
import { describe, expect, test, vi } from 'vitest';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import type { ContainerRecord, EndpointRecord, Host, ModelElement, PodRecord, ServiceRecord, Topology, VethRecord } from '../../shared/model/types.ts';
import { filterTopology, namespaceChoices, noFilters } from '../../shared/filter.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { applyDelta, diff } from '../../shared/topology/diff.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { applyTopologyDelta } from '../state/cluster.ts';
import { GraphAdapter } from './adapter.ts';
import { toGraphElements } from './elements.ts';
import { computeLayout, layoutPositions } from './layout.ts';
import type { Box } from './geometry.ts';
import { sampleTopology } from './testing/sample-topology.ts';
import { fallbackTheme } from './theme.ts';

/** What cytoscape holds, in the shape toGraphElements gives, to compare the two. */
function drawn(cy: cytoscape.Core) {
  return new Map(
    cy.elements().map((ele) => [
      ele.id(),
      { parent: ele.isNode() ? (ele.parent().first().id() ?? undefined) : undefined, source: ele.isEdge() ? ele.source().id() : undefined, target: ele.isEdge() ? ele.target().id() : undefined, classes: [...ele.classes()].filter((c) => !c.startsWith('is-')).sort(), label: ele.data('label') as string },
    ]),
  );
}

function expected(topology: Topology) {
  return new Map(
    toGraphElements(topology).map((e) => [
      e.data.id,
      { parent: e.group === 'nodes' ? e.data.parent : undefined, source: e.group === 'edges' ? e.data.source : undefined, target: e.group === 'edges' ? e.data.target : undefined, classes: [...e.classes].sort(), label: e.data.label },
    ]),
  );
}

function headless(): { cy: cytoscape.Core; adapter: GraphAdapter } {
  const cy = cytoscape({ headless: true, styleEnabled: true });
  const adapter = new GraphAdapter(cy);
  // The real stylesheet, so that cytoscape sizes leaves and pads compound boxes as on screen.
  adapter.setTheme(fallbackTheme);
  return { cy, adapter };
}

const positionsOf = (cy: cytoscape.Core) => new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
const boxOf = (cy: cytoscape.Core, id: string): Box => {
  const b = cy.getElementById(id).boundingBox({ includeLabels: false, includeOverlays: false });
  return { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
};
const inside = (inner: Box, outer: Box): boolean => inner.x1 >= outer.x1 && inner.x2 <= outer.x2 && inner.y1 >= outer.y1 && inner.y2 <= outer.y2;
const overlaps = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** A running pod on a host of the sample, with its container, veth and an endpoint of a Service. */
function newPod(topology: Topology, name: string, hostName: string, ip: string, service: string | null): ModelElement[] {
  const uid = `uid-${name}`;
  const container: ContainerRecord = { id: `ctr:${uid}/app`, kind: 'container', pod: `pod:${uid}`, name: 'app', image: 'registry.example/app:1', role: 'app', ports: [], isReady: true };
  const veth: VethRecord = {
    id: `veth:${uid}`,
    kind: 'veth',
    pod: `pod:${uid}`,
    host: `node:${hostName}`,
    podEnd: { name: 'eth0', addresses: [ip] },
    hostEnd: { name: null, provenance: 'unknown', how: 'flannel names host-side veths randomly' },
    bridge: `dev:${hostName}/bridge`,
    hostRoutes: [],
  };
  const template = topology.pods['pod:uid-backend-1']!;
  const pod: PodRecord = { ...template, id: `pod:${uid}`, uid, name, host: `node:${hostName}`, ips: [ip], isReady: true, containers: [container.id], veth: veth.id };
  const added: ModelElement[] = [pod, container, veth];
  if (service) {
    const endpoint: EndpointRecord = { ...topology.endpoints['ep:shop/backend/10.244.1.6']!, id: `ep:${service.slice(4)}/${ip}`, service, address: ip, pod: pod.id, nodeName: hostName };
    added.push(endpoint);
  }
  return added;
}

/** The ids a delta touches, with everything drawn inside them (a pod's containers). */
function touched(before: Topology, after: Topology, delta: TopologyDelta): Set<string> {
  const ids = new Set([...delta.added.map((e) => e.id), ...delta.updated.map((e) => e.id), ...delta.removed]);
  for (const topology of [before, after]) {
    for (const element of toGraphElements(topology)) {
      if (element.group === 'nodes' && element.data.parent && ids.has(element.data.parent)) ids.add(element.data.id);
    }
  }
  return ids;
}

/**
 * Nodes whose position must not change: every node but the touched ones and the compounds that
 * held them before or hold them now (a compound's position is the centre of its children).
 */
function untouchedNodes(cy: cytoscape.Core, before: Topology, after: Topology, ids: Set<string>): string[] {
  const holders = new Set<string>();
  for (const topology of [before, after]) {
    const parentOf = new Map(toGraphElements(topology).flatMap((e) => (e.group === 'nodes' && e.data.parent ? [[e.data.id, e.data.parent] as const] : [])));
    for (const id of ids) for (let p = parentOf.get(id); p; p = parentOf.get(p)) holders.add(p);
  }
  return cy
    .nodes()
    .filter((n) => !ids.has(n.id()) && !holders.has(n.id()))
    .map((n) => n.id());
}

describe('GraphAdapter', () => {
  test('draws every element at its layout position', () => {
    const { cy, adapter } = headless();
    const topology = sampleTopology();
    adapter.setTopology(topology);
    expect(drawn(cy)).toEqual(expected(topology));
    for (const [id, position] of Object.entries(layoutPositions(topology))) expect(cy.getElementById(id).position()).toEqual(position);
  });

  test('a delta that adds, removes and updates pods moves nothing else; the new pod sits in its host box', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before);
    const positions = positionsOf(cy);
    const hostBoxBefore = boxOf(cy, 'node:node-b');
    const frontend2 = before.pods['pod:uid-frontend-2']!;
    const delta: TopologyDelta = {
      seq: 1,
      added: newPod(before, 'cart-1', 'node-b', '10.244.2.8', 'svc:shop/backend'),
      updated: [{ ...frontend2, isReady: false, ips: ['10.244.2.55'] }],
      removed: ['pod:uid-backend-1', 'ctr:uid-backend-1/app', 'veth:uid-backend-1', 'ep:shop/backend/10.244.1.6'],
    };
    const after = applyTopologyDelta(before, delta);
    const batch = vi.spyOn(cy, 'batch');
    const json = vi.spyOn(cy, 'json');
    adapter.setTopology(after);
    // One batch, and the graph is never replaced wholesale.
    expect(batch).toHaveBeenCalledTimes(1);
    expect(json).not.toHaveBeenCalled();

    // The drawing is the new topology's elements, no more and no fewer.
    expect(cy.elements().length).toBe(toGraphElements(after).length);
    expect(drawn(cy)).toEqual(expected(after));
    // Every element the delta did not touch is exactly where it was (compounds included, unless
    // one of their children came or went).
    const ids = touched(before, after, delta);
    const unchanged = untouchedNodes(cy, before, after, ids);
    expect(unchanged.length).toBeGreaterThan(20);
    for (const id of unchanged) expect(cy.getElementById(id).position(), id).toEqual(positions.get(id));
    // The updated pod changed its label, not its place.
    expect(cy.getElementById('pod:uid-frontend-2').data('label')).toContain('10.244.2.55');
    expect(cy.getElementById('ctr:uid-frontend-2/web').position()).toEqual(positions.get('ctr:uid-frontend-2/web'));

    // The new pod took the free cell of node-b's grid: inside the host's box as it already was,
    // clear of every other leaf.
    const pod = boxOf(cy, 'pod:uid-cart-1');
    expect(inside(pod, boxOf(cy, 'node:node-b'))).toBe(true);
    expect(inside(pod, hostBoxBefore)).toBe(true);
    for (const leaf of cy.nodes().filter((n) => n.isChildless() && n.id() !== 'ctr:uid-cart-1/app')) {
      expect(overlaps(boxOf(cy, 'ctr:uid-cart-1/app'), boxOf(cy, leaf.id())), leaf.id()).toBe(false);
    }
    // Its veth comes from node-b's bridge; its endpoint from the Service.
    expect(cy.getElementById('veth:uid-cart-1').source().id()).toBe('dev:node-b/bridge');
    expect(cy.getElementById('ep:shop/backend/10.244.2.8').target().id()).toBe('pod:uid-cart-1');
  });

  test('in a live session a full host grid grows into the room left under it, without touching the bridge', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before, { hasGrowthRoom: true });
    const positions = positionsOf(cy);
    // node-a's grid (frontend-1, backend-1) is full: two columns, one row.
    const delta: TopologyDelta = { seq: 1, added: newPod(before, 'cart-2', 'node-a', '10.244.1.9', null), updated: [], removed: [] };
    const after = applyTopologyDelta(before, delta);
    adapter.setTopology(after);
    expect(cy.elements().length).toBe(toGraphElements(after).length);
    for (const id of untouchedNodes(cy, before, after, touched(before, after, delta))) expect(cy.getElementById(id).position(), id).toEqual(positions.get(id));
    const pod = boxOf(cy, 'pod:uid-cart-2');
    expect(inside(pod, boxOf(cy, 'node:node-a'))).toBe(true);
    expect(pod.y1).toBeGreaterThan(boxOf(cy, 'pod:uid-frontend-1').y2);
    expect(pod.y2).toBeLessThan(boxOf(cy, 'dev:node-a/bridge').y1);
    expect(adapter.needsTidying).toBe(false);
  });

  test('a new host goes right of the others and a new Service joins its namespace box; nothing else moves', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before);
    const positions = positionsOf(cy);
    const hostsRight = Math.max(...['node:node-a', 'node:node-b', 'group:unscheduled'].map((id) => boxOf(cy, id).x2));
    const template = before.hosts['node:node-b']!;
    const host: Host = { ...template, id: 'node:node-c', name: 'node-c', internalIPs: ['172.18.0.9'], externalIPs: [], podCIDRs: ['10.244.3.0/24'], devices: [] };
    const service: ServiceRecord = { ...before.services['svc:shop/backend']!, id: 'svc:shop/cart', name: 'cart', clusterIPs: ['10.96.0.99'] };
    const delta: TopologyDelta = { seq: 1, added: [host, service], updated: [], removed: [] };
    const after = applyTopologyDelta(before, delta);
    adapter.setTopology(after);
    expect(cy.elements().length).toBe(toGraphElements(after).length);
    for (const id of untouchedNodes(cy, before, after, touched(before, after, delta))) expect(cy.getElementById(id).position(), id).toEqual(positions.get(id));
    const hostBox = boxOf(cy, 'node:node-c');
    expect(hostBox.x1).toBeGreaterThan(hostsRight);
    expect(inside(boxOf(cy, 'svc:shop/cart'), boxOf(cy, 'group:services/shop'))).toBe(true);
    for (const leaf of cy.nodes().filter((n) => n.isChildless() && n.id() !== 'svc:shop/cart')) {
      expect(overlaps(boxOf(cy, 'svc:shop/cart'), boxOf(cy, leaf.id())), leaf.id()).toBe(false);
    }
  });

  test('a pod scheduled out of the Unscheduled box moves into its host; removals leave everything else in place', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before);
    const positions = positionsOf(cy);
    const frontendBefore = cy.getElementById('pod:uid-frontend-1');

    const pending = before.pods['pod:uid-report-7f9c']!;
    const veth: VethRecord = {
      id: 'veth:uid-report-7f9c',
      kind: 'veth',
      pod: pending.id,
      host: 'node:node-b',
      podEnd: { name: 'eth0', addresses: ['10.244.2.9'] },
      hostEnd: { name: 'veth0badc0de', provenance: 'observed', how: 'node probe' },
      bridge: 'dev:node-b/bridge',
      hostRoutes: [],
    };
    const scheduled: PodRecord = { ...pending, host: 'node:node-b', ips: ['10.244.2.9'], phase: 'Running', isReady: true, veth: veth.id };
    const readyAgain: PodRecord = { ...before.pods['pod:uid-backend-2']!, isReady: true };
    const delta: TopologyDelta = {
      seq: 1,
      added: [veth],
      updated: [scheduled, readyAgain],
      removed: ['pod:uid-db-0', 'ctr:uid-db-0/app', 'veth:uid-db-0', 'ep:shop/db/10.244.2.7'],
    };
    const after = applyTopologyDelta(before, delta);
    adapter.setTopology(after);
    expect(drawn(cy)).toEqual(expected(after));
    expect(cy.elements().length).toBe(toGraphElements(after).length);
    expect(cy.getElementById('group:unscheduled').empty()).toBe(true);
    expect(cy.getElementById('veth:uid-report-7f9c').source().id()).toBe('dev:node-b/bridge');
    expect(inside(boxOf(cy, 'pod:uid-report-7f9c'), boxOf(cy, 'node:node-b'))).toBe(true);
    for (const id of untouchedNodes(cy, before, after, touched(before, after, delta))) expect(cy.getElementById(id).position(), id).toEqual(positions.get(id));
    expect(cy.getElementById('pod:uid-frontend-1').same(frontendBefore)).toBe(true);
  });

  test('a data-only update changes labels and classes and moves nothing', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before);
    const positions = positionsOf(cy);
    const pod = before.pods['pod:uid-backend-1']!;
    const after = applyTopologyDelta(before, { seq: 1, added: [], updated: [{ ...pod, isReady: false, ips: ['10.244.1.99'] }], removed: [] });
    adapter.setTopology(after);
    expect(drawn(cy)).toEqual(expected(after));
    expect(cy.getElementById(pod.id).hasClass('not-ready')).toBe(true);
    expect(cy.getElementById(pod.id).data('label')).toBe('backend-1\n10.244.1.99');
    for (const node of cy.nodes()) expect(node.position()).toEqual(positions.get(node.id()));
  });

  test('a host that gets its first device is drawn where the empty host stood', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    const empty: Host = { ...before.hosts['node:node-b']!, id: 'node:node-c', name: 'node-c', devices: [] };
    const start = applyTopologyDelta(before, { seq: 1, added: [empty], updated: [], removed: [] });
    adapter.setTopology(start);
    const stood = { ...cy.getElementById('node:node-c').position() };
    const positions = positionsOf(cy);
    const uplink = { ...before.devices['dev:node-b/uplink']!, id: 'dev:node-c/uplink', host: 'node:node-c' };
    const after = applyTopologyDelta(start, { seq: 2, added: [uplink], updated: [{ ...empty, devices: [uplink.id] }], removed: [] });
    adapter.setTopology(after);
    expect(drawn(cy)).toEqual(expected(after));
    expect(cy.getElementById('node:node-c').data('width')).toBeUndefined();
    const centre = cy.getElementById('dev:node-c/uplink').position();
    expect(centre.x).toBeCloseTo(stood.x, 5);
    for (const node of cy.nodes().filter((n) => !n.id().includes('node-c'))) expect(node.position(), node.id()).toEqual(positions.get(node.id()));
  });

  test('relayout() lays everything out afresh', () => {
    const { cy, adapter } = headless();
    const before = sampleTopology();
    adapter.setTopology(before);
    const after = applyTopologyDelta(before, { seq: 1, added: newPod(before, 'cart-3', 'node-a', '10.244.1.10', null), updated: [], removed: ['pod:uid-frontend-1', 'ctr:uid-frontend-1/wait-db', 'ctr:uid-frontend-1/web', 'veth:uid-frontend-1', 'ep:shop/frontend/10.244.1.5'] });
    adapter.setTopology(after);
    adapter.relayout();
    const fresh = computeLayout(toGraphElements(after)).positions;
    for (const [id, position] of Object.entries(fresh)) expect(cy.getElementById(id).position(), id).toEqual(position);
    expect(adapter.needsTidying).toBe(false);
  });

  test('single-pod deltas in a row are placed deterministically, clear of every leaf, until the room runs out', () => {
    const run = (count: number) => {
      const { cy, adapter } = headless();
      let topology = sampleTopology();
      adapter.setTopology(topology, { hasGrowthRoom: true });
      // node-a's grid is full and gets one empty row of two cells; node-b has one free cell too.
      const hosts = ['node-a', 'node-b', 'node-a', 'node-b', 'node-b', 'node-a'];
      for (let i = 0; i < count; i++) {
        const host = hosts[i]!;
        topology = applyTopologyDelta(topology, { seq: i + 1, added: newPod(topology, `scale-${i}`, host, `10.244.${host === 'node-a' ? 1 : 2}.${50 + i}`, null), updated: [], removed: [] });
        adapter.setTopology(topology);
      }
      return { cy, adapter };
    };
    const { cy, adapter } = run(5);
    const leaves = cy.nodes().filter((n) => n.isChildless());
    for (let i = 0; i < leaves.length; i++) {
      for (let j = i + 1; j < leaves.length; j++) expect(overlaps(boxOf(cy, leaves[i]!.id()), boxOf(cy, leaves[j]!.id())), `${leaves[i]!.id()} / ${leaves[j]!.id()}`).toBe(false);
    }
    expect(adapter.needsTidying).toBe(false);
    expect(positionsOf(run(5).cy)).toEqual(positionsOf(cy));
    // A third new pod on node-a has nowhere clear to go: it is placed anyway, and flagged.
    expect(run(6).adapter.needsTidying).toBe(true);
  });

  test('selection highlights the element and its edges, fades the rest, and clears', () => {
    const { cy, adapter } = headless();
    adapter.setTopology(sampleTopology());
    adapter.setSelection('svc:shop/backend');
    expect(cy.getElementById('svc:shop/backend').hasClass('is-selected')).toBe(true);
    expect(cy.getElementById('ep:shop/backend/10.244.1.6').hasClass('is-related')).toBe(true);
    expect(cy.getElementById('pod:uid-backend-1').hasClass('is-related')).toBe(true);
    expect(cy.getElementById('veth:uid-backend-1').hasClass('is-faded')).toBe(true);
    adapter.setSelection(null);
    expect(cy.$('.is-selected, .is-related, .is-faded').length).toBe(0);
  });

  test('centerOn marks what a search found until the selection moves elsewhere', () => {
    const { cy, adapter } = headless();
    adapter.setTopology(sampleTopology());
    expect(adapter.centerOn('pod:nope')).toBe(false);
    expect(adapter.centerOn('pod:uid-backend-1')).toBe(true);
    adapter.setSelection('pod:uid-backend-1');
    expect(cy.$('.is-found').map((e) => e.id())).toEqual(['pod:uid-backend-1']);
    expect(cy.getElementById('pod:uid-backend-1').hasClass('is-selected')).toBe(true);
    adapter.setSelection('svc:shop/backend');
    expect(cy.$('.is-found').length).toBe(0);
  });
});

describe('layouts saved in snapshots', () => {
  test('positions() round-trips through savedLayout: a reopened snapshot is drawn as it was saved', () => {
    const topology = sampleTopology();
    const first = headless();
    first.adapter.setTopology(topology);
    // A layout saved by another version, say: every leaf somewhere else than this layout puts it.
    const saved = Object.fromEntries(Object.entries(first.adapter.positions()!).map(([id, p]) => [id, { x: p.x + 37, y: p.y - 11 }]));
    expect(Object.keys(saved).length).toBeGreaterThan(5);

    const second = headless();
    second.adapter.setTopology(topology, { relayout: true, savedLayout: saved });
    expect(second.adapter.positions()).toEqual(saved);
    second.cy.nodes().forEach((n) => {
      if (n.isChildless()) expect(n.position(), n.id()).toEqual(saved[n.id()]);
    });

    // Without it, the computed layout: not the saved positions.
    const third = headless();
    third.adapter.setTopology(topology, { relayout: true });
    expect(third.adapter.positions()).not.toEqual(saved);
  });

  test('elements the saved layout does not hold are placed, the rest stay where they were saved', () => {
    const topology = sampleTopology();
    const first = headless();
    first.adapter.setTopology(topology);
    const saved = first.adapter.positions()!;
    const [missing] = Object.keys(saved).filter((id) => id.startsWith('svc:'));
    delete saved[missing!];
    const second = headless();
    second.adapter.setTopology(topology, { relayout: true, savedLayout: saved });
    const drawnNow = second.adapter.positions()!;
    expect(drawnNow[missing!]).toBeDefined();
    for (const [id, point] of Object.entries(saved)) expect(drawnNow[id], id).toEqual(point);
  });
});

describe('filters', () => {
  const demo = (() => {
    const url = new URL('../../assets/demo-cluster.podpath.json', import.meta.url);
    const snapshot = parseSnapshot(readFileSync(url, 'utf8'), 'demo-cluster.podpath.json');
    return derive(snapshot.objects, snapshot.source);
  })();

  test('hiding namespaces removes their elements and moves nothing that stays; showing them again restores the picture', () => {
    const { cy, adapter } = headless();
    adapter.setTopology(demo);
    const before = positionsOf(cy);
    const drawnBefore = cy.elements().length;
    const hidden = filterTopology(demo, { ...noFilters, hideSystemNamespaces: true });
    adapter.setTopology(hidden);
    expect(drawn(cy)).toEqual(expected(hidden));
    expect(cy.elements().length).toBeLessThan(drawnBefore);
    for (const node of cy.nodes()) if (node.isChildless()) expect(node.position(), node.id()).toEqual(before.get(node.id()));

    const problems = filterTopology(demo, { ...noFilters, problemsOnly: true });
    adapter.setTopology(problems);
    expect(drawn(cy)).toEqual(expected(problems));
    for (const node of cy.nodes()) if (node.isChildless()) expect(node.position(), node.id()).toEqual(before.get(node.id()));

    adapter.setTopology(demo);
    expect(drawn(cy)).toEqual(expected(demo));
    expect(positionsOf(cy)).toEqual(before);
    expect(adapter.needsTidying).toBe(false);
  });

  test('filters given to the adapter are applied per element, with the same picture as a filtered topology', () => {
    const { cy, adapter } = headless();
    adapter.setTopology(demo);
    const before = positionsOf(cy);
    for (const filters of [{ ...noFilters, hideSystemNamespaces: true }, { ...noFilters, problemsOnly: true }, noFilters]) {
      adapter.setTopology(demo, { filters });
      expect(drawn(cy)).toEqual(expected(filterTopology(demo, filters)));
      for (const node of cy.nodes()) if (node.isChildless()) expect(node.position(), node.id()).toEqual(before.get(node.id()));
    }
    expect(positionsOf(cy)).toEqual(before);
  });

  test('a returning leaf whose place was taken meanwhile is placed anew, clear of the others', () => {
    const { cy, adapter } = headless();
    const sample = sampleTopology();
    adapter.setTopology(sample);
    const pod = Object.values(sample.pods).find((p) => p.host && !p.isHostNetwork && p.containers.length > 0)!;
    const remembered = boxOf(cy, pod.id);
    const without = filterTopology(sample, { ...noFilters, namespaces: namespaceChoices(sample).map((c) => c.name).filter((n) => n !== pod.namespace) });
    adapter.setTopology(without);
    expect(cy.getElementById(pod.id).empty()).toBe(true);
    // A new pod arrives on the same host while the namespace is hidden and takes the first free cell.
    const hostName = sample.hosts[pod.host!]!.name;
    const visible = Object.values(sample.pods).find((p) => p.namespace !== pod.namespace)!.namespace;
    const added: ModelElement[] = newPod(sample, 'intruder', hostName, '10.244.9.9', null).map((e) => (e.kind === 'pod' ? { ...e, namespace: visible } : e));
    const delta: TopologyDelta = { seq: 1, added, updated: [], removed: [] };
    const grown = applyDelta(sample, delta);
    const grownWithout = filterTopology(grown, { ...noFilters, namespaces: namespaceChoices(sample).map((c) => c.name).filter((n) => n !== pod.namespace) });
    adapter.setTopology(grownWithout);
    const intruder = boxOf(cy, 'pod:uid-intruder');
    expect(overlaps(intruder, remembered), 'the newcomer took the hidden pod\'s place').toBe(true);
    adapter.setTopology(grown);
    expect(boxOf(cy, pod.id)).not.toEqual(remembered);
    expect(drawn(cy)).toEqual(expected(grown));
    const leaves = cy.nodes().filter((n) => n.isChildless() && !n.ancestors().some((a) => a.data('kind') === 'pod') && n.data('kind') === 'pod');
    const boxes = leaves.map((n) => ({ id: n.id(), box: boxOf(cy, n.id()) }));
    for (const a of boxes) for (const b of boxes) if (a.id < b.id) expect(overlaps(a.box, b.box), `${a.id} × ${b.id}`).toBe(false);
  });
});

describe('GraphAdapter.zoomBy', () => {
  test('multiplies the zoom, within the limits', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true, minZoom: 0.05, maxZoom: 4 });
    const adapter = new GraphAdapter(cy);
    cy.zoom(1);
    adapter.zoomBy(1.25);
    expect(cy.zoom()).toBeCloseTo(1.25);
    adapter.zoomBy(0.8);
    expect(cy.zoom()).toBeCloseTo(1);
    adapter.zoomBy(100);
    expect(cy.zoom()).toBe(4);
    adapter.zoomBy(0.0001);
    expect(cy.zoom()).toBe(0.05);
    adapter.zoomBy(0);
    expect(cy.zoom()).toBe(0.05);
  });
});

describe('grouping', () => {
  test('by namespace: pods sit in their namespace box, no veth is drawn, and no layout is offered for a snapshot', () => {
    const topology = sampleTopology();
    const { cy, adapter } = headless();
    adapter.setTopology(topology, { grouping: 'namespace' });
    const pod = Object.values(topology.pods).find((p) => p.host !== null && !p.isHostNetwork)!;
    expect(cy.getElementById(pod.id).parent().first().id()).toBe(`group:ns/${pod.namespace}`);
    expect(cy.edges('.veth').length).toBe(0);
    expect(adapter.positions()).toBeUndefined();
    adapter.setTopology(topology, { grouping: 'node', relayout: true });
    expect(cy.getElementById(pod.id).parent().first().id()).toBe(pod.host);
    expect(adapter.positions()).toBeDefined();
  });
});

describe('live deltas on a large graph', () => {
  test('a one-pod delta on a 10,000-pod graph touches a bounded number of drawn elements, in one batch', () => {
    const objects = generateCluster(10_000);
    const topology = derive(objects);
    const { cy, adapter } = headless();
    adapter.setTopology(topology);
    const drawnBefore = cy.elements().length;
    expect(drawnBefore).toBeGreaterThan(100);

    const changed = structuredClone(objects);
    const pod = changed.pods[5_000]!;
    pod.status!.conditions = (pod.status!.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
    for (const status of pod.status!.containerStatuses ?? []) status.ready = false;
    const delta = diff(topology, derive(changed), 1);
    expect(delta.updated.length + delta.added.length + delta.removed.length).toBeGreaterThan(0);

    const touchedIds = new Set<string>();
    cy.on('add remove data move position class', (event) => touchedIds.add((event.target as cytoscape.SingularElementArgument).id()));
    const batch = vi.spyOn(cy, 'batch');
    const toJson = vi.spyOn(JSON, 'stringify');
    adapter.setTopology(applyTopologyDelta(topology, delta));
    expect(batch).toHaveBeenCalledTimes(1);
    // The model's 40,000-odd elements are never compared whole: only what the delta touched,
    // and the folds drawn (made anew by each level of detail), at most twice each.
    expect(toJson.mock.calls.length).toBeLessThan(2 * drawnBefore + 50);
    toJson.mockRestore();
    expect(touchedIds.size).toBeGreaterThan(0);
    expect(touchedIds.size).toBeLessThanOrEqual(8);
    expect(cy.elements().length).toBe(drawnBefore);
  });
});
