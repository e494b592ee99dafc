/**
 * `nft -j list ruleset` (libnftables JSON, `man libnftables-json`): tables, chains, rules with
 * their expressions kept as JSON, sets and maps with their elements. What the expressions mean
 * is read by whoever knows the rules' author (kube-proxy-nftables.ts); this file only checks the
 * shape and picks out what every rule may carry: its counter and comment.
 */
import { z } from 'zod';
import { parseJsonOutput, validate } from './parse-error.ts';
import type { Counters } from './types.ts';

export interface NftChain {
  family: string;
  table: string;
  name: string;
  /** Base chains only: filter, nat, route; and the hook they are attached to. */
  type: string | null;
  hook: string | null;
  priority: number | null;
  policy: string | null;
}

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  /** The rule's statements, as libnftables writes them (`{"match": …}`, `{"dnat": …}`). */
  expr: unknown[];
  /** The first `counter` statement's values, when the rule has one. */
  counters: Counters | null;
  comment: string | null;
}

export interface NftSet {
  family: string;
  table: string;
  name: string;
  isMap: boolean;
  type: string | string[];
  /** A map's value type (`verdict` for vmaps). */
  map: string | null;
  flags: string[];
  /** Element timeout in seconds (dynamic sets). */
  timeout: number | null;
  comment: string | null;
  /** Elements as written: a set's keys; a map's `[key, value]` pairs. */
  elements: unknown[];
}

export interface NftRuleset {
  tables: { family: string; name: string }[];
  chains: NftChain[];
  rules: NftRule[];
  sets: NftSet[];
}

const table = z.object({ family: z.string(), name: z.string(), handle: z.number().optional() });
const chain = z.object({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  handle: z.number().optional(),
  type: z.string().optional(),
  hook: z.string().optional(),
  prio: z.number().optional(),
  policy: z.string().optional(),
});
const rule = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  handle: z.number().int(),
  expr: z.array(z.unknown()),
  comment: z.string().optional(),
});
const set = z.object({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  type: z.union([z.string(), z.array(z.string())]),
  map: z.string().optional(),
  flags: z.array(z.string()).optional(),
  timeout: z.number().optional(),
  comment: z.string().optional(),
  elem: z.array(z.unknown()).optional(),
});

/** Each entry of the `nftables` array is an object with one key naming its kind; kinds Podpath
 * does not read (metainfo, flowtables, objects, ct helpers) are skipped. */
const schema = z.object({ nftables: z.array(z.record(z.string(), z.unknown())) });

const counterSchema = z.object({ counter: z.object({ packets: z.number(), bytes: z.number() }) });

/** Parses `nft -j list ruleset`. */
export function parseNftRuleset(output: string, command = 'nft -j list ruleset'): NftRuleset {
  const data = parseJsonOutput(command, schema, output.trim() === '' ? '{"nftables": []}' : output);
  const ruleset: NftRuleset = { tables: [], chains: [], rules: [], sets: [] };
  data.nftables.forEach((entry, i) => {
    const at = (key: string) => ['nftables', i, key];
    if (entry.table !== undefined) {
      const t = validate(command, table, entry.table, at('table'));
      ruleset.tables.push({ family: t.family, name: t.name });
    } else if (entry.chain !== undefined) {
      const c = validate(command, chain, entry.chain, at('chain'));
      ruleset.chains.push({ family: c.family, table: c.table, name: c.name, type: c.type ?? null, hook: c.hook ?? null, priority: c.prio ?? null, policy: c.policy ?? null });
    } else if (entry.rule !== undefined) {
      const r = validate(command, rule, entry.rule, at('rule'));
      const counter = r.expr.map((e) => counterSchema.safeParse(e)).find((c) => c.success)?.data?.counter;
      ruleset.rules.push({ family: r.family, table: r.table, chain: r.chain, handle: r.handle, expr: r.expr, counters: counter ?? null, comment: r.comment ?? null });
    } else if (entry.set !== undefined || entry.map !== undefined) {
      const isMap = entry.map !== undefined;
      const s = validate(command, set, isMap ? entry.map : entry.set, at(isMap ? 'map' : 'set'));
      ruleset.sets.push({
        family: s.family,
        table: s.table,
        name: s.name,
        isMap,
        type: s.type,
        map: s.map ?? null,
        flags: s.flags ?? [],
        timeout: s.timeout ?? null,
        comment: s.comment ?? null,
        elements: s.elem ?? [],
      });
    }
  });
  return ruleset;
}
