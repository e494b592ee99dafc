/**
 * `iptables-save [-c]` (and ip6tables-save): tables, chains with their policies and counters,
 * and rules as the words iptables-restore would read. iptables-save double-quotes a word with
 * spaces or quotes in it and backslash-escapes `"` and `\` inside (libxtables
 * xtables_save_string); a POSIX shell-word split (shlex) undoes exactly that.
 */
import { split } from 'shlex';
import { DatapathParseError } from './parse-error.ts';
import type { Counters, IptablesChain, IptablesRule, IptablesSave, IptablesTable } from './types.ts';

const countersPattern = /^\[(\d+):(\d+)\]$/;

function countersOf(text: string | undefined): Counters | null {
  const match = text === undefined ? null : countersPattern.exec(text);
  return match ? { packets: Number(match[1]), bytes: Number(match[2]) } : null;
}

/** Parses iptables-save output; every table and chain in it, rules in order. */
export function parseIptablesSave(output: string, command = 'iptables-save -c'): IptablesSave {
  const tables: IptablesTable[] = [];
  let table: IptablesTable | null = null;
  let chains = new Map<string, IptablesChain>();
  function fail(line: number, reason: string): never {
    throw new DatapathParseError(command, `line ${line}`, reason);
  }
  for (const [i, raw] of output.split('\n').entries()) {
    const n = i + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    if (text.startsWith('*')) {
      if (table) fail(n, `table ${text.slice(1)} starts before table ${table.name} is committed`);
      table = { name: text.slice(1), chains: [] };
      chains = new Map();
      continue;
    }
    if (!table) fail(n, `"${text.slice(0, 40)}" outside a table (no *table line before it)`);
    if (text === 'COMMIT') {
      tables.push(table);
      table = null;
      continue;
    }
    if (text.startsWith(':')) {
      // `:KUBE-SERVICES - [0:0]`, `:INPUT ACCEPT [12:3456]`
      const [name, policy, counters] = text.slice(1).split(/\s+/);
      if (!name || !policy) fail(n, `chain line "${text}" has no policy`);
      if (counters !== undefined && !countersPattern.test(counters)) fail(n, `chain ${name}: counters "${counters}" are not [packets:bytes]`);
      const chain: IptablesChain = { name, policy: policy === '-' ? null : policy, counters: countersOf(counters), rules: [] };
      chains.set(name, chain);
      table.chains.push(chain);
      continue;
    }
    let words: string[];
    try {
      words = split(text);
    } catch (error) {
      fail(n, `cannot split into words: ${error instanceof Error ? error.message : String(error)}`);
    }
    const counters = countersOf(words[0]);
    if (counters) words.shift();
    else if (words[0]?.startsWith('[')) fail(n, `counters "${words[0]}" are not [packets:bytes]`);
    const [flag, chainName, ...args] = words;
    if (flag !== '-A' && flag !== '--append') fail(n, `expected -A <chain>, found "${flag ?? ''}"`);
    const chain = chainName === undefined ? undefined : chains.get(chainName);
    if (!chain) fail(n, `rule for chain ${chainName ?? '(none)'}, which table ${table.name} does not declare`);
    chain.rules.push(ruleOf(table.name, chain.name, n, args, counters));
  }
  if (table) throw new DatapathParseError(command, '', `table ${table.name} is not committed (no COMMIT line)`);
  return { tables };
}

function ruleOf(table: string, chain: string, line: number, args: string[], counters: Counters | null): IptablesRule {
  let target: string | null = null;
  let isGoto = false;
  const comments: string[] = [];
  for (let i = 0; i < args.length - 1; i++) {
    const word = args[i];
    const next = args[i + 1] as string;
    if (word === '-j' || word === '--jump') target = next;
    else if (word === '-g' || word === '--goto') [target, isGoto] = [next, true];
    else if (word === '--comment') comments.push(next);
  }
  return { table, chain, line, args, target, isGoto, comments, counters };
}

/** The value of an option in a rule's words (`--dport`, `-d`, `--to-destination`), and whether
 * it is negated (`! -s 10.0.0.0/8`); the first occurrence, or null. */
export function ruleOption(rule: IptablesRule, ...names: string[]): { value: string; isNegated: boolean } | null {
  const { args } = rule;
  for (let i = 0; i < args.length - 1; i++) {
    if (names.includes(args[i] as string)) return { value: args[i + 1] as string, isNegated: args[i - 1] === '!' };
  }
  return null;
}

export function hasWord(rule: IptablesRule, word: string): boolean {
  return rule.args.includes(word);
}

export function findTable(save: IptablesSave, name: string): IptablesTable | undefined {
  return save.tables.find((t) => t.name === name);
}

export function findChain(table: IptablesTable | undefined, name: string): IptablesChain | undefined {
  return table?.chains.find((c) => c.name === name);
}
