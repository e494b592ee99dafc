/**
 * One policy's rules against one side of a flow: whether a rule's peers and ports match the far
 * end, and, when none does, which rule came closest and what it lacks.
 */
import type { NetworkPolicyPeer, NetworkPolicyPort } from '../kube/objects.ts';
import { matchesSelector } from '../kube/selector.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { cidrContains } from '../net/ip.ts';
import { ids } from '../topology/ids.ts';
import type { Flow, PolicyEndpoint } from './types.ts';
import { describePeer, describePort, labelMismatch, podName } from './words.ts';

export type Direction = 'ingress' | 'egress';

/** One direction of a flow, as the policies of the pod at its near end see it. */
export interface Side {
  topology: Topology;
  flow: Flow;
  direction: Direction;
  /** The pod the policies are about: the sender for egress, the receiver for ingress. */
  pod: PodRecord;
  /** The far end: the destination for egress, the source for ingress. */
  peer: PolicyEndpoint;
}

type Rule = { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] };

interface PartResult {
  ok: boolean;
  /** The first peer or port that matched; absent when the rule has none (matches all). */
  index?: number;
  /** What matched, for the reason of an allowed flow. */
  text: string;
  /** Why each peer or port did not match. */
  misses: string[];
}

export interface RuleResult {
  index: number;
  peer: PartResult;
  port: PartResult;
}

export function rulesOf(policy: PolicyRecord, direction: Direction): Rule[] {
  return (direction === 'egress' ? policy.spec.egress : policy.spec.ingress) ?? [];
}

export function evaluateRule(side: Side, policy: PolicyRecord, rule: Rule, index: number): RuleResult {
  const peers = (side.direction === 'egress' ? rule.to : rule.from) ?? [];
  return { index, peer: evaluatePeers(side, policy, peers), port: evaluatePorts(side, rule.ports ?? []) };
}

function evaluatePeers(side: Side, policy: PolicyRecord, peers: NetworkPolicyPeer[]): PartResult {
  if (peers.length === 0) return { ok: true, text: side.direction === 'egress' ? 'any destination' : 'any source', misses: [] };
  const misses: string[] = [];
  for (const [index, peer] of peers.entries()) {
    const miss = peerMiss(side, policy, peer);
    if (miss === null) return { ok: true, index, text: describePeer(peer, policy), misses: [] };
    misses.push(miss);
  }
  return { ok: false, text: '', misses };
}

/** Why `peer` does not match the far end of the flow, or null when it does. */
function peerMiss(side: Side, policy: PolicyRecord, peer: NetworkPolicyPeer): string | null {
  const far = side.peer;
  const described = describePeer(peer, policy);
  if (peer.ipBlock) {
    // An ipBlock matches the address the packet carries at this point, pod or not. The docs mean
    // it for cluster-external addresses ("Pod IPs are ephemeral and unpredictable") and leave
    // matching a pod's own IP to the plugin: iptables/ipset-based ones (Calico) match it, Cilium
    // does not. Matching by address is the literal reading and shows SNAT's effect.
    const { cidr, except = [] } = peer.ipBlock;
    if (!cidrContains(cidr, far.ip)) return `${described}: ${far.ip} is outside ${cidr}`;
    const excluded = except.find((e) => cidrContains(e, far.ip));
    return excluded === undefined ? null : `${described}: ${far.ip} is in the except ${excluded}`;
  }
  if (!peer.podSelector && !peer.namespaceSelector) return 'an empty peer matches nothing (the API server rejects one)';
  const pod = far.pod;
  if (!pod) return `${described}: ${far.ip} is not a pod, and only an ipBlock matches an address that is not a pod`;
  if (pod.isHostNetwork) {
    return `${described}: ${podName(pod)} uses hostNetwork, so policy sees its node's address ${far.ip}, which only an ipBlock can match`;
  }
  if (peer.namespaceSelector) {
    const labels = namespaceLabels(side.topology, pod.namespace);
    if (!matchesSelector(labels, peer.namespaceSelector)) {
      return `${described}: namespace ${pod.namespace} does not match the namespaceSelector (${labelMismatch(peer.namespaceSelector, labels)})`;
    }
  } else if (pod.namespace !== policy.namespace) {
    return `${described}: without a namespaceSelector it selects only pods in ${policy.namespace}, and ${podName(pod)} is in ${pod.namespace}`;
  }
  if (peer.podSelector && !matchesSelector(pod.labels, peer.podSelector)) {
    return `${described}: ${podName(pod)} does not match the podSelector (${labelMismatch(peer.podSelector, pod.labels)})`;
  }
  return null;
}

function evaluatePorts(side: Side, ports: NetworkPolicyPort[]): PartResult {
  if (ports.length === 0) return { ok: true, text: 'any port', misses: [] };
  const misses: string[] = [];
  for (const [index, port] of ports.entries()) {
    const result = portMatch(side, port);
    if (result.ok) return { ok: true, index, text: port.port === undefined ? result.text : `port ${result.text}`, misses: [] };
    misses.push(result.text);
  }
  return { ok: false, text: '', misses };
}

/** Whether `port` matches the flow; `text` describes the port as matched, or why it did not. */
function portMatch(side: Side, port: NetworkPolicyPort): { ok: boolean; text: string } {
  const { flow } = side;
  const protocol = port.protocol ?? 'TCP';
  const described = describePort(port);
  if (protocol !== flow.protocol) {
    return { ok: false, text: port.protocol ? described : `${described} (protocol defaults to TCP)` };
  }
  if (port.port === undefined) return { ok: true, text: described };
  if (typeof port.port === 'number') {
    // endPort is only valid with a numeric port; without one the range is that single port.
    const end = port.endPort ?? port.port;
    return { ok: flow.port >= port.port && flow.port <= end, text: described };
  }
  // A named port means the container port of that name and protocol on the destination pod,
  // whichever direction the policy is for. An address that is not a pod has no named ports.
  const destination = flow.to.pod;
  if (!destination || destination.isHostNetwork) {
    const what = destination ? `${podName(destination)} uses hostNetwork` : `the destination ${flow.to.ip} is not a pod`;
    return { ok: false, text: `${described} (${what}, so a named port matches nothing)` };
  }
  const numbers = containerPorts(side.topology, destination).filter((p) => p.name === port.port && p.protocol === protocol).map((p) => p.port);
  if (numbers.length === 0) return { ok: false, text: `${described} (${podName(destination)} has no ${protocol} container port named ${port.port})` };
  const resolved = `${described} = ${[...new Set(numbers)].join(', ')} on ${podName(destination)}`;
  return numbers.includes(flow.port) ? { ok: true, text: `${described} = ${flow.port}` } : { ok: false, text: resolved };
}

function containerPorts(topology: Topology, pod: PodRecord) {
  return pod.containers.flatMap((id) => topology.containers[id]?.ports ?? []);
}

/** The rule of one policy that came closest to allowing the flow, said so the policy's author
 * knows what to change: the peer matched but not the port, the port but not the peer, or neither. */
export function closestMiss(side: Side, rules: RuleResult[]): string {
  const { direction, flow } = side;
  const role = direction === 'egress' ? 'destination' : 'source';
  if (rules.length === 0) return `it has no ${direction} rules, so it denies all ${direction} of the pods it selects`;
  const rank = (r: RuleResult) => (r.peer.ok ? 2 : r.port.ok ? 1 : 0);
  const best = rules.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  const prefix =
    rules.length === 1 ? `${direction} rule 1` : `none of its ${rules.length} ${direction} rules matches; closest, ${direction} rule ${best.index + 1},`;
  const flowPort = `${flow.port}/${flow.protocol}`;
  if (best.peer.ok) return `${prefix} admits the ${role} (${best.peer.text}) but not ${flowPort} (it allows ${best.port.misses.join(', ')})`;
  if (best.port.ok) return `${prefix} allows ${best.port.text} but not the ${role} (${best.peer.misses.join('; ')})`;
  return `${prefix} matches neither the ${role} (${best.peer.misses.join('; ')}) nor ${flowPort} (it allows ${best.port.misses.join(', ')})`;
}

export function namespaceLabels(topology: Topology, namespace: string): Record<string, string> {
  // The API server sets kubernetes.io/metadata.name on every namespace, read or not.
  return topology.namespaces[ids.namespace(namespace)]?.labels ?? { 'kubernetes.io/metadata.name': namespace };
}
