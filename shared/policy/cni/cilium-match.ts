/**
 * One Cilium rule against one side of a flow (cilium/cilium Documentation/security/policy:
 * language.rst, layer3.rst, kubernetes.rst, deny.rst; pkg/policy/api). Where the docs decide:
 * - `endpointSelector` and `fromEndpoints`/`toEndpoints` are Kubernetes label selectors over the
 *   endpoint's labels: the pod's own (a key may carry the source prefix `k8s:` or `any:`), plus
 *   `io.kubernetes.pod.namespace` and, for a CiliumClusterwideNetworkPolicy only,
 *   `io.cilium.k8s.namespace.labels.<key>`. In a CiliumNetworkPolicy "the endpointSelector
 *   always applies to pods in the namespace" of the policy, and a `fromEndpoints`/`toEndpoints`
 *   selector that does not name `io.kubernetes.pod.namespace` is limited to that namespace ("If
 *   the namespace label of policy rules is omitted it defaults to the same namespace").
 * - Entities: `host` is the local node and its hostNetwork pods, `remote-node` every other node,
 *   `cluster` every endpoint of the cluster (pods, host, remote nodes), `world` everything
 *   outside it ("identical to allowing to CIDR 0.0.0.0/0"), `all` both; `kube-apiserver` is
 *   the addresses behind default/kubernetes. `health`, `init`, `unmanaged`, `ingress` match none
 *   of Podpath's ends.
 * - CIDR rules "do not apply to traffic where both sides of the connection are either managed
 *   by Cilium or use an IP belonging to a node in the cluster": a pod never matches; a node
 *   matches only under `policy-cidr-match-mode: nodes`, which Podpath does not read (`maybe`).
 * - A rule with no L3 field and `toPorts` matches every peer on those ports; an empty rule
 *   (`{}`) matches nothing: it only puts the endpoint into default deny.
 * - `toFQDNs`, `toServices`, `fromNodes`/`toNodes`, `cidrGroupRef`: what they match is not in
 *   the model (`maybe`). L7 rules (`toPorts.rules`) leave L4 allowed and decide per request.
 * - `fromRequires`/`toRequires` (deprecated): the requirements of every rule that selects the
 *   endpoint, allow rules' and deny rules' apart, narrow the `fromEndpoints`/`toEndpoints` of
 *   each rule of that kind (pkg/policy/rules.go resolveL4IngressPolicy, pkg/policy/api
 *   GetSourceEndpointSelectorsWithRequirements); entities and CIDRs are not narrowed.
 */
import type { CiliumPeerRule, CiliumPortRule } from '../../kube/cni-policy-objects.ts';
import type { LabelSelector } from '../../kube/objects.ts';
import { matchesSelector } from '../../kube/selector.ts';
import type { CiliumPolicyRecord } from '../../model/cni-policy.ts';
import type { PodRecord, Topology } from '../../model/types.ts';
import { cidrContains } from '../../net/ip.ts';
import { namespaceLabels, type Side } from '../rules.ts';
import { describeSelector, podName } from '../words.ts';
import type { Match, MatchText } from './calico-match.ts';

export const namespaceLabel = 'io.kubernetes.pod.namespace';
const namespaceLabelsPrefix = 'io.cilium.k8s.namespace.labels.';

/** The pod's labels as Cilium's selectors see them. */
export function ciliumLabels(topology: Topology, pod: PodRecord, isClusterwide: boolean): Record<string, string> {
  const labels: Record<string, string> = { ...pod.labels, [namespaceLabel]: pod.namespace };
  if (isClusterwide) for (const [k, v] of Object.entries(namespaceLabels(topology, pod.namespace))) labels[`${namespaceLabelsPrefix}${k}`] = v;
  return labels;
}

/** The selector with the `k8s:`/`any:` source prefixes taken off its keys; null when it names a
 * `reserved:` label (an entity, not a pod). */
function plainSelector(selector: LabelSelector): LabelSelector | null {
  const strip = (key: string) => key.replace(/^(k8s|any):/, '');
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
  if (keys.some((k) => k.startsWith('reserved:'))) return null;
  return {
    ...(selector.matchLabels ? { matchLabels: Object.fromEntries(Object.entries(selector.matchLabels).map(([k, v]) => [strip(k), v])) } : {}),
    ...(selector.matchExpressions ? { matchExpressions: selector.matchExpressions.map((e) => ({ ...e, key: strip(e.key) })) } : {}),
  };
}

function namesNamespace(selector: LabelSelector): boolean {
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
  return keys.some((k) => k.replace(/^(k8s|any):/, '') === namespaceLabel);
}

/** Whether the policy's endpointSelector selects `pod`. Host policies (nodeSelector) never do. */
export function selectsEndpoint(topology: Topology, policy: CiliumPolicyRecord, rule: CiliumPolicyRecord['rules'][number], pod: PodRecord): boolean {
  if (pod.isHostNetwork || !rule.endpointSelector) return false;
  if (policy.namespace !== null && policy.namespace !== pod.namespace) return false;
  const selector = plainSelector(rule.endpointSelector);
  return selector !== null && matchesSelector(ciliumLabels(topology, pod, policy.namespace === null), selector);
}

/** What the far end is, in Cilium's entities. */
export function entitiesOf(side: Side): { names: Set<string>; isNode: boolean; isPod: boolean } {
  const { topology, peer, pod } = side;
  const names = new Set<string>(['all']);
  const hostOfIP = Object.values(topology.hosts).find((h) => h.internalIPs.includes(peer.ip) || h.externalIPs.includes(peer.ip));
  const peerHost = peer.pod?.isHostNetwork ? peer.pod.host : (hostOfIP?.id ?? null);
  const isPod = peer.pod !== null && !peer.pod.isHostNetwork;
  if (isPod) names.add('cluster');
  else if (peerHost !== null) {
    names.add('cluster');
    names.add(peerHost === pod.host ? 'host' : 'remote-node');
  } else {
    names.add('world');
    names.add(peer.ip.includes(':') ? 'world-ipv6' : 'world-ipv4');
  }
  const apiServer = Object.values(topology.endpoints).some((e) => e.service === 'svc:default/kubernetes' && e.address === peer.ip);
  if (apiServer) names.add('kube-apiserver');
  return { names, isNode: !isPod && peerHost !== null, isPod };
}

/** A `fromRequires`/`toRequires` selector with the policy it came from (its namespace default). */
export interface Requirement {
  policy: CiliumPolicyRecord;
  selector: LabelSelector;
}

function endpointsMatch(side: Side, policy: CiliumPolicyRecord, selectors: LabelSelector[], requirements: readonly Requirement[] = []): MatchText {
  const peer = side.peer.pod && !side.peer.pod.isHostNetwork ? side.peer.pod : null;
  const entities = entitiesOf(side);
  for (const selector of selectors) {
    const plain = plainSelector(selector);
    if (plain === null) {
      // `reserved:host`, `reserved:world`…: an entity written as a label.
      const reserved = Object.keys(selector.matchLabels ?? {}).find((k) => k.startsWith('reserved:'))?.slice('reserved:'.length);
      // A reserved identity carries none of the labels a requirement names.
      if (reserved && entities.names.has(reserved) && requirements.length === 0) return { match: 'yes', text: `reserved:${reserved}` };
      continue;
    }
    if (!peer || !selectsPeer(side, policy, plain, peer)) continue;
    const unmet = requirements.find((r) => {
      const required = plainSelector(r.selector);
      return required === null || !selectsPeer(side, r.policy, required, peer);
    });
    if (unmet) return { match: 'no', text: `${podName(peer)} is one of the endpoints ${describeSelector(selector)}, but not ${describeSelector(unmet.selector)}, which a rule of ${unmet.policy.name} requires` };
    return { match: 'yes', text: `endpoints ${describeSelector(selector)}` };
  }
  const who = side.peer.pod ? podName(side.peer.pod) : side.peer.ip;
  return { match: 'no', text: `${who} is not one of the endpoints ${selectors.map(describeSelector).join('; ')}` };
}

function selectsPeer(side: Side, policy: CiliumPolicyRecord, plain: LabelSelector, peer: PodRecord): boolean {
  if (policy.namespace !== null && !namesNamespace(plain) && peer.namespace !== policy.namespace) return false;
  return matchesSelector(ciliumLabels(side.topology, peer, policy.namespace === null), plain);
}

function cidrMatch(side: Side, cidrs: { cidr?: string; except?: string[]; cidrGroupRef?: string }[]): MatchText {
  const entities = entitiesOf(side);
  const ip = side.peer.ip;
  const hit = cidrs.find((c) => c.cidr !== undefined && cidrContains(c.cidr, ip) && !(c.except ?? []).some((e) => cidrContains(e, ip)));
  const groups = cidrs.filter((c) => c.cidrGroupRef !== undefined);
  if (entities.isPod) return { match: 'no', text: `${ip} is a pod, and CIDR rules never match pods` };
  if (hit && entities.isNode) return { match: 'maybe', text: `${ip} is a node: CIDR ${hit.cidr} matches it only under policy-cidr-match-mode: nodes, which is not read` };
  if (hit) return { match: 'yes', text: `CIDR ${hit.cidr}${hit.except?.length ? ` except ${hit.except.join(', ')}` : ''}` };
  if (groups.length > 0) return { match: 'maybe', text: `the CIDRs of CiliumCIDRGroup ${groups.map((g) => g.cidrGroupRef).join(', ')} are not read` };
  return { match: 'no', text: `${ip} is not in ${cidrs.map((c) => c.cidr ?? c.cidrGroupRef).join(', ')}` };
}

/** The rule's L3 part: does it name the far end. */
function peerMatch(side: Side, policy: CiliumPolicyRecord, rule: CiliumPeerRule, requirements: readonly Requirement[]): MatchText | null {
  const isIngress = side.direction === 'ingress';
  const endpoints = isIngress ? rule.fromEndpoints : rule.toEndpoints;
  const entities = isIngress ? rule.fromEntities : rule.toEntities;
  const cidr = ((isIngress ? rule.fromCIDR : rule.toCIDR) ?? []).map((c) => ({ cidr: c }));
  const cidrSet = isIngress ? rule.fromCIDRSet : rule.toCIDRSet;
  const nodes = isIngress ? rule.fromNodes : rule.toNodes;
  const fqdns = isIngress ? undefined : rule.toFQDNs;
  const services = isIngress ? undefined : rule.toServices;
  const results: MatchText[] = [];
  if (endpoints) results.push(endpointsMatch(side, policy, endpoints, requirements));
  if (entities) {
    const names = entitiesOf(side).names;
    const hit = entities.find((e) => names.has(e));
    results.push(hit ? { match: 'yes', text: `entity ${hit}` } : { match: 'no', text: `${side.peer.ip} is none of the entities ${entities.join(', ')} (it is ${[...names].filter((n) => n !== 'all').join(', ') || 'outside every entity'})` });
  }
  if (cidr.length > 0 || cidrSet) results.push(cidrMatch(side, [...cidr, ...(cidrSet ?? [])]));
  if (nodes) results.push(entitiesOf(side).isNode ? { match: 'maybe', text: 'nodes by label: only under enable-node-selector-labels, which is not read' } : { match: 'no', text: `${side.peer.ip} is not a node` });
  if (fqdns) results.push(entitiesOf(side).names.has('world') ? { match: 'maybe', text: `toFQDNs ${fqdns.join(', ')}: which addresses the DNS proxy learnt is not evaluated` } : { match: 'no', text: `${side.peer.ip} is in the cluster, and toFQDNs match only outside addresses` });
  if (services) results.push({ match: 'maybe', text: `toServices ${services.join(', ')}: not evaluated` });
  if (results.length === 0) return null;
  // The L3 fields of one rule OR (each selects a set of peers).
  return results.find((r) => r.match === 'yes') ?? results.find((r) => r.match === 'maybe') ?? { match: 'no', text: results.map((r) => r.text).join('; ') };
}

const l7Words: Record<string, string> = { http: 'HTTP', dns: 'DNS', kafka: 'Kafka', l7proto: 'L7 protocol', l7: 'L7 protocol' };

/** The rule's L4 part, with the L7 rules it carries on the matching port. */
function portsMatch(side: Side, rule: CiliumPeerRule): (MatchText & { l7?: string[] }) | null {
  if (!rule.toPorts) return rule.hasIcmps ? { match: 'no', text: 'it matches ICMP only' } : null;
  const { flow, topology } = side;
  const destination = flow.to.pod;
  const named = (name: string) =>
    destination !== null && !destination.isHostNetwork && destination.containers.flatMap((id) => topology.containers[id]?.ports ?? []).some((p) => p.name === name && p.port === flow.port && p.protocol === flow.protocol);
  const written: string[] = [];
  for (const portRule of rule.toPorts as CiliumPortRule[]) {
    const ports = portRule.ports ?? [{}];
    for (const p of ports) {
      const protocol = (p.protocol ?? 'ANY').toUpperCase();
      const port = p.port ?? '0';
      written.push(`${port}${p.endPort ? `-${p.endPort}` : ''}/${protocol}`);
      if (protocol !== 'ANY' && protocol !== flow.protocol) continue;
      const isNumber = /^\d+$/.test(port);
      const ok = isNumber ? Number(port) === 0 || (flow.port >= Number(port) && flow.port <= (p.endPort ?? Number(port))) : named(port);
      if (ok) return { match: 'yes', text: `port ${port === '0' ? 'any' : port}${p.endPort ? `-${p.endPort}` : ''}/${protocol}`, ...(portRule.l7 ? { l7: portRule.l7 } : {}) };
    }
  }
  return { match: 'no', text: `${flow.port}/${flow.protocol} is not in ${written.join(', ')}` };
}

export interface CiliumRuleMatch extends MatchText {
  /** What the L7 rules on the matching port leave to each request. */
  notEvaluated?: string;
}

/** Whether one ingress/egress (or deny) rule matches the far end and the port; `requirements`
 * are those of the rules of its kind (allow or deny) that select the endpoint. */
export function ciliumRuleMatches(side: Side, policy: CiliumPolicyRecord, rule: CiliumPeerRule, requirements: readonly Requirement[] = []): CiliumRuleMatch {
  const l3 = peerMatch(side, policy, rule, requirements);
  const l4 = portsMatch(side, rule);
  if (l3 === null && l4 === null) return { match: 'no', text: 'an empty rule matches nothing (it only turns on default deny)' };
  const parts = [l3 ?? { match: 'yes' as Match, text: side.direction === 'ingress' ? 'from any peer' : 'to any peer' }, l4 ?? { match: 'yes' as Match, text: 'any port' }];
  const no = parts.find((p) => p.match === 'no');
  if (no) return { match: 'no', text: no.text };
  const preposition = side.direction === 'ingress' ? 'from' : 'to';
  const text = `${l3 && l3.match === 'yes' ? `${preposition} ${l3.text}` : parts[0]!.text}, ${parts[1]!.text}`;
  const l7 = l4 && 'l7' in l4 ? l4.l7 : undefined;
  const notEvaluated = l7 ? `L4 allowed; the ${l7.map((k) => l7Words[k] ?? k).join(' and ')} rules decide per request — not evaluated` : undefined;
  const match: Match = parts.some((p) => p.match === 'maybe') ? 'maybe' : 'yes';
  return { match, text, ...(notEvaluated ? { notEvaluated } : {}) };
}
