/**
 * Selectors that match nothing (issue 17): a NetworkPolicy whose podSelector selects no pod does
 * nothing at all, and a from/to peer whose selectors match no pod admits no one — both silently,
 * as the API server accepts any selector. Matching follows the NetworkPolicy semantics of
 * shared/policy/rules.ts: a peer's podSelector alone looks in the policy's namespace, its
 * namespaceSelector picks namespaces by their labels, and neither matches a hostNetwork pod.
 */
import type { LabelSelector, NetworkPolicyPeer } from '../kube/objects.ts';
import { matchesSelector } from '../kube/selector.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { rulesOf, type Direction } from '../policy/rules.ts';
import { describePeer, describeSelector, qualifiedName } from '../policy/words.ts';
import { kubectlObject, sh, shellQuote } from '../text/shell.ts';
import { isUnreadable, podIndex, selectedGroups, somePods, valuesOfSelectorKeys, type PodGroup, type PodIndex } from './policy-pods.ts';
import { changeText, nearMisses, selectorPatch } from './near-miss.ts';
import type { Check, Problem } from './types.ts';
import { listed, patchCommand } from './words.ts';

/** Whom a from/to peer can match among the cluster's pods. */
export type PeerReach =
  /** An ipBlock (addresses, which the model cannot enumerate), or a peer that cannot be judged:
   * a namespaceSelector while Namespaces are unreadable, or an empty peer (the API server refuses one). */
  | { kind: 'unknown' }
  | { kind: 'pods' }
  | { kind: 'no-namespace' }
  /** The namespaces matched, and the hostNetwork pods there the podSelector would match. */
  | { kind: 'no-pod'; namespaces: string[]; hostNetwork: PodRecord[] };

const isDead = (reach: PeerReach): boolean => reach.kind === 'no-namespace' || reach.kind === 'no-pod';

const reachCache = new WeakMap<PodIndex, Map<NetworkPolicyPeer, PeerReach>>();

export function peerReach(index: PodIndex, policy: PolicyRecord, peer: NetworkPolicyPeer): PeerReach {
  let cache = reachCache.get(index);
  if (!cache) reachCache.set(index, (cache = new Map()));
  let reach = cache.get(peer);
  if (!reach) cache.set(peer, (reach = computeReach(index, policy, peer)));
  return reach;
}

function computeReach(index: PodIndex, policy: PolicyRecord, peer: NetworkPolicyPeer): PeerReach {
  if (peer.ipBlock || (!peer.podSelector && !peer.namespaceSelector)) return { kind: 'unknown' };
  if (peer.namespaceSelector && !index.hasNamespaceLabels) return { kind: 'unknown' };
  const namespaces = peer.namespaceSelector ? [...index.namespaces].filter(([, labels]) => matchesSelector(labels, peer.namespaceSelector)).map(([name]) => name) : [policy.namespace];
  if (namespaces.length === 0) return { kind: 'no-namespace' };
  if (namespaces.some((ns) => (index.groups.get(ns) ?? []).some((g) => matchesSelector(g.labels, peer.podSelector)))) return { kind: 'pods' };
  const hostNetwork = namespaces.flatMap((ns) => (index.hostNetwork.get(ns) ?? []).filter((p) => matchesSelector(p.labels, peer.podSelector)));
  return { kind: 'no-pod', namespaces, hostNetwork };
}

/** Whether some source (destination) may match a rule's peers: it has none, or one that is not
 * known to match nothing. */
export function ruleAdmitsSomeone(index: PodIndex, policy: PolicyRecord, peers: NetworkPolicyPeer[] | undefined): boolean {
  return !peers || peers.length === 0 || peers.some((peer) => !isDead(peerReach(index, policy, peer)));
}

/**
 * The pods (one per label set) a selector narrowly misses, when it is plain matchLabels, and
 * the selector that would pick the closest: `near miss: cart-7f9 has app=carts`.
 */
function nearMissOf(index: PodIndex, selector: LabelSelector, groups: PodGroup[]): { text: string; fixed: Record<string, string> } | null {
  if (selector.matchExpressions?.length || !selector.matchLabels) return null;
  const misses = nearMisses(selector.matchLabels, groups.flatMap((g) => g.pods.slice(0, 1)));
  const [closest] = misses;
  if (!closest) return null;
  // Pods that miss alike are named together: `db-0, db-1 and 1 more have app=db`.
  const byChange = new Map<string, PodRecord[]>();
  for (const miss of misses) {
    const change = changeText(miss.changes);
    byChange.set(change, [...(byChange.get(change) ?? []), ...(index.groupOf.get(miss.pod.id)?.pods ?? [miss.pod])]);
  }
  const text = [...byChange]
    .slice(0, 2)
    .map(([change, pods]) => `${listed(pods.map((p) => p.name), 2)} ${pods.length === 1 ? 'has' : 'have'} ${change}`)
    .join('; ');
  const fixed: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...selector.matchLabels, ...selectorPatch(closest.changes) })) if (value !== null) fixed[key] = value;
  return { text: `near miss: ${text}`, fixed };
}

const policySubject = (policy: PolicyRecord) => ({ subject: `networkpolicy/${qualifiedName(policy)}`, subjectId: policy.id });

function sortedPolicies(topology: Topology): PolicyRecord[] {
  return Object.values(topology.policies).sort((a, b) => (qualifiedName(a) < qualifiedName(b) ? -1 : 1));
}

export const policySelectsNothing: Check = (topology) => {
  if (isUnreadable(topology, 'pods')) return [];
  const index = podIndex(topology);
  const problems: Problem[] = [];
  for (const policy of sortedPolicies(topology)) {
    if (selectedGroups(index, policy).length > 0) continue;
    const { namespace, spec } = policy;
    const selector = `podSelector ${describeSelector(spec.podSelector)}`;
    const groups = index.groups.get(namespace) ?? [];
    const hostNetwork = index.hostNetwork.get(namespace) ?? [];
    const selectedHostNetwork = hostNetwork.filter((p) => matchesSelector(p.labels, spec.podSelector));
    const podCount = groups.reduce((n, g) => n + g.pods.length, 0);
    const why = [`spec.podSelector: ${describeSelector(spec.podSelector)}`, `namespace ${namespace} has ${podCount + hostNetwork.length} pods${hostNetwork.length > 0 ? ` (${hostNetwork.length} hostNetwork)` : ''}`];
    const relabel = `Correct spec.podSelector to the labels of the pods it is for (${sh`kubectl get pods -n ${namespace} --show-labels`}), or delete the policy if they are gone: ${sh`kubectl delete ${kubectlObject('networkpolicy', policy.name, namespace)}`}`;
    if (podCount + hostNetwork.length === 0) {
      problems.push({ kind: 'policy-selects-nothing', severity: 'info', ...policySubject(policy), message: `namespace ${namespace} has no pods, so the policy selects none yet`, why, fix: null, related: [] });
    } else if (selectedHostNetwork.length > 0) {
      problems.push({
        kind: 'policy-selects-nothing',
        severity: 'warning',
        ...policySubject(policy),
        message: `${selector} selects only hostNetwork pods (${somePods(selectedHostNetwork)}), which NetworkPolicy does not apply to: the policy does nothing`,
        why: [...why, 'hostNetwork pods share their node\'s network namespace, outside any pod\'s policy'],
        fix: relabel,
        related: selectedHostNetwork.map((p) => p.id),
      });
    } else {
      const miss = nearMissOf(index, spec.podSelector, groups);
      problems.push({
        kind: 'policy-selects-nothing',
        severity: 'warning',
        ...policySubject(policy),
        message: `${selector} matches none of the ${podCount} pods in ${namespace}: the policy does nothing${miss ? `; ${miss.text}` : ''}`,
        why: [...why, ...valuesOfSelectorKeys(spec.podSelector, groups.map((g) => g.labels), `pods in ${namespace}`)],
        fix: miss ? patchCommand('networkpolicy', namespace, policy.name, 'json', [{ op: 'replace', path: '/spec/podSelector', value: { matchLabels: miss.fixed } }]) : relabel,
        related: [],
      });
    }
  }
  return problems;
};

export const policyPeerMatchesNothing: Check = (topology) => {
  if (isUnreadable(topology, 'pods')) return [];
  const index = podIndex(topology);
  const problems: Problem[] = [];
  for (const policy of sortedPolicies(topology)) {
    // A policy that selects no pod is policy-selects-nothing's: its peers matter to no one.
    if (selectedGroups(index, policy).length === 0) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      // Rules of a direction not in policyTypes are ignored by every plugin.
      if (!policy.policyTypes.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
      for (const [r, rule] of rulesOf(policy, direction).entries()) {
        const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
        for (const [p, peer] of peers.entries()) {
          const problem = deadPeer(index, policy, peer, direction, `${direction} rule ${r + 1}${peers.length > 1 ? `, peer ${p + 1}` : ''}`, `/spec/${direction}/${r}/${direction === 'ingress' ? 'from' : 'to'}/${p}`);
          if (problem) problems.push(problem);
        }
      }
    }
  }
  return problems;
};

/** The problem with one peer, if it matches nothing; `path` is the peer's JSON pointer in the policy. */
function deadPeer(index: PodIndex, policy: PolicyRecord, peer: NetworkPolicyPeer, direction: Direction, where: string, path: string): Problem | null {
  const reach = peerReach(index, policy, peer);
  if (reach.kind === 'unknown' || reach.kind === 'pods') return null;
  const described = describePeer(peer, policy);
  const field = `spec.${direction}[…].${direction === 'ingress' ? 'from' : 'to'}: ${described}`;
  const consequence = direction === 'ingress' ? 'it admits no one' : 'it allows no destination';
  const base = { kind: 'policy-peer-matches-nothing' as const, severity: 'warning' as const, ...policySubject(policy) };
  if (reach.kind === 'no-namespace') {
    const selector = peer.namespaceSelector as LabelSelector;
    return {
      ...base,
      message: `${where}: namespaceSelector ${describeSelector(selector)} matches no namespace, so ${consequence}`,
      why: [field, ...valuesOfSelectorKeys(selector, [...index.namespaces.values()], 'namespaces')],
      fix: namespaceFix(index, selector),
      related: [],
    };
  }
  const { namespaces } = reach;
  const isEveryNamespace = peer.namespaceSelector !== undefined && describeSelector(peer.namespaceSelector) === '{}';
  const inWhere = isEveryNamespace ? 'any namespace' : namespaces.length === 1 ? `namespace ${namespaces[0]}` : namespaces.length <= 3 ? `namespaces ${namespaces.join(', ')}` : `${namespaces.length} namespaces (${namespaces.slice(0, 3).join(', ')}, …)`;
  const podSelector = `podSelector ${describeSelector(peer.podSelector ?? {})}`;
  if (reach.hostNetwork.length > 0) {
    const addresses = [...new Set(reach.hostNetwork.flatMap((p) => p.ips))].sort();
    return {
      ...base,
      message: `${where}: ${podSelector} matches only hostNetwork pods in ${inWhere} (${somePods(reach.hostNetwork)}), which policy sees as their node's address: ${consequence}`,
      why: [field, 'a selector never matches a hostNetwork pod: its traffic carries the node\'s address, which only an ipBlock matches'],
      fix: addresses.length > 0 ? `Match the nodes' addresses with ipBlock peers instead:\n${addresses.map((a) => `- ipBlock:\n    cidr: ${a}/${a.includes(':') ? 128 : 32}`).join('\n')}` : null,
      related: reach.hostNetwork.map((p) => p.id),
    };
  }
  const groups = namespaces.flatMap((ns) => index.groups.get(ns) ?? []);
  const miss = nearMissOf(index, peer.podSelector ?? {}, groups);
  return {
    ...base,
    message: `${where}: ${podSelector} matches no pod in ${inWhere}, so ${consequence}${miss ? `; ${miss.text}` : ''}`,
    why: [field, ...(peer.namespaceSelector ? [`namespaceSelector ${describeSelector(peer.namespaceSelector)} matches ${inWhere}`] : []), ...valuesOfSelectorKeys(peer.podSelector ?? {}, groups.map((g) => g.labels), `pods in ${inWhere}`)],
    fix: miss
      ? patchCommand('networkpolicy', policy.namespace, policy.name, 'json', [{ op: 'replace', path: `${path}/podSelector`, value: { matchLabels: miss.fixed } }])
      : `Correct the podSelector to the labels of the pods meant (${sh`kubectl get pods ${namespaces.length === 1 ? ['-n', namespaces[0]!] : ['-A']} --show-labels`})${peer.namespaceSelector ? '' : `; without a namespaceSelector it looks only in ${policy.namespace}`}`,
    related: [],
  };
}

/** A namespaceSelector that names a namespace by a label it lacks — most often `name: payments`
 * where only `kubernetes.io/metadata.name` is set — is fixed by that label; anything else by
 * labelling the namespace meant. */
function namespaceFix(index: PodIndex, selector: LabelSelector): string {
  const pairs = Object.entries(selector.matchLabels ?? {});
  const [only] = pairs;
  if (pairs.length === 1 && !selector.matchExpressions?.length && only && index.namespaces.has(only[1])) {
    const [key, name] = only;
    // A name that is not plainly a YAML word is written as a JSON string, which YAML reads the same.
    const value = /^[\w.-]+$/.test(name) ? name : JSON.stringify(name);
    return `Select namespace ${name} by the label the API server sets on every namespace:\nnamespaceSelector:\n  matchLabels:\n    kubernetes.io/metadata.name: ${value}\nor label it: ${sh`kubectl label ${kubectlObject('namespace', name)} ${`${key}=${name}`}`}`;
  }
  const labels = pairs.map(([k, v]) => `${k}=${v}`);
  return `Correct the namespaceSelector to the labels of the namespaces meant (kubectl get namespaces --show-labels)${labels.length > 0 ? `, or label them: kubectl label namespace <name> ${labels.map(shellQuote).join(' ')}` : ''}`;
}
