// kube-proxy's Service model read back from its iptables rules: checked against the Services and
// EndpointSlices the reference rules were generated from (kube-proxy-case1-inputs.yaml, from
// kubernetes pkg/proxy/iptables proxier_test.go TestOverallIPTablesRules), the chain-name
// vectors, TestTracePacket's flows, and the real iptables-save -c of a lab namespace.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { iptablesEndpointChain, iptablesServiceChains } from '../topology/kube-proxy.ts';
import { parseIptablesSave } from './iptables-save.ts';
import { kubeProxyFromIptables } from './kube-proxy-iptables.ts';
import type { KubeProxyRules, ObservedServicePort } from './types.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/${name}`, import.meta.url), 'utf8');
const rulesOf = (name: string) => kubeProxyFromIptables(parseIptablesSave(fixture(name)));
const portNamed = (rules: KubeProxyRules, name: string) => rules.services.find((s) => s.servicePortName === name) as ObservedServicePort;
const cluster = (port: ObservedServicePort) => port.dispatches.find((d) => d.scope === 'cluster');

interface Item {
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec?: { ports: { name?: string; protocol: string }[] };
  endpoints?: { addresses: string[] }[];
  ports?: { name?: string; port: number }[];
}

/** ServicePortName → the `IP:port`s its EndpointSlices list (all ready: the test sets no
 * conditions). */
function expectedEndpoints(): Map<string, string[]> {
  const { items } = parse(fixture('kube-proxy-case1-inputs.yaml')) as { items: Item[] };
  const expected = new Map<string, string[]>();
  for (const service of items.filter((i) => i.kind === 'Service')) {
    for (const port of service.spec?.ports ?? []) {
      const name = `${service.metadata.namespace}/${service.metadata.name}${port.name ? `:${port.name}` : ''}`;
      const slices = items.filter(
        (i) => i.kind === 'EndpointSlice' && i.metadata.namespace === service.metadata.namespace && i.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name,
      );
      const targets = slices.flatMap((slice) => {
        const slicePort = slice.ports?.find((p) => (p.name ?? '') === (port.name ?? ''));
        return slicePort ? (slice.endpoints ?? []).flatMap((e) => e.addresses.map((a) => `${a}:${slicePort.port}`)) : [];
      });
      expected.set(name, targets.sort());
    }
  }
  return expected;
}

describe('kubeProxyFromIptables over kube-proxy case1', () => {
  const rules = rulesOf('kube-proxy-iptables-case1.iptables-save');

  test('maps every Service port of inputs.yaml to exactly its EndpointSlices’ endpoints, in equal shares', () => {
    const expected = expectedEndpoints();
    expect(expected.size).toBe(6);
    expect(rules.services.map((s) => s.servicePortName).sort()).toEqual([...expected.keys()].sort());
    for (const [name, targets] of expected) {
      const port = portNamed(rules, name);
      const endpoints = cluster(port)?.endpoints ?? [];
      expect(endpoints.map((e) => e.target).sort(), name).toEqual(targets);
      for (const e of endpoints) expect(e.probability, `${name} → ${e.target}`).toBeCloseTo(1 / targets.length, 9);
    }
  });

  test('names chains as kube-proxy computes them (chain-name vectors)', () => {
    const { vectors } = JSON.parse(fixture('../kube-proxy/chain-name-vectors.json')) as {
      vectors: { kind: string; servicePortName?: string; protocol?: string; endpoint?: string; chains?: Record<string, string>; chain?: string }[];
    };
    let checked = 0;
    for (const v of vectors) {
      const port = rules.services.find((s) => s.servicePortName === v.servicePortName && s.protocol === v.protocol);
      if (!port) continue;
      if (v.kind.startsWith('SVC/')) {
        expect(cluster(port)?.chain ?? v.chains?.['KUBE-SVC']).toBe(v.chains?.['KUBE-SVC']);
        checked++;
      } else if (v.kind.startsWith('SEP')) {
        const endpoint = cluster(port)?.endpoints.find((e) => e.target === v.endpoint);
        if (!endpoint) continue;
        expect(endpoint.chain).toBe(v.chain);
        expect(iptablesEndpointChain(v.servicePortName as string, 'tcp', endpoint.target as string)).toBe(endpoint.chain);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    for (const port of rules.services) {
      const chain = cluster(port)?.chain;
      if (chain) expect(chain).toBe(iptablesServiceChains(port.servicePortName as string, port.protocol as string).service);
    }
  });

  test('reads frontends: ClusterIP, external IP, load-balancer IP (through KUBE-FW) and node ports', () => {
    const svc2 = portNamed(rules, 'ns2/svc2:p80');
    expect(svc2.frontends.map((f) => [f.kind, f.ip, f.port])).toEqual([
      ['cluster-ip', '172.30.0.42', 80],
      ['external-ip', '192.168.99.22', 80],
      ['load-balancer', '1.2.3.4', 80],
      ['node-port', '127.0.0.0/8', 3001],
      ['node-port', null, 3001],
    ]);
    const svc5 = portNamed(rules, 'ns5/svc5:p80');
    expect(svc5.frontends.find((f) => f.ip === '5.6.7.8')).toMatchObject({ kind: 'load-balancer', chain: 'KUBE-FW-NUKIZ6OKUXPJNT4C' });
    expect(svc5.protocol).toBe('tcp');
    expect(svc5.namespace).toBe('ns5');
    expect(svc5.portName).toBe('p80');
  });

  test('reads ClientIP affinity, masquerading, and the no-endpoints rules', () => {
    expect(cluster(portNamed(rules, 'ns5/svc5:p80'))?.affinitySeconds).toBe(10800);
    expect(cluster(portNamed(rules, 'ns1/svc1:p80'))?.affinitySeconds).toBeNull();
    expect(portNamed(rules, 'ns1/svc1:p80').isMasqueraded).toBe(true);
    const svc6 = portNamed(rules, 'ns6/svc6:p80');
    expect(svc6.dispatches).toEqual([]);
    expect(svc6.noEndpoints).toEqual([{ reason: 'no-endpoints', action: 'REJECT', ip: '172.30.0.46', port: 80, evidence: 'filter KUBE-SERVICES line 14' }]);
    // svc2 is externalTrafficPolicy: Local with its one endpoint on another node.
    const svc2 = portNamed(rules, 'ns2/svc2:p80');
    expect(svc2.noEndpoints.map((n) => [n.reason, n.action, n.ip, n.port])).toEqual([
      ['no-local-endpoints', 'DROP', '192.168.99.22', 80],
      ['no-local-endpoints', 'DROP', '1.2.3.4', 80],
      ['no-local-endpoints', 'DROP', null, 3001],
    ]);
    expect(svc2.dispatches.map((d) => d.scope)).toEqual(['cluster']);
  });

  test('agrees with TestTracePacket’s flows where they are about DNAT and no-endpoint rules', () => {
    const { flows } = JSON.parse(fixture('kube-proxy-iptables-case2-flows.json')) as { flows: { name: string; sourceIP: string; destIP: string; destPort: number; output: string }[] };
    const checked: string[] = [];
    for (const flow of flows) {
      const port = rules.services.find((s) => s.frontends.some((f) => f.ip === flow.destIP && f.port === flow.destPort));
      const noEndpoint = rules.services.flatMap((s) => s.noEndpoints).find((n) => n.ip === flow.destIP && n.port === flow.destPort);
      if (flow.output === '') {
        expect(port, flow.name).toBeUndefined();
      } else if (flow.output.includes(':')) {
        const targets = (port && cluster(port)?.endpoints.map((e) => e.target)) ?? [];
        expect(targets.sort().join(', '), flow.name).toBe(flow.output);
      } else if (flow.output === 'REJECT' || (flow.output === 'DROP' && !flow.sourceIP.startsWith('10.'))) {
        expect(noEndpoint?.action, flow.name).toBe(flow.output);
      } else continue;
      checked.push(flow.name);
    }
    expect(checked).toEqual(['no match', 'single endpoint', 'multiple endpoints', 'LOCAL, KUBE-MARK-MASQ', 'DROP', 'REJECT']);
  });
});

test('case3 (addresses written with leading zeros in the API) reads as normalised addresses', () => {
  const rules = rulesOf('kube-proxy-iptables-case3.iptables-save');
  expect(rules.services).toHaveLength(1);
  const svc1 = portNamed(rules, 'ns1/svc1:p80');
  expect(cluster(svc1)?.endpoints.map((e) => [e.target, e.probability])).toEqual([['10.180.0.1:80', 1]]);
  expect(svc1.frontends.map((f) => f.ip)).toEqual(['172.30.0.41', '192.168.99.22', '1.2.3.4', '127.0.0.0/8', null]);
});

test('the real iptables-save -c: the same model, and counters that add up', () => {
  const rules = rulesOf('lab-kube-proxy/iptables-save-c.txt');
  const expected = expectedEndpoints();
  for (const [name, targets] of expected) {
    const endpoints = cluster(portNamed(rules, name))?.endpoints ?? [];
    expect(endpoints.map((e) => e.target).sort(), name).toEqual(targets);
  }
  // The lab made 10 connections to svc4's ClusterIP and 3 to svc1's (make-lab-kube-proxy.sh);
  // the nat table sees each connection's first packet once.
  const svc4 = portNamed(rules, 'ns4/svc4:p80');
  expect(cluster(svc4)?.endpoints.map((e) => e.how)).toEqual(['--probability 0.50000000000', 'last rule']);
  expect(svc4.frontends.find((f) => f.kind === 'cluster-ip')?.counters?.packets).toBe(10);
  const taken = cluster(svc4)?.endpoints.map((e) => e.counters?.packets ?? 0) ?? [];
  expect(taken.reduce((a, b) => a + b, 0)).toBe(10);
  expect(cluster(svc4)?.endpoints.map((e) => e.dnatCounters?.packets)).toEqual(taken);
  expect(cluster(portNamed(rules, 'ns1/svc1:p80'))?.endpoints[0]?.dnatCounters?.packets).toBe(3);
});

test('the probability cascade uses the values written, not an assumed even split', () => {
  const save = parseIptablesSave(
    [
      '*nat',
      ':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]',
      ':KUBE-SEP-1 - [0:0]',
      ':KUBE-SEP-2 - [0:0]',
      ':KUBE-SEP-3 - [0:0]',
      '-A KUBE-SVC-AAAAAAAAAAAAAAAA -m statistic --mode random --probability 0.2000000000 -j KUBE-SEP-1',
      '-A KUBE-SVC-AAAAAAAAAAAAAAAA -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-2',
      '-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-3',
      '-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.0.0.1:80',
      '-A KUBE-SEP-2 -p tcp -j DNAT --to-destination [fd00::2]:80',
      'COMMIT',
    ].join('\n'),
  );
  const [port] = kubeProxyFromIptables(save).services;
  expect(port?.servicePortName).toBeNull();
  const endpoints = port?.dispatches[0]?.endpoints ?? [];
  expect(endpoints.map((e) => e.probability)).toEqual([0.2, 0.4, 0.4]);
  expect(endpoints.map((e) => [e.ip, e.port])).toEqual([['10.0.0.1', 80], ['fd00::2', 80], [null, null]]);
});
