/**
 * Which Ingress rule or HTTPRoute rule serves a request for a host and path: host matching
 * (wildcards one label deep) and path matching by elements (Ingress `Prefix` and `Exact`), as the
 * controllers do. Pure, for the trace's `http://host/path` ends (endpoints.ts).
 */
import type { GatewayRecord, HTTPRouteRecord, IngressRecord, IngressRuleRecord, Topology } from '../model/types.ts';

/** The path of an HTTPRoute path match as the model writes it (`Prefix /api`); `/` when there is none. */
export function firstPath(path: string | undefined): string {
  return path?.split(' ')[1] ?? '/';
}

/** Prefix matching by path elements, as Ingress `Prefix` does: `/api` matches `/api/x`, not `/apix`. */
function pathMatches(rulePath: string | null, pathType: string | null, path: string): number {
  const rule = rulePath ?? '/';
  if (pathType === 'Exact') return rule === path ? rule.length + 1 : -1;
  if (rule === '/' || path === rule || path.startsWith(rule.endsWith('/') ? rule : `${rule}/`)) return rule.length;
  return -1;
}

export function hostMatches(ruleHost: string | null, host: string | null): boolean {
  if (ruleHost === null || host === null) return true;
  if (ruleHost.startsWith('*.')) {
    const suffix = ruleHost.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
  }
  return ruleHost.toLowerCase() === host.toLowerCase();
}

/** The Ingress rule a request takes: matching host, then the longest matching path. */
export function ingressRuleFor(ingress: IngressRecord, host: string | null, path: string): IngressRuleRecord | null {
  let best: IngressRuleRecord | null = null;
  let bestScore = -1;
  for (const rule of ingress.rules) {
    if (!hostMatches(rule.host, host)) continue;
    // A rule for this exact host beats the default backend and wildcards.
    const score = pathMatches(rule.path, rule.pathType, path) + (rule.host !== null && host !== null && !rule.host.startsWith('*') ? 10_000 : 0);
    if (pathMatches(rule.path, rule.pathType, path) >= 0 && score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

/** The first rule of the gateway's HTTPRoutes that serves the host and path, if any. */
export function gatewayRouteFor(topology: Topology, gateway: GatewayRecord, host: string | null, path: string): { route: HTTPRouteRecord; ruleIndex: number } | null {
  const routes = Object.values(topology.httpRoutes).filter((r) => r.parents.includes(gateway.id));
  for (const route of routes) {
    if (host !== null && route.hostnames.length > 0 && !route.hostnames.some((h) => hostMatches(h, host))) continue;
    const ruleIndex = route.rules.findIndex((rule) => rule.paths.length === 0 || rule.paths.some((p) => pathMatches(firstPath(p), p.startsWith('Exact') ? 'Exact' : 'Prefix', path) >= 0));
    if (ruleIndex >= 0) return { route, ruleIndex };
  }
  return null;
}
