/**
 * The policy hop of a direction a Calico or Cilium policy decided (or left unknown): its label
 * names the deciding rule, its evidence each CNI policy with the command that shows it.
 */
import type { CniPolicyRecord } from '../model/cni-policy.ts';
import type { Id, Topology } from '../model/types.ts';
import { cniRuleTitle } from '../policy/cni/words.ts';
import type { DirectionVerdict } from '../policy/types.ts';
import { shellQuote } from '../text/shell.ts';
import type { Evidence } from './types.ts';

const resources: Record<string, string> = {
  NetworkPolicy: 'networkpolicies.projectcalico.org',
  GlobalNetworkPolicy: 'globalnetworkpolicies.projectcalico.org',
  Tier: 'tiers.projectcalico.org',
  CiliumNetworkPolicy: 'ciliumnetworkpolicies.cilium.io',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies.cilium.io',
};

/** `kubectl get networkpolicies.projectcalico.org -n shop web -o yaml`. */
export function cniPolicyCommand(policy: Pick<CniPolicyRecord, 'apiKind' | 'name'> & { namespace?: string | null }): string {
  const namespace = policy.namespace ? ` -n ${shellQuote(policy.namespace)}` : '';
  return `kubectl get ${resources[policy.apiKind] ?? policy.apiKind.toLowerCase()}${namespace} ${shellQuote(policy.name)} -o yaml`;
}

/** Whether the hop is the CNI policies' to draw. */
export function isCniDecided(verdict: DirectionVerdict): boolean {
  return verdict.cniRule !== undefined || (verdict.verdict === 'unknown' && verdict.cniPolicies !== undefined && verdict.decidedBy === undefined);
}

export function cniHopLabel(verdict: DirectionVerdict, of: string): string {
  const rule = verdict.cniRule;
  if (!rule || verdict.verdict === 'unknown') return `CNI policies ${of}: unknown`;
  return `${rule.cni === 'calico' ? 'Calico' : 'Cilium'} policy ${of}: ${verdict.verdict} by ${cniRuleTitle(rule)}${rule.notEvaluated ? ' (L7 not evaluated)' : ''}`;
}

export function cniHopEvidence(topology: Topology, verdict: DirectionVerdict): { ids: Id[]; evidence: Evidence[] } {
  const ids = [...new Set([...(verdict.cniRule ? [verdict.cniRule.policy] : []), ...(verdict.cniPassedBy ?? []).map((r) => r.policy), ...(verdict.cniPolicies ?? [])])].filter((id) => topology.cniPolicies?.[id]);
  const evidence: Evidence[] = ids.map((id) => {
    const policy = topology.cniPolicies[id]!;
    const name = 'namespace' in policy && policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name;
    return { text: `${policy.cni === 'calico' ? 'Calico ' : ''}${policy.apiKind} ${name}`, object: id, field: `spec.${verdict.direction}`, command: cniPolicyCommand(policy) };
  });
  return { ids, evidence };
}
