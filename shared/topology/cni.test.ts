/**
 * The datapath per CNI, derived from realistic object sets (test/fixtures/cni/, each modelled on
 * the CNI's own manifests — sources in that folder's README) put through the same trimming as
 * live objects. Variants change the raw objects the way a differently configured cluster would.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { HostRoute, Topology } from '../model/types.ts';
import { addressInCIDR, cidrAddress } from '../net/ip.ts';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { deriveContext } from './derive-context.ts';
import { deriveHost, derivePod } from './derive-records.ts';
import { derive } from './derive.ts';
import { ids } from './ids.ts';
import { calicoVethName } from './naming.ts';
import { perPeerRouteLimit, routeBetween } from './node-routes.ts';
import { cniFixture, fixtureObjects, type FixtureObject } from '../../test/fixtures/cni.ts';


function load(name: string, change?: (items: FixtureObject[]) => FixtureObject[] | void): Topology {
  const items = cniFixture(name);
  return derive(fixtureObjects(change?.(items) ?? items));
}

function find(items: FixtureObject[], kind: string, name: string): FixtureObject {
  const found = items.find((i) => i.kind === kind && i.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} not in fixture`);
  return found;
}

function setEnv(items: FixtureObject[], daemonSet: string, name: string, value: string | null): void {
  const container = find(items, 'DaemonSet', daemonSet).spec?.template?.spec.containers[0];
  if (!container) throw new Error(`no container in ${daemonSet}`);
  container.env = (container.env ?? []).filter((e) => e.name !== name);
  if (value !== null) container.env.push({ name, value });
}

function setAnnotations(items: FixtureObject[], change: (annotations: Record<string, string>, node: string) => void): void {
  for (const node of items.filter((i) => i.kind === 'Node')) change((node.metadata.annotations ??= {}), node.metadata.name);
}

function routesOf(topology: Topology, node: string): HostRoute[] {
  return topology.hosts[ids.host(node)]?.routes ?? [];
}

/** A route as `ip route` prints it, to compare with real routing tables. */
function ipRoute(route: HostRoute): string {
  if (route.type === 'blackhole') return `blackhole ${route.destination ?? '?'}`;
  return [route.destination ?? '?', route.via ? `via ${route.via}` : '', `dev ${route.device ?? '<uplink>'}`, route.isOnlink ? 'onlink' : ''].filter((s) => s !== '').join(' ');
}

function devicesOf(topology: Topology, node: string): { name: string | null; role: string | undefined; addresses: string[] }[] {
  return (topology.hosts[ids.host(node)]?.devices ?? []).map((id) => {
    const device = topology.devices[id];
    return { name: device?.name ?? null, role: device?.role, addresses: device?.addresses ?? [] };
  });
}

function vethOf(topology: Topology, namespace: string, name: string) {
  const pod = Object.values(topology.pods).find((p) => p.namespace === namespace && p.name === name);
  return { pod, veth: pod?.veth ? topology.veths[pod.veth] : undefined };
}

/** Every materialised peer route equals what `routeBetween` computes from the model alone. */
function expectRouteBetweenToMatch(topology: Topology): void {
  for (const host of Object.values(topology.hosts)) {
    for (const peer of Object.values(topology.hosts)) {
      if (peer.id === host.id) continue;
      expect(routeBetween(topology, host.id, peer.id), `${host.name} → ${peer.name}`).toEqual(host.routes.filter((r) => r.peer === peer.id));
    }
  }
}

describe('Calico (manifests/calico.yaml: IPIP Always, calico-ipam)', () => {
  const topology = load('calico.json');

  test('detected from calico-node\'s env and calico-config, confirmed by the nodes\' tunnel addresses', () => {
    const { cni } = topology.cluster;
    expect(cni.value).toMatchObject({
      name: 'calico',
      datapath: 'overlay',
      encapsulation: 'ipip',
      tunnelDevice: 'tunl0',
      bridgeDevice: null,
      podAttachment: 'routed',
      peerRouting: 'tunnel-via-node',
      tunnelScope: 'all',
      vethPrefix: 'cali',
      ipam: 'calico-ipam',
    });
    expect(cni.confidence).toBe('high');
    expect(cni.evidence.join('\n')).toMatch(/env CALICO_IPV4POOL_IPIP=Always/);
    expect(cni.evidence.join('\n')).toMatch(/calico-config calico_backend: bird/);
    expect(cni.evidence.join('\n')).toMatch(/annotation projectcalico.org\/IPv4IPIPTunnelAddr=192.168.82.0/);
  });

  test('each node has tunl0 holding its annotated tunnel address, and no bridge', () => {
    expect(devicesOf(topology, 'k8s-w1')).toEqual([
      { name: null, role: 'uplink', addresses: ['10.0.0.11'] },
      { name: 'tunl0', role: 'tunnel', addresses: ['192.168.104.0/32'] },
    ]);
  });

  test('the node\'s pod range is its Calico IPAM block, not spec.podCIDR', () => {
    const host = topology.hosts[ids.host('k8s-w1')];
    expect(host?.podCIDRs).toEqual(['10.244.1.0/24']);
    expect(host?.cniPodCIDRs).toEqual(['192.168.104.0/26']);
    expect(host?.datapathIPs).toEqual(['10.0.0.11/24']);
  });

  test('routes: the own block blackholed, each peer\'s block via its address on tunl0, onlink', () => {
    expect(routesOf(topology, 'k8s-w1').map(ipRoute)).toEqual([
      'blackhole 192.168.104.0/26',
      '192.168.82.0/26 via 10.0.0.10 dev tunl0 onlink',
      '192.168.230.64/26 via 10.0.1.12 dev tunl0 onlink',
    ]);
    expect(routesOf(topology, 'k8s-w1')[1]).toMatchObject({ scope: 'peer', peer: ids.host('k8s-cp'), deviceId: ids.device('k8s-w1', 'tunnel'), provenance: 'inferred' });
    expectRouteBetweenToMatch(topology);
  });

  test('a pod\'s veth: cali + SHA-1 of namespace.pod, a /32 to it, no bridge; its netns routes via 169.254.1.1', () => {
    const { pod, veth } = vethOf(topology, 'namespace', 'podname');
    expect(veth).toMatchObject({ hostEnd: { name: 'cali82111e10a96', provenance: 'inferred' }, bridge: null, hostRoutes: ['192.168.230.70/32'] });
    expect(pod?.netns).toEqual({
      interfaces: [
        { name: 'lo', addresses: ['127.0.0.1/8'] },
        { name: 'eth0', addresses: ['192.168.230.70'] },
      ],
      defaultRoutes: [{ via: '169.254.1.1', device: 'eth0', provenance: 'inferred', how: expect.stringMatching(/proxy ARP/) as string }],
    });
    expect(vethOf(topology, 'default', 'nginx').veth?.hostEnd.name).toBe(calicoVethName('default', 'nginx'));
  });

  test('hostNetwork pods (calico-node) have no netns and no veth of their own', () => {
    const { pod, veth } = vethOf(topology, 'kube-system', 'calico-node-w1');
    expect(pod).toMatchObject({ isHostNetwork: true, netns: null, veth: null });
    expect(veth).toBeUndefined();
  });

  test('FELIX_INTERFACEPREFIX renames the veths (Calico\'s upstream vector: eni82111e10a96)', () => {
    const t = load('calico.json', (items) => setEnv(items, 'calico-node', 'FELIX_INTERFACEPREFIX', 'eni,veth,foo'));
    expect(vethOf(t, 'namespace', 'podname').veth?.hostEnd.name).toBe('eni82111e10a96');
    expect(t.cluster.cni.value.vethPrefix).toBe('eni');
  });

  test('VXLAN (calico-vxlan.yaml): vxlan.calico, each peer\'s block via the peer\'s VXLAN tunnel address', () => {
    const t = load('calico.json', (items) => {
      setEnv(items, 'calico-node', 'CALICO_IPV4POOL_IPIP', 'Never');
      setEnv(items, 'calico-node', 'CALICO_IPV4POOL_VXLAN', 'Always');
      setAnnotations(items, (a) => {
        a['projectcalico.org/IPv4VXLANTunnelAddr'] = (a['projectcalico.org/IPv4IPIPTunnelAddr'] ?? '').replace(/0$/, '1').replace(/64$/, '65');
        delete a['projectcalico.org/IPv4IPIPTunnelAddr'];
      });
    });
    expect(t.cluster.cni.value).toMatchObject({ encapsulation: 'vxlan', tunnelDevice: 'vxlan.calico', vni: 4096, udpPort: 4789, peerRouting: 'tunnel-via-vtep' });
    expect(devicesOf(t, 'k8s-w1')[1]).toEqual({ name: 'vxlan.calico', role: 'tunnel', addresses: ['192.168.104.1/32'] });
    expect(routesOf(t, 'k8s-w1').map(ipRoute)).toEqual([
      'blackhole 192.168.104.0/26',
      '192.168.82.0/26 via 192.168.82.1 dev vxlan.calico onlink',
      '192.168.230.64/26 via 192.168.230.65 dev vxlan.calico onlink',
    ]);
    expectRouteBetweenToMatch(t);
  });

  test('IPIP CrossSubnet: direct to the peer in the same /24, through tunl0 to the one in another', () => {
    const t = load('calico.json', (items) => setEnv(items, 'calico-node', 'CALICO_IPV4POOL_IPIP', 'CrossSubnet'));
    expect(t.cluster.cni.value.tunnelScope).toBe('cross-subnet');
    expect(routesOf(t, 'k8s-w1').map(ipRoute)).toEqual([
      'blackhole 192.168.104.0/26',
      '192.168.82.0/26 via 10.0.0.10 dev <uplink>',
      '192.168.230.64/26 via 10.0.1.12 dev tunl0 onlink',
    ]);
    expectRouteBetweenToMatch(t);
  });

  test('CrossSubnet without the nodes\' subnets: the route is unknown, and says why', () => {
    const t = load('calico.json', (items) => {
      setEnv(items, 'calico-node', 'CALICO_IPV4POOL_IPIP', 'CrossSubnet');
      setAnnotations(items, (a) => delete a['projectcalico.org/IPv4Address']);
    });
    const peer = routesOf(t, 'k8s-w1')[1];
    expect(peer).toMatchObject({ destination: '192.168.82.0/26', via: null, device: null, provenance: 'unknown' });
    expect(peer?.evidence).toMatch(/API does not show the nodes' subnets/);
  });

  test('installed by the operator (no env, no calico-config): the mode comes from the nodes\' annotations', () => {
    const t = load('calico.json', (items) => {
      const ds = find(items, 'DaemonSet', 'calico-node');
      ds.metadata.namespace = 'calico-system';
      for (const name of ['CALICO_IPV4POOL_IPIP', 'CALICO_IPV4POOL_VXLAN', 'CALICO_IPV6POOL_VXLAN']) setEnv(items, 'calico-node', name, null);
      return items.filter((i) => i.metadata.name !== 'calico-config');
    });
    expect(t.cluster.cni.value).toMatchObject({ name: 'calico', encapsulation: 'ipip' });
    expect(t.cluster.cni.confidence).toBe('high');
  });

  test('the nodes\' tunnel addresses win over an env that only seeded the first pool', () => {
    const t = load('calico.json', (items) => {
      setEnv(items, 'calico-node', 'CALICO_IPV4POOL_IPIP', 'Never');
      setEnv(items, 'calico-node', 'CALICO_IPV4POOL_VXLAN', 'Never');
    });
    expect(t.cluster.cni.value).toMatchObject({ encapsulation: 'ipip', tunnelDevice: 'tunl0' });
    expect(t.cluster.cni.evidence.join('\n')).toMatch(/the pool has changed since, and now uses IPIP/);
  });

  test('BGP without encapsulation: direct routes via each peer\'s address; the peers\' blocks are not in the API', () => {
    const t = load('calico.json', (items) => {
      setEnv(items, 'calico-node', 'CALICO_IPV4POOL_IPIP', 'Never');
      setAnnotations(items, (a) => delete a['projectcalico.org/IPv4IPIPTunnelAddr']);
    });
    expect(t.cluster.cni.value).toMatchObject({ datapath: 'routed', encapsulation: null, tunnelDevice: null, peerRouting: 'direct' });
    const routes = routesOf(t, 'k8s-w1');
    expect(routes.map(ipRoute)).toEqual(['? via 10.0.0.10 dev <uplink>', '? via 10.0.1.12 dev <uplink>']);
    expect(routes[0]?.evidence).toMatch(/not in the Kubernetes API/);
    expect(t.hosts[ids.host('k8s-w1')]?.cniPodCIDRs).toEqual([]);
  });
});

describe('Flannel (Documentation/kube-flannel.yml, VXLAN), checked against a real node', () => {
  const topology = load('flannel.json');
  const real = JSON.parse(readFileSync(new URL('../../test/fixtures/cni/flannel-node-ip.json', import.meta.url), 'utf8')) as {
    ip_j_link_show: { ifname: string; master: string | null }[];
    ip_br_4_addr: string;
    ip_route: string[];
  };

  test('cni0 and flannel.1 hold exactly the addresses `ip -br -4 a` shows on a node with podCIDR 10.244.0.0/24', () => {
    const shown = new Map(real.ip_br_4_addr.trim().split('\n').map((line) => { const [name = '', , ...addresses] = line.split(/\s+/); return [name, addresses]; }));
    const devices = devicesOf(topology, 'iknite');
    expect(devices.map((d) => d.name)).toEqual([null, 'cni0', 'flannel.1']);
    for (const device of devices.slice(1)) expect(device.addresses).toEqual(shown.get(device.name ?? ''));
    expect(devices[0]?.addresses.every((a) => shown.get('eth0@if8')?.some((s) => s.startsWith(`${a}/`)))).toBe(true);
  });

  test('routes are the lines of a real flannel node\'s `ip route`', () => {
    const routes = routesOf(topology, 'iknite').map(ipRoute);
    expect(routes[0] && real.ip_route[0]?.startsWith(routes[0])).toBe(true);
    expect(real.ip_route[0]).toContain(`src ${addressInCIDR('10.244.0.0/24', 1)}`);
    expect(routes.slice(1)).toEqual(real.ip_route.slice(1));
    expectRouteBetweenToMatch(topology);
  });

  test('host-side veth names are random: unknown, with a pattern that matches every veth on the real node and nothing else', () => {
    const { pod, veth } = vethOf(topology, 'default', 'web-5d8f7c9b4-x2kq7');
    expect(veth).toMatchObject({ hostEnd: { name: null, provenance: 'unknown' }, bridge: ids.device('flux-1', 'bridge'), hostRoutes: [] });
    const pattern = new RegExp(`^${veth?.hostEnd.pattern ?? 'none'}$`);
    for (const link of real.ip_j_link_show) expect(pattern.test(link.ifname), link.ifname).toBe(link.master === 'cni0');
    expect(pod?.netns?.defaultRoutes).toEqual([expect.objectContaining({ via: '10.244.1.1', provenance: 'inferred' })]);
  });

  const withBackend = (backend: string) =>
    load('flannel.json', (items) => {
      const cm = find(items, 'ConfigMap', 'kube-flannel-cfg');
      cm.data = { ...cm.data, 'net-conf.json': `{"Network":"10.244.0.0/16","Backend":${backend}}` };
    });

  test('host-gw: no tunnel; each peer\'s podCIDR via its public-ip out of the uplink', () => {
    const t = withBackend('{"Type":"host-gw"}');
    expect(devicesOf(t, 'iknite').map((d) => d.name)).toEqual([null, 'cni0']);
    expect(routesOf(t, 'iknite').map(ipRoute)).toEqual(['10.244.0.0/24 dev cni0', '10.244.1.0/24 via 192.168.99.11 dev <uplink>', '10.244.2.0/24 via 192.168.99.12 dev <uplink>']);
  });

  test('ipip: flannel.ipip, onlink via the peer\'s public-ip', () => {
    const t = withBackend('{"Type":"ipip"}');
    expect(routesOf(t, 'flux-1').slice(1).map(ipRoute)).toEqual(['10.244.0.0/24 via 192.168.99.2 dev flannel.ipip onlink', '10.244.2.0/24 via 192.168.99.12 dev flannel.ipip onlink']);
  });

  test('wireguard: one route for the whole Network through flannel-wg', () => {
    const t = withBackend('{"Type":"wireguard"}');
    expect(t.cluster.cni.value).toMatchObject({ encapsulation: 'wireguard', tunnelDevice: 'flannel-wg', udpPort: 51820, peerRouting: 'single-route' });
    expect(routesOf(t, 'flux-1').map((r) => [ipRoute(r), r.scope])).toEqual([
      ['10.244.1.0/24 dev cni0', 'local'],
      ['10.244.0.0/16 dev flannel-wg', 'cluster'],
    ]);
  });

  test('VXLAN with DirectRouting: whether a peer is on the same subnet is not in the API, so its route is unknown', () => {
    const t = withBackend('{"Type":"vxlan","DirectRouting":true}');
    expect(routesOf(t, 'flux-1').slice(1).every((r) => r.provenance === 'unknown' && r.via === null)).toBe(true);
  });
});

describe('Cilium', () => {
  test('Helm defaults: VXLAN tunnel through cilium_vxlan; cluster-pool ranges and the veth names are not in the API', () => {
    const t = load('cilium.json');
    expect(t.cluster.cni.value).toMatchObject({
      name: 'cilium',
      datapath: 'overlay',
      encapsulation: 'vxlan',
      tunnelDevice: 'cilium_vxlan',
      udpPort: 8472,
      podAttachment: 'ebpf',
      peerRouting: 'via-local-gateway',
      ipam: 'cluster-pool',
      hostDevices: ['cilium_host', 'cilium_net', 'cilium_vxlan'],
    });
    expect(t.cluster.cni.confidence).toBe('high');
    expect(t.cluster.cni.evidence).toContain('ConfigMap kube-system/cilium-config tunnel-protocol: vxlan');
    expect(devicesOf(t, 'kind-worker').map((d) => [d.name, d.role])).toEqual([
      [null, 'uplink'],
      ['cilium_host', 'gateway'],
      ['cilium_net', 'gateway-peer'],
      ['cilium_vxlan', 'tunnel'],
    ]);
    expect(t.hosts[ids.host('kind-worker')]).toMatchObject({ cniPodCIDRs: [], cniPodCIDRsEvidence: expect.stringMatching(/CiliumNode resources \(not read\)/) as string });
    expect(routesOf(t, 'kind-worker').map(ipRoute)).toEqual(['? dev cilium_host', '? dev cilium_host']);
    const { veth } = vethOf(t, 'default', 'web-7b9c6d5f8-2mxbq');
    expect(veth?.hostEnd).toEqual({
      name: null,
      provenance: 'unknown',
      how: 'Cilium names it lxc + the first 12 hex digits of SHA-256 of "<sandbox ID>:eth0", keyed on the pod sandbox\'s container ID, which the Kubernetes API does not expose (status.containerStatuses[].containerID are the app containers\', not the sandbox\'s); a node probe can tell',
      pattern: 'lxc[0-9a-f]{12}',
    });
    // eBPF hands packets to the lxc device: no bridge, no per-pod route.
    expect(veth).toMatchObject({ bridge: null, hostRoutes: [] });
    expect(t.cluster.proxyMode).toMatchObject({ value: 'iptables', confidence: 'high' });
  });

  test('Geneve: cilium_geneve on UDP 6081', () => {
    const t = load('cilium.json', (items) => {
      const cm = find(items, 'ConfigMap', 'cilium-config');
      cm.data = { ...cm.data, 'tunnel-protocol': 'geneve' };
    });
    expect(t.cluster.cni.value).toMatchObject({ encapsulation: 'geneve', tunnelDevice: 'cilium_geneve', udpPort: 6081 });
  });

  test('native routing with auto-direct-node-routes and kube-proxy replacement, nodes annotated', () => {
    const t = load('cilium-native.json');
    expect(t.cluster.cni.value).toMatchObject({ datapath: 'routed', encapsulation: null, tunnelDevice: null, peerRouting: 'direct', ipam: 'kubernetes' });
    expect(t.cluster.proxyMode).toMatchObject({ value: 'ebpf', confidence: 'high' });
    expect(t.cluster.proxyMode.evidence.join('\n')).toMatch(/kube-proxy-replacement: true/);
    expect(devicesOf(t, 'kind-worker')[1]).toEqual({ name: 'cilium_host', role: 'gateway', addresses: ['10.244.1.32/32'] });
    expect(routesOf(t, 'kind-worker').map(ipRoute)).toEqual([
      '10.244.1.0/24 via 10.244.1.32 dev cilium_host',
      '10.244.0.0/24 via 172.18.0.3 dev <uplink>',
      '10.244.2.0/24 via 172.18.0.4 dev <uplink>',
    ]);
    expect(vethOf(t, 'default', 'web-7b9c6d5f8-2mxbq').pod?.netns?.defaultRoutes[0]?.via).toBe('10.244.1.32');
    expectRouteBetweenToMatch(t);
  });

  test('kube-proxy replacement while kube-proxy still runs: kube-proxy\'s mode, with less confidence and the reason', () => {
    const items = cniFixture('cilium.json');
    const cm = find(items, 'ConfigMap', 'cilium-config');
    cm.data = { ...cm.data, 'kube-proxy-replacement': 'true' };
    const { proxyMode } = derive(fixtureObjects(items)).cluster;
    expect(proxyMode).toMatchObject({ value: 'iptables', confidence: 'medium' });
    expect(proxyMode.evidence.join('\n')).toMatch(/yet kube-proxy runs too/);
  });

  test('chained behind AWS VPC CNI: the datapath is AWS\'s, and Cilium is named for policy', () => {
    const aws = cniFixture('aws-vpc-cni.json');
    const cilium = cniFixture('cilium.json').filter((i) => i.metadata.name === 'cilium' || i.metadata.name === 'cilium-config');
    const cm = find(cilium, 'ConfigMap', 'cilium-config');
    cm.data = { ...cm.data, 'cni-chaining-mode': 'aws-cni' };
    const { cni } = derive(fixtureObjects([...aws, ...cilium])).cluster;
    expect(cni.value.name).toBe('aws-vpc-cni');
    expect(cni.evidence.join('\n')).toMatch(/Cilium also runs, chained \(cni-chaining-mode aws-cni\)/);
  });

  test('GKE Dataplane V2: Cilium as anetd, VPC-native routing, endpoint routes, Services in eBPF', () => {
    const t = load('gke-dataplane-v2.json');
    expect(t.cluster.cni.value).toMatchObject({ name: 'cilium', datapath: 'routed', peerRouting: 'fabric', podAttachment: 'routed', ipam: 'kubernetes' });
    expect(t.cluster.cni.confidence).toBe('medium');
    expect(t.cluster.cni.evidence.join('\n')).toMatch(/GKE Dataplane V2/);
    expect(t.cluster.proxyMode).toMatchObject({ value: 'ebpf', confidence: 'medium' });
    const node = 'gke-prod-default-pool-3f1a2b4c-7xkq';
    expect(routesOf(t, node).map((r) => r.scope)).toEqual(['local', 'cluster']);
    expect(vethOf(t, 'default', 'web-6d4cf56db6-8lqzv').veth).toMatchObject({ hostEnd: { provenance: 'unknown', pattern: 'lxc[0-9a-f]{12}' }, hostRoutes: ['10.56.0.14/32'] });
  });
});

describe('Antrea (build/yamls/antrea.yml: encap, Geneve)', () => {
  const topology = load('antrea.json');

  test('br-int, antrea-gw0 with the podCIDR\'s first address, antrea-tun0 on UDP 6081', () => {
    expect(topology.cluster.cni.value).toMatchObject({ name: 'antrea', encapsulation: 'geneve', tunnelDevice: 'antrea-tun0', udpPort: 6081, podAttachment: 'ovs', bridgeDevice: 'br-int' });
    expect(topology.cluster.cni.confidence).toBe('high');
    expect(devicesOf(topology, 'antrea-w1')).toEqual([
      { name: null, role: 'uplink', addresses: ['172.18.0.3'] },
      { name: 'br-int', role: 'ovs-bridge', addresses: [] },
      { name: 'antrea-gw0', role: 'gateway', addresses: ['10.10.1.1/24'] },
      { name: 'antrea-tun0', role: 'tunnel', addresses: [] },
    ]);
  });

  test('each peer\'s podCIDR via the peer\'s gateway address on antrea-gw0, onlink', () => {
    expect(routesOf(topology, 'antrea-w1').map(ipRoute)).toEqual([
      '10.10.1.0/24 dev antrea-gw0',
      '10.10.0.0/24 via 10.10.0.1 dev antrea-gw0 onlink',
      '10.10.2.0/24 via 10.10.2.1 dev antrea-gw0 onlink',
    ]);
    expectRouteBetweenToMatch(topology);
  });

  test('veths are ports of br-int, named from the pod name and the sandbox ID', () => {
    const { pod, veth } = vethOf(topology, 'kube-system', 'coredns-7db6d8ff4d-5fwrx');
    expect(veth).toMatchObject({ bridge: ids.device('antrea-w1', 'bridge'), hostEnd: { name: null, provenance: 'unknown', pattern: 'coredns--[0-9a-f]{6}' }, hostRoutes: [] });
    expect(pod?.netns?.defaultRoutes[0]?.via).toBe('10.10.1.1');
  });

  test('noEncap: no tunnel; peers routed via their node address', () => {
    const t = load('antrea.json', (items) => {
      const cm = find(items, 'ConfigMap', 'antrea-config');
      cm.data = { ...cm.data, 'antrea-agent.conf': 'trafficEncapMode: noEncap\n' };
    });
    expect(t.cluster.cni.value).toMatchObject({ datapath: 'routed', tunnelDevice: null, peerRouting: 'direct' });
    expect(routesOf(t, 'antrea-w1')[1]).toMatchObject({ destination: '10.10.0.0/24', via: '172.18.0.2' });
  });
});

describe('kindnet (kind\'s default CNI)', () => {
  const topology = load('kindnet.json');

  test('routed: a /32 per pod to a randomly named veth, each peer\'s podCIDR via its InternalIP', () => {
    expect(topology.cluster.cni).toMatchObject({ value: { name: 'kindnet', datapath: 'routed', podAttachment: 'routed' }, confidence: 'high' });
    expect(devicesOf(topology, 'kind-worker').map((d) => d.name)).toEqual([null]);
    expect(routesOf(topology, 'kind-worker').map(ipRoute)).toEqual(['10.244.0.0/24 via 172.18.0.3 dev <uplink>', '10.244.2.0/24 via 172.18.0.4 dev <uplink>']);
    expect(vethOf(topology, 'default', 'web-5d8f7c9b4-x2kq7').veth).toMatchObject({ hostEnd: { name: null, provenance: 'unknown', pattern: '(knet|veth)[0-9a-f]{8}' }, hostRoutes: ['10.244.1.4/32'] });
    expect(topology.cluster.podCIDRs).toEqual(['10.244.0.0/16']);
  });
});

describe('AWS VPC CNI (config/master/aws-k8s-cni.yaml)', () => {
  const topology = load('aws-vpc-cni.json');

  test('ENI datapath: VPC addresses, no route per node, eni veths with /32 routes', () => {
    expect(topology.cluster.cni).toMatchObject({ value: { name: 'aws-vpc-cni', datapath: 'eni', peerRouting: 'fabric', vethPrefix: 'eni' }, confidence: 'high' });
    expect(topology.cluster.cni.evidence.join('\n')).toMatch(/AWS_VPC_K8S_CNI_VETHPREFIX=eni/);
    const node = 'ip-192-168-12-34.us-west-2.compute.internal';
    expect(routesOf(topology, node)).toEqual([expect.objectContaining({ scope: 'cluster', destination: null, via: null, evidence: expect.stringMatching(/VPC router/) as string })]);
    const { pod, veth } = vethOf(topology, 'namespace', 'podname');
    expect(veth).toMatchObject({ hostEnd: { name: 'eni82111e10a96', provenance: 'inferred' }, hostRoutes: ['192.168.21.140/32'], bridge: null });
    expect(pod?.netns?.defaultRoutes[0]?.via).toBe('169.254.1.1');
  });

  test('AWS_VPC_K8S_CNI_VETHPREFIX renames them', () => {
    const t = load('aws-vpc-cni.json', (items) => setEnv(items, 'aws-node', 'AWS_VPC_K8S_CNI_VETHPREFIX', 'foo'));
    expect(vethOf(t, 'namespace', 'podname').veth?.hostEnd.name).toBe('foo82111e10a96');
  });

  test('with Calico for policy only (CALICO_NETWORKING_BACKEND none): the datapath is still AWS\'s', () => {
    const calico = cniFixture('calico.json').filter((i) => i.metadata.name === 'calico-node');
    setEnv(calico, 'calico-node', 'CALICO_NETWORKING_BACKEND', 'none');
    const { cni } = derive(fixtureObjects([...cniFixture('aws-vpc-cni.json'), ...calico])).cluster;
    expect(cni.value.name).toBe('aws-vpc-cni');
    expect(cni.evidence.join('\n')).toMatch(/calico also runs .*for policy only/);
  });
});

describe('Azure CNI (AKS)', () => {
  const topology = load('azure-cni.json');

  test('transparent mode assumed, and said so; the veth name is the one observed on a real AKS node', () => {
    expect(topology.cluster.cni).toMatchObject({ value: { name: 'azure-cni', datapath: 'routed', peerRouting: 'fabric' }, confidence: 'medium' });
    expect(topology.cluster.cni.evidence.join('\n')).toMatch(/not in the Kubernetes API: assuming transparent/);
    const { pod, veth } = vethOf(topology, 'default', 'nginx');
    expect(veth).toMatchObject({ hostEnd: { name: 'azvc440f455693', provenance: 'inferred' }, hostRoutes: ['10.224.0.24/32'] });
    expect(veth?.hostEnd.how).toMatch(/mode is assumed/);
    // The VNet subnet's gateway (10.224.0.1 on that node) is not in the API.
    expect(pod?.netns?.defaultRoutes[0]).toMatchObject({ via: null, provenance: 'unknown' });
    expect(topology.cluster.proxyMode).toMatchObject({ value: 'iptables', confidence: 'high' });
  });
});

describe('Weave Net', () => {
  const topology = load('weave.json');

  test('the weave bridge, vxlan-6784, one route for the whole range', () => {
    expect(topology.cluster.cni).toMatchObject({ value: { name: 'weave', encapsulation: 'vxlan', udpPort: 6784, podAttachment: 'bridge' }, confidence: 'medium' });
    expect(devicesOf(topology, 'weave-w1').map((d) => d.name)).toEqual([null, 'weave', 'vxlan-6784']);
    expect(routesOf(topology, 'weave-w1').map(ipRoute)).toEqual(['10.32.0.0/12 dev weave']);
    expect(vethOf(topology, 'default', 'web-5d8f7c9b4-x2kq7').veth).toMatchObject({ bridge: ids.device('weave-w1', 'bridge'), hostEnd: { name: null, pattern: 'vethwepl[0-9a-f]{5}' } });
  });
});

describe('OVN-Kubernetes', () => {
  const topology = load('ovn-kubernetes.json');

  test('br-int, the management port on the subnet\'s second address, genev_sys_6081, the uplink on breth0', () => {
    expect(topology.cluster.cni).toMatchObject({ value: { name: 'ovn-kubernetes', encapsulation: 'geneve', podAttachment: 'ovs' }, confidence: 'high' });
    expect(devicesOf(topology, 'ovn-control-plane')).toEqual([
      { name: 'breth0', role: 'uplink', addresses: ['172.18.0.2'] },
      { name: 'br-int', role: 'ovs-bridge', addresses: [] },
      { name: 'ovn-k8s-mp0', role: 'gateway', addresses: ['10.130.0.2/23'] },
      { name: 'genev_sys_6081', role: 'tunnel', addresses: [] },
    ]);
  });

  test('routes as on a real OVN-Kubernetes node: the node subnet and the cluster network on ovn-k8s-mp0', () => {
    // rh-telco-tigers/upi-with-internal-lb iteration-2-1/README.md, `route -n` of a node with subnet 10.130.0.0/23:
    // 10.128.0.0/14 via 10.130.0.1 dev ovn-k8s-mp0; 10.130.0.0/23 dev ovn-k8s-mp0.
    expect(routesOf(topology, 'ovn-control-plane').map(ipRoute)).toEqual(['10.130.0.0/23 dev ovn-k8s-mp0', '10.128.0.0/14 via 10.130.0.1 dev ovn-k8s-mp0']);
    expect(vethOf(topology, 'default', 'web-5d8f7c9b4-x2kq7').pod?.netns?.defaultRoutes[0]?.via).toBe('10.130.0.1');
  });
});

describe('Canal (Calico\'s CNI plugin over Flannel)', () => {
  test('cali veths with /32 routes, flannel.1 between nodes, no cni0', () => {
    const items = cniFixture('flannel.json').filter((i) => i.kind !== 'DaemonSet' && i.metadata.name !== 'kube-flannel-cfg');
    const canal = find(cniFixture('calico.json'), 'DaemonSet', 'calico-node');
    canal.metadata.name = 'canal';
    canal.spec?.template?.spec.containers.push({ name: 'kube-flannel', env: [] });
    (canal.spec?.template?.spec.containers[1] as { image?: string }).image = 'ghcr.io/flannel-io/flannel:v0.26.4';
    const t = derive(fixtureObjects([...items, canal]));
    expect(t.cluster.cni.value).toMatchObject({ name: 'canal', podAttachment: 'routed', bridgeDevice: null, tunnelDevice: 'flannel.1', vethPrefix: 'cali' });
    expect(t.cluster.cni.evidence.join('\n')).not.toMatch(/also runs/);
    expect(devicesOf(t, 'flux-1').map((d) => d.name)).toEqual([null, 'flannel.1']);
    expect(vethOf(t, 'default', 'web-5d8f7c9b4-x2kq7').veth).toMatchObject({ hostEnd: { name: calicoVethName('default', 'web-5d8f7c9b4-x2kq7'), provenance: 'inferred' }, hostRoutes: ['10.244.1.5/32'] });
  });
});

describe('a cluster whose CNI the API does not show', () => {
  const topology = load('unknown.json');

  test('unknown, with no confidence: no devices but the uplink, no routes, no veth names', () => {
    expect(topology.cluster.cni).toMatchObject({ value: { name: 'unknown', datapath: 'unknown', podAttachment: 'unknown', peerRouting: 'unknown' }, confidence: 'none' });
    expect(topology.cluster.proxyMode).toMatchObject({ value: 'unknown', confidence: 'none' });
    expect(devicesOf(topology, 'edge-1').map((d) => d.role)).toEqual(['uplink']);
    expect(routesOf(topology, 'edge-1')).toEqual([]);
    const { pod, veth } = vethOf(topology, 'monitoring', 'grafana-6f8b7c9d5-k2m4n');
    expect(veth).toMatchObject({ hostEnd: { name: null, provenance: 'unknown' }, bridge: null, hostRoutes: [] });
    expect(pod?.netns?.defaultRoutes).toEqual([expect.objectContaining({ via: null, provenance: 'unknown' })]);
  });
});

describe('pods in a dual-stack cluster', () => {
  test('both families: lo with ::1, a default route and a host route per family', () => {
    const objects = fixtureObjects(cniFixture('calico.json'));
    const pod = objects.pods.find((p) => p.metadata.name === 'nginx');
    if (!pod?.status) throw new Error('no nginx pod');
    pod.status.podIPs = [{ ip: '192.168.104.5' }, { ip: 'fd00:10:244:68::5' }];
    const t = derive(objects);
    const { pod: record, veth } = vethOf(t, 'default', 'nginx');
    expect(record?.netns?.interfaces).toEqual([
      { name: 'lo', addresses: ['127.0.0.1/8', '::1/128'] },
      { name: 'eth0', addresses: ['192.168.104.5', 'fd00:10:244:68::5'] },
    ]);
    expect(record?.netns?.defaultRoutes.map((r) => r.via)).toEqual(['169.254.1.1', 'fe80::ecee:eeff:feee:eeee']);
    expect(veth?.hostRoutes).toEqual(['192.168.104.5/32', 'fd00:10:244:68::5/128']);
  });
});

describe('the fixtures keep no secret once trimmed', () => {
  test.each(['calico.json', 'flannel.json', 'cilium.json', 'antrea.json', 'aws-vpc-cni.json', 'azure-cni.json', 'weave.json', 'ovn-kubernetes.json'])('%s', (name) => {
    const text = JSON.stringify(fixtureObjects(cniFixture(name)));
    for (const secret of ['DB_PASSWORD', 'WEAVE_PASSWORD', 'secretKeyRef', 'kubeconfig.conf', 'tokenFile', 'last-applied', 'k8s_apiserver', 'flowCollectorAddr', 'managedFields']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('kube-proxy and what replaces it', () => {
  test('kube-proxy as static pods (no DaemonSet, no ConfigMap): iptables, with medium confidence', () => {
    const objects = fixtureObjects(cniFixture('unknown.json'));
    objects.pods.push({
      metadata: { name: 'kube-proxy-edge-1', namespace: 'kube-system', uid: 'p-kp', labels: { component: 'kube-proxy', tier: 'node' } },
      spec: { nodeName: 'edge-1', hostNetwork: true, containers: [{ name: 'kube-proxy', image: 'gke.gcr.io/kube-proxy-amd64:v1.31.4-gke.1256000' }] },
    });
    const { proxyMode } = derive(objects).cluster;
    expect(proxyMode).toMatchObject({ value: 'iptables', confidence: 'medium' });
    expect(proxyMode.evidence.join('\n')).toMatch(/Pod kube-system\/kube-proxy-edge-1 runs kube-proxy \(a static pod/);
  });

  test('Calico\'s eBPF dataplane without kube-proxy: ebpf', () => {
    const t = load('calico.json', (items) => {
      setEnv(items, 'calico-node', 'FELIX_BPFENABLED', 'true');
      return items.filter((i) => i.metadata.name !== 'kube-proxy');
    });
    expect(t.cluster.proxyMode).toMatchObject({ value: 'ebpf', confidence: 'high' });
    expect(t.cluster.proxyMode.evidence.join('\n')).toMatch(/FELIX_BPFENABLED=true/);
  });
});

describe('routes at scale', () => {
  test(`up to ${perPeerRouteLimit} nodes every node has a route per peer`, () => {
    const t = derive(generateCluster(perPeerRouteLimit * 30));
    expect(Object.keys(t.hosts)).toHaveLength(perPeerRouteLimit);
    expect(t.hosts[ids.host('node-0')]?.routes.filter((r) => r.scope === 'peer')).toHaveLength(perPeerRouteLimit - 1);
  });

  test('beyond, one summary rule per node stands for them, and routeBetween computes any one', () => {
    const t = derive(generateCluster((perPeerRouteLimit + 1) * 30));
    const routes = t.hosts[ids.host('node-0')]?.routes ?? [];
    expect(routes.map((r) => r.scope)).toEqual(['local', 'summary']);
    expect(routes[1]).toMatchObject({ destination: '10.64.0.0/10', device: 'flannel.1', isOnlink: true, count: perPeerRouteLimit, provenance: 'inferred' });
    expect(routes[1]?.evidence).toMatch(/one route per peer node, 200 routes, folded/);
    expect(routeBetween(t, ids.host('node-0'), ids.host('node-200')).map(ipRoute)).toEqual(['10.64.200.0/24 via 10.64.200.0 dev flannel.1 onlink']);
    expect(routeBetween(t, ids.host('node-0'), ids.host('node-0'))).toEqual([]);
  });

  test('cidrAddress agrees with addressInCIDR', () => {
    for (const [cidr, offset] of [['10.244.1.0/24', 1], ['10.244.1.77/24', 0], ['192.168.104.0/26', 2], ['0.0.0.0/0', 0], ['10.0.0.0/8', 65536], ['fd00:10:244:1::/64', 1]] as const) {
      expect(cidrAddress(cidr, offset)).toBe(addressInCIDR(cidr, offset));
    }
  });
});

describe('per-object derivation', () => {
  test('deriveHost and derivePod give exactly the records derive composes', () => {
    const objects = fixtureObjects(cniFixture('calico.json'));
    const topology = derive(objects);
    const ctx = deriveContext(objects);
    for (const node of objects.nodes) {
      const { host, devices } = deriveHost(node, ctx);
      expect(host).toEqual(topology.hosts[host.id]);
      for (const device of devices) expect(device).toEqual(topology.devices[device.id]);
    }
    for (const pod of objects.pods) {
      const { pod: record, containers, veth } = derivePod(pod, ctx);
      expect(record).toEqual(topology.pods[record.id]);
      for (const container of containers) expect(container).toEqual(topology.containers[container.id]);
      expect(veth).toEqual(veth ? topology.veths[veth.id] : null);
    }
  });
});
