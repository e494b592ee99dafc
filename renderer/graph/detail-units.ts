/**
 * The units level of detail folds (detail.ts), measured once per laid-out graph: each host (or
 * the Unscheduled box) and each namespace's Services with its box, contents, the health of what
 * it holds and the edges it would cost to open; and, for thousands of nodes, blocks of hosts.
 */
import type { GraphElement, GraphNodeData, PodHealth } from './element-types.ts';
import { labelBand, type Box, type Point } from './geometry.ts';
import { labelLinesAbove } from './layout.ts';
import { paddingOf } from './placement.ts';

/** A block of hosts folded into one box; its id is also what `expanded` holds to open it. */
export const foldBlockId = (index: number): string => `fold:block/${index}`;
/** Blocks of hosts per side of the whole drawing. */
const blocksPerSide = 8;

/** A compound whose contents fold: a host (or the Unscheduled box), or a namespace's Services. */
export interface Unit {
  id: string;
  kind: 'host' | 'services';
  element: GraphElement & { group: 'nodes' };
  box: Box;
  /** Host: devices and routes nodes; drawn from level 1. */
  devices: GraphElement[];
  /** Host: pods and their containers; Services: the Services. Drawn at the top level. */
  contents: GraphElement[];
  contentsBox: Box | null;
  pods: PodHealth;
  /** Pods per namespace (a node's composition). */
  namespaces: Map<string, number>;
  /** The Services among its contents, and those of them without a ready endpoint pod. */
  services: number;
  servicesWithoutEndpoints: number;
  /** Edges inside the unit (veth edges), counted in its cost. */
  innerEdges: number;
  /** Edges that reach into the unit's contents from outside (endpoint edges). */
  outerEdges: number;
}

/** A block of hosts: a run of hosts from each of a band of the layout's rows. */
export interface Block {
  id: string;
  units: Unit[];
  box: Box;
  pods: PodHealth;
  namespaces: Map<string, number>;
  notReadyHosts: number;
  hostWidth: number;
}

export interface Prepared {
  total: number;
  units: Unit[];
  rows: Block[];
  unitOf: Map<string, { unit: Unit; isContent: boolean }>;
  /** Nodes outside every unit (the Internet, Ingresses). */
  free: GraphElement[];
  edges: (GraphElement & { group: 'edges' })[];
}

const prepared = new WeakMap<readonly GraphElement[], { positions: ReadonlyMap<string, Point>; value: Prepared }>();


export const unionBox = (a: Box | null, b: Box | null): Box | null =>
  !a ? b : !b ? a : { x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1), x2: Math.max(a.x2, b.x2), y2: Math.max(a.y2, b.y2) };
export const intersects = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

export const podCount = (h: PodHealth): number => h.ready + h.notReady + h.pending;
/** Whether a unit holds something wrong: a pod not ready or Pending, a Service no pod serves. */
export const hasProblems = (unit: Unit): boolean => unit.pods.notReady + unit.pods.pending + unit.servicesWithoutEndpoints > 0;

function addHealth(to: PodHealth, from: PodHealth): void {
  to.ready += from.ready;
  to.notReady += from.notReady;
  to.pending += from.pending;
}

function addCounts(to: Map<string, number>, from: ReadonlyMap<string, number>): void {
  for (const [key, n] of from) to.set(key, (to.get(key) ?? 0) + n);
}

export function prepare(elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>): Prepared {
  const cached = prepared.get(elements);
  if (cached && cached.positions === positions) return cached.value;

  const nodes = elements.filter((e): e is GraphElement & { group: 'nodes' } => e.group === 'nodes');
  const edges = elements.filter((e): e is GraphElement & { group: 'edges' } => e.group === 'edges');
  const children = new Map<string, GraphNodeData[]>();
  for (const { data } of nodes) {
    if (!data.parent) continue;
    const list = children.get(data.parent);
    if (list) list.push(data);
    else children.set(data.parent, [data]);
  }
  // Boxes as cytoscape draws them: a leaf's own size about its centre, a compound its children's
  // extents (labels drawn above them included) plus its padding.
  const boxes = new Map<string, Box | null>();
  const boxOf = (node: GraphNodeData): Box | null => {
    const known = boxes.get(node.id);
    if (known !== undefined) return known;
    let box: Box | null = null;
    const kids = children.get(node.id);
    if (kids) {
      for (const kid of kids) box = unionBox(box, extentOf(kid));
      if (box) {
        const p = paddingOf[node.kind] ?? 0;
        box = { x1: box.x1 - p, y1: box.y1 - p, x2: box.x2 + p, y2: box.y2 + p };
      }
    } else {
      const p = positions.get(node.id);
      const w = node.width ?? 40;
      const h = node.height ?? 40;
      if (p) box = { x1: p.x - w / 2, y1: p.y - h / 2, x2: p.x + w / 2, y2: p.y + h / 2 };
    }
    boxes.set(node.id, box);
    return box;
  };
  const extentOf = (node: GraphNodeData): Box | null => {
    const box = boxOf(node);
    const lines = labelLinesAbove(node);
    return box && lines > 0 ? { ...box, y1: box.y1 - labelBand(lines) } : box;
  };

  const units: Unit[] = [];
  const unitOf = new Map<string, { unit: Unit; isContent: boolean }>();
  const free: GraphElement[] = [];
  const byId = new Map(nodes.map((n) => [n.data.id, n]));
  const rootOf = (data: GraphNodeData): GraphNodeData => {
    let current = data;
    while (current.parent) current = byId.get(current.parent)?.data ?? current;
    return current;
  };
  const unitByRoot = new Map<string, Unit>();
  for (const element of nodes) {
    const { data } = element;
    if (data.parent) continue;
    if (data.kind === 'host' || data.kind === 'unscheduled' || data.kind === 'service-group' || data.kind === 'namespace') {
      const box = boxOf(data);
      if (!box || !children.has(data.id)) {
        free.push(element);
        continue;
      }
      const unit: Unit = {
        id: data.id,
        kind: data.kind === 'service-group' || data.kind === 'namespace' ? 'services' : 'host',
        element,
        box,
        devices: [],
        contents: [],
        contentsBox: null,
        pods: { ready: 0, notReady: 0, pending: 0 },
        namespaces: new Map(),
        services: 0,
        servicesWithoutEndpoints: 0,
        innerEdges: 0,
        outerEdges: 0,
      };
      units.push(unit);
      unitByRoot.set(data.id, unit);
    } else {
      free.push(element);
    }
  }
  for (const element of nodes) {
    const { data } = element;
    if (!data.parent) continue;
    const unit = unitByRoot.get(rootOf(data).id);
    if (!unit) continue;
    const isContent = unit.kind === 'services' || data.kind === 'pod' || data.kind === 'container';
    unitOf.set(data.id, { unit, isContent });
    if (!isContent) {
      unit.devices.push(element);
      continue;
    }
    unit.contents.push(element);
    if (data.parent === unit.id) unit.contentsBox = unionBox(unit.contentsBox, extentOf(data));
    if (data.kind === 'pod') {
      // A Pending pod is not ready either: it counts as Pending only.
      if (element.classes.includes('pending')) unit.pods.pending++;
      else if (element.classes.includes('not-ready')) unit.pods.notReady++;
      else unit.pods.ready++;
      if (data.namespace) unit.namespaces.set(data.namespace, (unit.namespaces.get(data.namespace) ?? 0) + 1);
    }
  }
  // Services without a ready endpoint pod are the Services' problems, unless no pod is meant to
  // serve them (ExternalName, no selector).
  const hasReadyEndpoint = new Set<string>();
  for (const edge of edges) {
    const { source, target, kind } = edge.data;
    if (kind === 'endpoint' && edge.classes.includes('ready')) hasReadyEndpoint.add(source);
    const s = unitOf.get(source);
    const t = unitOf.get(target);
    if (s && t && s.unit === t.unit) s.unit.innerEdges++;
    else if (t?.isContent) t.unit.outerEdges++;
    else if (s?.isContent) s.unit.outerEdges++;
  }
  for (const unit of units) {
    if (unit.kind !== 'services') continue;
    for (const service of unit.contents) {
      if (service.group !== 'nodes' || service.data.kind !== 'service') continue;
      unit.services++;
      const isServedByPods = !service.classes.includes('type-ExternalName') && !service.classes.includes('no-selector');
      if (isServedByPods && !hasReadyEndpoint.has(service.data.id)) unit.servicesWithoutEndpoints++;
    }
  }
  const byTop = new Map<number, Unit[]>();
  for (const unit of units) {
    if (unit.kind !== 'host') continue;
    const top = Math.round(unit.box.y1);
    const list = byTop.get(top);
    if (list) list.push(unit);
    else byTop.set(top, [unit]);
  }
  // Blocks of hosts about as tall as wide on screen: the layout's rows of hosts taken a band of
  // rows at a time, each band cut into runs of hosts, so that a fitted view of thousands of
  // nodes is a grid of about blocksPerSide × blocksPerSide labelled boxes.
  const hostRows = [...byTop.entries()].sort(([a], [b]) => a - b).map(([, members]) => members.sort((a, b) => a.box.x1 - b.box.x1));
  const widest = Math.max(0, ...hostRows.map((r) => r.length));
  const rowsPerBlock = Math.max(1, Math.ceil(hostRows.length / blocksPerSide));
  const hostsPerBlock = Math.max(1, Math.ceil(widest / blocksPerSide));
  const rows: Block[] = [];
  for (let r = 0; r < hostRows.length; r += rowsPerBlock) {
    const band = hostRows.slice(r, r + rowsPerBlock);
    for (let c = 0; c < widest; c += hostsPerBlock) {
      const members = band.flatMap((row) => row.slice(c, c + hostsPerBlock));
      if (members.length === 0) continue;
      const pods: PodHealth = { ready: 0, notReady: 0, pending: 0 };
      const namespaces = new Map<string, number>();
      for (const unit of members) {
        addHealth(pods, unit.pods);
        addCounts(namespaces, unit.namespaces);
      }
      rows.push({
        id: foldBlockId(rows.length),
        units: members,
        box: members.map((u) => u.box).reduce((a, b) => unionBox(a, b)!),
        pods,
        namespaces,
        notReadyHosts: members.filter((u) => u.element.classes.includes('not-ready')).length,
        hostWidth: members.reduce((w, u) => w + (u.box.x2 - u.box.x1), 0) / members.length,
      });
    }
  }
  const value: Prepared = { total: elements.length, units, rows, unitOf, free, edges };
  prepared.set(elements, { positions, value });
  return value;
}
