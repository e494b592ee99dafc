/**
 * Fuzzing the search box's queries (issue 12): IPs, CIDRs, label selectors and names, typed or
 * pasted, answered over the demo — search, the search filter (shared/filter.ts) and the view it
 * filters. A query that is not what it looks like answers with an `invalid` result naming why,
 * never an exception.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { filterView, noFilters, searchMatches } from '../../shared/filter.ts';
import { queryForm, search } from '../../shared/search/search.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { check, hostileText } from './fuzz.ts';

const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const topology = derive(demo.objects, demo.source);
const names = Object.values(topology.pods).flatMap((p) => [p.name, p.namespace, ...Object.keys(p.labels ?? {}), ...Object.values(p.labels ?? {})]);

/** Pieces queries are made of: names and labels of the demo, address parts, selector syntax. */
const piece = fc.oneof(
  fc.constantFrom(...names),
  fc.constantFrom('10.', '10.244.1.7', '::1', 'fe80::', '/', '/24', '/129', ':', ':8080', '.', '*', '%', '\\', '255', '0', '-', '1e5'),
  fc.constantFrom('=', '==', '!=', '!', ',', ' in ', ' notin ', '(', ')', '<', '>', ' ', 'svc/', 'pod/', 'node/'),
  fc.string({ maxLength: 8 }),
);
const query = fc.oneof(
  { weight: 10, arbitrary: fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')) },
  { weight: 10, arbitrary: hostileText },
  // A pasted page: slow to answer (linear, ~0.3 s for 100 KB), so rare here.
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 50_000 }).map((n) => 'a='.repeat(n)) },
);

function ask(q: string): void {
  queryForm(q);
  for (const result of search(topology, q)) expect(typeof result.title).toBe('string');
  const ids = searchMatches(topology, q);
  filterView(topology, { ...noFilters, search: q });
  expect(ids).toBeInstanceOf(Set);
}

describe('fuzz: search queries', () => {
  test('queries built of the demo\'s names, addresses and selector syntax, and random text', () => {
    check('search queries', fc.property(query, ask), 1500);
  });
});
