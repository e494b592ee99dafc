/**
 * Blocks: laid-out subtrees for layout.ts. A block knows its extent and where its own box sits;
 * moving one is O(1), because boxes are placed once, at the end (`materialize`).
 */
import type { GraphNodeData } from './element-types.ts';
import { labelBand, type Box } from './geometry.ts';


export interface Block {
  /** Everything the block draws, labels included, in its parent's coordinates. */
  extent: Box;
  /** Offset of the block's own coordinates (those of `own` and `children`) in its parent's. */
  dx: number;
  dy: number;
  /** The box of the node this block draws, if it draws one. */
  own: { id: string; box: Box } | null;
  children: Block[];
}

export const round = (v: number): number => Math.round(v * 100) / 100;
export const width = (b: Block): number => b.extent.x2 - b.extent.x1;
export const height = (b: Block): number => b.extent.y2 - b.extent.y1;
export const move = (b: Box, dx: number, dy: number): Box => ({ x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy });

export function materialize(block: Block, x: number, y: number, out: Map<string, Box>): void {
  const ox = x + block.dx;
  const oy = y + block.dy;
  if (block.own) out.set(block.own.id, move(block.own.box, ox, oy));
  for (const child of block.children) materialize(child, ox, oy, out);
}

export function leaf(node: GraphNodeData): Block {
  const box = { x1: 0, y1: 0, x2: node.width ?? 40, y2: node.height ?? 40 };
  return { extent: { ...box }, dx: 0, dy: 0, own: { id: node.id, box }, children: [] };
}

/** A leaf whose label is drawn above it (a pod without containers). */
export function labelled(block: Block, lines: number): Block {
  return { ...block, extent: { ...block.extent, y1: block.extent.y1 - labelBand(lines) } };
}

export function shift(block: Block, dx: number, dy: number): Block {
  return { ...block, dx: block.dx + dx, dy: block.dy + dy, extent: move(block.extent, dx, dy) };
}

export function union(blocks: Block[]): Block {
  let extent: Box | null = null;
  const children = blocks.filter((b) => b.own !== null || b.children.length > 0);
  for (const block of children) {
    extent = extent
      ? { x1: Math.min(extent.x1, block.extent.x1), y1: Math.min(extent.y1, block.extent.y1), x2: Math.max(extent.x2, block.extent.x2), y2: Math.max(extent.y2, block.extent.y2) }
      : { ...block.extent };
  }
  return { extent: extent ?? { x1: 0, y1: 0, x2: 0, y2: 0 }, dx: 0, dy: 0, own: null, children };
}

/** A compound box around already arranged children, as cytoscape draws it: their extent plus padding. */
export function compound(id: string, inner: Block, pad: number, labelLines: number): Block {
  const e = inner.extent;
  const box = { x1: e.x1 - pad, y1: e.y1 - pad, x2: e.x2 + pad, y2: e.y2 + pad };
  const block: Block = { extent: { ...box, y1: box.y1 - labelBand(labelLines) }, dx: 0, dy: 0, own: { id, box }, children: [inner] };
  return shift(block, -block.extent.x1, -block.extent.y1);
}

export function column(blocks: Block[], gap: number): Block {
  let y = 0;
  const placed = blocks.map((b) => {
    const s = shift(b, -b.extent.x1, y - b.extent.y1);
    y += height(b) + gap;
    return s;
  });
  return union(placed);
}

export function row(blocks: Block[], gap: number): Block {
  let x = 0;
  const placed = blocks.map((b) => {
    const s = shift(b, x - b.extent.x1, -b.extent.y1);
    x += width(b) + gap;
    return s;
  });
  return union(placed);
}

/** A row aligned on the tops of the named boxes rather than on their labels. */
export function rowByBoxTop(blocks: Block[], ids: string[], gap: number): Block {
  let x = 0;
  const placed = blocks.map((b, i) => {
    const box = b.own && b.own.id === ids[i] ? move(b.own.box, b.dx, b.dy) : b.extent;
    const s = shift(b, x - b.extent.x1, -box.y1);
    x += width(b) + gap;
    return s;
  });
  return union(placed);
}

/** Cells of equal width, rows as tall as their tallest block, blocks top-aligned and centred in their cell. */
export function grid(blocks: Block[], columns: number, columnGap: number, rowGap: number): Block {
  const cellWidth = Math.max(0, ...blocks.map(width));
  const placed: Block[] = [];
  let y = 0;
  for (let start = 0; start < blocks.length; start += columns) {
    const rowBlocks = blocks.slice(start, start + columns);
    rowBlocks.forEach((b, col) => {
      placed.push(shift(b, col * (cellWidth + columnGap) + (cellWidth - width(b)) / 2 - b.extent.x1, y - b.extent.y1));
    });
    y += Math.max(...rowBlocks.map(height)) + rowGap;
  }
  return union(placed);
}

/** Left to right, wrapping into a new row before `maxWidth`; each row centred. */
export function flow(blocks: Block[], maxWidth: number, gap: number, rowGap: number): Block {
  const rows: Block[][] = [];
  let current: Block[] = [];
  let used = 0;
  for (const block of blocks) {
    if (current.length > 0 && used + gap + width(block) > maxWidth) {
      rows.push(current);
      current = [];
      used = 0;
    }
    used += (current.length > 0 ? gap : 0) + width(block);
    current.push(block);
  }
  if (current.length > 0) rows.push(current);
  const built = rows.map((r) => row(r, gap));
  const widest = Math.max(0, ...built.map(width));
  let y = 0;
  const placed = built.map((r) => {
    const s = shift(r, (widest - width(r)) / 2 - r.extent.x1, y - r.extent.y1);
    y += height(r) + rowGap;
    return s;
  });
  return union(placed);
}
