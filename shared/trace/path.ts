/**
 * The datapath between two network stacks, hop by hop, as the cluster's CNI builds it (design
 * §1, problems 1, 2 and 4): out of a pod through its eth0 and veth; across a bridge or a /32
 * route on the same node; through the node's route for a peer's pod range, into a tunnel
 * device, over the node network and out of the peer's tunnel; into a pod; out to the internet
 * after masquerade. Everything reads the model (devices, routes, veths) that derive built, so a
 * hop is only as certain as the fact behind it, and its evidence says which fact that is.
 */
import type { CniInfo, ContainerRecord, Device, DeviceRole, Host, HostRoute, Id, PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import { internetId } from '../model/types.ts';
import { cidrContains } from '../net/ip.ts';
import { routeBetween } from '../topology/node-datapath.ts';
import type { Evidence, Hop, HopKind, Packet } from './types.ts';

export interface PathContext {
  topology: Topology;
  cni: CniInfo;
}

export function hop(kind: HopKind, label: string, packet: Packet, hopIds: (Id | null | undefined)[], node: Id | null, evidence: Evidence[]): Hop {
  const unique = [...new Set(hopIds.filter((id): id is Id => typeof id === 'string' && id !== ''))];
  return { kind, ids: unique, label, node, packet: { ...packet }, evidence };
}

export const bare = (address: string): string => address.split('/')[0] ?? address;
const isV6 = (address: string): boolean => address.includes(':');

export function hostOf(ctx: PathContext, pod: PodRecord): Host | null {
  return pod.host ? (ctx.topology.hosts[pod.host] ?? null) : null;
}

/** The address a pod uses toward `dst`: the one of the same family. */
export function podAddress(pod: PodRecord, dst?: string): string {
  const v6 = dst !== undefined && isV6(dst);
  return pod.ips.find((ip) => isV6(ip) === v6) ?? pod.ips[0] ?? '';
}

export function nodeAddress(host: Host, dst?: string): string {
  const v6 = dst !== undefined && isV6(dst);
  return host.internalIPs.find((ip) => isV6(ip) === v6) ?? host.internalIPs[0] ?? '';
}

function deviceOf(ctx: PathContext, host: Host, role: DeviceRole | 'uplink'): Device | undefined {
  return host.devices.map((id) => ctx.topology.devices[id]).find((d) => d !== undefined && (d.role ?? d.type) === role);
}

function deviceById(ctx: PathContext, id: Id | null): Device | undefined {
  return id ? ctx.topology.devices[id] : undefined;
}

function uplinkName(ctx: PathContext, host: Host): string {
  return deviceOf(ctx, host, 'uplink')?.name ?? '<uplink>';
}

/** ` (eth0)` where the uplink's name is known; nothing where only a node probe could tell. */
function uplinkSuffix(ctx: PathContext, host: Host): string {
  const name = deviceOf(ctx, host, 'uplink')?.name;
  return name ? ` (${name})` : '';
}

/** `ip route` as it prints a route. */
export function routeText(route: HostRoute): string {
  if (route.type === 'blackhole') return `blackhole ${route.destination ?? '?'}`;
  return [route.destination ?? '<pod range unknown>', route.via ? `via ${route.via}` : '', `dev ${route.device ?? '<uplink>'}`, route.isOnlink ? 'onlink' : '']
    .filter((s) => s !== '')
    .join(' ');
}

const kubectlExec = (pod: PodRecord, command: string): string => `kubectl exec -n ${pod.namespace} ${pod.name} -- ${command}`;

// ——— containers, lo, eth0, veth ———

/** The container a packet leaves from or arrives at: the one asked for, else the one declaring
 * the port, else the pod's only app container. */
export function containerFor(ctx: PathContext, pod: PodRecord, given: ContainerRecord | null, port: number | undefined, protocol: string): { container: ContainerRecord | null; evidence: Evidence } {
  const containers = pod.containers.map((id) => ctx.topology.containers[id]).filter((c): c is ContainerRecord => c !== undefined && c.role !== 'init');
  if (given) return { container: given, evidence: { text: `container ${given.name}, as asked`, object: given.id } };
  if (port !== undefined) {
    for (const container of containers) {
      const declared = container.ports.find((p) => p.port === port && p.protocol === protocol);
      if (declared) return { container, evidence: { text: `container ${container.name} declares containerPort ${port}/${protocol}${declared.name ? ` (${declared.name})` : ''}`, object: container.id, field: 'spec.containers[].ports' } };
    }
  }
  const apps = containers.filter((c) => c.role === 'app');
  if (apps.length === 1 && apps[0]) {
    const note = port === undefined ? 'the pod\'s only app container' : `no container declares port ${port}/${protocol} (containerPort is informational: a process may listen without it); the pod's only app container`;
    return { container: apps[0], evidence: { text: note, object: apps[0].id } };
  }
  return {
    container: null,
    evidence: { text: port === undefined ? 'the pod has several containers; they share its netns' : `no container declares port ${port}/${protocol}; the pod's containers share its netns, so any of them may listen on it` },
  };
}

export function containerHop(ctx: PathContext, pod: PodRecord, container: ContainerRecord | null, packet: Packet, evidence: Evidence, direction: 'out' | 'in'): Hop {
  const where = `${pod.namespace}/${pod.name}`;
  const label = container
    ? `${direction === 'out' ? 'from' : 'to'} container ${container.name} in ${where}${pod.isHostNetwork ? ' (hostNetwork: the node\'s netns)' : ''}`
    : `${direction === 'out' ? 'from' : 'to'} pod ${where}${pod.isHostNetwork ? ' (hostNetwork: the node\'s netns)' : ''}`;
  const shared = pod.isHostNetwork
    ? { text: `hostNetwork: true: the pod has no netns of its own; it uses node ${hostOf(ctx, pod)?.name ?? '?'}'s addresses and ports`, object: pod.id, field: 'spec.hostNetwork' }
    : { text: `the containers of a pod share its netns: ${podAddress(pod)} and one port space`, object: pod.id };
  return hop('container', label, packet, [container?.id, pod.id], pod.host, [evidence, shared]);
}

export function loHop(pod: PodRecord, packet: Packet): Hop {
  return hop('lo', `lo in ${pod.namespace}/${pod.name}: the pod's own address is local, so the kernel loops it back`, packet, [pod.id], pod.host, [
    { text: 'containers of one pod share a netns: traffic between them (to 127.0.0.1 or the pod IP) goes through lo and never leaves the pod', object: pod.id },
    { text: 'check: the local routing table', command: kubectlExec(pod, `ip route get ${packet.dst}`) },
  ]);
}

export function podEth0Hop(ctx: PathContext, pod: PodRecord, packet: Packet, direction: 'out' | 'in'): Hop {
  const route = pod.netns?.defaultRoutes.find((r) => isV6(r.via ?? '') === isV6(packet.dst)) ?? pod.netns?.defaultRoutes[0];
  const address = podAddress(pod, packet.dst);
  const label =
    direction === 'out'
      ? `eth0 ${address} of ${pod.namespace}/${pod.name}: default via ${route?.via ?? '<gateway unknown>'} dev eth0`
      : `eth0 ${address} of ${pod.namespace}/${pod.name}`;
  const evidence: Evidence[] =
    direction === 'out'
      ? [
          { text: route ? `default route ${route.provenance}: ${route.how}` : 'the pod\'s default route is not known', object: pod.id },
          { text: 'check the route the pod takes', command: kubectlExec(pod, `ip route get ${packet.dst}`) },
        ]
      : [{ text: `${address} is the pod's address (status.podIPs)`, object: pod.id, field: 'status.podIPs' }];
  return hop('pod-eth0', label, packet, [pod.id, pod.veth], pod.host, evidence);
}

function vethEvidence(ctx: PathContext, pod: PodRecord): Evidence[] {
  const veth = pod.veth ? ctx.topology.veths[pod.veth] : undefined;
  const host = hostOf(ctx, pod);
  if (!veth) return [{ text: 'no veth in the model for this pod' }];
  const evidence: Evidence[] = [{ text: `host end ${veth.hostEnd.provenance}: ${veth.hostEnd.how}`, object: veth.id }];
  evidence.push(
    veth.hostEnd.name
      ? { text: `on node ${host?.name ?? '?'}`, command: `ip -d link show ${veth.hostEnd.name}` }
      : { text: `find the host end on node ${host?.name ?? '?'}: eth0's peer ifindex, then the link with that index`, command: `${kubectlExec(pod, 'cat /sys/class/net/eth0/iflink')}; ip -o link | grep "^<iflink>:"` },
  );
  if (ctx.cni.podAttachment === 'routed') evidence.push({ text: `the host end answers for the pod's gateway (proxy ARP), so the packet enters node ${host?.name ?? '?'}'s routing table` });
  if (ctx.cni.podAttachment === 'ebpf') evidence.push({ text: 'Cilium\'s eBPF program on the host end (from-container) handles the packet: policy, Service translation, forwarding', command: 'kubectl -n kube-system exec ds/cilium -- cilium-dbg endpoint list' });
  return evidence;
}

function hostEndName(ctx: PathContext, pod: PodRecord): string {
  const veth = pod.veth ? ctx.topology.veths[pod.veth] : undefined;
  return veth?.hostEnd.name ?? (veth?.hostEnd.pattern ? `${veth.hostEnd.pattern.replace(/\[0-9a-f\]\{(\d+)\}/, '<$1 hex>')}` : '<host end>');
}

export function vethHop(ctx: PathContext, pod: PodRecord, packet: Packet, direction: 'out' | 'in'): Hop {
  const host = hostOf(ctx, pod);
  const name = hostEndName(ctx, pod);
  const label =
    direction === 'out'
      ? `veth: eth0 → ${name} in node ${host?.name ?? '?'}'s root netns`
      : `veth: ${name} → eth0 of ${pod.namespace}/${pod.name}`;
  return hop('veth', label, packet, [pod.veth, host?.id], pod.host, vethEvidence(ctx, pod));
}

/** Out of a pod: its container, eth0 and veth (a hostNetwork pod is already in the node's netns). */
export function leavePod(ctx: PathContext, pod: PodRecord, container: ContainerRecord | null, packet: Packet): Hop[] {
  const { container: from, evidence } = containerFor(ctx, pod, container, undefined, packet.protocol);
  const hops = [containerHop(ctx, pod, from, packet, evidence, 'out')];
  if (!pod.isHostNetwork) hops.push(podEth0Hop(ctx, pod, packet, 'out'), vethHop(ctx, pod, packet, 'out'));
  return hops;
}

/** Into a pod, from its veth's host end. */
export function enterPod(ctx: PathContext, pod: PodRecord, container: ContainerRecord | null, packet: Packet): Hop[] {
  const { container: to, evidence } = containerFor(ctx, pod, container, packet.dstPort, packet.protocol);
  if (pod.isHostNetwork) return [containerHop(ctx, pod, to, packet, evidence, 'in')];
  return [vethHop(ctx, pod, packet, 'in'), podEth0Hop(ctx, pod, packet, 'in'), containerHop(ctx, pod, to, packet, evidence, 'in')];
}

/** A bridge CNI's pod reaches anything off its bridge through the gateway, the bridge's own
 * address: that is where the packet enters the node's IP stack (and kube-proxy's rules). */
export function intoHostStack(ctx: PathContext, pod: PodRecord, packet: Packet): Hop[] {
  if (pod.isHostNetwork) return [];
  const veth = pod.veth ? ctx.topology.veths[pod.veth] : undefined;
  const bridge = deviceById(ctx, veth?.bridge ?? null);
  if (!bridge) return [];
  const gateway = pod.netns?.defaultRoutes[0]?.via;
  const label =
    bridge.role === 'ovs-bridge'
      ? `${bridge.name ?? 'br-int'} (OVS): the pod's port; OVS flows take it ${ctx.cni.name === 'antrea' ? 'to antrea-gw0, into the node\'s IP stack' : 'into the node\'s IP stack'}`
      : `${bridge.name ?? 'bridge'}: to the pods' gateway ${gateway ?? bare(bridge.addresses[0] ?? '?')}, the bridge's own address, into node ${ctx.topology.hosts[bridge.host]?.name ?? '?'}'s IP stack`;
  return [
    hop('bridge', label, packet, [bridge.id, bridge.host], bridge.host, [
      { text: bridge.evidence, object: bridge.id },
      { text: 'the bridge\'s ports', command: `bridge link show master ${bridge.name ?? 'cni0'}` },
    ]),
  ];
}

// ——— between nodes ———

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
      return `bridge fdb show dev ${name}; ip neigh show dev ${name}`;
    case 'wireguard':
      return `wg show ${name}`;
    case 'ipip':
      return `ip -d link show ${name}; ip route get ${peerIP}`;
    default:
      return `ip -d link show ${name}`;
  }
}

function capture(encap: ReturnType<typeof encapsulationOf>, peer: string): string {
  if (!encap) return `tcpdump -ni any host ${peer}`;
  if (encap.protocol === 'IPIP') return `tcpdump -ni any 'ip proto 4 and host ${peer}'`;
  if (encap.protocol === 'GRE') return `tcpdump -ni any 'ip proto 47 and host ${peer}'`;
  return `tcpdump -ni any 'udp port ${encap.port ?? 0} and host ${peer}'`;
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
  const routeCommand = { text: `on node ${from.name}`, command: `ip route get ${dst}` };

  if (destinationIsNode) {
    hops.push(
      hop('route', `node ${from.name}: ${dst} is on the node network, dev ${uplinkName(ctx, from)}`, packet, [from.id, uplinkFrom?.id], from.id, [
        { text: `${dst} is an address of node ${to.name} (status.addresses): reached over the nodes' own network, not the pod network`, object: to.id, field: 'status.addresses' },
        routeCommand,
      ]),
    );
    hops.push(wire(ctx, from, to, packet, uplinkFrom, uplinkTo, null));
    return hops;
  }

  const route = routeToward(ctx, from, to, dst);
  const routeDevice = deviceById(ctx, route?.deviceId ?? null);
  const routeEvidence: Evidence[] = route
    ? [{ text: `${route.provenance}: ${route.evidence}`, object: from.id, field: 'routes' }, routeCommand]
    : [{ text: `no route to node ${to.name}'s pods is known for CNI "${ctx.cni.name}"`, object: from.id, field: 'routes' }, routeCommand];
  hops.push(
    hop('route', route ? `node ${from.name}: ${routeText({ ...route, destination: route.destination ?? `${dst} (${to.name}'s pods)` })}` : `node ${from.name}: route to ${dst} unknown`, packet, [from.id, route?.deviceId], from.id, routeEvidence),
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
          { text: 'the flows', command: bridge.role === 'ovs-bridge' ? `ovs-ofctl dump-flows ${bridge.name ?? 'br-int'}` : `bridge fdb show br ${bridge.name ?? 'weave'}` },
        ]),
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
    evidence.push({ text: `the tunnel's peers on node ${from.name}`, command: tunnelCommand(ctx, tunnel, toUnder) });
    hops.push(
      hop('tunnel', `${tunnel.name ?? 'tunnel'} on node ${from.name}: ${what}, outer ${fromUnder} → ${toUnder}${encap.port ? ` ${encap.protocol} ${encap.port}` : ''}`, onWire, [tunnel.id, from.id], from.id, evidence),
    );
  }
  hops.push(wire(ctx, from, to, onWire, uplinkFrom, uplinkTo, encap));
  if (tunnel && encap) {
    const peerTunnel = to.devices.map((id) => ctx.topology.devices[id]).find((d) => d?.role === 'tunnel' && d.name === tunnel.name) ?? roleDevice(ctx, to, 'tunnel');
    hops.push(
      hop('decap', `${peerTunnel?.name ?? tunnel.name ?? 'tunnel'} on node ${to.name}: unwraps ${encap.name}, inner ${packet.src} → ${packet.dst}`, packet, [peerTunnel?.id, to.id], to.id, [
        { text: peerTunnel?.evidence ?? `node ${to.name} has the same tunnel device`, object: peerTunnel?.id ?? to.id },
        { text: `on node ${to.name}, see the encapsulated packets arrive`, command: capture(encap, fromUnder) },
      ]),
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
  else evidence.push({ text: `on node ${from.name}`, command: `tcpdump -ni any host ${packet.dst}` });
  return hop('uplink', label, packet, [uplinkFrom?.id, uplinkTo?.id, from.id, to.id], from.id, evidence);
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
  const check = { text: `on node ${host.name}`, command: `ip route get ${packet.dst}` };
  if (bridge) {
    const hops: Hop[] = [];
    if (!isL2Local) {
      const local = host.routes.find((r) => r.scope === 'local' && r.destination !== null && cidrContains(r.destination, packet.dst));
      hops.push(
        hop('route', `node ${host.name}: ${local ? routeText(local) : `${packet.dst} dev ${bridge.name ?? 'bridge'}`} (the node's own pods)`, packet, [host.id, bridge.id], host.id, [
          { text: local?.evidence ?? 'the node\'s own pod range is on its bridge', object: host.id, field: 'routes' },
          check,
        ]),
      );
    }
    hops.push(
      hop('bridge', `${bridge.name ?? 'bridge'} on node ${host.name}: ${isL2Local ? 'switches the frame' : 'forwards it'} to port ${hostEnd} (${pod.namespace}/${pod.name})`, packet, [bridge.id, pod.veth, host.id], host.id, [
        { text: bridge.evidence, object: bridge.id },
        { text: 'where the bridge learned the pod\'s MAC', command: `bridge fdb show br ${bridge.name ?? 'cni0'}` },
      ]),
    );
    return hops;
  }
  if (ctx.cni.podAttachment === 'ebpf') {
    return [
      hop('route', `node ${host.name}: Cilium eBPF finds ${packet.dst} is a local endpoint and redirects it to ${hostEnd}`, packet, [host.id, pod.veth, deviceOf(ctx, host, 'gateway')?.id], host.id, [
        { text: 'Cilium delivers to local pods by eBPF redirect to their lxc device; the only kernel route is the node\'s pod range via cilium_host', object: host.id, field: 'routes' },
        { text: 'the endpoint and its interface', command: `kubectl -n kube-system exec ds/cilium -- cilium-dbg endpoint list | grep ${packet.dst}` },
      ]),
    ];
  }
  const podRoute = veth?.hostRoutes.find((r) => cidrContains(r, packet.dst)) ?? veth?.hostRoutes[0];
  if (podRoute) {
    return [
      hop('route', `node ${host.name}: ${podRoute} dev ${hostEnd} scope link`, packet, [host.id, pod.veth], host.id, [
        { text: `${ctx.cni.name} adds a host route per pod to the host end of its veth (host end ${veth?.hostEnd.provenance ?? 'unknown'})`, object: pod.veth ?? pod.id, field: 'hostRoutes' },
        check,
      ]),
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
export function localDeliveryHop(host: Host, packet: Packet, what: string): Hop {
  return hop('route', `node ${host.name}: ${packet.dst} is local (${what})`, packet, [host.id], host.id, [
    { text: `${packet.dst} is an address of node ${host.name}; the kernel delivers it to the root netns`, object: host.id, field: 'status.addresses' },
    { text: `on node ${host.name}`, command: `ip route get ${packet.dst}` },
  ]);
}

// ——— the internet ———

/** Whether the CNI masquerades pod traffic to this kind of destination (Flannel --ip-masq,
 * Calico natOutgoing, Cilium's and the cloud CNIs' SNAT of traffic leaving the pod network). */
export function masqueradesTo(cni: CniInfo, destination: 'node' | 'external'): { isMasqueraded: boolean; why: string } {
  switch (cni.name) {
    case 'flannel':
    case 'canal':
      return { isMasqueraded: true, why: 'Flannel (--ip-masq, the manifest\'s default) masquerades pod traffic to anything outside the flannel Network' };
    case 'calico':
      return { isMasqueraded: true, why: 'Calico masquerades pod traffic to anything outside its IP pools (natOutgoing, on by default for the default pool)' };
    case 'cilium':
      return destination === 'external'
        ? { isMasqueraded: true, why: 'Cilium masquerades pod traffic leaving the cluster to the node\'s address (enable-ipv4-masquerade, on by default)' }
        : { isMasqueraded: false, why: 'Cilium does not masquerade pod traffic to other cluster nodes' };
    case 'aws-vpc-cni':
      return destination === 'external'
        ? { isMasqueraded: true, why: 'AWS VPC CNI SNATs pod traffic leaving the VPC to the node\'s primary ENI address (unless AWS_VPC_K8S_CNI_EXTERNALSNAT)' }
        : { isMasqueraded: false, why: 'AWS VPC CNI does not SNAT traffic that stays in the VPC' };
    case 'azure-cni':
      return destination === 'external'
        ? { isMasqueraded: true, why: 'azure-ip-masq-agent masquerades pod traffic leaving the VNet' }
        : { isMasqueraded: false, why: 'azure-ip-masq-agent does not masquerade traffic within the VNet' };
    default:
      return { isMasqueraded: true, why: `${cni.name === 'unknown' ? 'the CNI is unknown; most CNIs' : `${cni.name}`} masquerade${cni.name === 'unknown' ? '' : 's'} pod traffic leaving the pod network to the node's address` };
  }
}

export const internetClient = '198.51.100.1';

export function internetHop(packet: Packet, direction: 'in' | 'out', what?: string): Hop {
  const label = direction === 'in' ? `client ${packet.src} on the internet${what ? ` → ${what}` : ''}` : `out to ${packet.dst}${what ? ` (${what})` : ''} on the internet`;
  const evidence: Evidence[] = [];
  if (packet.src === internetClient || packet.dst === internetClient) evidence.push({ text: `${internetClient} (TEST-NET-2) stands for any address on the internet` });
  return hop('internet', label, packet, [internetId], null, evidence);
}

/** From a node's IP stack out of its uplink: masquerade (when the sender is a pod), the
 * default route, the uplink, the internet. */
export function toInternet(ctx: PathContext, host: Host, packet: Packet, isFromPod: boolean, what?: string): Hop[] {
  const hops: Hop[] = [];
  let current = packet;
  if (isFromPod) {
    const masq = masqueradesTo(ctx.cni, 'external');
    if (masq.isMasqueraded) {
      current = { ...packet, src: nodeAddress(host, packet.dst) };
      hops.push(
        hop('snat', `node ${host.name}: masquerade ${packet.src} → ${current.src} (the node's address)`, current, [host.id, deviceOf(ctx, host, 'uplink')?.id], host.id, [
          { text: masq.why, object: host.id },
          { text: `on node ${host.name}`, command: ctx.cni.name === 'cilium' ? 'kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf nat list' : 'iptables-save -t nat | grep -i masq' },
        ]),
      );
    }
  }
  const uplink = deviceOf(ctx, host, 'uplink');
  hops.push(
    hop('route', `node ${host.name}: default route, dev ${uplinkName(ctx, host)}`, current, [host.id, uplink?.id], host.id, [
      { text: 'no route of the pod network or the node network covers it: the default route (its gateway is not in the Kubernetes API)' },
      { text: `on node ${host.name}`, command: `ip route get ${packet.dst}` },
    ]),
    hop('uplink', `node ${host.name}${uplinkSuffix(ctx, host)} → out of the cluster, ${current.src} → ${current.dst}`, current, [uplink?.id, host.id], host.id, [{ text: uplink?.evidence ?? 'the node\'s uplink', object: uplink?.id ?? host.id }]),
    internetHop(current, 'out', what),
  );
  return hops;
}

/**
 * The source address the kernel gives traffic a node sends toward `dst` on `towardHost` — and
 * so also what MASQUERADE rewrites to: the address of the device the route leaves by (cni0 for
 * the node's own pods, flannel.1 or tunl0 across the overlay, cilium_host for Cilium's routes),
 * else the node's own address.
 */
export function masqueradeAddress(ctx: PathContext, host: Host, towardHost: Host, dst: string): { address: string; device: string } {
  let device: Device | undefined;
  if (towardHost.id === host.id) {
    device = deviceOf(ctx, host, 'bridge') ?? deviceOf(ctx, host, 'gateway');
  } else {
    device = deviceById(ctx, routeToward(ctx, host, towardHost, dst)?.deviceId ?? null);
  }
  const address = device?.addresses.find((a) => isV6(a) === isV6(dst));
  if (device && address && device.role !== 'uplink') return { address: bare(address), device: device.name ?? device.type };
  return { address: nodeAddress(host, dst), device: uplinkName(ctx, host) };
}

export function serviceLabel(service: ServiceRecord): string {
  return `svc ${service.namespace}/${service.name}`;
}
