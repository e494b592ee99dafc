// kube-proxy's nftables mode read back: `nft -j list ruleset` of kube-proxy's reference ruleset
// (kubernetes pkg/proxy/nftables proxier_test.go TestOverallNFTablesRules = ../shared/reference/
// kube-proxy-nftables/case1-overall/expected.nft) as the real nft prints it after loading it into
// a lab namespace (test/fixtures/datapath/make-lab-kube-proxy.sh). Same Services and
// EndpointSlices as the iptables case (kube-proxy-case1-inputs.yaml).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nftablesEndpointChain, nftablesServiceChains } from '../topology/kube-proxy.ts';
import { kubeProxyFromNftables } from './kube-proxy-nftables.ts';
import { parseNftRuleset } from './nftables.ts';
import { DatapathParseError } from './parse-error.ts';
import type { KubeProxyRules, ObservedServicePort } from './types.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/${name}`, import.meta.url), 'utf8');
const portNamed = (rules: KubeProxyRules, name: string) => rules.services.find((s) => s.servicePortName === name) as ObservedServicePort;
const cluster = (port: ObservedServicePort) => port.dispatches.find((d) => d.scope === 'cluster');

describe('parseNftRuleset', () => {
  test('reads tables, base chains, rules with counters, sets and maps', () => {
    const ruleset = parseNftRuleset(fixture('lab-kube-proxy/nft-j-list-ruleset-counters.json'));
    expect(ruleset.tables).toEqual([{ family: 'ip', name: 'kube-proxy' }]);
    expect(ruleset.chains.find((c) => c.name === 'nat-prerouting')).toMatchObject({ type: 'nat', hook: 'prerouting', priority: -100, policy: 'accept' });
    expect(ruleset.sets.find((s) => s.name === 'service-ips')).toMatchObject({ isMap: true, map: 'verdict' });
    expect(ruleset.sets.find((s) => s.name.startsWith('affinity-'))?.timeout).toBe(10800);
    expect(ruleset.rules.filter((r) => r.counters).length).toBe(6);
  });

  test.each([
    ['not JSON', '{"nftables": [', '', /not JSON/],
    ['no nftables array', '{"tables": []}', 'nftables', /expected an array, not nothing/],
    ['a rule without expressions', '{"nftables": [{"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 1}}]}', 'nftables[0].rule.expr', /expected an array/],
    ['a chain whose name is a number', '{"nftables": [{"chain": {"family": "ip", "table": "t", "name": 7}}]}', 'nftables[0].chain.name', /expected a string, not a number/],
  ])('rejects %s, naming the field', (_, text, where, reason) => {
    const error = (() => {
      try {
        parseNftRuleset(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DatapathParseError);
    expect((error as DatapathParseError).where).toBe(where);
    expect((error as DatapathParseError).reason).toMatch(reason);
    expect((error as DatapathParseError).message.startsWith('nft -j list ruleset: ')).toBe(true);
  });
});

describe('kubeProxyFromNftables over kube-proxy case1', () => {
  const rules = kubeProxyFromNftables(parseNftRuleset(fixture('lab-kube-proxy/nft-j-list-ruleset.json')));

  test('maps each Service port to its endpoints, numgen giving equal shares', () => {
    const got = Object.fromEntries(
      rules.services.map((s) => [s.servicePortName, cluster(s)?.endpoints.map((e) => [e.target, e.probability, e.how]) ?? []]),
    );
    expect(got).toEqual({
      'ns1/svc1:p80': [['10.180.0.1:80', 1, 'numgen random mod 1']],
      'ns2/svc2:p80': [['10.180.0.2:80', 1, 'numgen random mod 1']],
      'ns3/svc3:p80': [['10.180.0.3:80', 1, 'numgen random mod 1']],
      'ns4/svc4:p80': [
        ['10.180.0.4:80', 0.5, 'numgen random mod 2'],
        ['10.180.0.5:80', 0.5, 'numgen random mod 2'],
      ],
      'ns5/svc5:p80': [['10.180.0.3:80', 1, 'numgen random mod 1']],
      'ns6/svc6:p80': [],
    });
  });

  test('names chains as kube-proxy computes them', () => {
    for (const port of rules.services) {
      const { namespace, name, protocol, portName } = port as { namespace: string; name: string; protocol: string; portName: string | null };
      const dispatch = cluster(port);
      if (dispatch) expect(dispatch.chain).toBe(nftablesServiceChains(namespace, name, protocol, portName).service);
      for (const e of dispatch?.endpoints ?? []) {
        expect(e.chain).toBe(nftablesEndpointChain(namespace, name, protocol, portName, e.ip as string, e.port as number));
      }
    }
  });

  test('reads frontends from service-ips and service-nodeports, LB IPs from firewall-ips', () => {
    expect(portNamed(rules, 'ns2/svc2:p80').frontends.map((f) => [f.kind, f.ip, f.port, f.protocol])).toEqual([
      ['external', '1.2.3.4', 80, 'tcp'],
      ['external', '192.168.99.22', 80, 'tcp'],
      ['cluster-ip', '172.30.0.42', 80, 'tcp'],
      ['node-port', null, 3001, 'tcp'],
    ]);
    expect(portNamed(rules, 'ns5/svc5:p80').frontends.find((f) => f.ip === '5.6.7.8')?.kind).toBe('load-balancer');
  });

  test('reads affinity, masquerading and the no-endpoint maps', () => {
    expect(cluster(portNamed(rules, 'ns5/svc5:p80'))?.affinitySeconds).toBe(10800);
    expect(cluster(portNamed(rules, 'ns4/svc4:p80'))?.affinitySeconds).toBeNull();
    expect(portNamed(rules, 'ns1/svc1:p80').isMasqueraded).toBe(true);
    expect(portNamed(rules, 'ns6/svc6:p80').noEndpoints).toEqual([{ reason: 'no-endpoints', action: 'REJECT', ip: '172.30.0.46', port: 80, evidence: 'map no-endpoint-services' }]);
    expect(portNamed(rules, 'ns2/svc2:p80').noEndpoints.map((n) => [n.reason, n.action, n.ip, n.port])).toEqual([
      ['no-local-endpoints', 'DROP', '1.2.3.4', 80],
      ['no-local-endpoints', 'DROP', '192.168.99.22', 80],
      ['no-local-endpoints', 'DROP', null, 3001],
    ]);
  });

  test('an ip6 table is another family: none here', () => {
    expect(kubeProxyFromNftables(parseNftRuleset(fixture('lab-kube-proxy/nft-j-list-ruleset.json')), 'inet6').services).toEqual([]);
  });
});

test('counters on the DNAT rules add up to the connections the lab made', () => {
  const rules = kubeProxyFromNftables(parseNftRuleset(fixture('lab-kube-proxy/nft-j-list-ruleset-counters.json')));
  const svc4 = cluster(portNamed(rules, 'ns4/svc4:p80'))?.endpoints ?? [];
  expect(svc4.reduce((sum, e) => sum + (e.dnatCounters?.packets ?? 0), 0)).toBe(10);
  expect(cluster(portNamed(rules, 'ns1/svc1:p80'))?.endpoints[0]?.dnatCounters?.packets).toBe(3);
});

test('a numgen map with uneven slots gives uneven shares', () => {
  const rule = (chain: string, expr: unknown[]) => ({ rule: { family: 'ip', table: 'kube-proxy', chain, handle: 1, expr } });
  const text = JSON.stringify({
    nftables: [
      { chain: { family: 'ip', table: 'kube-proxy', name: 'service-AAAAAAAA-ns/web/tcp/' } },
      rule('service-AAAAAAAA-ns/web/tcp/', [
        { vmap: { key: { numgen: { mode: 'random', mod: 3, offset: 0 } }, data: { set: [[0, { goto: { target: 'endpoint-a' } }], [1, { goto: { target: 'endpoint-a' } }], [2, { goto: { target: 'endpoint-b' } }]] } } },
      ]),
      rule('endpoint-a', [{ dnat: { addr: 'fd00::1', port: 8080 } }]),
    ],
  });
  const [port] = kubeProxyFromNftables(parseNftRuleset(text)).services;
  expect(port?.servicePortName).toBe('ns/web');
  expect(port?.dispatches[0]?.endpoints.map((e) => [e.target, e.probability])).toEqual([
    ['[fd00::1]:8080', 2 / 3],
    [null, 1 / 3],
  ]);
});
