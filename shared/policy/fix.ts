/**
 * "Try a fix" (issue 11): the smallest policy change that would allow a denied flow. For each
 * direction NetworkPolicy denied, one rule added to one policy that isolates the pod there — an
 * egress rule on the sender's, an ingress rule on the receiver's — allowing exactly the far end
 * (by the labels that name its workload, and its namespace when it is another) on the flow's
 * port. The result is the whole changed policy, so pasted as a what-if it replaces the cluster's.
 * Where another layer denied (issue 15), that layer's own fix (fix-layers.ts): a baseline Deny
 * gets a new NetworkPolicy here, since any NetworkPolicy that isolates the pod overrides it.
 */
import { stringify } from 'yaml';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../kube/objects.ts';
import { matchesSelector } from '../kube/selector.ts';
import type { AdminPolicyRecord } from '../model/admin-policy.ts';
import type { CniPolicyRecord } from '../model/cni-policy.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { printable } from '../text/printable.ts';
import { policyRecordFrom } from './evaluate.ts';
import { adminFix, baselineDenial, calicoFix, ciliumFix, fixName, selectingLabels, type AdminPolicyManifest, type CalicoPolicyManifest, type CiliumPolicyManifest, type LayerFix } from './fix-layers.ts';
import { briefPeer } from './line.ts';
import type { DirectionVerdict } from './types.ts';
import { describeSelector, qualifiedName } from './words.ts';

/** A NetworkPolicy as `kubectl apply` takes it. */
export interface PolicyManifest {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string };
  spec: NetworkPolicy['spec'];
}

/** A manifest a fix applies: a NetworkPolicy, an admin policy, a Calico or a Cilium policy. */
export type FixManifest = PolicyManifest | AdminPolicyManifest | CalicoPolicyManifest | CiliumPolicyManifest;

export interface PolicyFix {
  /** The changed NetworkPolicies, whole, the sender's (egress) first; then the other layers' new
   * policies. Empty when no policy can allow the flow (a Cilium deny): `lines` say what to change. */
  policies: FixManifest[];
  /** What changed, one line each: `shop/frontend-allow: egress rule 2 added, to app=db on 5432/TCP`. */
  changes: string[];
  /** The change made for each denial asked about, in its order; null for one not denied or with
   * no policy to change. */
  lines: (string | null)[];
}

export function policyManifest(record: PolicyRecord): PolicyManifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: record.name, namespace: record.namespace }, spec: record.spec };
}

/** The far end as a peer of `policy`: its pod by labels (and namespace, when not the policy's),
 * or, for what selectors cannot match (no pod, a hostNetwork pod, a pod without labels), its
 * address as the policy sees it. */
function peerFor(end: { pod: PodRecord | null; ip: string }, policy: PolicyRecord): NetworkPolicyPeer {
  const labels = end.pod && !end.pod.isHostNetwork ? selectingLabels(end.pod) : null;
  if (!end.pod || !labels) return { ipBlock: { cidr: `${end.ip}/${end.ip.includes(':') ? 128 : 32}` } };
  const podSelector = { matchLabels: labels };
  if (end.pod.namespace === policy.namespace) return { podSelector };
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': end.pod.namespace } }, podSelector };
}

/** How many pods a policy selects: a rule added to it opens the flow for all of them. */
function selectedPods(topology: Topology, policy: PolicyRecord): number {
  return Object.values(topology.pods).filter((p) => p.namespace === policy.namespace && matchesSelector(p.labels, policy.spec.podSelector)).length;
}

/** A denied direction to fix. A name lookup's (`isDns`) is opened the way every default-deny
 * namespace needs it: on its port over UDP and TCP alike (a resolver retries over TCP when an
 * answer is too large for UDP). */
export interface Denial {
  verdict: DirectionVerdict;
  isDns?: boolean;
}

/** The admin and CNI policies the trace was evaluated with (the cluster's by default): a new
 * policy's priority or order is chosen among them. */
export interface LayerPolicies {
  adminPolicies?: readonly AdminPolicyRecord[];
  cniPolicies?: readonly CniPolicyRecord[];
}

/** The NetworkPolicy a baseline denial gets: new, selecting the pod by its labels for that
 * direction alone; null for a pod no selector picks alone. */
function newPolicyFor(topology: Topology, verdict: DirectionVerdict): PolicyRecord | null {
  const own = verdict.direction === 'ingress' ? verdict.flow.to : verdict.flow.from;
  const pod = own.pod ? topology.pods[own.pod] : undefined;
  const labels = pod && !pod.isHostNetwork ? selectingLabels(pod) : null;
  if (!pod || !labels) return null;
  const policyTypes: ('Ingress' | 'Egress')[] = [verdict.direction === 'ingress' ? 'Ingress' : 'Egress'];
  return policyRecordFrom({ metadata: { name: fixName(topology, verdict.flow, verdict.direction), namespace: pod.namespace, uid: '' }, spec: { podSelector: { matchLabels: labels }, policyTypes } });
}

/**
 * The fix for the denied directions of `denials` (a trace's `policy`, or its blockers' denials in
 * path order), evaluated against `policies` (the cluster's by default; the what-if set when the
 * trace used one). Each rule goes on the isolating policy that selects the fewest pods, so it
 * opens the flow for as few senders or receivers as it can, the first in name order on a tie;
 * rules for one policy add up. A direction another layer denied gets that layer's fix
 * (fix-layers.ts), chosen among `layers`. `lines[i]` is what the fix changes for `denials[i]` (for
 * a summary: egress, then ingress). Null when no direction is denied.
 */
export function policyFix(
  topology: Topology,
  denials: { egress: DirectionVerdict | null; ingress: DirectionVerdict | null } | readonly Denial[],
  policies: PolicyRecord[] = Object.values(topology.policies),
  layers: LayerPolicies = {},
): PolicyFix | null {
  const admin = layers.adminPolicies ?? Object.values(topology.adminPolicies);
  const cni = layers.cniPolicies ?? Object.values(topology.cniPolicies ?? {});
  const taken = new Set<number>();
  const made = new Map<string, LayerFix>();
  const created = new Map<string, PolicyRecord>();
  const list: (Denial | null)[] = 'egress' in denials ? [denials.egress, denials.ingress].map((v) => (v ? { verdict: v } : null)) : [...denials];
  const byId = new Map(policies.map((p) => [p.id, p]));
  const counts = new Map<string, number>();
  const selected = (policy: PolicyRecord) => counts.get(policy.id) ?? counts.set(policy.id, selectedPods(topology, policy)).get(policy.id) ?? 0;
  const changed = new Map<string, { record: PolicyRecord; spec: NetworkPolicy['spec'] }>();
  const changes: string[] = [];
  const lines: (string | null)[] = [];
  for (const denial of list) {
    const verdict = denial?.verdict;
    const layer = verdict ? (adminFix(topology, verdict, denial.isDns ?? false, admin, taken) ?? calicoFix(topology, verdict, denial.isDns ?? false, cni) ?? ciliumFix(topology, verdict, denial.isDns ?? false)) : null;
    if (layer) {
      // One policy per flow and direction, however many denials name it (a lookup's and the path's).
      const key = layer.manifest ? `${layer.manifest.kind} ${JSON.stringify(layer.manifest.metadata)}` : layer.line;
      if (!made.has(key)) changes.push(layer.line);
      made.set(key, made.get(key) ?? layer);
      lines.push(made.get(key)!.line);
      continue;
    }
    const baseline = verdict ? baselineDenial(verdict) : null;
    const fresh = verdict && baseline ? newPolicyFor(topology, verdict) : null;
    if (fresh && !created.has(fresh.id)) created.set(fresh.id, byId.get(fresh.id) ?? fresh);
    // isolatedBy is in name order, and the sort is stable.
    const [record] = fresh ? [created.get(fresh.id)!] : verdict?.verdict === 'denied' ? verdict.isolatedBy.flatMap((id) => byId.get(id) ?? []).sort((a, b) => selected(a) - selected(b)) : [];
    if (!verdict || !record) {
      lines.push(null);
      continue;
    }
    const { flow, direction } = verdict;
    const far = direction === 'egress' ? flow.to : flow.from;
    const peer = peerFor({ pod: far.pod ? (topology.pods[far.pod] ?? null) : null, ip: far.ip }, record);
    // Port 0: the trace knew no destination port, so the rule opens the protocol's every port.
    const protocols = denial.isDns ? (['UDP', 'TCP'] as const) : [flow.protocol];
    const ports: NetworkPolicyPort[] = protocols.map((protocol) => (flow.port > 0 ? { protocol, port: flow.port } : { protocol }));
    const spec = changed.get(record.id)?.spec ?? record.spec;
    const rules = direction === 'egress' ? [...(spec.egress ?? []), { to: [peer], ports }] : [...(spec.ingress ?? []), { from: [peer], ports }];
    changed.set(record.id, { record, spec: { ...spec, [direction]: rules } });
    const where = flow.port > 0 ? protocols.map((p) => `${flow.port}/${p}`).join(' and ') : `every ${protocols.join(' and ')} port`;
    const added = `${direction} rule ${rules.length} added, ${direction === 'egress' ? 'to' : 'from'} ${briefPeer(peer, record)} on ${where}`;
    const selector = describeSelector(record.spec.podSelector);
    const line = fresh
      ? `new NetworkPolicy ${qualifiedName(record)}: ${added}, which overrides ${baseline}; it isolates ${selector} in ${record.namespace} for ${direction}, so all other ${direction} of those pods is denied unless a NetworkPolicy allows it`
      : `${qualifiedName(record)}: ${added}`;
    changes.push(line);
    lines.push(line);
  }
  if (changes.length === 0) return null;
  const others = [...made.values()].flatMap((f) => (f.manifest ? [f.manifest] : []));
  return { policies: [...[...changed.values()].map(({ record, spec }) => policyManifest({ ...record, spec })), ...others], changes, lines };
}

/** Policies as YAML documents, ready to paste as a what-if or `kubectl apply -f -`; `notes`
 * become comments at the top. */
export function policiesYaml(policies: readonly FixManifest[], notes: string[] = []): string {
  // A note names policies: a line break in a name must not end the comment and start YAML.
  const header = notes.map((n) => `# ${printable(n)}\n`).join('');
  return header + policies.map((p) => stringify(p, { lineWidth: 0 })).join('---\n');
}
