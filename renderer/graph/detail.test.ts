import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import type { ClusterObjects } from '../../shared/kube/objects.ts';
import type { PodRecord } from '../../shared/model/types.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { generateTroubledCluster } from '../../test/fixtures/troubled.ts';
import { defaultBudget, foldHostId, foldPodsId, foldServicesId, levelOfDetail, selectionFor, smallGraph, unitHolding } from './detail.ts';
import type { GraphElement, Grouping } from './element-types.ts';
import { toGraphElements } from './elements.ts';
import { computeLayout } from './layout.ts';
import type { Box, Point } from './geometry.ts';

function graph(cluster: number | ClusterObjects) {
  const elements = toGraphElements(derive(typeof cluster === 'number' ? generateCluster(cluster) : cluster));
  const layout = computeLayout(elements);
  return { elements, positions: new Map(Object.entries(layout.positions)), boxes: layout.boxes };
}

const ids = (elements: GraphElement[]) => new Set(elements.map((e) => e.data.id));
const whole = (boxes: Record<string, Box>): Box => {
  const all = Object.values(boxes);
  return { x1: Math.min(...all.map((b) => b.x1)), y1: Math.min(...all.map((b) => b.y1)), x2: Math.max(...all.map((b) => b.x2)), y2: Math.max(...all.map((b) => b.y2)) };
};
const around = (p: Point, half: number): Box => ({ x1: p.x - half, y1: p.y - half, x2: p.x + half, y2: p.y + half });

describe('levelOfDetail', () => {
  test('a small graph is drawn whole at any zoom', () => {
    const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'), 'demo');
    const elements = toGraphElements(derive(snapshot.objects, snapshot.source));
    expect(elements.length).toBeLessThanOrEqual(smallGraph);
    const detail = levelOfDetail(elements, new Map(), { viewport: null, zoom: 0.01, expanded: new Set() });
    expect(detail.isFolded).toBe(false);
    expect(detail.elements).toEqual(elements);
  });

  const big = graph(1_000);
  const hosts = big.elements.filter((e) => e.group === 'nodes' && e.data.kind === 'host').map((e) => e.data.id);
  const first = hosts[0]!;

  test('fitted on a large cluster: every host and Service group folded into a box of its own size, within budget', () => {
    expect(big.elements.length).toBeGreaterThan(smallGraph);
    const detail = levelOfDetail(big.elements, big.positions, { viewport: whole(big.boxes), zoom: 0.05, expanded: new Set() });
    expect(detail.isFolded).toBe(true);
    expect(detail.elements.length).toBeLessThanOrEqual(defaultBudget);
    const drawn = ids(detail.elements);
    for (const host of hosts) {
      expect(drawn.has(host)).toBe(false);
      const fold = detail.elements.find((e) => e.data.id === foldHostId(host))!;
      expect(fold.group).toBe('nodes');
      const box = big.boxes[host]!;
      // Where the open host would be, the same size: folding moves nothing.
      expect(detail.foldPositions.get(foldHostId(host))).toEqual({ x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 });
      if (fold.group === 'nodes') {
        expect(fold.data.width).toBe(Math.round(box.x2 - box.x1));
        expect(fold.data.label).toMatch(/\d+ pods/);
      }
    }
    expect(drawn.has(foldServicesId('group:services/team-0'))).toBe(true);
    // Edges between two folds are not drawn; nothing is drawn that the full graph or a fold does not hold.
    const full = ids(big.elements);
    for (const e of detail.elements) expect(full.has(e.data.id) || e.data.id.startsWith('fold')).toBe(true);
    expect(detail.elements.some((e) => e.group === 'edges' && e.data.id.startsWith('fold-edge:') && e.data.source.startsWith('fold') && e.data.target.startsWith('fold'))).toBe(false);
  });

  test('zoomed into one host, it opens in place (its pods at their layout positions); far hosts stay folded', () => {
    const box = big.boxes[first]!;
    const centre = { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 };
    const detail = levelOfDetail(big.elements, big.positions, { viewport: around(centre, 400), zoom: 1, expanded: new Set() });
    const drawn = ids(detail.elements);
    const pods = big.elements.filter((e) => e.group === 'nodes' && e.data.kind === 'pod' && e.data.parent === first);
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) expect(drawn.has(pod.data.id)).toBe(true);
    expect(drawn.has(first)).toBe(true);
    expect(drawn.has(foldHostId(hosts.at(-1)!))).toBe(true);
    expect(detail.elements.length).toBeLessThanOrEqual(defaultBudget);
  });

  test('between the two: a host whose box is big enough on screen shows its devices, its pods folded over their grid', () => {
    const box = big.boxes[first]!;
    const centre = { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 };
    const detail = levelOfDetail(big.elements, big.positions, { viewport: around(centre, 3000), zoom: 0.2, expanded: new Set() });
    const drawn = ids(detail.elements);
    expect(drawn.has(first)).toBe(true);
    expect(drawn.has(`dev:${first.slice('node:'.length)}/bridge`)).toBe(true);
    expect(drawn.has(foldPodsId(first))).toBe(true);
    // Veth edges to the folded pods become one edge with their count.
    const veths = big.elements.filter((e) => e.group === 'edges' && e.data.kind === 'veth' && big.elements.some((p) => p.data.id === e.data.target && p.group === 'nodes' && p.data.parent === first));
    const merged = detail.elements.find((e) => e.group === 'edges' && e.data.kind === 'veth' && e.data.target === foldPodsId(first));
    expect(merged?.data.label).toBe(`${veths.length} veths`);
  });

  test('what the user opened stays open wherever the view is; unitHolding names the fold to open for any pod', () => {
    const pod = big.elements.find((e) => e.group === 'nodes' && e.data.kind === 'pod' && e.data.parent === first)!;
    expect(unitHolding(big.elements, big.positions, pod.data.id)).toBe(first);
    expect(unitHolding(big.elements, big.positions, first)).toBe(first);
    const detail = levelOfDetail(big.elements, big.positions, { viewport: whole(big.boxes), zoom: 0.05, expanded: new Set([first]) });
    expect(ids(detail.elements).has(pod.data.id)).toBe(true);
    expect(ids(detail.elements).has(foldHostId(hosts[1]!))).toBe(true);
  });
});

describe('levelOfDetail on thousands of nodes', () => {
  const huge = graph(13_500);
  const hostCount = huge.elements.filter((e) => e.group === 'nodes' && e.data.kind === 'host').length;

  test('fitted: blocks of hosts fold into one box each, labelled with their counts and first and last node, within budget', () => {
    expect(hostCount).toBeGreaterThan(400);
    const detail = levelOfDetail(huge.elements, huge.positions, { viewport: whole(huge.boxes), zoom: 0.01, expanded: new Set() });
    const rows = detail.elements.filter((e) => e.data.id.startsWith('fold:block/'));
    expect(rows.length).toBeGreaterThan(8);
    expect(rows.length).toBeLessThanOrEqual(64);
    expect(detail.elements.length).toBeLessThanOrEqual(defaultBudget);
    const first = rows[0]!;
    expect(first.data.label).toMatch(/^\d+ nodes\n[\d,]+ pods\nnode-0, …\n… node-\d+$/);
    // Every host is in exactly one drawn row, and no host is drawn besides.
    const drawn = ids(detail.elements);
    for (const e of huge.elements) if (e.group === 'nodes' && e.data.kind === 'host') expect(drawn.has(e.data.id) || drawn.has(foldHostId(e.data.id))).toBe(false);
  });

  test('zoomed in on a block, its hosts are drawn; a block opened by a click stays open when fitted again', () => {
    const hostBox = huge.boxes['node:node-0']!;
    const detail = levelOfDetail(huge.elements, huge.positions, { viewport: around({ x: hostBox.x1, y: hostBox.y1 }, 3000), zoom: 0.1, expanded: new Set() });
    expect(ids(detail.elements).has(foldHostId('node:node-0')) || ids(detail.elements).has('node:node-0')).toBe(true);
    const fitted = levelOfDetail(huge.elements, huge.positions, { viewport: whole(huge.boxes), zoom: 0.01, expanded: new Set(['fold:block/0']) });
    expect(ids(fitted.elements).has('fold:block/0')).toBe(false);
    expect(ids(fitted.elements).has(foldHostId('node:node-0'))).toBe(true);
  });
});

describe('what a fold says', () => {
  const { objects, notReady, pending } = generateTroubledCluster(2_000);
  const topology = derive(objects);
  const laidOut = (grouping: Grouping) => {
    const elements = toGraphElements(topology, grouping);
    const layout = computeLayout(elements);
    return { elements, positions: new Map(Object.entries(layout.positions)), boxes: layout.boxes };
  };
  const foldsOf = (g: ReturnType<typeof laidOut>) =>
    levelOfDetail(g.elements, g.positions, { viewport: whole(g.boxes), zoom: 0.05, expanded: new Set() }).elements.filter(
      (e): e is GraphElement & { group: 'nodes' } => e.group === 'nodes' && e.data.kind === 'fold',
    );
  const byNode = foldsOf(laidOut('node'));
  const byNamespace = foldsOf(laidOut('namespace'));
  const healthOf = (pods: PodRecord[]) => ({
    ready: pods.filter((p) => !notReady.has(p.uid) && !pending.has(p.uid)).length,
    notReady: pods.filter((p) => notReady.has(p.uid)).length,
    pending: pods.filter((p) => pending.has(p.uid)).length,
  });

  test('by node, a node’s fold counts its pods ready, not ready and Pending, names its busiest namespaces, and is tinted when any is not ready', () => {
    expect(notReady.size).toBeGreaterThan(0);
    expect(pending.size).toBeGreaterThan(0);
    const hostFolds = byNode.filter((f) => f.classes.includes('fold-host'));
    expect(hostFolds.length).toBe(Object.keys(topology.hosts).length);
    for (const fold of hostFolds) {
      const pods = Object.values(topology.pods).filter((p) => p.host === fold.data.folds);
      const health = healthOf(pods);
      expect(fold.data.health).toEqual(health);
      const lines = fold.data.label.split('\n');
      expect(lines).toContain(`${pods.length} pods`);
      if (health.notReady > 0) expect(lines).toContain(`${health.notReady} not ready`);
      if (health.pending > 0) expect(lines).toContain(`${health.pending} pending`);
      expect(fold.classes.includes('has-problems')).toBe(health.notReady + health.pending > 0);
      // Its busiest namespace, with the number of its pods there.
      const perNamespace = new Map<string, number>();
      for (const pod of pods) perNamespace.set(pod.namespace, (perNamespace.get(pod.namespace) ?? 0) + 1);
      const [busiest, n] = [...perNamespace].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]!;
      expect(lines).toContain(`${busiest} ${n}`);
    }
    expect(byNode.filter((f) => f.classes.includes('has-problems')).length).toBeGreaterThan(0);
  });

  test('by namespace, a namespace’s fold counts its pods by state and its Services; a node’s fold, holding none of the pods, counts no pods', () => {
    for (const fold of byNamespace) {
      expect(fold.data.label).not.toMatch(/(^|\n)0 pods/);
      if (!fold.classes.includes('fold-services')) {
        expect(fold.data.label).not.toMatch(/pods?\b/);
        continue;
      }
      const namespace = fold.data.folds!.slice('group:ns/'.length);
      const health = healthOf(Object.values(topology.pods).filter((p) => p.namespace === namespace));
      expect(fold.data.health).toEqual(health);
      expect(fold.data.label.split('\n')).toContain(`${health.ready + health.notReady + health.pending} pods`);
      expect(fold.data.label).toContain(`${Object.values(topology.services).filter((s) => s.namespace === namespace).length} Services`);
    }
    expect(byNamespace.filter((f) => f.classes.includes('fold-services'))).toHaveLength(Object.keys(topology.namespaces).length);
  });

  test('no fold says the same count twice (a group’s own label counts its pods already)', () => {
    for (const fold of [...byNode, ...byNamespace]) {
      expect(fold.data.label.match(/[\d,]+ pods?\b/g)?.length ?? 0, fold.data.label).toBeLessThanOrEqual(1);
      const lines = fold.data.label.split('\n');
      expect(new Set(lines).size, fold.data.label).toBe(lines.length);
    }
  });

  test('a namespace’s Services fold is tinted for a Service no ready pod serves, not for one whose endpoints are kept by hand', () => {
    const cluster = generateCluster(1_000);
    const service = (name: string, namespace: string, selector?: Record<string, string>) => ({
      metadata: { name, namespace, uid: `svc-${name}` },
      spec: { clusterIP: `10.97.0.${cluster.services.length}`, ports: [{ port: 80 }], ...(selector ? { selector } : {}) },
    });
    cluster.services.push(service('external-db', 'team-0'), service('nobody', 'team-1', { app: 'nobody' }));
    const g = graph(cluster);
    const folds = levelOfDetail(g.elements, g.positions, { viewport: whole(g.boxes), zoom: 0.05, expanded: new Set() }).elements;
    const team0 = folds.find((e) => e.data.id === foldServicesId('group:services/team-0'))!;
    const team1 = folds.find((e) => e.data.id === foldServicesId('group:services/team-1'))!;
    expect(team0.classes).not.toContain('has-problems');
    expect(team1.classes).toContain('has-problems');
    expect(team1.data.label).toContain('1 without ready endpoints');
  });
});

describe('selectionFor: what a click on a drawn element selects', () => {
  test('an element selects itself; a fold selects the box it stands for, whose details say what it holds', () => {
    expect(selectionFor({ id: 'pod:uid-1', model: 'pod:uid-1' })).toBe('pod:uid-1');
    expect(selectionFor({ id: 'fold:node:node-3', folds: 'node:node-3', model: 'node:node-3' })).toBe('node:node-3');
    // A namespace's fold stands for the namespace's box (drawn, with details), not its model id
    // `ns:team-0`, which no graph element is.
    expect(selectionFor({ id: 'fold:group:ns/team-0', folds: 'group:ns/team-0', model: 'ns:team-0' })).toBe('group:ns/team-0');
    // A block of nodes stands for no one element.
    expect(selectionFor({ id: 'fold-block:2', folds: 'fold-block:2', model: null })).toBeNull();
  });
});
