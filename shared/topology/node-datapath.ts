/**
 * A node's side of the datapath, as its CNI builds it: the devices in its root netns, the pod
 * ranges it serves, and the routes to its own and every other node's pods. Everything here is
 * inferred from the CNI's documented behaviour and the node's own record (spec.podCIDRs,
 * addresses, the annotations CNIs write), and says so.
 *
 * Routes are per node pair, so they are materialised only up to `perPeerRouteLimit` nodes;
 * beyond that each node holds one `summary` route per family and `routeBetween` computes any
 * single peer route from the model on demand, with the same function that materialises them.
 */
import type { KubeNode } from '../kube/objects.ts';
import type { CniInfo, Device, DeviceKey, DeviceRole, DeviceType, HostRoute, Id, Topology } from '../model/types.ts';
import { addressInCIDR, cidrContains, parseCIDR } from '../net/ip.ts';
import type { CniDetails } from './datapath.ts';
import { ids } from './ids.ts';

/** Up to this many nodes every node gets one route per peer; above, one summary per family. At
 * 200 nodes that is 39,800 routes in the model; at Kubernetes' 5,000 it would be 25 million. */
export const perPeerRouteLimit = 200;

/** What the route and device derivations need to know of one node. */
export interface NodeFacts {
  id: Id;
  name: string;
  internalIPs: string[];
  /** The addresses peers route and tunnel to, with a prefix length where the CNI records one. */
  datapathIPs: string[];
  /** The pod ranges the CNI serves from this node. */
  cniPodCIDRs: string[];
  /** Where `cniPodCIDRs` came from, or why they are unknown. */
  cniPodCIDRsEvidence: string;
  /** Addresses of Calico's tunnel devices (tunl0, vxlan.calico) on this node, without prefix. */
  tunnelIPs: string[];
  /** The node's gateway into its pod range, without prefix: cilium_host's address, antrea-gw0's,
   * or OVN's node-switch router port (the subnet's first address). */
  gatewayIPs: string[];
  /** The uplink's name where the CNI makes it known (OVN-Kubernetes' breth0); else null. */
  uplinkName: string | null;
  uplinkEvidence: string | null;
}

const isV6 = (address: string): boolean => address.includes(':');

/**
 * `addressInCIDR` with a fast path for IPv4: at 5,000 nodes this runs tens of thousands of
 * times, and ipaddr.js tries (and throws on) IPv6 first for every IPv4 CIDR.
 */
export function cidrAddress(cidr: string, offset: number): string | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return addressInCIDR(cidr, offset);
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (bits > 32 || octets.some((o) => o > 255)) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const value = ((((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0) & mask;
  const address = (value + offset) >>> 0;
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

const family = (address: string): 4 | 6 => (isV6(address) ? 6 : 4);
const bare = (address: string): string => address.split('/')[0] ?? address;
const prefixOf = (cidr: string): string => cidr.split('/')[1] ?? '';

function addressesOf(node: KubeNode, type: 'InternalIP' | 'ExternalIP'): string[] {
  return (node.status?.addresses ?? []).filter((a) => a.type === type).map((a) => a.address);
}

function annotation(node: KubeNode, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = node.metadata.annotations?.[key];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** The block of the given size that holds the address, e.g. 192.168.104.0 in /26 → 192.168.104.0/26. */
function blockOf(address: string, size: number): string | null {
  const network = cidrAddress(`${address}/${size}`, 0);
  return network ? `${network}/${size}` : null;
}

/** OVN-Kubernetes' node-subnets annotation: `{"default":["10.244.1.0/24"]}` (older: a string). */
function ovnSubnets(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed = (JSON.parse(value) as { default?: unknown }).default;
    if (typeof parsed === 'string') return [parsed];
    if (Array.isArray(parsed)) return parsed.filter((s): s is string => typeof s === 'string');
  } catch {
    // An unreadable annotation leaves the subnet unknown.
  }
  return [];
}

export function nodeFacts(node: KubeNode, cni: CniInfo, details: CniDetails): NodeFacts {
  const name = node.metadata.name;
  const internalIPs = addressesOf(node, 'InternalIP');
  const specCIDRs = node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  const facts: NodeFacts = {
    id: ids.host(name),
    name,
    internalIPs,
    datapathIPs: internalIPs,
    cniPodCIDRs: [],
    cniPodCIDRsEvidence: `${cni.name === 'unknown' ? 'the CNI is unknown' : `${cni.name} does not give each node a range of its own`}`,
    tunnelIPs: [],
    gatewayIPs: [],
    uplinkName: null,
    uplinkEvidence: null,
  };
  const fromSpec = (why: string) => {
    facts.cniPodCIDRs = specCIDRs;
    facts.cniPodCIDRsEvidence = specCIDRs.length > 0 ? `Node ${name} spec.podCIDRs (${why})` : `Node ${name} has no spec.podCIDR`;
  };
  switch (cni.name) {
    case 'flannel':
    case 'canal': {
      fromSpec('Flannel\'s kube subnet manager leases the node its podCIDR');
      const publicIPs = [annotation(node, 'flannel.alpha.coreos.com/public-ip'), annotation(node, 'flannel.alpha.coreos.com/public-ipv6')].filter(
        (a): a is string => a !== undefined,
      );
      if (publicIPs.length > 0) facts.datapathIPs = publicIPs;
      break;
    }
    case 'kindnet':
    case 'antrea':
      fromSpec(`${cni.name} serves pods from the node's podCIDR`);
      if (cni.name === 'antrea') facts.gatewayIPs = specCIDRs.flatMap((c) => cidrAddress(c, 1) ?? []);
      break;
    case 'azure-cni':
      // Azure CNI Overlay gives nodes a podCIDR; in VNet mode pods take VNet addresses instead.
      if (specCIDRs.length > 0) fromSpec('Azure CNI Overlay serves pods from the node\'s podCIDR');
      break;
    case 'calico': {
      const v4 = annotation(node, 'projectcalico.org/IPv4Address');
      const v6 = annotation(node, 'projectcalico.org/IPv6Address');
      if (v4 || v6) facts.datapathIPs = [v4, v6].filter((a): a is string => a !== undefined);
      const tunnels = [
        annotation(node, cni.encapsulation === 'vxlan' ? 'projectcalico.org/IPv4VXLANTunnelAddr' : 'projectcalico.org/IPv4IPIPTunnelAddr'),
        cni.encapsulation === 'vxlan' ? annotation(node, 'projectcalico.org/IPv6VXLANTunnelAddr') : undefined,
      ].filter((a): a is string => a !== undefined);
      facts.tunnelIPs = cni.encapsulation ? tunnels : [];
      if (cni.ipam === 'host-local') {
        fromSpec('calico-config cni_network_config uses host-local IPAM, which takes the node\'s podCIDR');
      } else if (details.calicoBlockSize && facts.tunnelIPs.length > 0) {
        const size = details.calicoBlockSize;
        facts.cniPodCIDRs = facts.tunnelIPs.flatMap((ip) => blockOf(ip, isV6(ip) ? size.v6 : size.v4) ?? []);
        facts.cniPodCIDRsEvidence = `the Calico IPAM block holding Node ${name}'s tunnel address (block size from ${size.source}); further blocks the node owns are BlockAffinity resources, which are not read`;
      } else {
        facts.cniPodCIDRsEvidence = `Calico IPAM assigns blocks (BlockAffinity resources, not read) and Node ${name} has no tunnel address annotation to locate one`;
      }
      break;
    }
    case 'cilium': {
      const fromAnnotation = [
        annotation(node, 'network.cilium.io/ipv4-pod-cidr', 'io.cilium.network.ipv4-pod-cidr'),
        annotation(node, 'network.cilium.io/ipv6-pod-cidr', 'io.cilium.network.ipv6-pod-cidr'),
      ].filter((a): a is string => a !== undefined);
      if (fromAnnotation.length > 0) {
        facts.cniPodCIDRs = fromAnnotation;
        facts.cniPodCIDRsEvidence = `Node ${name} annotation network.cilium.io/ipv4-pod-cidr`;
      } else if (details.ciliumUsesNodePodCIDRs) {
        fromSpec('Cilium ipam: kubernetes');
      } else {
        facts.cniPodCIDRsEvidence = `Cilium ${cni.ipam ?? 'cluster-pool'} IPAM keeps node ranges in CiliumNode resources (not read) and Node ${name} has no pod-cidr annotation`;
      }
      facts.gatewayIPs = [
        annotation(node, 'network.cilium.io/ipv4-cilium-host', 'io.cilium.network.ipv4-cilium-host'),
        annotation(node, 'network.cilium.io/ipv6-cilium-host', 'io.cilium.network.ipv6-cilium-host'),
      ].filter((a): a is string => a !== undefined);
      break;
    }
    case 'ovn-kubernetes': {
      const subnets = ovnSubnets(annotation(node, 'k8s.ovn.org/node-subnets'));
      if (subnets.length > 0) {
        facts.cniPodCIDRs = subnets;
        facts.cniPodCIDRsEvidence = `Node ${name} annotation k8s.ovn.org/node-subnets`;
      } else {
        fromSpec('no k8s.ovn.org/node-subnets annotation');
      }
      facts.gatewayIPs = facts.cniPodCIDRs.flatMap((c) => cidrAddress(c, 1) ?? []);
      const gateway = ovnGateway(annotation(node, 'k8s.ovn.org/l3-gateway-config'), name);
      if (gateway) {
        facts.uplinkName = gateway.bridge;
        facts.uplinkEvidence = `Node ${name} annotation k8s.ovn.org/l3-gateway-config: ${gateway.mode} gateway mode; the node's address sits on OVS bridge ${gateway.bridge}, which holds the NIC`;
      }
      break;
    }
    default:
      break;
  }
  return facts;
}

function ovnGateway(value: string | undefined, node: string): { mode: string; bridge: string } | null {
  if (!value) return null;
  try {
    const config = (JSON.parse(value) as { default?: { mode?: unknown; 'interface-id'?: unknown } }).default;
    const mode = typeof config?.mode === 'string' ? config.mode : null;
    const iface = typeof config?.['interface-id'] === 'string' ? config['interface-id'] : null;
    if (mode !== 'shared' || !iface) return null;
    return { mode, bridge: iface.endsWith(`_${node}`) ? iface.slice(0, -node.length - 1) : iface };
  } catch {
    return null;
  }
}

// ——— devices ———

function device(facts: NodeFacts, key: DeviceKey, type: DeviceType, role: DeviceRole, name: string | null, addresses: string[], evidence: string, extra: Partial<Device> = {}): Device {
  return { id: ids.device(facts.name, key), kind: 'device', host: facts.id, type, role, name, nameProvenance: name ? 'inferred' : 'unknown', addresses, evidence, ...extra };
}

/** `first/prefix` for each CIDR: the address bridge CNIs give the pods' gateway. */
function hostAddresses(cidrs: string[], offset: number): string[] {
  return cidrs.flatMap((cidr) => {
    const address = cidrAddress(cidr, offset);
    return address ? [`${address}/${prefixOf(cidr)}`] : [];
  });
}

const hostPrefix = (address: string): string => `${bare(address)}/${isV6(address) ? 128 : 32}`;

/** Each CIDR's network address as a /32 (/128), as Flannel's tunnel devices hold it. */
function networkHostPrefixes(cidrs: string[]): string[] {
  return cidrs.flatMap((cidr) => {
    const network = cidrAddress(cidr, 0);
    return network ? [hostPrefix(network)] : [];
  });
}

/** The node's root-netns devices, uplink first, as its CNI creates them. */
export function nodeDevices(facts: NodeFacts, cni: CniInfo): Device[] {
  const devices: Device[] = [
    device(
      facts,
      'uplink',
      'uplink',
      'uplink',
      facts.uplinkName,
      facts.internalIPs,
      facts.uplinkEvidence ?? `Node ${facts.name} status.addresses (the interface name is only known from a node probe)`,
    ),
  ];
  const tunnel = (key: DeviceKey, name: string, addresses: string[], evidence: string, encapsulation = cni.encapsulation) =>
    devices.push(device(facts, key, 'tunnel', 'tunnel', name, addresses, evidence, { encapsulation: encapsulation ?? undefined, vni: cni.vni, udpPort: cni.udpPort }));
  const v4 = facts.cniPodCIDRs.filter((c) => !isV6(c));
  const v6 = facts.cniPodCIDRs.filter(isV6);
  switch (cni.name) {
    case 'flannel':
    case 'canal': {
      if (cni.bridgeDevice) {
        devices.push(
          device(facts, 'bridge', 'bridge', 'bridge', cni.bridgeDevice, hostAddresses(facts.cniPodCIDRs, 1), `flannel's bridge plugin creates ${cni.bridgeDevice} on every node; its address is the first of Node ${facts.name} spec.podCIDR: the pods' gateway`),
        );
      }
      if (!cni.tunnelDevice || !cni.encapsulation) break;
      // Flannel's VXLAN, IPIP and WireGuard devices hold the podCIDR's network address as a /32 (/128).
      tunnel('tunnel', cni.tunnelDevice, networkHostPrefixes(v4), `flannel ${cni.encapsulation} backend creates ${cni.tunnelDevice} on every node; it holds the network address of the node's podCIDR`);
      const v6Name = cni.hostDevices.find((d) => d.startsWith('flannel-v6.') || d === 'flannel-wg-v6');
      if (v6Name && v6.length > 0) tunnel('tunnel-v6', v6Name, networkHostPrefixes(v6), `flannel creates ${v6Name} for IPv6 (EnableIPv6)`);
      break;
    }
    case 'calico': {
      if (cni.tunnelDevice && cni.encapsulation) {
        const v4Tunnel = facts.tunnelIPs.filter((a) => !isV6(a));
        tunnel(
          'tunnel',
          cni.tunnelDevice,
          v4Tunnel.map(hostPrefix),
          `Calico ${cni.encapsulation.toUpperCase()} creates ${cni.tunnelDevice} on every node${v4Tunnel.length > 0 ? `; its address is Node ${facts.name} annotation projectcalico.org/IPv4${cni.encapsulation === 'vxlan' ? 'VXLAN' : 'IPIP'}TunnelAddr` : ''}`,
        );
        const v6Tunnel = facts.tunnelIPs.filter(isV6);
        if (cni.encapsulation === 'vxlan' && v6Tunnel.length > 0) tunnel('tunnel-v6', 'vxlan-v6.calico', v6Tunnel.map(hostPrefix), `Node ${facts.name} annotation projectcalico.org/IPv6VXLANTunnelAddr`);
      }
      if (cni.hostDevices.includes('wireguard.cali')) {
        tunnel('wireguard', 'wireguard.cali', [], 'Calico WireGuard encrypts pod traffic between nodes through wireguard.cali (UDP 51820)', 'wireguard');
      }
      break;
    }
    case 'cilium': {
      devices.push(
        device(facts, 'gateway', 'bridge', 'gateway', 'cilium_host', facts.gatewayIPs.map(hostPrefix), `Cilium creates the cilium_host/cilium_net veth pair on every node; cilium_host holds the router address pods route through${facts.gatewayIPs.length > 0 ? ` (Node ${facts.name} annotation network.cilium.io/ipv4-cilium-host)` : ' (not annotated on the Node: only a node probe shows it)'}`),
        device(facts, 'gateway-peer', 'bridge', 'gateway-peer', 'cilium_net', [], 'the other end of cilium_host\'s veth pair'),
      );
      if (cni.tunnelDevice && cni.encapsulation) tunnel('tunnel', cni.tunnelDevice, [], `Cilium tunnel mode: eBPF encapsulates pod traffic to other nodes (${cni.encapsulation.toUpperCase()}, UDP ${cni.udpPort ?? '?'}) through ${cni.tunnelDevice}`);
      if (cni.hostDevices.includes('cilium_wg0')) tunnel('wireguard', 'cilium_wg0', [], 'cilium-config enable-wireguard: pod traffic between nodes is encrypted through cilium_wg0 (UDP 51871)', 'wireguard');
      break;
    }
    case 'antrea': {
      devices.push(
        device(facts, 'bridge', 'bridge', 'ovs-bridge', 'br-int', [], 'Antrea\'s OVS bridge: every pod\'s veth is a port of br-int'),
        device(facts, 'gateway', 'bridge', 'gateway', 'antrea-gw0', hostAddresses(facts.cniPodCIDRs, 1), `Antrea's gateway port on br-int holds the first address of Node ${facts.name} spec.podCIDR: the pods' default gateway`),
      );
      if (cni.tunnelDevice && cni.encapsulation) tunnel('tunnel', cni.tunnelDevice, [], `Antrea encap mode: OVS tunnels pod traffic to other nodes through ${cni.tunnelDevice} (${cni.encapsulation.toUpperCase()}${cni.udpPort ? `, UDP ${cni.udpPort}` : ''})`);
      if (cni.hostDevices.includes('antrea-wg0')) tunnel('wireguard', 'antrea-wg0', [], 'antrea-agent.conf trafficEncryptionMode wireguard: pod traffic between nodes goes through antrea-wg0', 'wireguard');
      break;
    }
    case 'weave': {
      devices.push(device(facts, 'bridge', 'bridge', 'bridge', 'weave', [], 'Weave Net\'s bridge: every pod\'s veth is enslaved to it; its address is allocated from IPALLOC_RANGE at run time'));
      tunnel('tunnel', 'vxlan-6784', [], 'Weave Net\'s fast datapath: OVS (the `datapath` device) VXLAN-encapsulates traffic to peers through vxlan-6784, UDP 6784');
      break;
    }
    case 'ovn-kubernetes': {
      devices.push(
        device(facts, 'bridge', 'bridge', 'ovs-bridge', 'br-int', [], 'OVN-Kubernetes\' integration bridge: every pod\'s veth is a port of br-int'),
        device(facts, 'gateway', 'bridge', 'gateway', 'ovn-k8s-mp0', hostAddresses(facts.cniPodCIDRs, 2), `OVN-Kubernetes' management port: the host's own port on the pod network, the second address of the node subnet${facts.cniPodCIDRs.length > 0 ? '' : ' (subnet unknown)'}`),
      );
      tunnel('tunnel', 'genev_sys_6081', [], 'OVS creates genev_sys_6081 for OVN\'s Geneve tunnels to other nodes (UDP 6081)');
      break;
    }
    default:
      break;
  }
  return devices;
}

// ——— routes ———

const displayNames: Record<string, string> = { flannel: 'Flannel', canal: 'Canal (Flannel)', calico: 'Calico', cilium: 'Cilium', antrea: 'Antrea', kindnet: 'kindnet' };

/** The rule a CNI routes peers by, in words, without naming a node: shared by all routes. */
function peerRule(cni: CniInfo, v6: boolean): string {
  const tunnel = v6 ? v6TunnelName(cni) : cni.tunnelDevice;
  const name = displayNames[cni.name] ?? cni.name;
  switch (cni.peerRouting) {
    case 'tunnel-via-pod-cidr':
      return `${name} VXLAN: each peer's podCIDR via its network address, dev ${tunnel} onlink (the VTEP MAC comes from the peer's flannel.alpha.coreos.com/backend-data)`;
    case 'tunnel-via-node':
      return `${name} IPIP: each peer's ${cni.name === 'calico' ? 'IPAM block' : 'podCIDR'} via the peer's node address, dev ${tunnel} onlink`;
    case 'tunnel-via-vtep':
      return `Calico VXLAN: each peer's IPAM block via the peer's vxlan.calico address, dev ${tunnel} onlink`;
    case 'via-local-gateway':
      return `Cilium tunnel mode: each peer's pod range via this node's cilium_host address, dev cilium_host; eBPF then encapsulates (${cni.encapsulation?.toUpperCase() ?? 'tunnel'}) to the peer's InternalIP`;
    case 'via-peer-gateway':
      return `Antrea encap mode: each peer's podCIDR via the peer's antrea-gw0 address, dev antrea-gw0 onlink; OVS then tunnels (${cni.encapsulation?.toUpperCase() ?? 'tunnel'}) to the peer's node IP`;
    case 'direct':
      return `${name}${cni.name === 'calico' ? ' BGP' : cni.name === 'flannel' ? ' host-gw' : cni.name === 'cilium' ? ' native routing (auto-direct-node-routes)' : ''}: each peer's pod range via the peer's node address, out of the uplink, without encapsulation`;
    default:
      return name;
  }
}

function v6TunnelName(cni: CniInfo): string | null {
  if (cni.name === 'calico') return 'vxlan-v6.calico';
  return cni.hostDevices.find((d) => d.startsWith('flannel-v6.') || d === 'flannel-wg-v6') ?? cni.tunnelDevice;
}

const routeBase = { type: 'unicast' as const, isOnlink: false, peer: null };

/** Same subnet, from the two addresses' own prefixes (Calico's IPv4Address); null when unknown. */
function sameSubnet(a: string | undefined, b: string | undefined): boolean | null {
  if (!a?.includes('/') || !b) return null;
  const parsed = parseCIDR(a);
  if (!parsed) return null;
  return cidrContains(`${parsed[0].toString()}/${parsed[1]}`, bare(b));
}

/**
 * The route(s) from `self` to `peer`'s pods, one per pod range of the peer (or one with an
 * unknown destination when its ranges are not known). Null for CNIs with no route per peer.
 */
export function routeToPeer(cni: CniInfo, self: NodeFacts, peer: NodeFacts): HostRoute[] {
  if (!perPeerStyles.has(cni.peerRouting)) return [];
  const destinations: (string | null)[] = peer.cniPodCIDRs.length > 0 ? peer.cniPodCIDRs : [null];
  return destinations.map((destination) => {
    const v6 = destination ? isV6(destination) : false;
    const pick = (list: string[]) => list.find((a) => isV6(a) === v6);
    const peerIP = pick(peer.datapathIPs);
    const rule = destination ? peerRule(cni, v6) : `${peerRule(cni, v6)}; the peer's pod range is not in the Kubernetes API`;
    const direct = (evidence: string): HostRoute => ({
      ...routeBase,
      destination,
      via: peerIP ? bare(peerIP) : null,
      device: self.uplinkName,
      deviceId: ids.device(self.name, 'uplink'),
      scope: 'peer',
      peer: peer.id,
      provenance: 'inferred',
      evidence,
    });
    const tunnelKey: DeviceKey = v6 && cni.name !== 'cilium' ? 'tunnel-v6' : 'tunnel';
    const tunnelRoute = (via: string | null, evidence = rule): HostRoute => ({
      ...routeBase,
      destination,
      via,
      device: v6 ? v6TunnelName(cni) : cni.tunnelDevice,
      deviceId: ids.device(self.name, tunnelKey),
      isOnlink: true,
      scope: 'peer',
      peer: peer.id,
      provenance: 'inferred',
      evidence,
    });
    if (cni.tunnelScope === 'cross-subnet' && cni.peerRouting !== 'direct') {
      const same = sameSubnet(pick(self.datapathIPs), peerIP);
      if (same === true) {
        return direct(`${displayNames[cni.name] ?? cni.name} ${cni.encapsulation?.toUpperCase() ?? ''} CrossSubnet: the peer is in this node's subnet (${pick(self.datapathIPs) ?? ''}), so its pods are routed via its address without encapsulation`);
      }
      if (same === null) {
        return {
          ...routeBase,
          destination,
          via: null,
          device: null,
          deviceId: null,
          scope: 'peer',
          peer: peer.id,
          provenance: 'unknown',
          evidence: `${rule} — but only to peers in another subnet; to one in the same subnet the route goes via the peer's address out of the uplink, and the API does not show the nodes' subnets`,
        };
      }
    }
    switch (cni.peerRouting) {
      case 'tunnel-via-pod-cidr':
        return tunnelRoute(destination ? cidrAddress(destination, 0) : null);
      case 'tunnel-via-node':
        return tunnelRoute(peerIP ? bare(peerIP) : null);
      case 'tunnel-via-vtep':
        return tunnelRoute(pick(peer.tunnelIPs) ?? null, pick(peer.tunnelIPs) ? rule : `${rule}; Node ${peer.name} has no VXLAN tunnel address annotation`);
      case 'via-local-gateway': {
        const gateway = pick(self.gatewayIPs) ?? null;
        return {
          ...routeBase,
          destination,
          via: gateway,
          device: 'cilium_host',
          deviceId: ids.device(self.name, 'gateway'),
          scope: 'peer',
          peer: peer.id,
          provenance: 'inferred',
          evidence: gateway ? rule : `${rule} (this node's cilium_host address is not annotated on the Node)`,
        };
      }
      case 'via-peer-gateway':
        return {
          ...routeBase,
          destination,
          via: destination ? cidrAddress(destination, 1) : null,
          device: 'antrea-gw0',
          deviceId: ids.device(self.name, 'gateway'),
          isOnlink: true,
          scope: 'peer',
          peer: peer.id,
          provenance: 'inferred',
          evidence: rule,
        };
      default:
        return direct(rule);
    }
  });
}

const perPeerStyles = new Set<CniInfo['peerRouting']>(['tunnel-via-pod-cidr', 'tunnel-via-node', 'tunnel-via-vtep', 'via-local-gateway', 'via-peer-gateway', 'direct']);

/** Routes to this node's own pods that are not per pod (per-pod /32s are on each veth). */
export function localRoutes(cni: CniInfo, self: NodeFacts): HostRoute[] {
  const local = (destination: string, via: string | null, device: string | null, key: DeviceKey | null, evidence: string, type: HostRoute['type'] = 'unicast'): HostRoute => ({
    ...routeBase,
    type,
    destination,
    via,
    device,
    deviceId: key ? ids.device(self.name, key) : null,
    scope: 'local',
    provenance: 'inferred',
    evidence,
  });
  switch (cni.name) {
    case 'flannel':
      return cni.bridgeDevice
        ? self.cniPodCIDRs.map((c) => local(c, null, cni.bridgeDevice, 'bridge', `the kernel's route for ${cni.bridgeDevice}'s address (proto kernel scope link): the node's own pods are on the bridge`))
        : [];
    case 'antrea':
      return self.cniPodCIDRs.map((c) => local(c, null, 'antrea-gw0', 'gateway', 'the kernel\'s route for antrea-gw0\'s address: the node\'s own pods are behind OVS'));
    case 'ovn-kubernetes':
      return self.cniPodCIDRs.map((c) => local(c, null, 'ovn-k8s-mp0', 'gateway', 'the kernel\'s route for ovn-k8s-mp0\'s address: the host reaches its own pods through the management port'));
    case 'cilium':
      return self.cniPodCIDRs.map((c) =>
        local(c, self.gatewayIPs.find((g) => isV6(g) === isV6(c)) ?? null, 'cilium_host', 'gateway', 'Cilium\'s local node route (enable-local-node-route): the node\'s pod range via cilium_host; eBPF delivers to each pod\'s lxc device'),
      );
    case 'calico':
      return cni.ipam === 'calico-ipam'
        ? self.cniPodCIDRs.map((c) => local(c, null, null, null, 'Calico blackholes the node\'s own IPAM block: per-pod /32 routes (on each veth) are more specific; an unassigned address is dropped', 'blackhole'))
        : [];
    default:
      return [];
  }
}

/** One route standing for every peer, for CNIs with no route per peer. */
export function clusterRoutes(cni: CniInfo, self: NodeFacts, clusterPodCIDRs: string[]): HostRoute[] {
  const cluster = (destination: string | null, via: string | null, device: string | null, key: DeviceKey | null, evidence: string): HostRoute => ({
    ...routeBase,
    destination,
    via,
    device,
    deviceId: key ? ids.device(self.name, key) : null,
    scope: 'cluster',
    provenance: 'inferred',
    evidence,
  });
  const destinations: (string | null)[] = clusterPodCIDRs.length > 0 ? clusterPodCIDRs : [null];
  if (cni.peerRouting === 'single-route') {
    switch (cni.name) {
      case 'flannel':
      case 'canal':
        return destinations.map((d) =>
          cluster(d, null, d && isV6(d) ? v6TunnelName(cni) : cni.tunnelDevice, d && isV6(d) ? 'tunnel-v6' : 'tunnel', `Flannel WireGuard: one route for the whole flannel Network, dev ${cni.tunnelDevice}; each peer is a WireGuard peer allowed its podCIDR, at its public-ip`),
        );
      case 'weave':
        return destinations.map((d) => cluster(d, null, 'weave', 'bridge', 'Weave Net is one L2 network: the whole range is on the weave bridge (proto kernel scope link), and Weave carries frames to the peer that holds the address'));
      case 'ovn-kubernetes':
        return destinations.map((d) =>
          cluster(
            d,
            self.gatewayIPs.find((g) => (d ? isV6(g) === isV6(d) : !isV6(g))) ?? null,
            'ovn-k8s-mp0',
            'gateway',
            'OVN-Kubernetes: the host reaches the cluster network via the node switch\'s router port, dev ovn-k8s-mp0; pod-to-pod traffic between nodes never enters the host\'s routing table (OVN routes it in br-int and Geneve-encapsulates it to the peer)',
          ),
        );
      default:
        return [];
    }
  }
  if (cni.peerRouting === 'fabric') {
    const why: Record<string, string> = {
      'aws-vpc-cni': 'AWS VPC CNI: pod IPs are VPC addresses on the nodes\' ENIs; traffic to another node\'s pod leaves by the ENI\'s route table to the VPC router, which delivers it to the ENI holding the address — no route per node, no encapsulation',
      'azure-cni': 'Azure CNI: pod IPs are VNet addresses; traffic to another node\'s pod leaves by the default route to the VNet, which delivers it to the node holding the address — no route per node, no encapsulation',
      cilium: 'Cilium native routing without auto-direct-node-routes: Cilium installs no route per node; the network (cloud routes, GKE alias IP ranges, BGP) must route each node\'s pod range to it',
    };
    return destinations.map((d) => cluster(d, null, self.uplinkName, 'uplink', why[cni.name] ?? `${cni.name}: the network carries pod IPs between nodes`));
  }
  return [];
}

/** Folds the per-peer routes of one family into one rule when there are too many nodes. */
function summaryRoutes(cni: CniInfo, self: NodeFacts, peers: number, clusterPodCIDRs: string[]): HostRoute[] {
  const families = [...new Set((self.cniPodCIDRs.length > 0 ? self.cniPodCIDRs : self.internalIPs.length > 0 ? self.internalIPs : ['0.0.0.0']).map(family))];
  return families.map((f) => {
    const v6 = f === 6;
    const tunnelDevice = v6 ? v6TunnelName(cni) : cni.tunnelDevice;
    const [device, key]: [string | null, DeviceKey] =
      cni.peerRouting === 'direct'
        ? [self.uplinkName, 'uplink']
        : cni.peerRouting === 'via-local-gateway'
          ? ['cilium_host', 'gateway']
          : cni.peerRouting === 'via-peer-gateway'
            ? ['antrea-gw0', 'gateway']
            : [tunnelDevice, v6 && cni.name !== 'cilium' ? 'tunnel-v6' : 'tunnel'];
    return {
      ...routeBase,
      destination: clusterPodCIDRs.find((c) => isV6(c) === v6) ?? null,
      via: null,
      device,
      deviceId: ids.device(self.name, key),
      isOnlink: cni.peerRouting.startsWith('tunnel-') || cni.peerRouting === 'via-peer-gateway',
      scope: 'summary',
      count: peers,
      provenance: 'inferred',
      evidence: `${peerRule(cni, v6)}: one route per peer node, ${peers} routes, folded into this rule above ${perPeerRouteLimit} nodes`,
    } satisfies HostRoute;
  });
}

/** Every route of one node: its own pods, then every peer's (or the rule standing for them). */
export function nodeRoutes(cni: CniInfo, self: NodeFacts, nodes: readonly NodeFacts[], clusterPodCIDRs: string[]): HostRoute[] {
  const routes = localRoutes(cni, self);
  if (perPeerStyles.has(cni.peerRouting)) {
    if (nodes.length > perPeerRouteLimit) {
      routes.push(...summaryRoutes(cni, self, nodes.length - 1, clusterPodCIDRs));
    } else {
      for (const peer of nodes) if (peer.id !== self.id) routes.push(...routeToPeer(cni, self, peer));
    }
  } else {
    routes.push(...clusterRoutes(cni, self, clusterPodCIDRs));
  }
  return routes;
}

/** A node's facts as the model records them, for computing routes after the fact. */
export function factsOfHost(topology: Topology, hostId: Id): NodeFacts | null {
  const host = topology.hosts[hostId];
  if (!host) return null;
  const devices = host.devices.map((id) => topology.devices[id]).filter((d): d is Device => d !== undefined);
  const addressesOf = (role: DeviceRole, keys: DeviceKey[]) =>
    devices.filter((d) => d.role === role && keys.some((k) => d.id === ids.device(host.name, k))).flatMap((d) => d.addresses.map(bare));
  const uplink = devices.find((d) => d.role === 'uplink' || d.type === 'uplink');
  const cni = topology.cluster.cni.value;
  return {
    id: host.id,
    name: host.name,
    internalIPs: host.internalIPs,
    datapathIPs: host.datapathIPs,
    cniPodCIDRs: host.cniPodCIDRs,
    cniPodCIDRsEvidence: host.cniPodCIDRsEvidence,
    tunnelIPs: cni.name === 'calico' ? addressesOf('tunnel', ['tunnel', 'tunnel-v6']) : [],
    gatewayIPs:
      cni.name === 'cilium'
        ? addressesOf('gateway', ['gateway'])
        : cni.name === 'ovn-kubernetes' || cni.name === 'antrea'
          ? host.cniPodCIDRs.flatMap((c) => cidrAddress(c, 1) ?? [])
          : [],
    uplinkName: uplink?.name ?? null,
    uplinkEvidence: null,
  };
}

/**
 * The route(s) `from` uses to reach `to`'s pods, computed from the model exactly as derive
 * materialises them — the way to expand a `summary` route of a large cluster. Empty when the
 * CNI has no route per peer (then the node's `cluster` route applies) or a node is unknown.
 */
export function routeBetween(topology: Topology, from: Id, to: Id): HostRoute[] {
  const self = factsOfHost(topology, from);
  const peer = factsOfHost(topology, to);
  if (!self || !peer || from === to) return [];
  return routeToPeer(topology.cluster.cni.value, self, peer);
}
