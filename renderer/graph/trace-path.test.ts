import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { PodRecord } from '../../shared/model/types.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { trace } from '../../shared/trace/trace.ts';
import type { Trace } from '../../shared/trace/types.ts';
import { toGraphElements } from './elements.ts';
import { pathHops, placeIn, placeSteps, stepLabel, type PathHop, type Place } from './trace-path.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);
// The whole demo drawn by node, as the canvas draws it when nothing is folded.
const drawn = new Map(toGraphElements(demo).map((e) => [e.data.id, e]));
const place = placeIn(drawn);

const pod = (namespace: string, prefix: string): PodRecord => {
  const found = Object.values(demo.pods).find((p) => p.namespace === namespace && p.name.startsWith(prefix) && p.isReady && p.phase === 'Running');
  if (!found) throw new Error(`no ready pod ${namespace}/${prefix}… in the demo`);
  return found;
};
const frontend = pod('shop', 'frontend-');
const echo = pod('default', 'echo-');
const bridgeOf = (p: PodRecord) => `dev:${p.host!.slice('node:'.length)}/bridge`;
const steps = (t: Trace, branch = t.branches[0] ?? null) => placeSteps(pathHops(t, branch), place);

describe('pathHops: the hops in the panel\'s order, and the one that decides a failure', () => {
  test('a delivered lookup and connection: the lookup\'s hops first, then the path, then the branch, numbered on', () => {
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'backend.shop' });
    expect(t.verdict).toBe('delivered');
    const branch = t.branches[1]!;
    const hops = pathHops(t, branch);
    const lookup = t.dns!.hops.length;
    expect(hops.map((h) => h.number)).toEqual(Array.from({ length: lookup + t.hops.length + branch.hops.length }, (_, i) => i + 1));
    expect(hops.map((h) => h.ids)).toEqual([...t.dns!.hops, ...t.hops, ...branch.hops].map((h) => h.ids));
    // The lookup's hops and the path's one-hop summary of it are DNS; the rest is the data path.
    expect(hops.filter((h) => h.isDns).map((h) => h.number)).toEqual([...Array.from({ length: lookup }, (_, i) => i + 1), lookup + 1]);
    expect(hops.some((h) => h.isDeciding)).toBe(false);
  });

  test('an egress denial is decided by its policy check; the path goes on to the ingress check, a later blocker, its last hop', () => {
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'shop/db-0', port: 5432 });
    expect(t.verdict).toBe('policy-denied');
    const hops = pathHops(t, null);
    expect(hops).toHaveLength(t.hops.length);
    expect(hops.filter((h) => h.isDeciding)).toEqual([hops.find((h) => h.isCheck)]);
    expect(hops.filter((h) => h.isBlocker)).toEqual([hops.at(-1)]);
    expect(hops.at(-1)).toMatchObject({ isCheck: true, isDns: false, isDeciding: false });
  });

  test('a blocked lookup is decided by its own last hop; the connection traced on after it, which nothing else blocks, is not drawn', () => {
    const withoutDns = Object.values(demo.policies).filter((p) => p.name !== 'allow-dns-egress');
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'backend.shop' }, { policies: withoutDns });
    expect(t.dns?.status).toBe('policy-denied');
    expect(t.isDnsAssumed).toBe(true);
    expect(t.hops.length).toBeGreaterThan(1);
    const hops = pathHops(t, t.branches[0]!);
    expect(hops.map((h) => h.ids)).toEqual(t.dns!.hops.map((h) => h.ids));
    expect(hops.filter((h) => h.isDeciding).map((h) => h.number)).toEqual([t.dns!.hops.length]);
    expect(hops.every((h) => h.isDns)).toBe(true);
  });

  test('a branch decides for itself: a denied branch is cut at its end, the trunk is never deciding', () => {
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'svc/shop/backend' });
    const branch = { ...t.branches[0]!, verdict: 'no-route' as const };
    const hops = pathHops(t, branch);
    expect(hops.filter((h) => h.isDeciding).map((h) => h.number)).toEqual([(t.dns?.hops.length ?? 0) + t.hops.length + branch.hops.length]);
    expect(pathHops(t, t.branches[0]!).some((h) => h.isDeciding)).toBe(false);
  });

  test('a target that is not there draws nothing', () => {
    expect(pathHops(trace(demo, { from: `shop/${frontend.name}`, to: 'nothing-here.shop' }), null)).toEqual([]);
  });
});

describe('placeSteps on the drawn demo', () => {
  test('every step is at a drawn node, never a container, and no two steps in a row at the same one', () => {
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'backend.shop' });
    for (const branch of t.branches) {
      const placed = steps(t, branch);
      for (const step of placed) {
        const element = drawn.get(step.anchor);
        expect(element?.group).toBe('nodes');
        expect(element?.data.kind).not.toBe('container');
      }
      for (let i = 1; i < placed.length; i++) expect(placed[i]!.anchor).not.toBe(placed[i - 1]!.anchor);
      // The hop numbers read in order along the path.
      const numbers = placed.flatMap((s) => s.hops);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(placed.at(-1)!.anchor).toBe(branch.pod);
    }
  });

  test('the lookup goes to kube-dns and its answer comes back to the pod, dashed; then the packet leaves by the bridge', () => {
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'backend.shop' });
    const placed = steps(t);
    const lookup = t.dns!.hops.length;
    expect(placed.slice(0, 4).map((s) => [s.anchor, s.style, s.arrival])).toEqual([
      [frontend.id, 'dns', null],
      ['svc:kube-system/kube-dns', 'dns', 'dns'],
      // The answer (the path's summary hop), then the connection's first hops in the same pod.
      [frontend.id, 'data', 'dns'],
      [bridgeOf(frontend), 'data', 'data'],
    ]);
    expect(placed[1]!.hops).toEqual(Array.from({ length: lookup - 1 }, (_, i) => i + 2));
    expect(placed[2]!.hops[0]).toBe(lookup + 1);
  });

  test('by namespace, where no veth is drawn: the path goes pod to bridge, never through a node\'s box', () => {
    const byNamespace = new Map(toGraphElements(demo, 'namespace').map((e) => [e.data.id, e]));
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'backend.shop' });
    for (const branch of t.branches) {
      const placed = placeSteps(pathHops(t, branch), placeIn(byNamespace));
      expect(placed.map((s) => byNamespace.get(s.anchor)?.data.kind)).not.toContain('host');
      expect(placed.at(-1)!.anchor).toBe(branch.pod);
    }
  });

  test('an egress denial: out of the pod to its bridge, and the ✕ there, where the check is made', () => {
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'shop/db-0', port: 5432 });
    const placed = steps(t);
    expect(placed.map((s) => [s.anchor, s.style])).toEqual([
      [frontend.id, 'data'],
      [bridgeOf(frontend), 'denied'],
    ]);
    // db-0 is on the same node: its ingress check, denied too, is at the same bridge.
    expect(placed.map(stepLabel)).toEqual(['1–2', '3–6 ✕']);
  });

  test('a lookup blocked, then egress and ingress: ✕ at the lookup, a smaller × at each later blocker, drawn up to the last', () => {
    const withoutDns = Object.values(demo.policies).filter((p) => p.name !== 'allow-dns-egress');
    const t = trace(demo, { from: `shop/${frontend.name}`, to: 'db.shop', port: 5432 }, { policies: withoutDns });
    const branch = t.branches.find((b) => b.node !== frontend.host)!;
    const db = demo.pods[branch.pod!]!;
    const hops = pathHops(t, branch);
    expect(hops.filter((h) => h.isDeciding).map((h) => h.number)).toEqual([t.dns!.hops.length]);
    expect(hops.filter((h) => h.isBlocker)).toHaveLength(2);
    expect(hops.at(-1)).toMatchObject({ isBlocker: true, isCheck: true });
    const placed = steps(t, branch);
    expect(placed.filter((s) => s.style === 'denied').map((s) => s.anchor)).toEqual(['svc:kube-system/kube-dns']);
    // The egress check at the frontend's bridge, the ingress check at db's, on another node.
    expect(placed.filter((s) => s.hasBlocker).map((s) => s.anchor)).toEqual([bridgeOf(frontend), bridgeOf(db)]);
    expect(placed.map(stepLabel).filter((l) => l.endsWith('×'))).toHaveLength(2);
    expect(placed.at(-1)!.anchor).toBe(bridgeOf(db));
  });

  test('an ingress denial stops at the bridge before the pod: nothing is drawn at the pod it was meant for', () => {
    const db0 = Object.values(demo.pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
    const t = trace(demo, { from: `default/${echo.name}`, to: 'shop/db-0', port: 5432 });
    expect(t.verdict).toBe('policy-denied');
    const placed = steps(t);
    expect(placed.at(-1)).toMatchObject({ anchor: bridgeOf(db0), style: 'denied' });
    expect(placed.map((s) => s.anchor)).not.toContain(db0.id);
  });
});

describe('placeSteps: anchors', () => {
  const hop = (number: number, ids: string[], extra: Partial<PathHop> = {}): PathHop => ({ number, ids, isDns: false, isDeciding: false, isBlocker: false, isCheck: false, ...extra });
  const places: Record<string, Place> = {
    'pod:a': { kind: 'node', id: 'pod:a', isBox: false },
    'ctr:a/web': { kind: 'node', id: 'pod:a', isBox: false },
    'node:n': { kind: 'node', id: 'node:n', isBox: true },
    'dev:n/bridge': { kind: 'node', id: 'dev:n/bridge', isBox: false },
    'veth:a': { kind: 'edge', source: 'dev:n/bridge', target: 'pod:a' },
  };
  const at = (id: string) => places[id] ?? null;

  test('a veth crossed out of a pod ends at the bridge, one crossed in at the pod; a box only at an end, when nothing else is drawn', () => {
    const out = placeSteps([hop(1, ['ctr:a/web', 'pod:a']), hop(2, ['veth:a', 'node:n']), hop(3, ['node:n', 'netpol:x'])], at);
    expect(out.map((s) => [s.anchor, s.hops])).toEqual([
      ['pod:a', [1]],
      ['dev:n/bridge', [2]],
      ['node:n', [3]],
    ]);
    const into = placeSteps([hop(1, ['dev:n/bridge', 'node:n']), hop(2, ['veth:a', 'node:n'])], at);
    expect(into.map((s) => s.anchor)).toEqual(['dev:n/bridge', 'pod:a']);
     // Midway, a hop only its node's box would stand for is drawn nowhere (by namespace, no veth is drawn).
    const byNamespace = (id: string) => (id === 'veth:a' ? null : at(id));
    const midway = placeSteps([hop(1, ['pod:a']), hop(2, ['veth:a', 'node:n']), hop(3, ['dev:n/bridge', 'node:n'])], byNamespace);
    expect(midway.map((s) => [s.anchor, s.hops])).toEqual([
      ['pod:a', [1]],
      ['dev:n/bridge', [3]],
    ]);
  });

  test('a hop drawn nowhere keeps its number out of the steps; a check stays where the packet is', () => {
    const placed = placeSteps([hop(1, ['pod:a']), hop(2, ['ep:hidden']), hop(3, ['pod:a', 'netpol:x'], { isCheck: true }), hop(4, ['dev:n/bridge'])], at);
    expect(placed.map((s) => [s.anchor, s.hops])).toEqual([
      ['pod:a', [1, 3]],
      ['dev:n/bridge', [4]],
    ]);
    // A check first of all has nowhere to stand but its own ids.
    expect(placeSteps([hop(1, ['pod:a', 'netpol:x'], { isCheck: true })], at).map((s) => s.anchor)).toEqual(['pod:a']);
  });
});
