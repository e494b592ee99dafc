import { describe, expect, test } from 'vitest';
import { requestNames, type Events, type ViewState, type WireMessage } from '../../shared/ipc.ts';
import { createSocketClient, type SocketLike } from './socket-client.ts';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: WireMessage[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly url: string;
  readonly protocols: string[];
  constructor(url: string, protocols: string[] = []) {
    this.url = url;
    this.protocols = protocols;
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as WireMessage);
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: WireMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

function setup(protocols?: string[]) {
  const sockets: FakeSocket[] = [];
  const timers: { callback: () => void; ms: number }[] = [];
  const client = createSocketClient('ws://127.0.0.1:1234/api', {
    ...(protocols ? { protocols } : {}),
    createSocket: (url, offered) => {
      const socket = new FakeSocket(url, offered);
      sockets.push(socket);
      return socket;
    },
    setTimer: (callback, ms) => timers.push({ callback, ms }),
    clearTimer: () => {},
  });
  return { client, sockets, timers, last: () => sockets[sockets.length - 1]! };
}

const view = { seq: 3 } as ViewState;

describe('the browser-mode socket client', () => {
  test('requests made before the socket opens wait for it, then replies are matched by id', async () => {
    const { client, last } = setup();
    expect(last().url).toBe('ws://127.0.0.1:1234/api');
    const first = client.getState({});
    const second = client.getObject({ id: 'pod:abc' });
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([
      { type: 'request', id: 1, name: 'getState', payload: {} },
      { type: 'request', id: 2, name: 'getObject', payload: { id: 'pod:abc' } },
    ]);
    last().receive({ type: 'reply', id: 2, reply: { ok: true, value: null } });
    last().receive({ type: 'reply', id: 1, reply: { ok: true, value: view } });
    await expect(first).resolves.toEqual(view);
    await expect(second).resolves.toBeNull();
    expect(client.status.state).toBe('open');
  });

  test('every request of the contract is a method that goes over the wire by its name', async () => {
    const { client, last } = setup();
    last().open();
    for (const name of requestNames) expect(typeof client[name], name).toBe('function');
    const listing = client.listContexts({});
    const opening = client.openContext({ context: 'admin', namespaces: ['team-a'] });
    const demo = client.openDemo({});
    expect(last().sent).toEqual([
      { type: 'request', id: 1, name: 'listContexts', payload: {} },
      { type: 'request', id: 2, name: 'openContext', payload: { context: 'admin', namespaces: ['team-a'] } },
      { type: 'request', id: 3, name: 'openDemo', payload: {} },
    ]);
    const list = { files: [], contexts: [], preferred: null, error: 'No kubeconfig found: set KUBECONFIG or create ~/.kube/config.' };
    last().receive({ type: 'reply', id: 1, reply: { ok: true, value: list } });
    last().receive({ type: 'reply', id: 2, reply: { ok: false, error: { code: 'failed', message: 'Context "admin" not found in /tmp/kubeconfig.' } } });
    last().receive({ type: 'reply', id: 3, reply: { ok: true, value: view } });
    await expect(listing).resolves.toEqual(list);
    await expect(opening).rejects.toThrow('Context "admin" not found in /tmp/kubeconfig.');
    await expect(demo).resolves.toEqual(view);
  });

  test('an error reply rejects with the backend message', async () => {
    const { client, last } = setup();
    last().open();
    const request = client.getObject({ id: 'pod:x' });
    last().receive({ type: 'reply', id: 1, reply: { ok: false, error: { code: 'invalid-payload', message: 'Invalid getObject request: id: bad.' } } });
    await expect(request).rejects.toMatchObject({ code: 'invalid-payload', message: 'Invalid getObject request: id: bad.' });
  });

  test('events reach their listeners until they unsubscribe', () => {
    const { client, last } = setup();
    last().open();
    const seen: Events['didChangeTopology'][] = [];
    const off = client.on('didChangeTopology', (delta) => seen.push(delta));
    const delta: Events['didChangeTopology'] = { sessionId: 1, seq: 4, added: [], updated: [], removed: ['pod:gone'] };
    last().receive({ type: 'event', name: 'didChangeTopology', payload: delta });
    off();
    last().receive({ type: 'event', name: 'didChangeTopology', payload: { ...delta, seq: 5 } });
    expect(seen).toEqual([delta]);
  });

  test('a closed socket rejects requests in flight, reports it, and reconnects with growing delays', async () => {
    const { client, sockets, timers, last } = setup();
    const states: string[] = [];
    client.onDidChangeConnection((s) => states.push(s.state));
    last().open();
    const inFlight = client.getState({});
    last().drop();
    await expect(inFlight).rejects.toThrow(/Disconnected from the Podpath backend/);
    expect(client.status.state).toBe('closed');
    expect(timers.map((t) => t.ms)).toEqual([500]);

    // A request made while disconnected waits for the next socket.
    const waiting = client.getState({});
    timers[0]!.callback();
    expect(sockets).toHaveLength(2);
    last().drop();
    expect(timers.map((t) => t.ms)).toEqual([500, 1000]);
    timers[1]!.callback();
    last().open();
    expect(last().sent).toEqual([{ type: 'request', id: 2, name: 'getState', payload: {} }]);
    last().receive({ type: 'reply', id: 2, reply: { ok: true, value: view } });
    await expect(waiting).resolves.toEqual(view);
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);

    // After a successful open the backoff starts again from the shortest delay.
    last().drop();
    expect(timers.map((t) => t.ms)).toEqual([500, 1000, 500]);
  });

  test("every handshake, reconnects too, offers the subprotocols that carry browser mode's token", () => {
    const { timers, sockets, last } = setup(['podpath', 'podpath.token.abc']);
    last().drop();
    timers[0]!.callback();
    expect(sockets.map((s) => s.protocols)).toEqual([
      ['podpath', 'podpath.token.abc'],
      ['podpath', 'podpath.token.abc'],
    ]);
  });

  test('dispose stops reconnecting and rejects what is pending', async () => {
    const { client, timers, last } = setup();
    const pending = client.getState({});
    client.dispose();
    await expect(pending).rejects.toThrow(/closed/);
    expect(timers).toHaveLength(0);
    expect(last().readyState).toBe(3);
  });
});
