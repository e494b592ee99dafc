/**
 * One tier of admin policies (admin or baseline) against one side of a flow: what it does with
 * the flow — allow, deny, pass it on, or nothing — and by which rule.
 *
 * The order, from the API (network-policy-api apis/v1alpha1 at v0.1.7, apis/v1alpha2 at
 * 0eec1b0e): policies by `priority`, lower first; within a policy its rules as written; the first
 * rule that matches decides. Pass skips the rest of the tier. Where the API leaves the answer
 * open the tier says so by answering more than one way, each with the doubt it rests on:
 * - two policies of one priority that both match ("the implementation can apply any of the
 *   matching policies to the connection");
 * - a rule Podpath cannot match for sure (a `domainNames` peer);
 * - v1alpha1 and v1alpha2 policies in one tier: the API orders neither against the other, so
 *   both orders are tried.
 * The caller (layered.ts) follows each answer to its end and only calls the verdict unknown when
 * the ends differ.
 */
import type { AdminPolicyRecord } from '../../model/admin-policy.ts';
import type { Side } from '../rules.ts';
import type { AdminRuleRef } from '../types.ts';
import { isAllowAction, ruleMatches } from './match.ts';
import { policyTitle } from './words.ts';

export type Effect = 'allow' | 'deny' | 'pass' | 'none' | 'unknown';

export interface TierAnswer {
  effect: Effect;
  /** The rule behind it; null for `none`. */
  rule: AdminRuleRef | null;
  /** Why this answer is only one of several (empty when it is the only one). */
  doubts: string[];
}

function effectOf(action: string): Effect {
  if (isAllowAction(action)) return 'allow';
  if (action === 'Deny') return 'deny';
  if (action === 'Pass') return 'pass';
  return 'unknown';
}

/** Each answer one policy may give: its first matching rule, or those a `maybe` leaves open. */
function policyAnswers(side: Side, policy: AdminPolicyRecord): TierAnswer[] {
  const answers: TierAnswer[] = [];
  const rules = side.direction === 'ingress' ? policy.ingress : policy.egress;
  for (const [index, rule] of rules.entries()) {
    const { match, text } = ruleMatches(side, rule);
    if (match === 'no') continue;
    const ref: AdminRuleRef = {
      policy: policy.id,
      name: policy.name,
      apiKind: policy.apiKind,
      tier: policy.tier,
      priority: policy.priority,
      direction: side.direction,
      rule: index,
      ruleName: rule.name,
      action: rule.action,
      text,
    };
    if (match === 'yes') return [...answers, { effect: effectOf(rule.action), rule: ref, doubts: [] }];
    answers.push({ effect: effectOf(rule.action), rule: ref, doubts: [`if ${policyTitle(policy)} ${side.direction} rule ${index + 1} matches (${text})`] });
  }
  const doubts = answers.length > 0 ? [`if no rule of ${policyTitle(policy)} matches`] : [];
  return [...answers, { effect: 'none', rule: null, doubts }];
}

/** Policies grouped by priority, lower first; a group's policies by name. */
function byPriority(policies: AdminPolicyRecord[]): AdminPolicyRecord[][] {
  const groups = new Map<number, AdminPolicyRecord[]>();
  for (const p of policies) {
    const key = p.priority ?? -1;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, g]) => g.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

function chainAnswers(side: Side, groups: AdminPolicyRecord[][]): TierAnswer[] {
  const [group, ...rest] = groups;
  if (!group) return [{ effect: 'none', rule: null, doubts: [] }];
  const perPolicy = group.map((policy) => ({ policy, answers: policyAnswers(side, policy) }));
  const deciding = perPolicy.filter(({ answers }) => answers.some((a) => a.effect !== 'none'));
  const isTie = deciding.length > 1;
  const answers: TierAnswer[] = [];
  for (const { answers: own } of deciding) {
    for (const answer of own) {
      if (answer.effect === 'none') continue;
      const tie = isTie ? [`${deciding.map((d) => policyTitle(d.policy)).join(' and ')} share priority ${answer.rule?.priority} and both match, and the API lets the implementation apply either`] : [];
      answers.push({ ...answer, doubts: [...tie, ...answer.doubts] });
    }
  }
  // The next group is reached only if no policy here surely matched.
  if (perPolicy.every(({ answers: own }) => own.some((a) => a.effect === 'none'))) {
    const falling = perPolicy.flatMap(({ answers: own }) => own.find((a) => a.effect === 'none')?.doubts ?? []);
    for (const answer of chainAnswers(side, rest)) answers.push({ ...answer, doubts: [...falling, ...answer.doubts] });
  }
  return answers;
}

/**
 * What `tier`'s policies that select the pod do with the flow: every answer the API allows, the
 * first the likeliest reading. `policies` are already those whose subject is the pod.
 */
export function tierAnswers(side: Side, policies: AdminPolicyRecord[]): TierAnswer[] {
  const v1 = policies.filter((p) => p.apiKind !== 'ClusterNetworkPolicy');
  const v2 = policies.filter((p) => p.apiKind === 'ClusterNetworkPolicy');
  if (v1.length === 0 || v2.length === 0) return chainAnswers(side, byPriority(policies));
  const doubt = 'the API does not order v1alpha1 AdminNetworkPolicy/BaselineAdminNetworkPolicy against v1alpha2 ClusterNetworkPolicy';
  const orders = [
    [...byPriority(v2), ...byPriority(v1)],
    [...byPriority(v1), ...byPriority(v2)],
  ];
  return orders.flatMap((groups) => chainAnswers(side, groups).map((a) => ({ ...a, doubts: [doubt, ...a.doubts] })));
}
