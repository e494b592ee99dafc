/**
 * Browser mode's side of the contract: PodpathApi over a WebSocket speaking `WireMessage`
 * (shared/ipc.ts). Requests carry increasing ids and wait for the socket to open; replies are
 * matched by id and unwrapped; events go to `on()` listeners. When the socket closes, requests
 * already sent are rejected (their replies will never come) and the client reconnects with
 * backoff; requests made meanwhile wait for the new socket.
 */
import {
  PodpathError,
  requestNames,
  unwrapReply,
  type EventName,
  type Events,
  type PodpathApi,
  type RequestName,
  type RequestPayload,
  type Responses,
  type WireMessage,
} from '../../shared/ipc.ts';
import type { BackendConnection, ConnectionStatus } from './connection.ts';

/** The part of the WebSocket API the client uses, so tests can hand it a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface SocketClientOptions {
  /** The handshake's subprotocols: browser mode's token travels there (shared/ipc.ts socketProtocols). */
  protocols?: string[];
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  /** Delay before reconnect attempt `attempt` (0-based), in milliseconds. */
  backoff?: (attempt: number) => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

const openState = 1;

export const defaultBackoff = (attempt: number): number => Math.min(10_000, 500 * 2 ** attempt);

interface Pending {
  message: string;
  isSent: boolean;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function createSocketClient(url: string, options: SocketClientOptions = {}): BackendConnection {
  const protocols = options.protocols ?? [];
  const createSocket = options.createSocket ?? ((u: string, p: string[]) => new WebSocket(u, p) as unknown as SocketLike);
  const backoff = options.backoff ?? defaultBackoff;
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));

  let socket: SocketLike | null = null;
  let nextId = 1;
  let attempt = 0;
  let reconnectTimer: unknown = null;
  let isDisposed = false;
  let status: ConnectionStatus = { state: 'connecting', retryAt: null, reason: null };
  const pending = new Map<number, Pending>();
  const eventListeners = new Map<EventName, Set<(payload: never) => void>>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();

  function setStatus(next: ConnectionStatus): void {
    status = next;
    for (const listener of [...statusListeners]) listener(status);
  }

  function open(): void {
    reconnectTimer = null;
    setStatus({ state: 'connecting', retryAt: null, reason: status.reason });
    let current: SocketLike;
    try {
      current = createSocket(url, protocols);
    } catch (error) {
      scheduleReconnect(error instanceof Error ? error.message : String(error));
      return;
    }
    socket = current;
    current.onopen = () => {
      attempt = 0;
      setStatus({ state: 'open', retryAt: null, reason: null });
      for (const request of pending.values()) {
        if (!request.isSent) {
          current.send(request.message);
          request.isSent = true;
        }
      }
    };
    current.onmessage = (event) => receive(event.data);
    current.onerror = () => {
      // A close event always follows; it carries the code.
    };
    current.onclose = (event) => {
      if (socket !== current) return;
      socket = null;
      const reason = event.reason || `connection lost, code ${event.code}`;
      for (const [id, request] of pending) {
        if (!request.isSent) continue;
        pending.delete(id);
        request.reject(new PodpathError('disconnected', `Disconnected from the Podpath backend before it answered: ${reason}.`));
      }
      if (!isDisposed) scheduleReconnect(reason);
    };
  }

  function scheduleReconnect(reason: string): void {
    const delay = backoff(attempt++);
    setStatus({ state: 'closed', retryAt: Date.now() + delay, reason });
    reconnectTimer = setTimer(open, delay);
  }

  function receive(data: unknown): void {
    let message: WireMessage;
    try {
      message = JSON.parse(String(data)) as WireMessage;
    } catch {
      return;
    }
    if (message.type === 'reply') {
      const request = pending.get(message.id);
      if (!request) return;
      pending.delete(message.id);
      try {
        request.resolve(unwrapReply(message.reply));
      } catch (error) {
        request.reject(error as Error);
      }
    } else if (message.type === 'event') {
      for (const listener of [...(eventListeners.get(message.name) ?? [])]) (listener as (payload: unknown) => void)(message.payload);
    }
  }

  function request<K extends RequestName>(name: K, payload: RequestPayload<K>): Promise<Responses[K]> {
    if (isDisposed) return Promise.reject(new PodpathError('disposed', 'The connection to the Podpath backend was closed.'));
    const id = nextId++;
    const message = JSON.stringify({ type: 'request', id, name, payload } satisfies WireMessage);
    return new Promise<Responses[K]>((resolve, reject) => {
      const entry: Pending = { message, isSent: false, resolve: resolve as (value: unknown) => void, reject };
      pending.set(id, entry);
      if (socket && socket.readyState === openState) {
        socket.send(message);
        entry.isSent = true;
      }
    });
  }

  open();

  // One method per request of the contract, as the preload builds its object.
  const requests = Object.fromEntries(requestNames.map((name) => [name, (payload: never) => request(name, payload)])) as unknown as Omit<PodpathApi, 'on'>;

  return {
    ...requests,
    on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void {
      const set = eventListeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      eventListeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
    get status() {
      return status;
    },
    onDidChangeConnection(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    dispose() {
      isDisposed = true;
      if (reconnectTimer !== null) clearTimer(reconnectTimer);
      socket?.close(1000, 'closed by the renderer');
      socket = null;
      for (const [id, request] of pending) {
        pending.delete(id);
        request.reject(new PodpathError('disposed', 'The connection to the Podpath backend was closed.'));
      }
    },
  };
}
