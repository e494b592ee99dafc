/**
 * How the CNI policy evaluator names rules in its reasons and lines.
 */
import type { CniRuleRef } from '../types.ts';

/** `Calico GlobalNetworkPolicy deny-db`, `CiliumNetworkPolicy shop/allow-web`. */
export function cniPolicyTitle(ref: Pick<CniRuleRef, 'cni' | 'apiKind' | 'name'>): string {
  if (ref.apiKind === 'Tier') return `Calico tier ${ref.name}`;
  return ref.cni === 'calico' ? `Calico ${ref.apiKind} ${ref.name}` : `${ref.apiKind} ${ref.name}`;
}

function placeText(ref: CniRuleRef): string {
  if (ref.cni !== 'calico') return '';
  return ` (tier ${ref.tier}${ref.order === null ? '' : `, order ${ref.order}`})`;
}

/** `Calico NetworkPolicy shop/allow ingress rule 2 (tier default, order 100)`; `Cilium's default
 * deny (enable-policy: always)`. */
export function cniRuleTitle(ref: CniRuleRef): string {
  if (ref.section === 'end-of-tier') return `the end of Calico tier ${ref.name} (${ref.action})`;
  // No policy: the agent's own setting decided (cilium.ts agentRef).
  if (ref.cni === 'cilium' && ref.policy === '') return ref.action === 'Deny' ? `Cilium's default deny (${ref.name})` : `Cilium's ${ref.name}`;
  if (ref.section === 'default-deny') return `Cilium's default deny (${cniPolicyTitle(ref)} selects the pod)`;
  const spec = ref.cni === 'cilium' && ref.spec ? ` specs[${ref.spec - 1}]` : '';
  return `${cniPolicyTitle(ref)}${spec} ${ref.section} rule ${(ref.rule ?? 0) + 1}${placeText(ref)}`;
}

/** The same, shorter, for a verdict's line. */
export function cniRuleLine(ref: CniRuleRef): string {
  return cniRuleTitle(ref);
}
