/**
 * A direction's verdict through every layer, in network-policy-api's order: the admin tier
 * (AdminNetworkPolicy, ClusterNetworkPolicy tier Admin), then NetworkPolicy, then the baseline
 * tier (BaselineAdminNetworkPolicy, ClusterNetworkPolicy tier Baseline), then the default,
 * allowed. From the API (apis/v1alpha1 at v0.1.7, apis/v1alpha2 at 0eec1b0e):
 * - Allow/Accept and Deny in the admin tier are final: "Users cannot block traffic which has been
 *   matched by an Allow rule"; Pass skips the rest of the tier and hands the flow on.
 * - NetworkPolicy "always makes a final decision for selected pods. Further evaluation only
 *   happens for Pods not selected by a v1.NetworkPolicy": an isolated pod's verdict is its
 *   NetworkPolicy verdict (evaluate.ts), exemptions included.
 * - Baseline Allow and Deny are final; Pass (v1alpha2) leaves the default.
 * - Admin policies do not apply to "a Pod connecting to its own Pod IP", but do when a Service
 *   load-balances it back to the same pod (the docs' "hairpin" section).
 * Where the tiers answer more than one way (tiers.ts) each answer is followed to its end; the
 * verdict is `unknown` only when the ends differ, and then says what it depends on.
 */
import type { AdminPolicyRecord } from '../../model/admin-policy.ts';
import type { PodRecord, Topology } from '../../model/types.ts';
import { lineSubject } from '../line.ts';
import type { Side } from '../rules.ts';
import type { AdminRuleRef, DirectionVerdict, Flow } from '../types.ts';
import { podName } from '../words.ts';
import { selectsSubject } from './match.ts';
import { tierAnswers, type TierAnswer } from './tiers.ts';
import { policyTitle, ruleTitle } from './words.ts';

/** The admin policies whose subject is `pod`, admin tier first, each tier by priority. */
export function adminPoliciesOf(topology: Topology, policies: readonly AdminPolicyRecord[], pod: PodRecord): AdminPolicyRecord[] {
  const tierRank = (p: AdminPolicyRecord) => (p.tier === 'admin' ? 0 : 1);
  return policies
    .filter((p) => selectsSubject(topology, p.subject, pod))
    .sort((a, b) => tierRank(a) - tierRank(b) || (a.priority ?? -1) - (b.priority ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One way the layers end: the verdict as it would read, and the doubts it rests on. */
interface End {
  verdict: DirectionVerdict;
  doubts: string[];
}

/**
 * `np` is the NetworkPolicy verdict alone (evaluate.ts). Without an admin policy that selects the
 * pod for this direction it is returned with its layer set, unchanged otherwise.
 */
export function layeredVerdict(topology: Topology, policies: readonly AdminPolicyRecord[], flow: Flow, np: DirectionVerdict): DirectionVerdict {
  const direction = np.direction;
  const own = direction === 'egress' ? flow.from : flow.to;
  const peer = direction === 'egress' ? flow.to : flow.from;
  const pod = own.pod;
  const npLayer: DirectionVerdict = { ...np, layer: np.verdict === 'allowed' || np.verdict === 'denied' ? 'networkpolicy' : 'default' };
  if (!pod || pod.isHostNetwork) return npLayer;
  const selecting = adminPoliciesOf(topology, policies, pod).filter((p) => (direction === 'ingress' ? p.ingress : p.egress).length > 0);
  if (selecting.length === 0) return npLayer;

  const side: Side = { topology, flow, direction, pod, peer };
  const adminIds = selecting.map((p) => p.id);
  const admin = tierAnswers(side, selecting.filter((p) => p.tier === 'admin'));
  const baseline = tierAnswers(side, selecting.filter((p) => p.tier === 'baseline'));
  const subject = lineSubject(own, direction);

  // A verdict an admin or baseline rule makes carries none of NetworkPolicy's findings.
  const decidedBase = { direction, flow: np.flow, isolatedBy: [], allowedBy: [], misses: [] };
  const decided = (answer: TierAnswer, passedBy: AdminRuleRef | undefined): DirectionVerdict => {
    const rule = answer.rule!;
    const isAllowed = answer.effect === 'allow';
    const verb = isAllowed ? 'allowed' : 'denied';
    const before = passedBy ? `${ruleTitle(passedBy)} passed it on, and ${podName(pod)} is not isolated by any NetworkPolicy; ` : '';
    const why = rule.tier === 'admin' ? 'NetworkPolicy and the baseline tier are not consulted' : 'no admin rule and no NetworkPolicy decided first';
    return {
      ...decidedBase,
      verdict: verb,
      layer: rule.tier,
      decidedBy: rule,
      ...(passedBy ? { passedBy } : {}),
      reason: `${verb}: ${before}${ruleTitle(rule)} ${rule.action === 'Deny' ? 'denies' : 'allows'} it (${rule.text}); ${why}`,
      line: `${subject} ${verb} by ${policyTitle(rule)}${rule.ruleName ? ` rule "${rule.ruleName}"` : ` ${direction} rule ${rule.rule + 1}`} (${rule.tier} tier)`,
    };
  };
  const unknownAction = (answer: TierAnswer): DirectionVerdict => ({
    ...decidedBase,
    verdict: 'unknown',
    layer: answer.rule!.tier,
    decidedBy: answer.rule!,
    reason: `unknown: ${ruleTitle(answer.rule!)} matches, but its action ${answer.rule!.action} is not one the API defines`,
    line: `${subject} unknown: ${policyTitle(answer.rule!)} has action ${answer.rule!.action}`,
  });

  const ends: End[] = [];
  const afterAdmin = (passedBy: AdminRuleRef | undefined, doubts: string[]) => {
    const passNote = passedBy ? ` (${ruleTitle(passedBy)} passed it on)` : ' (no admin rule matched)';
    if (np.verdict === 'allowed' || np.verdict === 'denied') {
      ends.push({ verdict: { ...np, layer: 'networkpolicy', ...(passedBy ? { passedBy } : {}), reason: `${np.reason}${passNote}` }, doubts });
      return;
    }
    for (const b of baseline) {
      if (b.effect === 'allow' || b.effect === 'deny') ends.push({ verdict: decided(b, passedBy), doubts: [...doubts, ...b.doubts] });
      else if (b.effect === 'unknown') ends.push({ verdict: unknownAction(b), doubts: [...doubts, ...b.doubts] });
      else {
        const by = b.effect === 'pass' ? `${ruleTitle(b.rule!)} passes it to the default` : 'no baseline rule matches';
        const reason = `${np.reason}${passNote}; ${by}, and the default allows it`;
        ends.push({ verdict: { ...np, layer: 'default', ...(passedBy ? { passedBy } : {}), reason }, doubts: [...doubts, ...b.doubts] });
      }
    }
  };

  const isSelf = flow.from.pod !== null && flow.from.pod.id === flow.to.pod?.id;
  const hairpin = 'a pod reaching its own pod IP is not subject to admin policies, but is when a Service sends it back to itself';
  if (isSelf && flow.isViaService !== true) {
    const exempt = flow.isViaService === false ? [] : [`if the flow reached it directly (${hairpin})`];
    ends.push({ verdict: { ...np, layer: np.verdict === 'allowed' || np.verdict === 'denied' ? 'networkpolicy' : 'default', reason: `${np.reason} (${hairpin})` }, doubts: exempt });
  }
  if (!isSelf || flow.isViaService !== false) {
    const via = isSelf && flow.isViaService === undefined ? [`if a Service sent it back (${hairpin})`] : [];
    for (const a of admin) {
      if (a.effect === 'allow' || a.effect === 'deny') ends.push({ verdict: decided(a, undefined), doubts: [...via, ...a.doubts] });
      else if (a.effect === 'unknown') ends.push({ verdict: unknownAction(a), doubts: [...via, ...a.doubts] });
      else afterAdmin(a.effect === 'pass' ? a.rule! : undefined, [...via, ...a.doubts]);
    }
  }

  const first = ends[0]!;
  const outcomes = new Set(ends.map((e) => (e.verdict.verdict === 'not-isolated' || e.verdict.verdict === 'not-applicable' ? 'allowed' : e.verdict.verdict)));
  if (outcomes.size === 1) return { ...first.verdict, adminPolicies: adminIds };
  const ways = ends.map((e) => `${e.doubts.length > 0 ? e.doubts.join(', ') : 'otherwise'}: ${e.verdict.verdict === 'not-isolated' ? 'allowed' : e.verdict.verdict} (${e.verdict.line.slice(subject.length + 1)})`);
  return {
    ...decidedBase,
    verdict: 'unknown',
    layer: first.verdict.layer,
    adminPolicies: adminIds,
    reason: `unknown: the admin policies ${selecting.map(policyTitle).join(', ')} decide it in a way the API leaves open — ${ways.join('; ')}`,
    line: `${subject} unknown: depends on ${[...new Set(ends.flatMap((e) => e.doubts))][0] ?? 'the admin policies'}`,
  };
}
