import { describe, expect, test } from 'vitest';
import { dispatchRequest, maxSnapshotBytes, parseRequest, requestNames, type RequestHandlers } from './ipc.ts';

describe('parseRequest', () => {
  test('accepts every request with a well-formed payload', () => {
    expect(parseRequest('getState', {})).toMatchObject({ ok: true, name: 'getState' });
    expect(parseRequest('getObject', { id: 'pod:1234' })).toMatchObject({ ok: true, payload: { id: 'pod:1234' } });
  });

  test.each([
    ['unknown channel', 'readFile', { path: '/etc/passwd' }, 'unknown-request'],
    ['prototype key as a channel', '__proto__', {}, 'unknown-request'],
    ['wrong type', 'getObject', { id: 42 }, 'invalid-payload'],
    ['extra keys', 'getState', { evil: true }, 'invalid-payload'],
    ['missing payload', 'getObject', undefined, 'invalid-payload'],
    ['not an element id', 'getObject', { id: '../../etc/passwd' }, 'invalid-payload'],
    ['oversized id', 'getObject', { id: `pod:${'x'.repeat(600)}` }, 'invalid-payload'],
  ])('refuses %s', (_, name, payload, code) => {
    const result = parseRequest(name, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  test('names the offending field', () => {
    const result = parseRequest('getObject', { id: 42 });
    expect(!result.ok && result.error.message).toMatch(/getObject request: id:/);
  });
});

describe('dispatchRequest', () => {
  const calls: unknown[] = [];
  const handlers: RequestHandlers = {
    getState: () => {
      throw new Error('backend is closed');
    },
    getObject: (payload) => {
      calls.push(payload);
      return null;
    },
    listContexts: () => ({ files: [], contexts: [], preferred: null, error: null }),
    openContext: (payload) => {
      calls.push(payload);
      throw new Error('unreachable');
    },
    openDemo: () => {
      throw new Error('not in this test');
    },
    openSnapshot: (payload) => {
      calls.push(payload);
      throw new Error('not a snapshot');
    },
    exportSnapshot: () => ({ fileName: 'x.podpath.json', text: '{}' }),
    readDatapath: (payload) => {
      calls.push(payload);
      return { status: 'unavailable', reason: 'a snapshot' };
    },
    cancelDatapathRead: () => ({ isCancelled: false }),
    readKubeletDns: () => ({ read: 0, of: 0, problems: [] }),
  };

  test('a valid request reaches its handler, an invalid one never does', async () => {
    expect(await dispatchRequest(handlers, 'getObject', { id: 'svc:shop/web' })).toEqual({ ok: true, value: null });
    expect(await dispatchRequest(handlers, 'getObject', { id: 7 })).toMatchObject({ ok: false });
    expect(calls).toEqual([{ id: 'svc:shop/web' }]);
  });

  test('openContext takes a context name and namespaces, nothing else', async () => {
    expect(await dispatchRequest(handlers, 'openContext', { context: 'prod', namespaces: ['team-a'] })).toMatchObject({ ok: false, error: { message: 'unreachable' } });
    expect(await dispatchRequest(handlers, 'openContext', { context: 'prod', kubeconfig: '/etc/shadow' })).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(await dispatchRequest(handlers, 'openContext', { context: 'prod', namespaces: ['Not A Namespace'] })).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(calls).toContainEqual({ context: 'prod', namespaces: ['team-a'] });
    expect(calls).toHaveLength(2);
  });

  test('readDatapath takes node names or "all" and a yes/no confirmation, nothing else', async () => {
    calls.length = 0;
    expect(await dispatchRequest(handlers, 'readDatapath', { nodes: ['kind-worker', 'node-1.example.com'], isConfirmed: true })).toMatchObject({ ok: true });
    expect(await dispatchRequest(handlers, 'readDatapath', { nodes: 'all' })).toMatchObject({ ok: true });
    const refused = [
      { nodes: [] },
      { nodes: 'every' },
      { nodes: ['Node A'] },
      { nodes: ['kind-worker'], isConfirmed: 'yes' },
      { nodes: ['kind-worker'], image: 'evil:latest' },
      { nodes: ['kind-worker'], namespace: 'kube-system' },
    ];
    for (const payload of refused) expect(await dispatchRequest(handlers, 'readDatapath', payload)).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(calls).toEqual([{ nodes: ['kind-worker', 'node-1.example.com'], isConfirmed: true }, { nodes: 'all' }]);
  });

  test('openSnapshot takes a file name and its text, within limits', async () => {
    calls.length = 0;
    expect(await dispatchRequest(handlers, 'openSnapshot', { name: 'prod.podpath.json', text: '{}' })).toMatchObject({ ok: false, error: { message: 'not a snapshot' } });
    expect(calls).toEqual([{ name: 'prod.podpath.json', text: '{}' }]);
    const refused = [
      { name: '', text: '{}' },
      { name: '../../etc/passwd', text: '{}' },
      { name: 'a\nb.json', text: '{}' },
      { name: 'x'.repeat(256), text: '{}' },
      { name: 'a.json', text: 'x'.repeat(maxSnapshotBytes + 1) },
      { name: 'a.json', text: '{}', path: '/etc/passwd' },
      { name: 'a.json' },
    ];
    for (const payload of refused) {
      expect(await dispatchRequest(handlers, 'openSnapshot', payload), JSON.stringify(payload).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    }
    expect((await dispatchRequest(handlers, 'openSnapshot', { name: 'a.json', text: 'x'.repeat(maxSnapshotBytes + 1) })) as { error: { message: string } }).toMatchObject({
      error: { message: 'Invalid openSnapshot request: text: must be at most 50 MB.' },
    });
    expect(calls).toHaveLength(1);
    expect(await dispatchRequest(handlers, 'exportSnapshot', {})).toEqual({ ok: true, value: { fileName: 'x.podpath.json', text: '{}' } });
    expect(await dispatchRequest(handlers, 'exportSnapshot', { path: '/tmp/x' })).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
  });

  test('a handler error becomes an error reply with its message', async () => {
    expect(await dispatchRequest(handlers, 'getState', {})).toEqual({ ok: false, error: { code: 'failed', message: 'backend is closed' } });
  });

  test('the contract names are what the handlers implement', () => {
    expect(requestNames.sort()).toEqual(Object.keys(handlers).sort());
  });
});
