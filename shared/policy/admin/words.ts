/**
 * How the admin-policy evaluator names peers, ports and rules in its reasons and lines.
 */
import type { AdminPeer } from '../../kube/admin-objects.ts';
import type { AdminPolicyRecord, AdminPortRecord } from '../../model/admin-policy.ts';
import type { AdminRuleRef } from '../types.ts';
import { describeSelector } from '../words.ts';

/** `namespaces team=a`, or `every namespace` for the empty selector, which selects them all. */
export function selectedBy(selector: Parameters<typeof describeSelector>[0], noun: string): string {
  const text = describeSelector(selector);
  return text === '{}' ? `every ${noun}` : `${noun}s ${text}`;
}

export function describeAdminPeer(peer: AdminPeer): string {
  if (peer.namespaces) return selectedBy(peer.namespaces, 'namespace');
  if (peer.pods) return `${selectedBy(peer.pods.podSelector, 'pod')} in ${selectedBy(peer.pods.namespaceSelector, 'namespace')}`;
  if (peer.nodes) return selectedBy(peer.nodes, 'node');
  if (peer.networks) return `networks ${peer.networks.join(', ')}`;
  if (peer.domainNames) return `domainNames ${peer.domainNames.join(', ')}`;
  return 'a peer with no field Podpath knows (fails closed)';
}

export function describeAdminPort(port: AdminPortRecord): string {
  if (!('protocol' in port)) return `named port ${port.name}`;
  if (port.start === undefined) return `every ${port.protocol} port`;
  return port.end === undefined || port.end === port.start ? `${port.start}/${port.protocol}` : `${port.start}-${port.end}/${port.protocol}`;
}

/** `ClusterNetworkPolicy pass-example`. */
export function policyTitle(policy: Pick<AdminPolicyRecord, 'apiKind' | 'name'>): string {
  return `${policy.apiKind} ${policy.name}`;
}

/** `(admin tier, priority 10)`, `(baseline tier)`. */
export function tierText(ref: Pick<AdminRuleRef, 'tier' | 'priority'>): string {
  return `${ref.tier} tier${ref.priority === null ? '' : `, priority ${ref.priority}`}`;
}

/** `ClusterNetworkPolicy pass-example ingress rule 1 "deny-from-slytherin" (admin tier, priority 10)`. */
export function ruleTitle(ref: AdminRuleRef): string {
  const named = ref.ruleName ? ` "${ref.ruleName}"` : '';
  return `${policyTitle(ref)} ${ref.direction} rule ${ref.rule + 1}${named} (${tierText(ref)})`;
}
