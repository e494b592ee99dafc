import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { elementCollections, type ElementCollection, type Id, type ModelElement, type Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from './derive.ts';
import { applyDelta, collectionHolding, diff, isEqual, mergeDeltas } from './diff.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = (): Topology => derive(snapshot.objects, snapshot.source);

type Elements = Record<Id, ModelElement>;
const elementsOf = (t: Topology, c: ElementCollection) => t[c] as Elements;
const sorted = (ids: Iterable<Id>) => [...ids].sort();

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

/** Every object or array inside `value` (itself included), with the parent path, skipping the
 * element's `id` and `kind`, which name it rather than describe it. */
function containers(value: unknown, out: unknown[] = []): unknown[] {
  if (typeof value !== 'object' || value === null) return out;
  out.push(value);
  for (const [key, child] of Object.entries(value)) if (key !== 'id' && key !== 'kind') containers(child, out);
  return out;
}

/** Changes `element` in place so that it is no longer structurally equal to what it was. */
function mutate(element: ModelElement, rng: () => number, n: number): void {
  const target = pick(rng, containers(element));
  if (Array.isArray(target)) {
    const roll = target.length > 0 ? rng() : 1;
    if (roll < 0.5) {
      const i = Math.floor(rng() * target.length);
      const old: unknown = target[i];
      target[i] = typeof old === 'string' ? `${old}~` : typeof old === 'number' ? old + 1 : `changed-${n}`;
    } else if (roll < 0.75) {
      target.pop();
    } else {
      target.push(`pushed-${n}`);
    }
    return;
  }
  const record = target as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => k !== 'id' && k !== 'kind' && record[k] !== undefined);
  const roll = rng();
  if (keys.length === 0 || roll < 0.15) {
    record[`extra-${n}`] = n;
  } else if (roll < 0.3) {
    delete record[pick(rng, keys)];
  } else {
    const key = pick(rng, keys);
    const old = record[key];
    if (typeof old === 'string') record[key] = `${old}~`;
    else if (typeof old === 'number') record[key] = old + 1;
    else if (typeof old === 'boolean') record[key] = !old;
    else if (old === null) record[key] = `was-null-${n}`;
    else record[key] = null; // an object or array replaced wholesale
  }
}

describe('isEqual', () => {
  test.each<[unknown, unknown, boolean]>([
    [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: undefined }, {}, true],
    [{ a: null }, {}, false],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: 1, b: 2 }, { a: 1, c: 2 }, false],
    [[1, 2], [2, 1], false],
    [[1, 2], [1, 2, 3], false],
    [[], {}, false],
    [{}, [], false],
    [{ 0: 'a' }, ['a'], false],
    [null, {}, false],
    [null, null, true],
    ['1', 1, false],
    [0, -0, true],
    [{ a: { b: { c: [true] } } }, { a: { b: { c: [false] } } }, false],
    [{ a: { b: 1 } }, { a: 'b' }, false],
    [{ a: 'b' }, { a: { b: 1 } }, false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(isEqual(a, b)).toBe(expected);
    expect(isEqual(b, a)).toBe(expected);
  });
});

describe('diff', () => {
  test('a re-derived topology (all new objects, same content) is no change', () => {
    const delta = diff(demo(), demo(), 7);
    expect(delta).toEqual({ seq: 7, added: [], updated: [], removed: [] });
    expect('cluster' in delta).toBe(false);
  });

  test('a pod deleted from the cluster removes it, its containers and veth, and updates what pointed at it', () => {
    const before = demo();
    const [gone, ...rest] = snapshot.objects.pods.filter((p) => !p.spec.hostNetwork && p.metadata.namespace !== 'kube-system');
    if (!gone) throw new Error('the demo has application pods');
    const after = derive({ ...snapshot.objects, pods: snapshot.objects.pods.filter((p) => p !== gone) }, snapshot.source);
    const delta = diff(before, after, 1);
    const uid = gone.metadata.uid;
    const id = `pod:${uid}`;
    expect(delta.removed).toEqual(expect.arrayContaining([id, `veth:${uid}`, ...gone.spec.containers.map((c) => `ctr:${uid}/${c.name}`)]));
    // Removed ids come children first: containers and veths before their pod.
    expect(delta.removed.indexOf(`veth:${uid}`)).toBeLessThan(delta.removed.indexOf(id));
    expect(delta.added).toEqual([]);
    // An endpoint that named the pod now names none.
    for (const element of delta.updated) if (element.kind === 'endpoint') expect(element.pod).toBeNull();
    expect(rest.length).toBeGreaterThan(0);
    expect(applyDelta(before, delta)).toStrictEqual(after);
  });

  test('cluster is in the delta only when it changed', () => {
    const a = demo();
    const b = { ...a, cluster: { ...a.cluster, proxyMode: { ...a.cluster.proxyMode, value: 'ipvs' as const } } };
    expect(diff(a, b, 1).cluster).toBe(b.cluster);
    expect('cluster' in diff(a, { ...a, cluster: structuredClone(a.cluster) }, 1)).toBe(false);
  });

  test('collections shared between the two topologies are not looked into', () => {
    const a = demo();
    const pods = { ...a.pods };
    const first = Object.keys(pods)[0] as Id;
    pods[first] = { ...(pods[first] as Topology['pods'][Id]), phase: 'Failed' };
    // A Proxy on a shared collection would throw if diff enumerated it.
    const trap = new Proxy(a.services, { ownKeys: () => { throw new Error('enumerated a shared collection'); } });
    const shared = { ...a, services: trap };
    expect(diff(shared, { ...shared, pods }, 1).updated.map((e) => e.id)).toEqual([first]);
  });

  test('random changes to the demo: the delta names exactly what changed, and applying it gives the new topology', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = random(seed);
      const a = demo();
      const frozen = JSON.stringify(a);
      // Through JSON, not structuredClone: derive shares some arrays between records (a pod's
      // ips are its veth's podEnd.addresses), and a clone that kept the sharing would let one
      // mutation below change two elements.
      const b = JSON.parse(frozen) as Topology;
      const expected = { added: new Set<Id>(), updated: new Set<Id>(), removed: new Set<Id>() };
      const all = () => elementCollections.flatMap((c) => Object.keys(elementsOf(b, c)).map((id) => [c, id] as const));

      const changes = 1 + Math.floor(rng() * 12);
      for (let n = 0; n < changes; n++) {
        const [collection, id] = pick(rng, all());
        const elements = elementsOf(b, collection);
        const roll = rng();
        if (roll < 0.25) {
          delete elements[id];
          if (expected.added.has(id)) expected.added.delete(id);
          else expected.removed.add(id);
          expected.updated.delete(id);
        } else if (roll < 0.5) {
          // A new element: a copy of an existing one under a new id with the same prefix.
          const copy = structuredClone(elements[id] as ModelElement);
          copy.id = `${id}~new-${n}`;
          elements[copy.id] = copy;
          expected.added.add(copy.id);
        } else {
          const element = elements[id] as ModelElement;
          const before = JSON.stringify(element);
          mutate(element, rng, n);
          // The oracle: no key was reordered, so a changed element serializes differently.
          expect(JSON.stringify(element)).not.toBe(before);
          if (!expected.added.has(id)) expected.updated.add(id);
        }
      }
      // Some mutations may cancel out (push then pop): the oracle is a's own serialization.
      for (const id of expected.updated) {
        const collection = elementCollections.find((c) => Object.hasOwn(elementsOf(a, c), id)) as ElementCollection;
        if (JSON.stringify(elementsOf(a, collection)[id]) === JSON.stringify(elementsOf(b, collection)[id])) expected.updated.delete(id);
      }
      const isClusterChanged = rng() < 0.3;
      if (isClusterChanged) b.cluster.podCIDRs.push(`10.${seed % 256}.0.0/16`);

      const delta = diff(a, b, seed);
      const context = `seed ${seed}`;
      expect(sorted(delta.added.map((e) => e.id)), context).toEqual(sorted(expected.added));
      expect(sorted(delta.updated.map((e) => e.id)), context).toEqual(sorted(expected.updated));
      expect(sorted(delta.removed), context).toEqual(sorted(expected.removed));
      expect(delta.cluster !== undefined, context).toBe(isClusterChanged);

      const applied = applyDelta(a, delta);
      expect(applied, context).toStrictEqual(b);
      expect(JSON.stringify(a), `${context}: applyDelta must not modify its input`).toBe(frozen);
      expect(diff(applied, b, seed + 1), context).toEqual({ seq: seed + 1, added: [], updated: [], removed: [] });
      // Collections the delta did not touch are the input's own objects.
      const touched = new Set([...delta.added, ...delta.updated].map((e) => e.kind));
      for (const collection of elementCollections) {
        const isTouched =
          Object.values(elementsOf(a, collection)).some((e) => delta.removed.includes(e.id)) ||
          Object.values(elementsOf(applied, collection)).some((e) => touched.has(e.kind));
        if (!isTouched) expect(applied[collection], `${context}: ${collection}`).toBe(a[collection]);
      }
    }
  });
});

describe('applyDelta', () => {
  test('removes by id prefix, falls back to searching for an id outside the scheme, ignores unknown ids', () => {
    const a = demo();
    const odd: ModelElement = { id: 'custom-thing', kind: 'external', name: 'Partner VPN' };
    const withOdd = applyDelta(a, { seq: 1, added: [odd], updated: [], removed: [] });
    expect(withOdd.external['custom-thing']).toBe(odd);

    const removed = applyDelta(withOdd, { seq: 2, added: [], updated: [], removed: ['custom-thing', 'pod:no-such-uid', 'weird:thing'] });
    expect(removed.external['custom-thing']).toBeUndefined();
    expect(removed).toStrictEqual(a);
    // Nothing to remove from pods: the collection is not even copied.
    expect(removed.pods).toBe(a.pods);
  });

  test('an element of unknown kind is an error, not a silent drop', () => {
    const bogus = { id: 'x:1', kind: 'router', name: 'r' } as unknown as ModelElement;
    expect(() => applyDelta(demo(), { seq: 1, added: [bogus], updated: [], removed: [] })).toThrow(/unknown kind "router"/);
  });
});

describe('mergeDeltas', () => {
  /** A random next state of `t`: elements removed, added (copies under new ids, some re-adding a removed id) and changed. */
  function changeOf(t: Topology, rng: () => number, step: number, gone: Map<Id, ModelElement>): Topology {
    const b = JSON.parse(JSON.stringify(t)) as Topology;
    const all = () => elementCollections.flatMap((c) => Object.keys(elementsOf(b, c)).map((id) => [c, id] as const));
    for (let n = 0; n < 1 + Math.floor(rng() * 6); n++) {
      const [collection, id] = pick(rng, all());
      const elements = elementsOf(b, collection);
      const roll = rng();
      if (roll < 0.25) {
        gone.set(id, elements[id]!);
        delete elements[id];
      } else if (roll < 0.4 && gone.size > 0) {
        // Something removed earlier comes back (a pod recreated under its old name).
        const [back, element] = pick(rng, [...gone]);
        gone.delete(back);
        elementsOf(b, collectionHolding(b, back) ?? collection)[back] = element;
      } else if (roll < 0.6) {
        const copy = structuredClone(elements[id]!);
        copy.id = `${id}~new-${step}-${n}`;
        elements[copy.id] = copy;
      } else {
        mutate(elements[id]!, rng, n);
      }
    }
    if (rng() < 0.2) b.cluster.podCIDRs.push(`10.${step % 256}.0.0/16`);
    return b;
  }

  test("chains of random changes: the merged delta makes what applying each in turn makes, in diff's order", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const rng = random(seed);
      const start = demo();
      const gone = new Map<Id, ModelElement>();
      const deltas = [];
      let current = start;
      let byEach = start;
      for (let step = 1; step <= 2 + Math.floor(rng() * 6); step++) {
        const next = changeOf(current, rng, step, gone);
        const delta = diff(current, next, step);
        deltas.push(delta);
        byEach = applyDelta(byEach, delta);
        current = next;
      }
      const merged = mergeDeltas(deltas);
      const context = `seed ${seed}`;
      expect(applyDelta(start, merged), context).toStrictEqual(byEach);
      expect(merged.seq, context).toBe(deltas.length);
      // What a consumer may rely on: added are new to the start, removed and updated were there.
      for (const element of merged.added) expect(collectionHolding(start, element.id), `${context}: added ${element.id}`).toBeNull();
      for (const element of merged.updated) expect(collectionHolding(start, element.id), `${context}: updated ${element.id}`).not.toBeNull();
      const ids = [...merged.added.map((e) => e.id), ...merged.updated.map((e) => e.id), ...merged.removed];
      expect(new Set(ids).size, `${context}: each id once`).toBe(ids.length);
      // Parents first when adding, children first when removing, as diff orders them.
      const rank = (id: Id) => elementCollections.indexOf(collectionHolding(start, id) ?? collectionHolding(byEach, id)!);
      for (const list of [merged.added, merged.updated]) {
        const ranks = list.map((e) => rank(e.id));
        expect(ranks, context).toEqual([...ranks].sort((a, b) => a - b));
      }
      const removed = merged.removed.map(rank);
      expect(removed, context).toEqual([...removed].sort((a, b) => b - a));
    }
  });

  test('one delta is itself', () => {
    const delta = { seq: 3, added: [], updated: [], removed: ['pod:a/b'] };
    expect(mergeDeltas([delta])).toBe(delta);
  });
});
