import type { TopologyDelta } from '../../shared/model/delta.ts';
import type { ElementCollection, ModelElement, Topology } from '../../shared/model/types.ts';

const collectionOf: Record<ModelElement['kind'], ElementCollection> = {
  namespace: 'namespaces',
  host: 'hosts',
  device: 'devices',
  pod: 'pods',
  container: 'containers',
  veth: 'veths',
  service: 'services',
  endpoint: 'endpoints',
  ingress: 'ingresses',
  policy: 'policies',
  external: 'external',
};

/**
 * A new topology with the delta applied. Collections the delta does not touch keep their
 * identity, so consumers can compare them with `===`.
 */
export function applyDelta(topology: Topology, delta: TopologyDelta): Topology {
  const next: Topology = { ...topology, cluster: delta.cluster ?? topology.cluster };
  const copied = new Set<ElementCollection>();
  const writable = (collection: ElementCollection): Record<string, ModelElement> => {
    if (!copied.has(collection)) {
      (next as unknown as Record<ElementCollection, Record<string, ModelElement>>)[collection] = { ...topology[collection] };
      copied.add(collection);
    }
    return next[collection] as Record<string, ModelElement>;
  };
  for (const element of [...delta.added, ...delta.updated]) writable(collectionOf[element.kind])[element.id] = element;
  for (const id of delta.removed) {
    for (const collection of Object.values(collectionOf)) {
      if (Object.hasOwn(next[collection], id)) delete writable(collection)[id];
    }
  }
  return next;
}
