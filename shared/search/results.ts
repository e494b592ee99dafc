/**
 * What a search answers with: one result per element, in the words the search box shows, and the
 * rank it is sorted by.
 */
import type { GatewayRecord, Host, Id, IngressRecord, PodRecord, ServiceRecord, Topology } from '../model/types.ts';

export type SearchResultKind = 'pod' | 'service' | 'node' | 'ingress' | 'gateway' | 'device' | 'ip' | 'invalid';

export interface SearchResult {
  /** The element's model id (also its graph id); for `ip` and `invalid`, a synthetic id. */
  id: Id;
  kind: SearchResultKind;
  title: string;
  subtitle: string;
  /** Why it matched: "pod IP", "ClusterIP of svc shop/web", "in 10.244.0.0/16 (cluster pod CIDR) but no pod has it". */
  reason: string;
}

export interface SearchOptions {
  /** At most this many results (default 50). */
  limit?: number;
  /** The Service CIDR(s), when known (the API does not publish them). */
  serviceCIDRs?: readonly string[];
}

export interface Ranked {
  score: number;
  result: SearchResult;
}

export function podResult(pod: PodRecord, topology: Topology, reason: string): SearchResult {
  const host = pod.host ? (topology.hosts[pod.host]?.name ?? null) : null;
  const where = [pod.ips.join(', ') || 'no IP', host ? `on ${host}` : 'unscheduled', pod.isHostNetwork ? 'hostNetwork' : null].filter(Boolean).join(' · ');
  return { id: pod.id, kind: 'pod', title: `${pod.namespace}/${pod.name}`, subtitle: `pod · ${where}`, reason };
}

export function serviceResult(service: ServiceRecord, reason: string): SearchResult {
  const address = service.clusterIPs.join(', ') || (service.isHeadless ? 'headless' : (service.externalName ?? 'no ClusterIP'));
  return { id: service.id, kind: 'service', title: `${service.namespace}/${service.name}`, subtitle: `Service · ${service.type} · ${address}`, reason };
}

export function nodeResult(host: Host, reason: string): SearchResult {
  return { id: host.id, kind: 'node', title: host.name, subtitle: `node · ${[...host.internalIPs, ...host.externalIPs].join(', ') || 'no address'}`, reason };
}

export function ingressResult(ingress: IngressRecord, reason: string): SearchResult {
  return { id: ingress.id, kind: 'ingress', title: `${ingress.namespace}/${ingress.name}`, subtitle: `Ingress · ${ingress.className ?? 'no class'}`, reason };
}

export function gatewayResult(gateway: GatewayRecord, reason: string): SearchResult {
  return { id: gateway.id, kind: 'gateway', title: `${gateway.namespace}/${gateway.name}`, subtitle: `Gateway · ${gateway.className}`, reason };
}
