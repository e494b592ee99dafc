import type { Topology } from '../../shared/model/types.ts';
import { toGraphElements, type GraphElement } from './elements.ts';

const cache = new WeakMap<Topology, { list: GraphElement[]; byId: Map<string, GraphElement> }>();

/** toGraphElements, computed once per topology object (the canvas and the panels share it). */
export function graphElementsOf(topology: Topology): { list: GraphElement[]; byId: Map<string, GraphElement> } {
  let entry = cache.get(topology);
  if (!entry) {
    const list = toGraphElements(topology);
    entry = { list, byId: new Map(list.map((e) => [e.data.id, e])) };
    cache.set(topology, entry);
  }
  return entry;
}
