/**
 * A direction's verdict where Cilium enforces policy: one repository of rules from
 * CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy alike
 * (cilium/cilium Documentation/security/policy intro.rst, deny.rst; pkg/policy/repository.go):
 * - Default mode: an endpoint is in default deny for a direction once any rule that selects it
 *   has that direction's section (`ingress`/`ingressDeny`, `egress`/`egressDeny`) with
 *   `enableDefaultDeny` not false for it, or a NetworkPolicy isolates it. Rules with
 *   `enableDefaultDeny: false` enforce without default deny: what they do not deny stays allowed.
 * - Allow rules union ("traffic matching the union of those rules will be allowed").
 * - "Deny policies take precedence over allow policies, regardless of whether they are a Cilium
 *   Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy."
 * - The agent's `enable-policy` (cilium-config; pkg/option/config.go, pkg/policy/repository.go
 *   computePolicyEnforcementAndRules): `always` enforces on every endpoint in both directions,
 *   rules or not, so what no rule allows is denied; `never` is layered.ts's (nothing enforced).
 * - `allow-localhost` (pkg/policy/mapstate.go determineAllowLocalhostIngress): under Kubernetes
 *   the node always reaches its own endpoints on ingress, unless a deny rule says otherwise.
 *   Where the CNI is not known to be Cilium (`agent` null) the rules are read alone.
 */
import type { CniInfo } from '../../model/cluster.ts';
import type { CiliumPolicyRecord } from '../../model/cni-policy.ts';
import type { Side } from '../rules.ts';
import type { CniRuleRef, DirectionVerdict } from '../types.ts';
import { maxAnswers, type Answer } from './answers.ts';
import { ciliumRuleMatches, entitiesOf, selectsEndpoint, type Requirement } from './cilium-match.ts';

/** The agent settings a verdict depends on (cluster facts, shared/topology/cni/cilium.ts). */
export type CiliumAgent = NonNullable<CniInfo['ciliumPolicy']>;

/** A decision of the agent's settings rather than of a rule: `policy` is empty, `name` the
 * setting (words.ts names it). */
export function agentRef(direction: 'ingress' | 'egress', setting: string, action: 'Allow' | 'Deny', text: string): CniRuleRef {
  return { cni: 'cilium', policy: '', name: setting, apiKind: 'CiliumNetworkPolicy', tier: null, order: null, direction, section: 'default-deny', rule: null, action, text };
}

function ciliumRef(policy: CiliumPolicyRecord, direction: 'ingress' | 'egress', section: CniRuleRef['section'], spec: number, rule: number | null, action: string, text: string, notEvaluated?: string): CniRuleRef {
  return {
    cni: 'cilium',
    policy: policy.id,
    name: policy.namespace === null ? policy.name : `${policy.namespace}/${policy.name}`,
    apiKind: policy.apiKind,
    tier: null,
    order: null,
    direction,
    section,
    spec,
    rule,
    action,
    text,
    ...(notEvaluated ? { notEvaluated } : {}),
  };
}

/** The `fromRequires`/`toRequires` of every rule that selects the pod, allow and deny rules apart. */
function requirementsOf(side: Side, policies: readonly CiliumPolicyRecord[]): { allow: Requirement[]; deny: Requirement[] } {
  const key = side.direction === 'ingress' ? 'fromRequires' : 'toRequires';
  const denyKey = side.direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const allow: Requirement[] = [];
  const deny: Requirement[] = [];
  for (const policy of policies) {
    for (const rule of policy.rules) {
      if (!selectsEndpoint(side.topology, policy, rule, side.pod)) continue;
      for (const r of rule[side.direction] ?? []) for (const selector of r[key] ?? []) allow.push({ policy, selector });
      for (const r of rule[denyKey] ?? []) for (const selector of r[key] ?? []) deny.push({ policy, selector });
    }
  }
  return { allow, deny };
}

export interface CiliumFindings {
  /** Policies with a rule that selects the pod and has this direction's section. */
  selecting: CiliumPolicyRecord[];
  isDefaultDeny: boolean;
  ends: Answer[];
}

/** Every way Cilium's rules can decide the direction; `np` is NetworkPolicy's verdict alone. */
export function ciliumEnds(side: Side, policies: readonly CiliumPolicyRecord[], np: DirectionVerdict, agent: CiliumAgent | null = null): CiliumFindings {
  const allowKey = side.direction;
  const denyKey = side.direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const selecting: CiliumPolicyRecord[] = [];
  const isAlways = agent?.mode === 'always';
  const isIsolatedByNp = np.verdict === 'allowed' || np.verdict === 'denied';
  let isDefaultDeny = isAlways || isIsolatedByNp;
  const allows: { ref: CniRuleRef; match: 'yes' | 'maybe' }[] = [];
  const denies: { ref: CniRuleRef; match: 'yes' | 'maybe' }[] = [];
  const requirements = requirementsOf(side, policies);
  for (const policy of policies) {
    let isSelecting = false;
    for (const [specIndex, rule] of policy.rules.entries()) {
      if (!selectsEndpoint(side.topology, policy, rule, side.pod)) continue;
      const allowRules = rule[allowKey] ?? [];
      const denyRules = rule[denyKey] ?? [];
      if (allowRules.length === 0 && denyRules.length === 0) continue;
      isSelecting = true;
      if (rule.enableDefaultDeny?.[side.direction] !== false) isDefaultDeny = true;
      for (const [section, list, into] of [[allowKey, allowRules, allows], [denyKey, denyRules, denies]] as const) {
        for (const [i, r] of list.entries()) {
          const m = ciliumRuleMatches(side, policy, r, section === denyKey ? requirements.deny : requirements.allow);
          if (m.match === 'no') continue;
          const isDeny = section === denyKey;
          into.push({ ref: ciliumRef(policy, side.direction, section, specIndex, i, isDeny ? 'Deny' : 'Allow', m.text, isDeny ? undefined : m.notEvaluated), match: m.match });
        }
      }
    }
    if (isSelecting) selecting.push(policy);
  }
  const isEnforced = isAlways || selecting.length > 0 || isIsolatedByNp;
  const ends: Answer[] = [];
  const title = (ref: CniRuleRef) => `${ref.apiKind} ${ref.name} ${ref.section} rule ${(ref.rule ?? 0) + 1}`;
  // A sure deny decides; a maybe deny splits the answer.
  const sureDeny = denies.find((d) => d.match === 'yes');
  if (sureDeny) return { selecting, isDefaultDeny, ends: [{ effect: 'deny', by: { cni: sureDeny.ref }, doubts: [] }] };
  const ifNoDeny = denies.map((d) => `if ${title(d.ref)} does not match (${d.ref.text})`);
  for (const d of denies) if (ends.length < maxAnswers) ends.push({ effect: 'deny', by: { cni: d.ref }, doubts: [`if ${title(d.ref)} matches (${d.ref.text})`] });

  if (!isEnforced) return { selecting, isDefaultDeny, ends: [...ends, { effect: 'none', by: null, doubts: ifNoDeny }] };
  if (np.verdict === 'allowed') return { selecting, isDefaultDeny, ends: [...ends, { effect: 'allow', by: { np }, doubts: ifNoDeny }] };
  const sureAllow = allows.find((a) => a.match === 'yes');
  if (sureAllow) return { selecting, isDefaultDeny, ends: [...ends, { effect: 'allow', by: { cni: sureAllow.ref }, doubts: ifNoDeny }] };
  if (agent?.isLocalhostAllowed && side.direction === 'ingress' && entitiesOf(side).names.has('host')) {
    const localhost = agentRef('ingress', 'allow-localhost', 'Allow', `${side.peer.ip} is the pod's own node (entity host), which Cilium always lets reach its endpoints (allow-localhost, the Kubernetes default)`);
    return { selecting, isDefaultDeny, ends: [...ends, { effect: 'allow', by: { cni: localhost }, doubts: ifNoDeny }] };
  }
  for (const a of allows) ends.push({ effect: 'allow', by: { cni: a.ref }, doubts: [...ifNoDeny, `if ${title(a.ref)} matches (${a.ref.text})`] });
  const noAllow = allows.map((a) => `if ${title(a.ref)} does not match`);
  if (!isDefaultDeny) return { selecting, isDefaultDeny, ends: [...ends, { effect: 'none', by: null, doubts: [...ifNoDeny, ...noAllow] }] };
  const first = selecting[0];
  const doubts = [...ifNoDeny, ...noAllow];
  const policiesText = selecting.length > 1 ? `${selecting.length} policies` : 'the policy';
  // Under `always` the mode, not a policy, is why the endpoint denies what no rule allows.
  if (isAlways && (first || !isIsolatedByNp)) {
    const text = `${first ? 'no allow rule of the policies that select it matches' : 'no policy selects it'}, and enable-policy: always puts every endpoint into default deny`;
    return { selecting, isDefaultDeny, ends: [...ends, { effect: 'deny', by: { cni: agentRef(side.direction, 'enable-policy: always', 'Deny', text) }, doubts }] };
  }
  // Isolated by NetworkPolicy alone: NetworkPolicy's own denial says it best.
  const deny: Answer = first
    ? { effect: 'deny', by: { cni: ciliumRef(first, side.direction, 'default-deny', 0, null, 'Deny', `no allow rule matches, and ${policiesText} put the pod into default deny`) }, doubts }
    : { effect: 'deny', by: { np }, doubts };
  return { selecting, isDefaultDeny, ends: [...ends, deny] };
}
