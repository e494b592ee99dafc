import { describe, expect, test, vi } from 'vitest';
import { channelOf, eventNames, requestNames, type Reply, type RequestHandlers } from '../../shared/ipc.ts';
import { forwardEvents, isAppFrame, registerRequestHandlers, type IpcMainLike, type SenderOf } from './ipc.ts';
import { appLocation } from './security.ts';

const location = appLocation(undefined, '/opt/podpath/.vite/renderer/main_window/index.html');
const appUrl = location.url;
const windowContents = { id: 7 };

type Listener = (event: SenderOf, ...args: unknown[]) => Promise<Reply<unknown>>;

/** An ipcMain stand-in that records handlers, and the backend handlers as spies. */
function setup() {
  const registered = new Map<string, Listener>();
  const ipc = {
    handle: vi.fn((channel: string, listener: Listener) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
      registered.set(channel, listener);
    }),
    removeHandler: vi.fn((channel: string) => registered.delete(channel)),
  };
  const handlers = {
    getState: vi.fn(() => ({ seq: 3 }) as never),
    getObject: vi.fn(({ id }: { id: string }) => ({ id, kind: 'pods', object: {} }) as never),
    listContexts: vi.fn(() => ({ files: [], contexts: [], preferred: null, error: null })),
    openContext: vi.fn(() => ({ seq: 0 }) as never),
    openDemo: vi.fn(() => ({ seq: 0 }) as never),
    openSnapshot: vi.fn(() => ({ seq: 0 }) as never),
    exportSnapshot: vi.fn(() => ({ fileName: 'a.podpath.json', text: '{}' })),
    readDatapath: vi.fn(() => ({ status: 'unavailable' as const, reason: 'a snapshot' })),
    cancelDatapathRead: vi.fn(() => ({ isCancelled: false })),
    readKubeletDns: vi.fn(() => ({ read: 0, of: 0, problems: [] })),
  } satisfies RequestHandlers;
  const dispose = registerRequestHandlers(ipc as unknown as IpcMainLike, handlers, (event) =>
    isAppFrame(event, windowContents, location),
  );
  const invoke = (name: string, event: SenderOf, ...args: unknown[]) => {
    const listener = registered.get(channelOf(name as never));
    if (!listener) throw new Error(`no handler for ${name}`);
    return listener(event, ...args);
  };
  return { registered, ipc, handlers, dispose, invoke };
}

function sender(frame: { url?: string; parent?: unknown } | null, contentsId = 7): SenderOf {
  const senderFrame = frame === null ? null : { url: frame.url ?? appUrl, parent: frame.parent ?? null };
  return { sender: { id: contentsId }, senderFrame } as unknown as SenderOf;
}

describe('registerRequestHandlers', () => {
  test('registers one handler per request of the contract, and nothing else', () => {
    const { registered } = setup();
    expect([...registered.keys()].sort()).toEqual(requestNames.map((name) => channelOf(name)).sort());
    expect(requestNames.length).toBeGreaterThan(0);
  });

  test('the returned function removes every handler it registered', () => {
    const { registered, dispose } = setup();
    dispose();
    expect(registered.size).toBe(0);
  });

  test('a valid payload from the app reaches the backend and comes back as a Reply', async () => {
    const { handlers, invoke } = setup();
    const reply = await invoke('getObject', sender({}), { id: 'pod:0b1c' });
    expect(reply).toEqual({ ok: true, value: { id: 'pod:0b1c', kind: 'pods', object: {} } });
    expect(handlers.getObject).toHaveBeenCalledWith({ id: 'pod:0b1c' });
    expect(await invoke('getState', sender({}), {})).toEqual({ ok: true, value: { seq: 3 } });
  });

  test.each([
    ['a number id', { id: 42 }],
    ['an extra key', { id: 'pod:0b1c', path: '/etc/passwd' }],
    ['a string that is no element id', { id: 'not an id' }],
    ['no object at all', 'pod:0b1c'],
    ['null', null],
  ])('getObject with %s is refused before the backend sees it', async (_, payload) => {
    const { handlers, invoke } = setup();
    const reply = await invoke('getObject', sender({}), payload);
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe('invalid-payload');
    expect(handlers.getObject).not.toHaveBeenCalled();
  });

  test('getState with extra keys is refused', async () => {
    const { handlers, invoke } = setup();
    const reply = await invoke('getState', sender({}), { all: true });
    expect(!reply.ok && reply.error.code).toBe('invalid-payload');
    expect(handlers.getState).not.toHaveBeenCalled();
  });

  test('a missing payload, or more than one argument, is refused', async () => {
    const { handlers, invoke } = setup();
    for (const args of [[], [{ id: 'pod:a' }, { id: 'pod:b' }]]) {
      const reply = await invoke('getObject', sender({}), ...args);
      expect(!reply.ok && reply.error.code).toBe('invalid-payload');
    }
    expect(handlers.getObject).not.toHaveBeenCalled();
  });

  test.each([
    ['a subframe of the window', sender({ parent: { url: appUrl } })],
    ['another page in the window', sender({ url: 'https://example.com/' })],
    ['another local file', sender({ url: 'file:///tmp/evil.html' })],
    ['another WebContents', sender({}, 8)],
    ['a frame that is gone', sender(null)],
  ])('a request from %s is refused and never reaches the backend', async (_, event) => {
    const { handlers, invoke } = setup();
    const reply = await invoke('getObject', event, { id: 'pod:0b1c' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(handlers.getObject).not.toHaveBeenCalled();
  });

  test('a backend failure comes back as an error Reply, not a thrown IPC error', async () => {
    const { handlers, invoke } = setup();
    handlers.getState.mockImplementationOnce(() => {
      throw new Error('snapshot vanished');
    });
    expect(await invoke('getState', sender({}), {})).toEqual({ ok: false, error: { code: 'failed', message: 'snapshot vanished' } });
  });
});

describe('forwardEvents', () => {
  type Emit = (name: string, payload: unknown) => void;
  function backendStub() {
    let emit: Emit = () => {};
    const unsubscribe = vi.fn();
    const backend = {
      onEvent: (listener: Emit) => {
        emit = listener;
        return unsubscribe;
      },
    };
    return { backend: backend as never, emit: (name: string, payload: unknown) => emit(name, payload), unsubscribe };
  }

  test('sends each contract event to the window on its channel', () => {
    const stub = backendStub();
    const contents = { send: vi.fn(), isDestroyed: () => false };
    forwardEvents(stub.backend, () => contents);
    for (const name of eventNames) stub.emit(name, { seq: 5 });
    expect(contents.send.mock.calls).toEqual(eventNames.map((name) => [channelOf(name), { seq: 5 }]));
    expect(contents.send).toHaveBeenCalledWith('podpath:didChangeTopology', { seq: 5 });
  });

  test('drops events outside the contract and events with no live window', () => {
    const stub = backendStub();
    let contents: { send: ReturnType<typeof vi.fn<(channel: string, payload: unknown) => void>>; isDestroyed: () => boolean } | null = null;
    forwardEvents(stub.backend, () => contents);
    stub.emit('didChangeTopology', { seq: 1 }); // no window yet

    contents = { send: vi.fn(), isDestroyed: () => false };
    stub.emit('didExfiltrate', { secret: 1 });
    expect(contents.send).not.toHaveBeenCalled();

    contents = { send: vi.fn(), isDestroyed: () => true };
    stub.emit('didChangeTopology', { seq: 2 });
    expect(contents.send).not.toHaveBeenCalled();
  });

  test('returns the backend subscription, so the caller can stop forwarding', () => {
    const stub = backendStub();
    const stop = forwardEvents(stub.backend, () => null);
    stop();
    expect(stub.unsubscribe).toHaveBeenCalledTimes(1);
  });
});
