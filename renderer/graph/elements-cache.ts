import type { Topology } from '../../shared/model/types.ts';
import type { GraphElement, Grouping } from './element-types.ts';
import { toGraphElements } from './elements.ts';

type Entry = { list: GraphElement[]; byId: Map<string, GraphElement> };
const cache = new WeakMap<Topology, Partial<Record<Grouping, Entry>>>();

/** toGraphElements, computed once per topology object and grouping (the canvas and the panels share it). */
export function graphElementsOf(topology: Topology, grouping: Grouping = 'node'): Entry {
  let entries = cache.get(topology);
  if (!entries) {
    entries = {};
    cache.set(topology, entries);
  }
  let entry = entries[grouping];
  if (!entry) {
    const list = toGraphElements(topology, grouping);
    entry = { list, byId: new Map(list.map((e) => [e.data.id, e])) };
    entries[grouping] = entry;
  }
  return entry;
}
