/**
 * What the doctor's NetworkPolicy checks look pods up in, built once per topology: the pods a
 * selector can match, grouped by namespace and label set. Pods of one namespace with the same
 * labels are selected by exactly the same selectors, so a selector is matched once per group, not
 * once per pod, and 10k pods cost a few hundred matches.
 */
import type { LabelSelector } from '../kube/objects.ts';
import type { Id, PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { namespaceLabels } from '../policy/rules.ts';
import { matchesSelector } from '../kube/selector.ts';

export interface PodGroup {
  namespace: string;
  labels: Record<string, string>;
  /** Its pods, by name. */
  pods: PodRecord[];
}

export interface PodIndex {
  /** Pods in their own netns, by namespace: the only pods a podSelector or namespaceSelector matches. */
  groups: ReadonlyMap<string, PodGroup[]>;
  /** Each pod's group (hostNetwork pods have none). */
  groupOf: ReadonlyMap<Id, PodGroup>;
  /** hostNetwork pods, by namespace: policy sees them as their node's address, which only an ipBlock matches. */
  hostNetwork: ReadonlyMap<string, PodRecord[]>;
  /** Every namespace the model knows (listed, or named by an object in it) and its labels, by name. */
  namespaces: ReadonlyMap<string, Record<string, string>>;
  /** Whether the namespaces' labels were read: when Namespaces are unreadable, only the name
   * label the API server sets is known, and what a namespaceSelector matches is not. */
  hasNamespaceLabels: boolean;
}

/** Whether the source could not read `kind` (RBAC, errors): then its absence proves nothing. */
export function isUnreadable(topology: Topology, kind: 'pods' | 'namespaces'): boolean {
  return topology.cluster.unavailableKinds.some((k) => k.kind.toLowerCase() === kind);
}

const cache = new WeakMap<Topology['pods'], { namespaces: Topology['namespaces']; index: PodIndex }>();

export function podIndex(topology: Topology): PodIndex {
  const cached = cache.get(topology.pods);
  if (cached?.namespaces === topology.namespaces) return cached.index;
  const byKey = new Map<string, PodGroup>();
  const groupOf = new Map<Id, PodGroup>();
  const hostNetwork = new Map<string, PodRecord[]>();
  const names = new Set(Object.values(topology.namespaces).map((n) => n.name));
  for (const pod of Object.values(topology.pods).sort(byPodName)) {
    names.add(pod.namespace);
    if (pod.isHostNetwork) {
      push(hostNetwork, pod.namespace, pod);
      continue;
    }
    const key = `${pod.namespace}\n${labelKey(pod.labels)}`;
    let group = byKey.get(key);
    if (group) group.pods.push(pod);
    else byKey.set(key, (group = { namespace: pod.namespace, labels: pod.labels, pods: [pod] }));
    groupOf.set(pod.id, group);
  }
  const groups = new Map<string, PodGroup[]>();
  for (const group of byKey.values()) push(groups, group.namespace, group);
  const namespaces = new Map([...names].sort().map((name) => [name, namespaceLabels(topology, name)] as const));
  const index: PodIndex = { groups, groupOf, hostNetwork, namespaces, hasNamespaceLabels: !isUnreadable(topology, 'namespaces') };
  cache.set(topology.pods, { namespaces: topology.namespaces, index });
  return index;
}

/** The groups of the policy's namespace its podSelector selects. */
export function selectedGroups(index: PodIndex, policy: PolicyRecord): PodGroup[] {
  return (index.groups.get(policy.namespace) ?? []).filter((g) => matchesSelector(g.labels, policy.spec.podSelector));
}

/** A key equal for equal label sets, whatever the order of their keys. */
function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function byPodName(a: PodRecord, b: PodRecord): number {
  const x = `${a.namespace}/${a.name}`;
  const y = `${b.namespace}/${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A few pods by name and how many more: `shop/a, shop/b, shop/c and 4 more`. */
export function somePods(pods: PodRecord[], shown = 3): string {
  const names = pods.slice(0, shown).map((p) => `${p.namespace}/${p.name}`);
  const rest = pods.length - names.length;
  return rest > 0 ? `${names.join(', ')} and ${rest} more` : names.join(', ');
}

/** What values the selector's keys take among `labelSets`, e.g. `app: backend, db, frontend`,
 * so a one-letter difference shows beside the selector that missed. */
export function valuesOfSelectorKeys(selector: LabelSelector, labelSets: Record<string, string>[], what: string): string[] {
  const keys = [...new Set([...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)])];
  return keys.map((key) => {
    const values = [...new Set(labelSets.flatMap((labels) => (Object.hasOwn(labels, key) ? [labels[key] ?? ''] : [])))].sort();
    if (values.length === 0) return `no ${what} has a label ${key}`;
    const shown = values.slice(0, 8).map((v) => (v === '' ? '""' : v));
    return `${what} have ${key}: ${shown.join(', ')}${values.length > shown.length ? `, … (${values.length} values)` : ''}`;
  });
}
