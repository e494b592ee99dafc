/**
 * The renderer's one way to the backend (design §6): the object the Electron preload exposes
 * through contextBridge when there is one, else browser mode's WebSocket on the page's origin,
 * its handshake carrying the token (token.ts).
 */
import { requestNames, socketPath, socketProtocols, type PodpathApi } from '../../shared/ipc.ts';
import type { BackendConnection, ConnectionStatus } from './connection.ts';
import { createSocketClient } from './socket-client.ts';
import { sessionStorageOrNull, takeToken } from './token.ts';

export type { BackendConnection, ConnectionState, ConnectionStatus } from './connection.ts';

export function socketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${socketPath}`;
}

export function connect(): BackendConnection {
  const bridged = window.podpath;
  if (bridged) return fromPreload(bridged);
  // Without a token the server closes the socket saying why, and the banner shows it.
  const token = takeToken({ location: window.location, history: window.history, storage: sessionStorageOrNull() });
  return createSocketClient(socketUrl(window.location), { protocols: socketProtocols(token) });
}

/** IPC to the main process cannot drop while the window lives, so the link is always open. */
function fromPreload(api: PodpathApi): BackendConnection {
  const status: ConnectionStatus = { state: 'open', retryAt: null, reason: null };
  // The preload built its object from the same `requestNames`, so every request is there.
  const requests = Object.fromEntries(
    requestNames.map((name) => [name, (payload: never) => (api[name] as (p: never) => Promise<unknown>)(payload)]),
  ) as unknown as Omit<PodpathApi, 'on'>;
  return {
    ...requests,
    on: (event, listener) => api.on(event, listener),
    status,
    onDidChangeConnection: () => () => {},
    dispose: () => {},
  };
}
