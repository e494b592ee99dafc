/**
 * A direction's verdict in one line, the first thing read about it (issue 11): the pod in short
 * form, the direction, and what decides it — for a denial, briefly what the isolating policies
 * do allow: `frontend egress: no rule allows shop/db-0:5432/TCP`, `db-0 ingress: only app=backend
 * or app=db is allowed on 5432/TCP`. The verdict's reason says it all in full, and its misses
 * say per policy which rule came closest.
 */
import type { LabelSelector, NetworkPolicyPeer } from '../kube/objects.ts';
import type { PodRecord, PolicyRecord } from '../model/types.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { rulesOf, type RuleResult, type Side } from './rules.ts';
import type { PolicyEndpoint } from './types.ts';
import { describePort, describeSelector, podName, qualifiedName } from './words.ts';

/** One isolating policy's rules, as evaluated against one side of a flow. */
export interface PolicyRules {
  policy: PolicyRecord;
  rules: RuleResult[];
}

/**
 * What a person calls a pod: a Deployment's pod by its Deployment (`frontend` for
 * `frontend-855456765f-rx8bk`: the ReplicaSet is `<deployment>-<pod-template-hash>`), a
 * DaemonSet's by its DaemonSet; any other pod (a StatefulSet's `db-0`) by its own name.
 */
export function shortPodName(pod: PodRecord): string {
  const owner = pod.owner;
  if (!owner || !pod.name.startsWith(`${owner.name}-`)) return pod.name;
  if (owner.kind === 'DaemonSet') return owner.name;
  const hash = pod.labels['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
  return pod.name;
}

/** The start of every line: `frontend egress:`, or the address when that end is no pod. */
export function lineSubject(endpoint: PolicyEndpoint, direction: Side['direction']): string {
  return `${endpoint.pod ? shortPodName(endpoint.pod) : endpoint.ip} ${direction}:`;
}

/** The far end as the line names it: `shop/db-0`, or the address the packet carries. */
function farName(endpoint: PolicyEndpoint): string {
  return endpoint.pod && !endpoint.pod.isHostNetwork ? podName(endpoint.pod) : endpoint.ip;
}

function namespacesText(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {});
  const [only] = labels;
  // The label the API server sets on every namespace names one namespace: say its name.
  if (labels.length === 1 && only?.[0] === 'kubernetes.io/metadata.name' && !selector.matchExpressions?.length) return `in ${only[1]}`;
  const text = describeSelector(selector);
  return text === '{}' ? 'in any namespace' : `in namespaces ${text}`;
}

/** A peer in a few words: `app=backend`, `k8s-app=kube-dns in kube-system`, `10.0.0.0/8`. */
export function briefPeer(peer: NetworkPolicyPeer, policy: PolicyRecord): string {
  if (peer.ipBlock) return `${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
  if (!peer.podSelector && !peer.namespaceSelector) return 'nothing (an empty peer)';
  const pods = peer.podSelector ? describeSelector(peer.podSelector) : '{}';
  if (!peer.namespaceSelector) return pods === '{}' ? `any pod in ${policy.namespace}` : pods;
  return `${pods === '{}' ? 'any pod' : pods} ${namespacesText(peer.namespaceSelector)}`;
}

/** `a`, `a or b`, `a, b, c or 2 more`. */
function either(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length > 4) return `${unique.slice(0, 3).join(', ')} or ${unique.length - 3} more`;
  return unique.length <= 1 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

/**
 * Why no rule allows the flow, from the rules that came closest across every isolating policy:
 * the far end is allowed but on other ports; the port is open but to other peers; or neither.
 */
export function deniedLine(side: Side, results: PolicyRules[]): string {
  const { flow, direction, peer } = side;
  const port = `${flow.port}/${flow.protocol}`;
  const rules = results.flatMap(({ policy, rules }) => rules.map((result) => ({ policy, result, rule: rulesOf(policy, direction)[result.index] })));
  const peerAllowed = rules.filter((r) => r.result.peer.ok);
  if (peerAllowed.length > 0) return `${farName(peer)} is allowed only on ${either(peerAllowed.flatMap((r) => (r.rule?.ports ?? []).map(describePort)))}`;
  const portAllowed = rules.filter((r) => r.result.port.ok);
  if (portAllowed.length > 0) {
    const peers = portAllowed.flatMap((r) => ((direction === 'egress' ? r.rule?.to : r.rule?.from) ?? []).map((p) => briefPeer(p, r.policy)));
    return `only ${either(peers)} is allowed on ${port}`;
  }
  return direction === 'egress' ? `no rule allows ${joinHostPort(farName(peer), flow.port)}/${flow.protocol}` : `no rule allows ${farName(peer)} on ${port}`;
}

/** The first rule that allows the flow: `allowed by shop/frontend-allow (to app=backend, port http/TCP = 8080)`. */
export function allowedLine(side: Side, allowing: { policy: PolicyRecord; result: RuleResult }[]): string {
  const [first, ...others] = allowing;
  if (!first) return 'allowed';
  const { policy, result } = first;
  const rule = rulesOf(policy, side.direction)[result.index];
  const peers = (side.direction === 'egress' ? rule?.to : rule?.from) ?? [];
  const matched = result.peer.index === undefined ? undefined : peers[result.peer.index];
  const far = matched ? briefPeer(matched, policy) : result.peer.text;
  const more = others.length === 0 ? '' : ` and ${others.length} more rule${others.length === 1 ? '' : 's'}`;
  return `allowed by ${qualifiedName(policy)} (${side.direction === 'egress' ? 'to' : 'from'} ${far}, ${result.port.text})${more}`;
}
