/**
 * The store of cluster data (design §6): the ViewState from the backend, kept current by
 * topology deltas. A delta that does not follow the last sequence number means one was missed,
 * so the whole state is fetched again.
 */
import type { PodpathApi, ViewState } from '../../shared/ipc.ts';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import { applyDelta } from './apply-delta.ts';
import { createStore, type Store } from './store.ts';

export type ClusterState =
  | { status: 'loading'; view: ViewState | null; error: null }
  | { status: 'ready'; view: ViewState; error: null }
  | { status: 'error'; view: ViewState | null; error: string };

export interface ClusterStore extends Store<ClusterState> {
  /** Fetches the full state; the latest call wins. */
  reload(): Promise<void>;
  dispose(): void;
}

export function createClusterStore(api: PodpathApi): ClusterStore {
  const store = createStore<ClusterState>({ status: 'loading', view: null, error: null });
  let generation = 0;

  async function reload(): Promise<void> {
    const mine = ++generation;
    store.set((s) => ({ status: 'loading', view: s.view, error: null }));
    try {
      const view = await api.getState({});
      if (mine === generation) store.set({ status: 'ready', view, error: null });
    } catch (error) {
      if (mine === generation) store.set((s) => ({ status: 'error', view: s.view, error: error instanceof Error ? error.message : String(error) }));
    }
  }

  function onDelta(delta: TopologyDelta): void {
    const state = store.get();
    if (state.status !== 'ready') return;
    const { view } = state;
    if (delta.seq <= view.seq) return;
    if (delta.seq !== view.seq + 1) {
      void reload();
      return;
    }
    store.set({ status: 'ready', view: { ...view, seq: delta.seq, topology: applyDelta(view.topology, delta) }, error: null });
  }

  const unsubscribe = api.on('didChangeTopology', onDelta);
  return { ...store, reload, dispose: unsubscribe };
}
