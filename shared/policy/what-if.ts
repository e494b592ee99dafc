/**
 * What-if NetworkPolicies (issue 6) and admin policies (issue 15): the policies a user hands over — a `--with-policy` file, a
 * pasted manifest — read from parsed documents as the model holds them, with everything else in
 * the documents named so the caller can say it was left out. One reading for the CLI and the app.
 */
import { unknownRuleFields } from '../kube/admin-policy-fields.ts';
import { objectsFromDocuments } from '../kube/manifests.ts';
import type { AdminPolicyRecord } from '../model/admin-policy.ts';
import type { PolicyRecord } from '../model/types.ts';
import { deriveAdminPolicies } from '../topology/derive-admin.ts';
import type { CniPolicyRecord } from '../model/cni-policy.ts';
import { deriveCniPolicies } from '../topology/derive-cni-policy.ts';
import { policyRecordFrom } from './evaluate.ts';

export interface WhatIfPolicies {
  policies: PolicyRecord[];
  /** AdminNetworkPolicies, BaselineAdminNetworkPolicies and ClusterNetworkPolicies, as records. */
  adminPolicies: AdminPolicyRecord[];
  /** Calico's NetworkPolicies, GlobalNetworkPolicies and Tiers, Cilium's policies, as records. */
  cniPolicies: CniPolicyRecord[];
  /** Objects that are not NetworkPolicies, e.g. `{ kind: 'Deployment', name: 'shop/web' }`. */
  ignored: { kind: string; name: string | null }[];
  /** Why a policy in the documents cannot be used (a required field missing, no name, a rule
   * field its API version does not have…); such an admin policy is left out of `adminPolicies`. */
  unusable: string[];
}

/** Kinds read below; `NetworkPolicy` left out by the first read is Calico's (projectcalico.org). */
const adminKinds: ReadonlySet<string> = new Set(['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy', 'GlobalNetworkPolicy', 'Tier', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** `namespace`: where a policy without one goes, as `kubectl apply -n` would put it. */
export function whatIfPolicies(docs: unknown[], source: string, namespace = 'default'): WhatIfPolicies {
  const { objects, skipped, leftOut } = objectsFromDocuments(docs, source, { defaultNamespace: namespace, only: 'networkPolicies' });
  const ignored: WhatIfPolicies['ignored'] = leftOut.filter((o) => !adminKinds.has(o.kind));
  const unusable: string[] = [];
  for (const s of skipped) {
    if (s.kind === 'NetworkPolicy' || adminKinds.has(s.kind)) unusable.push(s.reason);
    else ignored.push({ kind: s.kind, name: null });
  }
  // The admin policies are cluster-scoped: read each kind apart, with no namespace to default.
  const admin = (['adminNetworkPolicies', 'baselineAdminNetworkPolicies', 'clusterNetworkPolicies'] as const).map((only) => objectsFromDocuments(docs, source, { only }).objects);
  // A rule field its API version does not have is dropped by the read: kubectl's strict
  // validation would refuse the object, so it is unusable here too, not read without the field.
  const misspelt = unknownRuleFields(docs);
  unusable.push(...misspelt.map((m) => m.problem));
  const adminPolicies = deriveAdminPolicies({
    adminNetworkPolicies: admin[0]!.adminNetworkPolicies,
    baselineAdminNetworkPolicies: admin[1]!.baselineAdminNetworkPolicies,
    clusterNetworkPolicies: admin[2]!.clusterNetworkPolicies,
  }).filter((p) => !misspelt.some((m) => m.kind === p.apiKind && m.name === p.name));
  // Calico's and Cilium's: a namespaced one without a namespace goes where `namespace` says.
  // (Calico's NetworkPolicy shares its kind name with Kubernetes'; the apiVersion tells them apart.)
  const cni = objectsFromDocuments(docs, source, { defaultNamespace: namespace }).objects;
  const cniPolicies = deriveCniPolicies(cni);
  return { policies: objects.networkPolicies.map((p) => policyRecordFrom(p)), adminPolicies, cniPolicies, ignored, unusable };
}
