/**
 * The routes in a node's root netns, as its CNI installs them: to its own pods, then to every
 * other node's. Each is inferred from the CNI's documented behaviour and says so.
 *
 * Routes are per node pair, so they are materialised only up to `perPeerRouteLimit` nodes;
 * beyond that each node holds one `summary` route per family and `routeBetween` computes any
 * single peer route from the model on demand, with the same function that materialises them.
 */
import { wasRead, type NodeDatapath } from '../datapath/join.ts';
import { nodeCommands } from '../datapath/reading.ts';
import type { Route as ObservedRoute } from '../datapath/types.ts';
import type { CniInfo } from '../model/cluster.ts';
import type { Device, DeviceKey, HostRoute, Id, Topology } from '../model/types.ts';
import { bareAddress, cidrAddress, cidrContains, isV6, parseCIDR } from '../net/ip.ts';
import { ids } from './ids.ts';
import { factsOfHost, type NodeFacts } from './node-facts.ts';

/** Up to this many nodes every node gets one route per peer; above, one summary per family. At
 * 200 nodes that is 39,800 routes in the model; at Kubernetes' 5,000 it would be 25 million. */
export const perPeerRouteLimit = 200;

const family = (address: string): 4 | 6 => (isV6(address) ? 6 : 4);

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
  return cidrContains(`${parsed[0].toString()}/${parsed[1]}`, bareAddress(b));
}

/**
 * The route(s) from `self` to `peer`'s pods, one per pod range of the peer (or one with an
 * unknown destination when its ranges are not known). Empty for CNIs with no route per peer.
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
      via: peerIP ? bareAddress(peerIP) : null,
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
        return tunnelRoute(peerIP ? bareAddress(peerIP) : null);
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

/** `10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink`, as `ip route` prints it. */
function observedRouteText(route: ObservedRoute): string {
  return [route.type === 'unicast' ? '' : `${route.type} `, route.dst, route.gateway ? ` via ${route.gateway}` : '', route.dev ? ` dev ${route.dev}` : '', route.isOnlink ? ' onlink' : ''].join('');
}

/**
 * The node's routes with what its reading shows (issue 13): a route whose destination is in the
 * node's main table takes the observed next hop and device (`provenance: 'observed'`); a route
 * to a node's pod range that the CNI rules did not predict (an unknown CNI) is added, up to
 * `perPeerRouteLimit` nodes; one the table lacks stays inferred and says so.
 */
export function observeRoutes(routes: HostRoute[], self: NodeFacts, nodes: readonly NodeFacts[], datapath: NodeDatapath, devices: Device[]): HostRoute[] {
  if (!wasRead(datapath.observation, 'routes')) return routes;
  // By destination: a node's table holds a route per peer, and each peer's range is looked up.
  const table = new Map(datapath.observation.routes.map((r) => [r.dst, r] as const));
  const command = nodeCommands.routes;
  const deviceId = (name: string | null) => (name ? (devices.find((d) => d.name === name)?.id ?? null) : null);
  const observed = (route: HostRoute, found: ObservedRoute): HostRoute => ({
    ...route,
    via: found.gateway,
    device: found.dev,
    deviceId: deviceId(found.dev),
    isOnlink: found.isOnlink,
    type: found.type === 'unicast' ? 'unicast' : 'blackhole',
    provenance: 'observed',
    evidence: `${command} ${datapath.where}: ${observedRouteText(found)}`,
  });
  const result = routes.map((route) => {
    const found = route.destination ? table.get(route.destination) : undefined;
    if (found) return observed(route, found);
    if (!route.destination || route.scope === 'summary') return route;
    return { ...route, evidence: `${route.evidence} — but the node's main table has no route for ${route.destination} (${command} ${datapath.where})` };
  });
  if (nodes.length > perPeerRouteLimit) return result;
  const listed = new Set(result.map((r) => r.destination));
  for (const node of nodes) {
    for (const cidr of node.cniPodCIDRs.length > 0 ? node.cniPodCIDRs : node.podCIDRs) {
      const found = listed.has(cidr) ? undefined : table.get(cidr);
      if (!found) continue;
      const isOwn = node.id === self.id;
      result.push(observed({ ...routeBase, destination: cidr, via: null, device: null, deviceId: null, scope: isOwn ? 'local' : 'peer', peer: isOwn ? null : node.id, provenance: 'observed', evidence: '' }, found));
    }
  }
  return result;
}
