import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { suggestionsFor } from './suggest.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);

test('close matches for a text that names nothing, and none for one that is nothing like a name', () => {
  expect(suggestionsFor(demo, 'grafanna.monitoring')).toContain('grafana.monitoring');
  expect(suggestionsFor(demo, 'zzzzzzzzzz')).toEqual([]);
});

test('workloads are suggested by ns/name and by name alone; Services by svc/ns/name and name.ns', () => {
  expect(suggestionsFor(demo, 'shop/frontnd')).toEqual(['shop/frontend', 'svc/shop/frontend']);
  expect(suggestionsFor(demo, 'kube-prxy', 'from')).toEqual(['kube-system/kube-proxy']);
  expect(suggestionsFor(demo, 'shop/bd')).toContain('shop/db');
});

test('a source is offered only what sends (pods, workloads, nodes); a destination every kind', () => {
  expect(suggestionsFor(demo, 'shop/backnd', 'from')).toEqual(['shop/backend']);
  expect(suggestionsFor(demo, 'shop/backnd', 'to')).toEqual(['shop/backend', 'svc/shop/backend']);
  expect(suggestionsFor(demo, 'demo-control-plan', 'from')[0]).toBe('node/demo-control-plane');
});

test('a kind written first keeps the suggestions to that kind, whatever the end', () => {
  expect(suggestionsFor(demo, 'svc/shop/backnd', 'from')).toEqual(['svc/shop/backend']);
  expect(suggestionsFor(demo, 'node/demo-control-plan', 'to')).toEqual(['node/demo-control-plane']);
  expect(suggestionsFor(demo, 'pod/shop/backnd', 'to')).toEqual(['shop/backend']);
  // A first word that is no kind (a namespace) does not narrow anything.
  expect(suggestionsFor(demo, 'constructor/x')).toEqual([]);
});
