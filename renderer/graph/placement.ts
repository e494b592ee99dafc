/**
 * Where new elements go on a graph that is already drawn (design §6; style.md: "new elements go
 * near their parent; nothing else moves"). Pure and deterministic: the same drawn positions and
 * the same new elements always give the same answer.
 *
 * Each new subtree — a pod with its containers, a host with everything in it, a namespace's
 * Services — is laid out on its own as the full layout would draw it (`layoutSubtree`), then
 * put down as one block:
 *   - in a grid of siblings (pods in a host, pods in the Unscheduled box, Services in their
 *     namespace's box): the first free cell in reading order, else a new row under the grid;
 *   - in a row of siblings (a host's devices): to the right of the last one;
 *   - a new host (or the Unscheduled box) to the right of the row of hosts, box tops level;
 *   - a new namespace's Services after the last box of the Services band;
 *   - the Internet and Ingresses in the row above the hosts.
 * A spot is taken only if the block, and every compound box it makes grow, stays clear of its
 * neighbours; when none is clear the first (nearest) one is used anyway, and the caller can
 * offer a fresh layout.
 *
 * Geometry follows layout.ts: a compound's box is the union of its children's extents (label
 * bands included) plus its padding.
 */
import type { GraphElement, GraphNodeData } from './element-types.ts';
import { gaps, labelBand, padding, type Box, type Point } from './geometry.ts';
import { labelLinesAbove, layoutSubtree, type LayoutOptions, type SubtreeLayout } from './layout.ts';

export interface Placement {
  /** Centres of the leaves that had none. */
  positions: Map<string, Point>;
  /** Subtree roots that could only be put where they overlap something. */
  overlapping: string[];
}

/** The padding of each kind of compound box (cytoscape `padding`), as the stylesheet sets it. */
export const paddingOf: Partial<Record<GraphNodeData['kind'], number>> = {
  host: padding.host,
  pod: padding.pod,
  unscheduled: padding.group,
  'service-group': padding.group,
  namespace: padding.group,
};

const overlaps = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
const unionBox = (a: Box, b: Box): Box => ({ x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1), x2: Math.max(a.x2, b.x2), y2: Math.max(a.y2, b.y2) });
const sameBox = (a: Box, b: Box): boolean => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;
const pad = (b: Box, p: number): Box => ({ x1: b.x1 - p, y1: b.y1 - p, x2: b.x2 + p, y2: b.y2 + p });
const withBand = (b: Box, lines: number): Box => (lines > 0 ? { ...b, y1: b.y1 - labelBand(lines) } : b);
const round = (v: number): number => Math.round(v * 100) / 100;

/** A spot for a block: where its box's top-left corner goes. */
interface Spot {
  x: number;
  y: number;
}

/**
 * Positions for every leaf of `elements` that `drawn` does not place. `drawn` holds the centres
 * of leaves already on the canvas that stay where they are — and of a former leaf that now has
 * children (a host that got its first pod), whose old place anchors them.
 */
export function placeNewNodes(elements: readonly GraphElement[], drawn: ReadonlyMap<string, Point>, options: LayoutOptions = {}): Placement {
  const nodes = new Map<string, GraphNodeData>();
  const children = new Map<string, string[]>();
  const byId = new Map<string, GraphElement>();
  const roots: string[] = [];
  for (const element of elements) {
    if (element.group !== 'nodes') continue;
    const node = element.data;
    nodes.set(node.id, node);
    byId.set(node.id, element);
    // Pushed, not copied: a namespace's Services box may hold a thousand (issue 14).
    const siblings = node.parent ? children.get(node.parent) : undefined;
    if (siblings) siblings.push(node.id);
    else if (node.parent) children.set(node.parent, [node.id]);
    else roots.push(node.id);
  }
  const childrenOf = (id: string): string[] => children.get(id) ?? [];
  const positions = new Map(drawn);
  const placedNow = new Map<string, Point>();
  const overlapping: string[] = [];
  const boxCache = new Map<string, Box | null>();

  /** The node's own box as drawn (no label), or null when nothing of it is placed yet. */
  function boxOf(id: string): Box | null {
    const cached = boxCache.get(id);
    if (cached !== undefined) return cached;
    const node = nodes.get(id)!;
    let box: Box | null = null;
    for (const child of childrenOf(id)) {
      const extent = extentOf(child);
      if (extent) box = box ? unionBox(box, extent) : extent;
    }
    if (box) {
      box = pad(box, paddingOf[node.kind] ?? 0);
    } else {
      const p = positions.get(id);
      const w = node.width ?? 0;
      const h = node.height ?? 0;
      box = p ? { x1: p.x - w / 2, y1: p.y - h / 2, x2: p.x + w / 2, y2: p.y + h / 2 } : null;
    }
    boxCache.set(id, box);
    return box;
  }

  function extentOf(id: string): Box | null {
    const box = boxOf(id);
    return box ? withBand(box, labelLinesAbove(nodes.get(id)!)) : null;
  }

  const siblingsOf = (id: string): string[] => {
    const parent = nodes.get(id)!.parent;
    return (parent ? childrenOf(parent) : roots).filter((s) => s !== id);
  };

  function descendants(id: string): string[] {
    const out = [id];
    for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]!));
    return out;
  }

  /** Would putting `root`'s block with this extent collide with anything placed? */
  function collides(rootId: string, extent: Box): boolean {
    for (const sibling of siblingsOf(rootId)) {
      const other = extentOf(sibling);
      if (other && overlaps(extent, other)) return true;
    }
    // Each compound around it grows; the grown box must stay clear of its own neighbours.
    let grown = extent;
    let current = nodes.get(rootId)!.parent;
    while (current) {
      const node = nodes.get(current)!;
      const before = boxOf(current);
      const hasPlacedChildren = childrenOf(current).some((c) => c !== rootId && extentOf(c) !== null);
      const content = hasPlacedChildren && before ? unionBox(before, pad(grown, paddingOf[node.kind] ?? 0)) : pad(grown, paddingOf[node.kind] ?? 0);
      if (before && hasPlacedChildren && sameBox(content, before)) return false;
      grown = withBand(content, labelLinesAbove(node));
      for (const sibling of siblingsOf(current)) {
        const other = extentOf(sibling);
        if (other && overlaps(grown, other)) return true;
      }
      current = node.parent;
    }
    return false;
  }

  function commit(rootId: string, block: SubtreeLayout, spot: Spot): void {
    for (const [id, p] of Object.entries(block.positions)) {
      const at = { x: round(p.x + spot.x), y: round(p.y + spot.y) };
      positions.set(id, at);
      placedNow.set(id, at);
    }
    for (let id: string | undefined = rootId; id; id = nodes.get(id)?.parent) boxCache.delete(id);
    for (const id of descendants(rootId)) boxCache.delete(id);
  }

  function place(rootId: string): void {
    const subtree = descendants(rootId).map((id) => byId.get(id)!);
    const block = layoutSubtree(subtree, rootId, options);
    const node = nodes.get(rootId)!;
    const spots = node.parent ? spotsInParent(node, block) : spotsAtRoot(node, block);
    // A former leaf that now has children (a host's first pod or device) is drawn where it stood.
    const stood = positions.get(rootId);
    if (stood) spots.unshift({ x: stood.x - block.box.x2 / 2, y: stood.y - block.box.y2 / 2 });
    const band = block.box.y1 - block.extent.y1;
    const extentAt = (s: Spot): Box => ({ x1: s.x, y1: s.y - band, x2: s.x + block.box.x2, y2: s.y + block.box.y2 });
    const free = spots.find((s) => !collides(rootId, extentAt(s)));
    if (!free) overlapping.push(rootId);
    commit(rootId, block, free ?? spots[0] ?? { x: 0, y: 0 });
  }

  /** Spots inside the parent, nearest first. */
  function spotsInParent(node: GraphNodeData, block: SubtreeLayout): Spot[] {
    const parent = nodes.get(node.parent!)!;
    const w = block.box.x2;
    const h = block.box.y2;
    const band = block.box.y1 - block.extent.y1;
    const placedChildren = childrenOf(parent.id).filter((c) => c !== node.id && extentOf(c) !== null);
    const slotOf = (n: GraphNodeData): string => n.slot ?? (parent.kind === 'host' ? 'pod' : '');
    const siblings = placedChildren.filter((c) => slotOf(nodes.get(c)!) === slotOf(node));
    const spots: Spot[] = [];

    const isGrid = parent.kind === 'unscheduled' || parent.kind === 'service-group' || parent.kind === 'namespace' || (parent.kind === 'host' && (slotOf(node) === 'pod' || slotOf(node) === 'hostnet'));
    const isServiceGrid = parent.kind === 'service-group' || slotOf(node) === 'service';
    const columnGap = isServiceGrid ? gaps.service : gaps.column;
    const rowGap = isServiceGrid ? gaps.service : gaps.row;

    if (siblings.length > 0 && isGrid) {
      spots.push(...gridSpots(siblings, parent, w, band, columnGap, rowGap));
    } else if (siblings.length > 0 && parent.kind === 'pod') {
      // A container joins the bottom of its pod's column.
      const boxes = siblings.map((s) => boxOf(s)!);
      spots.push({ x: (boxes[0]!.x1 + boxes[0]!.x2) / 2 - w / 2, y: Math.max(...boxes.map((b) => b.y2)) + gaps.container });
    } else if (siblings.length > 0) {
      // Devices stand in a row.
      const last = siblings.map((s) => boxOf(s)!).reduce((a, b) => (b.x2 > a.x2 ? b : a));
      spots.push({ x: last.x2 + gaps.service, y: (last.y1 + last.y2) / 2 - h / 2 });
    }

    const extents = placedChildren.map((c) => extentOf(c)!);
    if (extents.length > 0) {
      const content = extents.reduce(unionBox);
      const centreX = (content.x1 + content.x2) / 2;
      if (parent.kind === 'host' && siblings.length === 0 && slotOf(node) === 'pod') {
        // A host's first pod: under its uplink and hostNetwork pods, where the grid would be.
        const above = placedChildren.filter((c) => ['uplink', 'hostnet'].includes(slotOf(nodes.get(c)!))).map((c) => extentOf(c)!);
        const top = above.length > 0 ? Math.max(...above.map((b) => b.y2)) + gaps.deviceRow : content.y1;
        spots.push({ x: centreX - w / 2, y: top + band });
      }
      spots.push({ x: centreX - w / 2, y: content.y2 + rowGap + band });
      spots.push({ x: content.x2 + columnGap, y: content.y1 + band });
    } else {
      const own = boxOf(parent.id);
      if (own) spots.push({ x: (own.x1 + own.x2) / 2 - w / 2, y: (own.y1 + own.y2) / 2 - h / 2 });
    }
    return spots;
  }

  /** Free cells of the siblings' grid in reading order, then a new row under it. */
  function gridSpots(siblings: string[], parent: GraphNodeData, w: number, band: number, columnGap: number, rowGap: number): Spot[] {
    const boxes = siblings.map((s) => boxOf(s)!);
    const cellWidth = Math.max(w, ...boxes.map((b) => b.x2 - b.x1));
    const centres = [...new Set(boxes.map((b) => round((b.x1 + b.x2) / 2)))].sort((a, b) => a - b);
    const steps = centres.slice(1).map((c, i) => c - centres[i]!);
    const pitch = steps.length > 0 ? Math.min(...steps) : cellWidth + columnGap;
    const x0 = centres[0]!;
    const columnOf = (b: Box): number => Math.round(((b.x1 + b.x2) / 2 - x0) / pitch);
    const tops = [...new Set(boxes.map((b) => round(b.y1)))].sort((a, b) => a - b);
    const occupied = new Set(boxes.map((b) => `${columnOf(b)},${tops.indexOf(round(b.y1))}`));
    const seen = Math.max(...boxes.map(columnOf)) + 1;
    const count = siblings.length + 1;
    let columns: number;
    if (parent.kind === 'host') columns = Math.max(2, seen + (seen % 2));
    else if (parent.kind === 'service-group') columns = Math.max(seen, Math.min(count, Math.max(3, Math.ceil(Math.sqrt(count)))));
    else columns = Math.max(seen, Math.ceil(Math.sqrt(count)));
    const spots: Spot[] = [];
    tops.forEach((top, row) => {
      for (let column = 0; column < columns; column++) {
        if (!occupied.has(`${column},${row}`)) spots.push({ x: x0 + column * pitch - w / 2, y: top });
      }
    });
    const bottom = Math.max(...siblings.map((s) => extentOf(s)!.y2));
    spots.push({ x: x0 - w / 2, y: bottom + rowGap + band });
    return spots;
  }

  /** Spots for a new root box. */
  function spotsAtRoot(node: GraphNodeData, block: SubtreeLayout): Spot[] {
    const w = block.box.x2;
    const h = block.box.y2;
    const band = block.box.y1 - block.extent.y1;
    const placedRoots = roots.filter((r) => r !== node.id && extentOf(r) !== null);
    const kindOf = (id: string): string => nodes.get(id)!.kind;
    const hostRow = placedRoots.filter((r) => kindOf(r) === 'host' || kindOf(r) === 'unscheduled');
    const extents = (ids: string[]): Box[] => ids.map((id) => extentOf(id)!);
    const hostExtent = hostRow.length > 0 ? extents(hostRow).reduce(unionBox) : null;
    const all = placedRoots.length > 0 ? extents(placedRoots).reduce(unionBox) : null;
    if (!all) return [{ x: 0, y: 0 }];
    const centreX = ((hostExtent ?? all).x1 + (hostExtent ?? all).x2) / 2;
    const spots: Spot[] = [];

    switch (node.kind) {
      case 'host':
      case 'unscheduled': {
        // Right of the row of hosts, box tops level; further right if something is in the way.
        const top = hostExtent ? Math.min(...hostRow.map((r) => boxOf(r)!.y1)) : all.y2 + gaps.band + band;
        const left = (hostExtent ?? all).x2 + gaps.host;
        spots.push(...slideRight(left, top, w, h, band, placedRoots));
        break;
      }
      case 'service-group':
      case 'namespace': {
        const groups = placedRoots.filter((r) => kindOf(r) === 'service-group' || kindOf(r) === 'namespace');
        if (groups.length > 0) {
          const groupExtents = extents(groups);
          const lastTop = Math.max(...groupExtents.map((e) => e.y1));
          const lastRow = groupExtents.filter((e) => e.y1 === lastTop);
          const band0 = groupExtents.reduce(unionBox);
          spots.push({ x: Math.max(...lastRow.map((e) => e.x2)) + gaps.host, y: lastTop + band });
          spots.push({ x: band0.x1, y: band0.y2 + 36 + band });
        } else {
          spots.push({ x: centreX - w / 2, y: (hostExtent ?? all).y2 + gaps.band + band });
        }
        spots.push({ x: centreX - w / 2, y: all.y2 + gaps.band + band });
        break;
      }
      case 'internet':
      case 'ingress': {
        const entry = placedRoots.filter((r) => kindOf(r) === 'internet' || kindOf(r) === 'ingress').map((r) => boxOf(r)!);
        if (entry.length > 0) {
          const centreY = (entry[0]!.y1 + entry[0]!.y2) / 2;
          const x = node.kind === 'internet' ? Math.min(...entry.map((b) => b.x1)) - 64 - w : Math.max(...entry.map((b) => b.x2)) + 64;
          spots.push({ x, y: centreY - h / 2 });
        } else {
          spots.push({ x: centreX - w / 2, y: (hostExtent ?? all).y1 - 56 - h });
        }
        spots.push({ x: centreX - w / 2, y: all.y1 - 56 - h });
        break;
      }
      default:
        spots.push({ x: centreX - w / 2, y: all.y2 + gaps.band + band });
    }
    return spots;
  }

  /** A spot at (left, top), then each further right past whatever it would overlap. */
  function slideRight(left: number, top: number, w: number, h: number, band: number, others: string[]): Spot[] {
    const spots: Spot[] = [];
    let x = left;
    for (let i = 0; i < 8; i++) {
      spots.push({ x, y: top });
      const extent = { x1: x, y1: top - band, x2: x + w, y2: top + h };
      const blocking = others.map((o) => extentOf(o)!).filter((e) => overlaps(extent, e));
      if (blocking.length === 0) break;
      x = Math.max(...blocking.map((e) => e.x2)) + gaps.host;
    }
    return spots;
  }

  /** Whether the node, or anything inside it, already has a place. */
  function isPlaced(id: string): boolean {
    const kids = childrenOf(id);
    return kids.length === 0 ? positions.has(id) : kids.some(isPlaced);
  }

  // Parents come before their children in `elements`, so a new subtree is met at its root and
  // placed whole; its descendants are then placed too.
  for (const id of nodes.keys()) {
    if (!isPlaced(id)) place(id);
  }
  return { positions: placedNow, overlapping };
}
