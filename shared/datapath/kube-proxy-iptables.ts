/**
 * kube-proxy's Service model read back from its iptables rules (pkg/proxy/iptables/proxier.go):
 * per Service port, the frontends in nat KUBE-SERVICES / KUBE-NODEPORTS, the dispatch chains
 * KUBE-SVC- (all endpoints) and KUBE-SVL- (local ones) with each endpoint's real chance, the
 * KUBE-SEP- chains' DNAT targets, ClientIP affinity, masquerading, and filter's "has no
 * endpoints" rules. Chain names are checked against the names kube-proxy computes
 * (topology/kube-proxy.ts), which also gives the protocol where no rule states it.
 */
import { iptablesServiceChains } from '../topology/kube-proxy.ts';
import { findChain, findTable, hasWord, ruleOption } from './iptables-save.ts';
import type { Dispatch, Frontend, IptablesRule, IptablesSave, IptablesTable, KubeProxyRules, ObservedEndpoint, ObservedServicePort } from './types.ts';

const serviceChain = /^KUBE-(SVC|SVL|EXT|FW)-([A-Z2-7]{16})$/;
/** `ns/name` or `ns/name:port` at the start of a comment. */
const portNamePattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(:[^\s]+)?(\s|$)/;
const protocols = ['tcp', 'udp', 'sctp'];

export function splitServicePortName(text: string): { namespace: string; name: string; portName: string | null } | null {
  const match = portNamePattern.exec(text);
  if (!match) return null;
  return { namespace: match[1] as string, name: match[3] as string, portName: match[5] ? match[5].slice(1) : null };
}

const spnOf = (p: { namespace: string; name: string; portName: string | null }) => `${p.namespace}/${p.name}${p.portName ? `:${p.portName}` : ''}`;

/** The protocol that, with this ServicePortName, hashes to the chain's hash; null if none does. */
function protocolFor(servicePortName: string, hash: string): string | null {
  return protocols.find((p) => iptablesServiceChains(servicePortName, p).service.endsWith(hash)) ?? null;
}

/** `-d 172.30.0.41/32` → `172.30.0.41`; a wider range stays a range. */
const hostOf = (value: string | undefined) => (value === undefined ? null : value.replace(/\/(32|128)$/, ''));

/** A number the rule states, or null when it states none. */
const numberOf = (value: string | undefined) => (value === undefined || !Number.isFinite(Number(value)) ? null : Number(value));

const where = (rule: IptablesRule) => `${rule.table} ${rule.chain} line ${rule.line}`;

interface Group {
  hash: string;
  port: ObservedServicePort;
}

/** Reads kube-proxy's Services out of an iptables-save. An empty list when kube-proxy has no
 * rules there (another mode, or not running). */
export function kubeProxyFromIptables(save: IptablesSave, family: 'inet' | 'inet6' = 'inet'): KubeProxyRules {
  const nat = findTable(save, 'nat');
  const filter = findTable(save, 'filter');
  const groups = new Map<string, Group>();
  const group = (hash: string): Group => {
    let g = groups.get(hash);
    if (!g) {
      g = {
        hash,
        port: { servicePortName: null, namespace: null, name: null, portName: null, protocol: null, frontends: [], dispatches: [], noEndpoints: [], isMasqueraded: false },
      };
      groups.set(hash, g);
    }
    return g;
  };
  for (const chain of nat?.chains ?? []) {
    const match = serviceChain.exec(chain.name);
    if (match) group(match[2] as string);
  }
  nameGroups(nat, groups);
  for (const rule of [...(findChain(nat, 'KUBE-SERVICES')?.rules ?? []), ...(findChain(nat, 'KUBE-NODEPORTS')?.rules ?? [])]) {
    const match = rule.target ? serviceChain.exec(rule.target) : null;
    if (match) group(match[2] as string).port.frontends.push(frontendOf(rule, match[1] as string));
  }
  for (const g of groups.values()) {
    for (const scope of ['SVC', 'SVL'] as const) {
      const chain = findChain(nat, `KUBE-${scope}-${g.hash}`);
      if (!chain) continue;
      g.port.dispatches.push(dispatchOf(nat, chain.name, chain.rules, scope === 'SVC' ? 'cluster' : 'local'));
      if (chain.rules.some((r) => r.target === 'KUBE-MARK-MASQ')) g.port.isMasqueraded = true;
    }
  }
  addNoEndpoints(filter, groups);
  return { mode: 'iptables', family, services: [...groups.values()].map((g) => g.port) };
}

/** Names each group from the comments kube-proxy writes on its rules ("ns1/svc1:p80 cluster
 * IP", "ns4/svc4:p80 -> 10.180.0.4:80"), keeping the first name whose hash matches the chain's. */
function nameGroups(nat: IptablesTable | undefined, groups: Map<string, Group>) {
  for (const chain of nat?.chains ?? []) {
    for (const rule of chain.rules) {
      const own = serviceChain.exec(chain.name)?.[2];
      const target = rule.target ? serviceChain.exec(rule.target)?.[2] : undefined;
      for (const hash of [own, target]) {
        const g = hash ? groups.get(hash) : undefined;
        if (!g || g.port.servicePortName) continue;
        for (const comment of rule.comments) {
          const parts = splitServicePortName(comment);
          if (!parts) continue;
          const protocol = protocolFor(spnOf(parts), g.hash);
          if (!protocol) continue;
          Object.assign(g.port, { servicePortName: spnOf(parts), ...parts, protocol });
          break;
        }
      }
    }
  }
}

function frontendOf(rule: IptablesRule, prefix: string): Frontend {
  const comment = rule.comments.join(' ');
  const isNodePort = rule.chain === 'KUBE-NODEPORTS';
  const kind: Frontend['kind'] = isNodePort
    ? 'node-port'
    : comment.endsWith('external IP')
      ? 'external-ip'
      : comment.endsWith('loadbalancer IP') || prefix === 'FW'
        ? 'load-balancer'
        : prefix === 'EXT'
          ? 'external'
          : 'cluster-ip';
  return {
    kind,
    ip: hostOf(ruleOption(rule, '-d', '--destination')?.value),
    port: numberOf(ruleOption(rule, '--dport', '--destination-port')?.value),
    protocol: ruleOption(rule, '-p', '--protocol')?.value ?? '',
    chain: rule.target,
    counters: rule.counters,
    evidence: where(rule),
  };
}

/**
 * A KUBE-SVC/SVL chain's endpoints. kube-proxy writes n jumps for n endpoints, the i-th (from 0)
 * with `--probability 1/(n-i)` and the last with none, so each is taken with the chance that
 * every earlier one was not, times its own: p0, (1-p0)·p1, …. This reads the values as written,
 * so a hand-edited or stale chain shows its real split. Affinity rules (`-m recent --rcheck`)
 * come first and are not part of the split.
 */
function dispatchOf(nat: IptablesTable | undefined, chain: string, rules: IptablesRule[], scope: Dispatch['scope']): Dispatch {
  const endpoints: ObservedEndpoint[] = [];
  let remaining = 1;
  let affinitySeconds: number | null = null;
  for (const rule of rules) {
    if (!rule.target?.startsWith('KUBE-SEP-')) continue;
    if (hasWord(rule, '--rcheck')) {
      affinitySeconds = numberOf(ruleOption(rule, '--seconds')?.value);
      continue;
    }
    const written = ruleOption(rule, '--probability')?.value;
    const p = written === undefined ? 1 : Number(written);
    const dnat = findChain(nat, rule.target)?.rules.find((r) => r.target === 'DNAT');
    const target = (dnat && ruleOption(dnat, '--to-destination')?.value) ?? null;
    const { ip, port } = splitHostPort(target);
    endpoints.push({
      target,
      ip,
      port,
      chain: rule.target,
      probability: remaining * p,
      how: written === undefined ? 'last rule' : `--probability ${written}`,
      counters: rule.counters,
      dnatCounters: dnat?.counters ?? null,
    });
    remaining *= 1 - p;
  }
  return { chain, scope, endpoints, affinitySeconds };
}

/** `10.180.0.1:80`, `[fd00::1]:80` → address and port. */
export function splitHostPort(text: string | null): { ip: string | null; port: number | null } {
  const match = text === null ? null : /^\[?([^\]]*?)\]?:(\d+)$/.exec(text);
  return match ? { ip: match[1] as string, port: Number(match[2]) } : { ip: text, port: null };
}

/** filter KUBE-SERVICES "ns6/svc6:p80 has no endpoints" REJECTs and KUBE-EXTERNAL-SERVICES
 * "… has no local endpoints" DROPs, joined to their port by the name's chain hash. */
function addNoEndpoints(filter: IptablesTable | undefined, groups: Map<string, Group>) {
  for (const chainName of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS']) {
    for (const rule of findChain(filter, chainName)?.rules ?? []) {
      const comment = rule.comments.find((c) => / has no (local )?endpoints$/.test(c));
      const parts = comment ? splitServicePortName(comment) : null;
      if (!comment || !parts || !rule.target) continue;
      const protocol = ruleOption(rule, '-p', '--protocol')?.value?.toLowerCase() ?? 'tcp';
      const hash = iptablesServiceChains(spnOf(parts), protocol).service.slice('KUBE-SVC-'.length);
      let g = groups.get(hash);
      if (!g) {
        g = {
          hash,
          port: { servicePortName: spnOf(parts), ...parts, protocol, frontends: [], dispatches: [], noEndpoints: [], isMasqueraded: false },
        };
        groups.set(hash, g);
      }
      g.port.noEndpoints.push({
        reason: comment.endsWith(' has no local endpoints') ? 'no-local-endpoints' : 'no-endpoints',
        action: rule.target,
        ip: hostOf(ruleOption(rule, '-d', '--destination')?.value),
        port: numberOf(ruleOption(rule, '--dport', '--destination-port')?.value),
        evidence: where(rule),
      });
    }
  }
}
