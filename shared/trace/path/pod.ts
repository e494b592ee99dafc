/**
 * A pod's end of a path, as its CNI builds it: the container, lo, the pod's eth0, the veth to the
 * node's root netns and, for a bridge CNI, the bridge into the node's IP stack.
 */
import type { ContainerRecord, PodRecord } from '../../model/types.ts';
import type { Evidence, Hop, Packet } from '../types.ts';
import { sh } from '../../text/shell.ts';
import { kubectlExec } from '../commands.ts';
import { bare, deviceById, deviceProvenance, hop, hostOf, isV6, podAddress, provenanceOf, type PathContext } from './hop.ts';

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
    : { text: `the containers of a pod share its netns: ${podAddress(pod, packet.dst)} and one port space`, object: pod.id };
  return hop('container', label, packet, [container?.id, pod.id], pod.host, [evidence, shared]);
}

export function loHop(pod: PodRecord, packet: Packet): Hop {
  return hop('lo', `lo in ${pod.namespace}/${pod.name}: the pod's own address is local, so the kernel loops it back`, packet, [pod.id], pod.host, [
    { text: 'containers of one pod share a netns: traffic between them (to 127.0.0.1 or the pod IP) goes through lo and never leaves the pod', object: pod.id },
    { text: 'check: the local routing table', command: kubectlExec(pod, sh`ip route get ${packet.dst}`) },
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
          { text: 'check the route the pod takes', command: kubectlExec(pod, sh`ip route get ${packet.dst}`) },
        ]
      : [{ text: `${address} is the pod's address (status.podIPs)`, object: pod.id, field: 'status.podIPs' }];
  return hop('pod-eth0', label, packet, [pod.id, pod.veth], pod.host, evidence, vethProvenance(ctx, pod));
}

function vethEvidence(ctx: PathContext, pod: PodRecord): Evidence[] {
  const veth = pod.veth ? ctx.topology.veths[pod.veth] : undefined;
  const host = hostOf(ctx, pod);
  if (!veth) return [{ text: 'no veth in the model for this pod' }];
  const evidence: Evidence[] = [{ text: `host end ${veth.hostEnd.provenance}: ${veth.hostEnd.how}`, object: veth.id }];
  evidence.push(
    veth.hostEnd.name
      ? { text: `on node ${host?.name ?? '?'}`, command: sh`ip -d link show ${veth.hostEnd.name}` }
      : { text: `find the host end on node ${host?.name ?? '?'}: eth0's peer ifindex, then the link with that index`, command: `${kubectlExec(pod, 'cat /sys/class/net/eth0/iflink')}; ip -o link | grep "^<iflink>:"` },
  );
  if (ctx.cni.podAttachment === 'routed') evidence.push({ text: `the host end answers for the pod's gateway (proxy ARP), so the packet enters node ${host?.name ?? '?'}'s routing table` });
  if (ctx.cni.podAttachment === 'ebpf') evidence.push({ text: 'Cilium\'s eBPF program on the host end (from-container) handles the packet: policy, Service translation, forwarding', command: 'kubectl -n kube-system exec ds/cilium -- cilium-dbg endpoint list' });
  return evidence;
}


/** Observed when the probe found this pod's veth: its host end, and its pod end's eth0 read in the
 * pod's netns. */
export function vethProvenance(ctx: PathContext, pod: PodRecord) {
  const veth = pod.veth ? ctx.topology.veths[pod.veth] : undefined;
  return provenanceOf(veth?.hostEnd.provenance);
}

export function hostEndName(ctx: PathContext, pod: PodRecord): string {
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
  return hop('veth', label, packet, [pod.veth, host?.id], pod.host, vethEvidence(ctx, pod), vethProvenance(ctx, pod));
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
  const gateway = (pod.netns?.defaultRoutes.find((r) => isV6(r.via ?? '') === isV6(packet.dst)) ?? pod.netns?.defaultRoutes[0])?.via;
  const label =
    bridge.role === 'ovs-bridge'
      ? `${bridge.name ?? 'br-int'} (OVS): the pod's port; OVS flows take it ${ctx.cni.name === 'antrea' ? 'to antrea-gw0, into the node\'s IP stack' : 'into the node\'s IP stack'}`
      : `${bridge.name ?? 'bridge'}: to the pods' gateway ${gateway ?? bare(bridge.addresses.find((a) => isV6(a) === isV6(packet.dst)) ?? bridge.addresses[0] ?? '?')}, the bridge's own address, into node ${ctx.topology.hosts[bridge.host]?.name ?? '?'}'s IP stack`;
  return [
    hop('bridge', label, packet, [bridge.id, bridge.host], bridge.host, [
      { text: bridge.evidence, object: bridge.id },
      { text: 'the bridge\'s ports', command: sh`bridge link show master ${bridge.name ?? 'cni0'}` },
    ], provenanceOf(deviceProvenance(bridge))),
  ];
}
