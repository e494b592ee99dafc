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
 * - anything else: a case-insensitive substring of names, `namespace/name` matched exactly first.
 *
 * Pure: no DOM, no Node. Results are ranked (best first) and capped.
 */
import ipaddr from 'ipaddr.js';
import type { Host, Id, PodRecord, ServiceRecord, Topology } from './model/types.ts';
import { parseCIDR, parseCIDRStrict, parseIPStrict } from './net/ip.ts';

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

interface Ranked {
  score: number;
  result: SearchResult;
}

const kindOrder: Record<SearchResultKind, number> = { pod: 0, service: 1, node: 2, ingress: 3, gateway: 4, device: 5, ip: 6, invalid: 7 };

// ——— results for each kind of element ———

function podResult(pod: PodRecord, topology: Topology, reason: string): SearchResult {
  const host = pod.host ? (topology.hosts[pod.host]?.name ?? null) : null;
  const where = [pod.ips.join(', ') || 'no IP', host ? `on ${host}` : 'unscheduled', pod.isHostNetwork ? 'hostNetwork' : null].filter(Boolean).join(' · ');
  return { id: pod.id, kind: 'pod', title: `${pod.namespace}/${pod.name}`, subtitle: `pod · ${where}`, reason };
}

function serviceResult(service: ServiceRecord, reason: string): SearchResult {
  const address = service.clusterIPs.join(', ') || (service.isHeadless ? 'headless' : (service.externalName ?? 'no ClusterIP'));
  return { id: service.id, kind: 'service', title: `${service.namespace}/${service.name}`, subtitle: `Service · ${service.type} · ${address}`, reason };
}

function nodeResult(host: Host, reason: string): SearchResult {
  return { id: host.id, kind: 'node', title: host.name, subtitle: `node · ${[...host.internalIPs, ...host.externalIPs].join(', ') || 'no address'}`, reason };
}

// ——— IPs and CIDRs ———

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Every address an element owns, with the words that say what the address is to it. */
interface Owned {
  address: string;
  /** Lower is a better answer to "what is this?": a pod before the hostNetwork pods sharing a node's IP. */
  score: number;
  reason: string;
  result: (reason: string) => SearchResult;
}

function* ownedAddresses(topology: Topology): Generator<Owned> {
  for (const pod of Object.values(topology.pods)) {
    for (const ip of pod.ips) {
      yield pod.isHostNetwork
        ? { address: ip, score: 3, reason: 'pod IP (hostNetwork: the node’s own address)', result: (r) => podResult(pod, topology, r) }
        : { address: ip, score: 0, reason: 'pod IP', result: (r) => podResult(pod, topology, r) };
    }
  }
  for (const service of Object.values(topology.services)) {
    const name = `svc ${service.namespace}/${service.name}`;
    for (const ip of service.clusterIPs) yield { address: ip, score: 0, reason: `ClusterIP of ${name}`, result: (r) => serviceResult(service, r) };
    for (const ip of service.externalIPs) yield { address: ip, score: 0, reason: `external IP of ${name}`, result: (r) => serviceResult(service, r) };
    for (const ip of service.loadBalancerIngress) yield { address: ip, score: 0, reason: `LoadBalancer address of ${name}`, result: (r) => serviceResult(service, r) };
  }
  for (const host of Object.values(topology.hosts)) {
    for (const ip of host.internalIPs) yield { address: ip, score: 1, reason: 'node InternalIP', result: (r) => nodeResult(host, r) };
    for (const ip of host.externalIPs) yield { address: ip, score: 1, reason: 'node ExternalIP', result: (r) => nodeResult(host, r) };
  }
  for (const ingress of Object.values(topology.ingresses)) {
    const result = (reason: string): SearchResult => ({
      id: ingress.id,
      kind: 'ingress',
      title: `${ingress.namespace}/${ingress.name}`,
      subtitle: `Ingress · ${ingress.className ?? 'no class'}`,
      reason,
    });
    for (const ip of ingress.loadBalancerIngress) yield { address: ip, score: 1, reason: `LoadBalancer address of ingress ${ingress.namespace}/${ingress.name}`, result };
  }
  for (const gateway of Object.values(topology.gateways)) {
    const result = (reason: string): SearchResult => ({
      id: gateway.id,
      kind: 'gateway',
      title: `${gateway.namespace}/${gateway.name}`,
      subtitle: `Gateway · ${gateway.className}`,
      reason,
    });
    for (const ip of gateway.addresses) yield { address: ip, score: 1, reason: `address of gateway ${gateway.namespace}/${gateway.name}`, result };
  }
  for (const device of Object.values(topology.devices)) {
    const host = topology.hosts[device.host];
    const name = device.name ?? device.type;
    const result = (reason: string): SearchResult => ({
      id: device.id,
      kind: 'device',
      title: `${name} on ${host?.name ?? device.host}`,
      subtitle: `device · ${device.role ?? device.type} · ${device.addresses.join(', ') || 'no address'}`,
      reason,
    });
    for (const address of device.addresses) {
      const ip = address.split('/')[0] ?? '';
      yield { address: ip, score: 2, reason: `address of ${name} on node ${host?.name ?? device.host}`, result };
    }
  }
}

function parseAddress(text: string): Address | null {
  try {
    return ipaddr.parse(text);
  } catch {
    return null;
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

function inRange(address: Address, cidr: string): boolean {
  const parsed = parseCIDR(cidr);
  return parsed !== null && parsed[0].kind() === address.kind() && address.match(parsed);
}

function searchIP(topology: Topology, address: Address, options: SearchOptions): Ranked[] {
  const out: Ranked[] = [];
  for (const owned of ownedAddresses(topology)) {
    const parsed = parseAddress(owned.address);
    if (parsed && sameAddress(parsed, address)) out.push({ score: owned.score, result: owned.result(owned.reason) });
  }
  if (out.length === 0) out.push({ score: 0, result: { id: `ip:${address.toString()}`, kind: 'ip', title: address.toString(), subtitle: 'no element of the cluster has this address', reason: whereAddressFalls(topology, address, options) } });
  return out;
}

/** Where an address nothing owns falls, most specific range first. */
export function whereAddressFalls(topology: Topology, address: Address, options: SearchOptions = {}): string {
  for (const host of Object.values(topology.hosts)) {
    const range = [...host.cniPodCIDRs, ...host.podCIDRs].find((cidr) => inRange(address, cidr));
    if (range) return `in ${range} (pod range of node ${host.name}) but no pod has it`;
  }
  const podCIDR = topology.cluster.podCIDRs.find((cidr) => inRange(address, cidr));
  if (podCIDR) return `in ${podCIDR} (cluster pod CIDR) but no pod has it`;
  const serviceCIDR = (options.serviceCIDRs ?? []).find((cidr) => inRange(address, cidr));
  if (serviceCIDR) return `in ${serviceCIDR} (Service CIDR) but no Service has it`;
  for (const device of Object.values(topology.devices)) {
    if (device.type !== 'uplink') continue;
    const subnet = device.addresses.find((a) => a.includes('/') && !/\/(32|128)$/.test(a) && inRange(address, a));
    if (subnet) return `in the nodes’ network (${subnet} on ${topology.hosts[device.host]?.name ?? device.host}) but no node has it`;
  }
  const range = address.range();
  const kindOfAddress: Record<string, string> = {
    private: 'a private address',
    uniqueLocal: 'a unique local address',
    loopback: 'a loopback address',
    linkLocal: 'a link-local address',
    carrierGradeNat: 'a carrier-grade NAT address',
    multicast: 'a multicast address',
    unspecified: 'the unspecified address',
  };
  const what = kindOfAddress[range];
  return what ? `outside the cluster (${what}, not in any pod, node or Service range)` : 'outside the cluster (no pod, node or Service has it)';
}

function searchCIDR(topology: Topology, cidr: [Address, number]): Ranked[] {
  const text = `${cidr[0].toString()}/${cidr[1]}`;
  const out: Ranked[] = [];
  for (const owned of ownedAddresses(topology)) {
    const parsed = parseAddress(owned.address);
    if (parsed && parsed.kind() === cidr[0].kind() && parsed.match(cidr)) {
      out.push({ score: owned.score, result: owned.result(`${owned.reason} ${parsed.toString()} is in ${text}`) });
    }
  }
  if (out.length === 0) out.push({ score: 0, result: { id: `ip:${text}`, kind: 'ip', title: text, subtitle: 'no element of the cluster has an address in this range', reason: 'nothing in the cluster has an address in it' } });
  return out;
}

// ——— label selectors ———

export type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

const namePart = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyError(key: string): string | null {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null && (prefix.length === 0 || prefix.length > 253 || !dnsSubdomain.test(prefix))) return `“${key}”: the prefix must be a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !namePart.test(name)) return `“${key}” is not a label key`;
  return null;
}

function valueError(value: string): string | null {
  if (value === '') return null;
  return value.length <= 63 && namePart.test(value) ? null : `“${value}” is not a label value`;
}

type Token = { kind: 'word'; text: string } | { kind: 'op'; text: '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('=!(),<>'.includes(c)) {
      tokens.push({ kind: 'op', text: c as '=' });
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s=!(),<>]/.test(text[j]!)) j++;
    tokens.push({ kind: 'word', text: text.slice(i, j) });
    i = j;
  }
  return tokens;
}

/** Parses a label selector the way Kubernetes' `labels.Parse` does; commas are AND. */
export function parseSelector(text: string): { requirements: Requirement[] } | { error: string } {
  const tokens = tokenize(text);
  const requirements: Requirement[] = [];
  let i = 0;
  const peek = () => tokens[i];
  const word = (what: string): string | { error: string } => {
    const token = tokens[i];
    if (token?.kind !== 'word') return { error: `expected ${what}${token ? ` but found “${token.text}”` : ' at the end'}` };
    i++;
    return token.text;
  };
  while (i < tokens.length) {
    let negated = false;
    if (peek()?.text === '!' && peek()?.kind === 'op') {
      negated = true;
      i++;
    }
    const key = word('a label key');
    if (typeof key !== 'string') return key;
    const badKey = keyError(key);
    if (badKey) return { error: badKey };
    const next = peek();
    if (negated) {
      if (next && next.text !== ',') return { error: `“!${key}” takes no operator` };
      requirements.push({ key, op: 'notexists' });
    } else if (!next || next.text === ',') {
      requirements.push({ key, op: 'exists' });
    } else if (next.kind === 'op' && (next.text === '=' || next.text === '==' || next.text === '!=')) {
      i++;
      // `k=` selects an empty value; the value is a word unless the requirement ends here.
      const after = peek();
      let value = '';
      if (after?.kind === 'word') {
        value = after.text;
        i++;
      } else if (after && after.text !== ',') return { error: `expected a value after “${key}${next.text}”` };
      const badValue = valueError(value);
      if (badValue) return { error: badValue };
      requirements.push({ key, op: next.text === '!=' ? 'notin' : 'in', values: [value] });
    } else if (next.kind === 'op' && (next.text === '>' || next.text === '<')) {
      i++;
      const value = word(`a number after “${key}${next.text}”`);
      if (typeof value !== 'string') return value;
      if (!/^-?\d+$/.test(value)) return { error: `“${value}” is not an integer` };
      requirements.push({ key, op: next.text === '>' ? 'gt' : 'lt', value: Number(value) });
    } else if (next.kind === 'word' && (next.text === 'in' || next.text === 'notin')) {
      i++;
      if (peek()?.text !== '(') return { error: `expected “(” after “${key} ${next.text}”` };
      i++;
      const values: string[] = [];
      for (;;) {
        const token = peek();
        if (!token) return { error: 'expected “)”' };
        if (token.kind === 'word') {
          const badValue = valueError(token.text);
          if (badValue) return { error: badValue };
          values.push(token.text);
          i++;
        } else if (token.text === ')' || token.text === ',') {
          // An empty item (`(a,)`) is the empty value, as in Kubernetes.
          const previous = tokens[i - 1];
          if (previous?.text === '(' || previous?.text === ',') values.push('');
          i++;
          if (token.text === ')') break;
        } else return { error: `unexpected “${token.text}” in a value list` };
      }
      requirements.push({ key, op: next.text, values });
    } else {
      return { error: `expected an operator after “${key}” but found “${next.text}”` };
    }
    const separator = peek();
    if (separator) {
      if (separator.text !== ',') return { error: `expected “,” but found “${separator.text}”` };
      i++;
      if (i >= tokens.length) return { error: 'expected a requirement after “,”' };
    }
  }
  if (requirements.length === 0) return { error: 'an empty selector' };
  return { requirements };
}

export function matchesSelector(labels: Readonly<Record<string, string>>, requirements: readonly Requirement[]): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key]! : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
      case 'gt':
      case 'lt': {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        return r.op === 'gt' ? Number(value) > r.value : Number(value) < r.value;
      }
    }
  });
}

function requirementText(r: Requirement): string {
  switch (r.op) {
    case 'exists':
      return r.key;
    case 'notexists':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return r.values.length === 1 ? `${r.key}${r.op === 'in' ? '=' : '!='}${r.values[0]}` : `${r.key} ${r.op} (${r.values.join(',')})`;
    case 'gt':
    case 'lt':
      return `${r.key}${r.op === 'gt' ? '>' : '<'}${r.value}`;
  }
}

function searchSelector(topology: Topology, requirements: readonly Requirement[]): Ranked[] {
  const reason = `labels match ${requirements.map(requirementText).join(',')}`;
  const out: Ranked[] = [];
  for (const pod of Object.values(topology.pods)) if (matchesSelector(pod.labels, requirements)) out.push({ score: 0, result: podResult(pod, topology, reason) });
  for (const service of Object.values(topology.services)) if (matchesSelector(service.labels, requirements)) out.push({ score: 0, result: serviceResult(service, reason) });
  for (const host of Object.values(topology.hosts)) if (matchesSelector(host.labels, requirements)) out.push({ score: 0, result: nodeResult(host, reason) });
  return out;
}

// ——— names ———

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
  for (const ingress of Object.values(topology.ingresses)) {
    add(nameScore(q, ingress.name, ingress.namespace), (reason) => ({ id: ingress.id, kind: 'ingress', title: `${ingress.namespace}/${ingress.name}`, subtitle: `Ingress · ${ingress.className ?? 'no class'}`, reason }));
  }
  for (const gateway of Object.values(topology.gateways)) {
    add(nameScore(q, gateway.name, gateway.namespace), (reason) => ({ id: gateway.id, kind: 'gateway', title: `${gateway.namespace}/${gateway.name}`, subtitle: `Gateway · ${gateway.className}`, reason }));
  }
  // A partly typed address (`10.244.1.`) finds the addresses that start with it.
  if (/^[0-9a-f.:]+$/.test(q) && /[.:]/.test(q)) {
    for (const owned of ownedAddresses(topology)) {
      if (owned.address.toLowerCase().startsWith(q)) out.push({ score: 5 + owned.score, result: owned.result(`${owned.reason} ${owned.address}`) });
    }
  }
  // A bare label key: after the names, what carries the label.
  if (!keyError(query)) {
    const reason = `has label ${query}`;
    const exists: Requirement[] = [{ key: query, op: 'exists' }];
    for (const pod of Object.values(topology.pods)) if (matchesSelector(pod.labels, exists)) out.push({ score: 9, result: podResult(pod, topology, reason) });
    for (const service of Object.values(topology.services)) if (matchesSelector(service.labels, exists)) out.push({ score: 9, result: serviceResult(service, reason) });
    for (const host of Object.values(topology.hosts)) if (matchesSelector(host.labels, exists)) out.push({ score: 9, result: nodeResult(host, reason) });
  }
  return out;
}
