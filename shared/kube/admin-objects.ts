/**
 * Cluster-scoped admin policies of the network-policy-api project (policy.networking.k8s.io),
 * trimmed like every other kind (trim/admin-policy.ts), with the API's own field names:
 * - v1alpha1 `AdminNetworkPolicy` (admin tier, by priority) and `BaselineAdminNetworkPolicy`
 *   (the baseline tier, a singleton named `default`), up to release v0.1.7;
 * - v1alpha2 `ClusterNetworkPolicy`, which replaces both with a `tier` of Admin or Baseline.
 * Source: kubernetes-sigs/network-policy-api apis/v1alpha1 (tag v0.1.7, 0638d394) and
 * apis/v1alpha2 (0eec1b0e). How they are evaluated is shared/policy/admin/.
 */
import type { LabelSelector, ObjectMeta } from './objects.ts';

/** Pods selected by their namespace's labels and their own. */
export interface NamespacedPod {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}

/** Exactly one field is set (the CRD enforces it). Host-networked pods are never a subject. */
export interface AdminSubject {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}

/**
 * A rule's peer: exactly one field is set. Ingress rules allow only `namespaces` and `pods`.
 * A peer with none of the fields Podpath knows is kept as `{}`: the API says to fail closed on
 * it (an Allow rule matches nothing, a Deny or Pass rule everything).
 */
export interface AdminPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
  /** Nodes by label: their addresses in status.addresses (experimental). */
  nodes?: LabelSelector;
  /** CIDRs; they match cluster-internal addresses too. */
  networks?: string[];
  /** Egress to DNS names (experimental): which addresses they resolve to is not in the API. */
  domainNames?: string[];
}

/** v1alpha1: exactly one field is set; protocols default to TCP. */
export interface AdminPort {
  portNumber?: { protocol?: string; port: number };
  /** A container port name on the destination pod (experimental). */
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}

export interface AdminRule {
  name?: string;
  /** v1alpha1: Allow, Deny, Pass (Allow and Deny only in a BaselineAdminNetworkPolicy). */
  action: string;
  from?: AdminPeer[];
  to?: AdminPeer[];
  ports?: AdminPort[];
}

export interface AdminNetworkPolicy {
  metadata: ObjectMeta;
  spec: { priority: number; subject: AdminSubject; ingress?: AdminRule[]; egress?: AdminRule[] };
}

export interface BaselineAdminNetworkPolicy {
  metadata: ObjectMeta;
  spec: { subject: AdminSubject; ingress?: AdminRule[]; egress?: AdminRule[] };
}

/** v1alpha2: a port number or an inclusive range. */
export interface ClusterPolicyPort {
  number?: number;
  range?: { start: number; end: number };
}

/** v1alpha2: exactly one field is set; a protocol without `destinationPort` matches all its ports. */
export interface ClusterPolicyProtocol {
  tcp?: { destinationPort?: ClusterPolicyPort };
  udp?: { destinationPort?: ClusterPolicyPort };
  sctp?: { destinationPort?: ClusterPolicyPort };
  destinationNamedPort?: string;
}

export interface ClusterPolicyRule {
  name?: string;
  /** Accept, Deny or Pass. */
  action: string;
  from?: AdminPeer[];
  to?: AdminPeer[];
  protocols?: ClusterPolicyProtocol[];
}

export interface ClusterNetworkPolicy {
  metadata: ObjectMeta;
  spec: { tier: string; priority: number; subject: AdminSubject; ingress?: ClusterPolicyRule[]; egress?: ClusterPolicyRule[] };
}
