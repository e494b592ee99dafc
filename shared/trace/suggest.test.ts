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
