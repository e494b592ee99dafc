/**
 * The ends of a trace as the result names them (`TraceEnd`), and the source as a sender.
 */
import type { Id, PodRecord, Topology } from '../model/types.ts';
import type { DnsResult } from './dns.ts';
import { endpointIds, type Endpoint } from './endpoints.ts';
import { podLabel, type Ctx, type Sender } from './outcome.ts';
import { hostOf } from './path/hop.ts';
import { internetClient } from './path/internet.ts';
import { suggestionsFor } from './suggest.ts';
import type { TraceEnd } from './types.ts';

/** An end as the result reports it: what its text was read as. */
export function traceEnd(query: string, endpoint: Endpoint): TraceEnd {
  const base = { query, container: null, node: null, ip: null } as const;
  switch (endpoint.kind) {
    case 'pod':
      return { ...base, kind: endpoint.container ? 'container' : 'pod', id: endpoint.pod.id, container: endpoint.container?.id ?? null, label: `${podLabel(endpoint.pod)}${endpoint.container ? `:${endpoint.container.name}` : ''}`, ip: endpoint.pod.ips[0] ?? null, node: endpoint.pod.host, how: endpoint.how };
    case 'node':
      return { ...base, kind: 'node', id: endpoint.host.id, label: endpoint.host.name, ip: endpoint.ip || null, node: endpoint.host.id, how: endpoint.how };
    case 'service':
      return { ...base, kind: 'service', id: endpoint.service.id, label: `${endpoint.service.namespace}/${endpoint.service.name}`, ip: endpoint.ip, how: endpoint.how };
    case 'ingress':
      return { ...base, kind: 'ingress', id: endpoint.ingress.id, label: `${endpoint.ingress.namespace}/${endpoint.ingress.name}${endpoint.host ? ` ${endpoint.host}` : ''}${endpoint.path}`, ip: endpoint.ingress.loadBalancerIngress[0] ?? null, how: endpoint.how };
    case 'gateway':
      return { ...base, kind: 'gateway', id: endpoint.gateway.id, label: `${endpoint.gateway.namespace}/${endpoint.gateway.name}${endpoint.host ? ` ${endpoint.host}` : ''}${endpoint.path}`, ip: endpoint.gateway.addresses[0] ?? null, how: endpoint.how };
    case 'name':
      return { ...base, kind: 'service', id: null, label: endpoint.name, how: endpoint.how };
    case 'external':
      return { ...base, kind: endpoint.ip ? 'external' : 'internet', id: endpointIds(endpoint)[0] ?? null, label: endpoint.ip ?? 'the internet', ip: endpoint.ip, how: endpoint.how };
    case 'unowned':
      return { ...base, kind: 'unknown', id: null, label: endpoint.ip, ip: endpoint.ip, how: endpoint.how };
    case 'unknown':
      return { ...base, kind: 'unknown', id: null, label: query, how: endpoint.message, ...(endpoint.suggestions?.length ? { suggestions: endpoint.suggestions } : {}) };
  }
}

/** The source as a sender, or in words why it cannot send (a Service, a name, a pod with no IP). */
export function senderFor(ctx: Ctx, endpoint: Endpoint): Sender | string {
  switch (endpoint.kind) {
    case 'pod': {
      const host = hostOf(ctx, endpoint.pod);
      if (!host) return `${podLabel(endpoint.pod)} is ${endpoint.pod.phase} and not on a node: it has no network namespace to send from.`;
      if (endpoint.pod.ips.length === 0) return `${podLabel(endpoint.pod)} has no IP yet (${endpoint.pod.phase}): it cannot send.`;
      return { kind: 'pod', pod: endpoint.pod, container: endpoint.container, host };
    }
    case 'node':
      return { kind: 'node', host: endpoint.host };
    case 'external':
      return { kind: 'external', ip: endpoint.ip ?? internetClient };
    case 'service':
      return `a Service does not send traffic: trace from one of its pods${podsOf(ctx, endpoint.service.id)}.`;
    case 'ingress':
    case 'gateway':
      return 'an Ingress or Gateway does not send traffic: trace from its controller\'s pods, or from the internet to it.';
    case 'name':
      return `"${endpoint.name}" is a name to look up, not a sender: trace from a pod, a node or the internet.`;
    case 'unowned':
      return `no pod has ${endpoint.ip} (${endpoint.how}).`;
    case 'unknown':
      return endpoint.message;
  }
}

function podsOf(ctx: Ctx, service: Id): string {
  const pods = Object.values(ctx.topology.endpoints)
    .filter((e) => e.service === service && e.pod)
    .map((e) => ctx.topology.pods[e.pod ?? ''])
    .filter((p): p is PodRecord => p !== undefined)
    .slice(0, 3);
  return pods.length > 0 ? ` (${pods.map(podLabel).join(', ')})` : '';
}

/** A destination given by name, once DNS has said what it is. */
export function resolvedEnd(end: TraceEnd, dns: DnsResult): TraceEnd {
  const target = dns.target;
  if (!target || target.kind === 'upstream' || end.id !== null) return end;
  const ip = target.kind === 'service' ? target.ip : target.kind === 'headless' ? (target.ips[0] ?? null) : null;
  return { ...end, kind: 'service', id: target.service.id, ip, how: `${end.how} → svc ${target.service.namespace}/${target.service.name}` };
}

/** The "did you mean" that ends the summary of a destination name that resolves to nothing. */
export function suggestionText(topology: Topology, to: Endpoint): string {
  if (to.kind !== 'name') return '';
  const suggestions = suggestionsFor(topology, to.name);
  return suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '';
}
