/**
 * Fuzzing `podpath trace --batch` lines (issue 12): each line is read into a query or an error
 * naming what is wrong with it (parseBatchQuery never throws), and a query is traced to a verdict.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseBatchQuery } from '../../electron/cli/trace.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { trace } from '../../shared/trace/trace.ts';
import { check, hostileText, hostileValue, mutationsOf, toJson } from './fuzz.ts';

const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const topology = derive(demo.objects, demo.source);
const ends = [...Object.values(topology.pods).map((p) => `${p.namespace}/${p.name}`), ...Object.values(topology.services).map((s) => `svc/${s.namespace}/${s.name}`)];

function traceLine(line: string): void {
  const parsed = parseBatchQuery(line);
  if ('error' in parsed) {
    expect(parsed.error).not.toMatch(/Maximum call stack|is not a function|Cannot read propert/);
    return;
  }
  expect(trace(topology, parsed.query).verdict).toBeTruthy();
}

describe('fuzz: trace --batch lines', () => {
  test('regression: a port nested deeper than JSON.stringify can follow is an error line, not a RangeError', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect(parseBatchQuery(`{"from":"a/b","to":"c/d","port":${deep}}`)).toEqual({ error: '"port" must be a number from 1 to 65535, not a list' });
    expect(parseBatchQuery(`{"from":"a/b","to":"c/d","protocol":{"a":${deep}}}`)).toEqual({ error: '"protocol" must be TCP, UDP or SCTP, not an object' });
  });

  test('valid queries over the demo with fields broken, random objects, and random text', () => {
    const query = fc.record({ from: fc.constantFrom(...ends), to: fc.constantFrom(...ends), port: fc.integer({ min: 1, max: 65_535 }), protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), family: fc.constantFrom(4, 6) });
    check('trace batch (queries mutated)', fc.property(query.chain((q) => mutationsOf(q)), (q) => traceLine(toJson(q))), 150);
    check('trace batch (random JSON)', fc.property(fc.dictionary(fc.constantFrom('from', 'to', 'port', 'protocol', 'family', 'x'), hostileValue), (q) => traceLine(toJson(q))), 400);
    check('trace batch (random text)', fc.property(hostileText, traceLine), 2000);
  });
});
