/**
 * What-if NetworkPolicies (issue 6) and admin policies (issue 15): the policies a user hands over — a `--with-policy` file, a
 * pasted manifest — read from parsed documents as the model holds them, with everything else in
 * the documents named so the caller can say it was left out. One reading for the CLI and the app.
 */
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

/**
 * The fields of the admin policies' rules, by kind, down to their ports (apis/v1alpha1
 * adminnetworkpolicy_types.go and baselineadminnetworkpolicy_types.go at v0.1.7, apis/v1alpha2
 * clusternetworkpolicy_types.go at 0eec1b0e of kubernetes-sigs/network-policy-api). `null`:
 * read as a whole elsewhere. A v1alpha1 `ports` in a v1alpha2 rule (there `protocols`) would
 * otherwise be dropped, and the rule match every port.
 */
interface Shape {
  [field: string]: Shape | null;
}
const clusterPort: Shape = { destinationPort: { number: null, range: null } };
const clusterProtocols: Shape = { tcp: clusterPort, udp: clusterPort, sctp: clusterPort, destinationNamedPort: null };
const adminPorts: Shape = { portNumber: { protocol: null, port: null }, portRange: { protocol: null, start: null, end: null }, namedPort: null };
const ruleShapes: Record<string, { version: string; ingress: Shape; egress: Shape }> = {
  ClusterNetworkPolicy: { version: 'v1alpha2', ingress: { name: null, action: null, from: null, protocols: clusterProtocols }, egress: { name: null, action: null, to: null, protocols: clusterProtocols } },
  AdminNetworkPolicy: { version: 'v1alpha1', ingress: { name: null, action: null, from: null, ports: adminPorts }, egress: { name: null, action: null, to: null, ports: adminPorts } },
  BaselineAdminNetworkPolicy: { version: 'v1alpha1', ingress: { name: null, action: null, from: null, ports: adminPorts }, egress: { name: null, action: null, to: null, ports: adminPorts } },
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `path` of each field of `value` (or of each item, for a list) that `shape` does not have. */
function unknownFields(value: unknown, shape: Shape, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownFields(item, shape, `${path}[${i}]`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([field, inner]) => {
    if (!(field in shape)) return [`${path}.${field}`];
    const innerShape = shape[field];
    return innerShape ? unknownFields(inner, innerShape, `${path}.${field}`) : [];
  });
}

/** The admin policies in `docs` (Lists opened) whose rules have a field their version does not. */
export function unknownRuleFields(docs: unknown[]): { kind: string; name: string; problem: string }[] {
  const out: { kind: string; name: string; problem: string }[] = [];
  const pending = [...docs].reverse();
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const doc = pending.pop();
    if (!isObject(doc) || seen.has(doc)) continue;
    seen.add(doc);
    if (Array.isArray(doc.items)) pending.push(...[...doc.items].reverse());
    const { kind, apiVersion, metadata, spec } = doc;
    const shapes = typeof kind === 'string' && Object.hasOwn(ruleShapes, kind) ? ruleShapes[kind] : undefined;
    const name = isObject(metadata) && typeof metadata.name === 'string' ? metadata.name : null;
    if (!shapes || !name || apiVersion !== `policy.networking.k8s.io/${shapes.version}` || !isObject(spec)) continue;
    const fields = (['ingress', 'egress'] as const).flatMap((direction) => unknownFields(spec[direction], shapes[direction], `spec.${direction}`));
    if (fields.length === 0) continue;
    const hint = shapes.version === 'v1alpha2' && fields.some((f) => /\]\.ports$/.test(f)) ? '; v1alpha2 rules give their ports as protocols' : '';
    out.push({ kind: kind as string, name, problem: `${kind as string} ${name}: ${fields.join(', ')}: no such field in ${apiVersion}${hint} (kubectl apply refuses it; read without it, the rule could match more than meant, such as every port)` });
  }
  return out;
}
