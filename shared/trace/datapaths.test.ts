/**
 * The same small workload — a client and a peer on one node, a three-endpoint Service, CoreDNS,
 * a LoadBalancer — traced on every datapath style the model knows, built from the CNI fixtures
 * (test/fixtures/cni/, each modelled on that CNI's own manifests) put through the same trimming
 * and derivation as a live cluster. Expected device names, routes and chain names come from the
 * CNIs' and kube-proxy's own conventions (and kube-proxy's hash functions, checked against its
 * test vectors in shared/topology/kube-proxy.test.ts), not from the tracer.
 */
import { describe, expect, test } from 'vitest';
import type { ClusterObjects, EndpointSlice, Pod, Service } from '../kube/objects.ts';
import type { Topology } from '../model/types.ts';
import { cidrAddress } from '../net/ip.ts';
import { derive } from '../topology/derive.ts';
import { addKubeProxyChains, iptablesEndpointChain, iptablesServiceChains, nftablesEndpointChain, nftablesServiceChains } from '../topology/kube-proxy.ts';
import { awsVethName, calicoVethName } from '../topology/naming.ts';
import { trace } from './trace.ts';
import type { Branch, Hop, Trace } from './types.ts';
import { cniFixture, fixtureObjects, type FixtureObject } from '../../test/fixtures/cni.ts';


function setProxyMode(items: FixtureObject[], mode: string): FixtureObject[] {
  const config = items.find((i) => i.kind === 'ConfigMap' && i.metadata.name === 'kube-proxy');
  if (!config?.data?.['config.conf']) throw new Error('no kube-proxy ConfigMap in fixture');
  config.data['config.conf'] = config.data['config.conf'].replace(/^mode: .*$/m, `mode: "${mode}"`);
  return items;
}

/** The annotations Cilium writes with annotate-k8s-node, so tunnel mode has node ranges. */
function annotateCilium(items: FixtureObject[]): FixtureObject[] {
  for (const node of items.filter((i) => i.kind === 'Node')) {
    const index = { 'kind-control-plane': 0, 'kind-worker': 1, 'kind-worker2': 2 }[node.metadata.name] ?? 0;
    node.metadata.annotations = { ...node.metadata.annotations, 'network.cilium.io/ipv4-pod-cidr': `10.0.${index}.0/24`, 'network.cilium.io/ipv4-cilium-host': `10.0.${index}.1` };
  }
  return items;
}

const clusterIP = { api: '10.96.0.50', web: '10.96.0.60', dns: '10.96.0.10' };
const lbAddress = '203.0.113.50';

interface Cluster {
  topology: Topology;
  nodes: string[];
  ip: Record<'client' | 'peer' | 'apiA' | 'apiB' | 'apiC' | 'dns', string>;
}

/**
 * The fixture's cluster plus the workload: pods get addresses from their node's pod range as the
 * CNI's IPAM would (or `podIP` for CNIs whose pods take addresses of the cloud network).
 */
function withWorkload(items: FixtureObject[], podIP?: (node: number, slot: number) => string): Cluster {
  const base = fixtureObjects(items);
  const baseTopology = derive(base);
  const hosts = Object.values(baseTopology.hosts);
  const nodes = hosts.map((h) => h.name);
  const at = (n: number) => n % nodes.length;
  const address = (n: number, slot: number) => podIP?.(at(n), slot) ?? cidrAddress(hosts[at(n)]?.cniPodCIDRs[0] ?? '', 10 + slot) ?? '';
  const ip = { client: address(1, 0), peer: address(1, 1), apiA: address(2, 2), apiB: address(1, 3), apiC: address(0, 4), dns: address(0, 5) };
  const objects: ClusterObjects = { ...base, pods: [...base.pods], services: [...base.services], endpointSlices: [...base.endpointSlices], namespaces: [...base.namespaces] };
  objects.namespaces.push({ metadata: { name: 'shop', uid: 'ns-shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } });
  const pod = (namespace: string, name: string, node: number, podIPAddress: string, labels: Record<string, string>, ports: { name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[]): Pod => ({
    metadata: { name, namespace, uid: `uid-${name}`, labels },
    spec: { nodeName: nodes[at(node)] ?? '', dnsPolicy: name === 'coredns-x' ? 'Default' : 'ClusterFirst', containers: [{ name: 'main', image: 'registry.example/app:1', ports }] },
    status: { phase: 'Running', podIP: podIPAddress, podIPs: [{ ip: podIPAddress }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'main', ready: true }] },
  });
  const http = [{ name: 'http', containerPort: 8080 }];
  objects.pods.push(
    pod('shop', 'client', 1, ip.client, { app: 'client' }, []),
    pod('shop', 'peer', 1, ip.peer, { app: 'peer' }, http),
    pod('shop', 'api-a', 2, ip.apiA, { app: 'api' }, http),
    pod('shop', 'api-b', 1, ip.apiB, { app: 'api' }, http),
    pod('shop', 'api-c', 0, ip.apiC, { app: 'api' }, http),
    pod('kube-system', 'coredns-x', 0, ip.dns, { 'k8s-app': 'kube-dns' }, [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ]),
  );
  const service = (namespace: string, name: string, spec: Service['spec'], status?: Service['status']): Service => ({ metadata: { name, namespace, uid: `svc-${name}` }, spec, ...(status ? { status } : {}) });
  objects.services.push(
    service('shop', 'api', { clusterIP: clusterIP.api, clusterIPs: [clusterIP.api], selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }),
    service('shop', 'empty', { clusterIP: '10.96.0.70', clusterIPs: ['10.96.0.70'], selector: { app: 'nothing' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }),
    service('shop', 'web', { type: 'LoadBalancer', clusterIP: clusterIP.web, clusterIPs: [clusterIP.web], selector: { app: 'api' }, externalTrafficPolicy: 'Cluster', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }] }, { loadBalancer: { ingress: [{ ip: lbAddress }] } }),
    service('kube-system', 'kube-dns', {
      clusterIP: clusterIP.dns,
      clusterIPs: [clusterIP.dns],
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
      ],
    }),
  );
  const slice = (namespace: string, service: string, ports: EndpointSlice['ports'], members: [string, number, string][]): EndpointSlice => ({
    metadata: { name: `${service}-abcde`, namespace, uid: `slice-${service}`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports,
    endpoints: members.map(([address, node, name]) => ({ addresses: [address], conditions: { ready: true, serving: true, terminating: false }, nodeName: nodes[at(node)] ?? '', targetRef: { kind: 'Pod', name, namespace, uid: `uid-${name}` } })),
  });
  const apiMembers: [string, number, string][] = [
    [ip.apiA, 2, 'api-a'],
    [ip.apiB, 1, 'api-b'],
    [ip.apiC, 0, 'api-c'],
  ];
  objects.endpointSlices.push(
    slice('shop', 'api', [{ name: 'http', port: 8080, protocol: 'TCP' }], apiMembers),
    slice('shop', 'web', [{ name: 'http', port: 8080, protocol: 'TCP' }], apiMembers),
    slice('kube-system', 'kube-dns', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }], [[ip.dns, 0, 'coredns-x']]),
  );
  return { topology: derive(objects), nodes, ip };
}

const kinds = (hops: Hop[]) => hops.map((h) => h.kind);
const labels = (hops: Hop[]) => hops.map((h) => h.label);

function branchTo(result: Trace, address: string): Branch {
  const branch = result.branches.find((b) => b.label.startsWith(`${address}:`) || b.label.startsWith(`${address} `));
  if (!branch) throw new Error(`no branch to ${address} in ${result.branches.map((b) => b.label).join(' | ')}`);
  return branch;
}

function hopOf(hops: Hop[], kind: Hop['kind'], index = 0): Hop {
  const found = hops.filter((h) => h.kind === kind)[index];
  if (!found) throw new Error(`no ${kind} hop #${index} in ${kinds(hops).join(',')}`);
  return found;
}

const iptablesApi = iptablesServiceChains('shop/api:http', 'TCP');

describe('Flannel VXLAN (bridge + overlay), kube-proxy iptables', () => {
  const cluster = withWorkload(cniFixture('flannel.json'));
  const { ip, nodes } = cluster;

  test('the fixture is what the test assumes', () => {
    expect(cluster.topology.cluster.cni.value).toMatchObject({ name: 'flannel', bridgeDevice: 'cni0', tunnelDevice: 'flannel.1' });
    expect(cluster.topology.cluster.proxyMode.value).toBe('iptables');
    expect(ip).toMatchObject({ client: '10.244.1.10', apiA: '10.244.2.12', apiC: '10.244.0.14' });
  });

  test('pod to pod on one node: eth0 → veth → cni0 switches the frame → veth → eth0', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/peer', port: 8080 });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[3]!.label).toMatch(/^cni0 on node flux-1: switches the frame/);
    expect(result.hops[3]!.ids).toContain(`dev:${nodes[1]}/bridge`);
    expect(result.hops.every((h) => h.packet.src === ip.client && h.packet.dst === ip.peer && h.packet.dstPort === 8080)).toBe(true);
  });

  test('pod to pod across nodes: cni0 to the gateway, the podCIDR route into flannel.1, VXLAN to the peer, back out of cni0', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/api-a', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'route', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[1]!.label).toContain('default via 10.244.1.1 dev eth0');
    expect(result.hops[4]!.label).toBe('node flux-1: 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
    const tunnel = hopOf(result.hops, 'tunnel');
    expect(tunnel.ids).toContain('dev:flux-1/tunnel');
    // Flannel's VTEPs: UDP 8472, VNI 1, between the nodes' public-ip addresses.
    expect(tunnel.packet.outer).toEqual({ src: '192.168.99.11', dst: '192.168.99.12', protocol: 'UDP', dstPort: 8472, vni: 1 });
    expect(tunnel.evidence.some((e) => e.command === 'bridge fdb show dev flannel.1; ip neigh show dev flannel.1')).toBe(true);
    expect(hopOf(result.hops, 'decap').ids).toContain('dev:flux-2/tunnel');
    expect(hopOf(result.hops, 'decap').packet.outer).toBeUndefined();
    expect(result.hops[8]!.label).toBe('node flux-2: 10.244.2.0/24 dev cni0 (the node\'s own pods)');
  });

  test('pod to Service: KUBE-SVC → KUBE-SEP by probability, DNAT to each endpoint, then pod to pod', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'svc:shop/api' });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'service', 'endpoint']);
    expect(result.hops[4]!.label).toContain(`KUBE-SERVICES → ${iptablesApi.service}`);
    expect(result.hops[4]!.packet).toMatchObject({ dst: clusterIP.api, dstPort: 80 });
    expect(result.branches).toHaveLength(3);
    // kube-proxy orders endpoints by "IP:port" as strings.
    expect(result.branches.map((b) => b.label.split(' ')[0])).toEqual([`${ip.apiC}:8080`, `${ip.apiB}:8080`, `${ip.apiA}:8080`]);
    expect(result.branches[0]!.selection).toContain('--probability 0.3333333333');
    expect(result.branches[1]!.selection).toContain('--probability 0.5000000000');
    expect(result.branches[2]!.selection).toContain('rule 3 of 3: no condition');
    expect(result.branches.map((b) => b.endpoint)).toEqual([`ep:shop/api/${ip.apiC}`, `ep:shop/api/${ip.apiB}`, `ep:shop/api/${ip.apiA}`]);
    const toA = branchTo(result, ip.apiA);
    const sep = iptablesEndpointChain('shop/api:http', 'TCP', `${ip.apiA}:8080`);
    expect(toA.hops[0]).toMatchObject({ kind: 'kube-proxy-dnat', label: `${sep}: DNAT to ${ip.apiA}:8080`, packet: { src: ip.client, dst: ip.apiA, dstPort: 8080 } });
    expect(toA.selection).toContain(`-j ${sep}`);
    expect(kinds(toA.hops)).toEqual(['kube-proxy-dnat', 'route', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'veth', 'pod-eth0', 'container']);
    // The endpoint on the client's own bridge: kube-proxy's DNAT runs in the bridge's netfilter
    // hook (br_netfilter), so the frame is switched to the endpoint's port, never routed; the lab
    // shows it (test/lab/trace.test.ts: cni0's own counters do not move when only it answers).
    expect(kinds(branchTo(result, ip.apiB).hops)).toEqual(['kube-proxy-dnat', 'bridge', 'veth', 'pod-eth0', 'container']);
  });

  test('pod to the internet: masquerade to the node address, out of the uplink', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: '192.0.2.44:443' });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'snat', 'route', 'uplink', 'internet']);
    expect(hopOf(result.hops, 'snat').packet).toMatchObject({ src: '192.168.99.11', dst: '192.0.2.44', dstPort: 443 });
  });

  test('internet to a LoadBalancer with externalTrafficPolicy Cluster: any node, SNAT to the address it leaves by', () => {
    const result = trace(cluster.topology, { from: 'internet', to: lbAddress });
    expect(kinds(result.hops)).toEqual(['internet', 'load-balancer']);
    expect(result.hops[1]!.label).toContain('any ready node (externalTrafficPolicy Cluster)');
    expect(result.branches).toHaveLength(9);
    const viaNode1ToA = result.branches.find((b) => b.label.startsWith(`via ${nodes[1]} → ${ip.apiA}`))!;
    expect(kinds(viaNode1ToA.hops).slice(0, 5)).toEqual(['uplink', 'node-port', 'endpoint', 'kube-proxy-dnat', 'snat']);
    expect(viaNode1ToA.hops[0]!.packet).toMatchObject({ dst: '192.168.99.11', dstPort: 30080 });
    // MASQUERADE takes the address of the device the packet leaves by: flannel.1's, toward another node.
    expect(hopOf(viaNode1ToA.hops, 'snat').packet).toMatchObject({ src: '10.244.1.0', dst: ip.apiA, dstPort: 8080 });
    const viaNode1ToB = result.branches.find((b) => b.label.startsWith(`via ${nodes[1]} → ${ip.apiB}`))!;
    expect(hopOf(viaNode1ToB.hops, 'snat').packet.src).toBe('10.244.1.1');
  });
});

describe('Flannel, kube-proxy in IPVS mode', () => {
  const cluster = withWorkload(setProxyMode(cniFixture('flannel.json'), 'ipvs'));
  const { ip } = cluster;

  test('the ClusterIP is an IPVS virtual server on kube-ipvs0; real servers in turn (rr)', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: clusterIP.api });
    expect(cluster.topology.cluster.proxyMode.value).toBe('ipvs');
    const service = hopOf(result.hops, 'service');
    expect(service.label).toContain(`IPVS virtual server ${clusterIP.api}:80 on flux-1 (kube-ipvs0)`);
    expect(service.ids).toContain('dev:flux-1/dummy');
    expect(service.evidence.some((e) => e.command === `ipvsadm -Ln -t ${clusterIP.api}:80`)).toBe(true);
    expect(result.branches).toHaveLength(3);
    for (const branch of result.branches) expect(branch.selection).toContain('IPVS scheduler rr');
    expect(branchTo(result, ip.apiA).hops[0]).toMatchObject({ kind: 'kube-proxy-dnat', label: `IPVS: real server ${ip.apiA}:8080 (masquerading forward: DNAT)`, packet: { dst: ip.apiA, dstPort: 8080 } });
  });

  test('sessionAffinity ClientIP is IPVS persistence', () => {
    const topology = structuredClone(cluster.topology);
    topology.services['svc:shop/api']!.sessionAffinity = 'ClientIP';
    const result = trace(topology, { from: 'shop/client', to: 'svc:shop/api' });
    expect(result.branches[0]!.selection).toMatch(/^sessionAffinity ClientIP: IPVS persistence \(-p 10800\)/);
  });
});

describe('Flannel, kube-proxy in nftables mode', () => {
  const cluster = withWorkload(setProxyMode(cniFixture('flannel.json'), 'nftables'));
  const { ip } = cluster;
  const chains = nftablesServiceChains('shop', 'api', 'TCP', 'http');
  const endpointChain = nftablesEndpointChain('shop', 'api', 'TCP', 'http', ip.apiA, 8080);
  // The API server's version (and ClientIP affinity) decides where kube-proxy DNATs: see
  // nftablesDnatLayout. The chains in the model are derived again for the version.
  const at = (version: string | null, change?: (t: Topology) => void): Topology => {
    const topology = structuredClone(cluster.topology);
    topology.cluster.kubernetesVersion = version;
    change?.(topology);
    addKubeProxyChains(topology);
    return topology;
  };
  const toApi = (topology: Topology) => trace(topology, { from: 'shop/client', to: 'svc:shop/api', port: 80 });

  test('before 1.36: the service chain\'s numgen vmap goes to an endpoint chain, which DNATs', () => {
    const result = toApi(at('v1.35.4'));
    const service = hopOf(result.hops, 'service');
    expect(service.label).toContain(`kube-proxy (nftables) on flux-1, chain ${chains.service}`);
    expect(service.evidence.some((e) => e.command === `nft list chain ip kube-proxy ${chains.service}`)).toBe(true);
    const toA = branchTo(result, ip.apiA);
    expect(toA.hops[0]!.label).toBe(`${endpointChain}: dnat to ${ip.apiA}:8080`);
    expect(toA.hops[0]!.evidence[0]).toMatchObject({ text: `${endpointChain}: meta l4proto tcp dnat to ${ip.apiA}:8080`, command: `nft list chain ip kube-proxy ${endpointChain}` });
    expect(toA.selection).toBe(`${chains.service}: numgen random mod 3 vmap { 2 : goto ${endpointChain} }: 1 in 3 new connections`);
  });

  test('1.36: the service chain DNATs through its numgen map; no endpoint chains (as the lab read 1.36.3)', () => {
    const topology = at('v1.36.3');
    expect(topology.services['svc:shop/api']!.ports[0]!.kubeProxy!.endpoints).toEqual([]);
    const result = toApi(topology);
    expect(hopOf(result.hops, 'service').evidence.map((e) => e.text)).toContain(`Kubernetes v1.36.3 (kube-proxy 1.36 and later): ${chains.service} DNATs itself through a numgen map; there are no endpoint- chains`);
    const toA = branchTo(result, ip.apiA);
    const element = `${ip.apiA} . 8080`;
    expect(toA.selection).toBe(`${chains.service}: dnat ip addr . port to numgen random mod 3 map { 2 : ${element} }: 1 in 3 new connections`);
    expect(toA.hops[0]!.label).toBe(`${chains.service}: dnat to ${ip.apiA}:8080 (its numgen map, element 2 : ${element})`);
    expect(toA.hops[0]!.evidence[0]).toMatchObject({
      text: `${chains.service}: meta l4proto tcp dnat ip addr . port to numgen random mod 3 map { …, 2 : ${element}, … }`,
      command: `nft list chain ip kube-proxy ${chains.service} | grep -F '${element}'`,
    });
    expect(result.branches.map((b) => b.hops[0]!.label).join('\n')).not.toContain('endpoint-');
  });

  test('1.36 with sessionAffinity ClientIP: still endpoint chains, each adding the client to its affinity set', () => {
    const result = toApi(at('v1.36.3', (t) => void (t.services['svc:shop/api']!.sessionAffinity = 'ClientIP')));
    const toA = branchTo(result, ip.apiA);
    expect(toA.hops[0]!.label).toBe(`${endpointChain}: dnat to ${ip.apiA}:8080`);
    expect(toA.selection).toBe(`sessionAffinity ClientIP: the affinity set keeps a client on its endpoint for 10800 s (timeoutSeconds 10800, the default); the same client address gets the same endpoint for every connection until it has been idle 10800 s, so repeated traces from one client go where its first went; a new client: ${chains.service}: numgen random mod 3 vmap { 2 : goto ${endpointChain} }: 1 in 3 new connections`);
  });

  test('one endpoint: 1.36 keeps a numgen map of one, 1.37 (kubernetes#140723) a plain dnat', () => {
    const dns = nftablesServiceChains('kube-system', 'kube-dns', 'UDP', 'dns').service;
    const toDns = (version: string) => trace(at(version), { from: 'shop/client', to: 'svc:kube-system/kube-dns', port: 53, protocol: 'UDP' }).branches[0]!;
    const in136 = toDns('v1.36.3');
    expect(in136.selection).toBe(`${dns}: dnat ip addr . port to numgen random mod 1 map { 0 : ${ip.dns} . 53 } (the only endpoint)`);
    const in137 = toDns('v1.37.0');
    expect(in137.selection).toBe(`${dns}: dnat to ${ip.dns}:53 (the only endpoint, no map: kubernetes#140723)`);
    expect(in137.hops[0]!.label).toBe(`${dns}: dnat to ${ip.dns}:53`);
    expect(in137.hops[0]!.evidence[0]).toMatchObject({ text: `${dns}: meta l4proto udp dnat to ${ip.dns}:53`, command: `nft list chain ip kube-proxy ${dns}` });
  });

  test('version unknown: both layouts, each with its own command', () => {
    const result = toApi(at(null));
    const toA = branchTo(result, ip.apiA);
    expect(toA.selection).toBe(`${chains.service}, by kube-proxy's release (the Kubernetes version is unknown): dnat ip addr . port to numgen random mod 3 map { 2 : ${ip.apiA} . 8080 } from 1.36; numgen random mod 3 vmap { 2 : goto ${endpointChain} } before 1.36: 1 in 3 new connections`);
    expect(toA.hops[0]!.label).toBe(`dnat to ${ip.apiA}:8080: in ${chains.service} from kube-proxy 1.36, in ${endpointChain} before (the Kubernetes version is unknown)`);
    expect(toA.hops[0]!.evidence.slice(0, 2).map((e) => e.command)).toEqual([`nft list chain ip kube-proxy ${chains.service} | grep -F '${ip.apiA} . 8080'`, `nft list chain ip kube-proxy ${endpointChain}`]);
  });
});

describe('Calico IPIP (routed + overlay), kube-proxy iptables', () => {
  const cluster = withWorkload(cniFixture('calico.json'));
  const { ip } = cluster;

  test('the fixture is what the test assumes', () => {
    expect(cluster.topology.cluster.cni.value).toMatchObject({ name: 'calico', encapsulation: 'ipip', tunnelDevice: 'tunl0', podAttachment: 'routed' });
    expect(ip).toMatchObject({ client: '192.168.104.10', apiA: '192.168.230.76' });
  });

  test('pod to pod on one node: the peer\'s /32 route to its cali veth, no bridge', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/peer', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'route', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[1]!.label).toContain('default via 169.254.1.1 dev eth0');
    expect(result.hops[2]!.label).toBe(`veth: eth0 → ${calicoVethName('shop', 'client', 'cali')} in node k8s-w1's root netns`);
    expect(result.hops[3]!.label).toBe(`node k8s-w1: ${ip.peer}/32 dev ${calicoVethName('shop', 'peer', 'cali')} scope link`);
  });

  test('pod to pod across nodes: the peer\'s IPAM block via its address dev tunl0, IPIP, then its /32 route', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/api-a', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'route', 'tunnel', 'uplink', 'decap', 'route', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[3]!.label).toBe('node k8s-w1: 192.168.230.64/26 via 10.0.1.12 dev tunl0 onlink');
    expect(hopOf(result.hops, 'tunnel').packet.outer).toEqual({ src: '10.0.0.11', dst: '10.0.1.12', protocol: 'IPIP' });
    expect(hopOf(result.hops, 'decap').ids).toContain('dev:k8s-w2/tunnel');
    expect(result.hops[7]!.label).toBe(`node k8s-w2: ${ip.apiA}/32 dev ${calicoVethName('shop', 'api-a', 'cali')} scope link`);
  });

  test('pod to Service: no bridge before kube-proxy; the same chains as any iptables cluster', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'svc:shop/api' });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'service', 'endpoint']);
    expect(result.hops[3]!.label).toContain(iptablesApi.service);
    expect(kinds(branchTo(result, ip.apiA).hops)).toEqual(['kube-proxy-dnat', 'route', 'tunnel', 'uplink', 'decap', 'route', 'veth', 'pod-eth0', 'container']);
  });

  test('a node reaching a remote pod sends from tunl0\'s address', () => {
    const result = trace(cluster.topology, { from: 'node/k8s-w1', to: 'shop/api-a', port: 8080 });
    expect(result.hops[0]!.packet.src).toBe('192.168.104.0');
    expect(result.summary).toContain('tunl0\'s address');
  });
});

describe('Cilium, native routing with kube-proxy replacement (eBPF)', () => {
  const cluster = withWorkload(cniFixture('cilium-native.json'));
  const { ip } = cluster;

  test('the fixture is what the test assumes', () => {
    expect(cluster.topology.cluster.cni.value).toMatchObject({ name: 'cilium', podAttachment: 'ebpf', peerRouting: 'direct' });
    expect(cluster.topology.cluster.proxyMode.value).toBe('ebpf');
  });

  test('pod to Service: the socket LB rewrites the destination before the packet leaves eth0', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'svc:shop/api' });
    expect(kinds(result.hops)).toEqual(['container', 'service', 'endpoint']);
    expect(result.hops[1]!.label).toContain('Cilium eBPF on kind-worker (socket LB');
    expect(result.hops[1]!.evidence.some((e) => e.command === 'kubectl -n kube-system exec ds/cilium -- cilium-dbg service list')).toBe(true);
    expect(result.branches).toHaveLength(3);
    expect(result.branches[0]!.selection).toContain('Cilium\'s eBPF service map');
    const toA = branchTo(result, ip.apiA);
    expect(kinds(toA.hops)).toEqual(['kube-proxy-dnat', 'pod-eth0', 'veth', 'route', 'uplink', 'route', 'veth', 'pod-eth0', 'container']);
    expect(toA.hops[0]!.label).toBe(`Cilium socket LB: connect() to ${clusterIP.api}:80 rewritten to backend ${ip.apiA}:8080`);
    expect(toA.hops[1]!.packet).toMatchObject({ src: ip.client, dst: ip.apiA, dstPort: 8080 });
    // auto-direct-node-routes: the peer's podCIDR via its InternalIP, no tunnel; Cilium delivers to lxc by eBPF.
    expect(toA.hops[3]!.label).toBe('node kind-worker: 10.244.2.0/24 via 172.18.0.4 dev <uplink>');
    expect(toA.hops[5]!.label).toContain('Cilium eBPF finds');
    expect(toA.hops[5]!.ids).toEqual(expect.arrayContaining(['node:kind-worker2', 'dev:kind-worker2/gateway']));
    expect(toA.hops[5]!.evidence.some((e) => e.command?.includes('cilium-dbg endpoint list'))).toBe(true);
    expect(toA.hops[6]!.label).toMatch(/^veth: lxc<12 hex> → eth0 of shop\/api-a$/);
  });

  test('pod to pod on one node: eBPF redirect from one lxc to the other', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/peer', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'route', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[1]!.label).toContain('default via 10.244.1.32 dev eth0');
  });

  test('internet to the LoadBalancer: BPF NodePort; SNAT only toward backends on other nodes', () => {
    const result = trace(cluster.topology, { from: 'internet', to: `${lbAddress}:80` });
    const local = result.branches.find((b) => b.label === `via kind-worker → ${ip.apiB}:8080 (shop/api-b on kind-worker)`)!;
    expect(local.hops.some((h) => h.kind === 'snat')).toBe(false);
    expect(hopOf(local.hops, 'kube-proxy-dnat').label).toBe(`Cilium BPF NodePort: DNAT to backend ${ip.apiB}:8080`);
    const remote = result.branches.find((b) => b.label.startsWith(`via kind-worker → ${ip.apiA}`))!;
    expect(hopOf(remote.hops, 'snat').packet.src).toBe('172.18.0.2');
  });
});

describe('Cilium tunnel mode (VXLAN) beside kube-proxy', () => {
  const cluster = withWorkload(annotateCilium(cniFixture('cilium.json')));
  const { ip } = cluster;

  test('the route to the peer via cilium_host; eBPF encapsulates through cilium_vxlan to the peer\'s InternalIP', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/api-a', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'route', 'tunnel', 'uplink', 'decap', 'route', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[3]!.label).toBe('node kind-worker: 10.0.2.0/24 via 10.0.1.1 dev cilium_host');
    const tunnel = hopOf(result.hops, 'tunnel');
    expect(tunnel.label).toMatch(/^cilium_vxlan on node kind-worker: VXLAN/);
    expect(tunnel.packet.outer).toMatchObject({ src: '172.18.0.2', dst: '172.18.0.4', protocol: 'UDP', dstPort: 8472 });
    expect(hopOf(result.hops, 'decap').label).toMatch(/^cilium_vxlan on node kind-worker2/);
  });

  test('kube-proxy still runs: its iptables chains take the ClusterIP', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: clusterIP.api });
    expect(cluster.topology.cluster.proxyMode.value).toBe('iptables');
    expect(hopOf(result.hops, 'service').label).toContain(iptablesApi.service);
    expect(branchTo(result, ip.apiA).hops[0]!.label).toContain(iptablesEndpointChain('shop/api:http', 'TCP', `${ip.apiA}:8080`));
  });
});

describe('kindnet (routed, direct routes between nodes)', () => {
  const cluster = withWorkload(cniFixture('kindnet.json'));
  const { ip } = cluster;

  test('no tunnel: the peer\'s podCIDR via its InternalIP, then the pod\'s /32', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/api-a', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'route', 'uplink', 'route', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[3]!.label).toBe('node kind-worker: 10.244.2.0/24 via 172.18.0.4 dev <uplink>');
    expect(result.hops[5]!.label).toMatch(new RegExp(`^node kind-worker2: ${ip.apiA.replaceAll('.', '\\.')}/32 dev `));
  });
});

describe('AWS VPC CNI (cloud ENI: the VPC carries pod addresses)', () => {
  const cluster = withWorkload(cniFixture('aws-vpc-cni.json'), (node, slot) => (node === 0 ? `192.168.12.${100 + slot}` : `192.168.45.${100 + slot}`));
  const { ip } = cluster;

  test('the default route to the VPC, which delivers to the node holding the address; a /32 to the eni veth', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/api-c', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'route', 'uplink', 'route', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[4]!.label).toContain('the VPC delivers');
    expect(result.hops[5]!.label).toBe(`node ip-192-168-12-34.us-west-2.compute.internal: ${ip.apiC}/32 dev ${awsVethName('shop', 'api-c', 'eni')} scope link`);
  });

  test('pod IPs are VPC addresses, yet not reachable from the internet', () => {
    const result = trace(cluster.topology, { from: 'internet', to: ip.apiC, port: 8080 });
    expect(result.verdict).toBe('no-route');
    expect(result.summary).toContain('addresses of the cloud network');
  });
});

describe('Antrea (OVS, Geneve)', () => {
  const cluster = withWorkload(cniFixture('antrea.json'));

  test('the pod\'s port on br-int, OVS tunnels through antrea-tun0 (Geneve) to the peer', () => {
    const result = trace(cluster.topology, { from: 'shop/client', to: 'shop/api-a', port: 8080 });
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'route', 'bridge', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[3]!.label).toMatch(/^br-int \(OVS\)/);
    expect(hopOf(result.hops, 'tunnel').packet.outer).toMatchObject({ protocol: 'UDP', dstPort: 6081 });
    expect(labels(result.hops)[6]).toMatch(/^antrea-tun0 on node antrea-w1: Geneve/);
  });
});

describe.each([
  { style: 'Flannel VXLAN, iptables', build: () => withWorkload(cniFixture('flannel.json')), overlay: true, attach: 'bridge', reject: /^rejected by kube-proxy: KUBE-SVC-\w{16} has no endpoints/ },
  { style: 'Flannel VXLAN, IPVS', build: () => withWorkload(setProxyMode(cniFixture('flannel.json'), 'ipvs')), overlay: true, attach: 'bridge', reject: /^the IPVS virtual server has no real servers/ },
  { style: 'Flannel VXLAN, nftables', build: () => withWorkload(setProxyMode(cniFixture('flannel.json'), 'nftables')), overlay: true, attach: 'bridge', reject: /^rejected by kube-proxy: shop\/empty is in the no-endpoint-services map/ },
  { style: 'Calico IPIP, iptables', build: () => withWorkload(cniFixture('calico.json')), overlay: true, attach: 'route', reject: /^rejected by kube-proxy: KUBE-SVC-/ },
  { style: 'Cilium native, eBPF', build: () => withWorkload(cniFixture('cilium-native.json')), overlay: false, attach: 'route', reject: /^Cilium has no backend for it/ },
  { style: 'Cilium VXLAN, iptables', build: () => withWorkload(annotateCilium(cniFixture('cilium.json'))), overlay: true, attach: 'route', reject: /^rejected by kube-proxy: KUBE-SVC-/ },
  { style: 'kindnet, iptables', build: () => withWorkload(cniFixture('kindnet.json')), overlay: false, attach: 'route', reject: /^rejected by kube-proxy: KUBE-SVC-/ },
  { style: 'AWS VPC CNI, iptables', build: () => withWorkload(cniFixture('aws-vpc-cni.json'), (node, slot) => (node === 0 ? `192.168.12.${100 + slot}` : `192.168.45.${100 + slot}`)), overlay: false, attach: 'route', reject: /^rejected by kube-proxy: KUBE-SVC-/ },
  { style: 'Antrea Geneve, iptables', build: () => withWorkload(cniFixture('antrea.json')), overlay: true, attach: 'bridge', reject: /^rejected by kube-proxy: KUBE-SVC-/ },
])('every scenario on $style', ({ build, overlay, attach, reject }) => {
  const cluster = build();
  const { ip, topology } = cluster;
  const clientNode = topology.hosts[topology.pods['pod:uid-client']!.host!]!;

  test('1. container to container: lo', () => {
    expect(kinds(trace(topology, { from: 'shop/client:main', to: 'shop/client', port: 9090 }).hops)).toEqual(['container', 'lo', 'container']);
  });

  test('2. pod to pod on one node', () => {
    const result = trace(topology, { from: 'shop/client', to: 'shop/peer', port: 8080 });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops).slice(-4)).toEqual([attach, 'veth', 'pod-eth0', 'container']);
    expect(kinds(result.hops)).not.toContain('uplink');
  });

  test('3. pod to pod across nodes', () => {
    const result = trace(topology, { from: 'shop/client', to: 'shop/api-c', port: 8080 });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops).includes('tunnel')).toBe(overlay);
    expect(kinds(result.hops).includes('decap')).toBe(overlay);
    expect(kinds(result.hops)).toContain('uplink');
    expect(result.hops.at(-1)!.packet).toMatchObject({ src: ip.client, dst: ip.apiC, dstPort: 8080 });
  });

  test('4. pod to Service: one branch per endpoint, DNAT first; no endpoints is rejected', () => {
    const result = trace(topology, { from: 'shop/client', to: clusterIP.api });
    expect(result.verdict).toBe('delivered');
    expect(result.branches).toHaveLength(3);
    for (const branch of result.branches) expect(branch.hops[0]!.kind).toBe('kube-proxy-dnat');
    expect(new Set(result.branches.map((b) => b.hops[0]!.packet.dst))).toEqual(new Set([ip.apiA, ip.apiB, ip.apiC]));
    const empty = trace(topology, { from: 'shop/client', to: 'svc:shop/empty' });
    expect(empty.verdict).toBe('no-endpoints');
    expect(empty.hops.at(-1)!.label).toMatch(reject);
  });

  test('5. internet to a LoadBalancer (externalTrafficPolicy Cluster): through nodes, SNAT toward other nodes\' endpoints', () => {
    const result = trace(topology, { from: 'internet', to: `${lbAddress}:80` });
    expect(result.verdict).toBe('delivered');
    expect(result.hops[1]!.kind).toBe('load-balancer');
    const remote = result.branches.filter((b) => b.node !== null && !b.label.startsWith(`via ${topology.hosts[b.node]?.name} `));
    expect(remote.length).toBeGreaterThan(0);
    for (const branch of remote) expect(kinds(branch.hops)).toContain('snat');
    for (const branch of result.branches) expect(branch.hops.at(-1)!.kind).toBe('container');
  });

  test('6. pod to the internet: masquerade to the node, uplink', () => {
    const result = trace(topology, { from: 'shop/client', to: '192.0.2.9:443' });
    expect(kinds(result.hops).slice(-4)).toEqual(['snat', 'route', 'uplink', 'internet']);
    expect(result.hops.at(-1)!.packet.src).toBe(clientNode.internalIPs[0]);
  });

  test('7. by name: DNS through kube-dns to CoreDNS, then the Service', () => {
    const result = trace(topology, { from: 'shop/client', to: 'api' });
    expect(result.dns).toMatchObject({ status: 'resolved', nameservers: [clusterIP.dns], endpoints: [`ep:kube-system/kube-dns/${ip.dns}`] });
    expect(result.dns!.queries[0]).toEqual({ name: 'api.shop.svc.cluster.local', answer: [clusterIP.api] });
    expect(result.hops[0]!.kind).toBe('dns');
    expect(result.branches).toHaveLength(3);
  });
});
