/**
 * A node's part of a path, from its IP stack onwards (design §1, problems 1, 2 and 4): the route
 * for a peer's pod range, the tunnel device that wraps the packet, the node network and the
 * peer's decapsulation; on the pod's own node, the bridge, the /32 route or the eBPF redirect to
 * the pod's veth. Routes and devices are the ones derive put in the model, so a hop is only as
 * certain as the fact behind it, and its evidence says which fact that is.
 */
import type { Route as ObservedRoute } from '../../datapath/types.ts';
import type { Device, DeviceRole, Host, HostRoute, PodRecord } from '../../model/types.ts';
import { cidrContains } from '../../net/ip.ts';
import { operands, sh } from '../../text/shell.ts';
import { routeBetween } from '../../topology/node-routes.ts';
import type { Evidence, Hop, Packet } from '../types.ts';
import { bare, deviceById, deviceOf, deviceProvenance, hop, isV6, nodeAddress, provenanceOf, readName, uplinkName, uplinkSuffix, type PathContext } from './hop.ts';
import { hostEndName, vethProvenance } from './pod.ts';

/** `ip route` as it prints a route. */
export function routeText(route: HostRoute): string {
  if (route.type === 'blackhole') return `blackhole ${route.destination ?? '?'}`;
  return [route.destination ?? '<pod range unknown>', route.via ? `via ${route.via}` : '', `dev ${route.device ?? '<uplink>'}`, route.isOnlink ? 'onlink' : '']
    .filter((s) => s !== '')
    .join(' ');
}

/** The route the node's main table, as read, takes to `dst`: the longest prefix that holds it. */
export function observedRouteFor(host: Host, dst: string): ObservedRoute | null {
  const length = (r: ObservedRoute) => (r.dst === 'default' ? 0 : Number(r.dst.split('/')[1] ?? (isV6(r.dst) ? 128 : 32)));
  const holds = (r: ObservedRoute) => r.dst === 'default' || (r.dst.includes('/') ? cidrContains(r.dst, dst) : r.dst === dst);
  const found = (host.observed?.routes ?? []).filter((r) => r.type === 'unicast' && isV6(r.dst) === isV6(dst) && holds(r));
  return found.sort((a, b) => length(b) - length(a))[0] ?? null;
}

/** Whether one of the node's devices read off it holds `address`: the kernel delivers it locally. */
function isObservedLocal(ctx: PathContext, host: Host, address: string): boolean {
  return host.devices.some((id) => {
    const device = ctx.topology.devices[id];
    return device?.nameProvenance === 'observed' && device.addresses.some((a) => bare(a) === address);
  });
}

/** The route `from` uses toward an address on `to` (a pod of it, or one of its own addresses). */
export function routeToward(ctx: PathContext, from: Host, to: Host, dst: string): HostRoute | null {
  const matches = (r: HostRoute) => r.type === 'unicast' && (r.destination === null || cidrContains(r.destination, dst));
  const peer = from.routes.find((r) => r.scope === 'peer' && r.peer === to.id && matches(r));
  if (peer) return peer;
  if (from.routes.some((r) => r.scope === 'summary')) {
    const computed = routeBetween(ctx.topology, from.id, to.id).find(matches);
    if (computed) return computed;
  }
  return from.routes.find((r) => r.scope === 'cluster' && matches(r)) ?? null;
}

function encapsulationOf(ctx: PathContext, device: Device | undefined): { protocol: NonNullable<Packet['outer']>['protocol']; port?: number; vni?: number; name: string } | null {
  const encapsulation = device?.encapsulation ?? ctx.cni.encapsulation;
  switch (encapsulation) {
    case 'vxlan':
      return { protocol: 'UDP', port: device?.udpPort ?? ctx.cni.udpPort ?? 4789, vni: device?.vni ?? ctx.cni.vni ?? undefined, name: 'VXLAN' };
    case 'geneve':
      return { protocol: 'UDP', port: device?.udpPort ?? ctx.cni.udpPort ?? 6081, name: 'Geneve' };
    case 'stt':
      return { protocol: 'UDP', port: device?.udpPort ?? ctx.cni.udpPort ?? 7471, name: 'STT' };
    case 'ipip':
      return { protocol: 'IPIP', name: 'IPIP' };
    case 'wireguard':
      return { protocol: 'WireGuard', port: device?.udpPort ?? ctx.cni.udpPort ?? 51820, name: 'WireGuard' };
    case 'gre':
      return { protocol: 'GRE', name: 'GRE' };
    default:
      return null;
  }
}

function tunnelCommand(ctx: PathContext, device: Device, peerIP: string): string {
  const name = device.name ?? 'tunnel';
  if (ctx.cni.name === 'cilium') return 'kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf tunnel list';
  switch (device.encapsulation ?? ctx.cni.encapsulation) {
    case 'vxlan':
      return sh`bridge fdb show dev ${name}; ip neigh show dev ${name}`;
    case 'wireguard':
      return sh`wg show ${name}`;
    case 'ipip':
      return sh`ip -d link show ${name}; ip route get ${peerIP}`;
    default:
      return sh`ip -d link show ${name}`;
  }
}

function capture(encap: ReturnType<typeof encapsulationOf>, peer: string): string {
  // The filter is one word: tcpdump joins its words into one expression anyway.
  if (!encap) return sh`tcpdump -ni any ${operands('host', peer)}`;
  if (encap.protocol === 'IPIP') return sh`tcpdump -ni any ${`ip proto 4 and host ${peer}`}`;
  if (encap.protocol === 'GRE') return sh`tcpdump -ni any ${`ip proto 47 and host ${peer}`}`;
  return sh`tcpdump -ni any ${`udp port ${encap.port ?? 0} and host ${peer}`}`;
}

/** What the peer's address for the tunnel's outer header is: its datapath IP (Flannel's
 * public-ip, Calico's IPv4Address) in the packet's family, else its InternalIP. */
function underlayAddress(host: Host, dst: string): string {
  const v6 = isV6(dst);
  return bare(host.datapathIPs.find((a) => isV6(a) === v6) ?? host.internalIPs.find((a) => isV6(a) === v6) ?? host.internalIPs[0] ?? '?');
}

/** The device an OVS or single-route CNI forwards through where no route names it. */
function roleDevice(ctx: PathContext, host: Host, role: DeviceRole): Device | undefined {
  return deviceOf(ctx, host, role);
}

/**
 * From node `from`'s IP stack to node `to`'s, for a packet to `packet.dst`: the route, the
 * tunnel (if the CNI wraps it), the wire, the decapsulation. Empty when the nodes are the same.
 */
export function crossNodes(ctx: PathContext, from: Host, to: Host, packet: Packet, destinationIsNode = false): Hop[] {
  if (from.id === to.id) return [];
  const hops: Hop[] = [];
  const dst = packet.dst;
  const fromUnder = underlayAddress(from, dst);
  const toUnder = underlayAddress(to, dst);
  const uplinkFrom = deviceOf(ctx, from, 'uplink');
  const uplinkTo = deviceOf(ctx, to, 'uplink');
  const routeCommand = { text: `on node ${from.name}`, command: sh`ip route get ${dst}` };

  if (destinationIsNode) {
    const read = observedRouteFor(from, dst);
    const isReadByUplink = read !== null && read.dev !== null && read.dev === uplinkFrom?.name;
    const evidence: Evidence[] = [{ text: `${dst} is an address of node ${to.name} (status.addresses): reached over the nodes' own network, not the pod network`, object: to.id, field: 'status.addresses' }];
    if (read) evidence.push({ text: `observed in node ${from.name}'s main table: ${read.dst}${read.gateway ? ` via ${read.gateway}` : ''} dev ${read.dev ?? '?'}`, object: from.id, field: 'observed.routes' });
    evidence.push(routeCommand);
    hops.push(hop('route', `node ${from.name}: ${dst} is on the node network, dev ${uplinkName(ctx, from)}`, packet, [from.id, uplinkFrom?.id], from.id, evidence, provenanceOf(deviceProvenance(uplinkFrom), isReadByUplink ? 'observed' : null)));
    hops.push(wire(ctx, from, to, packet, uplinkFrom, uplinkTo, null));
    return hops;
  }

  const route = routeToward(ctx, from, to, dst);
  const routeDevice = deviceById(ctx, route?.deviceId ?? null);
  const routeEvidence: Evidence[] = route
    ? [{ text: `${route.provenance}: ${route.evidence}`, object: from.id, field: 'routes' }, routeCommand]
    : [{ text: `no route to node ${to.name}'s pods is known for CNI "${ctx.cni.name}"`, object: from.id, field: 'routes' }, routeCommand];
  hops.push(
    hop('route', route ? `node ${from.name}: ${routeText({ ...route, destination: route.destination ?? `${dst} (${to.name}'s pods)` })}` : `node ${from.name}: route to ${dst} unknown`, packet, [from.id, route?.deviceId], from.id, routeEvidence, provenanceOf(route?.provenance)),
  );

  // Where an OVS bridge or the node's gateway device carries the packet before the tunnel.
  let tunnel: Device | undefined;
  if (routeDevice?.role === 'tunnel') tunnel = routeDevice;
  else if (ctx.cni.peerRouting === 'via-local-gateway' || ctx.cni.peerRouting === 'via-peer-gateway' || ctx.cni.peerRouting === 'single-route') {
    tunnel = roleDevice(ctx, from, 'tunnel');
    const bridge = ctx.cni.peerRouting === 'via-local-gateway' ? undefined : roleDevice(ctx, from, 'ovs-bridge') ?? roleDevice(ctx, from, 'bridge');
    if (bridge) {
      hops.push(
        hop('bridge', `${bridge.name ?? 'bridge'} on node ${from.name}: ${bridge.role === 'ovs-bridge' ? 'OVS flows send it to the tunnel port' : 'to the tunnel device'}`, packet, [bridge.id, from.id], from.id, [
          { text: bridge.evidence, object: bridge.id },
          { text: 'the flows', command: bridge.role === 'ovs-bridge' ? sh`ovs-ofctl dump-flows ${operands(bridge.name ?? 'br-int')}` : sh`bridge fdb show br ${bridge.name ?? 'weave'}` },
        ], provenanceOf(deviceProvenance(bridge))),
      );
    }
  }
  const isTunnelled = tunnel !== undefined && (route?.provenance !== 'unknown' || routeDevice?.role === 'tunnel');
  const encap = isTunnelled ? encapsulationOf(ctx, tunnel) : null;
  let onWire = packet;
  if (tunnel && encap) {
    const outer = { src: fromUnder, dst: toUnder, protocol: encap.protocol, ...(encap.port ? { dstPort: encap.port } : {}), ...(encap.vni !== undefined ? { vni: encap.vni } : {}) };
    onWire = { ...packet, outer };
    const what = `${encap.name}${encap.vni !== undefined ? ` VNI ${encap.vni}` : ''}`;
    const evidence: Evidence[] = [{ text: tunnel.evidence, object: tunnel.id }];
    if (ctx.cni.peerRouting === 'tunnel-via-pod-cidr' && route?.via) {
      evidence.push({ text: `${route.via} is node ${to.name}'s VTEP on ${tunnel.name ?? 'the tunnel'}: its MAC is in the node's flannel.alpha.coreos.com/backend-data annotation, its underlay address is public-ip ${toUnder}`, object: to.id, field: 'metadata.annotations' });
    }
    if (ctx.cni.peerRouting === 'via-local-gateway') evidence.push({ text: `Cilium's eBPF program on cilium_host looks the destination up in its tunnel map and encapsulates to node ${to.name} (${toUnder})` });
    // Read off the node: the tunnel's peer, its neighbour and FDB entry leading to the peer's underlay address.
    const peer = from.observed?.tunnels.find((t) => t.name === tunnel.name)?.peers.find((p) => p.remote === toUnder && p.missing.length === 0);
    if (peer) evidence.push({ text: `observed on node ${from.name}: ${tunnel.name ?? 'the tunnel'}'s peer ${peer.podCIDR ?? '?'} via ${peer.gateway ?? '?'} (${peer.mac ?? '?'}), its FDB entry to ${peer.remote ?? '?'}`, object: tunnel.id, field: 'observed.tunnels' });
    evidence.push({ text: `the tunnel's peers on node ${from.name}`, command: tunnelCommand(ctx, tunnel, toUnder) });
    const isPeerRead = peer !== undefined || (from.observed !== undefined && tunnel.encapsulation !== 'vxlan' && tunnel.encapsulation !== 'geneve');
    hops.push(
      hop('tunnel', `${tunnel.name ?? 'tunnel'} on node ${from.name}: ${what}, outer ${fromUnder} → ${toUnder}${encap.port ? ` ${encap.protocol} ${encap.port}` : ''}`, onWire, [tunnel.id, from.id], from.id, evidence, provenanceOf(deviceProvenance(tunnel), isPeerRead ? 'observed' : null)),
    );
  }
  hops.push(wire(ctx, from, to, onWire, uplinkFrom, uplinkTo, encap));
  if (tunnel && encap) {
    const peerTunnel = to.devices.map((id) => ctx.topology.devices[id]).find((d) => d?.role === 'tunnel' && d.name === tunnel.name) ?? roleDevice(ctx, to, 'tunnel');
    hops.push(
      hop('decap', `${peerTunnel?.name ?? tunnel.name ?? 'tunnel'} on node ${to.name}: unwraps ${encap.name}, inner ${packet.src} → ${packet.dst}`, packet, [peerTunnel?.id, to.id], to.id, [
        { text: peerTunnel?.evidence ?? `node ${to.name} has the same tunnel device`, object: peerTunnel?.id ?? to.id },
        { text: `on node ${to.name}, see the encapsulated packets arrive`, command: capture(encap, fromUnder) },
      ], provenanceOf(deviceProvenance(peerTunnel))),
    );
  }
  return hops;
}

function wire(ctx: PathContext, from: Host, to: Host, packet: Packet, uplinkFrom: Device | undefined, uplinkTo: Device | undefined, encap: ReturnType<typeof encapsulationOf>): Hop {
  const src = packet.outer?.src ?? nodeAddress(from, packet.dst);
  const dst = packet.outer?.dst ?? nodeAddress(to, packet.dst);
  const fabric = ctx.cni.peerRouting === 'fabric';
  const label = fabric
    ? `node ${from.name} → node ${to.name}: the ${ctx.cni.name === 'azure-cni' ? 'VNet' : ctx.cni.name === 'aws-vpc-cni' ? 'VPC' : 'network'} delivers ${packet.dst} to the node that holds it`
    : `node ${from.name}${uplinkSuffix(ctx, from)} → node ${to.name}${uplinkSuffix(ctx, to)} over the node network, ${src} → ${dst}`;
  const evidence: Evidence[] = [{ text: uplinkFrom?.evidence ?? `node ${from.name}'s uplink`, object: uplinkFrom?.id ?? from.id }];
  if (encap) evidence.push({ text: `on node ${from.name}, the encapsulated packets leaving`, command: capture(encap, dst) });
  else evidence.push({ text: `on node ${from.name}`, command: capture(null, packet.dst) });
  return hop('uplink', label, packet, [uplinkFrom?.id, uplinkTo?.id, from.id, to.id], from.id, evidence, fabric ? 'inferred' : provenanceOf(deviceProvenance(uplinkFrom), deviceProvenance(uplinkTo)));
}

/**
 * On the pod's own node, from the IP stack (or, `isL2Local`, from another port of the same
 * bridge) to the host end of the pod's veth: the bridge, the pod's /32 route, or Cilium's
 * eBPF redirect.
 */
export function toPodOnNode(ctx: PathContext, host: Host, pod: PodRecord, packet: Packet, isL2Local = false): Hop[] {
  const veth = pod.veth ? ctx.topology.veths[pod.veth] : undefined;
  const hostEnd = hostEndName(ctx, pod);
  const bridge = deviceById(ctx, veth?.bridge ?? null);
  const check = { text: `on node ${host.name}`, command: sh`ip route get ${packet.dst}` };
  if (bridge) {
    const hops: Hop[] = [];
    if (!isL2Local) {
      const local = host.routes.find((r) => r.scope === 'local' && r.destination !== null && cidrContains(r.destination, packet.dst));
      hops.push(
        hop('route', `node ${host.name}: ${local ? routeText(local) : `${packet.dst} dev ${bridge.name ?? 'bridge'}`} (the node's own pods)`, packet, [host.id, bridge.id], host.id, [
          { text: local?.evidence ?? 'the node\'s own pod range is on its bridge', object: host.id, field: 'routes' },
          check,
        ], provenanceOf(local?.provenance, deviceProvenance(bridge))),
      );
    }
    hops.push(
      hop('bridge', `${bridge.name ?? 'bridge'} on node ${host.name}: ${isL2Local ? 'switches the frame' : 'forwards it'} to port ${hostEnd} (${pod.namespace}/${pod.name})`, packet, [bridge.id, pod.veth, host.id], host.id, [
        { text: bridge.evidence, object: bridge.id },
        { text: 'where the bridge learned the pod\'s MAC', command: sh`bridge fdb show br ${bridge.name ?? 'cni0'}` },
      ], provenanceOf(deviceProvenance(bridge), vethProvenance(ctx, pod))),
    );
    return hops;
  }
  if (ctx.cni.podAttachment === 'ebpf') {
    return [
      hop('route', `node ${host.name}: Cilium eBPF finds ${packet.dst} is a local endpoint and redirects it to ${hostEnd}`, packet, [host.id, pod.veth, deviceOf(ctx, host, 'gateway')?.id], host.id, [
        { text: 'Cilium delivers to local pods by eBPF redirect to their lxc device; the only kernel route is the node\'s pod range via cilium_host', object: host.id, field: 'routes' },
        { text: 'the endpoint and its interface', command: sh`kubectl -n kube-system exec ds/cilium -- cilium-dbg endpoint list | grep ${operands(packet.dst)}` },
      ]),
    ];
  }
  const podRoute = veth?.hostRoutes.find((r) => cidrContains(r, packet.dst)) ?? veth?.hostRoutes[0];
  if (podRoute) {
    return [
      hop('route', `node ${host.name}: ${podRoute} dev ${hostEnd} scope link`, packet, [host.id, pod.veth], host.id, [
        { text: `${ctx.cni.name} adds a host route per pod to the host end of its veth (host end ${veth?.hostEnd.provenance ?? 'unknown'})`, object: pod.veth ?? pod.id, field: 'hostRoutes' },
        check,
      ], provenanceOf(vethProvenance(ctx, pod), host.observed?.routes.some((r) => r.dst === podRoute && r.dev === veth?.hostEnd.name) ? 'observed' : null)),
    ];
  }
  return [
    hop('route', `node ${host.name}: to ${packet.dst} (how ${ctx.cni.name} attaches pods is not known)`, packet, [host.id, pod.veth], host.id, [
      { text: `the pod attachment of CNI "${ctx.cni.name}" is ${ctx.cni.podAttachment}: the hop from the node to the pod's veth is not derivable` },
      check,
    ]),
  ];
}

/** Traffic that arrives at one of a node's own addresses is delivered locally. */
export function localDeliveryHop(ctx: PathContext, host: Host, packet: Packet, what: string): Hop {
  const isRead = isObservedLocal(ctx, host, packet.dst);
  return hop('route', `node ${host.name}: ${packet.dst} is local (${what})`, packet, [host.id], host.id, [
    { text: `${packet.dst} is an address of node ${host.name}; the kernel delivers it to the root netns${isRead ? ` (observed: a device read off node ${host.name} holds it)` : ''}`, object: host.id, field: 'status.addresses' },
    { text: `on node ${host.name}`, command: sh`ip route get ${packet.dst}` },
  ], isRead ? 'observed' : 'inferred');
}

/**
 * The source address the kernel gives traffic a node sends toward `dst` on `towardHost` — and
 * so also what MASQUERADE rewrites to: the address of the device the route leaves by (cni0 for
 * the node's own pods, flannel.1 or tunl0 across the overlay, cilium_host for Cilium's routes),
 * else the node's own address.
 */
export function masqueradeAddress(ctx: PathContext, host: Host, towardHost: Host, dst: string): { address: string; device: string; readName: string | null } {
  let device: Device | undefined;
  if (towardHost.id === host.id) {
    device = deviceOf(ctx, host, 'bridge') ?? deviceOf(ctx, host, 'gateway');
  } else {
    device = deviceById(ctx, routeToward(ctx, host, towardHost, dst)?.deviceId ?? null);
  }
  const address = device?.addresses.find((a) => isV6(a) === isV6(dst));
  if (device && address && device.role !== 'uplink') return { address: bare(address), device: device.name ?? device.type, readName: readName(device) };
  const uplink = deviceOf(ctx, host, 'uplink');
  return { address: nodeAddress(host, dst), device: uplinkName(ctx, host), readName: readName(uplink) };
}
