/**
 * A Service's health in one line, the conclusion first (issue 17, "Panels that conclude"): what
 * a connection to it meets — endpoints ready or not, the fallback to terminating ones, the nodes
 * a Local traffic policy leaves without one, a load balancer still pending — so the user reads
 * the answer before the ingredients. The details panel shows it first, and so does
 * `podpath describe`.
 */
import { matchesSelector } from '../kube/selector.ts';
import type { EndpointRecord, ServiceRecord, Topology } from '../model/types.ts';
import { describeSelector } from '../policy/words.ts';
import { localPolicyGaps, localPolicyNodes, usesLocalEndpoints, type LocalGap } from './endpoint-use.ts';
import type { ServiceHealth } from './types.ts';

const rank = { ok: 0, info: 1, warning: 2, error: 3 } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `all ready`, `1 ready, 1 terminating`, `not ready` (of one). */
function readinessText(endpoints: readonly EndpointRecord[]): string {
  const n = endpoints.length;
  const ready = endpoints.filter((e) => e.isReady).length;
  const terminating = endpoints.filter((e) => e.isTerminating).length;
  const readyText = ready === n ? (n === 1 ? 'ready' : n === 2 ? 'both ready' : 'all ready') : ready === 0 ? (n === 1 ? 'not ready' : 'none ready') : `${ready} ready`;
  return `${readyText}${terminating > 0 ? `, ${terminating} terminating` : ''}`;
}

/** `3 endpoints, all ready`, `2 endpoints, 1 ready, 1 terminating`, `1 endpoint, not ready`. */
function countsText(endpoints: readonly EndpointRecord[]): string {
  return `${plural(endpoints.length, 'endpoint')}, ${readinessText(endpoints)}`;
}

/** `node a`, `nodes a and b`, `nodes a, b and c`, `4 of 6 nodes`; with the verb that follows. */
function nodesText(names: string[], of: number): { subject: string; isPlural: boolean } {
  if (names.length === 1) return { subject: `node ${names[0]}`, isPlural: false };
  if (names.length <= 3) return { subject: `nodes ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`, isPlural: true };
  return { subject: `${names.length} of ${of} nodes`, isPlural: true };
}

/** Why a Service with a selector has no endpoint: no pod matches, or none that matches has an IP. */
function noEndpointText(topology: Topology, service: ServiceRecord, selector: Record<string, string>): string {
  const selected = Object.values(topology.pods).filter((p) => p.namespace === service.namespace && matchesSelector(p.labels, { matchLabels: selector }));
  const text = `selector ${describeSelector({ matchLabels: selector })}`;
  if (selected.length === 0) return `${text} matches no pod`;
  // The EndpointSlice controller lists only pods with an IP that have not finished.
  const running = selected.filter((p) => p.ips.length > 0 && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  if (running.length === 0) return `${text} matches ${plural(selected.length, 'pod')}, none running with an IP`;
  const unread = topology.cluster.unavailableKinds.some((k) => k.kind.toLowerCase() === 'endpointslices');
  return `${text} matches ${plural(running.length, 'running pod')}, but ${unread ? 'EndpointSlices could not be read' : 'no EndpointSlice lists them'}`;
}

/**
 * The nodes a Local traffic policy leaves without an endpoint, and what that costs: under
 * externalTrafficPolicy they drop what reaches their NodePort — behind a load balancer they fail
 * its health check (healthCheckNodePort), so it leaves them out, by design: a fact, not a fault —
 * and under internalTrafficPolicy their pods' connections drop.
 */
function localClause(service: ServiceRecord, gap: LocalGap): { level: ServiceHealth['level']; text: string } {
  const { subject, isPlural } = nodesText(gap.missing.map((n) => n.name), gap.nodes.length);
  const has = `${subject} ${isPlural ? 'have' : 'has'} no ready endpoint`;
  if (gap.policy === 'internalTrafficPolicy') return { level: 'warning', text: `${has}, so with internalTrafficPolicy Local connections from ${isPlural ? 'their' : 'its'} pods drop` };
  if (service.type === 'LoadBalancer') return { level: 'info', text: `${has}: with externalTrafficPolicy Local the load balancer’s health check leaves ${isPlural ? 'them' : 'it'} out` };
  return { level: 'warning', text: `${has}, so with externalTrafficPolicy Local ${isPlural ? 'they drop' : 'it drops'} external traffic` };
}

/** The Service's health from its endpoints (all of its EndpointSlices' addresses), its selector,
 * type and traffic policies, and the nodes. */
export function serviceHealth(topology: Topology, service: ServiceRecord, endpoints: readonly EndpointRecord[]): ServiceHealth {
  if (service.type === 'ExternalName') return { level: 'info', line: `ExternalName: a DNS alias for ${service.externalName ?? '(no name)'}, no endpoints` };
  const { selector } = service;
  const headless = service.isHeadless ? 'headless, ' : '';
  if (endpoints.length === 0) {
    const why = selector ? noEndpointText(topology, service, selector) : 'no selector, and no EndpointSlice made by hand';
    return { level: 'error', line: `${headless}0 endpoints: ${why}` };
  }
  const ready = endpoints.filter((e) => e.isReady).length;

  // A headless Service has no proxy: DNS answers with the ready addresses (CoreDNS leaves out
  // the rest; publishNotReadyAddresses makes the slices say ready instead).
  if (service.isHeadless) {
    if (ready === 0) return { level: 'error', line: `headless: ${countsText(endpoints)}, so DNS returns no address` };
    const left = endpoints.length - ready;
    return {
      level: left === 0 ? 'ok' : 'info',
      line: `headless: DNS returns the ${ready} ready ${selector ? 'pod ' : ''}IP${ready === 1 ? '' : 's'}${left > 0 ? `; ${left} not ready ${left === 1 ? 'is' : 'are'} left out` : ''}`,
    };
  }

  const counts = selector
    ? countsText(endpoints)
    : `no selector: ${service.namespace === 'default' && service.name === 'kubernetes' ? 'the API server writes its endpoints' : 'endpoints come from hand-made EndpointSlices'} (${endpoints.length}, ${readinessText(endpoints)})`;
  let level: ServiceHealth['level'] = ready === endpoints.length ? 'ok' : 'info';
  const clauses: string[] = [];
  const raise = (to: ServiceHealth['level']) => (level = rank[to] > rank[level] ? to : level);
  if (ready === 0) {
    const fallback = endpoints.filter((e) => e.isServing && e.isTerminating).length;
    if (fallback === 0) return { level: 'error', line: `${counts}: connections are rejected` };
    raise('warning');
    clauses.push(`kube-proxy falls back to the ${fallback === 1 ? 'one' : fallback} terminating that still serve${fallback === 1 ? 's' : ''}`);
  } else if (usesLocalEndpoints(service)) {
    for (const gap of localPolicyGaps(topology, service, endpoints, localPolicyNodes(topology))) {
      const clause = localClause(service, gap);
      raise(clause.level);
      clauses.push(clause.text);
    }
  }
  if (service.type === 'LoadBalancer' && service.loadBalancerIngress.length === 0) {
    raise('warning');
    clauses.push('the load balancer has no address yet');
  }
  const line = [counts, ...clauses].join('; ');
  return { level, line: level === 'ok' && selector ? `healthy: ${line}` : line };
}
