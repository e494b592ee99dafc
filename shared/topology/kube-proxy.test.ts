// kube-proxy's chain names, checked against vectors taken from kube-proxy's own test fixtures
// (../shared/reference/kube-proxy-iptables/chain-name-vectors.json, copied to test/fixtures).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { EndpointSlice, Service } from '../kube/objects.ts';
import { iptablesEndpointChain, iptablesServiceChains, nftablesDnatLayout, nftablesEndpointChain, nftablesMapTarget, nftablesServiceChains } from './kube-proxy.ts';

interface Vector {
  kind: string;
  input: string;
  servicePortName?: string;
  protocol?: string;
  endpoint?: string;
  chains?: Record<string, string> | string[];
  chain?: string;
}
const { vectors } = JSON.parse(readFileSync(new URL('../../test/fixtures/kube-proxy/chain-name-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

describe('iptables', () => {
  test.each(vectors.filter((v) => v.kind.startsWith('SVC/')))('$input', (v) => {
    const chains = iptablesServiceChains(v.servicePortName!, v.protocol!);
    const expected = v.chains as Record<string, string>;
    expect(chains.service).toBe(expected['KUBE-SVC']);
    expect(chains.local).toBe(expected['KUBE-SVL']);
    expect(chains.external).toBe(expected['KUBE-EXT']);
    expect(chains.firewall).toBe(expected['KUBE-FW']);
  });
  test.each(vectors.filter((v) => v.kind.startsWith('SEP')))('$input', (v) => {
    expect(iptablesEndpointChain(v.servicePortName!, v.protocol!, v.endpoint!)).toBe(v.chain);
  });
});

describe('nftables', () => {
  test.each(vectors.filter((v) => v.kind === 'nftables service'))('$input', (v) => {
    const [ns, rest] = v.input.split(/\/(.*)/s) as [string, string];
    const [name, protocol, port] = rest.split('/') as [string, string, string];
    const chains = nftablesServiceChains(ns, name, protocol, port || null);
    expect([chains.service, chains.local, chains.external, chains.firewall]).toEqual(v.chains);
  });
  test.each(vectors.filter((v) => v.kind === 'nftables endpoint'))('$input', (v) => {
    const [service, endpoint] = v.input.split('__') as [string, string];
    const [ns, name, protocol, port] = service.split('/') as [string, string, string, string];
    const slash = endpoint.lastIndexOf('/');
    const ip = endpoint.slice(0, slash).replaceAll('.', endpoint.includes(':') ? ':' : '.');
    const chain = nftablesEndpointChain(ns, name, protocol, port || null, ip, Number(endpoint.slice(slash + 1)));
    expect(chain).toBe((v.chains as string[])[0]);
  });
});

describe('where nftables mode DNATs, by release', () => {
  test.each([
    ['v1.35.4', 'None', 3, 'endpoint-chains'],
    ['v1.36.0-beta.0', 'None', 3, 'either'],
    ['v1.36.3', 'None', 3, 'dnat-map'],
    ['v1.36.1-gke.1200', 'None', 1, 'dnat-map'],
    ['v1.36.3', 'ClientIP', 2, 'endpoint-chains'],
    ['v1.37.0', 'None', 1, 'dnat-direct'],
    ['v1.37.2+k3s1', 'None', 2, 'dnat-map'],
    ['v1.37.0', 'ClientIP', 1, 'endpoint-chains'],
    [null, 'None', 3, 'either'],
  ] as const)('%s, affinity %s, %i endpoints: %s', (version, affinity, count, layout) => {
    expect(nftablesDnatLayout(version, affinity, count)).toBe(layout);
  });

  // The lab's kube-proxy v1.36.3 (test/fixtures/datapath/lab-kube-proxy-1.36-nftables): endpoint
  // chains only for the ClientIP Service, every other service chain DNATs through a numgen map
  // (even the one-endpoint default/kubernetes: kubernetes#140723 is not in 1.36), with elements
  // `IP . port` as nftablesMapTarget writes them.
  test('agrees with what kube-proxy v1.36.3 wrote in the lab', () => {
    const dir = new URL('../../test/fixtures/datapath/lab-kube-proxy-1.36-nftables/', import.meta.url);
    const api = JSON.parse(readFileSync(new URL('api.json', dir), 'utf8')) as { services: Service[]; slices: EndpointSlice[] };
    const ruleset = (JSON.parse(readFileSync(new URL('node-a/nft_-j_list_ruleset.json', dir), 'utf8')) as { nftables: Record<string, { family?: string; table?: string; name?: string; chain?: string; expr?: unknown[] }>[] }).nftables;
    const inTable = (kind: string) => ruleset.flatMap((o) => (o[kind]?.family === 'ip' && o[kind]?.table === 'kube-proxy' ? [o[kind]] : []));
    const chainNames = inTable('chain').map((c) => c.name!);
    let checked = 0;
    for (const service of api.services) {
      const { namespace, name } = service.metadata as { namespace: string; name: string };
      const slices = api.slices.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
      for (const port of service.spec.ports ?? []) {
        const ready = slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => [e.addresses[0]!, s.ports?.find((p) => (p.name ?? '') === (port.name ?? ''))?.port ?? 0] as const));
        if (ready.length === 0) continue;
        const chain = nftablesServiceChains(namespace, name, port.protocol ?? 'TCP', port.name ?? null).service;
        const endpointChains = ready.map(([ip, p]) => nftablesEndpointChain(namespace, name, port.protocol ?? 'TCP', port.name ?? null, ip, p));
        const layout = nftablesDnatLayout('v1.36.3', service.spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None', ready.length);
        const rules = JSON.stringify(inTable('rule').filter((r) => r.chain === chain).map((r) => r.expr));
        expect(chainNames, `${namespace}/${name}`).toContain(chain);
        if (layout === 'endpoint-chains') {
          for (const c of endpointChains) expect(chainNames).toContain(c);
          expect(rules).toContain(`"mod":${ready.length}`);
        } else {
          expect(layout).toBe('dnat-map');
          for (const c of endpointChains) expect(chainNames).not.toContain(c);
          for (const [ip, p] of ready) {
            expect(nftablesMapTarget(ip, p)).toBe(`${ip} . ${p}`);
            expect(rules).toContain(`{"concat":["${ip}",${p}]}`);
          }
          expect(rules).toContain(`"numgen":{"mode":"random","mod":${ready.length},"offset":0}`);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
