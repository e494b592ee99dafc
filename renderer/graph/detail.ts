/**
 * Level of detail (design §9, issue 5): which part of the full graph the canvas draws.
 *
 * The layout places every element of the model (layout.ts, placement.ts); this module only
 * decides what to draw, so folding and unfolding never moves anything. A fold is drawn as one
 * box where its contents would be, the same size:
 *   - a host folded whole (`fold:<host id>`): its box, labelled with its pods' health and
 *     namespaces (fold-health.ts), tinted when any is not ready or Pending;
 *   - a host's pods folded (`fold:pods/<host id>`): one box over its pod grid, the devices drawn;
 *   - a namespace's Services folded (`fold:services/<ns>`): one box over the namespace's box.
 * Edges whose ends are folded are redrawn to the fold that holds them, one edge per pair of ends
 * with a count (`12 endpoints`); edges between two folds are not drawn.
 *
 * What is unfolded: everything, while the whole graph is small; otherwise what the user opened
 * (`expanded`), then the units in view nearest its middle first, as far as the zoom makes their
 * contents big enough to see and the element budget allows. So at the fitted zoom of a large
 * cluster every host is a box with counts, and zooming into any part opens it, in place.
 */
import type { GraphEdgeData, GraphElement, GraphNodeData } from './element-types.ts';
import { labelBand, type Box, type Point } from './geometry.ts';
import { labelLinesAbove } from './layout.ts';
import { hasProblems, intersects, podCount, prepare, type Block, type Prepared, type Unit } from './detail-units.ts';
import { compositionChoices, counted, foldLabel, grouped, healthWords } from './fold-health.ts';

/** Up to this many elements everything is drawn, whatever the zoom. */
export const smallGraph = 2_500;
/** At most this many elements are drawn once folding starts (what keeps a frame in budget). */
export const defaultBudget = 3_000;
/** A host opens (devices drawn, pods folded) when its box is at least this wide on screen. */
const minHostPixels = 120;
/** Pods (and a namespace's Services) open from this zoom: a pod's label is about 4 px high. */
const minContentZoom = 0.35;

export const foldHostId = (host: string): string => `fold:${host}`;
export const foldPodsId = (parent: string): string => `fold:pods/${parent}`;
export const foldServicesId = (group: string): string => `fold:services/${group}`;
/** With more host boxes than this, blocks of hosts whose boxes are too small to read fold too. */
const manyHosts = 400;
/** A block of hosts opens when its hosts are at least this wide on screen. */
const minBlockHostPixels = 40;

export interface DetailView {
  /** The part of the model plane in view; null when there is no view yet (everything counts as in view). */
  viewport: Box | null;
  zoom: number;
  /** Units (host ids, the Unscheduled box, Service group ids) the user opened: drawn open. */
  expanded: ReadonlySet<string>;
  budget?: number;
}

export interface Detail {
  elements: GraphElement[];
  /** Centres of the fold boxes drawn (leaves of the full graph keep their layout positions). */
  foldPositions: Map<string, Point>;
  /** Whether anything is folded. */
  isFolded: boolean;
}

/** What to draw of `elements` (the full graph, parents before children) for this view. */
export function levelOfDetail(elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>, view: DetailView): Detail {
  if (elements.length <= smallGraph) return { elements: [...elements], foldPositions: new Map(), isFolded: false };
  const p = prepare(elements, positions);
  const budget = view.budget ?? defaultBudget;

  const margin = view.viewport ? Math.max(view.viewport.x2 - view.viewport.x1, view.viewport.y2 - view.viewport.y1) * 0.15 : 0;
  const area = view.viewport ? { x1: view.viewport.x1 - margin, y1: view.viewport.y1 - margin, x2: view.viewport.x2 + margin, y2: view.viewport.y2 + margin } : null;

  // -1: in a folded row; 0: folded whole; 1: a host's devices drawn, its pods folded; 2: open.
  const level = new Map<Unit, number>(p.units.map((u) => [u, 0]));
  const foldedRows: Block[] = [];
  if (p.units.length > manyHosts) {
    for (const row of p.rows) {
      const isOpened = view.expanded.has(row.id) || row.units.some((u) => view.expanded.has(u.id));
      const isReadable = row.hostWidth * view.zoom >= minBlockHostPixels && (!area || intersects(row.box, area));
      if (isOpened || isReadable) continue;
      foldedRows.push(row);
      for (const unit of row.units) level.set(unit, -1);
    }
  }
  let count = p.free.length + foldedRows.length + p.units.filter((u) => level.get(u) === 0).length;
  const open = (unit: Unit, to: number): void => {
    const from = level.get(unit)!;
    if (to <= from) return;
    if (unit.kind === 'services') {
      count += unit.contents.length + unit.outerEdges;
    } else {
      if (from === 0) count += unit.devices.length + (podCount(unit.pods) > 0 ? 2 : 0);
      if (to === 2) count += unit.contents.length + unit.innerEdges + unit.outerEdges;
    }
    level.set(unit, to);
  };
  const cost = (unit: Unit, to: number): number => {
    const from = level.get(unit)!;
    if (unit.kind === 'services') return to > from ? unit.contents.length + unit.outerEdges : 0;
    let c = 0;
    if (from === 0 && to >= 1) c += unit.devices.length + (podCount(unit.pods) > 0 ? 2 : 0);
    if (from < 2 && to === 2) c += unit.contents.length + unit.innerEdges + unit.outerEdges;
    return c;
  };

  for (const unit of p.units) if (view.expanded.has(unit.id)) open(unit, 2);
  const centre = view.viewport ? { x: (view.viewport.x1 + view.viewport.x2) / 2, y: (view.viewport.y1 + view.viewport.y2) / 2 } : { x: 0, y: 0 };
  const distance = (b: Box): number => Math.hypot(Math.max(b.x1 - centre.x, 0, centre.x - b.x2), Math.max(b.y1 - centre.y, 0, centre.y - b.y2));
  const inView = p.units.filter((u) => level.get(u)! >= 0 && (!area || intersects(u.box, area))).sort((a, b) => distance(a.box) - distance(b.box) || (a.id < b.id ? -1 : 1));
  // Hosts first (so the datapath shows), then contents, each nearest the middle first.
  for (const unit of inView) {
    if (unit.kind === 'host' && (unit.box.x2 - unit.box.x1) * view.zoom >= minHostPixels && count + cost(unit, 1) <= budget) open(unit, 1);
  }
  if (view.zoom >= minContentZoom) {
    for (const unit of inView) {
      if (unit.kind === 'host' && level.get(unit) === 0) continue;
      if (count + cost(unit, 2) <= budget) open(unit, 2);
    }
  }

  // The same levels as last time (a pan within the same picture): the same drawing.
  const key = `${foldedRows.map((r) => r.id).join(',')}|${p.units.map((u) => level.get(u)).join('')}`;
  const last = lastDetail.get(p);
  if (last && last.key === key) return last.detail;
  const detail = assemble(p, level, foldedRows);
  lastDetail.set(p, { key, detail });
  return detail;
}

/** The last drawing made of each prepared graph, with the levels it was made for. */
const lastDetail = new WeakMap<Prepared, { key: string; detail: Detail }>();

function assemble(p: Prepared, level: ReadonlyMap<Unit, number>, foldedRows: readonly Block[]): Detail {
  // The drawing: free nodes, then each unit at its level (parents before children), then edges.
  const out: GraphElement[] = [...p.free];
  const foldPositions = new Map<string, Point>();
  const centreOf = (b: Box): Point => ({ x: Math.round(((b.x1 + b.x2) / 2) * 100) / 100, y: Math.round(((b.y1 + b.y2) / 2) * 100) / 100 });
  let isFolded = foldedRows.length > 0;
  for (const row of foldedRows) {
    out.push(blockNode(row));
    foldPositions.set(row.id, centreOf(row.box));
  }
  const rowOf = new Map<Unit, Block>();
  for (const row of foldedRows) for (const unit of row.units) rowOf.set(unit, row);
  for (const unit of p.units) {
    const at = level.get(unit)!;
    if (at < 0) continue;
    if (at === 2) {
      out.push(unit.element, ...unit.devices, ...unit.contents);
      continue;
    }
    isFolded = true;
    if (at === 0) {
      const id = unit.kind === 'services' ? foldServicesId(unit.id) : foldHostId(unit.id);
      out.push(foldNode(unit, id, null, unit.box));
      foldPositions.set(id, centreOf(unit.box));
      continue;
    }
    out.push(unit.element, ...unit.devices);
    if (unit.contentsBox) {
      const id = foldPodsId(unit.id);
      out.push(foldNode(unit, id, unit.id, unit.contentsBox));
      foldPositions.set(id, centreOf(unit.contentsBox));
    }
  }

  // Each end of an edge drawn as itself, or as the fold that holds it.
  const drawnAs = (id: string): { id: string; isFold: boolean } => {
    const owner = p.unitOf.get(id);
    if (!owner) return { id, isFold: false };
    const at = level.get(owner.unit)!;
    if (at < 0) return { id: rowOf.get(owner.unit)!.id, isFold: true };
    if (at === 2 || (at === 1 && !owner.isContent)) return { id, isFold: false };
    if (at === 1) return { id: foldPodsId(owner.unit.id), isFold: true };
    return { id: owner.unit.kind === 'services' ? foldServicesId(owner.unit.id) : foldHostId(owner.unit.id), isFold: true };
  };
  const merged = new Map<string, { data: GraphEdgeData; classes: Set<string>; count: number }>();
  for (const edge of p.edges) {
    const source = drawnAs(edge.data.source);
    const target = drawnAs(edge.data.target);
    if (!source.isFold && !target.isFold) {
      out.push(edge);
      continue;
    }
    if (source.id === target.id || (source.isFold && target.isFold)) continue;
    const id = `fold-edge:${edge.data.kind}:${source.id}>${target.id}`;
    const known = merged.get(id);
    if (known) {
      known.count++;
      for (const c of edge.classes) known.classes.add(c);
    } else {
      merged.set(id, { data: { id, kind: edge.data.kind, source: source.id, target: target.id, label: '', model: null }, classes: new Set(edge.classes), count: 1 });
    }
  }
  for (const { data, classes, count: n } of merged.values()) {
    const states = ['ready', 'not-ready', 'terminating'].filter((s) => classes.has(s));
    const kept = [...classes].filter((c) => !['ready', 'not-ready', 'terminating', 'veth-observed', 'veth-inferred', 'veth-unknown', 'pending'].includes(c));
    out.push({ group: 'edges', data: { ...data, label: `${n} ${edgeNoun(data.kind, n)}` }, classes: [...kept, 'folded', ...(states.length === 1 ? states : states.length > 1 ? ['mixed'] : [])] });
  }
  return { elements: out, foldPositions, isFolded };
}

function edgeNoun(kind: GraphEdgeData['kind'], n: number): string {
  const noun = { veth: 'veth', tunnel: 'tunnel', endpoint: 'endpoint', backend: 'backend', exposure: 'exposure' }[kind];
  return n === 1 ? noun : `${noun}s`;
}

function blockNode(row: Block): GraphElement {
  const names = row.units.map((u) => u.element.data.label.split('\n')[0] ?? u.id);
  const nodes = [counted(row.units.length, 'node'), ...(row.notReadyHosts > 0 ? [`${grouped(row.notReadyHosts)} NotReady`] : [])];
  const width = Math.max(1, Math.round(row.box.x2 - row.box.x1));
  const height = Math.max(1, Math.round(row.box.y2 - row.box.y1));
  const hasPods = podCount(row.pods) > 0;
  const text = foldLabel([nodes, ...(hasPods ? [healthWords(row.pods)] : []), [`${names[0]}, …`, `… ${names.at(-1)}`]], compositionChoices(row.namespaces), width, height, hasPods);
  const node: GraphNodeData = { id: row.id, kind: 'fold', label: text.label, model: null, width, height, fontSize: text.fontSize, folds: row.id, ...(hasPods ? { health: row.pods } : {}) };
  const isTroubled = row.notReadyHosts > 0 || row.pods.notReady + row.pods.pending > 0;
  return { group: 'nodes', data: node, classes: ['fold', 'fold-block', ...(isTroubled ? ['has-problems'] : [])] };
}

/**
 * A fold standing for a unit's contents: what it is, and the health of what it holds. Only what
 * the box holds is counted: by namespace a node's pods are drawn in their namespaces' boxes, so
 * its fold says nothing of pods, and a group's own label (which counts its pods) is not repeated.
 */
function foldNode(unit: Unit, id: string, parent: string | null, box: Box): GraphElement {
  const { data } = unit.element;
  const name = (data.label.split('\n')[0] ?? data.id).replace(/ · [\d,]+ pods?$/, '');
  const width = Math.max(1, Math.round(box.x2 - box.x1));
  const height = Math.max(1, Math.round(box.y2 - box.y1));
  const hasPods = podCount(unit.pods) > 0;
  const groups = [[name], ...(hasPods ? [healthWords(unit.pods)] : [])];
  if (unit.services > 0) {
    const without = unit.servicesWithoutEndpoints;
    groups.push([counted(unit.services, 'Service'), ...(without > 0 ? [`${grouped(without)} without ready endpoints`] : [])]);
  }
  // A namespace's Services alone: the strip tells those served by a ready pod from those not.
  const health = hasPods ? unit.pods : unit.services > 0 ? { ready: unit.services - unit.servicesWithoutEndpoints, notReady: unit.servicesWithoutEndpoints, pending: 0 } : null;
  const text = foldLabel(groups, unit.kind === 'host' && hasPods ? compositionChoices(unit.namespaces) : [], width, height, health !== null);
  const node: GraphNodeData = {
    id,
    kind: 'fold',
    label: text.label,
    model: data.model,
    ...(parent ? { parent } : {}),
    ...(data.color ? { color: data.color } : {}),
    width,
    height,
    fontSize: text.fontSize,
    folds: unit.id,
    ...(health ? { health } : {}),
  };
  const classes = ['fold', unit.kind === 'services' ? 'fold-services' : parent ? 'fold-pods' : 'fold-host'];
  if (hasProblems(unit)) classes.push('has-problems');
  if (unit.element.classes.includes('not-ready')) classes.push('not-ready');
  return { group: 'nodes', data: node, classes };
}

/** The unit (host, Unscheduled box or Service group) that is `id` or holds it, if any. */
export function unitHolding(elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>, id: string): string | null {
  if (elements.length <= smallGraph) return null;
  const p = prepare(elements, positions);
  return p.unitOf.get(id)?.unit.id ?? (p.units.some((u) => u.id === id) ? id : null);
}

/**
 * The model box a unit (or a block of hosts: `fold:block/…`) covers when open, the label drawn
 * above it included: where a click on its fold zooms to. Null for what is not folded.
 */
export function unitExtent(elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>, id: string): Box | null {
  if (elements.length <= smallGraph) return null;
  const p = prepare(elements, positions);
  const row = p.rows.find((r) => r.id === id);
  if (row) return row.box;
  const unit = p.units.find((u) => u.id === id);
  if (!unit) return null;
  const lines = labelLinesAbove(unit.element.data);
  return lines > 0 ? { ...unit.box, y1: unit.box.y1 - labelBand(lines) } : unit.box;
}

/**
 * What a click (or the context menu) on a drawn element selects: the element itself, or for a
 * fold the box it stands for (a node, a namespace, a namespace's Services), whose details say
 * what it holds; a block of nodes stands for no one element.
 */
export function selectionFor(data: { id: string; folds?: string; model: string | null }): string | null {
  if (!data.folds) return data.id;
  return data.model ? data.folds : null;
}

/** The ids a unit's fold may be drawn under, innermost first. */
export function foldIdsOf(unit: string): string[] {
  return [foldPodsId(unit), foldHostId(unit), foldServicesId(unit)];
}
