import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Topology } from '../../shared/model/types.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import type { GraphNodeData } from './element-types.ts';
import { toGraphElements } from './elements.ts';
import { vethBusOffset, type Box } from './geometry.ts';
import { computeLayout, layoutPositions, layoutSubtree } from './layout.ts';
import { reversedKeys, sampleTopology } from './testing/sample-topology.ts';

const demoUrl = new URL('../../assets/demo-cluster.podpath.json', import.meta.url);

function demoTopology(): Topology {
  const snapshot = parseSnapshot(readFileSync(demoUrl, 'utf8'), 'demo-cluster.podpath.json');
  return derive(snapshot.objects, snapshot.source);
}

const overlaps = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
const inside = (inner: Box, outer: Box): boolean => inner.x1 >= outer.x1 && inner.x2 <= outer.x2 && inner.y1 >= outer.y1 && inner.y2 <= outer.y2;

function checkLayout(topology: Topology, options: { growthRoom?: boolean } = {}): void {
  const elements = toGraphElements(topology);
  const nodes = elements.filter((e) => e.group === 'nodes').map((e) => e.data as GraphNodeData);
  const parents = new Set(nodes.flatMap((n) => (n.parent ? [n.parent] : [])));
  const leaves = nodes.filter((n) => !parents.has(n.id));
  const { positions, boxes } = computeLayout(elements, options);

  // Every leaf has a position and a box of its own size centred on it; compounds get no position.
  for (const leaf of leaves) {
    const p = positions[leaf.id];
    expect(p, `position of ${leaf.id}`).toBeDefined();
    const box = boxes[leaf.id]!;
    expect(box.x2 - box.x1).toBe(leaf.width);
    expect(box.y2 - box.y1).toBe(leaf.height);
    expect((box.x1 + box.x2) / 2).toBeCloseTo(p!.x, 1);
  }
  for (const id of parents) expect(positions[id], `compound ${id} has no preset position`).toBeUndefined();

  // No two leaves overlap.
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      const a = leaves[i]!;
      const b = leaves[j]!;
      expect(overlaps(boxes[a.id]!, boxes[b.id]!), `${a.id} overlaps ${b.id}`).toBe(false);
    }
  }

  // Every node lies inside its parent's box, and siblings' boxes do not overlap.
  for (const node of nodes) {
    if (node.parent) expect(inside(boxes[node.id]!, boxes[node.parent]!), `${node.id} inside ${node.parent}`).toBe(true);
  }
  const siblings = new Map<string, GraphNodeData[]>();
  for (const node of nodes) siblings.set(node.parent ?? '', [...(siblings.get(node.parent ?? '') ?? []), node]);
  for (const group of siblings.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        expect(overlaps(boxes[group[i]!.id]!, boxes[group[j]!.id]!), `${group[i]!.id} overlaps sibling ${group[j]!.id}`).toBe(false);
      }
    }
  }

  // The veth bus runs up from each bridge to the turn under the top row without crossing a pod.
  for (const host of Object.values(topology.hosts)) {
    const bridge = nodes.find((n) => n.parent === host.id && n.slot === 'bridge');
    if (!bridge) continue;
    const b = boxes[bridge.id]!;
    const x = (b.x1 + b.x2) / 2;
    const pods = nodes.filter((n) => n.parent === host.id && n.slot === 'pod');
    const top = Math.min(b.y1, ...pods.map((p) => boxes[p.id]!.y2 + vethBusOffset));
    for (const pod of pods) {
      expect(overlaps(boxes[pod.id]!, { x1: x - 1, x2: x + 1, y1: top, y2: b.y1 }), `bus of ${host.name} crosses ${pod.id}`).toBe(false);
    }
  }

  // Bands: Ingresses and the Internet above the hosts, Services below.
  const hostBoxes = Object.keys(topology.hosts).map((id) => boxes[id]!);
  if (hostBoxes.length > 0) {
    const hostsTop = Math.min(...hostBoxes.map((b) => b.y1));
    const hostsBottom = Math.max(...hostBoxes.map((b) => b.y2));
    for (const id of Object.keys(topology.services)) expect(boxes[id]!.y1).toBeGreaterThan(hostsBottom);
    for (const id of [...Object.keys(topology.ingresses), 'ext:internet']) expect(boxes[id]!.y2).toBeLessThan(hostsTop);
  }
}

describe('layoutPositions', () => {
  test('sample topology: no overlaps, children inside parents, bands in order', () => checkLayout(sampleTopology()));
  test('routed sample', () => checkLayout(sampleTopology({ routed: true })));
  test('bigger grids and more hosts', () => checkLayout(sampleTopology({ nodes: 5, extraPodsPerNode: 23 })));

  test('deterministic: the same positions for the same input, whatever its key order', () => {
    const first = layoutPositions(sampleTopology({ extraPodsPerNode: 5 }));
    expect(layoutPositions(sampleTopology({ extraPodsPerNode: 5 }))).toEqual(first);
    expect(layoutPositions(reversedKeys(sampleTopology({ extraPodsPerNode: 5 })))).toEqual(first);
  });

  test('hosts side by side, in name order, tops level', () => {
    const { boxes } = computeLayout(toGraphElements(sampleTopology({ nodes: 3 })));
    const [a, b, c] = ['node:node-a', 'node:node-b', 'node:node-c'].map((id) => boxes[id]!);
    expect(a!.x2).toBeLessThan(b!.x1);
    expect(b!.x2).toBeLessThan(c!.x1);
    expect(a!.y1).toBe(b!.y1);
    expect(b!.y1).toBe(c!.y1);
  });

  test('tunnel devices of all hosts line up, so neighbour tunnels run level', () => {
    const positions = layoutPositions(sampleTopology({ nodes: 3, extraPodsPerNode: 4 }));
    const ys = ['node-a', 'node-b', 'node-c'].map((n) => positions[`dev:${n}/tunnel`]!.y);
    expect(new Set(ys).size).toBe(1);
  });

  test('with growth room (live sessions): the same rules hold, and an empty row waits under each pod grid', () => {
    const topology = sampleTopology({ nodes: 3, extraPodsPerNode: 3 });
    checkLayout(topology, { growthRoom: true });
    const elements = toGraphElements(topology);
    const plain = computeLayout(elements).boxes;
    const roomy = computeLayout(elements, { growthRoom: true }).boxes;
    for (const host of ['node-a', 'node-b', 'node-c']) {
      const gridBottom = (boxes: Record<string, Box>) =>
        Math.max(...elements.filter((e) => e.group === 'nodes' && e.data.parent === `node:${host}` && e.data.slot === 'pod').map((e) => boxes[e.data.id]!.y2));
      const gap = (boxes: Record<string, Box>) => boxes[`dev:${host}/bridge`]!.y1 - gridBottom(boxes);
      // At least a one-container pod with its two-line label, and the gap between rows.
      expect(gap(roomy) - gap(plain)).toBeGreaterThanOrEqual(22 + 12 + 32 + 34);
    }
  });

  test('layoutSubtree draws a pod or a namespace of Services as the whole layout does, its box at the origin', () => {
    const elements = toGraphElements(sampleTopology());
    const full = computeLayout(elements).boxes;
    // (A host alone may get another number of pod columns: the whole layout chooses them for the whole picture.)
    for (const root of ['pod:uid-frontend-1', 'group:services/shop']) {
      const ids = new Set([root]);
      for (const e of elements) if (e.group === 'nodes' && e.data.parent && ids.has(e.data.parent)) ids.add(e.data.id);
      const subtree = layoutSubtree(elements.filter((e) => ids.has(e.data.id)), root);
      expect(subtree.box.x1).toBe(0);
      expect(subtree.box.y1).toBe(0);
      const origin = full[root]!;
      for (const id of ids) {
        const b = full[id]!;
        expect(subtree.boxes[id], id).toEqual({ x1: b.x1 - origin.x1, y1: b.y1 - origin.y1, x2: b.x2 - origin.x1, y2: b.y2 - origin.y1 });
      }
      expect(subtree.extent.y1).toBeLessThan(0);
    }
  });

  test('the demo snapshot', () => {
    const topology = demoTopology();
    checkLayout(topology);
    expect(layoutPositions(demoTopology())).toEqual(layoutPositions(topology));
  });

  test('the demo with kube-proxy in IPVS mode: kube-ipvs0 on every node, nothing overlapping', () => {
    const snapshot = parseSnapshot(readFileSync(demoUrl, 'utf8'), 'demo-cluster.podpath.json');
    const proxy = snapshot.objects.configMaps.find((c) => c.metadata.name === 'kube-proxy')!;
    proxy.data = { 'config.conf': 'kind: KubeProxyConfiguration\nmode: ipvs\n' };
    const topology = derive(snapshot.objects, snapshot.source);
    const ipvs = Object.values(topology.devices).filter((d) => d.name === 'kube-ipvs0');
    expect(ipvs.map((d) => d.host).sort()).toEqual(Object.keys(topology.hosts).sort());
    expect(ipvs[0]).toMatchObject({ type: 'dummy', role: 'ipvs', nameProvenance: 'inferred' });
    checkLayout(topology);
  });
});
