/**
 * Where the leaves of a drawing go when it changes without a fresh layout (design §6: positions
 * stay put across live updates). Pure: positions in, positions out.
 *
 * - Leaves drawn before keep their place unless they, or a parent of theirs, moved to another
 *   parent (a pod scheduled out of the Unscheduled box).
 * - Leaves that leave the drawing (a filter hid them, or the cluster removed them) are remembered
 *   with their parent until the next fresh layout: when one comes back under the same parent and
 *   its place is still free, it goes back exactly where it was, so turning a filter off restores
 *   the picture it turned on.
 * - Everything else is placed near its parent (placement.ts).
 */
import type { GraphElement, GraphNodeData } from './element-types.ts';
import { computeLayout, type LayoutOptions } from './layout.ts';
import type { Box, Point } from './geometry.ts';
import { placeNewNodes } from './placement.ts';

/**
 * Positions for a new picture: a layout worker's (`computed`), a snapshot's (`saved`), or the
 * deterministic layout; whatever the first two lack is placed near its parent. Only leaves keep
 * positions: a compound's box follows its children.
 */
export function freshPositions(elements: readonly GraphElement[], options: LayoutOptions & { computed?: ReadonlyMap<string, Point>; saved?: ReadonlyMap<string, Point> | null }): Moved {
  const parents = new Set<string>();
  for (const e of elements) if (e.group === 'nodes' && e.data.parent) parents.add(e.data.parent);
  const layoutOptions = { growthRoom: options.growthRoom };
  let result: Moved;
  if (options.computed) {
    // The worker's layout; whatever the cluster added meanwhile is placed near its parent.
    const positions = new Map<string, Point>();
    let isMissing = false;
    for (const e of elements) {
      if (e.group !== 'nodes' || parents.has(e.data.id)) continue;
      const p = options.computed.get(e.data.id);
      if (p) positions.set(e.data.id, p);
      else isMissing = true;
    }
    result = { positions, overlapping: [] };
    if (isMissing) {
      const placement = placeNewNodes(elements, positions, layoutOptions);
      for (const [id, p] of placement.positions) positions.set(id, p);
      result.overlapping = placement.overlapping;
    }
  } else if (options.saved && options.saved.size > 0) {
    // A snapshot drawn as it was saved; anything it did not hold is placed near its parent.
    const placement = placeNewNodes(elements, options.saved, layoutOptions);
    result = { positions: new Map([...options.saved, ...placement.positions]), overlapping: placement.overlapping };
  } else {
    result = { positions: new Map(Object.entries(computeLayout(elements, layoutOptions).positions)), overlapping: [] };
  }
  for (const id of parents) result.positions.delete(id);
  return result;
}

/** How many removed leaves' places are remembered at most. */
const maxRemembered = 200_000;

export interface Moved {
  positions: Map<string, Point>;
  /** Subtree roots that could only be placed overlapping others. */
  overlapping: string[];
}

export class PositionMemory {
  /** Where leaves no longer drawn stood, and under which parent; oldest first. */
  private readonly remembered = new Map<string, { point: Point; parent: string | undefined }>();

  /** A fresh layout: nothing from before is worth putting back. */
  clear(): void {
    this.remembered.clear();
  }

  /**
   * Positions for `elements` after a change from the drawing whose leaves stood at `drawn`;
   * `before` says what an element was then. Leaves no longer drawn are remembered.
   */
  follow(elements: readonly GraphElement[], next: ReadonlyMap<string, GraphElement>, drawn: ReadonlyMap<string, Point>, before: (id: string) => GraphElement | undefined, options: LayoutOptions): Moved {
    const staying = stayingPositions(elements, next, drawn, before);
    const returning = this.returningPositions(elements, staying);
    // One map, added to in place: at 10k pods each copy of it is 60k entries (issue 14).
    const positions = staying;
    for (const [id, point] of returning) positions.set(id, point);
    const placement = placeNewNodes(elements, positions, options);
    for (const [id, point] of drawn) {
      if (next.has(id)) continue;
      const was = before(id);
      this.remembered.delete(id);
      this.remembered.set(id, { point, parent: was?.group === 'nodes' ? was.data.parent : undefined });
    }
    // A long live session removes pods for ever: forget the oldest beyond a bound.
    for (const id of this.remembered.keys()) {
      if (this.remembered.size <= maxRemembered) break;
      this.remembered.delete(id);
    }
    for (const [id, point] of placement.positions) positions.set(id, point);
    return { positions, overlapping: placement.overlapping };
  }

  /**
   * Remembered places of leaves drawn again under the same parent, when the place is still free:
   * no staying leaf's box overlaps theirs (a new pod may have taken the gap meanwhile).
   */
  private returningPositions(elements: readonly GraphElement[], staying: ReadonlyMap<string, Point>): Map<string, Point> {
    const returning = new Map<string, Point>();
    if (this.remembered.size === 0) return returning;
    const boxAt = (data: GraphNodeData, p: Point): Box => {
      const halfW = (data.width ?? 0) / 2;
      const halfH = (data.height ?? 0) / 2;
      return { x1: p.x - halfW, y1: p.y - halfH, x2: p.x + halfW, y2: p.y + halfH };
    };
    const boxes: Box[] = [];
    for (const element of elements) {
      const p = element.group === 'nodes' ? staying.get(element.data.id) : undefined;
      if (p && element.group === 'nodes') boxes.push(boxAt(element.data, p));
    }
    for (const element of elements) {
      if (element.group !== 'nodes' || staying.has(element.data.id)) continue;
      const memory = this.remembered.get(element.data.id);
      if (!memory || memory.parent !== element.data.parent) continue;
      const box = boxAt(element.data, memory.point);
      if (boxes.some((b) => box.x1 < b.x2 && b.x1 < box.x2 && box.y1 < b.y2 && b.y1 < box.y2)) continue;
      returning.set(element.data.id, memory.point);
    }
    return returning;
  }
}

/**
 * Leaves drawn before that keep their place: every leaf of the new graph that had a position
 * and whose parents are unchanged all the way up. A leaf that now has children (a host's first
 * pod) is included, so that its contents go where it stood.
 */
function stayingPositions(elements: readonly GraphElement[], next: ReadonlyMap<string, GraphElement>, drawn: ReadonlyMap<string, Point>, before: (id: string) => GraphElement | undefined): Map<string, Point> {
  const staying = new Map<string, Point>();
  const hasMoved = new Map<string, boolean>();
  const moved = (id: string): boolean => {
    const known = hasMoved.get(id);
    if (known !== undefined) return known;
    const element = next.get(id);
    const old = before(id);
    let result = true;
    if (element?.group === 'nodes' && old?.group === 'nodes') {
      const parent = element.data.parent;
      result = parent !== old.data.parent || (parent !== undefined && moved(parent));
    }
    hasMoved.set(id, result);
    return result;
  };
  for (const element of elements) {
    if (element.group !== 'nodes') continue;
    const position = drawn.get(element.data.id);
    if (!position || moved(element.data.id)) continue;
    staying.set(element.data.id, position);
  }
  return staying;
}
