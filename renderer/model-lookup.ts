import { elementCollections, type Id, type ModelElement, type Topology } from '../shared/model/types.ts';

/** The model element with this id, whatever its collection. */
export function modelElement(topology: Topology, id: Id | null | undefined): ModelElement | null {
  if (!id) return null;
  for (const collection of elementCollections) {
    const element = (topology[collection] as Record<Id, ModelElement>)[id];
    if (element) return element;
  }
  return null;
}
