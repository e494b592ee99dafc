// kube-proxy's chain names, checked against vectors taken from kube-proxy's own test fixtures
// (../shared/reference/kube-proxy-iptables/chain-name-vectors.json, copied to test/fixtures).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { iptablesEndpointChain, iptablesServiceChains, nftablesEndpointChain, nftablesServiceChains } from './kube-proxy.ts';

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
