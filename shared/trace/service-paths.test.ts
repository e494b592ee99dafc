/**
 * Services as kube-proxy runs them (issue 15, Paths): topology hints (pkg/proxy/topology.go,
 * CategorizeEndpoints and topologyModeFromHints — a case table of its rules and fallbacks),
 * session affinity timeouts and the IPVS scheduler, on variants of the bundled demo.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObjects, EndpointSlice } from '../kube/objects.ts';
import type { EndpointRecord, Host, ServiceRecord, Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { topologyModeFromHints } from './topology-hints.ts';
import { trace } from './trace.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

function demoWith(change: (objects: ClusterObjects) => void, version = snapshot.source.kubernetesVersion): Topology {
  const objects = structuredClone(snapshot.objects);
  change(objects);
  return derive(objects, { ...snapshot.source, kubernetesVersion: version });
}

function slice(objects: ClusterObjects, service: string): EndpointSlice {
  const found = objects.endpointSlices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service);
  if (!found) throw new Error(`no slice for ${service}`);
  return found;
}

/** Hints as the EndpointSlice controller writes them for PreferClose: each endpoint for its own zone. */
function zoneHints(objects: ClusterObjects, service: string): void {
  for (const e of slice(objects, service).endpoints ?? []) if (e.zone) e.hints = { forZones: [{ name: e.zone }] };
}

/** …and for PreferSameNode (1.33+): each endpoint for its node, and its zone. */
function nodeHints(objects: ClusterObjects, service: string): void {
  for (const e of slice(objects, service).endpoints ?? []) if (e.zone && e.nodeName) e.hints = { forZones: [{ name: e.zone }], forNodes: [{ name: e.nodeName }] };
}

function spec(objects: ClusterObjects, service: string) {
  const found = objects.services.find((s) => s.metadata.name === service);
  if (!found) throw new Error(`no service ${service}`);
  return found.spec;
}

/** shop/backend's ClusterIP from a frontend pod on demo-worker-1 (zone demo-region-1b). */
const onWorker1 = 'shop/frontend-855456765f-6r8k4';
/** …and from one on demo-worker-2 (zone demo-region-1c). */
const onWorker2 = 'shop/frontend-855456765f-wtxj9';
const backend = '10.96.139.244:80';

const branchAddresses = (topology: Topology, from: string) =>
  trace(topology, { from, to: backend })
    .branches.map((b) => topology.endpoints[b.endpoint ?? '']?.address)
    .sort();

describe('topology hints: which endpoints the client node\'s kube-proxy uses', () => {
  test('without hints every endpoint is used, and nothing is said about topology', () => {
    const demo = demoWith(() => {});
    expect(branchAddresses(demo, onWorker1)).toEqual(['10.244.1.7', '10.244.2.7', '10.244.2.8']);
    expect(JSON.stringify(trace(demo, { from: onWorker1, to: backend }))).not.toContain('topology hints');
  });

  test('trafficDistribution PreferClose: each client zone gets its own zone\'s endpoints', () => {
    const topology = demoWith((o) => {
      spec(o, 'backend').trafficDistribution = 'PreferClose';
      zoneHints(o, 'backend');
    });
    expect(branchAddresses(topology, onWorker1)).toEqual(['10.244.1.7']);
    expect(branchAddresses(topology, onWorker2)).toEqual(['10.244.2.7', '10.244.2.8']);
    const traced = trace(topology, { from: onWorker1, to: backend });
    const endpointHop = traced.hops.find((h) => h.kind === 'endpoint');
    expect(endpointHop?.label).toContain('topology hints: those for zone demo-region-1b');
    expect(endpointHop?.evidence.map((e) => e.text).join('\n')).toContain('trafficDistribution: PreferClose: every ready endpoint has a zone hint and 1 is hinted for zone demo-region-1b');
  });

  test('one ready endpoint without a hint turns the hints off for everyone', () => {
    const topology = demoWith((o) => {
      zoneHints(o, 'backend');
      delete slice(o, 'backend').endpoints?.[2]?.hints;
    });
    expect(branchAddresses(topology, onWorker1)).toEqual(['10.244.1.7', '10.244.2.7', '10.244.2.8']);
    const evidence = trace(topology, { from: onWorker1, to: backend }).hops.flatMap((h) => h.evidence.map((e) => e.text));
    expect(evidence.join('\n')).toContain('1 ready endpoint without a zone hint turns the zone hints off');
  });

  test('PreferSameNode (node hints) is used from 1.34, and ignored in 1.33 where its gate is alpha', () => {
    const change = (o: ClusterObjects) => {
      spec(o, 'backend').trafficDistribution = 'PreferSameNode';
      nodeHints(o, 'backend');
    };
    expect(branchAddresses(demoWith(change, 'v1.34.1'), onWorker2)).toEqual(['10.244.2.7', '10.244.2.8']);
    // Same result by zone on 1.33 here (one node per zone); the reason differs.
    const old = demoWith(change, 'v1.33.2');
    const text = trace(old, { from: onWorker2, to: backend }).hops.flatMap((h) => h.evidence.map((e) => e.text)).join('\n');
    expect(text).toContain('node hints are ignored: PreferSameTrafficDistribution is alpha and off by default in Kubernetes 1.33');
    expect(text).toContain('hinted for zone demo-region-1c');
  });

  test('hints are ignored under internalTrafficPolicy Local, which keeps the node\'s own endpoints', () => {
    const topology = demoWith((o) => {
      spec(o, 'backend').internalTrafficPolicy = 'Local';
      zoneHints(o, 'backend');
      // Hints that point elsewhere would leave worker-1 nothing, if they were used.
      for (const e of slice(o, 'backend').endpoints ?? []) e.hints = { forZones: [{ name: 'demo-region-1c' }] };
    });
    expect(branchAddresses(topology, onWorker1)).toEqual(['10.244.1.7']);
  });
});

function endpoint(address: string, node: string, zone: string | null, hints?: { forZones?: string[]; forNodes?: string[] }, isReady = true): EndpointRecord {
  return {
    id: `ep:x/s/${address}`,
    kind: 'endpoint',
    service: 'svc:x/s',
    slice: 's-1',
    address,
    isReady,
    isServing: isReady,
    isTerminating: false,
    nodeName: node,
    zone,
    pod: null,
    ports: [],
    ...(hints ? { hints: { forZones: hints.forZones ?? [], forNodes: hints.forNodes ?? [] } } : {}),
  };
}
const host = (name: string, zone: string | null) => ({ name, zone }) as Host;
const service = { trafficDistribution: 'PreferClose' } as ServiceRecord;

/** topologyModeFromHints, rule by rule (kubernetes pkg/proxy/topology.go). */
const modeCases: { name: string; endpoints: EndpointRecord[]; node: Host; version: string | null; mode: string }[] = [
  { name: 'every ready endpoint hinted, one for this zone', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'] }), endpoint('10.0.0.2', 'n2', 'b', { forZones: ['b'] })], node: host('n1', 'a'), version: 'v1.33.0', mode: 'PreferSameZone' },
  { name: 'no endpoint hinted for this zone', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'] })], node: host('n3', 'c'), version: 'v1.33.0', mode: 'none' },
  { name: 'the node has no zone label', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'] })], node: host('n1', null), version: 'v1.33.0', mode: 'none' },
  { name: 'a not-ready endpoint without hints does not count', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'] }), endpoint('10.0.0.2', 'n2', 'b', undefined, false)], node: host('n1', 'a'), version: null, mode: 'PreferSameZone' },
  { name: 'a ready endpoint without hints', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'] }), endpoint('10.0.0.2', 'n2', 'b')], node: host('n1', 'a'), version: null, mode: 'none' },
  { name: 'node hints on 1.34', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'], forNodes: ['n1'] }), endpoint('10.0.0.2', 'n2', 'a', { forZones: ['a'], forNodes: ['n2'] })], node: host('n1', 'a'), version: 'v1.34.0', mode: 'PreferSameNode' },
  { name: 'node hints on 1.33 (gate off): zone', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'], forNodes: ['n1'] })], node: host('n1', 'a'), version: 'v1.33.4', mode: 'PreferSameZone' },
  { name: 'node hints, none for this node: falls to zone', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'], forNodes: ['n1'] })], node: host('n9', 'a'), version: 'v1.35.0', mode: 'PreferSameZone' },
  { name: 'only some endpoints have node hints: zone', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'], forNodes: ['n1'] }), endpoint('10.0.0.2', 'n2', 'a', { forZones: ['a'] })], node: host('n1', 'a'), version: 'v1.35.0', mode: 'PreferSameZone' },
  { name: 'no ready endpoint', endpoints: [endpoint('10.0.0.1', 'n1', 'a', { forZones: ['a'] }, false)], node: host('n1', 'a'), version: null, mode: 'none' },
];

describe('topologyModeFromHints, as kube-proxy decides it', () => {
  test.each(modeCases)('$name → $mode', ({ endpoints, node, version, mode }) => {
    expect(topologyModeFromHints(service, endpoints, node, version).mode).toBe(mode);
  });
});

describe('session affinity and the IPVS scheduler', () => {
  test('ClientIP affinity names its timeout: the default 10800, or the one set', () => {
    const byDefault = demoWith((o) => {
      spec(o, 'backend').sessionAffinity = 'ClientIP';
    });
    const selection = trace(byDefault, { from: onWorker1, to: backend }).branches[0]?.selection ?? '';
    expect(selection).toContain('--rcheck --seconds 10800');
    expect(selection).toContain('timeoutSeconds 10800, the default');
    expect(selection).toContain('repeated traces from one client go where its first went');
    const set = demoWith((o) => {
      spec(o, 'backend').sessionAffinity = 'ClientIP';
      spec(o, 'backend').sessionAffinityConfig = { clientIP: { timeoutSeconds: 600 } };
    });
    const custom = trace(set, { from: onWorker1, to: backend }).branches[0]?.selection ?? '';
    expect(custom).toContain('--rcheck --seconds 600');
    expect(custom).toContain('timeoutSeconds 600, spec.sessionAffinityConfig');
  });

  const ipvs = (scheduler: string) => (o: ClusterObjects) => {
    const cm = o.configMaps.find((c) => c.metadata.name === 'kube-proxy');
    if (!cm?.data?.['config.conf']) throw new Error('no kube-proxy config');
    cm.data['config.conf'] = cm.data['config.conf'].replace('mode: "iptables"', 'mode: "ipvs"').replace('scheduler: ""', `scheduler: "${scheduler}"`);
  };

  test('IPVS mode uses the scheduler kube-proxy\'s config names, rr when empty', () => {
    const sh = trace(demoWith(ipvs('sh')), { from: onWorker1, to: backend }).branches[0]?.selection ?? '';
    expect(sh).toContain('IPVS scheduler sh — source hashing: the same client address always gets the same real server');
    expect(sh).toContain('ConfigMap kube-system/kube-proxy config.conf ipvs.scheduler: sh');
    const rr = trace(demoWith(ipvs('')), { from: onWorker1, to: backend }).branches[0]?.selection ?? '';
    expect(rr).toContain('IPVS scheduler rr — round robin');
    expect(rr).toContain('leaves ipvs.scheduler empty');
    expect(rr).toContain('1 in 3 new connections');
  });
});

describe('a LoadBalancer from outside: loadBalancerSourceRanges and the health check node port', () => {
  const lb = '203.0.113.10:80';
  const ranged = (ranges: string[]) =>
    demoWith((o) => {
      spec(o, 'ingress-nginx-controller').loadBalancerSourceRanges = ranges;
    });

  test('a client outside every range is dropped, a blocker with the range to add', () => {
    const traced = trace(ranged(['10.20.0.0/16', '192.0.2.128/25']), { from: '192.0.2.50', to: lb });
    expect(traced.verdict).toBe('no-route');
    expect(traced.summary).toContain('drops 192.0.2.50: it is in none of its loadBalancerSourceRanges (10.20.0.0/16, 192.0.2.128/25)');
    expect(traced.blockers).toHaveLength(1);
    expect(traced.blockers[0]?.fix).toContain('e.g. 192.0.2.50/32');
    expect(traced.blockers[0]?.subject).toBe('svc:ingress-nginx/ingress-nginx-controller');
    const evidence = traced.hops.flatMap((h) => h.evidence.map((e) => e.text)).join('\n');
    expect(evidence).toContain('filter KUBE-PROXY-FIREWALL drops the rest ("ingress-nginx/ingress-nginx-controller:http traffic not accepted by KUBE-FW-');
  });

  test('a client inside a range goes on to the nodes', () => {
    const traced = trace(ranged(['192.0.2.0/24']), { from: '192.0.2.50', to: lb });
    expect(traced.hops.map((h) => h.label)).toContain('192.0.2.50 is in 192.0.2.0/24, one of svc ingress-nginx/ingress-nginx-controller\'s loadBalancerSourceRanges: let in');
    expect(traced.verdict).not.toBe('no-route');
    expect(traced.branches.length).toBeGreaterThan(0);
  });

  test('"internet" stands for any client: not dropped, and said so', () => {
    const traced = trace(ranged(['192.0.2.0/24']), { from: 'internet', to: lb });
    expect(traced.blockers.filter((b) => b.kind === 'no-route')).toEqual([]);
    expect(traced.hops.map((h) => h.label).join('\n')).toContain('lets in only 192.0.2.0/24 (loadBalancerSourceRanges); 198.51.100.1 stands for any client');
  });

  test('externalTrafficPolicy Local: the health check node port answers 200 only where an endpoint runs', () => {
    const topology = demoWith((o) => {
      spec(o, 'ingress-nginx-controller').healthCheckNodePort = 32456;
      const s = slice(o, 'ingress-nginx-controller');
      s.endpoints = (s.endpoints ?? []).filter((e) => e.nodeName === 'demo-worker-1');
    });
    const traced = trace(topology, { from: 'internet', to: lb });
    const lbHop = traced.hops.find((h) => h.kind === 'load-balancer' && h.label.startsWith('LoadBalancer'));
    const check = lbHop?.evidence.find((e) => e.field === 'spec.healthCheckNodePort');
    expect(check?.text).toBe(
      'health check: kube-proxy answers http://<node>:32456/healthz (spec.healthCheckNodePort 32456) with 200 on demo-worker-1 (a local endpoint) and 503 on demo-worker-2 (none), so the load balancer sends only to the first',
    );
    expect(check?.command).toBe('curl -si http://172.18.0.3:32456/healthz');
    expect(traced.branches.every((b) => b.node === null || b.hops.some((h) => h.node === 'node:demo-worker-1'))).toBe(true);
  });
});
