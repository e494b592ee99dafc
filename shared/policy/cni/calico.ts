/**
 * A direction's verdict where Calico enforces policy: its tiers in order, each a list of
 * policies in order, Kubernetes NetworkPolicy and the admin policies among them at the places
 * Calico gives them (projectcalico/calico at 87c15906):
 * - Tiers by `order`, lower first, a tier without one last, ties by name (v3/tier.go). Within a
 *   tier, policies by `order`, then name; a policy without order last (v3/networkpolicy.go).
 * - Within a policy its rules as written; the first matching rule with Allow, Deny or Pass
 *   decides; Log logs and goes on. Pass skips the rest of the tier.
 * - A pod selected by some policy of a tier for this direction that no rule decided gets the
 *   tier's `defaultAction` (Deny, unless the Tier says Pass); a tier that selects it not at all
 *   is skipped. After the last tier, Calico's namespace and service-account profiles allow.
 * - Kubernetes NetworkPolicies are Calico policies `knp.default.<name>` in tier `default`
 *   (order 1,000,000) at order 1000 (libcalico-go/lib/backend/k8s/conversion, conversion_test.go
 *   expects order 1000): allow rules only, so together they allow what NetworkPolicy allows.
 * - Admin policies: ClusterNetworkPolicy's Admin tier is Calico's tier `kube-admin` at order
 *   1000 and its Baseline tier `kube-baseline` at 10,000,000, both defaulting to Pass
 *   (v3/tier.go KubeAdminTierOrder, KubeBaselineTierOrder; conversion/clusternetworkpolicy.go,
 *   order = priority). Releases before commit bac09c19 ("Remove ANP/BANP") put
 *   AdminNetworkPolicy in tier `adminnetworkpolicy` at 1000 and BaselineAdminNetworkPolicy in
 *   `baselineadminnetworkpolicy` at 10,000,000. So a Calico tier ordered below 1000 decides
 *   before any admin policy, and one between 1,000,000 and 10,000,000 before the baseline.
 */
import type { CalicoPolicyRecord, CalicoTierRecord } from '../../model/cni-policy.ts';
import type { AdminPolicyRecord } from '../../model/admin-policy.ts';
import type { PodRecord } from '../../model/types.ts';
import { tierAnswers as adminTierAnswers } from '../admin/tiers.ts';
import type { Side } from '../rules.ts';
import type { CniRuleRef, DirectionVerdict } from '../types.ts';
import { maxAnswers, withDoubt, type Answer } from './answers.ts';
import { appliesTo, calicoRuleMatches } from './calico-match.ts';

export const kubeAdminTierOrder = 1_000;
export const defaultTierOrder = 1_000_000;
export const kubeBaselineTierOrder = 10_000_000;
/** Where Kubernetes NetworkPolicies sit in the default tier. */
export const knpOrder = 1000;

type Member = { kind: 'calico'; policy: CalicoPolicyRecord } | { kind: 'knp' };

/** A step of the walk: a Calico tier, or one of the admin policies' tiers. */
export type Step =
  | { kind: 'tier'; name: string; order: number | null; defaultAction: string; members: Member[] }
  | { kind: 'admin'; tier: 'admin' | 'baseline'; name: string; order: number; policies: AdminPolicyRecord[] };

const byOrder = (a: { order: number | null; name: string }, b: { order: number | null; name: string }) =>
  (a.order ?? Infinity) - (b.order ?? Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The steps of the walk for `pod`: the tiers that hold a policy (or NetworkPolicy, or admin
 * policy) and their members, sorted. `admin` are the admin policies whose subject is the pod.
 */
export function calicoSteps(tiers: readonly CalicoTierRecord[], policies: readonly CalicoPolicyRecord[], admin: readonly AdminPolicyRecord[]): Step[] {
  const tierOf = new Map(tiers.map((t) => [t.name, t]));
  const names = new Set(['default', ...policies.map((p) => p.tier)]);
  const steps: Step[] = [...names].map((name) => {
    const tier = tierOf.get(name);
    const order = tier ? tier.order : name === 'default' ? defaultTierOrder : null;
    const own = policies.filter((p) => p.tier === name).map((policy) => ({ order: policy.order, name: policy.name, member: { kind: 'calico', policy } as Member }));
    if (name === 'default') own.push({ order: knpOrder, name: 'knp.default.', member: { kind: 'knp' } });
    return { kind: 'tier', name, order, defaultAction: tier?.defaultAction ?? 'Deny', members: own.sort(byOrder).map((m) => m.member) };
  });
  const adminOrder = (names: string[], fallback: number) => names.map((n) => tierOf.get(n)?.order).find((o) => o !== null && o !== undefined) ?? fallback;
  for (const tier of ['admin', 'baseline'] as const) {
    const mine = admin.filter((p) => p.tier === tier);
    if (mine.length === 0) continue;
    const [name, order] = tier === 'admin' ? ['kube-admin', adminOrder(['kube-admin', 'adminnetworkpolicy'], kubeAdminTierOrder)] : ['kube-baseline', adminOrder(['kube-baseline', 'baselineadminnetworkpolicy'], kubeBaselineTierOrder)];
    steps.push({ kind: 'admin', tier, name, order, policies: mine });
  }
  // Admin tiers sort among Calico's by order; the built-in Tier objects of the same names (if
  // read) are the same steps, so they are not walked twice.
  return steps.filter((s) => !(s.kind === 'tier' && s.members.length === 0 && s.name !== 'default')).sort(byOrder);
}

export function calicoRef(policy: CalicoPolicyRecord, direction: 'ingress' | 'egress', rule: number, action: string, text: string): CniRuleRef {
  return {
    cni: 'calico',
    policy: policy.id,
    name: policy.namespace === null ? policy.name : `${policy.namespace}/${policy.name}`,
    apiKind: policy.apiKind,
    tier: policy.tier,
    order: policy.order,
    direction,
    section: direction,
    rule,
    action,
    text,
  };
}

function effectOf(action: string): Answer['effect'] | 'log' {
  if (action === 'Allow') return 'allow';
  if (action === 'Deny') return 'deny';
  if (action === 'Pass') return 'pass';
  if (action === 'Log') return 'log';
  return 'unknown';
}

/**
 * What one Calico tier does: walks its members from `index`, `isSelected` once some member
 * applied to the pod. `np` is the NetworkPolicy verdict, for the `knp` member.
 */
function tierAnswers(side: Side, step: Extract<Step, { kind: 'tier' }>, np: DirectionVerdict, index: number, isSelected: boolean, isCalicoSelected = false): Answer[] {
  const member = step.members[index];
  if (!member) {
    if (!isSelected) return [{ effect: 'none', by: null, doubts: [] }];
    // Only NetworkPolicy selected the pod here: its own denial (closest misses and all) says it.
    if (!isCalicoSelected) return [{ effect: 'deny', by: { np }, doubts: [] }];
    const action = step.defaultAction === 'Pass' ? 'Pass' : 'Deny';
    const ref: CniRuleRef = {
      cni: 'calico',
      policy: `caltier:${step.name}`,
      name: step.name,
      apiKind: 'Tier',
      tier: step.name,
      order: step.order,
      direction: side.direction,
      section: 'end-of-tier',
      rule: null,
      action,
      text: `no rule of tier ${step.name}'s policies that select the pod matched, and the tier's default action is ${action}`,
    };
    return [{ effect: action === 'Pass' ? 'pass' : 'deny', by: { cni: ref }, doubts: [] }];
  }
  const next = (selected: boolean, isCalico = isCalicoSelected) => tierAnswers(side, step, np, index + 1, selected, isCalico);
  if (member.kind === 'knp') {
    if (np.verdict === 'allowed') return [{ effect: 'allow', by: { np }, doubts: [] }];
    return next(isSelected || np.verdict === 'denied');
  }
  const policy = member.policy;
  const applies = appliesTo(side.topology, policy, side.pod, side.direction);
  if (applies.match === 'no') return next(isSelected);
  const answers: Answer[] = [];
  const title = `Calico ${policy.apiKind} ${policy.namespace ? `${policy.namespace}/` : ''}${policy.name}`;
  const ifApplies = applies.match === 'maybe' ? [`if ${title} applies (${applies.text})`] : [];
  if (applies.match === 'maybe') answers.push(...withDoubt(next(isSelected), [`if ${title} does not apply (${applies.text})`]));
  const nextSelected = () => next(true, true);
  const rules = side.direction === 'ingress' ? policy.ingress : policy.egress;
  const pending: string[] = [];
  for (const [i, rule] of rules.entries()) {
    const effect = effectOf(rule.action);
    if (effect === 'log') continue;
    const { match, text } = calicoRuleMatches(side, policy, rule);
    if (match === 'no') continue;
    const ref = calicoRef(policy, side.direction, i, rule.action, text);
    const doubts = [...ifApplies, ...pending];
    if (match === 'yes') return [...answers, { effect, by: { cni: ref }, doubts }];
    answers.push({ effect, by: { cni: ref }, doubts: [...doubts, `if ${title} ${side.direction} rule ${i + 1} matches (${text})`] });
    pending.push(`if ${title} ${side.direction} rule ${i + 1} does not match`);
  }
  return [...answers, ...withDoubt(nextSelected(), [...ifApplies, ...pending])];
}

function stepAnswers(side: Side, step: Step, np: DirectionVerdict): Answer[] {
  if (step.kind === 'tier') return tierAnswers(side, step, np, 0, false);
  return adminTierAnswers(side, step.policies).map((a) => ({ effect: a.effect, by: a.rule ? { admin: a.rule } : null, doubts: a.doubts }));
}

/** Each way the walk can end: the deciding answer (or `none`: the profiles allow), the Pass
 * rules on the way, and whether any tier selected the pod. */
export interface CalicoEnd {
  answer: Answer;
  passes: Answer[];
  isSelected: boolean;
}

export function calicoEnds(side: Side, steps: Step[], np: DirectionVerdict, pod: PodRecord): CalicoEnd[] {
  const ends: CalicoEnd[] = [];
  const walk = (index: number, passes: Answer[], doubts: string[], isSelected: boolean) => {
    if (ends.length >= maxAnswers) return;
    const step = steps[index];
    if (!step) {
      ends.push({ answer: { effect: 'none', by: null, doubts }, passes, isSelected });
      return;
    }
    for (const answer of stepAnswers(side, step, np)) {
      const all = { ...answer, doubts: [...doubts, ...answer.doubts] };
      const selected = isSelected || answer.by !== null || (step.kind === 'tier' && step.members.some((m) => m.kind === 'calico' && appliesTo(side.topology, m.policy, pod, side.direction).match === 'yes'));
      if (answer.effect === 'allow' || answer.effect === 'deny' || answer.effect === 'unknown') ends.push({ answer: all, passes, isSelected: true });
      else walk(index + 1, answer.effect === 'pass' ? [...passes, answer] : passes, all.doubts, selected);
    }
  };
  walk(0, [], [], false);
  return ends;
}
