/**
 * Fuzzing the snapshot reader (issue 12): what opening a file does — parseSnapshot, then derive
 * the model from it, then export it again — on the demo snapshot with parts broken, on random
 * JSON, and on random text. It opens, or fails with a SnapshotError naming the problem.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { objectKinds } from '../../shared/kube/objects.ts';
import { trimObject } from '../../shared/kube/trim.ts';
import { parseSnapshot, serializeSnapshot, SnapshotError, type Snapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { answersOrNames, check, hostileText, hostileValue, materialize, mutationsOf, toJson } from './fuzz.ts';

const demoText = readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8');
const demo = JSON.parse(demoText) as Snapshot;

/** Opening a file as the app does; returns the error when it is refused. */
function open(text: string): Snapshot | Error {
  return answersOrNames(() => {
    const snapshot = parseSnapshot(text, 'fuzz.json');
    derive(snapshot.objects, snapshot.source);
    parseSnapshot(serializeSnapshot(snapshot), 'again.json');
    return snapshot;
  }, [SnapshotError]);
}

describe('fuzz: the snapshot reader', () => {
  test('the demo snapshot with one to three parts replaced by hostile values or removed', () => {
    check('snapshot (demo mutated)', fc.property(mutationsOf(demo), (snapshot) => void open(toJson(snapshot))), 200);
  });

  test('random JSON in a snapshot header, and random text', () => {
    const header = fc.record({ format: fc.constant('podpath.snapshot'), version: fc.constant(1), source: hostileValue, objects: hostileValue, layout: hostileValue, datapath: hostileValue }, { requiredKeys: ['format', 'version'] });
    check('snapshot (random JSON)', fc.property(header, (value) => void open(toJson(value))), 300);
    check('snapshot (random text)', fc.property(hostileText, (text) => void open(text)), 300);
  });

  test('whatever the trimmer writes, the schema accepts: one object of the demo broken, trimmed again, opens', () => {
    const objects = objectKinds.flatMap((kind) => demo.objects[kind].map((object) => ({ kind, object })));
    const broken = fc.nat({ max: objects.length - 1 }).chain((i) => mutationsOf(objects[i]!.object).map((object) => ({ kind: objects[i]!.kind, object })));
    check(
      'snapshot (trimmer output)',
      fc.property(broken, ({ kind, object }) => {
        const trimmed = trimObject(kind, materialize(object));
        if (!trimmed) return;
        // Every reader (list-watch, files) gives a namespaced object its namespace before trimming.
        if (!['nodes', 'namespaces', 'ingressClasses'].includes(kind)) trimmed.metadata.namespace ||= 'default';
        const snapshot = { ...demo, objects: { ...demo.objects, [kind]: [trimmed] } };
        expect(open(toJson(snapshot))).not.toBeInstanceOf(Error);
      }),
      200,
    );
  });
});
