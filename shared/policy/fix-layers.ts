/**
 * "Try a fix" where a layer other than NetworkPolicy denied (issue 15), each by its own rules:
 * - an admin-tier Deny is final for NetworkPolicy, so the fix is an admin policy of the denying
 *   one's kind with an Allow (Accept in v1alpha2) for just this flow, at a priority that comes
 *   first; the alternative, narrowing the Deny, is said too;
 * - a baseline Deny yields to any NetworkPolicy that isolates the pod: the fix is a new one
 *   (fix.ts adds the rule), with the warning that it isolates the pod for everything else;
 * - a Calico Deny, or the end of a Calico tier, yields to an Allow earlier in that tier: a policy
 *   of the same kind, ordered before the Deny;
 * - a Cilium deny wins over every allow (cilium.ts): no manifest, only the rule to narrow; its
 *   default deny yields to an allow in a new CiliumNetworkPolicy.
 */
import type { AdminPeer, AdminSubject } from '../kube/admin-objects.ts';
import type { LabelSelector } from '../kube/objects.ts';
import type { AdminPolicyRecord } from '../model/admin-policy.ts';
import type { CalicoPolicyRecord, CniPolicyRecord } from '../model/cni-policy.ts';
import type { PodRecord, Topology } from '../model/types.ts';
import { policyTitle as adminPolicyTitle } from './admin/words.ts';
import { cniPolicyTitle, cniRuleTitle } from './cni/words.ts';
import type { AdminRuleRef, CniRuleRef, DirectionVerdict, FlowRef, Protocol } from './types.ts';
import { describeSelector } from './words.ts';

/** The labels the fix selects a pod by: its workload's name label where it has one (`app=db`),
 * else its labels without those that change with every rollout or name a single replica. */
const workloadLabels = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name'];
const perReplicaLabels = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
]);

export function selectingLabels(pod: PodRecord): Record<string, string> | null {
  const key = workloadLabels.find((k) => pod.labels[k] !== undefined);
  if (key) return { [key]: pod.labels[key] ?? '' };
  const stable = Object.entries(pod.labels).filter(([k]) => !perReplicaLabels.has(k));
  return stable.length > 0 ? Object.fromEntries(stable) : null;
}

/** An admin policy as `kubectl apply` takes it, v1alpha1 or v1alpha2. */
export interface AdminPolicyManifest {
  apiVersion: 'policy.networking.k8s.io/v1alpha1' | 'policy.networking.k8s.io/v1alpha2';
  kind: 'AdminNetworkPolicy' | 'ClusterNetworkPolicy';
  /** Cluster-scoped: `namespace` is never set. */
  metadata: { name: string; namespace?: undefined };
  spec: Record<string, unknown>;
}

/** A Calico NetworkPolicy or GlobalNetworkPolicy. */
export interface CalicoPolicyManifest {
  apiVersion: 'projectcalico.org/v3';
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

export interface LayerFix {
  /** The policy to apply; null where none can allow the flow (then `line` says what to change). */
  manifest: AdminPolicyManifest | CalicoPolicyManifest | CiliumPolicyManifest | null;
  line: string;
}

/** A pod of the flow, its namespace and the labels a selector picks it by; null for what no
 * selector can pick (not a pod, a hostNetwork pod, a pod without labels). */
interface Selected {
  pod: PodRecord;
  labels: Record<string, string>;
}

function selected(topology: Topology, end: FlowRef['from']): Selected | null {
  const pod = end.pod ? topology.pods[end.pod] : undefined;
  const labels = pod && !pod.isHostNetwork ? selectingLabels(pod) : null;
  return pod && labels ? { pod, labels } : null;
}

const cidrOf = (ip: string) => `${ip}/${ip.includes(':') ? 128 : 32}`;
const namespaceByName = (namespace: string): LabelSelector => ({ matchLabels: { 'kubernetes.io/metadata.name': namespace } });

/** `dev/app=client`, or the address for what is not selected by labels. */
function endText(end: Selected | null, ip: string): string {
  return end ? `${end.pod.namespace}/${describeSelector({ matchLabels: end.labels })}` : ip;
}

/** The new rule's name: the far end and port, `allow-dev-client-5432`. */
function ruleName(topology: Topology, flow: FlowRef, direction: 'ingress' | 'egress'): string {
  return dnsLabel(`allow-${endWord(topology, direction === 'ingress' ? flow.from : flow.to)}${flow.port > 0 ? `-${flow.port}` : ''}`, 63);
}

function endWord(topology: Topology, end: FlowRef['from']): string {
  const s = selected(topology, end);
  return s ? `${s.pod.namespace}-${Object.values(s.labels)[0] ?? s.pod.name}` : end.ip;
}

const dnsLabel = (raw: string, max: number) =>
  raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max)
    .replace(/-$/, '');

/** A DNS-1123 name for the new policy, one per flow and direction: `allow-dev-client-to-shop-db-5432-ingress`. */
export function fixName(topology: Topology, flow: FlowRef, direction: 'ingress' | 'egress'): string {
  const ends = `allow-${endWord(topology, flow.from)}-to-${endWord(topology, flow.to)}${flow.port > 0 ? `-${flow.port}` : ''}`;
  return `${dnsLabel(ends, 63 - direction.length - 1)}-${direction}`;
}

const protocolsOf = (flow: FlowRef, isDns: boolean): Protocol[] => (isDns ? ['UDP', 'TCP'] : [flow.protocol]);
const portsText = (flow: FlowRef, protocols: Protocol[]) => (flow.port > 0 ? protocols.map((p) => `${flow.port}/${p}`).join(' and ') : `every ${protocols.join(' and ')} port`);

function adminRuleName(rule: AdminRuleRef): string {
  return `${rule.ruleName ? `rule "${rule.ruleName}"` : `${rule.direction} rule ${rule.rule + 1}`} of ${adminPolicyTitle(rule)}`;
}

/**
 * An admin-tier Deny: a policy of the same kind whose Allow comes first — the highest free
 * priority below the Deny's, as two policies of one priority that both match leave the order to
 * the implementation (tiers.ts). `admin` are the admin policies the verdict was made with; `taken`
 * the priorities fixes made before this one use.
 */
export function adminFix(topology: Topology, verdict: DirectionVerdict, isDns: boolean, admin: readonly AdminPolicyRecord[], taken: Set<number>): LayerFix | null {
  const rule = verdict.decidedBy;
  if (verdict.verdict !== 'denied' || !rule || rule.tier !== 'admin' || rule.apiKind === 'BaselineAdminNetworkPolicy' || rule.priority === null) return null;
  const { flow, direction } = verdict;
  const narrow = `narrow or remove ${adminRuleName(rule)}`;
  const used = new Set([...taken, ...admin.filter((p) => p.tier === 'admin' && p.priority !== null).map((p) => p.priority!)]);
  let priority = rule.priority - 1;
  while (priority >= 0 && used.has(priority)) priority--;
  if (priority < 0) {
    const why = rule.priority === 0 ? 'is at priority 0' : `has every priority below its ${rule.priority} taken`;
    return { manifest: null, line: `${adminRuleName(rule)} ${why}, so no admin policy can come before it, and no NetworkPolicy overrides an admin Deny: narrow or remove that rule` };
  }
  const own = selected(topology, direction === 'ingress' ? flow.to : flow.from);
  const far = direction === 'ingress' ? flow.from : flow.to;
  const farPod = selected(topology, far);
  if (!own) return { manifest: null, line: `an admin policy cannot select the pod alone (it has no labels), and no NetworkPolicy overrides an admin Deny: ${narrow}` };
  // v1alpha1 ingress peers are namespaces and pods only; networks (egress) take the address.
  const peer: AdminPeer | null = farPod ? { pods: { namespaceSelector: namespaceByName(farPod.pod.namespace), podSelector: { matchLabels: farPod.labels } } } : direction === 'egress' ? { networks: [cidrOf(far.ip)] } : null;
  if (!peer) return { manifest: null, line: `an admin policy cannot select ${far.ip} as an ingress peer, and no NetworkPolicy overrides an admin Deny: ${narrow}` };
  taken.add(priority);
  const isV2 = rule.apiKind === 'ClusterNetworkPolicy';
  const protocols = protocolsOf(flow, isDns);
  const name = fixName(topology, flow, direction);
  const subject: AdminSubject = { pods: { namespaceSelector: namespaceByName(own.pod.namespace), podSelector: { matchLabels: own.labels } } };
  const ports = isV2
    ? { protocols: protocols.map((p) => ({ [p.toLowerCase()]: flow.port > 0 ? { destinationPort: { number: flow.port } } : {} })) }
    : { ports: protocols.map((protocol) => (flow.port > 0 ? { portNumber: { protocol, port: flow.port } } : { portRange: { protocol, start: 1, end: 65535 } })) };
  const action = isV2 ? 'Accept' : 'Allow';
  const written = { name: ruleName(topology, flow, direction), action, [direction === 'ingress' ? 'from' : 'to']: [peer], ...ports };
  const manifest: AdminPolicyManifest = {
    apiVersion: isV2 ? 'policy.networking.k8s.io/v1alpha2' : 'policy.networking.k8s.io/v1alpha1',
    kind: rule.apiKind,
    metadata: { name },
    spec: { ...(isV2 ? { tier: 'Admin' } : {}), priority, subject, [direction]: [written] },
  };
  const towards = direction === 'ingress' ? `into ${endText(own, '')} from ${endText(farPod, far.ip)}` : `out of ${endText(own, '')} to ${endText(farPod, far.ip)}`;
  return {
    manifest,
    line: `new ${rule.apiKind} ${name} at priority ${priority}: ${action} ${direction} ${towards} on ${portsText(flow, protocols)}, ahead of ${adminRuleName(rule)} (priority ${rule.priority}), which no NetworkPolicy can override; or narrow or remove that rule`,
  };
}

/** The baseline Deny a new NetworkPolicy would override: `BaselineAdminNetworkPolicy default rule "deny-prod"`. */
export function baselineDenial(verdict: DirectionVerdict): string | null {
  const rule = verdict.decidedBy;
  return verdict.verdict === 'denied' && rule?.tier === 'baseline' ? adminRuleName(rule) : null;
}

/** Calico selector syntax for exact labels: `app == "db"`. */
const calicoSelector = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k} == ${JSON.stringify(v)}`)
    .join(' && ');
const calicoNamespace = (namespace: string) => `projectcalico.org/name == ${JSON.stringify(namespace)}`;

/**
 * A Calico Deny (or the Deny at the end of a tier): a policy in the same tier, of the same kind
 * (a namespaced one for the end of a tier), ordered before it, with an Allow for just this flow.
 * `cni` are the CNI policies the verdict was made with.
 */
export function calicoFix(topology: Topology, verdict: DirectionVerdict, isDns: boolean, cni: readonly CniPolicyRecord[]): LayerFix | null {
  const ref = verdict.cniRule;
  if (verdict.verdict !== 'denied' || !ref || ref.cni !== 'calico' || ref.action !== 'Deny' || !ref.tier) return null;
  const { flow, direction } = verdict;
  const isEnd = ref.section === 'end-of-tier';
  const alternative = isEnd ? `give tier ${ref.tier}'s policies a rule for it` : `narrow or remove ${cniRuleTitle(ref)}`;
  const inTier = cni.filter((p): p is CalicoPolicyRecord => p.cni === 'calico' && p.apiKind !== 'Tier' && p.tier === ref.tier);
  const orders = inTier.flatMap((p) => (p.order === null ? [] : [p.order]));
  // Before a numbered Deny; before a last one, after every numbered policy; anywhere before the end.
  const order = isEnd ? null : ref.order === null ? (orders.length > 0 ? Math.max(...orders) + 1 : 1000) : ref.order >= 1 ? ref.order - 1 : ref.order > 0 ? ref.order / 2 : null;
  if (!isEnd && order === null) return { manifest: null, line: `${cniRuleTitle(ref)} is at order ${ref.order}, so no policy of its tier comes before it: narrow or remove that rule` };
  const own = selected(topology, direction === 'ingress' ? flow.to : flow.from);
  const far = direction === 'ingress' ? flow.from : flow.to;
  const farPod = selected(topology, far);
  if (!own) return { manifest: null, line: `no Calico selector picks the pod (it has no labels): ${alternative}` };
  const isGlobal = ref.apiKind === 'GlobalNetworkPolicy';
  const entity = farPod
    ? { selector: calicoSelector(farPod.labels), ...(isGlobal || farPod.pod.namespace !== own.pod.namespace ? { namespaceSelector: calicoNamespace(farPod.pod.namespace) } : {}) }
    : { nets: [cidrOf(far.ip)] };
  const protocols = protocolsOf(flow, isDns);
  const port = flow.port > 0 ? { ports: [flow.port] } : {};
  const rules = protocols.map((protocol) =>
    direction === 'ingress' ? { action: 'Allow', protocol, source: entity, destination: port } : { action: 'Allow', protocol, destination: { ...entity, ...port } },
  );
  // Calico's older releases want a tier's policy names prefixed with the tier.
  const name = `${ref.tier === 'default' ? '' : `${ref.tier}.`}${fixName(topology, flow, direction)}`;
  const manifest: CalicoPolicyManifest = {
    apiVersion: 'projectcalico.org/v3',
    kind: isGlobal ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
    metadata: isGlobal ? { name } : { name, namespace: own.pod.namespace },
    spec: {
      tier: ref.tier,
      ...(order === null ? {} : { order }),
      selector: calicoSelector(own.labels),
      ...(isGlobal ? { namespaceSelector: calicoNamespace(own.pod.namespace) } : {}),
      types: [direction === 'ingress' ? 'Ingress' : 'Egress'],
      [direction]: rules,
    },
  };
  const title = cniPolicyTitle({ cni: 'calico', apiKind: manifest.kind, name: isGlobal ? name : `${own.pod.namespace}/${name}` });
  const place = order === null ? `in tier ${ref.tier}` : `in tier ${ref.tier} at order ${order}`;
  const towards = direction === 'ingress' ? `into ${endText(own, '')} from ${endText(farPod, far.ip)}` : `out of ${endText(own, '')} to ${endText(farPod, far.ip)}`;
  const or = isEnd ? alternative : 'narrow or remove that rule';
  return { manifest, line: `new ${title} ${place}: Allow ${direction} ${towards} on ${portsText(flow, protocols)}, ahead of ${cniRuleTitle(ref)}; or ${or}` };
}

/** A CiliumNetworkPolicy. */
export interface CiliumPolicyManifest {
  apiVersion: 'cilium.io/v2';
  kind: 'CiliumNetworkPolicy';
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

/**
 * Cilium: a deny rule wins over any allow, so only narrowing it allows the flow. Its default deny
 * (a policy selects the pod, or `enable-policy: always`, and no rule allows) yields to any allow:
 * a CiliumNetworkPolicy in the pod's namespace allowing just this flow. Allows add up, and the
 * pod is in default deny already, so nothing else changes.
 */
export function ciliumFix(topology: Topology, verdict: DirectionVerdict, isDns: boolean): LayerFix | null {
  const ref: CniRuleRef | undefined = verdict.cniRule;
  if (verdict.verdict !== 'denied' || !ref || ref.cni !== 'cilium') return null;
  if (ref.section === 'ingressDeny' || ref.section === 'egressDeny') {
    return { manifest: null, line: `${cniRuleTitle(ref)} denies it, and in Cilium a deny wins over every allow, so no policy can be added: narrow or remove that rule` };
  }
  if (ref.section !== 'default-deny') return null;
  const { flow, direction } = verdict;
  const own = selected(topology, direction === 'ingress' ? flow.to : flow.from);
  const far = direction === 'ingress' ? flow.from : flow.to;
  const farPod = selected(topology, far);
  // A node or an outside address is an entity or a CIDR to Cilium, which Podpath cannot tell apart here.
  if (!own || !farPod) return { manifest: null, line: `${cniRuleTitle(ref)}: add a rule allowing ${endText(farPod, far.ip)} to a policy that selects the pod (an entity such as host or world, or a CIDR)` };
  const protocols = protocolsOf(flow, isDns);
  const peers = { [direction === 'ingress' ? 'fromEndpoints' : 'toEndpoints']: [{ matchLabels: { ...farPod.labels, 'k8s:io.kubernetes.pod.namespace': farPod.pod.namespace } }] };
  const ports = flow.port > 0 ? { toPorts: [{ ports: protocols.map((protocol) => ({ port: String(flow.port), protocol })) }] } : {};
  const name = fixName(topology, flow, direction);
  const manifest: CiliumPolicyManifest = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: own.pod.namespace },
    spec: { endpointSelector: { matchLabels: own.labels }, [direction]: [{ ...peers, ...ports }] },
  };
  const towards = direction === 'ingress' ? `into ${endText(own, '')} from ${endText(farPod, far.ip)}` : `out of ${endText(own, '')} to ${endText(farPod, far.ip)}`;
  return { manifest, line: `new CiliumNetworkPolicy ${own.pod.namespace}/${name}: allow ${direction} ${towards} on ${portsText(flow, protocols)}, past ${cniRuleTitle(ref)}; Cilium's allows add up, so nothing else changes` };
}
