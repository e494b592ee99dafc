/**
 * diff(a, b) → the delta that turns model `a` into model `b` (design §6), and applyDelta, its
 * inverse. Records are plain JSON data (types.ts), so equality is structural.
 *
 * Which collection an element belongs to:
 * - added and updated elements carry their `kind`, which names the collection;
 * - removed ids are bare, so the id's prefix names it (`pod:` → pods, `ctr:` → containers, the
 *   scheme in types.ts); an id whose prefix is not in that scheme is looked for in every
 *   collection. The prefix is one lookup instead of eleven, and ids are built by ids.ts alone.
 */
import type { TopologyDelta } from '../model/delta.ts';
import { elementCollections, type ElementCollection, type Id, type ModelElement, type Topology } from '../model/types.ts';

const collectionOfKind: Record<ModelElement['kind'], ElementCollection> = {
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
  gateway: 'gateways',
  httproute: 'httpRoutes',
  adminpolicy: 'adminPolicies',
  cnipolicy: 'cniPolicies',
};

const collectionOfPrefix = new Map<string, ElementCollection>([
  ['ns', 'namespaces'],
  ['node', 'hosts'],
  ['dev', 'devices'],
  ['pod', 'pods'],
  ['ctr', 'containers'],
  ['veth', 'veths'],
  ['svc', 'services'],
  ['ep', 'endpoints'],
  ['ing', 'ingresses'],
  ['netpol', 'policies'],
  ['ext', 'external'],
  ['gw', 'gateways'],
  ['httproute', 'httpRoutes'],
  ['anp', 'adminPolicies'],
  ['banp', 'adminPolicies'],
  ['cnp', 'adminPolicies'],
  ['calnp', 'cniPolicies'],
  ['calgnp', 'cniPolicies'],
  ['caltier', 'cniPolicies'],
  ['ciliumnp', 'cniPolicies'],
  ['ciliumccnp', 'cniPolicies'],
]);

type Elements = Record<Id, ModelElement>;

/**
 * What changed from `a` to `b`, stamped `seq`: elements only in `b` are added, only in `a`
 * removed (by id), in both but not structurally equal updated. `cluster` is present only when
 * it changed. Added and updated elements come in `elementCollections` order (namespaces and
 * hosts before the pods inside them); removed ids in the reverse order (containers before
 * their pods), so a consumer that adds parents first and removes children first can apply the
 * lists in order. A collection that is the same object in both (structural sharing after
 * applyDelta) is skipped without a look.
 */
export function diff(a: Topology, b: Topology, seq: number): TopologyDelta {
  const added: ModelElement[] = [];
  const updated: ModelElement[] = [];
  const removed: Id[] = [];
  for (const collection of elementCollections) {
    const before = a[collection] as Elements;
    const after = b[collection] as Elements;
    if (before === after) continue;
    for (const id in after) {
      const next = after[id] as ModelElement;
      if (!Object.hasOwn(before, id)) added.push(next);
      else if (!isEqual(before[id], next)) updated.push(next);
    }
  }
  for (let i = elementCollections.length - 1; i >= 0; i--) {
    const collection = elementCollections[i] as ElementCollection;
    const before = a[collection] as Elements;
    const after = b[collection] as Elements;
    if (before === after) continue;
    for (const id in before) if (!Object.hasOwn(after, id)) removed.push(id);
  }
  const delta: TopologyDelta = { seq, added, updated, removed };
  if (!isEqual(a.cluster, b.cluster)) delta.cluster = b.cluster;
  return delta;
}

/**
 * A new topology: `topology` with the delta applied (removals first, then additions and
 * updates, both of which set the element under its id). `topology` is not modified; the
 * collections the delta does not touch are shared with it, so `===` tells a consumer which
 * collections changed. A removed id that is not there is ignored.
 */
export function applyDelta(topology: Topology, delta: TopologyDelta): Topology {
  const removedFrom = new Map<ElementCollection, Set<Id>>();
  for (const id of delta.removed) {
    const collection = collectionHolding(topology, id);
    if (!collection) continue;
    let ids = removedFrom.get(collection);
    if (!ids) removedFrom.set(collection, (ids = new Set()));
    ids.add(id);
  }
  const setIn = new Map<ElementCollection, ModelElement[]>();
  for (const element of [...delta.added, ...delta.updated]) {
    const collection = collectionOfKind[element.kind];
    if (!collection) throw new Error(`applyDelta: element ${String(element.id)} has unknown kind "${String(element.kind)}"`);
    let elements = setIn.get(collection);
    if (!elements) setIn.set(collection, (elements = []));
    elements.push(element);
  }

  const next: Topology = { ...topology, cluster: delta.cluster ?? topology.cluster };
  for (const collection of elementCollections) {
    const removed = removedFrom.get(collection);
    const elements = setIn.get(collection);
    if (!removed && !elements) continue;
    // Copied key by key rather than spread-then-delete: faster on 150k-element collections,
    // and `delete` would leave the copy in V8's slow dictionary mode.
    const source = topology[collection] as Elements;
    const copy: Elements = {};
    for (const id in source) if (!removed?.has(id)) copy[id] = source[id] as ModelElement;
    for (const element of elements ?? []) copy[element.id] = element;
    (next as unknown as Record<ElementCollection, Elements>)[collection] = copy;
  }
  return next;
}

/**
 * One delta with the effect of applying `deltas` in turn (each one's removals, then its additions
 * and updates), so that a consumer that fell behind copies each collection once (issue 14): an
 * element added then removed is in no list, one removed then added is updated, one added then
 * updated is added as it ended. The lists keep diff's order by collection; the seq is the last
 * delta's and the cluster the last one given.
 */
export function mergeDeltas(deltas: readonly TopologyDelta[]): TopologyDelta {
  if (deltas.length === 1) return deltas[0]!;
  const ends = new Map<Id, ModelElement | null>();
  const wasAdded = new Set<Id>();
  let cluster: TopologyDelta['cluster'];
  for (const delta of deltas) {
    for (const id of delta.removed) {
      if (wasAdded.delete(id)) ends.delete(id);
      else ends.set(id, null);
    }
    for (const element of delta.added) {
      if (!ends.has(element.id)) wasAdded.add(element.id);
      ends.set(element.id, element);
    }
    for (const element of delta.updated) ends.set(element.id, element);
    cluster = delta.cluster ?? cluster;
  }
  const rank = new Map(elementCollections.map((c, i) => [c, i]));
  const rankOf = (id: Id, element: ModelElement | null): number => {
    const collection = element ? collectionOfKind[element.kind] : collectionOfPrefix.get(id.slice(0, id.indexOf(':')));
    return collection ? rank.get(collection)! : elementCollections.length;
  };
  const byCollection = (a: [Id, ModelElement | null], b: [Id, ModelElement | null]): number => rankOf(a[0], a[1]) - rankOf(b[0], b[1]);
  const entries = [...ends].sort(byCollection);
  const merged: TopologyDelta = {
    seq: deltas.at(-1)!.seq,
    added: entries.flatMap(([id, element]) => (element && wasAdded.has(id) ? [element] : [])),
    updated: entries.flatMap(([id, element]) => (element && !wasAdded.has(id) ? [element] : [])),
    removed: entries.flatMap(([id, element]) => (element ? [] : [id])).reverse(),
  };
  if (cluster) merged.cluster = cluster;
  return merged;
}

/** The collection that holds `id`, from its prefix, else by looking in each; null if none. */
export function collectionHolding(topology: Topology, id: Id): ElementCollection | null {
  const colon = id.indexOf(':');
  const byPrefix = colon > 0 ? collectionOfPrefix.get(id.slice(0, colon)) : undefined;
  if (byPrefix) return Object.hasOwn(topology[byPrefix], id) ? byPrefix : null;
  return elementCollections.find((collection) => Object.hasOwn(topology[collection], id)) ?? null;
}

/**
 * Structural equality of plain JSON data: objects by own keys regardless of order, arrays by
 * position. A key whose value is `undefined` counts as absent, as it does once serialized.
 * Not for class instances, Maps, Dates or cycles — model records have none.
 */
export function isEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const value: unknown = a[i];
      const other: unknown = b[i];
      if (value !== other && !isEqual(value, other)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // Count x's defined keys while comparing them, then count y's down: equal only if y has
  // no defined key that x lacks.
  let keys = 0;
  for (const key in x) {
    const value = x[key];
    if (value === undefined) continue;
    keys++;
    if (value !== y[key] && (typeof value !== 'object' || !isEqual(value, y[key]) || !Object.hasOwn(y, key))) return false;
  }
  for (const key in y) if (y[key] !== undefined && --keys < 0) return false;
  return keys === 0;
}
