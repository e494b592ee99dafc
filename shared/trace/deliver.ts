/**
 * An addressed packet on its way from the sender to the target: out of the sender, the sender's
 * egress policy, across the node network, the receiver's ingress policy, into the target.
 */
import type { Host, Id, PodRecord } from '../model/types.ts';
import type { DirectionVerdict, Flow, PolicyVerdict } from '../policy/types.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { adminPolicyCommand, policyCommand } from './commands.ts';
import { cniHopEvidence, cniHopLabel, isCniDecided } from './cni-policy-hop.ts';
import { block, deniedBefore, denialSummary, end, noPolicy, podLabel, type Ctx, type OnArrive, type Outcome, type Sender, type Target } from './outcome.ts';
import { observeSnat } from './observed-snat.ts';
import { deviceOf, hop, hostOf, nodeAddress, podAddress, readName } from './path/hop.ts';
import { internetHop, masqueradesTo, toInternet } from './path/internet.ts';
import { crossNodes, localDeliveryHop, toPodOnNode } from './path/nodes.ts';
import { enterPod, intoHostStack, leavePod } from './path/pod.ts';
import type { Evidence, Hop, Packet, PolicySummary } from './types.ts';

/** A direction that a layer decided (or left unknown) gets a hop; one nothing decided does not. */
function isDeciding(verdict: DirectionVerdict | null): verdict is DirectionVerdict {
  return verdict !== null && (verdict.verdict === 'allowed' || verdict.verdict === 'denied' || verdict.verdict === 'unknown');
}


function policyHop(ctx: Ctx, verdict: DirectionVerdict, packet: Packet, node: Id | null, pod: PodRecord | null): Hop {
  const of = `${verdict.direction} of ${pod ? podLabel(pod) : '?'}`;
  const admin = [verdict.decidedBy, verdict.passedBy].filter((r) => r !== undefined);
  if (isCniDecided(verdict)) {
    const { ids, evidence } = cniHopEvidence(ctx.topology, verdict);
    return hop('policy', cniHopLabel(verdict, of), packet, [pod?.id, ...ids], node, evidence);
  }
  if (verdict.verdict === 'unknown' || verdict.decidedBy) {
    // An admin or baseline rule decided (or the admin policies leave it open): the hop names them.
    const rule = verdict.decidedBy;
    const label = rule && verdict.verdict !== 'unknown' ? `${rule.apiKind} ${of}: ${verdict.verdict} by ${rule.name} ${rule.direction}[${rule.rule}] (${rule.action}, ${verdict.layer} tier)` : `Admin policies ${of}: unknown`;
    const ids = admin.length > 0 ? admin.map((r) => r.policy) : (verdict.adminPolicies ?? []);
    const evidence: Evidence[] = [...new Set(ids)].map((id) => {
      const policy = ctx.topology.adminPolicies[id];
      return { text: `${policy?.apiKind ?? 'admin policy'} ${id.slice(id.indexOf(':') + 1)}`, object: id, field: `spec.${verdict.direction}`, ...(policy ? { command: adminPolicyCommand(policy) } : {}) };
    });
    return hop('policy', label, packet, [pod?.id, ...ids], node, evidence);
  }
  const rules = verdict.allowedBy.map((r) => `${r.name} ${r.direction}[${r.rule}]`);
  const passed = verdict.passedBy ? ` after ${verdict.passedBy.apiKind} ${verdict.passedBy.name} passed it on` : '';
  const label =
    verdict.verdict === 'allowed'
      ? `NetworkPolicy ${of}: allowed${rules.length > 0 ? ` by ${rules.join(', ')}` : verdict.exemption ? ` (${verdict.exemption === 'self' ? 'a pod\'s traffic to itself' : 'its own node'})` : ''}${passed}`
      : `NetworkPolicy ${of}: denied (isolated by ${verdict.isolatedBy.map((id) => id.slice('netpol:'.length)).join(', ')})${passed}`;
  // The verdict is said once, by the trace's policy section (its line, a denial's closest misses):
  // the hop names the policies, each with the command that shows it.
  const evidence: Evidence[] = [];
  for (const id of verdict.allowedBy.length > 0 ? [...new Set(verdict.allowedBy.map((r) => r.policy))] : verdict.isolatedBy) evidence.push({ text: `policy ${id.slice('netpol:'.length)}`, object: id, field: `spec.${verdict.direction}`, command: policyCommand(ctx.topology, id) });
  if (verdict.passedBy) evidence.push({ text: `${verdict.passedBy.apiKind} ${verdict.passedBy.name}: Pass`, object: verdict.passedBy.policy, field: `spec.${verdict.direction}`, command: adminPolicyCommand(verdict.passedBy) });
  return hop('policy', label, packet, [pod?.id, ...verdict.isolatedBy, ...verdict.allowedBy.map((r) => r.policy), ...(verdict.passedBy ? [verdict.passedBy.policy] : [])], node, evidence);
}

export interface At {
  host: Host;
  packet: Packet;
  /** The pod the packet just left, while it is still on that pod's bridge (not yet routed). */
  bridgedFrom: PodRecord | null;
  /** A Service's proxy DNATed the packet on its way here. The admin policies need it only for a
   * pod reaching itself: through its Service they apply, to its own pod IP they do not. */
  isViaService?: boolean;
}

function sameBridge(ctx: Ctx, a: PodRecord, b: PodRecord): boolean {
  const va = a.veth ? ctx.topology.veths[a.veth] : undefined;
  const vb = b.veth ? ctx.topology.veths[b.veth] : undefined;
  return va?.bridge !== null && va?.bridge !== undefined && va.bridge === vb?.bridge;
}

/**
 * From `at` to the target, with the sender's egress policy before the packet goes anywhere and
 * the receiver's ingress policy before it enters the pod. `senderPod` is the pod the policy
 * sees as the source (null once SNAT has hidden it, or when the sender is not a pod).
 */
export function deliver(ctx: Ctx, at: At, senderPod: PodRecord | null, target: Target, onArrive?: OnArrive): Outcome {
  const hops: Hop[] = [];
  let packet = at.packet;
  const targetPod = target.kind === 'pod' ? target.pod : null;
  let policy: PolicySummary = noPolicy;
  let verdict: PolicyVerdict | null = null;
  if (senderPod !== null || targetPod !== null) {
    const flow: Flow = { from: { pod: senderPod, ip: packet.src }, to: { pod: targetPod, ip: packet.dst }, port: packet.dstPort ?? 0, protocol: packet.protocol, isViaService: at.isViaService === true };
    verdict = ctx.evaluate(flow);
    policy = { egress: senderPod ? verdict.egress : null, ingress: targetPod ? verdict.ingress : null };
  }
  // A denied egress is noted and the path goes on to the receiver's ingress check, so a trace names
  // both denials at once; it ends there, unless the receiver sends it on (an Ingress controller, a
  // node's NodePort).
  let isEgressDenied = false;
  if (verdict && senderPod && isDeciding(verdict.egress)) {
    const check = policyHop(ctx, verdict.egress, packet, at.host.id, senderPod);
    hops.push(check);
    if (verdict.egress.verdict === 'denied') {
      block(ctx, check, { kind: 'egress', line: verdict.egress.line, fix: null, subject: senderPod.id, denial: verdict.egress });
      if (target.kind === 'external') return end(hops, 'policy-denied', denialSummary(policy), policy);
      isEgressDenied = true;
    }
  }

  const leaveBridge = () => (at.bridgedFrom ? intoHostStack(ctx, at.bridgedFrom, packet) : []);
  switch (target.kind) {
    case 'pod': {
      const { pod, host } = target;
      if (pod.isHostNetwork) {
        if (host.id !== at.host.id) packet = toOtherNode(ctx, at, senderPod, host, hops);
        hops.push(localDeliveryHop(ctx, host, packet, `hostNetwork pod ${podLabel(pod)} listens in the node's netns`));
      } else if (host.id === at.host.id && at.bridgedFrom && sameBridge(ctx, at.bridgedFrom, pod)) {
        hops.push(...toPodOnNode(ctx, host, pod, packet, true));
      } else {
        hops.push(...leaveBridge(), ...crossNodes(ctx, at.host, host, packet), ...toPodOnNode(ctx, host, pod, packet));
      }
      if (verdict && isDeciding(verdict.ingress)) {
        const check = policyHop(ctx, verdict.ingress, packet, host.id, pod);
        hops.push(check);
        if (verdict.ingress.verdict === 'denied') {
          block(ctx, check, { kind: 'ingress', line: verdict.ingress.line, fix: null, subject: pod.id, denial: verdict.ingress });
          return end(hops, 'policy-denied', denialSummary(policy), policy);
        }
      }
      if (onArrive) {
        // A proxy (an Ingress controller) goes on from here: its own legs may be blocked too.
        const then = onArrive(pod, host, packet);
        const onward = { ...then, hops: [...hops, ...enterPod(ctx, pod, target.container, packet), ...then.hops] };
        return isEgressDenied && verdict ? deniedBefore(onward, verdict.egress) : onward;
      }
      if (isEgressDenied) return end(hops, 'policy-denied', denialSummary(policy), policy);
      hops.push(...enterPod(ctx, pod, target.container, packet));
      return end(hops, 'delivered', `Delivered to ${podLabel(pod)} at ${joinHostPort(packet.dst, packet.dstPort ?? 0).replace(/:0$/, '')}${packet.src !== at.packet.src ? `, from ${packet.src}` : ''}.`, policy);
    }
    case 'node': {
      const { host } = target;
      if (host.id !== at.host.id) packet = toOtherNode(ctx, at, senderPod, host, hops);
      hops.push(localDeliveryHop(ctx, host, packet, target.what));
      // Traced to the node though denied: a NodePort goes on from there (route.ts).
      if (isEgressDenied) return end(hops, 'policy-denied', denialSummary(policy), policy);
      return end(hops, 'delivered', `Delivered to node ${host.name}'s root netns (${target.what}).`, policy);
    }
    case 'external': {
      hops.push(...leaveBridge(), ...toInternet(ctx, at.host, packet, senderPod !== null && !senderPod.isHostNetwork, target.what));
      const last = hops.at(-1)?.packet ?? packet;
      return end(hops, 'delivered', `Leaves the cluster from node ${at.host.name} as ${last.src} → ${last.dst}${last.dstPort ? `:${last.dstPort}` : ''}; what happens beyond the node's uplink is outside the model.`, policy);
    }
  }
}

/**
 * To another node's own address: off the bridge, masqueraded where the CNI masquerades pod
 * traffic to nodes, across the node network. Appends the hops; returns the packet as it arrives.
 */
function toOtherNode(ctx: Ctx, at: At, senderPod: PodRecord | null, to: Host, hops: Hop[]): Packet {
  let packet = at.packet;
  if (at.bridgedFrom) hops.push(...intoHostStack(ctx, at.bridgedFrom, packet));
  const isFromPodAddress = senderPod !== null && !senderPod.isHostNetwork && packet.src === podAddress(senderPod, packet.dst);
  const masq = masqueradesTo(ctx.cni, 'node');
  if (isFromPodAddress && masq.isMasqueraded) {
    const before = packet;
    packet = { ...packet, src: nodeAddress(at.host, packet.dst) };
    const snat = hop('snat', `node ${at.host.name}: masquerade ${before.src} → ${packet.src} (to node ${to.name}, outside the pod network)`, packet, [at.host.id], at.host.id, [
      { text: masq.why, object: at.host.id },
      { text: `on node ${at.host.name}`, command: 'iptables-save -t nat | grep -i masq' },
    ]);
    hops.push(observeSnat(snat, at.host, before, 'cni', readName(deviceOf(ctx, at.host, 'uplink'))));
  }
  hops.push(...crossNodes(ctx, at.host, to, packet, true));
  return packet;
}

export function depart(ctx: Ctx, sender: Sender, packet: Packet): { hops: Hop[]; at: At | null } {
  switch (sender.kind) {
    case 'pod': {
      const hops = leavePod(ctx, sender.pod, sender.container, packet);
      const bridged = !sender.pod.isHostNetwork && (ctx.cni.podAttachment === 'bridge' || ctx.cni.podAttachment === 'ovs') ? sender.pod : null;
      return { hops, at: { host: sender.host, packet, bridgedFrom: bridged } };
    }
    case 'node':
      return { hops: [], at: { host: sender.host, packet, bridgedFrom: null } };
    case 'external':
      return { hops: [internetHop(packet, 'in')], at: null };
  }
}

export function senderIP(sender: Sender, dst?: string): string {
  switch (sender.kind) {
    case 'pod':
      return podAddress(sender.pod, dst);
    case 'node':
      return nodeAddress(sender.host, dst);
    case 'external':
      return sender.ip;
  }
}

export function senderPodOf(sender: Sender): PodRecord | null {
  return sender.kind === 'pod' ? sender.pod : null;
}

/** Where the endpoint of a Service is, as a delivery target. */
export function targetForAddress(ctx: Ctx, address: string, pod: PodRecord | null): Target {
  const host = pod ? hostOf(ctx, pod) : null;
  if (pod && host) return { kind: 'pod', pod, container: null, host };
  const node = Object.values(ctx.topology.hosts).find((h) => h.internalIPs.includes(address) || h.externalIPs.includes(address));
  if (node) return { kind: 'node', host: node, what: `${address} is the node's own address` };
  return { kind: 'external', what: `endpoint ${address}, outside the pod network` };
}
