/**
 * A trace whose verdict rests on a kind the source could not read says `unknown`, naming it
 * (issue 12): NetworkPolicies that never loaded must not read as "allowed", Services that never
 * loaded not as "no such target".
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import type { ClusterObjects } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { formatTrace } from './format.ts';
import { trace } from './trace.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const frontend = snapshot.objects.pods.find((p) => p.metadata.namespace === 'shop' && p.metadata.name.startsWith('frontend-'))!;
const db = snapshot.objects.pods.find((p) => p.metadata.namespace === 'shop' && p.metadata.name.startsWith('db-'))!;
const from = `shop/${frontend.metadata.name}`;
const toDb = `shop/${db.metadata.name}`;

/** The demo as a live read would give it with `kinds` failing: none of their objects, each named unavailable. */
function without(...kinds: (keyof ClusterObjects)[]) {
  const objects = structuredClone(snapshot.objects);
  for (const kind of kinds) (objects[kind] as unknown[]) = [];
  const unavailableKinds = kinds.map((kind) => ({ kind, reason: '500 Internal Server Error after 3 tries' }));
  return derive(objects, { ...snapshot.source, unavailableKinds });
}

test('NetworkPolicies unavailable: a flow the policies deny is unknown, not delivered, naming them', () => {
  expect(trace(derive(snapshot.objects, snapshot.source), { from, to: toDb, port: 5432 }).verdict).toBe('policy-denied');
  const result = trace(without('networkPolicies'), { from, to: toDb, port: 5432 });
  expect(result.verdict).toBe('unknown');
  expect(result.summary).toMatch(/^Unknown: NetworkPolicies \(500 Internal Server Error after 3 tries\) could not be read/);
  expect(result.summary).toMatch(/With what could be read: delivered\./);
  expect(formatTrace(result)).toMatch(/verdict: unknown — Unknown: NetworkPolicies/);
});

test('Services unavailable: a Service destination is unknown, not unknown-target; a direct pod-to-pod flow still has its verdict', () => {
  const topology = without('services', 'endpointSlices');
  const result = trace(topology, { from, to: 'svc/shop/backend', port: 8080 });
  expect(result.verdict).toBe('unknown');
  expect(result.summary).toMatch(/Services \(500 Internal Server Error after 3 tries\) and EndpointSlices/);
  expect(trace(topology, { from, to: toDb, port: 5432 }).verdict).toBe('policy-denied');
});

test('a source that names nothing stays unknown-target: no kind read would change that', () => {
  expect(trace(without('networkPolicies'), { from: 'shop/nope', to: toDb }).verdict).toBe('unknown-target');
});
