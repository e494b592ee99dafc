// filterTopology (shared/filter.ts) with the element generator: what the filters let through,
// and that the drawing of a filtered topology never has an edge or a parent that is not drawn.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { activeFilterCount, filterTopology, isFiltering, namespaceChoices, noFilters, shownPodCount, type GraphFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { toGraphElements } from './elements.ts';
import { namespaceColors } from './palette.ts';
import { sampleTopology } from './testing/sample-topology.ts';
import { random } from '../../test/random.ts';

const demoUrl = new URL('../../assets/demo-cluster.podpath.json', import.meta.url);
const demo: Topology = (() => {
  const snapshot = parseSnapshot(readFileSync(demoUrl, 'utf8'), 'demo-cluster.podpath.json');
  return derive(snapshot.objects, snapshot.source);
})();

const filters = (patch: Partial<Omit<GraphFilters, 'kinds'>> & { kinds?: Partial<GraphFilters['kinds']> }): GraphFilters => ({
  ...noFilters,
  ...patch,
  kinds: { ...noFilters.kinds, ...patch.kinds },
});

/** Every edge's ends and every node's parent are drawn; ids are unique. */
function expectWholeDrawing(topology: Topology): number {
  const elements = toGraphElements(topology);
  const nodes = new Set(elements.filter((e) => e.group === 'nodes').map((e) => e.data.id));
  const ids = elements.map((e) => e.data.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const element of elements) {
    if (element.group === 'edges') {
      expect(nodes.has(element.data.source), `source of ${element.data.id}`).toBe(true);
      expect(nodes.has(element.data.target), `target of ${element.data.id}`).toBe(true);
    } else if (element.data.parent) {
      expect(nodes.has(element.data.parent), `parent of ${element.data.id}`).toBe(true);
    }
  }
  return elements.length;
}

describe('filterTopology', () => {
  test('no filter: the very same topology object (the element cache keeps working)', () => {
    expect(isFiltering(noFilters)).toBe(false);
    expect(filterTopology(demo, noFilters)).toBe(demo);
    expect(filterTopology(demo, filters({}))).toBe(demo);
    expect(activeFilterCount(noFilters)).toBe(0);
  });

  test('the same filters on the same topology give the same object', () => {
    const f = filters({ hideSystemNamespaces: true });
    expect(filterTopology(demo, f)).toBe(filterTopology(demo, { ...f, kinds: { ...f.kinds } }));
    expect(activeFilterCount(filters({ hideSystemNamespaces: true, problemsOnly: true, kinds: { devices: false } }))).toBe(3);
  });

  test('namespace choices are sorted and mark the system ones', () => {
    const choices = namespaceChoices(demo);
    expect(choices.map((c) => c.name)).toEqual([...choices.map((c) => c.name)].sort());
    expect(choices.find((c) => c.name === 'kube-system')?.isSystem).toBe(true);
    expect(choices.find((c) => c.name === 'kube-flannel')?.isSystem).toBe(true);
    expect(choices.find((c) => c.name === 'shop')?.isSystem).toBe(false);
  });

  test('hiding system namespaces hides their pods, containers, veths, Services and endpoints; hosts and devices stay', () => {
    const shown = filterTopology(demo, filters({ hideSystemNamespaces: true }));
    const system = new Set(Object.values(demo.namespaces).filter((n) => n.isSystem).map((n) => n.name));
    expect(Object.values(demo.pods).some((p) => system.has(p.namespace))).toBe(true);
    expect(Object.values(shown.pods).some((p) => system.has(p.namespace))).toBe(false);
    expect(Object.keys(shown.pods).length).toBe(Object.values(demo.pods).filter((p) => !system.has(p.namespace)).length);
    expect(Object.values(shown.services).some((s) => system.has(s.namespace))).toBe(false);
    for (const c of Object.values(shown.containers)) expect(shown.pods[c.pod]).toBeDefined();
    for (const v of Object.values(shown.veths)) expect(shown.pods[v.pod]).toBeDefined();
    for (const e of Object.values(shown.endpoints)) expect(shown.services[e.service]).toBeDefined();
    expect(shown.hosts).toEqual(demo.hosts);
    expect(shown.devices).toEqual(demo.devices);
    // Colours are assigned over all the names: hiding a namespace does not recolour the others.
    expect(namespaceColors(shown).get('shop')).toBe(namespaceColors(demo).get('shop'));
    expect(expectWholeDrawing(shown)).toBeLessThan(toGraphElements(demo).length);
  });

  test('a namespace list shows only those namespaces', () => {
    const shown = filterTopology(demo, filters({ namespaces: ['payments'] }));
    expect(new Set(Object.values(shown.pods).map((p) => p.namespace))).toEqual(new Set(['payments']));
    expect(new Set(Object.values(shown.services).map((s) => s.namespace))).toEqual(new Set(['payments']));
    expect(Object.keys(shown.ingresses)).toEqual([]);
    expect(Object.keys(filterTopology(demo, filters({ namespaces: [] })).pods)).toEqual([]);
    expectWholeDrawing(shown);
  });

  test('kinds: pods, Services, Ingresses and devices each go with what hangs from them', () => {
    const noPods = filterTopology(demo, filters({ kinds: { pods: false } }));
    expect([Object.keys(noPods.pods).length, Object.keys(noPods.containers).length, Object.keys(noPods.veths).length]).toEqual([0, 0, 0]);
    expect(Object.keys(noPods.services).length).toBe(Object.keys(demo.services).length);
    expect(toGraphElements(noPods).some((e) => e.data.kind === 'endpoint')).toBe(false);

    const noServices = filterTopology(demo, filters({ kinds: { services: false } }));
    expect([Object.keys(noServices.services).length, Object.keys(noServices.endpoints).length]).toEqual([0, 0]);
    expect(toGraphElements(noServices).some((e) => e.data.kind === 'backend' || e.data.kind === 'service')).toBe(false);

    const noIngresses = filterTopology(demo, filters({ kinds: { ingresses: false } }));
    expect(Object.keys(noIngresses.ingresses)).toEqual([]);

    const noDevices = filterTopology(demo, filters({ kinds: { devices: false } }));
    expect([Object.keys(noDevices.devices).length, Object.keys(noDevices.veths).length]).toEqual([0, 0]);
    const kinds = new Set(toGraphElements(noDevices).map((e) => e.data.kind));
    // No veth drawn to a stand-in "routes" node, no tunnel without its devices.
    for (const kind of ['device', 'veth', 'tunnel', 'routes']) expect(kinds.has(kind as never)).toBe(false);
    expect(kinds.has('pod')).toBe(true);
    for (const t of [noPods, noServices, noIngresses, noDevices]) expectWholeDrawing(t);
  });

  test('problems only: not-ready and pending pods, Services without a ready endpoint, and what they need', () => {
    const shown = filterTopology(demo, filters({ problemsOnly: true }));
    const names = Object.values(shown.pods).map((p) => `${p.namespace}/${p.name}`);
    const ledger = Object.values(demo.pods).filter((p) => p.name.startsWith('ledger-'));
    expect(ledger.length).toBe(2);
    for (const pod of ledger) expect(shown.pods[pod.id]).toBeDefined();
    expect(names).toContain('shop/recommender-788cc677fc-6j82c');
    expect(names.some((n) => n.startsWith('shop/frontend-'))).toBe(false);
    expect(Object.values(shown.pods).every((p) => !p.isReady || p.ips.length === 0 || p.phase === 'Pending')).toBe(true);

    // ledger's endpoints are all not ready; fraud-check has none at all; card-gateway is an
    // ExternalName Service, which has no endpoints by design.
    expect(demo.services['svc:payments/card-gateway']?.type).toBe('ExternalName');
    expect(Object.keys(shown.services).sort()).toEqual(['svc:payments/fraud-check', 'svc:payments/ledger']);
    expect(Object.values(shown.endpoints).every((e) => e.service === 'svc:payments/ledger')).toBe(true);
    expect(Object.keys(shown.endpoints).length).toBe(2);

    // The ledger pods' hosts are drawn (with their devices); a host with no problem is not.
    const hosts = new Set(ledger.map((p) => p.host));
    expect(new Set(Object.keys(shown.hosts))).toEqual(hosts);
    expect(Object.values(shown.devices).every((d) => hosts.has(d.host))).toBe(true);
    expect(Object.keys(shown.ingresses)).toEqual([]);

    const elements = toGraphElements(shown);
    expect(elements.filter((e) => e.data.kind === 'endpoint').map((e) => e.data.id).sort()).toEqual(Object.keys(shown.endpoints).sort());
    expectWholeDrawing(shown);
  });

  test('problems only: a host that is not Ready is kept even with nothing wrong on it', () => {
    const sample = sampleTopology();
    const host = Object.values(sample.hosts)[0]!;
    const broken: Topology = { ...sample, hosts: { ...sample.hosts, [host.id]: { ...host, isReady: false } } };
    const shown = filterTopology(broken, filters({ problemsOnly: true, kinds: { pods: false } }));
    expect(Object.keys(shown.hosts)).toEqual([host.id]);
    expectWholeDrawing(shown);
  });

  test('problems only keeps an Ingress that routes to a Service without ready endpoints', () => {
    const sample = sampleTopology();
    const ingress = Object.values(sample.ingresses)[0]!;
    const target = ingress.rules[0]!.service;
    const endpoints = Object.fromEntries(Object.entries(sample.endpoints).map(([id, e]) => [id, e.service === target ? { ...e, isReady: false } : e]));
    const shown = filterTopology({ ...sample, endpoints }, filters({ problemsOnly: true }));
    expect(shown.services[target]).toBeDefined();
    expect(shown.ingresses[ingress.id]).toBeDefined();
    expectWholeDrawing(shown);
  });

  test('random filter combinations never leave an edge or a parent that is not drawn', () => {
    const next = random(20261126);
    const topologies = [demo, sampleTopology(), sampleTopology({ routed: true }), sampleTopology({ nodes: 3, extraPodsPerNode: 4 })];
    const searches = ['backend', 'shop/', 'app=web', 'k8s-app', '10.244.0.0/16', '10.96.0.10', 'node'];
    for (let round = 0; round < 200; round++) {
      const topology = topologies[round % topologies.length]!;
      const names = namespaceChoices(topology).map((c) => c.name);
      const f: GraphFilters = {
        namespaces: next() < 0.4 ? null : names.filter(() => next() < 0.5),
        hideSystemNamespaces: next() < 0.5,
        kinds: { pods: next() < 0.8, services: next() < 0.8, ingresses: next() < 0.8, devices: next() < 0.8 },
        problemsOnly: next() < 0.4,
        nodes: next() < 0.7 ? null : Object.values(topology.hosts).map((h) => h.name).filter(() => next() < 0.5),
        search: next() < 0.7 ? null : searches[Math.floor(next() * searches.length)]!,
      };
      const shown = filterTopology(topology, f);
      expectWholeDrawing(shown);
      // Nothing is invented: every kept record is the original one.
      for (const [id, pod] of Object.entries(shown.pods)) expect(pod).toBe(topology.pods[id]);
      for (const pod of Object.values(shown.pods)) {
        expect(f.namespaces === null || f.namespaces.includes(pod.namespace)).toBe(true);
        if (pod.host && topology.hosts[pod.host]) expect(shown.hosts[pod.host], `host of ${pod.id}`).toBeDefined();
      }
    }
  });
});

describe('shownPodCount', () => {
  test("counts the pods the filters let through, as the filtered topology holds them (the Filters panel's summary)", () => {
    const sample = sampleTopology();
    for (const filters of [noFilters, { ...noFilters, problemsOnly: true }, { ...noFilters, hideSystemNamespaces: true }, { ...noFilters, namespaces: ['kube-system'] }]) {
      expect(shownPodCount(sample, filters)).toBe(Object.keys(filterTopology(sample, filters).pods).length);
    }
    expect(shownPodCount(sample, { ...noFilters, problemsOnly: true })).toBeLessThan(Object.keys(sample.pods).length);
  });
});
