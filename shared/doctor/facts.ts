/**
 * What the doctor's Service checks ask of a topology again and again — the pods a selector
 * picks, a Service's endpoints, who routes to it — indexed once per diagnosis, so that no check
 * scans every pod for every Service (10k Services × 150k pods would take minutes).
 */
import type { ContainerRecord, EndpointRecord, Id, PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import { clusterDnsService } from '../trace/dns.ts';
import type { Problem } from './types.ts';

export interface ServiceFacts {
  /** Whether the source could read this kind (`pods`, `services`, `endpointSlices`, `nodes`):
   * a kind it could not is empty in the model, which says nothing about the cluster. */
  canRead(kind: string): boolean;
  podsIn(namespace: string): PodRecord[];
  /** The pods the Service's selector matches in its namespace (none for selector-less Services). */
  selectedPods(service: ServiceRecord): PodRecord[];
  endpointsOf(service: Id): EndpointRecord[];
  /** Its app and sidecar containers: the ones the EndpointSlice controller looks up named ports in. */
  servingContainers(pod: PodRecord): ContainerRecord[];
  /** Whether anything would answer a connection to the Service: a ready endpoint, or a ready pod
   * its selector picks (the EndpointSlices may not have been readable, or not caught up yet). */
  hasReadyBackend(service: ServiceRecord): boolean;
  /** Whether `hasReadyBackend` can be believed: the EndpointSlices, or the pods a selector picks, were readable. */
  canTellReadiness(service: ServiceRecord): boolean;
  /** What routes to the Service: Ingress rules and HTTPRoute backends, as `ingress shop/shop (shop.example.com/api)`. */
  dependents(service: Id): { id: Id; text: string }[];
  clusterDns: ServiceRecord | null;
}

/** A check over the topology and its index, built once for all of them by services.ts. */
export type ServiceCheck = (topology: Topology, facts: ServiceFacts) => Problem[];

/** A finished pod has given its IP back: it is nobody's endpoint. */
export function isDone(pod: PodRecord): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Built per diagnosis, never kept: a live session updates its topology in place. */
export function serviceFacts(topology: Topology): ServiceFacts {
  const unavailable = new Set(topology.cluster.unavailableKinds.map((k) => k.kind.toLowerCase()));
  const podsByNamespace = new Map<string, PodRecord[]>();
  // `namespace\0key=value` → pods: a selector's rarest pair narrows the candidates to check.
  const podsByLabel = new Map<string, PodRecord[]>();
  for (const pod of Object.values(topology.pods)) {
    push(podsByNamespace, pod.namespace, pod);
    for (const [key, value] of Object.entries(pod.labels)) push(podsByLabel, `${pod.namespace}\0${key}=${value}`, pod);
  }
  const endpointsByService = new Map<Id, EndpointRecord[]>();
  for (const endpoint of Object.values(topology.endpoints)) push(endpointsByService, endpoint.service, endpoint);
  const dependentsByService = new Map<Id, { id: Id; text: string }[]>();
  for (const ingress of Object.values(topology.ingresses)) {
    for (const rule of ingress.rules) push(dependentsByService, rule.service, { id: ingress.id, text: `ingress ${ingress.namespace}/${ingress.name} (${rule.host ?? '*'}${rule.path ?? '/'})` });
  }
  for (const route of Object.values(topology.httpRoutes)) {
    for (const rule of route.rules) {
      for (const backend of rule.backends) push(dependentsByService, backend.service, { id: route.id, text: `httproute ${route.namespace}/${route.name}` });
    }
  }
  const selected = new Map<Id, PodRecord[]>();
  const canRead = (kind: string) => !unavailable.has(kind.toLowerCase());

  const selectedPods = (service: ServiceRecord): PodRecord[] => {
    const selector = service.selector;
    if (selector === null) return [];
    let pods = selected.get(service.id);
    if (pods) return pods;
    let narrowest: PodRecord[] = [];
    let isFirst = true;
    for (const [key, value] of Object.entries(selector)) {
      const list = podsByLabel.get(`${service.namespace}\0${key}=${value}`) ?? [];
      if (isFirst || list.length < narrowest.length) narrowest = list;
      isFirst = false;
    }
    pods = narrowest.filter((pod) => Object.entries(selector).every(([key, value]) => pod.labels[key] === value));
    selected.set(service.id, pods);
    return pods;
  };

  return {
    canRead,
    podsIn: (namespace) => podsByNamespace.get(namespace) ?? [],
    selectedPods,
    endpointsOf: (service) => endpointsByService.get(service) ?? [],
    servingContainers: (pod) => pod.containers.flatMap((id) => topology.containers[id] ?? []).filter((c) => c.role !== 'init'),
    hasReadyBackend: (service) => (endpointsByService.get(service.id) ?? []).some((e) => e.isReady) || selectedPods(service).some((p) => p.isReady && !isDone(p)),
    canTellReadiness: (service) => canRead('endpointSlices') || (service.selector !== null && canRead('pods')),
    dependents: (service) => dependentsByService.get(service) ?? [],
    clusterDns: clusterDnsService(topology),
  };
}
