/**
 * The renderer's one way to the backend (design §6): the object the Electron preload exposes
 * through contextBridge when there is one, else browser mode's WebSocket on the page's origin.
 */
import { requestNames, socketPath, type PodpathApi } from '../../shared/ipc.ts';
import type { BackendConnection, ConnectionStatus } from './connection.ts';
import { createSocketClient } from './socket-client.ts';

export type { BackendConnection, ConnectionState, ConnectionStatus } from './connection.ts';

export function socketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${socketPath}`;
}

export function connect(): BackendConnection {
  const bridged = window.podpath;
  if (bridged) return fromPreload(bridged);
  return createSocketClient(socketUrl(window.location));
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
