/**
 * A container's hostPort as a path (issue 15, Paths): traffic to one of a node's addresses on a
 * port a pod there publishes is DNATed to the pod by the CNI portmap plugin
 * (containernetworking/plugins, plugins/meta/portmap/portmap_iptables.go):
 *
 *   nat PREROUTING, OUTPUT   -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
 *   CNI-HOSTPORT-DNAT        -m comment --comment 'dnat name: "<network>" id: "<sandbox>"'
 *                            -m multiport -p tcp --destination-ports 8080 -j CNI-DN-<hash>
 *   CNI-DN-<hash>            -p tcp --dport 8080 [-d <hostIP>] -s <pod's subnet> -j CNI-HOSTPORT-SETMARK
 *                            -p tcp --dport 8080 [-d <hostIP>] -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK   (IPv4)
 *                            -p tcp --dport 8080 [-d <hostIP>] -j DNAT --to-destination <pod IP>:<containerPort>
 *   POSTROUTING              CNI-HOSTPORT-MASQ: -m mark --mark 0x2000/0x2000 -j MASQUERADE
 *
 * `<hash>` is sha512 of the network name and the sandbox's container id, neither of which the
 * API shows, so commands grep by port. The rules are per family (iptables for the pod's IPv4
 * address, ip6tables for its IPv6 one); a hostIP only maps in its own family, and `-d` restricts
 * the address unless it is unspecified. Only the pod's own node has the rules: the same port on
 * another node is nothing. hostNetwork pods get no rules (no CNI call): they listen on the port
 * themselves, which route.ts already traces. kube-proxy's KUBE-SERVICES is inserted first in
 * PREROUTING, so a NodePort on the same port wins (a clash doctor reports).
 */
import type { ContainerRecord, Host, PodRecord, PortRecord } from '../model/types.ts';
import type { DirectionVerdict } from '../policy/types.ts';
import { sh } from '../text/shell.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { deliver, depart, senderIP, senderPodOf } from './deliver.ts';
import { deniedBefore, end, podLabel, withEgress, type Ctx, type Outcome, type Sender } from './outcome.ts';
import { hop, isV6, podAddress } from './path/hop.ts';
import { internetHop } from './path/internet.ts';
import { masqueradeAddress } from './path/nodes.ts';
import { observeSnat } from './observed-snat.ts';
import { intoHostStack } from './path/pod.ts';
import type { Evidence, Hop, Packet } from './types.ts';

/** A container port published on a node: the pod, its container and the port record. */
export interface Published {
  pod: PodRecord;
  container: ContainerRecord;
  port: PortRecord & { hostPort: number };
}

const isUnspecified = (ip: string): boolean => ip === '0.0.0.0' || ip === '::';

/** Every hostPort `port` of a pod that has a netns and an address (the CNI ran for it). */
function publishing(ctx: Ctx, port: number): Published[] {
  const found: Published[] = [];
  for (const pod of Object.values(ctx.topology.pods)) {
    if (pod.isHostNetwork || pod.ips.length === 0 || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    for (const id of pod.containers) {
      const container = ctx.topology.containers[id];
      if (!container || container.role === 'init') continue;
      for (const p of container.ports) if (p.hostPort === port) found.push({ pod, container, port: { ...p, hostPort: port } });
    }
  }
  return found;
}

/** Why `published` is not DNATed for a packet to `address` on `host`, or null when it is. */
function whyNot(ctx: Ctx, published: Published, host: Host, address: string): string | null {
  const { pod, port } = published;
  const what = `hostPort ${port.hostPort}/${port.protocol} of ${podLabel(pod)}`;
  if (pod.host !== host.id) return `${what} is published on node ${ctx.topology.hosts[pod.host ?? '']?.name ?? '?'}, not on ${host.name}: portmap writes its rules only on the pod's own node`;
  if (port.protocol !== ctx.protocol) return `${what} is published for ${port.protocol} only, and the packet is ${ctx.protocol}`;
  const v6 = isV6(address);
  if (port.hostIP && isV6(port.hostIP) !== v6) return `${what} has hostIP ${port.hostIP}, an IPv${v6 ? 4 : 6} address: portmap maps it only in that family, and ${address} is IPv${v6 ? 6 : 4}`;
  if (port.hostIP && !isUnspecified(port.hostIP) && port.hostIP !== address) return `${what} is published on hostIP ${port.hostIP} only (-d ${port.hostIP}), not on ${address}`;
  if (!pod.ips.some((ip) => isV6(ip) === v6)) return `${what}: the pod has no IPv${v6 ? 6 : 4} address, so portmap made no ${v6 ? 'ip6tables' : 'iptables'} rule for it`;
  return null;
}

/** The container port a packet to `address:port` on `host` is DNATed to, if any pod publishes it there. */
export function publishedOn(ctx: Ctx, host: Host, address: string, port: number): Published | null {
  return publishing(ctx, port).find((p) => whyNot(ctx, p, host, address) === null) ?? null;
}

/** For a packet to a node's port that no pod there publishes: the pods that publish that port
 * elsewhere (another node, address, protocol or family), in words; '' when none does. */
export function unpublishedNote(ctx: Ctx, host: Host, address: string, port: number): string {
  const reasons = publishing(ctx, port).map((p) => whyNot(ctx, p, host, address)).filter((r): r is string => r !== null);
  return reasons.length === 0 ? '' : ` Nothing DNATs it: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` (and ${reasons.length - 3} more)` : ''}.`;
}

function dnatEvidence(ctx: Ctx, published: Published, host: Host, after: Packet): Evidence[] {
  const { pod, port } = published;
  const field = { object: published.container.id, field: 'spec.containers[].ports[].hostPort' };
  const restricted = port.hostIP && !isUnspecified(port.hostIP) ? ` -d ${port.hostIP}` : '';
  if (ctx.cni.name === 'cilium') {
    return [
      { text: `container ${published.container.name} of ${podLabel(pod)} publishes containerPort ${port.port}/${port.protocol} as hostPort ${port.hostPort}${port.hostIP ? ` on ${port.hostIP}` : ''}`, ...field },
      { text: `Cilium maps hostPorts in BPF (kube-proxy replacement, hostPort support): a HostPort service for ${joinHostPort(after.dst, after.dstPort ?? 0)} on node ${host.name}`, command: 'kubectl -n kube-system exec ds/cilium -- cilium-dbg service list' },
    ];
  }
  const save = isV6(after.dst) ? 'ip6tables-save' : 'iptables-save';
  return [
    { text: `container ${published.container.name} of ${podLabel(pod)} publishes containerPort ${port.port}/${port.protocol} as hostPort ${port.hostPort}${port.hostIP ? ` on ${port.hostIP}` : ''}`, ...field },
    {
      text: `CNI portmap plugin (chained in the CNI's conflist, as Flannel's and Calico's manifests do; assumed, not read): PREROUTING/OUTPUT --dst-type LOCAL → CNI-HOSTPORT-DNAT → CNI-DN-<hash> -p ${port.protocol.toLowerCase()} --dport ${port.hostPort}${restricted} -j DNAT --to-destination ${joinHostPort(after.dst, after.dstPort ?? 0)}`,
      command: sh`${save} -t nat | grep -e CNI-HOSTPORT-DNAT -e ${`--dport ${port.hostPort}`}`,
    },
  ];
}

/**
 * Whether portmap marks the packet for masquerade: a pod reaching a hostPort on its own node
 * (hairpin: `-s` is the pod's address with its prefix — the bridge's subnet for the bridge plugin,
 * so every pod on that bridge; the pod alone for a /32 CNI such as Calico's), or 127.0.0.1 (IPv4).
 */
function isHairpin(ctx: Ctx, sender: Sender, published: Published, src: string): boolean {
  if (ctx.cni.name === 'cilium') return false;
  if (src === '127.0.0.1') return true;
  if (sender.kind !== 'pod' || sender.pod.isHostNetwork || sender.host.id !== published.pod.host) return false;
  return sender.pod.id === published.pod.id || ctx.cni.podAttachment === 'bridge';
}

/**
 * The path to a hostPort `published` on `host` at `address`: to the node (from outside, from
 * another node with the sender's egress policy checked against the node's address, or from a pod
 * on the node, whose packet meets the nat rules as it enters the node's stack), the portmap DNAT,
 * the hairpin masquerade where portmap marks it, then delivery to the pod with its ingress policy.
 */
export function hostPortPath(ctx: Ctx, sender: Sender, host: Host, address: string, published: Published): Outcome {
  const { pod, port } = published;
  // A node sending to its own address sends from that address.
  const src = sender.kind === 'node' && sender.host.id === host.id ? address : senderIP(sender, address);
  const packet: Packet = { src, dst: address, dstPort: port.hostPort, protocol: port.protocol };
  const hops: Hop[] = [];
  let arrived = packet;
  let policySender: PodRecord | null = null;
  let egress: DirectionVerdict | null = null;
  if (sender.kind === 'external') {
    const uplink = host.devices.find((id) => ctx.topology.devices[id]?.role === 'uplink');
    hops.push(internetHop(packet, 'in'), hop('uplink', `into node ${host.name} at ${joinHostPort(address, port.hostPort)}`, packet, [uplink, host.id], host.id, [{ text: `${address} is an address of node ${host.name}`, object: host.id, field: 'status.addresses' }]));
  } else if (sender.host.id === host.id) {
    // On the pod's own node the packet meets PREROUTING (from a pod) or OUTPUT (from the node)
    // before any routing: the filter rules that enforce NetworkPolicy see it after the DNAT.
    const left = depart(ctx, sender, packet);
    hops.push(...left.hops, ...(left.at?.bridgedFrom ? intoHostStack(ctx, left.at.bridgedFrom, packet) : []));
    policySender = senderPodOf(sender);
  } else {
    // From another node: that node has no rule for it; the sender's egress sees the node's address.
    const left = depart(ctx, sender, packet);
    if (!left.at) return end(left.hops, 'no-route', 'no source');
    const toNode = deliver(ctx, left.at, senderPodOf(sender), { kind: 'node', host, what: `hostPort ${port.hostPort} of ${podLabel(pod)}` });
    egress = toNode.end?.policy.egress ?? null;
    const isEgressDenied = toNode.end?.verdict === 'policy-denied' && egress?.verdict === 'denied';
    if (toNode.end?.verdict !== 'delivered' && !isEgressDenied) return { ...toNode, hops: [...left.hops, ...toNode.hops] };
    hops.push(...left.hops, ...toNode.hops.slice(0, -1));
    arrived = toNode.hops.at(-1)?.packet ?? packet;
  }
  let after: Packet = { ...arrived, dst: podAddress(pod, address), dstPort: port.port };
  hops.push(hop('host-port', `node ${host.name}: hostPort ${joinHostPort(address, port.hostPort)}/${port.protocol} → DNAT to ${podLabel(pod)} ${joinHostPort(after.dst, port.port)}`, after, [host.id, pod.id, published.container.id], host.id, dnatEvidence(ctx, published, host, after)));
  if (isHairpin(ctx, sender, published, arrived.src)) {
    const masq = masqueradeAddress(ctx, host, host, after.dst);
    const before = after;
    after = { ...after, src: masq.address };
    const snat = hop('snat', `node ${host.name}: portmap masquerades ${before.src} → ${masq.address} (${masq.device}): a hairpin to a hostPort on the sender's own node`, after, [host.id], host.id, [
      { text: 'portmap (snat, on by default) marks hostPort traffic from the pod\'s own subnet or 127.0.0.1 for masquerade (CNI-DN-<hash> -s … -j CNI-HOSTPORT-SETMARK; CNI-HOSTPORT-MASQ), so the reply comes back through the node', command: `${isV6(after.dst) ? 'ip6tables-save' : 'iptables-save'} -t nat | grep -e CNI-HOSTPORT-SETMARK -e CNI-HOSTPORT-MASQ` },
    ]);
    hops.push(observeSnat(snat, host, before, 'cni', masq.readName));
  }
  const delivered = deliver(ctx, { host, packet: after, bridgedFrom: null }, policySender, { kind: 'pod', pod, container: null, host });
  const via = `Through hostPort ${joinHostPort(address, port.hostPort)}/${port.protocol} of node ${host.name} (portmap DNAT): `;
  const outcome: Outcome = { ...delivered, hops: [...hops, ...delivered.hops], ...(delivered.end ? { end: { ...delivered.end, summary: via + delivered.end.summary } } : {}) };
  if (egress?.verdict === 'denied') return deniedBefore(outcome, egress);
  return withEgress(outcome, egress);
}

