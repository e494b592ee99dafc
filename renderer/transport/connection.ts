import type { PodpathApi } from '../../shared/ipc.ts';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** When closed: the time (ms since epoch) of the next reconnect attempt. */
  retryAt: number | null;
  /** Why the last connection closed or failed, if it did. */
  reason: string | null;
}

/** PodpathApi plus the state of the link to the backend, for the "disconnected" banner. */
export interface BackendConnection extends PodpathApi {
  readonly status: ConnectionStatus;
  onDidChangeConnection(listener: (status: ConnectionStatus) => void): () => void;
  dispose(): void;
}
