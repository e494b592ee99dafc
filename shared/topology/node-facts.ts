/**
 * What the route and device derivations need to know of one node, read off its Node object as
 * its CNI records it (spec.podCIDRs, addresses, the annotations CNIs write) — or, after derive,
 * back off the model (`factsOfHost`).
 */
import type { KubeNode } from '../kube/objects.ts';
import type { CniInfo } from '../model/cluster.ts';
import type { Device, DeviceKey, DeviceRole, Id, Topology } from '../model/types.ts';
import { bareAddress, cidrAddress, isV6 } from '../net/ip.ts';
import type { CniDetails } from './cni/detector.ts';
import { ids } from './ids.ts';

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
  /** spec.podCIDRs, whatever the CNI makes of them: where a node reading looks for the routes
   * to a node's pods when the CNI is not known. */
  podCIDRs: string[];
  /** Addresses of Calico's tunnel devices (tunl0, vxlan.calico) on this node, without prefix. */
  tunnelIPs: string[];
  /** The node's gateway into its pod range, without prefix: cilium_host's address, antrea-gw0's,
   * or OVN's node-switch router port (the subnet's first address). */
  gatewayIPs: string[];
  /** The uplink's name where the CNI makes it known (OVN-Kubernetes' breth0); else null. */
  uplinkName: string | null;
  uplinkEvidence: string | null;
}

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
    podCIDRs: specCIDRs,
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
      } else if (details.isCiliumOnNodePodCIDRs) {
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

/** A node's facts as the model records them, for computing routes after the fact. */
export function factsOfHost(topology: Topology, hostId: Id): NodeFacts | null {
  const host = topology.hosts[hostId];
  if (!host) return null;
  const devices = host.devices.map((id) => topology.devices[id]).filter((d): d is Device => d !== undefined);
  const addressesOf = (role: DeviceRole, keys: DeviceKey[]) =>
    devices.filter((d) => d.role === role && keys.some((k) => d.id === ids.device(host.name, k))).flatMap((d) => d.addresses.map(bareAddress));
  const uplink = devices.find((d) => d.role === 'uplink' || d.type === 'uplink');
  const cni = topology.cluster.cni.value;
  return {
    id: host.id,
    name: host.name,
    internalIPs: host.internalIPs,
    datapathIPs: host.datapathIPs,
    cniPodCIDRs: host.cniPodCIDRs,
    cniPodCIDRsEvidence: host.cniPodCIDRsEvidence,
    podCIDRs: host.podCIDRs,
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
