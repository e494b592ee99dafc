import { describe, expect, test } from 'vitest';
import type { ContextList, Events, KindStatus, ViewState } from '../../shared/ipc.ts';
import type { PodRecord } from '../../shared/model/types.ts';
import { sampleTopology } from '../graph/testing/sample-topology.ts';
import type { ConnectionStatus } from '../transport/connection.ts';
import { createClusterStore, deltasBetween, type ClusterApi } from './cluster.ts';
import { createOpener, describeTarget, parseNamespaces } from './opening.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A backend whose every reply the test hands out by hand, in the order it chooses. */
function fakeBackend() {
  const calls: { name: string; payload: unknown; reply: Deferred<unknown> }[] = [];
  const listeners = new Map<string, Set<(payload: never) => void>>();
  const connection = new Set<(status: ConnectionStatus) => void>();
  const call = (name: string) => (payload: unknown) => {
    const reply = deferred<unknown>();
    calls.push({ name, payload, reply });
    return reply.promise as Promise<never>;
  };
  const api: ClusterApi = {
    getState: call('getState'),
    getObject: call('getObject'),
    listContexts: call('listContexts'),
    openContext: call('openContext'),
    openDemo: call('openDemo'),
    openSnapshot: call('openSnapshot'),
    exportSnapshot: call('exportSnapshot'),
    readDatapath: call('readDatapath'),
    cancelDatapathRead: call('cancelDatapathRead'),
    readKubeletDns: call('readKubeletDns'),
    on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
    onDidChangeConnection(listener) {
      connection.add(listener);
      return () => connection.delete(listener);
    },
  };
  return {
    api,
    calls,
    /** The oldest call of this name not yet answered. */
    pending(name: string) {
      const found = calls.find((c) => c.name === name && !(c as { isAnswered?: boolean }).isAnswered);
      if (!found) throw new Error(`no pending ${name} call`);
      (found as { isAnswered?: boolean }).isAnswered = true;
      return found;
    },
    count: (name: string) => calls.filter((c) => c.name === name).length,
    emit<K extends keyof Events>(event: K, payload: Events[K]) {
      for (const listener of [...(listeners.get(event) ?? [])]) (listener as (p: Events[K]) => void)(payload);
    },
    connection(status: ConnectionStatus['state']) {
      for (const listener of connection) listener({ state: status, retryAt: null, reason: null });
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const demoSource = { kind: 'demo', label: 'Demo cluster', note: null } as const;
const clusterSource = { kind: 'cluster', label: 'admin', note: null } as const;
const live = (kind: KindStatus['kind'], count: number): KindStatus => ({ kind, state: 'live', count, reason: null, scope: 'cluster' });

function view(sessionId: number, seq: number, overrides: Partial<ViewState> = {}): ViewState {
  return { sessionId, seq, source: demoSource, topology: sampleTopology(), kinds: [], layout: null, ...overrides };
}

function removal(sessionId: number, seq: number, id: string): Events['didChangeTopology'] {
  return { sessionId, seq, added: [], updated: [], removed: [id] };
}

async function loaded(initial: ViewState) {
  const backend = fakeBackend();
  const store = createClusterStore(backend.api);
  const reload = store.reload();
  backend.pending('getState').reply.resolve(initial);
  await reload;
  return { backend, store };
}

describe('the cluster store', () => {
  test('applies deltas in sequence, ignores repeated ones, and resyncs on a gap', async () => {
    const first = view(1, 5);
    const { backend, store } = await loaded(first);
    expect(store.get()).toMatchObject({ status: 'ready', view: first });

    backend.emit('didChangeTopology', removal(1, 6, 'svc:shop/db'));
    expect(store.get().view?.seq).toBe(6);
    expect(store.get().view?.topology.services['svc:shop/db']).toBeUndefined();

    backend.emit('didChangeTopology', removal(1, 6, 'svc:shop/backend'));
    expect(store.get().view?.topology.services['svc:shop/backend']).toBeDefined();
    expect(backend.count('getState')).toBe(1);

    backend.emit('didChangeTopology', removal(1, 8, 'svc:shop/backend'));
    expect(backend.count('getState')).toBe(2);
    const resynced = view(1, 9, { topology: sampleTopology({ nodes: 3 }) });
    backend.pending('getState').reply.resolve(resynced);
    await settle();
    expect(store.get().view).toBe(resynced);
  });

  test("another session's deltas: older ones are ignored, a newer one means a full resync", async () => {
    const { backend, store } = await loaded(view(2, 0));
    backend.emit('didChangeTopology', removal(1, 1, 'svc:shop/db'));
    expect(store.get().view?.topology.services['svc:shop/db']).toBeDefined();
    expect(backend.count('getState')).toBe(1);

    backend.emit('didChangeTopology', removal(3, 1, 'svc:shop/db'));
    expect(backend.count('getState')).toBe(2);
    const newer = view(3, 4, { source: clusterSource });
    backend.pending('getState').reply.resolve(newer);
    await settle();
    expect(store.get().view).toBe(newer);
  });

  test('deltas that arrive while a resync is on its way are applied after it if they follow it', async () => {
    const { backend, store } = await loaded(view(1, 0));
    void store.reload();
    backend.emit('didChangeTopology', removal(1, 3, 'svc:shop/db'));
    backend.emit('didChangeTopology', removal(1, 4, 'svc:shop/backend'));
    backend.pending('getState').reply.resolve(view(1, 3));
    await settle();
    // seq 3 is already in the state; seq 4 follows it.
    expect(store.get().view?.seq).toBe(4);
    expect(store.get().view?.topology.services['svc:shop/db']).toBeDefined();
    expect(store.get().view?.topology.services['svc:shop/backend']).toBeUndefined();
  });

  test('deltas and kinds that arrive before the scheduled show reach the store as one update, made by one delta that follows them all', async () => {
    const backend = fakeBackend();
    const shows: (() => void)[] = [];
    const store = createClusterStore(backend.api, { scheduleShow: (show) => shows.push(show) });
    const reload = store.reload();
    const initial = view(1, 0, { source: clusterSource });
    backend.pending('getState').reply.resolve(initial);
    await reload;
    let updates = 0;
    store.subscribe(() => updates++);

    backend.emit('didChangeTopology', removal(1, 1, 'svc:shop/db'));
    backend.emit('didChangeTopology', removal(1, 2, 'svc:shop/backend'));
    backend.emit('didChangeKinds', { sessionId: 1, kinds: [live('pods', 7)] });
    expect(store.get().view?.seq).toBe(0);
    expect(shows).toHaveLength(1);
    shows.shift()!();
    expect(updates).toBe(1);
    const shown = store.get().view!;
    expect(shown.seq).toBe(2);
    expect(shown.topology.services['svc:shop/db']).toBeUndefined();
    expect(shown.topology.services['svc:shop/backend']).toBeUndefined();
    expect(shown.kinds).toEqual([live('pods', 7)]);
    // The graph follows them as one delta (deltasBetween), applied once.
    const steps = deltasBetween(initial.topology, shown.topology);
    expect(steps?.map((step) => step.delta.seq)).toEqual([2]);
    expect(steps?.[0]?.delta.removed.toSorted()).toEqual(['svc:shop/backend', 'svc:shop/db']);

    // A gap is judged against the deltas applied, shown or not.
    backend.emit('didChangeTopology', removal(1, 3, 'svc:shop/frontend'));
    backend.emit('didChangeTopology', removal(1, 3, 'svc:shop/frontend'));
    expect(backend.count('getState')).toBe(1);
    backend.emit('didChangeTopology', removal(1, 5, 'svc:shop/frontend'));
    expect(backend.count('getState')).toBe(2);
  });

  test('didChangeKinds replaces the kinds of the current session only', async () => {
    const { backend, store } = await loaded(view(4, 0, { source: clusterSource, kinds: [{ ...live('pods', 0), state: 'loading' }] }));
    const topologyBefore = store.get().view?.topology;
    backend.emit('didChangeKinds', { sessionId: 4, kinds: [live('pods', 12), { kind: 'nodes', state: 'forbidden', count: 0, reason: 'nodes is forbidden', scope: 'cluster' }] });
    expect(store.get().view?.kinds.map((k) => `${k.kind}:${k.state}`)).toEqual(['pods:live', 'nodes:forbidden']);
    expect(store.get().view?.topology).toBe(topologyBefore);

    backend.emit('didChangeKinds', { sessionId: 3, kinds: [] });
    expect(store.get().view?.kinds).toHaveLength(2);
    expect(backend.count('getState')).toBe(1);
    backend.emit('didChangeKinds', { sessionId: 5, kinds: [] });
    expect(backend.count('getState')).toBe(2);
  });

  test('a reconnect of the link means a full resync; the first connect does not', async () => {
    const { backend } = await loaded(view(1, 0));
    backend.connection('connecting');
    backend.connection('open');
    expect(backend.count('getState')).toBe(1);
    backend.connection('closed');
    backend.connection('connecting');
    expect(backend.count('getState')).toBe(1);
    backend.connection('open');
    expect(backend.count('getState')).toBe(2);
  });

  test('openContext replaces the whole state; deltas of the new session sent before its reply are kept', async () => {
    const { backend, store } = await loaded(view(1, 7));
    const opening = store.openContext({ context: 'admin', namespaces: ['team-a'] });
    expect(backend.pending('openContext').payload).toEqual({ context: 'admin', namespaces: ['team-a'] });
    // The old session still talks until the backend switches; the new one may start first.
    backend.emit('didChangeTopology', removal(1, 8, 'svc:shop/db'));
    backend.emit('didChangeTopology', removal(2, 1, 'svc:shop/backend'));
    const opened = view(2, 0, { source: clusterSource, kinds: [live('pods', 9)] });
    backend.calls.find((c) => c.name === 'openContext')!.reply.resolve(opened);
    await opening;
    const state = store.get().view!;
    expect(state.sessionId).toBe(2);
    expect(state.seq).toBe(1);
    expect(state.source).toBe(clusterSource);
    expect(state.kinds).toEqual([live('pods', 9)]);
    expect(state.topology.services['svc:shop/db']).toBeDefined();
    expect(state.topology.services['svc:shop/backend']).toBeUndefined();

    backend.emit('didChangeTopology', removal(1, 9, 'svc:shop/db'));
    expect(store.get().view).toBe(state);
    expect(backend.count('getState')).toBe(1);
  });

  test('a failed open rejects with the backend message whole and keeps the current picture', async () => {
    const first = view(1, 0);
    const { backend, store } = await loaded(first);
    const opening = store.openContext({ context: 'expired' });
    backend.emit('didChangeTopology', removal(1, 1, 'svc:shop/db'));
    const message = 'The API server at https://127.0.0.1:6443 rejected the credentials of context expired (401 Unauthorized). Log in again, e.g. `aws sso login`, and retry.';
    backend.pending('openContext').reply.reject(new Error(message));
    await expect(opening).rejects.toThrow(message);
    const state = store.get();
    expect(state.status).toBe('ready');
    expect(state.view?.sessionId).toBe(1);
    // The old session's delta that came meanwhile was applied once the open had failed.
    expect(state.view?.seq).toBe(1);
    expect(state.view?.topology.services['svc:shop/db']).toBeUndefined();
  });

  test('openDemo replaces the state too, and a resync it overtook does not overwrite it', async () => {
    const { backend, store } = await loaded(view(1, 0, { source: clusterSource }));
    void store.reload();
    const opening = store.openDemo();
    const demo = view(2, 0);
    backend.pending('openDemo').reply.resolve(demo);
    await opening;
    backend.pending('getState').reply.resolve(view(1, 3, { source: clusterSource }));
    await settle();
    expect(store.get().view).toBe(demo);
  });

  test('openSnapshot replaces the state; a file that does not parse keeps the picture and rejects with the message', async () => {
    const { backend, store } = await loaded(view(1, 0));
    const failing = store.openSnapshot({ name: 'cut.json', text: '{' });
    backend.pending('openSnapshot').reply.reject(new Error('cut.json is not valid JSON (Unexpected end of JSON input); is the file complete?'));
    await expect(failing).rejects.toThrow(/cut\.json is not valid JSON/);
    expect(store.get()).toMatchObject({ status: 'ready', view: { sessionId: 1 } });

    const opening = store.openSnapshot({ name: 'prod.podpath.json', text: '{}' });
    expect(backend.calls.at(-1)).toMatchObject({ name: 'openSnapshot', payload: { name: 'prod.podpath.json', text: '{}' } });
    const snapshot = view(2, 0, { source: { kind: 'snapshot', label: 'prod.podpath.json', note: null } });
    backend.pending('openSnapshot').reply.resolve(snapshot);
    await opening;
    expect(store.get().view).toBe(snapshot);
  });

  test('didOpenSource: a source opened elsewhere (the desktop menu, another tab) is fetched whole', async () => {
    const { backend, store } = await loaded(view(1, 0));
    // Our own open's announcement, or an old one: nothing to fetch.
    backend.emit('didOpenSource', { sessionId: 1, source: demoSource });
    expect(backend.count('getState')).toBe(1);
    backend.emit('didOpenSource', { sessionId: 2, source: { kind: 'snapshot', label: 'b.json', note: null } });
    expect(backend.count('getState')).toBe(2);
    const opened = view(2, 0, { source: { kind: 'snapshot', label: 'b.json', note: null } });
    backend.pending('getState').reply.resolve(opened);
    await settle();
    expect(store.get().view).toBe(opened);
  });

  test('didOpenSource while a state is on its way: checked when it lands', async () => {
    const { backend, store } = await loaded(view(1, 0));
    const opening = store.openDemo();
    // The menu opened a snapshot (session 3) after the backend answered our open (session 2).
    backend.emit('didOpenSource', { sessionId: 3, source: { kind: 'snapshot', label: 'c.json', note: null } });
    expect(backend.count('getState')).toBe(1);
    backend.pending('openDemo').reply.resolve(view(2, 0));
    await opening;
    expect(backend.count('getState')).toBe(2);
    const latest = view(3, 0, { source: { kind: 'snapshot', label: 'c.json', note: null } });
    backend.pending('getState').reply.resolve(latest);
    await settle();
    expect(store.get().view).toBe(latest);
  });

  test('exportSnapshot asks the backend for the file', async () => {
    const { backend, store } = await loaded(view(1, 0));
    const exporting = store.exportSnapshot();
    backend.pending('exportSnapshot').reply.resolve({ fileName: 'demo-cluster.podpath.json', text: '{}' });
    await expect(exporting).resolves.toEqual({ fileName: 'demo-cluster.podpath.json', text: '{}' });
  });

  test('a failed load keeps the message and the picture', async () => {
    const { backend, store } = await loaded(view(1, 0));
    const reload = store.reload();
    backend.pending('getState').reply.reject(new Error('backend exploded'));
    await reload;
    expect(store.get()).toMatchObject({ status: 'error', error: 'backend exploded', view: { sessionId: 1 } });
  });

  test('listContexts goes to the backend as it is', async () => {
    const { backend, store } = await loaded(view(1, 0));
    const list: ContextList = { files: ['/home/u/.kube/config'], contexts: [], preferred: null, error: 'No kubeconfig found.' };
    const listing = store.listContexts();
    backend.pending('listContexts').reply.resolve(list);
    await expect(listing).resolves.toBe(list);
  });

  test('dispose stops listening', async () => {
    const { backend, store } = await loaded(view(1, 0));
    store.dispose();
    const pod: PodRecord = { ...sampleTopology().pods['pod:uid-backend-2']!, isReady: true };
    backend.emit('didChangeTopology', { sessionId: 1, seq: 1, added: [], updated: [pod], removed: [] });
    expect(store.get().view?.seq).toBe(0);
  });
});

describe('opening from the picker', () => {
  test('is busy while the open runs, then keeps the failure message for the picker', async () => {
    const backend = fakeBackend();
    const store = createClusterStore(backend.api);
    const opener = createOpener(store);
    const opening = opener.open({ kind: 'context', context: 'prod', namespaces: [] });
    expect(opener.get().busy).toEqual({ kind: 'context', context: 'prod', namespaces: [] });
    // No namespaces: the payload has none, as the schema allows.
    expect(backend.pending('openContext').payload).toEqual({ context: 'prod' });
    backend.calls.find((c) => c.name === 'openContext')!.reply.reject(new Error('exec plugin "aws" not found on PATH.'));
    await expect(opening).resolves.toBe(false);
    expect(opener.get()).toEqual({ busy: null, failure: { target: { kind: 'context', context: 'prod', namespaces: [] }, message: 'exec plugin "aws" not found on PATH.' } });

    const demo = opener.open({ kind: 'demo' });
    expect(opener.get().failure).toBeNull();
    backend.pending('openDemo').reply.resolve(view(2, 0));
    await expect(demo).resolves.toBe(true);
    expect(opener.get()).toEqual({ busy: null, failure: null });
  });

  test('a snapshot file: busy under its name, the text never kept in the state', async () => {
    const backend = fakeBackend();
    const store = createClusterStore(backend.api);
    const opener = createOpener(store);
    const opening = opener.open({ kind: 'snapshot', name: 'prod.podpath.json', text: '{"format":' });
    expect(opener.get().busy).toEqual({ kind: 'snapshot', name: 'prod.podpath.json' });
    backend.pending('openSnapshot').reply.reject(new Error('prod.podpath.json is not valid JSON'));
    await expect(opening).resolves.toBe(false);
    expect(opener.get()).toEqual({ busy: null, failure: { target: { kind: 'snapshot', name: 'prod.podpath.json' }, message: 'prod.podpath.json is not valid JSON' } });
    expect(describeTarget(opener.get().failure!.target)).toBe('prod.podpath.json');

    opener.fail({ kind: 'snapshot', name: 'huge.json' }, 'huge.json is 80 MB');
    expect(opener.get().failure).toEqual({ target: { kind: 'snapshot', name: 'huge.json' }, message: 'huge.json is 80 MB' });
  });

  test('extra namespaces: comma- or space-separated, de-duplicated, invalid names reported', () => {
    expect(parseNamespaces(' team-a, team-b,,team-a  ')).toEqual({ namespaces: ['team-a', 'team-b'], invalid: [] });
    expect(parseNamespaces('team-a Team_B')).toEqual({ namespaces: ['team-a'], invalid: ['Team_B'] });
    expect(parseNamespaces('')).toEqual({ namespaces: [], invalid: [] });
  });
});
