// The preload (electron/preload.ts) runs against a stubbed `electron`: what it hands
// contextBridge is exactly what the renderer will see as window.podpath.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { channelOf, eventNames, PodpathError, requestNames, type PodpathApi } from '../../shared/ipc.ts';

const fake = vi.hoisted(() => {
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const listeners = new Map<string, Set<Listener>>();
  return {
    listeners,
    exposeInMainWorld: vi.fn(),
    invoke: vi.fn(),
    on: vi.fn((channel: string, listener: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => listeners.get(channel)?.delete(listener)),
    /** What the main process's webContents.send would look like from the preload's side. */
    emit(channel: string, payload: unknown) {
      const event = { sender: { send: () => {} }, senderId: 0, ports: [] };
      for (const listener of listeners.get(channel) ?? []) listener(event, payload);
    },
  };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: fake.exposeInMainWorld },
  ipcRenderer: { invoke: fake.invoke, on: fake.on, removeListener: fake.removeListener },
}));

let api: PodpathApi;
/** exposeInMainWorld's calls, kept here because mocks are cleared before each test. */
let exposed: unknown[][];

beforeAll(async () => {
  // Not a literal import: the preload belongs to its own TypeScript project
  // (electron/tsconfig.preload.json), which the test project does not reference.
  const preload = '../preload.ts';
  await import(/* @vite-ignore */ preload);
  exposed = fake.exposeInMainWorld.mock.calls.map((call) => [...call]);
  api = exposed[0]?.[1] as PodpathApi;
});

describe('preload', () => {
  test('exposes exactly one global, podpath', () => {
    expect(exposed).toHaveLength(1);
    expect(exposed[0]?.[0]).toBe('podpath');
  });

  test('the api is the contract: one function per request, plus on', () => {
    expect(Object.keys(api).sort()).toEqual([...requestNames, 'on'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
  });

  test.each(requestNames)('%s invokes its own channel with the payload and unwraps the reply', async (name) => {
    fake.invoke.mockResolvedValueOnce({ ok: true, value: { answer: name } });
    const payload = name === 'getObject' ? { id: 'pod:0b1c' } : {};
    const call = api[name] as (payload: unknown) => Promise<unknown>;
    await expect(call(payload)).resolves.toEqual({ answer: name });
    expect(fake.invoke).toHaveBeenLastCalledWith(channelOf(name), payload);
  });

  test('an error reply rejects with the code and message the main process gave', async () => {
    fake.invoke.mockResolvedValueOnce({ ok: false, error: { code: 'invalid-payload', message: 'Invalid getObject request: id.' } });
    const failure = api.getObject({ id: 'pod:x' }).catch((error: unknown) => error);
    const error = await failure;
    expect(error).toBeInstanceOf(PodpathError);
    expect(error).toMatchObject({ code: 'invalid-payload', message: 'Invalid getObject request: id.' });
  });

  test('on() hands the listener the payload only, never the IpcRendererEvent', () => {
    const listener = vi.fn();
    const unsubscribe = api.on('didChangeTopology', listener);
    fake.emit(channelOf('didChangeTopology'), { seq: 9 });
    expect(listener).toHaveBeenCalledExactlyOnceWith({ seq: 9 });
    unsubscribe();
  });

  test('the function on() returns unsubscribes that listener and no other', () => {
    const first = vi.fn();
    const second = vi.fn();
    const unsubscribeFirst = api.on('didChangeTopology', first);
    const unsubscribeSecond = api.on('didChangeTopology', second);
    unsubscribeFirst();
    fake.emit(channelOf('didChangeTopology'), { seq: 10 });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledExactlyOnceWith({ seq: 10 });
    unsubscribeSecond();
    expect(fake.listeners.get(channelOf('didChangeTopology'))?.size).toBe(0);
  });

  test('on() subscribes only to contract events', () => {
    const subscribedBefore = fake.on.mock.calls.length;
    expect(() => api.on('ipc-message' as never, () => {})).toThrow(/Unknown Podpath event/);
    expect(fake.on.mock.calls.length).toBe(subscribedBefore);
    for (const name of eventNames) api.on(name, () => {})();
    expect(fake.on.mock.calls.slice(subscribedBefore).map(([channel]) => channel)).toEqual(eventNames.map((name) => channelOf(name)));
  });
});
