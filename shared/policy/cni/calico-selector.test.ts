import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateCalicoSelector, formatCalicoSelector, parseCalicoSelector } from './calico-selector.ts';

interface Cases {
  cases: { selector: string; matches: Record<string, string>[]; nonMatches: Record<string, string>[] }[];
  bad: string[];
  canonical: { input: string; canonical: string }[];
}
const cases = JSON.parse(readFileSync(new URL('../../../test/fixtures/cni-policies/calico-selector-cases.json', import.meta.url), 'utf8')) as Cases;

// Calico's own parser tests (the fixture names the file and commit), then a case per operator.
describe('Calico selectors: upstream parser_test.go', () => {
  it.each(cases.cases.map((c) => [c.selector, c] as const))('%s', (_, c) => {
    const selector = parseCalicoSelector(c.selector);
    for (const labels of c.matches) expect(evaluateCalicoSelector(selector, labels), JSON.stringify(labels)).toBe(true);
    for (const labels of c.nonMatches) expect(evaluateCalicoSelector(selector, labels), JSON.stringify(labels)).toBe(false);
    // The canonical form parses back to a selector that answers the same.
    const again = parseCalicoSelector(formatCalicoSelector(selector));
    for (const labels of [...c.matches, ...c.nonMatches]) expect(evaluateCalicoSelector(again, labels)).toBe(evaluateCalicoSelector(selector, labels));
  });

  it.each(cases.bad)('rejects %j', (bad) => {
    expect(() => parseCalicoSelector(bad)).toThrow();
  });

  it.each(cases.canonical.map((c) => [c.input, c.canonical]))('canonicalises %j as %j', (input, canonical) => {
    expect(formatCalicoSelector(parseCalicoSelector(input))).toBe(canonical);
  });
});

describe('Calico selectors: a case per rule of the grammar', () => {
  const pod = { app: 'web', tier: 'front-end', 'projectcalico.org/namespace': 'shop' };
  it.each([
    ['app == "web"', true],
    ['app == "db"', false],
    ['app != "db"', true],
    ['missing != "x"', true], // != matches an absent label
    ['app in {"web", "api"}', true],
    ['missing in {"x"}', false],
    ['missing not in {"x"}', true], // not in matches an absent label
    ['app not in {"web"}', false],
    ['has(tier)', true],
    ['!has(tier)', false],
    ['tier contains "end"', true],
    ['tier starts with "front"', true],
    ['tier ends with "front"', false],
    ['all()', true],
    ['', true],
    ['app == "db" || tier == "front-end"', true],
    ['app == "web" && tier == "back-end"', false],
    ['app == "db" || app == "web" && tier == "back-end"', false], // && binds tighter than ||
    ['(app == "db" || app == "web") && tier == "front-end"', true],
    ['projectcalico.org/namespace == "shop"', true],
    ['!(app == "web")', false],
  ])('%s → %s', (text, expected) => {
    expect(evaluateCalicoSelector(parseCalicoSelector(text), pod)).toBe(expected);
  });

  it('says why a selector does not parse', () => {
    expect(() => parseCalicoSelector('app = "web"')).toThrow('expected ==');
    expect(() => parseCalicoSelector('app == web')).toThrow('expected string');
  });
});
