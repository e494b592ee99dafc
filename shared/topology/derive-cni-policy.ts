/**
 * The CNI plugins' policies as model records (model/cni-policy.ts). Pure, per object.
 * Calico's defaults (projectcalico/calico api/pkg/apis/projectcalico/v3 at 87c15906): a policy
 * without `tier` is in `default`; without `types`, Ingress when it has no egress rules, Egress
 * when it has only egress rules, both when it has both; a Tier's `defaultAction` is Deny.
 */
import type { CalicoGlobalNetworkPolicy, CalicoNetworkPolicy, CalicoPolicySpec, CalicoTier, CiliumClusterwideNetworkPolicy, CiliumNetworkPolicy } from '../kube/cni-policy-objects.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { CalicoPolicyRecord, CalicoTierRecord, CiliumPolicyRecord, CniPolicyRecord } from '../model/cni-policy.ts';
import type { Topology } from '../model/types.ts';
import { ids } from './ids.ts';

function calicoTypes(spec: CalicoPolicySpec): ('Ingress' | 'Egress')[] {
  const written = (spec.types ?? []).filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  if (written.length > 0) return written;
  const hasIngress = (spec.ingress ?? []).length > 0;
  const hasEgress = (spec.egress ?? []).length > 0;
  if (hasEgress && hasIngress) return ['Ingress', 'Egress'];
  return hasEgress ? ['Egress'] : ['Ingress'];
}

function calicoPolicy(spec: CalicoPolicySpec): Omit<CalicoPolicyRecord, 'id' | 'kind' | 'cni' | 'apiKind' | 'name' | 'namespace'> {
  return {
    tier: spec.tier ?? 'default',
    order: spec.order ?? null,
    selector: spec.selector?.trim() ? spec.selector : 'all()',
    namespaceSelector: spec.namespaceSelector?.trim() ? spec.namespaceSelector : null,
    serviceAccountSelector: spec.serviceAccountSelector?.trim() ? spec.serviceAccountSelector : null,
    types: calicoTypes(spec),
    ingress: spec.ingress ?? [],
    egress: spec.egress ?? [],
    isHostOnly: spec.preDNAT === true || spec.doNotTrack === true,
  };
}

export function deriveCalicoNetworkPolicy(policy: CalicoNetworkPolicy): CalicoPolicyRecord {
  const { name, namespace = 'default' } = policy.metadata;
  // A namespaced policy has no namespaceSelector of its own: it selects pods of its namespace.
  return { id: ids.calicoNetworkPolicy(namespace, name), kind: 'cnipolicy', cni: 'calico', apiKind: 'NetworkPolicy', name, namespace, ...calicoPolicy({ ...policy.spec, namespaceSelector: undefined }) };
}

export function deriveCalicoGlobalNetworkPolicy(policy: CalicoGlobalNetworkPolicy): CalicoPolicyRecord {
  const { name } = policy.metadata;
  return { id: ids.calicoGlobalNetworkPolicy(name), kind: 'cnipolicy', cni: 'calico', apiKind: 'GlobalNetworkPolicy', name, namespace: null, ...calicoPolicy(policy.spec) };
}

export function deriveCalicoTier(tier: CalicoTier): CalicoTierRecord {
  const { name } = tier.metadata;
  return { id: ids.calicoTier(name), kind: 'cnipolicy', cni: 'calico', apiKind: 'Tier', name, order: tier.spec.order ?? null, defaultAction: tier.spec.defaultAction ?? 'Deny' };
}

function ciliumRules(policy: CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy) {
  return [...(policy.spec ? [policy.spec] : []), ...(policy.specs ?? [])];
}

export function deriveCiliumNetworkPolicy(policy: CiliumNetworkPolicy): CiliumPolicyRecord {
  const { name, namespace = 'default' } = policy.metadata;
  return { id: ids.ciliumNetworkPolicy(namespace, name), kind: 'cnipolicy', cni: 'cilium', apiKind: 'CiliumNetworkPolicy', name, namespace, rules: ciliumRules(policy) };
}

export function deriveCiliumClusterwideNetworkPolicy(policy: CiliumClusterwideNetworkPolicy): CiliumPolicyRecord {
  const { name } = policy.metadata;
  return { id: ids.ciliumClusterwideNetworkPolicy(name), kind: 'cnipolicy', cni: 'cilium', apiKind: 'CiliumClusterwideNetworkPolicy', name, namespace: null, rules: ciliumRules(policy) };
}

export type CniPolicyObjects = Pick<ClusterObjects, 'calicoNetworkPolicies' | 'calicoGlobalNetworkPolicies' | 'calicoTiers' | 'ciliumNetworkPolicies' | 'ciliumClusterwideNetworkPolicies'>;

/** Every CNI policy of `objects`, as records. */
export function deriveCniPolicies(objects: CniPolicyObjects): CniPolicyRecord[] {
  return [
    ...objects.calicoTiers.map(deriveCalicoTier),
    ...objects.calicoNetworkPolicies.map(deriveCalicoNetworkPolicy),
    ...objects.calicoGlobalNetworkPolicies.map(deriveCalicoGlobalNetworkPolicy),
    ...objects.ciliumNetworkPolicies.map(deriveCiliumNetworkPolicy),
    ...objects.ciliumClusterwideNetworkPolicies.map(deriveCiliumClusterwideNetworkPolicy),
  ];
}

export function addCniPolicies(topology: Topology, objects: CniPolicyObjects): void {
  for (const record of deriveCniPolicies(objects)) topology.cniPolicies[record.id] = record;
}
