// The source NAT a packet leaving a node meets: nat POSTROUTING walked over the rules the real
// kube-proxy 1.36 and flanneld v0.28.11 wrote in the network lab (test/fixtures/datapath/
// lab-kube-proxy-1.36-*, node a: podCIDR 10.244.69.0/24, flannel Network 10.244.0.0/16), over
// kube-proxy's own test rules (kube-proxy-iptables-case1.iptables-save, from kubernetes
// pkg/proxy/iptables proxier_test.go TestOverallIPTablesRules), and over small rule sets for the
// walk's own semantics (jumps, gotos, RETURN, marks, negation, interfaces).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseIptablesSave } from './iptables-save.ts';
import { kubeProxyMasqueradeMark, natChains, nftMasquerades, walkNat, type NatPacket, type NatVerdict } from './nat.ts';
import { parseNftRuleset } from './nftables.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/${name}`, import.meta.url), 'utf8');
const labNat = natChains(parseIptablesSave(fixture('lab-kube-proxy-1.36-iptables/node-a/iptables-save_-c.txt')));
const packet = (src: string, dst: string, more: Partial<NatPacket> = {}): NatPacket => ({ src, dst, protocol: 'TCP', mark: 0, outDevice: null, ...more });
const none = new Set<string>();

/** `masquerade at FLANNEL-POSTRTG`, `unchanged at KUBE-POSTROUTING`, … */
const outcome = (v: NatVerdict) => `${v.verdict}${v.rule ? ` at ${v.rule.chain} -j ${v.rule.target}` : ''}`;
const chainsOf = (text: string) => natChains(parseIptablesSave(`*nat\n${text}\nCOMMIT\n`));

describe('the lab node\'s nat rules (kube-proxy 1.36 iptables, flanneld)', () => {
  test('reachable from POSTROUTING, plus KUBE-MARK-MASQ; nothing else of the nat table', () => {
    expect(labNat.map((c) => c.name).sort()).toEqual(['FLANNEL-POSTRTG', 'KUBE-MARK-MASQ', 'KUBE-POSTROUTING', 'POSTROUTING']);
    expect(kubeProxyMasqueradeMark(labNat)).toBe(0x4000);
  });

  // Each row: what flannel's --ip-masq rules (flannel pkg/trafficmngr/iptables MasqRules) and
  // kube-proxy's KUBE-POSTROUTING do with one packet.
  test.each([
    ['pod → another node\'s address: flannel masquerades', packet('10.244.69.2', '172.31.60.2'), 'masquerade at FLANNEL-POSTRTG -j MASQUERADE'],
    ['pod → the internet: flannel masquerades', packet('10.244.69.2', '198.51.100.7'), 'masquerade at FLANNEL-POSTRTG -j MASQUERADE'],
    ['pod → pod on another node: flannel returns it unchanged', packet('10.244.69.2', '10.244.70.2'), 'unchanged at FLANNEL-POSTRTG -j RETURN'],
    ['another node\'s pod → this node\'s pod: unchanged', packet('10.244.70.2', '10.244.69.3'), 'unchanged at FLANNEL-POSTRTG -j RETURN'],
    ['outside → this node\'s pod (externalTrafficPolicy Local): unchanged', packet('198.51.100.7', '10.244.69.3'), 'unchanged at FLANNEL-POSTRTG -j RETURN'],
    ['pod → multicast: no flannel rule matches, POSTROUTING\'s policy', packet('10.244.69.2', '224.0.0.251'), 'unchanged at POSTROUTING -j FLANNEL-POSTRTG'],
    ['marked by KUBE-MARK-MASQ: kube-proxy masquerades', packet('198.51.100.7', '10.244.70.2', { mark: 0x4000 }), 'masquerade at KUBE-POSTROUTING -j MASQUERADE'],
  ])('%s', (_, p, expected) => {
    expect(outcome(walkNat(labNat, p, none))).toBe(expected);
  });

  test('the path lists each rule whose counter the packet moves, in order; the mark is cleared on the way', () => {
    const v = walkNat(labNat, packet('198.51.100.7', '10.244.70.2', { mark: 0x4000 }), none);
    expect(v.path.map((r) => `${r.chain} line ${r.line} -j ${r.target}`)).toEqual([
      'POSTROUTING line 75 -j KUBE-POSTROUTING',
      'KUBE-POSTROUTING line 94 -j MARK',
      'KUBE-POSTROUTING line 95 -j MASQUERADE',
    ]);
    const unmarked = walkNat(labNat, packet('10.244.69.2', '172.31.60.2'), none);
    expect(unmarked.path.map((r) => `${r.chain} -j ${r.target}`)).toEqual(['POSTROUTING -j KUBE-POSTROUTING', 'KUBE-POSTROUTING -j RETURN', 'POSTROUTING -j FLANNEL-POSTRTG', 'FLANNEL-POSTRTG -j MASQUERADE']);
  });
});

test('kube-proxy\'s own test rules (TestOverallIPTablesRules): its --or-mark and --xor-mark spellings', () => {
  const nat = parseIptablesSave(fixture('kube-proxy-iptables-case1.iptables-save')).tables.find((t) => t.name === 'nat')!;
  const chains = nat.chains;
  // The fixture shows only kube-proxy's chains: no POSTROUTING jump into them.
  expect(walkNat(chains, packet('10.0.0.2', '10.180.0.1', { mark: 0x4000 }), none)).toMatchObject({ verdict: 'unknown', why: 'the nat table has no POSTROUTING chain in what was read' });
  expect(kubeProxyMasqueradeMark(chains)).toBe(0x4000);
  const withJump = [...chains, { name: 'POSTROUTING', policy: 'ACCEPT', counters: null, rules: [{ table: 'nat', chain: 'POSTROUTING', line: 1, args: ['-j', 'KUBE-POSTROUTING'], target: 'KUBE-POSTROUTING', isGoto: false, comments: [], counters: null }] }];
  expect(outcome(walkNat(withJump, packet('10.0.0.2', '10.180.0.1', { mark: 0x4000 }), none))).toBe('masquerade at KUBE-POSTROUTING -j MASQUERADE');
  expect(outcome(walkNat(withJump, packet('10.0.0.2', '10.180.0.1'), none))).toBe('unchanged at KUBE-POSTROUTING -j RETURN');
});

describe('the walk\'s semantics', () => {
  test('a goto\'s RETURN goes back past the chain that went to it; a jump\'s to the rule after the jump', () => {
    const chains = chainsOf(`:POSTROUTING ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A POSTROUTING -j A
-A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE
-A A -g B
-A A -j SNAT --to-source 192.0.2.1
-A B -j RETURN`);
    // B returns to POSTROUTING (A went there by goto), so A's SNAT is never reached.
    expect(outcome(walkNat(chains, packet('10.1.1.1', '192.0.2.9'), none))).toBe('masquerade at POSTROUTING -j MASQUERADE');
    const jumped = chainsOf(`:POSTROUTING ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A POSTROUTING -j A
-A A -j B
-A A -j SNAT --to-source 192.0.2.1
-A B -j RETURN`);
    expect(walkNat(jumped, packet('10.1.1.1', '192.0.2.9'), none)).toMatchObject({ verdict: 'snat', to: '192.0.2.1' });
  });

  test('negation, protocols, output devices with +, marks by value and mask, LOCAL addresses', () => {
    const chains = chainsOf(`:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -p udp -j ACCEPT
-A POSTROUTING -o cni+ -j ACCEPT
-A POSTROUTING -m mark --mark 0x10/0xf0 -j ACCEPT
-A POSTROUTING -m addrtype --src-type LOCAL -j SNAT --to-source 192.0.2.2
-A POSTROUTING ! -d 10.0.0.0/8 -j MASQUERADE`);
    const eth0 = { outDevice: 'eth0' };
    expect(outcome(walkNat(chains, packet('10.1.1.1', '192.0.2.9', { protocol: 'UDP', ...eth0 }), none))).toBe('unchanged at POSTROUTING -j ACCEPT');
    expect(walkNat(chains, packet('10.1.1.1', '192.0.2.9', { outDevice: 'cni0' }), none).rule?.line).toBe(4);
    expect(walkNat(chains, packet('10.1.1.1', '192.0.2.9', { mark: 0x1f, ...eth0 }), none).rule?.line).toBe(5);
    expect(walkNat(chains, packet('10.1.1.1', '192.0.2.9', { mark: 0x20, ...eth0 }), none).verdict).toBe('masquerade');
    expect(walkNat(chains, packet('10.1.1.1', '192.0.2.9', eth0), new Set(['10.1.1.1']))).toMatchObject({ verdict: 'snat', to: '192.0.2.2' });
    expect(walkNat(chains, packet('10.1.1.1', '10.2.2.2', eth0), none)).toMatchObject({ verdict: 'unchanged', rule: null });
  });

  test('what the walk cannot evaluate is unknown, naming the match; it never guesses past it', () => {
    const chains = chainsOf(`:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth0 -j ACCEPT
-A POSTROUTING -m conntrack --ctstate DNAT -j MASQUERADE`);
    expect(walkNat(chains, packet('10.1.1.1', '192.0.2.9'), none)).toMatchObject({ verdict: 'unknown', why: '-o eth0: the device the packet leaves by is not known' });
    expect(walkNat(chains, packet('10.1.1.1', '192.0.2.9', { outDevice: 'cni0' }), none)).toMatchObject({ verdict: 'unknown', why: '--ctstate is a match the walk does not evaluate' });
    const loop = chainsOf(`:POSTROUTING ACCEPT [0:0]
:A - [0:0]
-A POSTROUTING -j A
-A A -j A`);
    expect(walkNat(loop, packet('10.1.1.1', '192.0.2.9'), none)).toMatchObject({ verdict: 'unknown', why: 'chains nested more than 64 deep' });
  });
});

test('kube-proxy 1.36\'s nftables masquerade rules, as the lab read them: the marked packets\', and the hairpin set\'s', () => {
  const found = nftMasquerades(parseNftRuleset(fixture('lab-kube-proxy-1.36-nftables/node-a/nft_-j_list_ruleset.json')));
  expect(found.map((m) => [m.family, m.chain, m.mark])).toEqual([
    ['inet', 'masquerading', 0x4000],
    ['inet', 'masquerading', null],
    ['inet6', 'masquerading', 0x4000],
    ['inet6', 'masquerading', null],
  ]);
  expect(found[0]!.text).toMatch(/^ip kube-proxy masquerading handle \d+: meta mark & 0x4000 != 0 masquerade$/);
  expect(found[1]!.text).toMatch(/^ip kube-proxy masquerading handle \d+: when status and saddr \. daddr \. l4proto \. dport match, masquerade$/);
});
