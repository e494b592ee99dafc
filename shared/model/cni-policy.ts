/**
 * The CNI plugins' policies as model records (topology/derive-cni-policy.ts), one collection
 * `cniPolicies` for both plugins, told apart by `cni` and `apiKind`; shared/policy/cni/
 * evaluates them. Selectors stay selectors, matched at evaluation time.
 */
import type { CalicoRule, CiliumRule } from '../kube/cni-policy-objects.ts';
import type { Id } from './types.ts';

/** A Calico NetworkPolicy (namespaced) or GlobalNetworkPolicy, in its tier. */
export interface CalicoPolicyRecord {
  id: Id;
  kind: 'cnipolicy';
  cni: 'calico';
  apiKind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  name: string;
  /** Null for a GlobalNetworkPolicy. */
  namespace: string | null;
  tier: string;
  /** Lower first within the tier; null is last ("infinite"). */
  order: number | null;
  /** Calico selector syntax; `all()` when the spec left it empty. */
  selector: string;
  /** GlobalNetworkPolicy only; null when absent. */
  namespaceSelector: string | null;
  serviceAccountSelector: string | null;
  /** With Calico's default applied: Ingress unless only egress rules are written, plus Egress
   * when egress rules are. */
  types: ('Ingress' | 'Egress')[];
  ingress: CalicoRule[];
  egress: CalicoRule[];
  /** `preDNAT` or `doNotTrack`: such a policy applies to host endpoints only, never to pods. */
  isHostOnly: boolean;
}

export interface CalicoTierRecord {
  id: Id;
  kind: 'cnipolicy';
  cni: 'calico';
  apiKind: 'Tier';
  name: string;
  /** Lower first; null is last. */
  order: number | null;
  /** What a pod selected by the tier's policies gets when none of their rules matches: Deny
   * (the default) or Pass. */
  defaultAction: string;
}

/** A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: its `spec` and `specs` in one list. */
export interface CiliumPolicyRecord {
  id: Id;
  kind: 'cnipolicy';
  cni: 'cilium';
  apiKind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  name: string;
  /** Null for a CiliumClusterwideNetworkPolicy. */
  namespace: string | null;
  rules: CiliumRule[];
}

export type CniPolicyRecord = CalicoPolicyRecord | CalicoTierRecord | CiliumPolicyRecord;
