/**
 * The snapshot reader's fast path (shared/snapshot/fast-parse.ts, issue 14) answers what zod
 * answers: on the demo and a generated cluster, and on them with parts broken, it either gives
 * zod's very output or steps aside (undefined) — and it steps aside whenever zod refuses.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compileFastParse } from '../../shared/snapshot/fast-parse.ts';
import { parseSnapshot, snapshotSchema, type Snapshot } from '../../shared/snapshot/format.ts';
import { generateCluster } from '../fixtures/generate.ts';
import { check, mutationsOf, toJson } from './fuzz.ts';

const demoText = readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8');
const demo = JSON.parse(demoText) as Snapshot;
const generated: Snapshot = { ...demo, objects: generateCluster(300) };
const fast = compileFastParse(snapshotSchema);

/** Both answers on the same text, each on its own parse of it. */
function bothOn(text: string) {
  return { fast: fast(JSON.parse(text)), zod: snapshotSchema.safeParse(JSON.parse(text)) };
}

describe('the fast path of the snapshot reader', () => {
  test('takes a well-formed snapshot, with exactly zod’s output', () => {
    for (const snapshot of [demo, generated]) {
      const { fast: output, zod } = bothOn(JSON.stringify(snapshot));
      expect(zod.success).toBe(true);
      expect(output).toBeDefined();
      expect(output).toStrictEqual(zod.data);
    }
  });

  test('fills in what zod fills in, and drops what zod drops', () => {
    const old = structuredClone(demo) as unknown as { objects: Record<string, unknown>; extra?: number };
    delete old.objects.gateways;
    delete old.objects.httpRoutes;
    old.objects.somethingNew = [{ a: 1 }];
    old.extra = 1;
    const { fast: output, zod } = bothOn(JSON.stringify(old));
    expect(output).toStrictEqual(zod.data);
    expect(output?.objects.gateways).toEqual([]);
    expect(output).not.toHaveProperty('objects.somethingNew');
  });

  test('steps aside for an own __proto__ key, which zod leaves out of its copy', () => {
    const text = JSON.stringify(demo).replace('"metadata":{', '"metadata":{"__proto__":{"polluted":true},');
    expect(fast(JSON.parse(text))).toBeUndefined();
    const parsed = parseSnapshot(text, 'proto.json');
    expect(Object.hasOwn(parsed.objects.nodes[0]!.metadata, '__proto__')).toBe(false);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test('on snapshots with one to three parts broken: zod’s output, or undefined — always undefined when zod refuses', () => {
    for (const [name, base] of [['demo', demo], ['generated', generated]] as const) {
      check(
        `snapshot fast path (${name} mutated)`,
        fc.property(mutationsOf(base), (snapshot) => {
          const { fast: output, zod } = bothOn(toJson(snapshot));
          if (!zod.success) expect(output).toBeUndefined();
          else if (output !== undefined) expect(output).toStrictEqual(zod.data);
        }),
        300,
      );
    }
  });
});
