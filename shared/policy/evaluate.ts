/**
 * The NetworkPolicy evaluator (design §1, §4): does networking.k8s.io/v1 NetworkPolicy let a flow
 * out of its sender (egress) and into its receiver (ingress), and which rule decided it.
 *
 * Semantics, as the Kubernetes documentation defines them:
 * - A pod is isolated for a direction when some policy in its own namespace selects it
 *   (`podSelector`, `{}` selecting every pod there) with that direction in `policyTypes`. The
 *   record's `policyTypes` already carries the default (derivePolicy): Ingress always, Egress only
 *   for a policy with an `egress` section. A pod not isolated for a direction allows everything.
 * - Policies are additive: an isolated pod admits what any rule of any isolating policy allows.
 *   Within a rule the peers OR, the ports OR, and a flow must match a peer AND a port; a rule
 *   without peers matches every peer, one without ports every port and protocol.
 * - A peer's `podSelector` alone selects pods in the policy's namespace, `namespaceSelector`
 *   alone every pod of the matching namespaces, both in one peer the matching pods of the
 *   matching namespaces. Selectors match only pods: a node, an outside client, or a hostNetwork
 *   pod (see below) is matched by `ipBlock` alone.
 * - A port's protocol defaults to TCP; without `port` it matches every port of that protocol; a
 *   named port is looked up on the destination pod's containers (name and protocol); `endPort`
 *   widens a numeric port to a range.
 * - hostNetwork pods are outside policy. The docs leave it to the plugin, and the most common
 *   implementation cannot tell their traffic from the node's: as the policy's own pod they are
 *   not isolated (`not-applicable`), and as a peer they are their node's address, which only an
 *   `ipBlock` can match.
 */
import ipaddr from 'ipaddr.js';
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../kube/objects.ts';
import { matchesSelector } from '../kube/selector.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { cidrContains } from '../net/ip.ts';
import { derivePolicy } from '../topology/derive.ts';
import { ids } from '../topology/ids.ts';
import type { DirectionVerdict, Flow, PolicyEndpoint, PolicyVerdict, RuleRef } from './types.ts';

type Direction = 'ingress' | 'egress';

export interface EvaluateOptions {
  /** Evaluate these policies instead of the topology's ("what if"); see `withPolicies`. */
  policies?: PolicyRecord[];
}

export function evaluatePolicy(topology: Topology, flow: Flow, options: EvaluateOptions = {}): PolicyVerdict {
  const policies = options.policies ?? Object.values(topology.policies);
  const egress = evaluateDirection(topology, policies, flow, 'egress');
  const ingress = evaluateDirection(topology, policies, flow, 'ingress');
  return { isAllowed: egress.verdict !== 'denied' && ingress.verdict !== 'denied', egress, ingress };
}

/** The topology's policies with `extra` applied as `kubectl apply` would: one with the
 * namespace/name of an existing policy replaces it (in its place), the others are added. */
export function withPolicies(topology: Topology, extra: PolicyRecord[]): PolicyRecord[] {
  const byName = new Map<string, PolicyRecord>();
  for (const policy of Object.values(topology.policies)) byName.set(qualifiedName(policy), policy);
  for (const policy of extra) byName.set(qualifiedName(policy), policy);
  return [...byName.values()];
}

/** A parsed NetworkPolicy manifest as the model holds it, exactly as derive makes it.
 * `namespace` stands in for a manifest without `metadata.namespace`, like `kubectl apply -n`. */
export function policyRecordFrom(policy: NetworkPolicy, namespace?: string): PolicyRecord {
  if (policy.metadata.namespace || namespace === undefined) return derivePolicy(policy);
  return derivePolicy({ ...policy, metadata: { ...policy.metadata, namespace } });
}

// ---------------------------------------------------------------------------------------------

interface Side {
  topology: Topology;
  flow: Flow;
  direction: Direction;
  /** The pod the policies are about: the sender for egress, the receiver for ingress. */
  pod: PodRecord;
  /** The far end: the destination for egress, the source for ingress. */
  peer: PolicyEndpoint;
}

function evaluateDirection(topology: Topology, policies: PolicyRecord[], flow: Flow, direction: Direction): DirectionVerdict {
  const own = direction === 'egress' ? flow.from : flow.to;
  const peer = direction === 'egress' ? flow.to : flow.from;
  const verdict = (v: DirectionVerdict['verdict'], reason: string, isolatedBy: string[] = [], allowedBy: RuleRef[] = []): DirectionVerdict => ({
    direction,
    verdict: v,
    isolatedBy,
    allowedBy,
    reason,
  });

  const pod = own.pod;
  if (!pod) {
    const role = direction === 'egress' ? 'source' : 'destination';
    return verdict('not-applicable', `the ${role} ${own.ip} is not a pod; NetworkPolicy ${direction} applies only to pods`);
  }
  if (pod.isHostNetwork) {
    return verdict('not-applicable', `${podName(pod)} uses hostNetwork; NetworkPolicy does not apply to pods in the node's network namespace`);
  }

  const policyType = direction === 'egress' ? 'Egress' : 'Ingress';
  const selecting = policies.filter((p) => p.namespace === pod.namespace && matchesSelector(pod.labels, p.spec.podSelector)).sort(byName);
  const isolating = selecting.filter((p) => p.policyTypes.includes(policyType));
  if (isolating.length === 0) {
    const other = selecting.filter((p) => !p.policyTypes.includes(policyType));
    const verb = other.length === 1 ? 'selects' : 'select';
    const note = other.length === 0 ? '' : `; ${listNames(other)} ${verb} it, but without ${policyType} in policyTypes`;
    const reason = `no NetworkPolicy in namespace ${pod.namespace} selects ${podName(pod)} for ${direction}, so all ${direction} is allowed${note}`;
    return verdict('not-isolated', reason);
  }

  const side: Side = { topology, flow, direction, pod, peer };
  const isolatedBy = isolating.map((p) => p.id);
  const results = isolating.map((policy) => ({
    policy,
    rules: rulesOf(policy, direction).map((rule, index) => evaluateRule(side, policy, rule, index)),
  }));

  const allowedBy: RuleRef[] = [];
  const allowedTexts: string[] = [];
  for (const { policy, rules } of results) {
    for (const rule of rules) {
      if (!rule.peer.ok || !rule.port.ok) continue;
      allowedBy.push({
        policy: policy.id,
        name: qualifiedName(policy),
        direction,
        rule: rule.index,
        ...(rule.peer.index === undefined ? {} : { peer: rule.peer.index }),
        ...(rule.port.index === undefined ? {} : { port: rule.port.index }),
      });
      const preposition = direction === 'ingress' ? 'from' : 'to';
      allowedTexts.push(`${qualifiedName(policy)} ${direction} rule ${rule.index + 1} (${preposition} ${rule.peer.text}, ${rule.port.text})`);
    }
  }
  if (allowedBy.length > 0) {
    const [first, ...others] = allowedTexts;
    const also = others.length === 0 ? '' : `; also by ${others.join('; ')}`;
    return verdict('allowed', `allowed by ${first}${also}`, isolatedBy, allowedBy);
  }

  const isolation = `${podName(pod)} is isolated for ${direction} by ${listNames(isolating)}`;
  const their = isolating.length === 1 ? 'its' : 'their';
  const unmatched = `, and none of ${their} ${direction} rules allows ${endpointName(peer)} on ${flow.port}/${flow.protocol}`;
  const exemption = exemptionOf(side);
  if (exemption) {
    return { ...verdict('allowed', `${isolation}${unmatched}, but ${exemption.why}`, isolatedBy), exemption: exemption.kind };
  }
  const misses = results.map(({ policy, rules }) => `${qualifiedName(policy)}: ${closestMiss(side, rules)}`);
  return verdict('denied', `denied: ${isolation}${unmatched}. ${misses.join('; ')}`, isolatedBy);
}

/**
 * The two exceptions the Kubernetes docs make to isolation, whatever the rules say: a pod cannot
 * block access to itself, and traffic between a pod and the node it runs on is always allowed,
 * whatever the addresses (the API reference: ingress is allowed when the source is the pod's own
 * node). Node traffic is what carries kubelet probes, and what a hostNetwork pod's traffic is
 * taken for; it is also what a flow SNATed to the node looks like, so under
 * `externalTrafficPolicy: Cluster` an endpoint on the receiving node is reached as "from its node"
 * (the docs: the source a policy sees "may be the IP of a LoadBalancer or of the Pod's node").
 */
function exemptionOf(side: Side): { kind: 'self' | 'local-node'; why: string } | null {
  const { pod, peer } = side;
  if (peer.pod?.id === pod.id) return { kind: 'self', why: 'a pod cannot block traffic to itself (Kubernetes NetworkPolicy docs)' };
  if (!pod.host) return null;
  const node = pod.host.replace(/^node:/, '');
  const isOwnNode = peer.pod
    ? peer.pod.isHostNetwork && peer.pod.host === pod.host
    : nodeAddresses(side.topology, pod.host).has(normalizeIP(peer.ip));
  if (!isOwnNode) return null;
  const relation = peer.pod ? 'shares the network of' : 'is an address of';
  return {
    kind: 'local-node',
    why:
      `${endpointName(peer)} ${relation} ${node}, the node ${podName(pod)} runs on, and traffic between a pod ` +
      'and its own node is always allowed (Kubernetes NetworkPolicy docs)',
  };
}

/** Every address of a node's root netns: its InternalIPs and ExternalIPs, the CNI's record of it,
 * and the addresses of its devices (bridge, tunnel, gateway) — not kube-ipvs0's Service IPs. */
function nodeAddresses(topology: Topology, hostId: string): Set<string> {
  const host = topology.hosts[hostId];
  const addresses = new Set<string>();
  if (!host) return addresses;
  for (const address of [...host.internalIPs, ...host.externalIPs, ...host.datapathIPs]) addresses.add(normalizeIP(address));
  for (const deviceId of host.devices) {
    const device = topology.devices[deviceId];
    if (!device || device.type === 'dummy') continue;
    for (const address of device.addresses) addresses.add(normalizeIP(address));
  }
  return addresses;
}

// --- rules ------------------------------------------------------------------------------------

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

interface RuleResult {
  index: number;
  peer: PartResult;
  port: PartResult;
}

function rulesOf(policy: PolicyRecord, direction: Direction): Rule[] {
  return (direction === 'egress' ? policy.spec.egress : policy.spec.ingress) ?? [];
}

function evaluateRule(side: Side, policy: PolicyRecord, rule: Rule, index: number): RuleResult {
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
function closestMiss(side: Side, rules: RuleResult[]): string {
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

// --- words ------------------------------------------------------------------------------------

function qualifiedName(policy: PolicyRecord): string {
  return `${policy.namespace}/${policy.name}`;
}

function byName(a: PolicyRecord, b: PolicyRecord): number {
  const x = qualifiedName(a);
  const y = qualifiedName(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function listNames(policies: PolicyRecord[]): string {
  const names = policies.map(qualifiedName);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function podName(pod: PodRecord): string {
  return `${pod.namespace}/${pod.name}`;
}

function endpointName(endpoint: PolicyEndpoint): string {
  if (!endpoint.pod) return endpoint.ip;
  return `${podName(endpoint.pod)} (${endpoint.pod.isHostNetwork ? 'hostNetwork, ' : ''}${endpoint.ip})`;
}

function namespaceLabels(topology: Topology, namespace: string): Record<string, string> {
  // The API server sets kubernetes.io/metadata.name on every namespace, read or not.
  return topology.namespaces[ids.namespace(namespace)]?.labels ?? { 'kubernetes.io/metadata.name': namespace };
}

function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(', ');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${String(e.operator)}`);
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}

function describePeer(peer: NetworkPolicyPeer, policy: PolicyRecord): string {
  if (peer.ipBlock) {
    const except = peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(', ')}` : '';
    return `ipBlock ${peer.ipBlock.cidr}${except}`;
  }
  const pods = peer.podSelector ? `podSelector ${describeSelector(peer.podSelector)}` : '';
  if (!peer.namespaceSelector) return describeSelector(peer.podSelector ?? {}) === '{}' ? `${pods} (every pod in ${policy.namespace})` : pods;
  const namespaceText = describeSelector(peer.namespaceSelector);
  const namespaces = namespaceText === '{}' ? 'namespaceSelector {} (every namespace)' : `namespaceSelector ${namespaceText}`;
  return pods ? `${namespaces} and ${pods}` : namespaces;
}

function describePort(port: NetworkPolicyPort): string {
  const protocol = port.protocol ?? 'TCP';
  if (port.port === undefined) return `every ${protocol} port`;
  if (typeof port.port === 'number' && port.endPort !== undefined) return `${port.port}-${port.endPort}/${protocol}`;
  return `${port.port}/${protocol}`;
}

/** The first requirement of `selector` that `labels` fail, e.g. `app=web` or `no label app`. */
function labelMismatch(selector: LabelSelector, labels: Record<string, string>): string {
  const has = (key: string) => Object.hasOwn(labels, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return has(key) ? `it has ${key}=${labels[key]}, not ${key}=${value}` : `it has no label ${key}`;
  }
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values ?? [];
    const value = labels[e.key] ?? '';
    if (e.operator === 'In' && !(has(e.key) && values.includes(value))) {
      return has(e.key) ? `it has ${e.key}=${value}, not in (${values.join(', ')})` : `it has no label ${e.key}`;
    }
    if (e.operator === 'NotIn' && has(e.key) && values.includes(value)) return `it has ${e.key}=${value}`;
    if (e.operator === 'Exists' && !has(e.key)) return `it has no label ${e.key}`;
    if (e.operator === 'DoesNotExist' && has(e.key)) return `it has label ${e.key}`;
  }
  return 'its labels do not match';
}

/** An address without prefix length, in one canonical form (IPv4-mapped IPv6 as IPv4). */
function normalizeIP(address: string): string {
  const bare = address.split('/')[0] ?? address;
  return ipaddr.isValid(bare) ? ipaddr.process(bare).toString() : bare;
}
