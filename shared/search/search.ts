/**
 * The search box's model (issue 5, "Finding"): one query, four forms.
 *
 * - an IP (`10.244.1.7`): every element that owns the address — pod IPs, node Internal/External
 *   IPs, ClusterIPs, Service external IPs and LoadBalancer ingress, Ingress and Gateway addresses,
 *   node devices' addresses — and, when nothing owns it, one `ip` result saying where it falls:
 *   a node's pod range, the cluster's pod CIDRs, the Service CIDR when known, the nodes' own
 *   network, or outside the cluster;
 * - a CIDR (`10.244.1.0/24`): every element with an address in it;
 * - a label selector (`app=web,tier!=db`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, `k>3`), with
 *   Kubernetes' semantics, over pods, Services and nodes;
 * - anything else: a case-insensitive substring of names, `namespace/name` matched exactly first;
 *   and what the text names when read as a trace end is (shared/trace/endpoints.ts): `ns/pod:5432`,
 *   `svc/ns/name:port`, a Deployment's or StatefulSet's `ns/name`, a unique start of a pod name,
 *   `name.ns`, `IP:port` — the element, without the port.
 *
 * Pure: no DOM, no Node. Results are ranked (best first) and capped. The address forms are
 * answered in addresses.ts, label selectors parsed in label-selector.ts.
 */
import type { Id, Topology } from '../model/types.ts';
import { parseCIDRStrict, parseIPStrict } from '../net/ip.ts';
import { parseEndpoint, type Endpoint } from '../trace/endpoints.ts';
import { searchAddressPrefix, searchCIDR, searchIP } from './addresses.ts';
import { keyError, matchesSelector, parseSelector, requirementText, type Requirement } from './label-selector.ts';
import { gatewayResult, ingressResult, nodeResult, podResult, serviceResult, type Ranked, type SearchOptions, type SearchResult, type SearchResultKind } from './results.ts';

export type { SearchOptions, SearchResult, SearchResultKind } from './results.ts';

export type QueryForm = 'empty' | 'ip' | 'cidr' | 'selector' | 'text';

const defaultLimit = 50;

/** Which of the four forms a query is. A bare word is text (a name), not a label-exists selector. */
export function queryForm(query: string): QueryForm {
  const q = query.trim();
  if (q === '') return 'empty';
  if (parseIPStrict(q)) return 'ip';
  if (parseCIDRStrict(q)) return 'cidr';
  if (/[=!(),<>]/.test(q) || /\s(in|notin)\s*\(/.test(q)) return 'selector';
  return 'text';
}

export function search(topology: Topology, query: string, options: SearchOptions = {}): SearchResult[] {
  const limit = options.limit ?? defaultLimit;
  const q = query.trim();
  let ranked: Ranked[];
  switch (queryForm(q)) {
    case 'empty':
      return [];
    case 'ip':
      ranked = searchIP(topology, parseIPStrict(q)!, options);
      break;
    case 'cidr':
      ranked = searchCIDR(topology, parseCIDRStrict(q)!);
      break;
    case 'selector': {
      const parsed = parseSelector(q);
      if ('error' in parsed) return [{ id: 'invalid:selector', kind: 'invalid', title: 'Not a label selector', subtitle: q, reason: parsed.error }];
      ranked = searchSelector(topology, parsed.requirements);
      break;
    }
    case 'text':
      ranked = searchText(topology, q);
      break;
  }
  ranked.sort((a, b) => a.score - b.score || kindOrder[a.result.kind] - kindOrder[b.result.kind] || a.result.title.localeCompare(b.result.title));
  // One result per element: the best reason wins.
  const seen = new Set<Id>();
  const out: SearchResult[] = [];
  for (const { result } of ranked) {
    if (seen.has(result.id)) continue;
    seen.add(result.id);
    out.push(result);
    if (out.length >= limit) break;
  }
  return out;
}

const kindOrder: Record<SearchResultKind, number> = { pod: 0, service: 1, node: 2, ingress: 3, gateway: 4, device: 5, ip: 6, invalid: 7 };

function searchSelector(topology: Topology, requirements: readonly Requirement[], score = 0, reason = `labels match ${requirements.map(requirementText).join(',')}`): Ranked[] {
  const out: Ranked[] = [];
  for (const pod of Object.values(topology.pods)) if (matchesSelector(pod.labels, requirements)) out.push({ score, result: podResult(pod, topology, reason) });
  for (const service of Object.values(topology.services)) if (matchesSelector(service.labels, requirements)) out.push({ score, result: serviceResult(service, reason) });
  for (const host of Object.values(topology.hosts)) if (matchesSelector(host.labels, requirements)) out.push({ score, result: nodeResult(host, reason) });
  return out;
}

/** 0 exact, 1 prefix, 2 substring of the name; 3 the namespace itself, 4 substring of `ns/name`. */
function nameScore(q: string, name: string, namespace: string | null): number | null {
  const n = name.toLowerCase();
  if (q.includes('/') && namespace !== null) {
    const slash = q.indexOf('/');
    const [ns, rest] = [q.slice(0, slash), q.slice(slash + 1)];
    const space = namespace.toLowerCase();
    if (space === ns && n === rest) return 0;
    if (space === ns && n.startsWith(rest)) return 1;
    if (space === ns && n.includes(rest)) return 2;
    return `${space}/${n}`.includes(q) ? 4 : null;
  }
  if (n === q) return 0;
  if (n.startsWith(q)) return 1;
  if (n.includes(q)) return 2;
  if (namespace !== null && namespace.toLowerCase() === q) return 3;
  if (namespace !== null && `${namespace.toLowerCase()}/${n}`.includes(q)) return 4;
  return null;
}

const nameReason = ['exact name', 'name starts with it', 'name contains it', 'in namespace', 'namespace/name contains it'];

function searchText(topology: Topology, query: string): Ranked[] {
  const q = query.toLowerCase();
  const out: Ranked[] = [];
  const add = (score: number | null, result: (reason: string) => SearchResult) => {
    if (score !== null) out.push({ score, result: result(nameReason[score]!) });
  };
  for (const pod of Object.values(topology.pods)) add(nameScore(q, pod.name, pod.namespace), (r) => podResult(pod, topology, r));
  for (const service of Object.values(topology.services)) add(nameScore(q, service.name, service.namespace), (r) => serviceResult(service, r));
  for (const host of Object.values(topology.hosts)) add(nameScore(q, host.name, null), (r) => nodeResult(host, r));
  for (const ingress of Object.values(topology.ingresses)) add(nameScore(q, ingress.name, ingress.namespace), (r) => ingressResult(ingress, r));
  for (const gateway of Object.values(topology.gateways)) add(nameScore(q, gateway.name, gateway.namespace), (r) => gatewayResult(gateway, r));
  out.push(...searchAddressPrefix(topology, q));
  // A bare word is a name the lines above already find; reading it as an end too would only cost.
  if (/[/:.]/.test(q)) out.push(...searchTraceEnd(topology, query));
  // A bare label key: after the names, what carries the label.
  if (!keyError(query)) out.push(...searchSelector(topology, [{ key: query, op: 'exists' }], 9, `has label ${query}`));
  return out;
}

/** Read as a trace end from outside the cluster, so that a Service's `name.ns` is the Service. */
const outside: Endpoint = { kind: 'external', ip: null, how: 'the internet' };

/**
 * What the query names as the trace would read it: the pod a trace from it starts at (a
 * workload's picked pod, said in the reason), what a trace to it ends at. Just after exact names,
 * so `shop/frontend` lists the Service first, then the pod a trace would pick.
 */
function searchTraceEnd(topology: Topology, query: string): Ranked[] {
  const out: Ranked[] = [];
  for (const role of ['to', 'from'] as const) {
    // What follows the colon means nothing to a source (its port is ephemeral): read it without.
    const text = role === 'from' ? query.replace(/:[^:/]+$/, '') : query;
    const end = parseEndpoint(topology, text, role, { from: outside, isSuggesting: false });
    const reason = 'how' in end ? end.how : '';
    if (end.kind === 'pod') out.push({ score: 0.5, result: podResult(end.pod, topology, reason) });
    else if (end.kind === 'service') out.push({ score: 0.5, result: serviceResult(end.service, 'names it as a trace end') });
    else if (end.kind === 'node') out.push({ score: 0.5, result: nodeResult(end.host, reason) });
    else if (end.kind === 'ingress') out.push({ score: 0.5, result: ingressResult(end.ingress, reason) });
    else if (end.kind === 'gateway') out.push({ score: 0.5, result: gatewayResult(end.gateway, reason) });
  }
  return out;
}
