/**
 * `podpath describe`'s Calico and Cilium policies, beside the NetworkPolicies and admin policies
 * it already lists: every policy in the order its plugin tries it (Calico's tiers by order, the
 * Kubernetes NetworkPolicies and admin tiers at the places Calico gives them), and for each pod
 * the ones that select it, in that order, as the details panel shows them (CniPolicies.tsx).
 * The order and the selection are shared/policy/cni/'s and shared/describe/cni-policy.ts's.
 */
import { cniOrderText, cniPoliciesOf, cniPolicyName, describeCniPolicy } from '../../shared/describe/cni-policy.ts';
import type { DescribeDocument, DescribedCniPolicy, DescribedCniRule, DescribedPod } from '../../shared/describe/types.ts';
import type { CalicoPolicyRecord, CalicoTierRecord, CiliumPolicyRecord } from '../../shared/model/cni-policy.ts';
import type { Id, Topology } from '../../shared/model/types.ts';
import { calicoSteps, knpOrder } from '../../shared/policy/cni/calico.ts';

/** A Calico or Cilium policy that selects the pod, as the pod's entry lists it. */
export interface PodCniPolicy {
  id: Id;
  /** `Calico GlobalNetworkPolicy security.deny-dev`. */
  policy: string;
  /** `tier security (order 100) · order 10`; empty for Cilium. */
  place: string;
  directions: ('ingress' | 'egress')[];
  /** Set when whether it selects the pod rests on what Podpath does not read. */
  maybe?: string;
}

/** A step of Calico's walk: one of its tiers with its members in order, or an admin tier. */
type WalkStep =
  | { kind: 'tier'; name: string; order: number | null; defaultAction: string; tier: DescribedCniPolicy | null; members: (DescribedCniPolicy | 'networkpolicies')[] }
  | { kind: 'admin'; tier: 'admin' | 'baseline'; name: string; order: number; count: number };

export type CniDescribeDocument = Omit<DescribeDocument, 'pods'> & {
  /** With `cniPolicies` (the Calico and Cilium policies selecting each, in the order tried) when
   * the cluster has any. */
  pods: (DescribedPod & { cniPolicies?: PodCniPolicy[] })[];
  /** Calico's tiers and policies in the order tried (a tier's Tier object before its policies),
   * then Cilium's by name; absent when the cluster has none, so such a document reads as before. */
  cniPolicies?: DescribedCniPolicy[];
};

function calicoWalk(topology: Topology): WalkStep[] {
  const all = Object.values(topology.cniPolicies ?? {});
  const tiers = all.filter((r): r is CalicoTierRecord => r.cni === 'calico' && r.apiKind === 'Tier');
  const policies = all.filter((r): r is CalicoPolicyRecord => r.cni === 'calico' && r.apiKind !== 'Tier');
  if (tiers.length === 0 && policies.length === 0) return [];
  return calicoSteps(tiers, policies, Object.values(topology.adminPolicies)).map((step): WalkStep => {
    if (step.kind === 'admin') return { kind: 'admin', tier: step.tier, name: step.name, order: step.order, count: step.policies.length };
    const tier = tiers.find((t) => t.name === step.name);
    return {
      kind: 'tier',
      name: step.name,
      order: step.order,
      defaultAction: step.defaultAction,
      tier: tier ? describeCniPolicy(topology, tier) : null,
      members: step.members.map((m) => (m.kind === 'calico' ? describeCniPolicy(topology, m.policy) : 'networkpolicies')),
    };
  });
}

function ciliumPolicies(topology: Topology): DescribedCniPolicy[] {
  return Object.values(topology.cniPolicies ?? {})
    .filter((r): r is CiliumPolicyRecord => r.cni === 'cilium')
    .map((r) => ({ title: cniPolicyName(r), r }))
    .sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0))
    .map(({ r }) => describeCniPolicy(topology, r));
}

/** `doc` with the Calico and Cilium policies added; `doc` itself when the cluster has none. */
export function withCniPolicies(topology: Topology, doc: DescribeDocument): CniDescribeDocument {
  const calico = calicoWalk(topology).flatMap((step) => (step.kind === 'tier' ? [...(step.tier ? [step.tier] : []), ...step.members.filter((m) => m !== 'networkpolicies')] : []));
  const cniPolicies = [...calico, ...ciliumPolicies(topology)];
  if (cniPolicies.length === 0) return doc;
  const pods = doc.pods.map((described) => {
    const pod = topology.pods[described.id];
    const selecting = pod ? cniPoliciesOf(topology, pod) : [];
    return { ...described, cniPolicies: selecting.map((s) => ({ id: s.record.id, policy: cniPolicyName(s.record), place: s.place, directions: s.directions, ...(s.maybe ? { maybe: s.maybe } : {}) })) };
  });
  const { problems, ...rest } = doc;
  return { ...rest, pods, cniPolicies, problems };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function ruleLine(rule: DescribedCniRule): string {
  return `${rule.action} ${rule.direction} ${rule.text}${rule.note ? ` (${rule.note})` : ''}`;
}

function policyLines(p: DescribedCniPolicy, indent: string): string[] {
  const out = [`${indent}${p.title}  ${p.place}`, `${indent}  selects ${p.selects} (${plural(p.pods.length, 'pod')})`];
  for (const rule of p.rules) out.push(`${indent}  ${ruleLine(rule)}`);
  return out;
}

/** The text's section: the walk, then each pod's policies in order; nothing when there are none. */
export function cniPolicyLines(topology: Topology, doc: CniDescribeDocument): string[] {
  if (!doc.cniPolicies) return [];
  const out = ['', `Calico and Cilium policies (${doc.cniPolicies.filter((p) => p.apiKind !== 'Tier').length}, in the order tried)`];
  const walk = calicoWalk(topology);
  if (walk.length > 0) out.push(`  ${cniOrderText.calico}`);
  const networkPolicies = Object.keys(topology.policies).length;
  for (const step of walk) {
    if (step.kind === 'admin') {
      out.push(`  tier ${step.name} (order ${step.order}): the admin policies of the ${step.tier} tier (${step.count}, listed above)`);
      continue;
    }
    out.push(`  tier ${step.name} (order ${step.order ?? 'none, last'}) · default action ${step.defaultAction}${step.tier ? '' : ' (no Tier object)'}`);
    for (const member of step.members) {
      if (member !== 'networkpolicies') out.push(...policyLines(member, '    '));
      else if (networkPolicies > 0) out.push(`    Kubernetes NetworkPolicies (${networkPolicies}, listed above) · order ${knpOrder}`);
    }
  }
  const cilium = doc.cniPolicies.filter((p) => p.cni === 'cilium');
  if (cilium.length > 0) out.push(`  ${cniOrderText.cilium}`);
  for (const p of cilium) out.push(...policyLines(p, '  '));

  const pods = doc.pods.filter((p) => (p.cniPolicies ?? []).length > 0);
  out.push(`  Selecting each pod, in the order tried (${plural(pods.length, 'pod')})`);
  for (const pod of pods) {
    out.push(`    ${pod.namespace}/${pod.name}`);
    for (const [i, s] of (pod.cniPolicies ?? []).entries()) {
      out.push(`      ${i + 1}. ${s.policy}${s.place ? `  ${s.place}` : ''}  ${s.directions.join(', ')}${s.maybe ? `  if ${s.maybe}` : ''}`);
    }
  }
  return out;
}
