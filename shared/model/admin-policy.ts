/** The admin policies' records in the model (the CNI plugins' are in cni-policy.ts). */
import type { AdminPeer, AdminSubject } from '../kube/admin-objects.ts';
import type { Id } from './types.ts';

/**
 * A cluster-scoped admin policy of network-policy-api — an AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy or ClusterNetworkPolicy — in one shape for the three kinds
 * (topology/derive-admin.ts); shared/policy/admin/ evaluates it.
 */
export interface AdminPolicyRecord {
  id: Id;
  kind: 'adminpolicy';
  name: string;
  apiKind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';
  /** Admin rules come before NetworkPolicy, baseline rules after it. */
  tier: 'admin' | 'baseline';
  /** Lower first, within the tier; null for a BaselineAdminNetworkPolicy, which has none. */
  priority: number | null;
  subject: AdminSubject;
  ingress: AdminRuleRecord[];
  egress: AdminRuleRecord[];
}

/** One rule, in the order written (the first that matches decides, within its policy). */
export interface AdminRuleRecord {
  /** The rule's `name`, when it has one. */
  name: string | null;
  /** As written: Allow (v1alpha1) or Accept (v1alpha2), Deny, Pass; anything else is kept to
   * say so. */
  action: string;
  /** `from` for ingress, `to` for egress. */
  peers: AdminPeer[];
  /** Null when the rule does not filter by port. */
  ports: AdminPortRecord[] | null;
}

/** A port as v1alpha1's `ports` and v1alpha2's `protocols` both say it: a protocol with a
 * range (`start` = `end` for one port, absent for every port) or a named container port. */
export type AdminPortRecord = { protocol: 'TCP' | 'UDP' | 'SCTP'; start?: number; end?: number } | { name: string };
