import { describe, expect, test } from 'vitest';
import { emptyObjects } from '../kube/objects.ts';
import { parseSnapshot, serializeSnapshot, type Snapshot } from './format.ts';

const valid: Snapshot = {
  format: 'podpath.snapshot',
  version: 1,
  source: { context: 'kind-dev', server: 'https://127.0.0.1:6443', kubernetesVersion: 'v1.33.2', capturedAt: '2026-11-26T10:00:00Z' },
  objects: {
    ...emptyObjects(),
    nodes: [{ metadata: { name: 'n1', uid: 'u1' }, spec: { podCIDR: '10.244.0.0/24' } }],
  },
};

describe('parseSnapshot', () => {
  test('round-trips a valid snapshot', () => {
    expect(parseSnapshot(serializeSnapshot(valid))).toEqual(valid);
  });

  test('says when the file is not JSON', () => {
    expect(() => parseSnapshot('{"format": "podpath.snapshot", ', 'cut.json')).toThrow(/cut\.json is not valid JSON/);
  });

  test('says when the file is something else', () => {
    expect(() => parseSnapshot('{"kind": "List"}', 'list.json')).toThrow(/list\.json is not a Podpath snapshot/);
  });

  test('says when a newer Podpath wrote it', () => {
    expect(() => parseSnapshot(JSON.stringify({ ...valid, version: 7 }), 'future.json')).toThrow(/written by a newer Podpath/);
  });

  test('names the path and reason of the first invalid field', () => {
    const broken = structuredClone(valid) as unknown as { objects: { nodes: { metadata: { uid?: string } }[] } };
    delete broken.objects.nodes[0]!.metadata.uid;
    expect(() => parseSnapshot(JSON.stringify(broken), 'b.json')).toThrow(/b\.json is not a valid snapshot: objects\.nodes\[0\]\.metadata\.uid: /);
  });
});
