import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dispatchRequest } from '../../shared/ipc.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { defaultAssetsDir, demoFileName, exportFileName, openBackend } from './backend.ts';

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

describe('openSnapshot and exportSnapshot', () => {
  const demoText = readFileSync(join(defaultAssetsDir(), demoFileName), 'utf8');

  test('a snapshot the renderer read opens as the new source, and says so to listeners', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const events: unknown[] = [];
    backend.onEvent((name, payload) => events.push({ name, payload }));
    const before = await backend.handlers.getState({});
    const snapshot = JSON.parse(demoText) as { source: { context: string } };
    snapshot.source.context = 'prod-eu';
    const opened = await backend.handlers.openSnapshot({ name: 'prod-eu.podpath.json', text: JSON.stringify(snapshot) });
    expect(opened.source).toEqual({ kind: 'snapshot', label: 'prod-eu.podpath.json', note: null });
    expect(opened.sessionId).toBe(before.sessionId + 1);
    expect(opened.topology.cluster.context).toBe('prod-eu');
    expect(events).toEqual([{ name: 'didOpenSource', payload: { sessionId: opened.sessionId, source: opened.source } }]);
    await backend.close();
  });

  test.each([
    ['cut short', (text: string) => text.slice(0, 200), /^cut\.json is not valid JSON \(.+\); is the file complete\?$/],
    ['not a snapshot', () => '{"kind":"List","items":[]}', /^cut\.json is not a Podpath snapshot: "format" must be "podpath\.snapshot"\.$/],
    ['from a newer Podpath', (text: string) => text.replace('"version": 1', '"version": 7'), /cut\.json was written by a newer Podpath \(snapshot version 7/],
    ['a pod without a uid', (text: string) => text.replace(/"uid": "[^"]+"/, '"uid": ""'), /^cut\.json is not a valid snapshot: objects\.\w+\[0\]\.metadata\.uid: /],
  ])('a snapshot %s is refused with the problem named, and the current source stays', async (_case, corrupt, message) => {
    const backend = await openBackend({ kind: 'demo', note: 'kept' });
    const before = await backend.handlers.getState({});
    const events: unknown[] = [];
    backend.onEvent((name) => events.push(name));
    await expect(backend.handlers.openSnapshot({ name: 'cut.json', text: corrupt(demoText) })).rejects.toThrow(message);
    const after = await backend.handlers.getState({});
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.source).toEqual({ kind: 'demo', label: 'Demo cluster', note: 'kept' });
    expect(after.topology).toBe(before.topology);
    expect(events).toEqual([]);
    await backend.close();
  });

  test('the same refusal crosses the contract as an error reply', async () => {
    const backend = await openBackend({ kind: 'demo' });
    expect(await dispatchRequest(backend.handlers, 'openSnapshot', { name: 'cut.json', text: '{"format":"podpath.snapshot","version":1,"sou' })).toEqual({
      ok: false,
      error: { code: 'failed', message: expect.stringMatching(/^cut\.json is not valid JSON/) },
    });
    await backend.close();
  });

  test('the demo exports as the demo: the same objects, under its own name', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const exported = await backend.handlers.exportSnapshot({});
    expect(exported.fileName).toBe('demo-cluster.podpath.json.gz');
    const reread = parseSnapshot(exported.text, exported.fileName);
    const original = parseSnapshot(demoText);
    expect(reread.objects).toEqual(original.objects);
    expect(reread.source).toEqual(original.source);
    await backend.close();
  });

  test('an export never carries what Podpath would not keep, even when the opened file did', async () => {
    const secrets = ['s3cr3t-env-value', 'eyJhbGciOiJSUzI1NiJ9.token', 'BEGIN PRIVATE KEY'];
    const snapshot = JSON.parse(demoText) as { objects: { pods: Record<string, unknown>[] }; source: Record<string, unknown> };
    const pod = snapshot.objects.pods[0] as { metadata: Record<string, unknown>; spec: { containers: Record<string, unknown>[]; volumes?: unknown[] } };
    pod.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': `{"token":"${secrets[1]}"}` };
    pod.spec.containers[0]!.env = [{ name: 'PASSWORD', value: secrets[0] }];
    pod.spec.volumes = [{ name: 'tls', secret: { secretName: 'tls' } }];
    (pod as Record<string, unknown>).data = { 'tls.key': secrets[2] };
    const backend = await openBackend({ kind: 'demo' });
    await backend.handlers.openSnapshot({ name: 'hand edited.json', text: JSON.stringify(snapshot) });
    const exported = await backend.handlers.exportSnapshot({});
    expect(exported.fileName).toBe('hand-edited.json.gz');
    for (const secret of secrets) expect(exported.text).not.toContain(secret);
    expect(exported.text).not.toContain('last-applied-configuration');
    expect(parseSnapshot(exported.text).objects.pods).toHaveLength(snapshot.objects.pods.length);
    await backend.close();
  });

  test('export file names are safe on every OS', () => {
    expect(exportFileName({ kind: 'cluster', label: 'arn:aws:eks:eu-west-1:1234:cluster/prod', note: null }, '2025-07-01T09:08:07.123Z')).toBe(
      'arn-aws-eks-eu-west-1-1234-cluster-prod-20250701-090807.podpath.json.gz',
    );
    expect(exportFileName({ kind: 'snapshot', label: 'prod', note: null }, '2025-07-01T09:00:00Z')).toBe('prod.podpath.json.gz');
    expect(exportFileName({ kind: 'snapshot', label: '..', note: null }, '2025-07-01T09:00:00Z')).toBe('cluster.podpath.json.gz');
    expect(exportFileName({ kind: 'demo', label: 'Demo cluster', note: null }, '2025-07-01T09:00:00Z')).toBe('demo-cluster.podpath.json.gz');
    // A snapshot opened from a file is suggested under its own name, gzipped (issue 14).
    expect(exportFileName({ kind: 'snapshot', label: 'prod-eu.podpath.json', note: null }, '2025-07-01T09:00:00Z')).toBe('prod-eu.podpath.json.gz');
    expect(exportFileName({ kind: 'snapshot', label: 'prod-eu.podpath.json.gz', note: null }, '2025-07-01T09:00:00Z')).toBe('prod-eu.podpath.json.gz');
  });
});

describe('layouts in exported snapshots', () => {
  test('an export carries the positions the renderer sends, and reopening gives them back', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const layout = { 'ext:internet': { x: 12.5, y: -40 }, 'node:demo-worker-1': { x: 300, y: 200 } };
    const { text } = await backend.handlers.exportSnapshot({ layout });
    expect(JSON.parse(text).layout).toEqual(layout);
    const reopened = await backend.handlers.openSnapshot({ name: 'saved.podpath.json', text });
    expect(reopened.layout).toEqual(layout);
    expect((await backend.handlers.openDemo({})).layout).toBeNull();
  });
});

describe('errors sent to the page', () => {
  test('a context whose server URL holds a user and password: the reply names the server, not the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podpath-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: k, cluster: {server: "https://admin:hunter2@127.0.0.1:1", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: abcdefghijklmnopqrstuvwxyz}}]',
        'contexts: [{name: c, context: {cluster: k, user: u}}]',
      ].join('\n'),
    );
    const backend = await openBackend({ kind: 'demo' }, { kubeconfigPaths: [kubeconfig] });
    const reply = await dispatchRequest(backend.handlers, 'openContext', { context: 'c' });
    expect(reply).toMatchObject({ ok: false, error: { message: expect.stringContaining('127.0.0.1:1') } });
    expect(JSON.stringify(reply)).not.toMatch(/hunter2|admin:|abcdefghijklmnop/);
  });
});
