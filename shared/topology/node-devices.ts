/** A node's root-netns devices as its CNI creates them (uplink, bridge or gateway, tunnels), and
 * as a node probe read them. */
import { linkCommand, wasRead, type NodeDatapath } from '../datapath/join.ts';
import { nodeCommands } from '../datapath/reading.ts';
import type { ObservedDevice } from '../datapath/types.ts';
import type { CniInfo, Encapsulation } from '../model/cluster.ts';
import type { Device, DeviceKey, DeviceRole, DeviceType } from '../model/types.ts';
import { bareAddress, cidrAddress, isV6 } from '../net/ip.ts';
import { ids } from './ids.ts';
import type { NodeFacts } from './node-facts.ts';

const prefixOf = (cidr: string): string => cidr.split('/')[1] ?? '';

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

const hostPrefix = (address: string): string => `${bareAddress(address)}/${isV6(address) ? 128 : 32}`;

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

const encapsulations: Record<string, Encapsulation> = { vxlan: 'vxlan', geneve: 'geneve', ipip: 'ipip', wireguard: 'wireguard', gre: 'gre', gretap: 'gre' };

/** Link-local IPv6 addresses say nothing the graph needs; every link has one. */
const isShown = (cidr: string): boolean => !cidr.toLowerCase().startsWith('fe80:');

/**
 * The node's devices with what its reading shows (issue 13): each inferred device found in the
 * reading — by its name, else the uplink by the default route, the bridge by the pod veths on it,
 * the tunnel by its kind — takes the observed name and addresses (`nameProvenance: 'observed'`);
 * an observed pod bridge or tunnel the CNI rules did not predict (an unknown CNI) is added. A
 * device the reading lacks stays inferred, and says so when the links were read.
 */
export function observeDevices(devices: Device[], facts: NodeFacts, datapath: NodeDatapath): Device[] {
  const seen = datapath.observed.devices.filter((d) => d.role !== 'pod-veth' && d.role !== 'loopback');
  const used = new Set<ObservedDevice>();
  const firstTunnel = seen.find((d) => d.role === 'tunnel');
  const pick = (device: Device): ObservedDevice | undefined => {
    const named = seen.find((d) => d.name === device.name);
    if (named) return named;
    const role = device.role ?? device.type;
    if (role === 'uplink') return seen.find((d) => d.role === 'uplink');
    if (role === 'bridge' || role === 'ovs-bridge') return datapath.podBridge ?? undefined;
    if (device.id === ids.device(facts.name, 'tunnel')) return firstTunnel;
    return undefined;
  };
  const command = linkCommand(datapath.observation);
  const canTell = wasRead(datapath.observation, 'links') || wasRead(datapath.observation, 'addresses');
  const observedDevice = (device: Device, found: ObservedDevice): Device => {
    used.add(found);
    const tunnel = found.tunnel;
    const encapsulation = found.kind ? encapsulations[found.kind] : undefined;
    return {
      ...device,
      name: found.name,
      nameProvenance: 'observed',
      addresses: found.addresses.filter(isShown),
      evidence: `${command}${command === nodeCommands.addresses ? '' : ` and ${nodeCommands.addresses}`} ${datapath.where}: ${found.name}${found.kind ? ` (${found.kind})` : ''}${tunnel ? `${tunnel.vni !== null ? ` VNI ${tunnel.vni}` : ''}${tunnel.port !== null ? ` port ${tunnel.port}` : ''}${tunnel.local ? ` local ${tunnel.local}` : ''}` : ''}`,
      ...(device.type === 'tunnel' || found.role === 'tunnel' ? { encapsulation: encapsulation ?? device.encapsulation, vni: tunnel?.vni ?? device.vni ?? null, udpPort: tunnel?.port ?? device.udpPort ?? null } : {}),
    };
  };
  const result = devices.map((device) => {
    const found = pick(device);
    if (found && !used.has(found)) return observedDevice(device, found);
    return canTell && device.type !== 'uplink' ? { ...device, evidence: `${device.evidence} — but no such device is in the node's reading (${command} ${datapath.where})` } : device;
  });
  const has = (key: DeviceKey) => result.some((d) => d.id === ids.device(facts.name, key));
  if (datapath.podBridge && !used.has(datapath.podBridge) && !has('bridge')) {
    result.push(observedDevice(device(facts, 'bridge', 'bridge', 'bridge', null, [], ''), datapath.podBridge));
  }
  if (firstTunnel && !used.has(firstTunnel) && !has('tunnel')) {
    result.push(observedDevice(device(facts, 'tunnel', 'tunnel', 'tunnel', null, [], ''), firstTunnel));
  }
  return result;
}
