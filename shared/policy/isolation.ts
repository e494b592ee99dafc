/**
 * Which directions of a pod NetworkPolicy isolates: a pod is isolated for ingress (egress) when
 * some policy in its namespace selects it and lists Ingress (Egress) among its policyTypes
 * (defaulted at derive time, as the API server does). hostNetwork pods are outside
 * NetworkPolicy. What an isolated pod may still do is the rules' business (evaluate.ts).
 */
import { matchesSelector } from '../kube/selector.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';

export interface Isolation {
  ingress: boolean;
  egress: boolean;
}

const byNamespaceCache = new WeakMap<Topology['policies'], ReadonlyMap<string, readonly PolicyRecord[]>>();

/** The topology's policies by namespace, computed once per policies collection. */
export function policiesByNamespace(topology: Topology): ReadonlyMap<string, readonly PolicyRecord[]> {
  let found = byNamespaceCache.get(topology.policies);
  if (!found) {
    const map = new Map<string, PolicyRecord[]>();
    for (const policy of Object.values(topology.policies)) {
      const list = map.get(policy.namespace);
      if (list) list.push(policy);
      else map.set(policy.namespace, [policy]);
    }
    found = map;
    byNamespaceCache.set(topology.policies, found);
  }
  return found;
}

export function isolationOf(topology: Topology, pod: PodRecord): Isolation {
  const isolation = { ingress: false, egress: false };
  if (pod.isHostNetwork) return isolation;
  for (const policy of policiesByNamespace(topology).get(pod.namespace) ?? []) {
    if (!matchesSelector(pod.labels, policy.spec.podSelector)) continue;
    if (policy.policyTypes.includes('Ingress')) isolation.ingress = true;
    if (policy.policyTypes.includes('Egress')) isolation.egress = true;
    if (isolation.ingress && isolation.egress) break;
  }
  return isolation;
}
