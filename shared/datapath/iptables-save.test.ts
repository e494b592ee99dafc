// iptables-save parsing, over kube-proxy's own fixture (../shared/reference/kube-proxy-iptables,
// copied to test/fixtures/datapath) and over the real iptables-save -c output of the same rules
// loaded into a lab namespace (test/fixtures/datapath/make-lab-kube-proxy.sh).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { findChain, findTable, parseIptablesSave, ruleOption } from './iptables-save.ts';
import { DatapathParseError } from './parse-error.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/datapath/${name}`, import.meta.url), 'utf8');

describe('parseIptablesSave', () => {
  test('reads kube-proxy case1: tables, chains, rules with quoted comments as one word', () => {
    const save = parseIptablesSave(fixture('kube-proxy-iptables-case1.iptables-save'));
    expect(save.tables.map((t) => t.name)).toEqual(['filter', 'nat']);
    const nat = findTable(save, 'nat');
    expect(nat?.chains).toHaveLength(20);
    const services = findChain(nat, 'KUBE-SERVICES');
    expect(services?.policy).toBeNull();
    const first = services?.rules[0];
    expect(first?.comments).toEqual(['ns1/svc1:p80 cluster IP']);
    expect(first?.target).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(first && ruleOption(first, '-d')).toEqual({ value: '172.30.0.41', isNegated: false });
    expect(first?.counters).toBeNull();
    const masq = findChain(nat, 'KUBE-SVC-XPGD46QRK7WJZT7O')?.rules[0];
    expect(masq && ruleOption(masq, '-s')).toEqual({ value: '10.0.0.0/8', isNegated: true });
    // A rule with no target at all (kube-proxy's KUBE-FW "other traffic … will be dropped").
    const fw = findChain(nat, 'KUBE-FW-NUKIZ6OKUXPJNT4C')?.rules[1];
    expect(fw?.target).toBeNull();
  });

  test('reads the real iptables-save -c: policies, chain and rule counters', () => {
    const save = parseIptablesSave(fixture('lab-kube-proxy/iptables-save-c.txt'));
    const filter = findTable(save, 'filter');
    const input = findChain(filter, 'INPUT');
    expect(input?.policy).toBe('ACCEPT');
    expect(input?.counters?.packets).toBeGreaterThan(0);
    const reject = findChain(filter, 'KUBE-SERVICES')?.rules.find((r) => r.target === 'REJECT');
    expect(reject?.comments).toEqual(['ns6/svc6:p80 has no endpoints']);
    expect(reject?.counters?.packets).toBeGreaterThan(0);
    expect(reject?.args.slice(-2)).toEqual(['--reject-with', 'icmp-port-unreachable']);
  });

  test('undoes iptables-save quoting: escaped quotes and backslashes inside a comment', () => {
    const save = parseIptablesSave('*filter\n:X - [0:0]\n[1:2] -A X -m comment --comment "say \\"hi\\" \\\\ ok; #1" -j ACCEPT\nCOMMIT\n');
    const rule = save.tables[0]?.chains[0]?.rules[0];
    expect(rule?.comments).toEqual(['say "hi" \\ ok; #1']);
    expect(rule?.counters).toEqual({ packets: 1, bytes: 2 });
    expect(rule?.line).toBe(3);
  });

  test('splits every rule into the words a real /bin/sh makes of it', () => {
    for (const name of ['kube-proxy-iptables-case1.iptables-save', 'lab-kube-proxy/iptables-save-c.txt']) {
      const text = fixture(name);
      const rules = parseIptablesSave(text).tables.flatMap((t) => t.chains.flatMap((c) => c.rules));
      const lines = text.split('\n');
      // One sh run for all rules: each line's words, NUL-separated, a line per rule.
      const script = rules.map((r) => `printf '%s\\0' ${(lines[r.line - 1] as string).replace(/^\[\d+:\d+\] /, '')}; echo`).join('\n');
      const sh = spawnSync('/bin/sh', ['-c', script], { env: {} }).stdout.toString('utf8').split('\n').slice(0, -1);
      expect(sh).toHaveLength(rules.length);
      rules.forEach((rule, i) => expect(['-A', rule.chain, ...rule.args], `${name} line ${rule.line}`).toEqual((sh[i] as string).split('\0').slice(0, -1)));
    }
  });

  test.each([
    ['an unterminated quote', '*nat\n:X - [0:0]\n-A X -m comment --comment "open -j ACCEPT\nCOMMIT\n', 'line 3', /cannot split into words/],
    ['a rule for an undeclared chain', '*nat\n:X - [0:0]\n-A Y -j ACCEPT\nCOMMIT\n', 'line 3', /chain Y, which table nat does not declare/],
    ['a rule outside a table', '-A X -j ACCEPT\n', 'line 1', /outside a table/],
    ['bad counters', '*nat\n:X - [0:0]\n[1:x] -A X -j ACCEPT\nCOMMIT\n', 'line 3', /not \[packets:bytes\]/],
    ['a missing COMMIT', '*nat\n:X - [0:0]\n', '', /table nat is not committed/],
    ['something that is not a rule', '*nat\n:X - [0:0]\n-I X -j ACCEPT\nCOMMIT\n', 'line 3', /expected -A <chain>, found "-I"/],
  ])('rejects %s, naming the line', (_, text, where, reason) => {
    let caught: unknown;
    try {
      parseIptablesSave(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatapathParseError);
    const error = caught as DatapathParseError;
    expect(error.command).toBe('iptables-save -c');
    expect(error.where).toBe(where);
    expect(error.reason).toMatch(reason);
  });
});
