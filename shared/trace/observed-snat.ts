/**
 * A SNAT hop checked against the node's NAT rules as a probe read them (issue 13). The trace
 * predicts a masquerade from what kube-proxy and the CNI are known to do; where the node's nat
 * rules were read, the hop names the rule that masquerades the packet, with its counter, and is
 * observed — or says that the rules read do not masquerade it, or could not be followed.
 *
 * kube-proxy in iptables and IPVS mode masquerades in KUBE-POSTROUTING packets it marked earlier
 * (KUBE-MARK-MASQ); the walk starts with that mark set. In nftables mode its own table does it,
 * in rules the hop lists as read. A CNI's masquerade (flannel's FLANNEL-POSTRTG) is found by
 * walking POSTROUTING with an unmarked packet.
 */
import { kubeProxyMasqueradeMark, walkNat, type NatVerdict } from '../datapath/nat.ts';
import type { IptablesRule } from '../datapath/types.ts';
import type { Host } from '../model/types.ts';
import { observedKubeProxy, ruleText } from './observed-proxy.ts';
import { isV6 } from './path/hop.ts';
import type { Evidence, Hop, ObservedRule, Packet } from './types.ts';

/** Who the trace says masquerades the packet. */
export type Masquerader = 'kube-proxy' | 'cni';

/**
 * `snat` as the rules read on `host` have it. `before` is the packet as it reached POSTROUTING
 * (source not yet rewritten), `outDevice` the device it leaves by where its name was read.
 */
export function observeSnat(snat: Hop, host: Host, before: Packet, by: Masquerader, outDevice: string | null): Hop {
  const observation = host.observed;
  if (!observation) return snat;
  const family = isV6(snat.packet.dst) ? 'inet6' : 'inet';
  const where = `node ${host.name}`;
  const readAt = observation.readAt;

  if (by === 'kube-proxy' && observedKubeProxy(host, family === 'inet6' ? 6 : 4)?.mode === 'nftables') {
    const masquerades = observation.nat.nftables.filter((m) => m.family === family && m.mark !== null);
    if (masquerades.length === 0) return note(snat, `kube-proxy's nftables rules read on ${where} at ${readAt} have no masquerade rule for marked packets: this SNAT is not in them`);
    const rules = masquerades.map((m): ObservedRule => ({ node: host.name, readAt, chain: m.chain, target: 'masquerade', text: m.text, packets: m.counters?.packets ?? null }));
    return observed(snat, rules, [`kube-proxy's nftables rules read on ${where} at ${readAt} masquerade the packets it marked`, ...rules.map(ruleText)]);
  }

  const chains = observation.nat.iptables.find((t) => t.family === family)?.chains;
  if (!chains) return snat;
  let mark = 0;
  if (by === 'kube-proxy') {
    const kubeMark = kubeProxyMasqueradeMark(chains);
    if (kubeMark === null) return note(snat, `the nat rules read on ${where} at ${readAt} have no KUBE-MARK-MASQ rule: kube-proxy's masquerade is not in them`);
    mark = kubeMark;
  }
  const local = new Set(observation.localAddresses);
  const verdict = walkNat(chains, { src: before.src, dst: snat.packet.dst, protocol: snat.packet.protocol, mark, outDevice }, local);
  const read = `the nat rules read on ${where} at ${readAt}`;
  const marked = mark === 0 ? '' : ` (marked 0x${mark.toString(16)} by KUBE-MARK-MASQ)`;
  switch (verdict.verdict) {
    case 'masquerade':
    case 'snat': {
      const rules = verdict.path.map((rule) => iptablesRule(host, readAt, rule));
      const to = verdict.to && verdict.to.split(':')[0]?.split('-')[0] !== snat.packet.src ? `; it rewrites the source to ${verdict.to}, not ${snat.packet.src} as predicted` : '';
      return observed(snat, rules, [`${read}, walked from POSTROUTING for ${before.src} → ${snat.packet.dst}${marked}: ${chainPath(verdict)}${to}`, ...rules.map(ruleText)]);
    }
    case 'unchanged': {
      const why = verdict.rule ? `the last rule it matched: ${iptablesText(verdict.rule)}` : 'no rule of POSTROUTING matches it';
      return note(snat, `observed and predicted disagree: ${read} do not rewrite ${before.src} → ${snat.packet.dst}${marked} (${why}); the hops below assume the predicted masquerade`);
    }
    case 'unknown':
      return note(snat, `${read} could not be followed for this packet${verdict.rule ? ` at ${iptablesText(verdict.rule)}` : ''}: ${verdict.why}`);
  }
}

/** `POSTROUTING → FLANNEL-POSTRTG → MASQUERADE`. */
function chainPath(verdict: Extract<NatVerdict, { verdict: 'masquerade' | 'snat' }>): string {
  return [...new Set(verdict.path.map((r) => r.chain)), verdict.verdict === 'snat' ? 'SNAT' : 'MASQUERADE'].join(' → ');
}

/** `nat FLANNEL-POSTRTG line 81: -s 10.244.0.0/16 ! -d 224.0.0.0/4 -j MASQUERADE --random-fully`,
 * without the comment, which says less than the rule. */
function iptablesText(rule: IptablesRule): string {
  const words: string[] = [];
  for (let i = 0; i < rule.args.length; i++) {
    const word = rule.args[i] as string;
    if (word === '-m' && rule.args[i + 1] === 'comment') {
      i += 3;
      continue;
    }
    words.push(/[\s"]/.test(word) ? JSON.stringify(word) : word);
  }
  return `${rule.table} ${rule.chain} line ${rule.line}: ${words.join(' ')}`;
}

function iptablesRule(host: Host, readAt: string, rule: IptablesRule): ObservedRule {
  return { node: host.name, readAt, chain: rule.chain, target: rule.target, text: iptablesText(rule), packets: rule.counters?.packets ?? null };
}

function observed(snat: Hop, rules: ObservedRule[], lines: string[]): Hop {
  const [first, ...more] = lines;
  const evidence: Evidence[] = [...snat.evidence, { text: first ?? '', field: 'observed.nat' }, ...more.map((text) => ({ text }))];
  return { ...snat, provenance: 'observed', rules, evidence };
}

function note(snat: Hop, text: string): Hop {
  return { ...snat, evidence: [...snat.evidence, { text, field: 'observed.nat' }] };
}
