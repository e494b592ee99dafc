/**
 * Which model elements are joined, and by what: the one table both the graph
 * (renderer/graph/element-builders.ts) and the DOT export (shared/export/dot.ts) draw their edges
 * from, so the two pictures cannot disagree about what connects to what.
 *
 * A relation is owned by one model element (the record it is derived from), so a delta that
 * names that element names every relation that may have changed with it. Both of a relation's
 * ends exist in the topology it was computed from; a consumer that shows only part of the
 * topology (filters, a DOT cluster that declares no node) checks that it shows both ends.
 *
 * The overlay's tunnels are not here: every node's tunnel device reaches every other's, which
 * the model holds as each host's tunnel device and routes, not as records joining two elements.
 */
import { internetId, type EndpointRecord, type Id, type IngressRecord, type ServiceRecord, type Topology, type VethRecord } from './types.ts';

export type RelationKind = 'veth' | 'endpoint' | 'backend' | 'exposure';

export interface Relation {
  /** Stable across updates: the owning record's id for veths and endpoints. */
  id: string;
  kind: RelationKind;
  source: Id;
  target: Id;
  /** The record the relation is derived from. */
  owner: Id;
  /** Veths: whether the host end hangs from a bridge (`source` is the device) or is reached
   * by a route in the root netns (`source` is the host). */
  via?: 'bridge' | 'routes';
  /** Ingress backends: the `host/path`s routed to the Service, each once, in rule order. */
  routes?: string[];
  /** Exposures: the addresses the Internet reaches the element at. */
  addresses?: string[];
}

/** What each relation joins, and which record owns it. */
export const relationKinds: Record<RelationKind, { owner: 'veth' | 'endpoint' | 'ingress' | 'service'; source: string; target: string; meaning: string }> = {
  veth: { owner: 'veth', source: 'bridge device, or host (routes)', target: 'pod', meaning: "the pod's eth0 and its host end in the root netns" },
  endpoint: { owner: 'endpoint', source: 'service', target: 'pod', meaning: 'an EndpointSlice address of the Service that is the pod' },
  backend: { owner: 'ingress', source: 'ingress', target: 'service', meaning: 'a rule of the Ingress sends requests to the Service' },
  exposure: { owner: 'ingress', source: 'the Internet', target: 'ingress or LoadBalancer/externalIPs service', meaning: 'reachable from outside the cluster' },
};

/** The veth joining its pod to the host, when the pod is in its own netns on a known host. */
export function vethRelation(topology: Topology, veth: VethRecord): Relation | null {
  const pod = topology.pods[veth.pod];
  if (!pod || pod.isHostNetwork || pod.veth !== veth.id || !pod.host || !topology.hosts[pod.host]) return null;
  const bridge = veth.bridge ? topology.devices[veth.bridge] : undefined;
  const isBridged = bridge !== undefined && bridge.host === pod.host;
  return { id: veth.id, kind: 'veth', source: isBridged ? bridge.id : pod.host, target: pod.id, owner: veth.id, via: isBridged ? 'bridge' : 'routes' };
}

/** The Service's endpoint that is a pod (addresses without a pod join nothing). */
export function endpointRelation(topology: Topology, endpoint: EndpointRecord): Relation | null {
  if (!endpoint.pod || !topology.pods[endpoint.pod] || !topology.services[endpoint.service]) return null;
  return { id: endpoint.id, kind: 'endpoint', source: endpoint.service, target: endpoint.pod, owner: endpoint.id };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One relation per Service the Ingress routes to, in Service id order. */
export function backendRelations(topology: Topology, ingress: IngressRecord): Relation[] {
  const routes = new Map<Id, string[]>();
  for (const rule of ingress.rules) {
    if (!topology.services[rule.service]) continue;
    const list = routes.get(rule.service) ?? [];
    const route = `${rule.host ?? '*'}${rule.path ?? '/'}`;
    if (!list.includes(route)) list.push(route);
    routes.set(rule.service, list);
  }
  return [...routes]
    .sort(([a], [b]) => compare(a, b))
    .map(([service, list]) => ({ id: `backend:${ingress.id}>${service}`, kind: 'backend' as const, source: ingress.id, target: service, owner: ingress.id, routes: list }));
}

/** Whether the Internet reaches a Service directly: a LoadBalancer, or one with externalIPs. */
export function isExposedService(service: ServiceRecord): boolean {
  return service.type === 'LoadBalancer' || service.externalIPs.length > 0;
}

/** The Internet's way in to an Ingress, or to an exposed Service; null for any other Service. */
export function exposureRelation(element: IngressRecord | ServiceRecord): Relation | null {
  if (element.kind === 'service' && !isExposedService(element)) return null;
  const addresses = element.kind === 'service' ? [...element.loadBalancerIngress, ...element.externalIPs] : element.loadBalancerIngress;
  return { id: `expose:${element.id}`, kind: 'exposure', source: internetId, target: element.id, owner: element.id, addresses };
}

/** Every relation of the topology: veths and endpoints in id order, then each Ingress's
 * backends and exposure, then the exposed Services, both in namespace/name order. */
export function allRelations(topology: Topology): Relation[] {
  const byId = <T extends { id: Id }>(records: Record<Id, T>): T[] => Object.values(records).sort((a, b) => compare(a.id, b.id));
  const byName = <T extends { namespace: string; name: string }>(records: Record<Id, T>): T[] =>
    Object.values(records).sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  const out: Relation[] = [];
  const push = (relation: Relation | null): void => void (relation && out.push(relation));
  for (const veth of byId(topology.veths)) push(vethRelation(topology, veth));
  for (const endpoint of byId(topology.endpoints)) push(endpointRelation(topology, endpoint));
  for (const ingress of byName(topology.ingresses)) {
    out.push(...backendRelations(topology, ingress));
    push(exposureRelation(ingress));
  }
  for (const service of byName(topology.services)) push(exposureRelation(service));
  return out;
}
