import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openBackend } from './backend.ts';

describe('openBackend', () => {
  test('the demo opens, with its note, and answers for any element', async () => {
    const backend = await openBackend({ kind: 'demo', note: 'No cluster chosen.' });
    const state = await backend.handlers.getState({});
    expect(state.source).toEqual({ kind: 'demo', label: 'Demo cluster', note: 'No cluster chosen.' });
    const pod = Object.values(state.topology.pods).find((p) => p.containers.length > 0 && p.veth)!;
    expect((await backend.handlers.getObject({ id: pod.id }))?.object.metadata.name).toBe(pod.name);
    // A container or veth is shown with its pod's object.
    expect((await backend.handlers.getObject({ id: pod.containers[0]! }))?.id).toBe(pod.id);
    expect((await backend.handlers.getObject({ id: pod.veth! }))?.id).toBe(pod.id);
    expect(await backend.handlers.getObject({ id: 'ext:internet' })).toBeNull();
    expect(await backend.handlers.getObject({ id: 'pod:no-such-uid' })).toBeNull();
  });

  test('a missing snapshot names the file and the reason', async () => {
    await expect(openBackend({ kind: 'snapshot', path: '/nonexistent/cluster.json' })).rejects.toThrow(
      'Cannot read snapshot /nonexistent/cluster.json: no such file.',
    );
  });

  test('a corrupt snapshot names the problem', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'podpath-')), 'cut.json');
    writeFileSync(path, '{"format":"podpath.snapshot","version":1,"sou');
    await expect(openBackend({ kind: 'snapshot', path })).rejects.toThrow(/cut\.json is not valid JSON/);
  });
});
