/**
 * kube-proxy's Service model read back from its nftables rules (pkg/proxy/nftables/proxier.go):
 * table `ip kube-proxy` / `ip6 kube-proxy`; the `service-ips` and `service-nodeports` verdict
 * maps say which address and port goes to which `service-`/`external-` chain. A service (or
 * `local-`) chain picks an endpoint with `numgen random mod N`, so each endpoint's chance is the
 * share of the N slots that lead to it, in one of two layouts:
 *   - `dnat to numgen random mod N map { 0 : 10.244.1.2 . 8080, … }`: the chain DNATs itself, and
 *     there are no endpoint chains (kube-proxy 1.36, read in the lab: test/lab/rules.test.ts);
 *   - `numgen random mod N vmap { 0 : goto endpoint-…, … }`, each `endpoint-` chain DNATing: the
 *     older layout (../shared/reference), and 1.36's for ClientIP affinity, whose endpoint chains
 *     also add the client to their `affinity-` set. Ports
 * without endpoints are elements of `no-endpoint-services` / `no-endpoint-nodeports`, with the
 * ServicePortName as the element's comment.
 */
import { nftablesServiceChains } from '../topology/kube-proxy.ts';
import type { NftRule, NftRuleset, NftSet } from './nftables.ts';
import type { Dispatch, Frontend, KubeProxyRules, ObservedEndpoint, ObservedServicePort } from './types.ts';

/** `service-<8 base32>-ns/svc/proto/port` and kin; not kube-proxy's fixed chains (`service-endpoints-check`). */
const chainPattern = /^(service|local|external|firewall|endpoint)-([A-Z2-7]{8}-.+)$/;

/** A verdict (`{"goto": {"target": "service-…"}}`, `{"drop": null}`) as `goto service-…` or `drop`. */
function verdictOf(value: unknown): { verdict: string; target: string | null } | null {
  if (!value || typeof value !== 'object') return null;
  const [verdict, body] = Object.entries(value)[0] ?? [];
  if (!verdict) return null;
  const target = body && typeof body === 'object' && 'target' in body && typeof body.target === 'string' ? body.target : null;
  return { verdict, target };
}

/** A map key: `{"concat": [...]}`, optionally wrapped as `{"elem": {"val": …, "comment": …}}`. */
function keyOf(value: unknown): { parts: unknown[]; comment: string | null } {
  let comment: string | null = null;
  let val = value;
  if (val && typeof val === 'object' && 'elem' in val && val.elem && typeof val.elem === 'object') {
    const elem = val.elem as { val?: unknown; comment?: unknown };
    comment = typeof elem.comment === 'string' ? elem.comment : null;
    val = elem.val;
  }
  const parts = val && typeof val === 'object' && 'concat' in val && Array.isArray(val.concat) ? val.concat : [val];
  return { parts, comment };
}

/** A map's `[key, verdict]` pairs. */
function entriesOf(set: NftSet | undefined) {
  return (set?.elements ?? []).flatMap((element) => {
    if (!Array.isArray(element) || element.length !== 2) return [];
    const verdict = verdictOf(element[1]);
    return verdict ? [{ ...keyOf(element[0]), ...verdict }] : [];
  });
}

/** `HASHHASH-ns/svc/tcp/p80` → its ServicePortName parts; null for names kube-proxy cut short. */
function parseBase(base: string) {
  const match = /^[A-Z2-7]{8}-([^/]+)\/([^/]+)\/([a-z]+)\/([^/]*)$/.exec(base);
  if (!match) return null;
  const [, namespace, name, protocol, port] = match as unknown as [string, string, string, string, string];
  return { namespace, name, protocol, portName: port === '' ? null : port };
}

const numberOf = (value: unknown) => (typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null);
const stringOf = (value: unknown) => (typeof value === 'string' ? value : null);
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** Reads kube-proxy's Services out of an nftables ruleset, for one family's table. */
export function kubeProxyFromNftables(ruleset: NftRuleset, family: 'inet' | 'inet6' = 'inet'): KubeProxyRules {
  const nftFamily = family === 'inet' ? 'ip' : 'ip6';
  const inTable = <T extends { family: string; table: string }>(items: T[]) => items.filter((i) => i.family === nftFamily && i.table === 'kube-proxy');
  const rules = inTable(ruleset.rules);
  const sets = new Map(inTable(ruleset.sets).map((s) => [s.name, s]));
  const rulesOf = (chain: string) => rules.filter((r) => r.chain === chain);
  const ports = new Map<string, ObservedServicePort>();
  const port = (base: string): ObservedServicePort => {
    let p = ports.get(base);
    if (!p) {
      const parts = parseBase(base);
      p = {
        servicePortName: parts ? `${parts.namespace}/${parts.name}${parts.portName ? `:${parts.portName}` : ''}` : null,
        namespace: parts?.namespace ?? null,
        name: parts?.name ?? null,
        portName: parts?.portName ?? null,
        protocol: parts?.protocol ?? null,
        frontends: [],
        dispatches: [],
        noEndpoints: [],
        isMasqueraded: false,
      };
      ports.set(base, p);
    }
    return p;
  };
  for (const chain of ruleset.chains.filter((c) => c.family === nftFamily && c.table === 'kube-proxy')) {
    const match = chainPattern.exec(chain.name);
    if (!match || match[1] === 'endpoint') continue;
    const p = port(match[2] as string);
    if (match[1] === 'service' || match[1] === 'local') {
      const dispatch = dispatchOf(chain.name, match[1] === 'service' ? 'cluster' : 'local', rulesOf(chain.name), rulesOf, sets);
      p.dispatches.push(dispatch);
      if (rulesOf(chain.name).some(marksForMasquerade)) p.isMasqueraded = true;
    }
  }
  const firewalled = new Set(entriesOf(sets.get('firewall-ips')).map((e) => stringOf(e.parts[0])));
  for (const [mapName, isNodePort] of [['service-ips', false], ['service-nodeports', true]] as const) {
    for (const entry of entriesOf(sets.get(mapName))) {
      const match = entry.target ? chainPattern.exec(entry.target) : null;
      if (!match) continue;
      const [ip, protocol, portNumber] = isNodePort ? [null, ...entry.parts] : entry.parts;
      const kind: Frontend['kind'] = isNodePort ? 'node-port' : match[1] === 'external' ? (firewalled.has(stringOf(ip)) ? 'load-balancer' : 'external') : 'cluster-ip';
      port(match[2] as string).frontends.push({
        kind,
        ip: stringOf(ip),
        port: numberOf(portNumber),
        protocol: stringOf(protocol) ?? '',
        chain: entry.target,
        counters: null,
        evidence: `map ${mapName}`,
      });
    }
  }
  // 1.36 marks traffic to any ClusterIP from outside the cluster in one rule of `services`
  // (`ip daddr @cluster-ips ip saddr != <cluster CIDR> meta mark set meta mark | 0x4000`) rather
  // than in each service chain: every port behind a ClusterIP is masqueraded that way.
  const isClusterIPMasqueraded = rulesOf('services').some((r) => marksForMasquerade(r) && r.expr.some((e) => JSON.stringify(e).includes('"@cluster-ips"')));
  if (isClusterIPMasqueraded) for (const p of ports.values()) if (p.frontends.some((f) => f.kind === 'cluster-ip')) p.isMasqueraded = true;
  for (const [mapName, isNodePort] of [['no-endpoint-services', false], ['no-endpoint-nodeports', true]] as const) {
    for (const entry of entriesOf(sets.get(mapName))) {
      const [ip, protocol, portNumber] = isNodePort ? [null, ...entry.parts] : entry.parts;
      const spn = entry.comment ? /^([^/]+)\/([^:]+)(?::(.+))?$/.exec(entry.comment) : null;
      if (!spn) continue;
      const service = nftablesServiceChains(spn[1] as string, spn[2] as string, stringOf(protocol) ?? 'tcp', spn[3] ?? null).service;
      // kube-proxy rejects traffic to a port with no endpoints at all, and drops external
      // traffic to a Local-policy port with none on this node.
      const isReject = entry.verdict === 'reject' || entry.target === 'reject-chain';
      port(service.slice('service-'.length)).noEndpoints.push({
        reason: isReject ? 'no-endpoints' : 'no-local-endpoints',
        action: isReject ? 'REJECT' : entry.verdict.toUpperCase(),
        ip: stringOf(ip),
        port: numberOf(portNumber),
        evidence: `map ${mapName}`,
      });
    }
  }
  return { mode: 'nftables', family, services: [...ports.values()] };
}

function dispatchOf(chain: string, scope: Dispatch['scope'], rules: NftRule[], rulesOf: (chain: string) => NftRule[], sets: Map<string, NftSet>): Dispatch {
  const endpoints: ObservedEndpoint[] = [];
  let affinitySeconds: number | null = null;
  for (const rule of rules) {
    for (const e of rule.expr) {
      const vmap = e && typeof e === 'object' && 'vmap' in e ? (e.vmap as { key?: { numgen?: { mod?: number } }; data?: { set?: unknown[] } }) : null;
      const match = e && typeof e === 'object' && 'match' in e ? (e.match as { right?: unknown }) : null;
      if (match && typeof match.right === 'string' && match.right.startsWith('@affinity-')) {
        affinitySeconds = sets.get(match.right.slice(1))?.timeout ?? null;
      }
      const inline = dnatMapOf(e);
      if (inline) {
        for (const [target, count] of inline.slots) {
          const { ip, port } = inline.targets.get(target)!;
          endpoints.push({ target, ip, port, chain: null, probability: count / inline.mod, how: `numgen random mod ${inline.mod}`, counters: null, dnatCounters: rule.counters });
        }
        continue;
      }
      const mod = vmap?.key?.numgen?.mod;
      if (!vmap || typeof mod !== 'number' || mod <= 0) continue;
      const slots = new Map<string, number>();
      for (const pair of vmap.data?.set ?? []) {
        const target = Array.isArray(pair) ? verdictOf(pair[1])?.target : null;
        if (target) slots.set(target, (slots.get(target) ?? 0) + 1);
      }
      for (const [target, count] of slots) endpoints.push(endpointOf(target, count / mod, `numgen random mod ${mod}`, rulesOf(target)));
    }
  }
  return { chain, scope, endpoints, affinitySeconds };
}

/** A jump to `mark-for-masquerade`, or (1.36) the mark set inline: `meta mark set meta mark | 0x4000`. */
function marksForMasquerade(rule: NftRule): boolean {
  return rule.expr.some((e) => {
    if (verdictOf(e)?.target === 'mark-for-masquerade') return true;
    const mangle = e && typeof e === 'object' && 'mangle' in e ? (e.mangle as { key?: { meta?: { key?: unknown } }; value?: unknown }) : null;
    return mangle?.key?.meta?.key === 'mark' && !!mangle.value && typeof mangle.value === 'object' && '|' in mangle.value;
  });
}

/**
 * `dnat to numgen random mod N map { 0 : ip . port, … }`, which libnftables writes as
 * `{"dnat": {"family": "ip", "addr": {"map": {"key": {"numgen": …}, "data": {"set": [[0,
 * {"concat": [ip, port]}], …]}}}}}`: each target with the number of slots that lead to it.
 */
function dnatMapOf(statement: unknown) {
  if (!statement || typeof statement !== 'object' || !('dnat' in statement)) return null;
  const addr = (statement.dnat as { addr?: unknown } | null)?.addr;
  const map = addr && typeof addr === 'object' && 'map' in addr ? (addr.map as { key?: { numgen?: { mod?: unknown } }; data?: { set?: unknown } }) : null;
  const mod = map?.key?.numgen?.mod;
  if (!map || typeof mod !== 'number' || mod <= 0 || !Array.isArray(map.data?.set)) return null;
  const slots = new Map<string, number>();
  const targets = new Map<string, { ip: string | null; port: number | null }>();
  for (const pair of map.data.set) {
    const value: unknown = Array.isArray(pair) ? pair[1] : null;
    const [ip, port] = value && typeof value === 'object' && 'concat' in value && Array.isArray(value.concat) ? (value.concat as unknown[]) : [value];
    const address = stringOf(ip);
    if (address === null) continue;
    const portNumber = numberOf(port);
    const target = portNumber === null ? address : hostPort(address, portNumber);
    targets.set(target, { ip: address, port: portNumber });
    slots.set(target, (slots.get(target) ?? 0) + 1);
  }
  return { mod, slots, targets };
}

function endpointOf(chain: string, probability: number, how: string, rules: NftRule[]): ObservedEndpoint {
  for (const rule of rules) {
    for (const e of rule.expr) {
      const dnat = e && typeof e === 'object' && 'dnat' in e ? (e.dnat as { addr?: unknown; port?: unknown }) : null;
      const ip = stringOf(dnat?.addr);
      const port = numberOf(dnat?.port);
      if (!dnat || ip === null) continue;
      return { target: port === null ? ip : hostPort(ip, port), ip, port, chain, probability, how, counters: null, dnatCounters: rule.counters };
    }
  }
  return { target: null, ip: null, port: null, chain, probability, how, counters: null, dnatCounters: null };
}
