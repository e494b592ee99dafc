/**
 * A deterministic preset layout (design §9: no force layouts). Pure: the same topology always
 * gives the same positions, so a snapshot reopens exactly as it was drawn.
 *
 *                 Internet ──▶ ingress   ingress
 *   node-a label                 node-b label
 *   ┌──────────────────────┐     ┌──────────────────────┐    ┌ Unscheduled ┐
 *   │       uplink         │     │       uplink         │    │ pod  pod    │
 *   │ hostNetwork pods     │     │ hostNetwork pods     │    └─────────────┘
 *   │ pod  pod  ║ pod  pod │     │   pod  ║  pod        │
 *   │ pod  pod  ║          │     │        ║             │
 *   │       [ bridge ]     │     │    [ bridge ]        │
 *   │       [ tunnel ]─────┼─────┼────[ tunnel ]        │
 *   └──────────────────────┘     └──────────────────────┘
 *        Services · ns-a          Services · ns-b
 *
 * Pods sit in a grid with an even number of columns so that the bridge, centred under the grid,
 * lines up with the middle gutter: the veth edges run up that gutter as a bus and turn along the
 * gap under each row (taxi edges), never across a pod. The bridge and tunnel rows are level
 * across hosts, so tunnel edges between neighbours run straight.
 *
 * Only leaves get positions: cytoscape sizes a compound box from its children plus padding, and
 * the boxes computed here (returned by `computeLayout` for tests) follow the same rule.
 */
import type { Topology } from '../../shared/model/types.ts';
import type { GraphElement, GraphNodeData, HostSlot } from './element-types.ts';
import { toGraphElements } from './elements.ts';
import { gaps, labelBand, leafSizes, padding, vethBusOffset, type Box, type Point } from './geometry.ts';
import { column, compound, flow, grid, height, labelled, leaf, materialize, move, round, row, rowByBoxTop, shift, union, width, type Block } from './layout-blocks.ts';

export interface LayoutOptions {
  /**
   * Leave an empty row under each host's pod grid (and room for one where a host has no pods
   * yet), so that a live session's new pods have somewhere to go without moving anything.
   */
  growthRoom?: boolean;
}

export interface GraphLayout {
  /** Centre of every leaf node. */
  positions: Record<string, Point>;
  /** The box of every node, compound or leaf, without its outside label. */
  boxes: Record<string, Box>;
}

/** Lines in the label drawn above each kind of compound box. */
const podLabelLines = 2;
const groupLabelLines = 1;
/** What a pod with one container takes in a grid, its label included. */
const onePodHeight = leafSizes.container.height + 2 * padding.pod + labelBand(podLabelLines);

/** Lines of the label drawn above a node's box (0 for nodes labelled inside). */
export function labelLinesAbove(node: GraphNodeData): number {
  switch (node.kind) {
    case 'host':
      return node.label.split('\n').length;
    case 'pod':
      return podLabelLines;
    case 'unscheduled':
    case 'service-group':
    case 'namespace':
      return groupLabelLines;
    default:
      return 0;
  }
}

export function layoutPositions(topology: Topology): Record<string, Point> {
  return computeLayout(toGraphElements(topology)).positions;
}

/** The shape of screen the whole graph should fill best: a laptop window minus the side panel. */
const targetAspect = 1.4;

/**
 * Lays out the elements. The free choices — how many columns of pods a host gets, and how wide
 * the band of Services may grow relative to the hosts — are made by trying each and keeping the
 * one whose whole drawing fits `targetAspect` at the largest zoom (ties: the first tried).
 */
export function computeLayout(elements: readonly GraphElement[], options: LayoutOptions = {}): GraphLayout {
  const podCounts = countPodsPerHost(elements);
  const mostPods = Math.max(0, ...podCounts);
  const hostCount = elements.reduce((n, e) => n + (e.group === 'nodes' && e.data.kind === 'host' ? 1 : 0), 0);
  const isLarge = elements.length > largeGraph;
  let columnChoices: number[] = [];
  if (isLarge) {
    // One pass costs ~0.5 s at 150k pods: take the even column count that makes the biggest
    // host's grid about square (a pod's cell is about twice as wide as tall).
    columnChoices = [Math.max(2, 2 * Math.round(Math.sqrt(mostPods / 2) / 2 + 0.25))];
  } else {
    for (let c = 2; c <= Math.max(2, mostPods + (mostPods % 2)) && columnChoices.length < 16; c += 2) columnChoices.push(c);
  }
  // One row of hosts, or rows of about √n, 2√n or 4√n hosts (the widest drawings that still
  // fill a landscape screen once the pods in each host make it tall).
  const rowChoices = [...new Set([hostCount, ...[1, 2, 4].map((r) => Math.ceil(Math.sqrt(hostCount) * r))].filter((k) => k >= 1 && k <= hostCount))];
  if (rowChoices.length === 0) rowChoices.push(1);
  let best: { layout: () => GraphLayout; score: number } | null = null;
  const graph = graphOf(elements);
  const podBlocks = new Map<string, Block>();
  for (const columns of columnChoices) {
    // What depends on the column count alone is built once for every arrangement tried with it.
    const sections = hostSections(graph, columns, podBlocks);
    for (const serviceBandWidth of isLarge ? [1] : [1, 1.5, 2, 3, 4]) {
      for (const hostsPerRow of rowChoices) {
        const { layout, extent } = layoutWith(graph, sections, columns, serviceBandWidth, hostsPerRow, options.growthRoom ?? false);
        const w = Math.max(1, extent.x2 - extent.x1);
        const h = Math.max(1, extent.y2 - extent.y1);
        const score = Math.min(targetAspect / w, 1 / h);
        if (!best || score > best.score * 1.0001) best = { layout, score };
      }
    }
  }
  return best!.layout();
}

/** Above this many elements the layout tries one arrangement of each host instead of many. */
const largeGraph = 20_000;

function countPodsPerHost(elements: readonly GraphElement[]): number[] {
  const counts = new Map<string, number>();
  for (const e of elements) {
    if (e.group === 'nodes' && e.data.kind === 'pod' && e.data.slot === 'pod' && e.data.parent) counts.set(e.data.parent, (counts.get(e.data.parent) ?? 0) + 1);
  }
  return [...counts.values()];
}

/** The node elements, their children by parent and the roots: the same for every candidate. */
interface Graph {
  nodes: GraphNodeData[];
  children: Map<string, GraphNodeData[]>;
  childrenOf(id: string): GraphNodeData[];
  roots: GraphNodeData[];
  hosts: GraphNodeData[];
}

function graphOf(elements: readonly GraphElement[]): Graph {
  const nodes: GraphNodeData[] = [];
  const children = new Map<string, GraphNodeData[]>();
  for (const element of elements) {
    if (element.group !== 'nodes') continue;
    nodes.push(element.data);
    if (element.data.parent) {
      const list = children.get(element.data.parent);
      if (list) list.push(element.data);
      else children.set(element.data.parent, [element.data]);
    }
  }
  const roots = nodes.filter((n) => !n.parent);
  return { nodes, children, childrenOf: (id) => children.get(id) ?? [], roots, hosts: roots.filter((n) => n.kind === 'host') };
}

const sectionOrder: HostSlot[] = ['uplink', 'hostnet', 'pod', 'bridge', 'tunnel'];

/** Each host's sections by slot, and the pod blocks they are made of, for `maxColumns` columns of pods. */
interface Sections {
  byHost: Map<HostSlot, Block>[];
  podBlock(pod: GraphNodeData): Block;
}

/** `podBlocks` caches pod blocks, which do not depend on the choices. */
function hostSections(graph: Graph, maxColumns: number, podBlocks: Map<string, Block>): Sections {
  const { childrenOf } = graph;
  const podBlock = (pod: GraphNodeData): Block => {
    let block = podBlocks.get(pod.id);
    if (!block) {
      const containers = childrenOf(pod.id);
      block = containers.length === 0 ? labelled(leaf(pod), podLabelLines) : compound(pod.id, column(containers.map(leaf), gaps.container), padding.pod, podLabelLines);
      podBlocks.set(pod.id, block);
    }
    return block;
  };
  const byHost = graph.hosts.map((host) => {
    const bySlot = new Map<HostSlot, GraphNodeData[]>();
    for (const child of childrenOf(host.id)) {
      const slot = child.slot ?? 'pod';
      const members = bySlot.get(slot);
      if (members) members.push(child);
      else bySlot.set(slot, [child]);
    }
    // Even, so that the bridge centred under the grid lines up with the middle gutter.
    const podCount = bySlot.get('pod')?.length ?? 0;
    const podColumns = Math.max(2, Math.min(maxColumns, podCount + (podCount % 2)));
    const hostnetCount = bySlot.get('hostnet')?.length ?? 0;
    const hostnetColumns = Math.max(2, Math.min(Math.max(maxColumns, podColumns), hostnetCount));
    const sections = new Map<HostSlot, Block>();
    for (const slot of sectionOrder) {
      const members = bySlot.get(slot) ?? [];
      if (members.length === 0) continue;
      if (slot === 'pod') sections.set(slot, grid(members.map(podBlock), podColumns, gaps.column, gaps.row));
      else if (slot === 'hostnet') sections.set(slot, grid(members.map(podBlock), hostnetColumns, gaps.column, gaps.row));
      else sections.set(slot, row(members.map(leaf), gaps.service));
    }
    return sections;
  });
  return { byHost, podBlock };
}

/** One candidate layout. */
function layoutWith(
  graph: Graph,
  { byHost: sectionsByHost, podBlock }: Sections,
  maxColumns: number,
  serviceBandWidth: number,
  hostsPerRow: number,
  hasGrowthRoom: boolean,
): { layout: () => GraphLayout; extent: Box } {
  const { nodes, children, childrenOf, roots, hosts } = graph;
  // Hosts wrap into rows of `hostsPerRow`. Within a row each host stacks its upper sections and
  // the bridge and tunnel rows are level, so that tunnel edges between neighbours run straight;
  // a short host's bus simply runs longer.
  const gapAfter = (slot: HostSlot): number => (slot === 'pod' ? vethBusOffset + 18 : gaps.deviceRow);
  const tops = sectionsByHost.map(() => new Map<HostSlot, number>());
  const perRow = Math.max(1, Math.min(hostsPerRow, hosts.length));
  for (let start = 0; start < hosts.length; start += perRow) {
    const end = Math.min(hosts.length, start + perRow);
    let lowerTop = 0;
    for (let h = start; h < end; h++) {
      const sections = sectionsByHost[h]!;
      let cursor = 0;
      for (const slot of ['uplink', 'hostnet', 'pod'] as const) {
        const section = sections.get(slot);
        if (section) {
          tops[h]!.set(slot, cursor);
          cursor += height(section) + gapAfter(slot);
        }
        if (slot === 'pod' && hasGrowthRoom) {
          // One more row of the host's tallest pod (or of a one-container pod), left empty.
          const pods = childrenOf(hosts[h]!.id).filter((c) => c.kind === 'pod' && (c.slot ?? 'pod') === 'pod');
          cursor += Math.max(onePodHeight, ...pods.map((pod) => height(podBlock(pod)))) + gaps.row;
        }
      }
      lowerTop = Math.max(lowerTop, cursor);
    }
    const rowHosts = sectionsByHost.slice(start, end);
    const bridgeHeight = Math.max(0, ...rowHosts.map((s) => (s.has('bridge') ? height(s.get('bridge')!) : 0)));
    const tunnelTop = lowerTop + (bridgeHeight > 0 ? bridgeHeight + gaps.deviceRow : 0);
    for (let h = start; h < end; h++) {
      if (sectionsByHost[h]!.has('bridge')) tops[h]!.set('bridge', lowerTop);
      if (sectionsByHost[h]!.has('tunnel')) tops[h]!.set('tunnel', tunnelTop);
    }
  }

  const hostBlocks = hosts.map((host, h) => {
    const sections = sectionsByHost[h]!;
    const contentWidth = Math.max(0, ...[...sections.values()].map(width));
    const placed = sectionOrder.flatMap((slot) => {
      const section = sections.get(slot);
      return section ? [shift(section, (contentWidth - width(section)) / 2, tops[h]!.get(slot)!)] : [];
    });
    const lines = host.label.split('\n').length;
    if (placed.length === 0) return labelled(leaf(host), lines);
    return compound(host.id, union(placed), padding.host, lines);
  });

  const unscheduled = roots.filter((n) => n.kind === 'unscheduled');
  const groupBlocks = unscheduled.map((group) => {
    const pods = childrenOf(group.id);
    const blocks = pods.map(podBlock);
    return compound(group.id, grid(blocks, Math.max(1, Math.ceil(Math.sqrt(blocks.length))), gaps.column, gaps.row), padding.group, groupLabelLines);
  });

  // Rows of hosts, their boxes' tops level within a row, one under the other; the unscheduled
  // box ends the last row.
  const hostRows: Block[] = [];
  const rowItems = hostBlocks.map((block, h) => ({ block, id: hosts[h]!.id }));
  for (let start = 0; start < rowItems.length || (start === 0 && groupBlocks.length > 0); start += perRow) {
    const items = rowItems.slice(start, start + perRow);
    if (start + perRow >= rowItems.length) items.push(...groupBlocks.map((block, g) => ({ block, id: unscheduled[g]!.id })));
    hostRows.push(rowByBoxTop(items.map((i) => i.block), items.map((i) => i.id), gaps.host));
  }
  const hostRow = column(hostRows, gaps.band);
  const hostExtent = hostRow.extent;
  const centreX = (hostExtent.x1 + hostExtent.x2) / 2;

  // Services below, one box per namespace, wrapped to about the hosts' width.
  // (By namespace: one box per namespace, its pods in a grid above its Services.)
  const serviceGroups = roots.filter((n) => n.kind === 'service-group' || n.kind === 'namespace');
  const serviceGrid = (services: GraphNodeData[]): Block =>
    grid(services.map(leaf), Math.min(services.length, Math.max(3, Math.ceil(Math.sqrt(services.length)))), gaps.service, gaps.service);
  const serviceBlocks = serviceGroups.map((group) => {
    const members = childrenOf(group.id);
    if (group.kind === 'service-group') return compound(group.id, serviceGrid(members), padding.group, groupLabelLines);
    const pods = members.filter((m) => m.kind === 'pod');
    const services = members.filter((m) => m.kind !== 'pod');
    const parts: Block[] = [];
    if (pods.length > 0) parts.push(grid(pods.map(podBlock), Math.max(2, Math.min(maxColumns * 2, Math.ceil(Math.sqrt(pods.length * 2)))), gaps.column, gaps.row));
    if (services.length > 0) parts.push(serviceGrid(services));
    return compound(group.id, column(parts, gaps.deviceRow), padding.group, groupLabelLines);
  });
  const serviceBand = flow(serviceBlocks, Math.max(width(hostRow) * serviceBandWidth, 900), gaps.host, 36);
  const placedServices = shift(serviceBand, centreX - width(serviceBand) / 2 - serviceBand.extent.x1, hostExtent.y2 + gaps.band - serviceBand.extent.y1);

  // The Internet and the Ingresses above, in one row: Internet first, Ingresses to its right.
  const entry = row(roots.filter((n) => n.kind === 'internet' || n.kind === 'ingress').map(leaf), 64);
  const placedEntry = shift(entry, centreX - width(entry) / 2 - entry.extent.x1, hostExtent.y1 - 56 - height(entry) - entry.extent.y1);

  // Anything else at the root (future kinds) goes in a row under the services.
  const known = new Set(['host', 'unscheduled', 'service-group', 'namespace', 'ingress', 'internet']);
  const others = roots.filter((n) => !known.has(n.kind));
  const otherRow = row(others.map(leaf), 36);
  const placedOthers = shift(otherRow, centreX - width(otherRow) / 2 - otherRow.extent.x1, placedServices.extent.y2 + gaps.band - otherRow.extent.y1);

  const all = union([hostRow, placedServices, placedEntry, placedOthers]);
  const layout = (): GraphLayout => {
    const placed = new Map<string, Box>();
    materialize(all, 0, 0, placed);
    const isParent = new Set(children.keys());
    const positions: Record<string, Point> = {};
    const boxes: Record<string, Box> = {};
    for (const node of nodes) {
      const box = placed.get(node.id);
      if (!box) continue;
      boxes[node.id] = box;
      if (!isParent.has(node.id)) positions[node.id] = { x: round((box.x1 + box.x2) / 2), y: round((box.y1 + box.y2) / 2) };
    }
    return { positions, boxes };
  };
  return { layout, extent: all.extent };
}

export interface SubtreeLayout extends GraphLayout {
  /** The subtree root's box; its top-left corner is at (0, 0). */
  box: Box;
  /** Everything the subtree draws, the root's label included. */
  extent: Box;
}

const compoundRootKinds = new Set(['host', 'unscheduled', 'service-group', 'namespace']);

/**
 * Lays out one subtree on its own — a host, a namespace's Services, a pod with its containers,
 * a leaf — as the whole layout would draw it, with the root's box at (0, 0). For elements added
 * to a graph that is already drawn: they are placed as one block, and nothing else moves.
 * `elements` are the root and its descendants; the root's own parent is ignored.
 */
export function layoutSubtree(elements: readonly GraphElement[], rootId: string, options: LayoutOptions = {}): SubtreeLayout {
  const detached = elements.map((e): GraphElement => (e.group === 'nodes' && e.data.id === rootId ? { ...e, data: { ...e.data, parent: undefined } } : e));
  const nodes = detached.flatMap((e) => (e.group === 'nodes' ? [e.data] : []));
  const root = nodes.find((n) => n.id === rootId);
  if (!root) throw new Error(`layoutSubtree: ${rootId} is not among the elements.`);
  let boxes: Record<string, Box>;
  if (compoundRootKinds.has(root.kind)) {
    boxes = computeLayout(detached, options).boxes;
  } else {
    const containers = nodes.filter((n) => n.parent === rootId);
    const block =
      containers.length > 0
        ? compound(rootId, column(containers.map(leaf), gaps.container), root.kind === 'pod' ? padding.pod : padding.group, labelLinesAbove(root))
        : leaf(root);
    const placed = new Map<string, Box>();
    materialize(block, 0, 0, placed);
    boxes = Object.fromEntries(placed);
  }
  const own = boxes[rootId]!;
  const parents = new Set(nodes.flatMap((n) => (n.parent ? [n.parent] : [])));
  const moved: Record<string, Box> = {};
  const positions: Record<string, Point> = {};
  for (const [id, b] of Object.entries(boxes)) {
    const box = move(b, -own.x1, -own.y1);
    moved[id] = box;
    if (!parents.has(id)) positions[id] = { x: round((box.x1 + box.x2) / 2), y: round((box.y1 + box.y2) / 2) };
  }
  const box = moved[rootId]!;
  return { positions, boxes: moved, box, extent: { ...box, y1: box.y1 - labelBand(labelLinesAbove(root)) } };
}

/** The box around every laid-out leaf (what a fresh picture is fitted to), or null when none is. */
export function layoutBounds(elements: readonly GraphElement[], positions: ReadonlyMap<string, Point>): Box | null {
  let box: Box | null = null;
  for (const element of elements) {
    if (element.group !== 'nodes') continue;
    const p = positions.get(element.data.id);
    if (!p) continue;
    const w = (element.data.width ?? 40) / 2;
    const h = (element.data.height ?? 40) / 2;
    box = box ? { x1: Math.min(box.x1, p.x - w), y1: Math.min(box.y1, p.y - h), x2: Math.max(box.x2, p.x + w), y2: Math.max(box.y2, p.y + h) } : { x1: p.x - w, y1: p.y - h, x2: p.x + w, y2: p.y + h };
  }
  return box;
}
