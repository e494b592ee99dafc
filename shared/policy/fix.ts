/**
 * "Try a fix" (issue 11): the smallest NetworkPolicy change that would allow a denied flow. For
 * each denied direction, one rule added to one policy that isolates the pod there — an egress
 * rule on the sender's, an ingress rule on the receiver's — allowing exactly the far end (by the
 * labels that name its workload, and its namespace when it is another) on the flow's port. The
 * result is the whole changed policy, so pasted as a what-if it replaces the cluster's.
 */
import { stringify } from 'yaml';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../kube/objects.ts';
import { matchesSelector } from '../kube/selector.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { printable } from '../text/printable.ts';
import { briefPeer } from './line.ts';
import type { DirectionVerdict } from './types.ts';
import { qualifiedName } from './words.ts';

/** A NetworkPolicy as `kubectl apply` takes it. */
export interface PolicyManifest {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string };
  spec: NetworkPolicy['spec'];
}

export interface PolicyFix {
  /** The changed policies, whole: the sender's (egress) first. */
  policies: PolicyManifest[];
  /** What changed, one line each: `shop/frontend-allow: egress rule 2 added, to app=db on 5432/TCP`. */
  changes: string[];
  /** The change made for each denial asked about, in its order; null for one not denied or with
   * no policy to change. */
  lines: (string | null)[];
}

export function policyManifest(record: PolicyRecord): PolicyManifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: record.name, namespace: record.namespace }, spec: record.spec };
}

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

function selectingLabels(pod: PodRecord): Record<string, string> | null {
  const key = workloadLabels.find((k) => pod.labels[k] !== undefined);
  if (key) return { [key]: pod.labels[key] ?? '' };
  const stable = Object.entries(pod.labels).filter(([k]) => !perReplicaLabels.has(k));
  return stable.length > 0 ? Object.fromEntries(stable) : null;
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

/**
 * The fix for the denied directions of `denials` (a trace's `policy`, or its blockers' denials in
 * path order), evaluated against `policies` (the cluster's by default; the what-if set when the
 * trace used one). Each rule goes on the isolating policy that selects the fewest pods, so it
 * opens the flow for as few senders or receivers as it can, the first in name order on a tie;
 * rules for one policy add up. `lines[i]` is what the fix changes for `denials[i]` (for a
 * summary: egress, then ingress). Null when no direction is denied.
 */
export function policyFix(
  topology: Topology,
  denials: { egress: DirectionVerdict | null; ingress: DirectionVerdict | null } | readonly Denial[],
  policies: PolicyRecord[] = Object.values(topology.policies),
): PolicyFix | null {
  const list: (Denial | null)[] = 'egress' in denials ? [denials.egress, denials.ingress].map((v) => (v ? { verdict: v } : null)) : [...denials];
  const byId = new Map(policies.map((p) => [p.id, p]));
  const counts = new Map<string, number>();
  const selected = (policy: PolicyRecord) => counts.get(policy.id) ?? counts.set(policy.id, selectedPods(topology, policy)).get(policy.id) ?? 0;
  const changed = new Map<string, { record: PolicyRecord; spec: NetworkPolicy['spec'] }>();
  const changes: string[] = [];
  const lines: (string | null)[] = [];
  for (const denial of list) {
    const verdict = denial?.verdict;
    // isolatedBy is in name order, and the sort is stable.
    const [record] = verdict?.verdict === 'denied' ? verdict.isolatedBy.flatMap((id) => byId.get(id) ?? []).sort((a, b) => selected(a) - selected(b)) : [];
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
    const line = `${qualifiedName(record)}: ${direction} rule ${rules.length} added, ${direction === 'egress' ? 'to' : 'from'} ${briefPeer(peer, record)} on ${where}`;
    changes.push(line);
    lines.push(line);
  }
  if (changed.size === 0) return null;
  return { policies: [...changed.values()].map(({ record, spec }) => policyManifest({ ...record, spec })), changes, lines };
}

/** Policies as YAML documents, ready to paste as a what-if or `kubectl apply -f -`; `notes`
 * become comments at the top. */
export function policiesYaml(policies: PolicyManifest[], notes: string[] = []): string {
  // A note names policies: a line break in a name must not end the comment and start YAML.
  const header = notes.map((n) => `# ${printable(n)}\n`).join('');
  return header + policies.map((p) => stringify(p, { lineWidth: 0 })).join('---\n');
}
