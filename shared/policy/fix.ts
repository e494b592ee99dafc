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

/**
 * The fix for the denied directions of `verdicts` (a trace's `policy`), evaluated against
 * `policies` (the cluster's by default; the what-if set when the trace used one). Each rule goes
 * on the isolating policy that selects the fewest pods, so it opens the flow for as few senders
 * or receivers as it can, the first in name order on a tie. Null when no direction is denied.
 */
export function policyFix(topology: Topology, verdicts: { egress: DirectionVerdict | null; ingress: DirectionVerdict | null }, policies: PolicyRecord[] = Object.values(topology.policies)): PolicyFix | null {
  const byId = new Map(policies.map((p) => [p.id, p]));
  const changed = new Map<string, { record: PolicyRecord; spec: NetworkPolicy['spec'] }>();
  const changes: string[] = [];
  for (const verdict of [verdicts.egress, verdicts.ingress]) {
    if (verdict?.verdict !== 'denied') continue;
    // isolatedBy is in name order, and the sort is stable.
    const [record] = verdict.isolatedBy.flatMap((id) => byId.get(id) ?? []).sort((a, b) => selectedPods(topology, a) - selectedPods(topology, b));
    if (!record) continue;
    const { flow, direction } = verdict;
    const far = direction === 'egress' ? flow.to : flow.from;
    const peer = peerFor({ pod: far.pod ? (topology.pods[far.pod] ?? null) : null, ip: far.ip }, record);
    // Port 0: the trace knew no destination port, so the rule opens the protocol's every port.
    const port: NetworkPolicyPort = flow.port > 0 ? { protocol: flow.protocol, port: flow.port } : { protocol: flow.protocol };
    const spec = changed.get(record.id)?.spec ?? record.spec;
    const rules = direction === 'egress' ? [...(spec.egress ?? []), { to: [peer], ports: [port] }] : [...(spec.ingress ?? []), { from: [peer], ports: [port] }];
    changed.set(record.id, { record, spec: { ...spec, [direction]: rules } });
    const where = port.port === undefined ? `every ${flow.protocol} port` : `${flow.port}/${flow.protocol}`;
    changes.push(`${qualifiedName(record)}: ${direction} rule ${rules.length} added, ${direction === 'egress' ? 'to' : 'from'} ${briefPeer(peer, record)} on ${where}`);
  }
  if (changed.size === 0) return null;
  return { policies: [...changed.values()].map(({ record, spec }) => policyManifest({ ...record, spec })), changes };
}

/** Policies as YAML documents, ready to paste as a what-if or `kubectl apply -f -`; `notes`
 * become comments at the top. */
export function policiesYaml(policies: PolicyManifest[], notes: string[] = []): string {
  const header = notes.map((n) => `# ${n}\n`).join('');
  return header + policies.map((p) => stringify(p, { lineWidth: 0 })).join('---\n');
}
