/**
 * Where a packet leaving a node meets source NAT, as the node's iptables rules say (issue 13): the
 * nat table's POSTROUTING and every chain it reaches (kube-proxy's KUBE-POSTROUTING, flannel's
 * FLANNEL-POSTRTG, …), walked rule by rule the way netfilter does for the first packet of a
 * connection. A SNAT hop of a trace is then observed: the rule that masquerades it, with its
 * counter, or the rule that lets it through untouched.
 *
 * The walk knows the matches these chains are written with (`-s`, `-d`, `-p`, `-o`, `-i`,
 * `-m mark`, `-m addrtype` for LOCAL, `-m comment`) and the targets (jumps, gotos, RETURN,
 * ACCEPT, MARK, MASQUERADE, SNAT, and LOG-like targets that do not decide). At any other match
 * it stops and says which: an answer it cannot give is `unknown`, never a guess.
 *
 * kube-proxy in nftables mode masquerades in its own table; its rules are listed as read
 * (nftMasquerades), not walked.
 */
import { cidrContains, isV6 } from '../net/ip.ts';
import type { NftRule, NftRuleset } from './nftables.ts';
import type { IptablesChain, IptablesRule, IptablesSave } from './types.ts';

/** The chains a walk from the nat table's POSTROUTING can reach, and KUBE-MARK-MASQ (whose MARK
 * rule says which bit kube-proxy marks a packet for masquerade with). */
export function natChains(save: IptablesSave): IptablesChain[] {
  const nat = save.tables.find((t) => t.name === 'nat');
  if (!nat) return [];
  const byName = new Map(nat.chains.map((c) => [c.name, c]));
  const reached = new Set<string>();
  const visit = (name: string) => {
    const chain = byName.get(name);
    if (!chain || reached.has(name)) return;
    reached.add(name);
    for (const rule of chain.rules) if (rule.target && byName.has(rule.target)) visit(rule.target);
  };
  visit('POSTROUTING');
  if (byName.has('KUBE-MARK-MASQ')) reached.add('KUBE-MARK-MASQ');
  return nat.chains.filter((c) => reached.has(c.name));
}

export interface NatPacket {
  src: string;
  dst: string;
  protocol: string;
  /** The packet's fwmark as it reaches POSTROUTING. */
  mark: number;
  /** The device it leaves by, when known (null makes an `-o` match unknown). */
  outDevice: string | null;
}

export type NatVerdict =
  /** MASQUERADE or SNAT (`to` is SNAT's --to-source, null for MASQUERADE). */
  | { verdict: 'masquerade' | 'snat'; rule: IptablesRule; to: string | null; path: IptablesRule[] }
  /** No source NAT: an ACCEPT or RETURN that ends it, or the end of POSTROUTING with its policy
   * (`rule` the last rule that matched before, often a user chain's RETURN; null for none). */
  | { verdict: 'unchanged'; rule: IptablesRule | null; path: IptablesRule[] }
  | { verdict: 'unknown'; rule: IptablesRule | null; why: string; path: IptablesRule[] };

/** Targets that neither decide nor change what a later rule matches. */
const passing = new Set(['LOG', 'NFLOG', 'TRACE', 'CONNMARK', 'CT', 'NOTRACK', 'AUDIT']);

/**
 * The first packet of a connection through nat POSTROUTING. `local` holds the node's own addresses
 * (for `-m addrtype --src-type LOCAL`). `path` lists every rule that matched on the way (its
 * counter counted the packet): the jumps, the MARKs, and the rule that decided.
 */
export function walkNat(chains: IptablesChain[], packet: NatPacket, local: ReadonlySet<string>): NatVerdict {
  const byName = new Map(chains.map((c) => [c.name, c]));
  const path: IptablesRule[] = [];
  let mark = packet.mark;
  // The chains entered by a jump, innermost last, each with the rule to resume at.
  const stack: { chain: IptablesChain; next: number }[] = [];
  const start = byName.get('POSTROUTING');
  if (!start) return { verdict: 'unknown', rule: null, why: 'the nat table has no POSTROUTING chain in what was read', path };
  let frame: { chain: IptablesChain; next: number } | undefined = { chain: start, next: 0 };
  for (let steps = 0; frame && steps < 10_000; steps++) {
    const rule = frame.chain.rules[frame.next++];
    if (!rule) {
      // The end of a chain: back to the caller, or (POSTROUTING itself) its policy.
      frame = stack.pop();
      if (!frame) return { verdict: 'unchanged', rule: path.at(-1) ?? null, path };
      continue;
    }
    const matched = matches(rule.args, { ...packet, mark }, local);
    if (matched !== true && matched !== false) return { verdict: 'unknown', rule, why: matched.why, path };
    if (!matched) continue;
    path.push(rule);
    const target = rule.target;
    if (target === null) continue;
    if (target === 'MASQUERADE') return { verdict: 'masquerade', rule, to: null, path };
    if (target === 'SNAT') return { verdict: 'snat', rule, to: optionAfter(rule.args, '--to-source'), path };
    if (target === 'ACCEPT') return { verdict: 'unchanged', rule, path };
    if (target === 'RETURN') {
      frame = stack.pop();
      if (!frame) return { verdict: 'unchanged', rule, path };
      continue;
    }
    if (target === 'MARK') {
      const next = markAfter(rule.args, mark);
      if (next === null) return { verdict: 'unknown', rule, why: 'a MARK target without a mark to set', path };
      mark = next;
      continue;
    }
    if (passing.has(target)) continue;
    const chain = byName.get(target);
    if (!chain) return { verdict: 'unknown', rule, why: `target ${target} is not a chain the walk knows`, path };
    if (stack.length >= 64) return { verdict: 'unknown', rule, why: 'chains nested more than 64 deep', path };
    // A goto does not come back here: RETURN from it returns to whoever jumped to this chain.
    if (!rule.isGoto) stack.push(frame);
    frame = { chain, next: 0 };
  }
  return { verdict: 'unknown', rule: null, why: 'the walk did not end', path };
}

/** The mark kube-proxy sets for masquerade: its KUBE-MARK-MASQ chain's MARK, applied to 0. */
export function kubeProxyMasqueradeMark(chains: IptablesChain[]): number | null {
  const rule = chains.find((c) => c.name === 'KUBE-MARK-MASQ')?.rules.find((r) => r.target === 'MARK');
  return rule ? markAfter(rule.args, 0) : null;
}

function optionAfter(args: string[], name: string): string | null {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? null) : null;
}

/**
 * The mark after a MARK target. iptables-save writes every form as `--set-xmark value/mask` (the
 * bits of mask cleared, then value XORed in); the other spellings are what iptables-restore
 * input, and kube-proxy's own test fixtures, use: --set-mark v/m (mask cleared, value ORed in),
 * --or-mark, --and-mark, --xor-mark.
 */
function markAfter(args: string[], mark: number): number | null {
  const option = (name: string) => valueMask(optionAfter(args, name));
  const xmark = option('--set-xmark');
  if (xmark) return ((mark & ~xmark.mask) ^ xmark.value) >>> 0;
  const set = option('--set-mark');
  if (set) return ((mark & ~set.mask) | set.value) >>> 0;
  const or = option('--or-mark');
  if (or) return (mark | or.value) >>> 0;
  const and = option('--and-mark');
  if (and) return (mark & and.value) >>> 0;
  const xor = option('--xor-mark');
  if (xor) return (mark ^ xor.value) >>> 0;
  return null;
}

function valueMask(text: string | null): { value: number; mask: number } | null {
  if (text === null) return null;
  const [v, m] = text.split('/');
  const value = Number(v);
  const mask = m === undefined ? 0xffffffff : Number(m);
  return Number.isInteger(value) && Number.isInteger(mask) ? { value: value >>> 0, mask: mask >>> 0 } : null;
}

/** An interface name against a pattern, where a trailing `+` matches any name with that prefix. */
function interfaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function addressMatches(spec: string, ip: string): boolean {
  if (isV6(spec) !== isV6(ip)) return false;
  return cidrContains(spec.includes('/') ? spec : `${spec}/${isV6(spec) ? 128 : 32}`, ip);
}

/** Whether a rule's matches take the packet; `{why}` where one of them is beyond the walk. */
function matches(args: string[], packet: NatPacket, local: ReadonlySet<string>): boolean | { why: string } {
  let isNegated = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === '!') {
      isNegated = true;
      continue;
    }
    if (word === '-j' || word === '--jump' || word === '-g' || word === '--goto') return true;
    const value = args[i + 1] ?? '';
    let result: boolean | null;
    switch (word) {
      case '-m':
      case '--match':
        // A module's name: its options follow and are matched one by one.
        i++;
        continue;
      case '--comment':
        i++;
        continue;
      case '-s':
      case '--source':
        result = addressMatches(value, packet.src);
        break;
      case '-d':
      case '--destination':
        result = addressMatches(value, packet.dst);
        break;
      case '-p':
      case '--protocol':
        result = value === 'all' || value.toLowerCase() === packet.protocol.toLowerCase();
        break;
      case '-o':
      case '--out-interface':
        if (packet.outDevice === null) return { why: `-o ${value}: the device the packet leaves by is not known` };
        result = interfaceMatches(value, packet.outDevice);
        break;
      case '-i':
      case '--in-interface':
        // POSTROUTING has no input device for locally made packets; for forwarded ones the trace
        // does not carry it.
        return { why: `-i ${value}: the device the packet came in by is not known here` };
      case '--mark': {
        const parsed = valueMask(value);
        if (!parsed) return { why: `--mark ${value} is not value/mask` };
        result = ((packet.mark & parsed.mask) >>> 0) === parsed.value;
        break;
      }
      case '--src-type':
      case '--dst-type': {
        if (value !== 'LOCAL') return { why: `${word} ${value}: only LOCAL is known` };
        const address = word === '--src-type' ? packet.src : packet.dst;
        result = local.has(address);
        break;
      }
      default:
        return { why: `${word} is a match the walk does not evaluate` };
    }
    if (result === isNegated) return false;
    isNegated = false;
    i++;
  }
  return true;
}

/** A rule of kube-proxy's nftables table that masquerades (its `masquerading` chain), as read. */
export interface NftMasquerade {
  family: 'inet' | 'inet6';
  chain: string;
  handle: number;
  /** The mark bit the rule tests (`meta mark & 0x4000 != 0`); null for its other masquerade rules
   * (1.36's hairpin rule, by conntrack status and a set of connections). */
  mark: number | null;
  text: string;
  counters: NftRule['counters'];
}

/** kube-proxy's masquerade rules in an nftables ruleset. */
export function nftMasquerades(ruleset: NftRuleset): NftMasquerade[] {
  const found: NftMasquerade[] = [];
  for (const rule of ruleset.rules) {
    if (rule.table !== 'kube-proxy' || (rule.family !== 'ip' && rule.family !== 'ip6')) continue;
    if (!rule.expr.some((e) => isRecord(e) && 'masquerade' in e)) continue;
    const mark = rule.expr.map(markTested).find((m) => m !== null) ?? null;
    const condition = mark !== null ? `meta mark & 0x${mark.toString(16)} != 0` : describeConditions(rule.expr);
    found.push({
      family: rule.family === 'ip' ? 'inet' : 'inet6',
      chain: rule.chain,
      handle: rule.handle,
      mark,
      text: `${rule.family} kube-proxy ${rule.chain} handle ${rule.handle}: ${condition} masquerade`,
      counters: rule.counters,
    });
  }
  return found;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{"match": {"op": "!=", "left": {"&": [{"meta": {"key": "mark"}}, 16384]}, "right": 0}}` → 16384. */
function markTested(expr: unknown): number | null {
  if (!isRecord(expr) || !isRecord(expr.match)) return null;
  const { op, left, right } = expr.match;
  if (op !== '!=' || right !== 0 || !isRecord(left) || !Array.isArray(left['&'])) return null;
  const [key, bits] = left['&'] as unknown[];
  return isRecord(key) && isRecord(key.meta) && key.meta.key === 'mark' && typeof bits === 'number' ? bits : null;
}

/** The keys a rule's other matches test, for its text (`ct status, saddr . daddr …`). */
function describeConditions(exprs: unknown[]): string {
  const keys = exprs.filter((e) => isRecord(e) && 'match' in e).map((e) => JSON.stringify(e).match(/"(?:key|field)":\s*"(\w+)"/g)?.map((k) => k.replace(/.*"(\w+)"$/, '$1')).join(' . ') ?? 'a match');
  return keys.length > 0 ? `when ${keys.join(' and ')} match,` : '';
}
