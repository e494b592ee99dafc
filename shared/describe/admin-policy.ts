/**
 * An admin policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) as the
 * details panel shows it: where it stands in the order of evaluation, whom it selects, and each
 * rule in a line, in the order they are tried.
 */
import type { AdminSubject } from '../kube/admin-objects.ts';
import type { AdminPolicyRecord, AdminRuleRecord } from '../model/admin-policy.ts';
import type { Topology } from '../model/types.ts';
import { selectsSubject } from '../policy/admin/match.ts';
import { describeAdminPeer, describeAdminPort, selectedBy } from '../policy/admin/words.ts';
import type { DescribedAdminPolicy, DescribedAdminRule } from './types.ts';

/** The subject in words: `pods in namespaces conformance-house=gryffindor`. */
export function describeAdminSubject(subject: AdminSubject): string {
  if (subject.namespaces) return `pods in ${selectedBy(subject.namespaces, 'namespace')}`;
  if (subject.pods) return `${selectedBy(subject.pods.podSelector, 'pod')} in ${selectedBy(subject.pods.namespaceSelector, 'namespace')}`;
  return 'no pod (a subject with no field Podpath knows)';
}

export function describeAdminRule(rule: AdminRuleRecord, index: number): DescribedAdminRule {
  return {
    index,
    name: rule.name,
    action: rule.action,
    peers: rule.peers.map(describeAdminPeer),
    ports: rule.ports === null ? 'any port' : rule.ports.map(describeAdminPort).join(', '),
  };
}

/** Where the tier stands: what a first-time reader needs to read the rules right. */
function orderText(policy: AdminPolicyRecord): string {
  if (policy.tier === 'admin') {
    return 'Admin tier: tried before any NetworkPolicy, lowest priority number first. The first rule that matches decides: Allow (Accept) or Deny is final (NetworkPolicy cannot change it); Pass hands the flow on to NetworkPolicy, then the baseline tier.';
  }
  return 'Baseline tier: tried only when no admin rule decided and no NetworkPolicy selects the pod. The first rule that matches decides; when none does (or it is Pass), the flow is allowed.';
}

export function describeAdminPolicy(topology: Topology, policy: AdminPolicyRecord): DescribedAdminPolicy {
  const pods = Object.values(topology.pods)
    .filter((pod) => !pod.isHostNetwork && selectsSubject(topology, policy.subject, pod))
    .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))
    .map((pod) => ({ id: pod.id, name: pod.name, namespace: pod.namespace }));
  return {
    id: policy.id,
    name: policy.name,
    apiKind: policy.apiKind,
    tier: policy.tier,
    priority: policy.priority,
    order: orderText(policy),
    subject: describeAdminSubject(policy.subject),
    pods,
    ingress: policy.ingress.map(describeAdminRule),
    egress: policy.egress.map(describeAdminRule),
  };
}

/** The document's `adminPolicies`, in the order they are tried; nothing when there are none. */
export function describeAdminPolicies(topology: Topology): { adminPolicies?: DescribedAdminPolicy[] } {
  const all = Object.values(topology.adminPolicies);
  if (all.length === 0) return {};
  const rank = (p: AdminPolicyRecord) => (p.tier === 'admin' ? 0 : 1);
  const sorted = all.sort((a, b) => rank(a) - rank(b) || (a.priority ?? 0) - (b.priority ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { adminPolicies: sorted.map((p) => describeAdminPolicy(topology, p)) };
}

/** `podpath describe`'s lines for them: each policy, its subject, then a line per rule. */
export function adminPolicyLines(policies: readonly DescribedAdminPolicy[]): string[] {
  const out = ['', `Admin policies (${policies.length}, in the order tried: admin tier, NetworkPolicy, baseline tier)`];
  for (const p of policies) {
    out.push(`  ${p.apiKind} ${p.name}  ${p.tier} tier${p.priority === null ? '' : `, priority ${p.priority}`}  selects ${p.subject} (${p.pods.length} pod${p.pods.length === 1 ? '' : 's'})`);
    for (const [direction, rules] of [['ingress', p.ingress], ['egress', p.egress]] as const) {
      for (const r of rules) out.push(`    ${direction}[${r.index}]${r.name ? ` ${r.name}` : ''}: ${r.action} ${direction === 'ingress' ? 'from' : 'to'} ${r.peers.join(' or ')}, ${r.ports}`);
    }
  }
  return out;
}
