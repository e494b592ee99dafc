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

/**
 * The last graph prepared at each set of positions. The positions are a new map whenever a node
 * comes, goes, moves or changes size, so a new element list at the same positions is a live
 * update that kept every box: it is followed (`follow`) rather than measured again.
 */
const prepared = new WeakMap<ReadonlyMap<string, Point>, Measured>();

/** A prepared graph with what following it needs. */
interface Measured {
  elements: readonly GraphElement[];
  value: Prepared;
  /** The node elements, in list order. */
  nodes: (GraphElement & { group: 'nodes' })[];
  /** Units by root id. */
  unitByRoot: Map<string, Unit>;
  /** Ready endpoint edges per Service id. */
  readyEndpoints: Map<string, number>;
}


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
  const last = prepared.get(positions);
  if (last?.elements === elements) return last.value;
  const measured = (last && follow(last, elements)) ?? measure(elements, positions);
  prepared.set(positions, measured);
  return measured.value;
}

/** Every box measured and every unit counted, from the elements alone. */
function measure(elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>): Measured {
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
      unit.pods[podState(element)]++;
      if (data.namespace) unit.namespaces.set(data.namespace, (unit.namespaces.get(data.namespace) ?? 0) + 1);
    }
  }
  const readyEndpoints = countEdges(edges, unitOf);
  for (const unit of units) countServices(unit, readyEndpoints);
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
      const namespaces = new Map<string, number>();
      for (const unit of members) addCounts(namespaces, unit.namespaces);
      rows.push({
        id: foldBlockId(rows.length),
        units: members,
        box: members.map((u) => u.box).reduce((a, b) => unionBox(a, b)!),
        ...blockHealth(members),
        namespaces,
        hostWidth: members.reduce((w, u) => w + (u.box.x2 - u.box.x1), 0) / members.length,
      });
    }
  }
  return { elements, value: { total: elements.length, units, rows, unitOf, free, edges }, nodes, unitByRoot, readyEndpoints };
}

/**
 * The prepared graph of `elements`, a live update of `last`'s elements that kept every node in
 * its place, parent, size and label lines: the boxes stay, the changed elements take their
 * predecessors' places and only what they count is counted again. Null when a node came, went
 * or changed shape (the caller measures afresh). `last`'s units are updated in place: it is
 * not used again.
 */
function follow(last: Measured, elements: readonly GraphElement[]): Measured | null {
  const nodes: (GraphElement & { group: 'nodes' })[] = [];
  const edges: (GraphElement & { group: 'edges' })[] = [];
  for (const e of elements) {
    if (e.group === 'nodes') nodes.push(e);
    else edges.push(e as GraphElement & { group: 'edges' });
  }
  if (nodes.length !== last.nodes.length) return null;
  const changed: [GraphElement & { group: 'nodes' }, GraphElement & { group: 'nodes' }][] = [];
  for (let i = 0; i < nodes.length; i++) {
    const was = last.nodes[i]!;
    const now = nodes[i]!;
    if (now === was) continue;
    const [a, b] = [was.data, now.data];
    if (a.id !== b.id || a.parent !== b.parent || a.width !== b.width || a.height !== b.height || labelLinesAbove(a) !== labelLinesAbove(b)) return null;
    changed.push([was, now]);
  }
  const { unitOf, units, rows } = last.value;
  // Edges join the same ends as before, or the edge counts are taken again.
  const isSameEdges = edges.length === last.value.edges.length && edges.every((e, i) => {
    const was = last.value.edges[i]!;
    return e === was || (e.data.id === was.data.id && e.data.source === was.data.source && e.data.target === was.data.target);
  });
  let readyEndpoints = last.readyEndpoints;
  if (isSameEdges) {
    for (let i = 0; i < edges.length; i++) {
      const [was, now] = [last.value.edges[i]!, edges[i]!];
      if (was === now) continue;
      const delta = Number(isReadyEndpoint(now)) - Number(isReadyEndpoint(was));
      if (delta !== 0) readyEndpoints.set(now.data.source, (readyEndpoints.get(now.data.source) ?? 0) + delta);
    }
  } else {
    for (const unit of units) unit.innerEdges = unit.outerEdges = 0;
    readyEndpoints = countEdges(edges, unitOf);
  }

  const free = changed.length > 0 ? [...last.value.free] : last.value.free;
  for (const [was, now] of changed) {
    const owner = unitOf.get(now.data.id);
    if (!owner) {
      const unit = last.unitByRoot.get(now.data.id);
      if (unit) unit.element = now;
      else free[free.indexOf(was)] = now;
      continue;
    }
    const { unit, isContent } = owner;
    const list = isContent ? unit.contents : unit.devices;
    list[list.indexOf(was)] = now;
    if (now.data.kind === 'pod') {
      unit.pods[podState(was)]--;
      unit.pods[podState(now)]++;
    }
  }
  for (const unit of units) {
    if (unit.kind !== 'services') continue;
    unit.services = unit.servicesWithoutEndpoints = 0;
    countServices(unit, readyEndpoints);
  }
  for (const row of rows) Object.assign(row, blockHealth(row.units));
  return { elements, value: { ...last.value, total: elements.length, free, edges }, nodes, unitByRoot: last.unitByRoot, readyEndpoints };
}

/**
 * Each unit's edges inside it and reaching into its contents from outside, counted onto the
 * units; answers the ready endpoint edges per Service.
 */
function countEdges(edges: readonly (GraphElement & { group: 'edges' })[], unitOf: Prepared['unitOf']): Map<string, number> {
  const readyEndpoints = new Map<string, number>();
  for (const edge of edges) {
    const { source, target } = edge.data;
    if (isReadyEndpoint(edge)) readyEndpoints.set(source, (readyEndpoints.get(source) ?? 0) + 1);
    const s = unitOf.get(source);
    const t = unitOf.get(target);
    if (s && t && s.unit === t.unit) s.unit.innerEdges++;
    else if (t?.isContent) t.unit.outerEdges++;
    else if (s?.isContent) s.unit.outerEdges++;
  }
  return readyEndpoints;
}

/** A pod's state as its classes say; a Pending pod is not ready either, and counts as Pending only. */
function podState(pod: GraphElement): keyof PodHealth {
  return pod.classes.includes('pending') ? 'pending' : pod.classes.includes('not-ready') ? 'notReady' : 'ready';
}

const isReadyEndpoint = (edge: GraphElement): boolean => edge.data.kind === 'endpoint' && edge.classes.includes('ready');

/**
 * A Services unit's Services, and those without a ready endpoint pod: the Services' problems,
 * unless no pod is meant to serve them (ExternalName, no selector).
 */
function countServices(unit: Unit, readyEndpoints: ReadonlyMap<string, number>): void {
  if (unit.kind !== 'services') return;
  for (const service of unit.contents) {
    if (service.group !== 'nodes' || service.data.kind !== 'service') continue;
    unit.services++;
    const isServedByPods = !service.classes.includes('type-ExternalName') && !service.classes.includes('no-selector');
    if (isServedByPods && !readyEndpoints.get(service.data.id)) unit.servicesWithoutEndpoints++;
  }
}

function blockHealth(units: readonly Unit[]): { pods: PodHealth; notReadyHosts: number } {
  const pods: PodHealth = { ready: 0, notReady: 0, pending: 0 };
  for (const unit of units) addHealth(pods, unit.pods);
  return { pods, notReadyHosts: units.filter((u) => u.element.classes.includes('not-ready')).length };
}
