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
 *
 * A rule's peers and ports are matched in rules.ts; words.ts names things in the reasons, line.ts
 * writes each verdict's one line.
 */
import ipaddr from 'ipaddr.js';
import type { NetworkPolicy } from '../kube/objects.ts';
import { matchesSelector } from '../kube/selector.ts';
import type { CniPolicyRecord } from '../model/cni-policy.ts';
import type { AdminPolicyRecord } from '../model/admin-policy.ts';
import type { PolicyRecord, Topology } from '../model/types.ts';
import { derivePolicy } from '../topology/derive-records.ts';
import { cniLayeredVerdict } from './cni/layered.ts';
import { closestMiss, evaluateRule, rulesOf, type Direction, type Side } from './rules.ts';
import { allowedLine, deniedLine, lineSubject, type PolicyRules } from './line.ts';
import type { ClosestMiss, DirectionVerdict, Flow, FlowRef, PolicyVerdict, RuleRef } from './types.ts';
import { byName, endpointName, listNames, podName, qualifiedName } from './words.ts';

export interface EvaluateOptions {
  /** Evaluate these policies instead of the topology's ("what if"); see `withPolicies`. */
  policies?: PolicyRecord[];
  /** Evaluate these admin policies instead of the topology's (what-if); see `withAdminPolicies`. */
  adminPolicies?: AdminPolicyRecord[];
  /** Evaluate these CNI policies (Calico's, Cilium's) instead of the topology's (what-if). */
  cniPolicies?: CniPolicyRecord[];
}

/** Both directions through every layer: admin policies, NetworkPolicy, baseline, default
 * (admin/layered.ts); without admin policies, NetworkPolicy alone decides, as below. */
export function evaluatePolicy(topology: Topology, flow: Flow, options: EvaluateOptions = {}): PolicyVerdict {
  const policies = options.policies ?? Object.values(topology.policies);
  const admin = options.adminPolicies ?? Object.values(topology.adminPolicies);
  // Where Calico or Cilium policies are present, their plugin's layering (cni/layered.ts).
  const cni = options.cniPolicies ?? Object.values(topology.cniPolicies ?? {});
  const egress = cniLayeredVerdict(topology, cni, admin, flow, evaluateDirection(topology, policies, flow, 'egress'));
  const ingress = cniLayeredVerdict(topology, cni, admin, flow, evaluateDirection(topology, policies, flow, 'ingress'));
  const isDecidedAgainst = (v: DirectionVerdict) => v.verdict === 'denied' || v.verdict === 'unknown';
  return { isAllowed: !isDecidedAgainst(egress) && !isDecidedAgainst(ingress), egress, ingress };
}

/** The topology's CNI policies with `extra` applied as `kubectl apply` would (by id). */
export function withCniPolicies(topology: Topology, extra: CniPolicyRecord[]): CniPolicyRecord[] {
  const byId = new Map(Object.entries(topology.cniPolicies ?? {}));
  for (const policy of extra) byId.set(policy.id, policy);
  return [...byId.values()];
}

/** The topology's admin policies with `extra` applied as `kubectl apply` would (by id). */
export function withAdminPolicies(topology: Topology, extra: AdminPolicyRecord[]): AdminPolicyRecord[] {
  const byId = new Map(Object.entries(topology.adminPolicies));
  for (const policy of extra) byId.set(policy.id, policy);
  return [...byId.values()];
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

function evaluateDirection(topology: Topology, policies: PolicyRecord[], flow: Flow, direction: Direction): DirectionVerdict {
  const own = direction === 'egress' ? flow.from : flow.to;
  const peer = direction === 'egress' ? flow.to : flow.from;
  const flowRef: FlowRef = {
    from: { pod: flow.from.pod?.id ?? null, ip: flow.from.ip },
    to: { pod: flow.to.pod?.id ?? null, ip: flow.to.ip },
    port: flow.port,
    protocol: flow.protocol,
  };
  const verdict = (v: DirectionVerdict['verdict'], reason: string, line: string, more: Partial<Pick<DirectionVerdict, 'isolatedBy' | 'allowedBy' | 'misses'>> = {}): DirectionVerdict => ({
    direction,
    verdict: v,
    layer: v === 'allowed' || v === 'denied' ? 'networkpolicy' : 'default',
    isolatedBy: [],
    allowedBy: [],
    reason,
    line: `${lineSubject(own, direction)} ${line}`,
    misses: [],
    flow: flowRef,
    ...more,
  });

  const pod = own.pod;
  if (!pod) {
    const role = direction === 'egress' ? 'source' : 'destination';
    return verdict('not-applicable', `the ${role} ${own.ip} is not a pod; NetworkPolicy ${direction} applies only to pods`, 'not a pod, so NetworkPolicy does not apply');
  }
  if (pod.isHostNetwork) {
    return verdict('not-applicable', `${podName(pod)} uses hostNetwork; NetworkPolicy does not apply to pods in the node's network namespace`, 'hostNetwork, so NetworkPolicy does not apply');
  }

  const policyType = direction === 'egress' ? 'Egress' : 'Ingress';
  const selecting = policies.filter((p) => p.namespace === pod.namespace && matchesSelector(pod.labels, p.spec.podSelector)).sort(byName);
  const isolating = selecting.filter((p) => p.policyTypes.includes(policyType));
  if (isolating.length === 0) {
    const other = selecting.filter((p) => !p.policyTypes.includes(policyType));
    const verb = other.length === 1 ? 'selects' : 'select';
    const note = other.length === 0 ? '' : `; ${listNames(other)} ${verb} it, but without ${policyType} in policyTypes`;
    const reason = `no NetworkPolicy in namespace ${pod.namespace} selects ${podName(pod)} for ${direction}, so all ${direction} is allowed${note}`;
    return verdict('not-isolated', reason, `not isolated, so all ${direction} is allowed`);
  }

  const side: Side = { topology, flow, direction, pod, peer };
  const isolatedBy = isolating.map((p) => p.id);
  const results: PolicyRules[] = isolating.map((policy) => ({
    policy,
    rules: rulesOf(policy, direction).map((rule, index) => evaluateRule(side, policy, rule, index)),
  }));

  const allowing = results.flatMap(({ policy, rules }) => rules.filter((r) => r.peer.ok && r.port.ok).map((result) => ({ policy, result })));
  if (allowing.length > 0) {
    const allowedBy: RuleRef[] = allowing.map(({ policy, result }) => ({
      policy: policy.id,
      name: qualifiedName(policy),
      direction,
      rule: result.index,
      ...(result.peer.index === undefined ? {} : { peer: result.peer.index }),
      ...(result.port.index === undefined ? {} : { port: result.port.index }),
    }));
    const preposition = direction === 'ingress' ? 'from' : 'to';
    const [first, ...others] = allowing.map(({ policy, result }) => `${qualifiedName(policy)} ${direction} rule ${result.index + 1} (${preposition} ${result.peer.text}, ${result.port.text})`);
    const also = others.length === 0 ? '' : `; also by ${others.join('; ')}`;
    return verdict('allowed', `allowed by ${first}${also}`, allowedLine(side, allowing), { isolatedBy, allowedBy });
  }

  const isolation = `${podName(pod)} is isolated for ${direction} by ${listNames(isolating)}`;
  const their = isolating.length === 1 ? 'its' : 'their';
  const unmatched = `, and none of ${their} ${direction} rules allows ${endpointName(peer)} on ${flow.port}/${flow.protocol}`;
  const exemption = exemptionOf(side);
  if (exemption) {
    const line = exemption.kind === 'self' ? 'allowed, as a pod cannot block traffic to itself' : 'allowed, as traffic between a pod and its own node always is';
    return { ...verdict('allowed', `${isolation}${unmatched}, but ${exemption.why}`, line, { isolatedBy }), exemption: exemption.kind };
  }
  const misses: ClosestMiss[] = results.map(({ policy, rules }) => ({ policy: policy.id, name: qualifiedName(policy), text: closestMiss(side, rules) }));
  const reason = `denied: ${isolation}${unmatched}. ${misses.map((m) => `${m.name}: ${m.text}`).join('; ')}`;
  return verdict('denied', reason, deniedLine(side, results), { isolatedBy, misses });
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

/** An address without prefix length, in one canonical form (IPv4-mapped IPv6 as IPv4). */
function normalizeIP(address: string): string {
  const bare = address.split('/')[0] ?? address;
  return ipaddr.isValid(bare) ? ipaddr.process(bare).toString() : bare;
}
