/**
 * From one node's reading to what it shows (issue 13): devices with their kinds and addresses,
 * every host veth mapped to its pod netns (observe-veths.ts), bridges and their ports, tunnels
 * with their peers, routes, kube-proxy's Services, and the conflicts the reading shows on its
 * own. Pure: the reading is all it knows. Joining with the Kubernetes model (a pod the API puts
 * here without a veth, an endpoint kube-proxy lacks) is the caller's, by pod, netns and IP.
 *
 * Nothing is guessed around what was not read: a command that failed or did not parse is listed
 * in `unread`, and what depended on it is absent rather than inferred.
 */
import { parseBridgeFdb, parseBridgeLink } from './bridge.ts';
import { parseIpAddr } from './ip-addr.ts';
import { parseIpLink } from './ip-link.ts';
import { parseIpNeigh } from './ip-neigh.ts';
import { parseIpRoute } from './ip-route.ts';
import { parseIptablesSave } from './iptables-save.ts';
import { kubeProxyFromIpvs, parseIpvsadm } from './ipvsadm.ts';
import { kubeProxyFromIptables } from './kube-proxy-iptables.ts';
import { kubeProxyFromNftables } from './kube-proxy-nftables.ts';
import { natChains, nftMasquerades } from './nat.ts';
import { parseNftRuleset } from './nftables.ts';
import { mapVeths, type PodEnd } from './observe-veths.ts';
import { DatapathParseError } from './parse-error.ts';
import { nodeCommands, type CommandResult, type NodeCommand, type NodeReading } from './reading.ts';
import type { KubeProxyRules, Link, LinkAddresses, ObservedDevice, ObservedNat, ObservedNode, ObservedTunnel, Route, Unread } from './types.ts';

/** Commands a full probe reads; ip6tables is optional (single-stack nodes may lack it). */
const expected: NodeCommand[] = ['links', 'addresses', 'routes', 'neighbours', 'netnsIds', 'bridgeLinks', 'fdb', 'iptables', 'nftables', 'ipvs'];

const tunnelKinds = new Set(['vxlan', 'geneve', 'ipip', 'sit', 'ip6tnl', 'gre', 'gretap', 'ip6gre', 'ip6gretap', 'wireguard']);

/** Runs `parse` over a command's output, or records why there is none to parse. */
function reader(unread: Unread[]) {
  return <T>(result: CommandResult | undefined, command: string, parse: (output: string, command: string) => T, netns?: string): T | null => {
    const where = netns === undefined ? {} : { netns };
    if (!result) {
      unread.push({ command, ...where, status: 'not-read', message: 'The probe did not run it.' });
      return null;
    }
    if (result.status !== 'ok') {
      unread.push({ command: result.command, ...where, status: result.status, message: result.message });
      return null;
    }
    try {
      return parse(result.output, result.command);
    } catch (error) {
      if (!(error instanceof DatapathParseError)) throw error;
      unread.push({ command: result.command, ...where, status: 'unparsable', message: error.message });
      return null;
    }
  };
}

export function observeNode(reading: NodeReading): ObservedNode {
  const unread: Unread[] = [];
  const read = reader(unread);
  const c = reading.commands;
  const cmd = (key: NodeCommand) => c[key];
  for (const key of expected) if (!c[key]) unread.push({ command: nodeCommands[key], status: 'not-read', message: 'The probe did not run it.' });
  const parseIf = <T>(key: NodeCommand, parse: (output: string, command: string) => T) => (c[key] ? read(cmd(key), nodeCommands[key], parse) : null);

  const addressRows = parseIf('addresses', parseIpAddr) ?? [];
  // Without `ip -d link`, `ip addr` still names every link and its peer, though not its kind.
  const links = parseIf('links', parseIpLink) ?? addressRows.map(linkFromAddresses);
  const routes = parseIf('routes', parseIpRoute) ?? [];
  const neighbours = parseIf('neighbours', parseIpNeigh) ?? [];
  const fdb = parseIf('fdb', parseBridgeFdb) ?? [];
  const bridgePorts = parseIf('bridgeLinks', parseBridgeLink) ?? [];

  const addressesOf = (name: string) => addressRows.find((a) => a.name === name)?.addresses.map((a) => a.cidr) ?? [];
  // The node's ways out: the default route's devices, and the devices its tunnels send through
  // (a node without a default route still has those; in the lab, eth0 is a veth to the underlay
  // and would otherwise pass for a pod's).
  const uplinks = new Set([
    ...routes.filter((r) => r.table === 'main' && r.dst === 'default').flatMap((r) => [r.dev, ...r.nexthops.map((n) => n.dev)]),
    ...links.map((l) => l.tunnel?.device),
  ]);
  const masters = new Set([...links.map((l) => l.master), ...bridgePorts.map((p) => p.master)].filter((m): m is string => m !== null));
  const roleOf = (link: Link): ObservedDevice['role'] => {
    if (link.flags.includes('LOOPBACK') || link.name === 'lo') return 'loopback';
    if (uplinks.has(link.name)) return 'uplink';
    if (link.kind === 'bridge' || link.kind === 'openvswitch' || (link.kind === null && masters.has(link.name))) return 'bridge';
    if (link.tunnel || (link.kind !== null && tunnelKinds.has(link.kind))) return 'tunnel';
    if (link.peer?.netnsid != null && (link.kind === 'veth' || link.kind === null)) return 'pod-veth';
    return 'other';
  };
  const devices: ObservedDevice[] = links.map((link) => ({
    ifindex: link.ifindex,
    name: link.name,
    kind: link.kind,
    master: link.master,
    mtu: link.mtu,
    operstate: link.operstate,
    macAddress: link.address,
    addresses: addressesOf(link.name),
    tunnel: link.tunnel,
    role: roleOf(link),
  }));

  const pods: PodEnd[] = reading.pods.map((pod) => ({
    reading: pod,
    link: read(pod.commands.link, 'ip -j -d link show eth0', parseIpLink, pod.netns)?.[0] ?? null,
    addresses: read(pod.commands.addresses, 'ip -j addr show eth0', parseIpAddr, pod.netns)?.[0] ?? null,
  }));
  const hostVeths = links.filter((l) => roleOf(l) === 'pod-veth');
  const { veths, conflicts } = mapVeths(hostVeths, pods, { routes, neighbours, fdb, addressesOf });

  const tunnels = devices.filter((d) => d.role === 'tunnel').map((d) => tunnelOf(d, routes, neighbours, fdb));
  for (const tunnel of tunnels) {
    for (const peer of tunnel.peers.filter((p) => p.missing.length > 0)) {
      conflicts.push({
        kind: 'tunnel-peer-incomplete',
        subject: `tunnel/${tunnel.name}`,
        message: `${peer.podCIDR} via ${peer.gateway} on ${tunnel.name} has no ${peer.missing.join(' and no ')} entry${peer.missing.length > 1 ? 's' : ''}: packets to it cannot be encapsulated.`,
      });
    }
  }

  return {
    node: reading.node,
    readAt: reading.readAt,
    source: reading.source,
    target: reading.target,
    devices,
    veths,
    bridges: devices
      .filter((d) => d.role === 'bridge')
      .map((d) => ({ name: d.name, ports: [...new Set([...links.filter((l) => l.master === d.name).map((l) => l.name), ...bridgePorts.filter((p) => p.master === d.name).map((p) => p.name)])], addresses: d.addresses })),
    tunnels,
    routes,
    neighbours,
    fdb,
    ...rulesOf(reading, read),
    conflicts,
    unread,
  };
}

function linkFromAddresses(row: LinkAddresses): Link {
  return { ifindex: row.ifindex, name: row.name, kind: null, slaveKind: null, master: null, flags: [], isUp: false, mtu: null, operstate: null, address: row.macAddress, peer: row.peer, tunnel: null, portState: null };
}

/**
 * A tunnel's peers: each route through it with a gateway (flannel: `10.244.1.0/24 via
 * 10.244.1.0 dev flannel.1 onlink`). A VXLAN needs two more entries per peer, which flannel
 * writes with the route: the gateway's MAC in the neighbour table, and that MAC's underlay
 * address in the FDB; a peer missing either is unreachable.
 */
function tunnelOf(device: ObservedDevice, routes: Route[], neighbours: ReturnType<typeof parseIpNeigh>, fdb: ReturnType<typeof parseBridgeFdb>): ObservedTunnel {
  const info = device.tunnel ?? { vni: null, local: null, remote: null, group: null, port: null, device: null, isLearning: null };
  const isVxlan = device.kind === 'vxlan';
  const peers = routes
    .filter((r) => r.table === 'main' && r.dev === device.name && r.gateway !== null)
    .map((route) => {
      const mac = neighbours.find((n) => n.dev === device.name && n.dst === route.gateway)?.lladdr?.toLowerCase() ?? null;
      const remote = isVxlan ? (fdb.find((f) => f.dev === device.name && f.mac === mac && f.dst !== null)?.dst ?? null) : (info.remote ?? route.gateway);
      const missing: ('neighbour' | 'fdb')[] = [];
      if (isVxlan && !mac) missing.push('neighbour');
      // A VXLAN with a fixed remote or multicast group needs no per-peer FDB entry.
      if (isVxlan && !remote && !info.remote && !info.group) missing.push('fdb');
      return { podCIDR: route.dst, gateway: route.gateway, mac, remote, missing };
    });
  return { name: device.name, kind: device.kind, info, peers };
}

/** kube-proxy's Services and the node's source NAT, from each rules command parsed once. */
function rulesOf(reading: NodeReading, read: ReturnType<typeof reader>): Pick<ObservedNode, 'kubeProxy' | 'nat'> {
  const c = reading.commands;
  const kubeProxy: KubeProxyRules[] = [];
  const nat: ObservedNat = { iptables: [], nftables: [] };
  const add = (rules: KubeProxyRules | null) => {
    if (rules && rules.services.length > 0) kubeProxy.push(rules);
  };
  for (const [key, family] of [['iptables', 'inet'], ['ip6tables', 'inet6']] as const) {
    const save = c[key] ? read(c[key], nodeCommands[key], parseIptablesSave) : null;
    if (!save) continue;
    add(kubeProxyFromIptables(save, family));
    const chains = natChains(save);
    if (chains.length > 0) nat.iptables.push({ family, chains });
  }
  const nft = c.nftables ? read(c.nftables, nodeCommands.nftables, parseNftRuleset) : null;
  if (nft) {
    for (const family of ['inet', 'inet6'] as const) add(kubeProxyFromNftables(nft, family));
    nat.nftables = nftMasquerades(nft);
  }
  const ipvs = c.ipvs ? read(c.ipvs, nodeCommands.ipvs, parseIpvsadm) : null;
  if (ipvs) for (const family of ['inet', 'inet6'] as const) add(kubeProxyFromIpvs(ipvs, family));
  return { kubeProxy, nat };
}

/** The veth whose pod has this IP, for joining with the API's pods (and finding API pods whose
 * IP no veth on their node carries). */
export function vethsByPodIP(node: ObservedNode): Map<string, ObservedNode['veths'][number]> {
  return new Map(node.veths.flatMap((v) => v.podAddresses.map((a) => [a.split('/')[0] as string, v] as const)));
}
