/**
 * Which element index draws a topology (design §6: deltas all the way down): the drawn one moved
 * along the deltas that made the new topology from the drawn one, when there is such a chain and
 * the grouping and filters are the same; else a new one, built whole.
 */
import { isFiltering, type GraphFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { deltasBetween } from '../state/cluster.ts';
import { GraphElementIndex } from './element-index.ts';
import type { GraphElement, Grouping } from './element-types.ts';

/**
 * The element index for `topology`: the current one moved along the deltas that made it, when
 * it can be (the same grouping and filters, and a chain of deltas from the drawn topology),
 * else a new one. `before` answers what an element was at the last draw; `isShapeKept`, that no
 * node came, went, changed parent or size, so every position stays as it is.
 */
export function followTopology(current: GraphElementIndex | null, topology: Topology, grouping: Grouping, filters: GraphFilters): Followed {
  const isSameScene = current !== null && current.grouping === grouping && sameFilters(current.filters, filters);
  if (current && isSameScene && current.topology === topology) return { index: current, before: (id) => current.byId.get(id), isShapeKept: true };
  const was = new Map<string, GraphElement | undefined>();
  const before = (id: string): GraphElement | undefined => (was.has(id) ? was.get(id) : current?.byId.get(id));
  const steps = current && isSameScene ? deltasBetween(current.topology, topology, followLimit(current.list.length)) : null;
  if (current && steps) {
    let isFollowed = true;
    let isShapeKept = true;
    for (const step of steps) {
      const change = current.update(step.topology, step.delta);
      if (!change) {
        isFollowed = false;
        break;
      }
      for (const [id, element] of change.before) if (!was.has(id)) was.set(id, element);
      for (const element of change.added) if (!was.has(element.data.id)) was.set(element.data.id, undefined);
      isShapeKept &&= change.added.every((e) => e.group === 'edges') && change.removed.every((id) => change.before.get(id)?.group === 'edges') && change.updated.every((e) => isSameShape(e, change.before.get(e.data.id)));
    }
    if (isFollowed) return { index: current, before, isShapeKept };
  }
  // The old index is not touched again, so `before` can go on reading it.
  return { index: new GraphElementIndex(topology, grouping, filters), before, isShapeKept: false };
}

/**
 * The most deltas followed rather than building anew: following one costs about what building
 * five elements does, so a long chain still beats a whole build of a large graph. A fixed limit
 * (64) made a busy page that fell a second behind at 100 events/s rebuild everything, fall
 * further behind, and never catch up (issue 14's watch benchmark).
 */
export function followLimit(elements: number): number {
  return Math.max(64, Math.ceil(elements / 8));
}

export interface Followed {
  index: GraphElementIndex;
  before: (id: string) => GraphElement | undefined;
  isShapeKept: boolean;
}

/** Whether a node keeps its place in the layout: the same parent and size (edges always do). */
function isSameShape(element: GraphElement, before: GraphElement | undefined): boolean {
  if (element.group === 'edges') return true;
  if (before?.group !== 'nodes') return false;
  return element.data.parent === before.data.parent && element.data.width === before.data.width && element.data.height === before.data.height;
}

export function sameFilters(a: GraphFilters, b: GraphFilters): boolean {
  return a === b || (!isFiltering(a) && !isFiltering(b)) || JSON.stringify(a) === JSON.stringify(b);
}
