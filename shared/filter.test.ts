// The filters added for issue 11: the namespace list that reads as what is shown, "show only
// this node" and "show only these" (a search kept as a filter), on the demo cluster.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { activeFilterCount, filterTopology, isFiltering, isNamespaceShown, namespaceChoices, noFilters, searchMatches, toggleNamespace, type GraphFilters } from './filter.ts';
import type { Topology } from './model/types.ts';
import { parseSnapshot } from './snapshot/format.ts';
import { derive } from './topology/derive.ts';

const demo: Topology = (() => {
  const snapshot = parseSnapshot(readFileSync(new URL('../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'), 'demo-cluster.podpath.json');
  return derive(snapshot.objects, snapshot.source);
})();
const choices = namespaceChoices(demo);
const shownNamespaces = (filters: GraphFilters): string[] => choices.filter((c) => isNamespaceShown(filters, c.name, c.isSystem)).map((c) => c.name);
const podNames = (topology: Topology): string[] =>
  Object.values(topology.pods)
    .map((p) => `${p.namespace}/${p.name}`)
    .sort();

describe('the namespace list reads as what is shown', () => {
  test('a system namespace hidden by "hide system namespaces" is not shown, though the list chooses it', () => {
    const filters = { ...noFilters, hideSystemNamespaces: true };
    expect(isNamespaceShown(filters, 'kube-system', true)).toBe(false);
    expect(isNamespaceShown(filters, 'shop', false)).toBe(true);
    expect(isNamespaceShown({ ...noFilters, namespaces: ['payments'] }, 'shop', false)).toBe(false);
  });

  test('unticking and ticking again gives back no filter at all', () => {
    const off = toggleNamespace(noFilters, choices, 'shop');
    expect(off.namespaces).toEqual(choices.map((c) => c.name).filter((n) => n !== 'shop'));
    expect(toggleNamespace(off, choices, 'shop')).toEqual(noFilters);
  });

  test('ticking a hidden system namespace shows it and keeps the other system namespaces hidden', () => {
    const hidden = toggleNamespace({ ...noFilters, hideSystemNamespaces: true }, choices, 'shop');
    const before = shownNamespaces(hidden);
    expect(before).not.toContain('kube-system');
    expect(before).not.toContain('shop');

    const after = toggleNamespace(hidden, choices, 'kube-system');
    expect(shownNamespaces(after)).toEqual(choices.map((c) => c.name).filter((n) => before.includes(n) || n === 'kube-system'));
    expect(after.hideSystemNamespaces).toBe(false);
  });

  test('unticking a namespace while system ones are hidden keeps them hidden', () => {
    const after = toggleNamespace({ ...noFilters, hideSystemNamespaces: true }, choices, 'payments');
    expect(after.hideSystemNamespaces).toBe(true);
    expect(shownNamespaces(after)).toEqual(['default', 'ingress-nginx', 'monitoring', 'shop']);
  });
});

describe('show only this node', () => {
  const filters: GraphFilters = { ...noFilters, nodes: ['demo-worker-1'] };
  const shown = filterTopology(demo, filters);

  test('keeps the node, its devices and its pods, nothing from the other nodes and nothing unscheduled', () => {
    expect(Object.values(shown.hosts).map((h) => h.name)).toEqual(['demo-worker-1']);
    expect(Object.values(shown.devices).every((d) => d.host === 'node:demo-worker-1')).toBe(true);
    expect(Object.keys(shown.devices).length).toBeGreaterThan(0);
    expect(Object.keys(shown.pods).length).toBeGreaterThan(0);
    expect(Object.values(shown.pods).every((p) => p.host === 'node:demo-worker-1')).toBe(true);
    expect(shown.pods[Object.values(demo.pods).find((p) => p.host === null)!.id]).toBeUndefined();
  });

  test('keeps the Services with an endpoint on the node, not the others', () => {
    // ledger has a pod on each worker; kube-dns has none on demo-worker-1.
    expect(shown.services['svc:payments/ledger']).toBeDefined();
    expect(shown.services['svc:kube-system/kube-dns']).toBeUndefined();
    expect(isFiltering(filters)).toBe(true);
    expect(activeFilterCount(filters)).toBe(1);
  });
});

describe('show only what a search matches', () => {
  test('searchMatches is every match, not the first page of results, and no address explanation', () => {
    expect(searchMatches(demo, 'app.kubernetes.io/part-of=monitoring').size).toBe(6);
    expect(searchMatches(demo, '198.51.100.7').size).toBe(0);
    expect(searchMatches(demo, '').size).toBe(0);
  });

  test('a label selector keeps the pods it selects and the nodes they run on', () => {
    const shown = filterTopology(demo, { ...noFilters, search: 'app=ledger' });
    expect(podNames(shown)).toEqual(podNames(demo).filter((n) => n.startsWith('payments/ledger-')));
    expect(
      Object.values(shown.hosts)
        .map((h) => h.name)
        .sort(),
    ).toEqual(['demo-worker-1', 'demo-worker-2']);
    // The ledger Service carries the label too; checkout's does not.
    expect(Object.keys(shown.services)).toEqual(['svc:payments/ledger']);
    expect(Object.keys(shown.external)).toEqual([]);
  });

  test('a name keeps the Services and pods it names; other filters still apply', () => {
    const shown = filterTopology(demo, { ...noFilters, search: 'frontend' });
    expect(Object.keys(shown.services)).toEqual(['svc:shop/frontend']);
    expect(Object.keys(shown.pods)).toHaveLength(4);
    const withoutPods = filterTopology(demo, { ...noFilters, search: 'frontend', kinds: { ...noFilters.kinds, pods: false } });
    expect(Object.keys(withoutPods.pods)).toHaveLength(0);
    expect(Object.keys(withoutPods.hosts)).toHaveLength(0);
  });

  test('it is asked again of every topology: a pod that comes and matches is kept', () => {
    const filters: GraphFilters = { ...noFilters, search: 'app=ledger' };
    const ledger = Object.values(demo.pods).find((p) => p.name.startsWith('ledger-'))!;
    const newcomer = { ...ledger, id: 'pod:new-ledger', name: 'ledger-new' };
    const next: Topology = { ...demo, pods: { ...demo.pods, [newcomer.id]: newcomer } };
    expect(filterTopology(next, filters).pods[newcomer.id]).toBe(newcomer);
    expect(activeFilterCount({ ...filters, nodes: ['demo-worker-1'] })).toBe(2);
  });
});
