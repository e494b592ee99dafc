/**
 * A direction's verdict where a CNI plugin's own policies are present: Calico's tiers
 * (calico.ts) or Cilium's repository (cilium.ts), each with Kubernetes NetworkPolicy and the
 * admin policies at the place that plugin gives them. Without CNI policies the verdict is
 * network-policy-api's layering (admin/layered.ts), unchanged.
 *
 * Which plugin is read from the objects the cluster serves: Calico's Tier, NetworkPolicy and
 * GlobalNetworkPolicy, Cilium's CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (their
 * CRDs are optional kinds). Both at once is not a setup either documents: the verdict says so.
 * Admin policies under Cilium: Cilium's docs and API name no AdminNetworkPolicy support
 * (cilium/cilium#23380 asks for it), so where an admin policy selects the pod and would change
 * the answer, the verdict is `unknown` rather than a guess.
 *
 * Where the cluster's CNI is Cilium, its agent's `enable-policy` (cluster facts, cilium.ts) holds
 * for Kubernetes NetworkPolicy too, which Cilium enforces from the same repository: `never` lets
 * everything through, `always` puts every endpoint into default deny; an assumed mode is said.
 */
import type { CalicoPolicyRecord, CalicoTierRecord, CiliumPolicyRecord, CniPolicyRecord } from '../../model/cni-policy.ts';
import type { AdminPolicyRecord } from '../../model/admin-policy.ts';
import type { Id, PodRecord, Topology } from '../../model/types.ts';
import { adminPoliciesOf, layeredVerdict } from '../admin/layered.ts';
import { policyTitle as adminPolicyTitle, ruleTitle as adminRuleTitle } from '../admin/words.ts';
import { lineSubject } from '../line.ts';
import type { Side } from '../rules.ts';
import type { AdminRuleRef, CniRuleRef, DirectionVerdict, Flow } from '../types.ts';
import type { Answer } from './answers.ts';
import { calicoEnds, calicoSteps } from './calico.ts';
import { appliesTo } from './calico-match.ts';
import { ciliumEnds, type CiliumAgent } from './cilium.ts';
import { cniRuleLine, cniRuleTitle } from './words.ts';

type Outcome = 'allowed' | 'denied' | 'unknown';

const outcomeOf = (v: DirectionVerdict): Outcome => (v.verdict === 'denied' ? 'denied' : v.verdict === 'unknown' ? 'unknown' : 'allowed');

interface End {
  verdict: DirectionVerdict;
  doubts: string[];
}

/** The ends as one verdict: the first if they agree, else `unknown`, saying what it depends on. */
function combine(ends: End[], subject: string, base: Pick<DirectionVerdict, 'direction' | 'flow'>, extra: Partial<DirectionVerdict>, layer: DirectionVerdict['layer']): DirectionVerdict {
  const first = ends[0]!;
  const outcomes = new Set(ends.map((e) => outcomeOf(e.verdict)));
  if (outcomes.size === 1) return { ...first.verdict, ...extra };
  const ways = ends.map((e) => `${e.doubts.length > 0 ? e.doubts.join(', ') : 'otherwise'}: ${outcomeOf(e.verdict)} (${e.verdict.line.slice(subject.length + 1)})`);
  return {
    ...base,
    verdict: 'unknown',
    layer,
    isolatedBy: [],
    allowedBy: [],
    misses: [],
    ...extra,
    reason: `unknown: ${ways.join('; ')}`,
    line: `${subject} unknown: depends on ${[...new Set(ends.flatMap((e) => e.doubts))][0] ?? 'what Podpath cannot read'}`,
  };
}

function decidedByCni(base: Pick<DirectionVerdict, 'direction' | 'flow'>, subject: string, ref: CniRuleRef, effect: Answer['effect'], passes: CniRuleRef[], adminPass: AdminRuleRef | undefined): DirectionVerdict {
  const verdict = effect === 'allow' ? 'allowed' : effect === 'deny' ? 'denied' : 'unknown';
  const before = [...passes.map((p) => `${cniRuleTitle(p)} passed it on`), ...(adminPass ? [`${adminRuleTitle(adminPass)} passed it on`] : [])];
  const what = ref.section === 'end-of-tier' || ref.section === 'default-deny' ? ref.text : `${cniRuleTitle(ref)} ${ref.action === 'Deny' ? 'denies' : ref.action === 'Allow' ? 'allows' : `has action ${ref.action} for`} it (${ref.text})`;
  const note = ref.notEvaluated ? `; ${ref.notEvaluated}` : '';
  return {
    ...base,
    verdict,
    layer: ref.cni,
    cniRule: ref,
    ...(passes.length > 0 ? { cniPassedBy: passes } : {}),
    ...(adminPass ? { passedBy: adminPass } : {}),
    isolatedBy: [],
    allowedBy: [],
    misses: [],
    reason: `${verdict}: ${before.length > 0 ? `${before.join(', ')}; ` : ''}${what}${note}`,
    line: `${subject} ${verdict} by ${cniRuleLine(ref)}${ref.notEvaluated ? ' (L7 not evaluated)' : ''}`,
  };
}

function decidedByAdmin(base: Pick<DirectionVerdict, 'direction' | 'flow'>, subject: string, rule: AdminRuleRef, effect: Answer['effect'], passes: CniRuleRef[]): DirectionVerdict {
  const verdict = effect === 'allow' ? 'allowed' : effect === 'deny' ? 'denied' : 'unknown';
  const before = passes.map((p) => `${cniRuleTitle(p)} passed it on; `).join('');
  return {
    ...base,
    verdict,
    layer: rule.tier,
    decidedBy: rule,
    ...(passes.length > 0 ? { cniPassedBy: passes } : {}),
    isolatedBy: [],
    allowedBy: [],
    misses: [],
    reason: `${verdict}: ${before}${adminRuleTitle(rule)} ${rule.action === 'Deny' ? 'denies' : 'allows'} it (${rule.text}), in Calico's ${rule.tier === 'admin' ? 'kube-admin' : 'kube-baseline'} tier`,
    line: `${subject} ${verdict} by ${adminPolicyTitle(rule)} ${rule.direction} rule ${rule.rule + 1} (${rule.tier} tier)`,
  };
}

function calicoVerdict(side: Side, tiers: CalicoTierRecord[], policies: CalicoPolicyRecord[], admin: readonly AdminPolicyRecord[], np: DirectionVerdict): DirectionVerdict {
  const { topology, pod, direction, flow } = side;
  const own = direction === 'egress' ? flow.from : flow.to;
  const subject = lineSubject(own, direction);
  const base = { direction, flow: np.flow };
  const selectingAdmin = adminPoliciesOf(topology, admin, pod).filter((p) => (direction === 'ingress' ? p.ingress : p.egress).length > 0);
  const steps = calicoSteps(tiers, policies, selectingAdmin);
  const applying: Id[] = [];
  for (const step of steps) {
    if (step.kind === 'admin') applying.push(...step.policies.map((p) => p.id));
    else for (const m of step.members) if (m.kind === 'calico' && appliesTo(topology, m.policy, pod, direction).match !== 'no') applying.push(m.policy.id);
  }
  const ends: End[] = calicoEnds(side, steps, np, pod).map(({ answer, passes, isSelected }) => {
    const cniPasses = passes.flatMap((p) => (p.by && 'cni' in p.by ? [p.by.cni] : []));
    const adminPass = passes.flatMap((p) => (p.by && 'admin' in p.by ? [p.by.admin] : []))[0];
    const by = answer.by;
    if (by && 'cni' in by) return { verdict: decidedByCni(base, subject, by.cni, answer.effect, cniPasses, adminPass), doubts: answer.doubts };
    if (by && 'admin' in by) return { verdict: decidedByAdmin(base, subject, by.admin, answer.effect, cniPasses), doubts: answer.doubts };
    const passNote = [...cniPasses.map(cniRuleTitle), ...(adminPass ? [adminRuleTitle(adminPass)] : [])];
    const passText = passNote.length > 0 ? ` (after ${passNote.join(', ')} passed it on)` : '';
    if (by && 'np' in by) {
      const v: DirectionVerdict = { ...by.np, layer: 'networkpolicy', ...(cniPasses.length > 0 ? { cniPassedBy: cniPasses } : {}), ...(adminPass ? { passedBy: adminPass } : {}), reason: `${by.np.reason} (Kubernetes NetworkPolicy, in Calico's default tier at order 1000)${passText}` };
      return { verdict: v, doubts: answer.doubts };
    }
    // No tier decided: Calico's profiles allow.
    const verdict: DirectionVerdict = {
      ...base,
      verdict: isSelected || passNote.length > 0 ? 'allowed' : 'not-isolated',
      layer: 'default',
      ...(cniPasses.length > 0 ? { cniPassedBy: cniPasses } : {}),
      ...(adminPass ? { passedBy: adminPass } : {}),
      isolatedBy: [],
      allowedBy: [],
      misses: [],
      reason: `${passNote.length > 0 ? `${passNote.join(', ')} passed it on, and no later tier has a policy for it` : 'no Calico tier has a policy that selects it'}; Calico's namespace profile allows it`,
      line: `${subject} allowed: no Calico policy decides it${passNote.length > 0 ? ' after a Pass' : ''}`,
    };
    return { verdict, doubts: answer.doubts };
  });
  const extra = applying.length > 0 ? { cniPolicies: applying } : {};
  return combine(ends, subject, base, extra, 'calico');
}

function ciliumVerdict(side: Side, policies: CiliumPolicyRecord[], admin: readonly AdminPolicyRecord[], np: DirectionVerdict, agent: CiliumAgent | null): DirectionVerdict {
  const { topology, pod, direction, flow } = side;
  const own = direction === 'egress' ? flow.from : flow.to;
  const subject = lineSubject(own, direction);
  const base = { direction, flow: np.flow };
  const findings = ciliumEnds(side, policies, np, agent);
  const ends: End[] = findings.ends.map((answer) => {
    const by = answer.by;
    if (by && 'cni' in by) return { verdict: decidedByCni(base, subject, by.cni, answer.effect, [], undefined), doubts: answer.doubts };
    if (by && 'np' in by) return { verdict: { ...by.np, layer: 'networkpolicy', reason: `${by.np.reason} (Kubernetes NetworkPolicy, in Cilium's one repository with its own policies)` }, doubts: answer.doubts };
    const isEnforced = findings.selecting.length > 0;
    const verdict: DirectionVerdict = isEnforced
      ? { ...base, verdict: 'allowed', layer: 'cilium', isolatedBy: [], allowedBy: [], misses: [], reason: 'allowed: the Cilium policies that select it have enableDefaultDeny false for this direction, and none denies it', line: `${subject} allowed: no default deny (enableDefaultDeny: false)` }
      : { ...np, layer: 'default' };
    return { verdict, doubts: answer.doubts };
  });
  const extra = findings.selecting.length > 0 ? { cniPolicies: findings.selecting.map((p) => p.id) } : {};
  const verdict = combine(ends, subject, base, extra, 'cilium');
  const selectingAdmin = adminPoliciesOf(topology, admin, pod).filter((p) => (direction === 'ingress' ? p.ingress : p.egress).length > 0);
  if (selectingAdmin.length === 0) return verdict;
  const withAdmin = layeredVerdict(topology, admin, side.flow, np);
  if (outcomeOf(withAdmin) === outcomeOf(verdict)) return { ...verdict, adminPolicies: selectingAdmin.map((p) => p.id) };
  return {
    ...verdict,
    verdict: 'unknown',
    adminPolicies: selectingAdmin.map((p) => p.id),
    reason: `unknown: ${selectingAdmin.map(adminPolicyTitle).join(', ')} select it, and whether this Cilium enforces admin policies is not known (cilium/cilium#23380): if it does, ${withAdmin.reason}; if not, ${verdict.reason}`,
    line: `${subject} unknown: depends on whether Cilium enforces admin policies`,
  };
}

/** `never`: what the policies would decide, and that Cilium enforces none of it. */
function neverVerdict(wouldBe: DirectionVerdict, subject: string): DirectionVerdict {
  if (wouldBe.verdict !== 'denied' && wouldBe.verdict !== 'unknown') return { ...wouldBe, reason: `${wouldBe.reason}; Cilium enforces no policy anyway (enable-policy: never)` };
  const outcome = wouldBe.reason.startsWith(`${wouldBe.verdict}: `) ? wouldBe.reason : `${wouldBe.verdict}: ${wouldBe.reason}`;
  return {
    direction: wouldBe.direction,
    flow: wouldBe.flow,
    verdict: 'allowed',
    layer: 'cilium',
    ...(wouldBe.cniPolicies ? { cniPolicies: wouldBe.cniPolicies } : {}),
    ...(wouldBe.adminPolicies ? { adminPolicies: wouldBe.adminPolicies } : {}),
    isolatedBy: [],
    allowedBy: [],
    misses: [],
    reason: `allowed: Cilium's enable-policy is never, so it enforces no policy, neither its own nor Kubernetes NetworkPolicy (Cilium enforces both as the CNI); enforced, it would be ${outcome}`,
    line: `${subject} allowed: Cilium enforces no policy (enable-policy: never)`,
  };
}

/** The Cilium agent's settings when Cilium is the cluster's CNI; null otherwise. */
function ciliumAgentOf(topology: Topology): CiliumAgent | null {
  const cni = topology.cluster.cni.value;
  if (cni.name !== 'cilium') return null;
  return cni.ciliumPolicy ?? { mode: 'default', isAssumed: true, isLocalhostAllowed: true };
}

const assumedNote = "; Cilium's policy enforcement mode is assumed default (enable-policy in cilium-config not read)";

/** The pod at this direction's own end, when CNI policies can apply to it. */
function ownPod(flow: Flow, direction: 'ingress' | 'egress'): PodRecord | null {
  const pod = (direction === 'egress' ? flow.from : flow.to).pod;
  return pod && !pod.isHostNetwork ? pod : null;
}

/** `np` is the NetworkPolicy verdict alone (evaluate.ts); `cni` the CNI policy records. */
export function cniLayeredVerdict(topology: Topology, cni: readonly CniPolicyRecord[], admin: readonly AdminPolicyRecord[], flow: Flow, np: DirectionVerdict): DirectionVerdict {
  const tiers = cni.filter((r): r is CalicoTierRecord => r.cni === 'calico' && r.apiKind === 'Tier');
  const calico = cni.filter((r): r is CalicoPolicyRecord => r.cni === 'calico' && r.apiKind !== 'Tier');
  const cilium = cni.filter((r): r is CiliumPolicyRecord => r.cni === 'cilium');
  const pod = ownPod(flow, np.direction);
  const agent = calico.length === 0 && tiers.length === 0 ? ciliumAgentOf(topology) : null;
  if (agent && pod) return ciliumAgentVerdict(topology, cilium, admin, flow, np, pod, agent);
  if ((calico.length === 0 && tiers.length === 0 && cilium.length === 0) || !pod) return layeredVerdict(topology, admin, flow, np);
  const side: Side = { topology, flow, direction: np.direction, pod, peer: np.direction === 'egress' ? flow.to : flow.from };
  if (cilium.length > 0 && (calico.length > 0 || tiers.length > 0)) {
    const subject = lineSubject(np.direction === 'egress' ? flow.from : flow.to, np.direction);
    return {
      ...np,
      verdict: 'unknown',
      layer: 'default',
      reason: 'unknown: the cluster holds both Calico and Cilium policies, and which plugin enforces them is not known',
      line: `${subject} unknown: both Calico and Cilium policies are present`,
    };
  }
  return cilium.length > 0 ? ciliumVerdict(side, cilium, admin, np, null) : calicoVerdict(side, tiers, calico, admin, np);
}

/** Cilium as the CNI: its rules and NetworkPolicy under the agent's enforcement mode. */
function ciliumAgentVerdict(topology: Topology, cilium: CiliumPolicyRecord[], admin: readonly AdminPolicyRecord[], flow: Flow, np: DirectionVerdict, pod: PodRecord, agent: CiliumAgent): DirectionVerdict {
  const side: Side = { topology, flow, direction: np.direction, pod, peer: np.direction === 'egress' ? flow.to : flow.from };
  const subject = lineSubject(np.direction === 'egress' ? flow.from : flow.to, np.direction);
  // `never` reports what default mode would have enforced.
  const enforcing = agent.mode === 'never' ? { ...agent, mode: 'default' as const } : agent;
  const enforced = cilium.length > 0 || agent.mode === 'always' ? ciliumVerdict(side, cilium, admin, np, enforcing) : layeredVerdict(topology, admin, flow, np);
  if (agent.mode === 'never') return neverVerdict(enforced, subject);
  return agent.isAssumed ? { ...enforced, reason: `${enforced.reason}${assumedNote}` } : enforced;
}
