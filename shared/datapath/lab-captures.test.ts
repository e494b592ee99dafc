// What the real kube-proxy 1.36 (iptables and nftables modes) and the real flanneld (VXLAN) wrote
// in the network lab, read back without the lab: test/fixtures/datapath/lab-kube-proxy-1.36-*/
// hold each node's reading and the API's Services and EndpointSlices at that moment (captured by
// test/lab/rules.test.ts, see the README there). The parsed rules must say exactly what the API
// said; the layouts 1.36 writes are spelled out below, since the older reference rules
// (../shared/reference) differ.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { EndpointSlice, Service } from '../kube/objects.ts';
import { nftablesEndpointChain } from '../topology/kube-proxy.ts';
import { expectedRules, observedRules, rounded } from '../../test/lab/expected-rules.ts';
import { loadReading, readingDirs } from '../../test/lab/node-reading.ts';
import { kubeProxyFromNftables } from './kube-proxy-nftables.ts';
import { parseNftRuleset } from './nftables.ts';
import { observeNode } from './observe.ts';
import type { KubeProxyRules, ObservedNode, ObservedServicePort } from './types.ts';

interface Capture {
  api: { services: Service[]; slices: EndpointSlice[]; traffic: { servicePortName: string; url: string; answered: Record<string, number> }[] };
  /** By the node's short name (a, b): its reading, and what observeNode makes of it. */
  nodes: Map<string, { reading: ReturnType<typeof loadReading>; node: ObservedNode }>;
  /** The API namespace of the lab's pods and Services (`<prefix>lab`). */
  ns: string;
}

function capture(mode: 'iptables' | 'nftables'): Capture {
  const dir = fileURLToPath(new URL(`../../test/fixtures/datapath/lab-kube-proxy-1.36-${mode}/`, import.meta.url));
  const api = JSON.parse(readFileSync(join(dir, 'api.json'), 'utf8')) as Capture['api'];
  const nodes = new Map(
    readingDirs(dir).map((d) => {
      const reading = loadReading(d);
      return [d.slice(-1), { reading, node: observeNode(reading) }] as const;
    }),
  );
  return { api, nodes, ns: api.services[0]!.metadata.namespace! };
}

const portNamed = (rules: KubeProxyRules | undefined, name: string) => rules?.services.find((s) => s.servicePortName === name) as ObservedServicePort;
const cluster = (port: ObservedServicePort) => port.dispatches.find((d) => d.scope === 'cluster')!;
const clusterIPOf = (c: Capture, name: string) => c.api.services.find((s) => s.metadata.name === name)!.spec.clusterIP;
const nodePortOf = (c: Capture, name: string) => c.api.services.find((s) => s.metadata.name === name)!.spec.ports![0]!.nodePort;
const podIP = (c: Capture, pod: string) => c.api.slices.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === pod)!.addresses[0];

describe.each(['iptables', 'nftables'] as const)('kube-proxy 1.36 %s and flannel vxlan, as the lab read them', (mode) => {
  const c = capture(mode);

  test('on each node, every Service port maps to the endpoints its EndpointSlices list, in equal shares', () => {
    expect([...c.nodes.keys()]).toEqual(['a', 'b']);
    for (const { reading, node } of c.nodes.values()) {
      expect(node.kubeProxy.map((k) => k.mode)).toEqual([mode]);
      const want = rounded(expectedRules(c.api.services, c.api.slices, reading.node));
      expect(Object.keys(want)).toHaveLength(5);
      expect(node.kubeProxy[0]!.services.map((s) => s.servicePortName).sort()).toEqual([...Object.keys(want), 'default/kubernetes:https'].sort());
      expect(observedRules(node.kubeProxy[0], Object.keys(want)), reading.node).toEqual(want);
    }
  });

  test('the shapes: two endpoints on two nodes, a node port, a port without endpoints, affinity, a Local policy', () => {
    const a = c.nodes.get('a')!.node.kubeProxy[0];
    const b = c.nodes.get('b')!.node.kubeProxy[0];
    const web = `${podIP(c, 'web-a')}:8080`;
    const webB = `${podIP(c, 'web-b')}:8080`;
    expect(cluster(portNamed(a, `${c.ns}/web:http`)).endpoints.map((e) => [e.target, e.probability]).sort()).toEqual([[web, 0.5], [webB, 0.5]].sort());
    // Traffic to a ClusterIP from outside the cluster CIDR is masqueraded: iptables in each
    // KUBE-SVC chain, nftables 1.36 in one rule over the cluster-ips set.
    expect(portNamed(a, `${c.ns}/web:http`).isMasqueraded).toBe(true);
    expect(portNamed(a, `${c.ns}/empty`).isMasqueraded).toBe(false);
    expect(portNamed(a, `${c.ns}/web-np`).frontends.find((f) => f.kind === 'node-port' && f.ip === null)?.port).toBe(nodePortOf(c, 'web-np'));
    expect(portNamed(a, `${c.ns}/empty`).noEndpoints.map((n) => [n.reason, n.action, n.ip, n.port])).toEqual([['no-endpoints', 'REJECT', clusterIPOf(c, 'empty'), 80]]);
    expect(portNamed(a, `${c.ns}/empty`).frontends).toEqual([]);
    expect(cluster(portNamed(a, `${c.ns}/sticky:http`)).affinitySeconds).toBe(10800);
    // Only node b has an endpoint of `local`: node a drops external traffic to its node port,
    // node b dispatches it to web-b alone.
    expect(portNamed(a, `${c.ns}/local`).noEndpoints.map((n) => [n.reason, n.action, n.port])).toEqual([['no-local-endpoints', 'DROP', nodePortOf(c, 'local')]]);
    expect(portNamed(a, `${c.ns}/local`).dispatches.map((d) => d.scope)).toEqual(['cluster']);
    expect(portNamed(b, `${c.ns}/local`).dispatches.find((d) => d.scope === 'local')?.endpoints.map((e) => [e.target, e.probability])).toEqual([[webB, 1]]);
  });

  test('every pod veth maps to its pod; eth0, a veth to the underlay, is the uplink; flannel.1 is VXLAN VNI 1 with its peer complete', () => {
    const [a, b] = [c.nodes.get('a')!, c.nodes.get('b')!];
    expect(a.node.veths.map((v) => [v.pod?.name, v.bridge, v.ipCheck.status]).sort()).toEqual([
      ['client', 'cni0', 'confirmed'],
      ['web-a', 'cni0', 'confirmed'],
    ]);
    expect(b.node.veths.map((v) => [v.pod?.name, v.bridge, v.ipCheck.status])).toEqual([['web-b', 'cni0', 'confirmed']]);
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      expect(self.node.conflicts).toEqual([]);
      expect(self.node.devices.find((d) => d.name === 'eth0')).toMatchObject({ kind: 'veth', role: 'uplink' });
      const underlay = (n: ObservedNode) => n.devices.find((d) => d.name === 'eth0')!.addresses[0]!.split('/')[0];
      const flannel = self.node.tunnels.find((t) => t.name === 'flannel.1');
      expect(flannel?.info).toMatchObject({ vni: 1, port: 8472, device: 'eth0', local: underlay(self.node), isLearning: false });
      // The peer: the other node's podCIDR via its flannel.1 address, whose MAC is the other
      // flannel.1's and lives behind the other node's underlay address.
      const otherFlannel = other.node.devices.find((d) => d.name === 'flannel.1')!;
      expect(flannel?.peers).toEqual([
        { podCIDR: otherFlannel.addresses[0]!.replace(/\.0\/32$/, '.0/24'), gateway: otherFlannel.addresses[0]!.split('/')[0], mac: otherFlannel.macAddress, remote: underlay(other.node), missing: [] },
      ]);
    }
  });
});

describe('kube-proxy 1.36 nftables: the service chain DNATs itself', () => {
  const c = capture('nftables');
  const a = c.nodes.get('a')!;

  test('through `dnat to numgen random mod N map { … }`, with no endpoint chains', () => {
    const endpoints = cluster(portNamed(a.node.kubeProxy[0], `${c.ns}/web:http`)).endpoints;
    expect(endpoints.map((e) => [e.chain, e.how, e.probability])).toEqual([
      [null, 'numgen random mod 2', 0.5],
      [null, 'numgen random mod 2', 0.5],
    ]);
    const ruleset = parseNftRuleset(a.reading.commands.nftables?.status === 'ok' ? a.reading.commands.nftables.output : '');
    // Endpoint chains remain for ClientIP affinity only.
    const endpointChains = ruleset.chains.filter((ch) => ch.table === 'kube-proxy' && ch.name.startsWith('endpoint-'));
    expect(endpointChains.length).toBe(2);
    expect(endpointChains.every((ch) => ch.name.includes('/sticky/'))).toBe(true);
  });

  test('ClientIP affinity keeps the older layout: a numgen vmap to endpoint chains, named as kube-proxy computes them', () => {
    const sticky = cluster(portNamed(a.node.kubeProxy[0], `${c.ns}/sticky:http`));
    expect(sticky.endpoints).toHaveLength(2);
    for (const e of sticky.endpoints) {
      expect(e.chain).toBe(nftablesEndpointChain(c.ns, 'sticky', 'tcp', 'http', e.ip!, e.port!));
      expect([e.how, e.probability]).toEqual(['numgen random mod 2', 0.5]);
    }
  });

  test('the ip6 table is there, empty', () => {
    const ruleset = parseNftRuleset(a.reading.commands.nftables?.status === 'ok' ? a.reading.commands.nftables.output : '');
    expect(ruleset.tables).toContainEqual({ family: 'ip6', name: 'kube-proxy' });
    expect(kubeProxyFromNftables(ruleset, 'inet6').services).toEqual([]);
  });
});

describe('kube-proxy 1.36 iptables', () => {
  const c = capture('iptables');
  const a = c.nodes.get('a')!;

  test('a node port has two frontends: 127.0.0.0/8 (counted by nfacct) and any local address', () => {
    expect(portNamed(a.node.kubeProxy[0], `${c.ns}/web-np`).frontends.map((f) => [f.kind, f.ip, f.port])).toEqual([
      ['cluster-ip', clusterIPOf(c, 'web-np'), 80],
      ['node-port', '127.0.0.0/8', nodePortOf(c, 'web-np')],
      ['node-port', null, nodePortOf(c, 'web-np')],
    ]);
  });

  test('the cascade of --probability reads as equal shares', () => {
    expect(cluster(portNamed(a.node.kubeProxy[0], `${c.ns}/web:http`)).endpoints.map((e) => [e.how, e.probability])).toEqual([
      ['--probability 0.50000000000', 0.5],
      ['last rule', 0.5],
    ]);
  });

  test('each endpoint\'s jump and DNAT counters hold exactly the requests it answered in the lab', () => {
    expect(c.api.traffic.map((t) => t.servicePortName)).toEqual([`${c.ns}/web:http`, `${c.ns}/web-np`]);
    for (const t of c.api.traffic) {
      const endpoints = cluster(portNamed(a.node.kubeProxy[0], t.servicePortName)).endpoints;
      const counted = Object.fromEntries(endpoints.map((e) => [e.target, [e.counters?.packets, e.dnatCounters?.packets]]));
      expect(counted, t.url).toEqual(Object.fromEntries(Object.entries(t.answered).map(([target, n]) => [target, [n, n]])));
    }
  });

  test('iptables-nft\'s rules in `nft -j list ruleset` parse (xt expressions) and are not taken for kube-proxy\'s nftables mode', () => {
    const ruleset = parseNftRuleset(a.reading.commands.nftables?.status === 'ok' ? a.reading.commands.nftables.output : '');
    expect(ruleset.rules.some((r) => r.table === 'nat' && r.chain.startsWith('KUBE-SVC-'))).toBe(true);
    expect(kubeProxyFromNftables(ruleset).services).toEqual([]);
  });
});
