/**
 * What the layout worker is sent and answers (layout-worker.ts), as columns: strings in arrays,
 * numbers in typed arrays that are transferred rather than copied. Only what computeLayout reads
 * crosses: each node's id, kind, parent, size and slot, and a host's label (its line count sizes
 * its band).
 */
import type { GraphElement, GraphNodeKind, HostSlot } from './element-types.ts';
import type { Point } from './geometry.ts';

export interface LayoutColumns {
  ids: string[];
  kinds: GraphNodeKind[];
  /** The index of each node's parent in `ids`, -1 for none. */
  parents: Int32Array;
  /** Width and height of each node, NaN where it has none (a compound is sized by its children). */
  sizes: Float64Array;
  slots: (HostSlot | null)[];
  /** A host's label; '' for every other node. */
  labels: string[];
}

export function toLayoutColumns(elements: readonly GraphElement[]): LayoutColumns {
  const nodes = elements.filter((e) => e.group === 'nodes');
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.data.id, i));
  const parents = new Int32Array(nodes.length);
  const sizes = new Float64Array(nodes.length * 2);
  const columns: LayoutColumns = { ids: [], kinds: [], parents, sizes, slots: [], labels: [] };
  nodes.forEach(({ data }, i) => {
    columns.ids.push(data.id);
    columns.kinds.push(data.kind);
    parents[i] = data.parent === undefined ? -1 : (index.get(data.parent) ?? -1);
    sizes[2 * i] = data.width ?? NaN;
    sizes[2 * i + 1] = data.height ?? NaN;
    columns.slots.push(data.slot ?? null);
    columns.labels.push(data.kind === 'host' ? data.label : '');
  });
  return columns;
}

/** The node elements the columns stand for, with what computeLayout reads. */
export function fromLayoutColumns(columns: LayoutColumns): GraphElement[] {
  const { ids, kinds, parents, sizes, slots, labels } = columns;
  return ids.map((id, i) => {
    const parent = parents[i]!;
    const width = sizes[2 * i]!;
    const slot = slots[i];
    return {
      group: 'nodes',
      data: {
        id,
        kind: kinds[i]!,
        label: labels[i]!,
        model: null,
        ...(parent >= 0 ? { parent: ids[parent]! } : {}),
        ...(Number.isNaN(width) ? {} : { width, height: sizes[2 * i + 1]! }),
        ...(slot ? { slot } : {}),
      },
      classes: [],
    };
  });
}

/** Positions as x, y pairs in the order of `ids`; NaN for a node without one. */
export function toPositionColumns(ids: readonly string[], positions: Record<string, Point>): Float64Array {
  const xy = new Float64Array(ids.length * 2).fill(NaN);
  ids.forEach((id, i) => {
    const p = positions[id];
    if (p) {
      xy[2 * i] = p.x;
      xy[2 * i + 1] = p.y;
    }
  });
  return xy;
}

export function fromPositionColumns(ids: readonly string[], xy: Float64Array): Map<string, Point> {
  const positions = new Map<string, Point>();
  ids.forEach((id, i) => {
    const x = xy[2 * i]!;
    if (!Number.isNaN(x)) positions.set(id, { x, y: xy[2 * i + 1]! });
  });
  return positions;
}
