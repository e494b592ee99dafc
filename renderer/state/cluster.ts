/**
 * The store of cluster data (design §6): the ViewState of the open session, kept current by its
 * events. A session's deltas are numbered 1, 2, 3, … after the `seq` of the state they follow;
 * one that does not follow the last applied number means one was missed, and a delta from a
 * session newer than ours means the backend moved on — both make the store fetch the whole
 * state again. So does a reconnect of the link, since events sent meanwhile are lost.
 */
import type { ContextList, Events, PodpathApi, RequestPayload, SnapshotExport, ViewState } from '../../shared/ipc.ts';
import type { ConnectionStatus } from '../transport/connection.ts';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import type { Topology } from '../../shared/model/types.ts';
import { applyDelta, mergeDeltas } from '../../shared/topology/diff.ts';
import { createStore, type Store } from './store.ts';

export type ClusterState =
  | { status: 'loading'; view: ViewState | null; error: null }
  | { status: 'ready'; view: ViewState; error: null }
  | { status: 'error'; view: ViewState | null; error: string };

/** The part of the backend connection the store uses; `onDidChangeConnection` only exists in browser mode. */
export type ClusterApi = PodpathApi & {
  onDidChangeConnection?(listener: (status: ConnectionStatus) => void): () => void;
};

export interface ClusterStore extends Store<ClusterState> {
  /** Fetches the full state (a resync); the latest fetch or open wins. */
  reload(): Promise<void>;
  /** Opens a live context; on success its state replaces the whole view. A failure rejects with
   * the backend's message and leaves the current view as it was. */
  openContext(payload: RequestPayload<'openContext'>): Promise<void>;
  /** Opens the bundled demo, like `openContext`. */
  openDemo(): Promise<void>;
  /** Opens a snapshot file's text, like `openContext`; a file that does not parse rejects with
   * the backend's message naming the problem. */
  openSnapshot(payload: RequestPayload<'openSnapshot'>): Promise<void>;
  /** The current source as a snapshot file's name and text, with the drawing's positions. */
  exportSnapshot(layout?: Record<string, { x: number; y: number }>): Promise<SnapshotExport>;
  listContexts(): Promise<ContextList>;
  dispose(): void;
}

type Delta = Events['didChangeTopology'];

/** The topology each delta was applied to, keyed by the topology it made. */
const madeFrom = new WeakMap<Topology, { previous: Topology; delta: TopologyDelta }>();

/** `applyDelta`, remembering which topology and delta made the result (see deltasBetween). */
export function applyTopologyDelta(previous: Topology, delta: TopologyDelta): Topology {
  const topology = applyDelta(previous, delta);
  madeFrom.set(topology, { previous, delta });
  return topology;
}

/**
 * The deltas that lead from `from` to `to`, oldest first, when `to` was made from `from` by
 * applying them here (design §6: the graph follows deltas instead of redrawing the world); null
 * when it was not (a resync, another session) or the chain is longer than `limit`.
 */
export function deltasBetween(from: Topology, to: Topology, limit = 64): { topology: Topology; delta: TopologyDelta }[] | null {
  const steps: { topology: Topology; delta: TopologyDelta }[] = [];
  for (let current = to; current !== from; ) {
    const step = madeFrom.get(current);
    if (!step || steps.length >= limit) return null;
    steps.push({ topology: current, delta: step.delta });
    current = step.previous;
  }
  return steps.reverse();
}

export interface ClusterStoreOptions {
  /**
   * Runs `show` when the topology that deltas made is to be handed to the view. Deltas that
   * arrive before it runs are shown together: one store update, one render, one draw for all of
   * them (issue 14: a busy page catches up instead of drawing every delta in turn). The page
   * passes the next animation frame; by default a delta is shown at once.
   */
  scheduleShow?: (show: () => void) => void;
}

export function createClusterStore(api: ClusterApi, options: ClusterStoreOptions = {}): ClusterStore {
  const store = createStore<ClusterState>({ status: 'loading', view: null, error: null });
  const scheduleShow = options.scheduleShow ?? ((show: () => void) => show());
  /** Bumped by every fetch of a whole state (resync or open); only the latest one's answer counts. */
  let generation = 0;
  /** The generation whose whole state is on its way, if any. */
  let awaited: number | null = null;
  /** Deltas that arrived while a whole state was on its way; applied after it if they follow it. */
  let held: Delta[] = [];
  /** The newest session the backend announced (didOpenSource). */
  let announced = 0;

  /**
   * The view the latest deltas made, not yet in the store (scheduleShow), if any. Its topology
   * is the one before `unapplied`: deltas that arrive together are applied together when shown,
   * as one (mergeDeltas), so a page that fell behind copies each collection once (issue 14).
   */
  let unshown: ViewState | null = null;
  let unapplied: TopologyDelta[] = [];
  /** Whether a delta made it (the view is then ready), or only new kinds (the status stays). */
  let isUnshownDelta = false;
  let isShowScheduled = false;

  const currentView = (): ViewState | null => unshown ?? store.get().view;

  /** Puts the deltas' view in the store now; whatever else changes the store does this first. */
  function show(): void {
    const view = unshown && unapplied.length > 0 ? { ...unshown, topology: applyTopologyDelta(unshown.topology, mergeDeltas(unapplied)) } : unshown;
    unshown = null;
    unapplied = [];
    if (view && isUnshownDelta) store.set({ status: 'ready', view, error: null });
    else if (view) store.set((s) => ({ ...s, view }) as ClusterState);
    isUnshownDelta = false;
  }

  function flushHeld(): void {
    const waiting = held.sort((a, b) => a.seq - b.seq);
    held = [];
    for (const delta of waiting) onDelta(delta);
  }

  async function fetchWhole(request: () => Promise<ViewState>, isOpen: boolean): Promise<void> {
    const mine = ++generation;
    const overtaken = awaited;
    awaited = mine;
    let view: ViewState;
    try {
      view = await request();
    } catch (error) {
      if (mine !== generation) return;
      awaited = null;
      show();
      const message = error instanceof Error ? error.message : String(error);
      if (isOpen) {
        // The old session is still on screen and still current: catch up with what it sent
        // meanwhile, and redo a resync this open overtook.
        if (overtaken !== null) {
          held = [];
          void reload();
        } else {
          flushHeld();
        }
        throw error instanceof Error ? error : new Error(message);
      }
      held = [];
      store.set((s) => ({ status: 'error', view: s.view, error: message }));
      return;
    }
    if (mine !== generation) return;
    awaited = null;
    // The whole state replaces whatever deltas made.
    unshown = null;
    unapplied = [];
    store.set({ status: 'ready', view, error: null });
    flushHeld();
    // Another source was opened while this state was on its way (the desktop menu, another tab).
    if (announced > view.sessionId) void reload();
  }

  function reload(): Promise<void> {
    show();
    store.set((s) => (s.status === 'loading' ? s : { status: 'loading', view: s.view, error: null }));
    return fetchWhole(() => api.getState({}), false);
  }

  function onDelta(delta: Delta): void {
    const view = currentView();
    if (awaited !== null || !view) {
      // A whole state is on its way: whether this delta follows it is decided when it lands.
      if (!view || delta.sessionId >= view.sessionId) held.push(delta);
      return;
    }
    if (delta.sessionId < view.sessionId || (delta.sessionId === view.sessionId && delta.seq <= view.seq)) return;
    if (delta.sessionId > view.sessionId || delta.seq !== view.seq + 1) {
      void reload();
      return;
    }
    unapplied.push(delta);
    showSoon({ ...view, seq: delta.seq }, true);
  }

  function showSoon(view: ViewState, isDelta: boolean): void {
    unshown = view;
    isUnshownDelta ||= isDelta;
    if (isShowScheduled) return;
    isShowScheduled = true;
    scheduleShow(() => {
      isShowScheduled = false;
      show();
    });
  }

  function onOpenSource({ sessionId }: Events['didOpenSource']): void {
    announced = Math.max(announced, sessionId);
    const view = currentView();
    // A whole state on its way is checked against `announced` when it lands.
    if (awaited !== null) return;
    if (!view || sessionId > view.sessionId) void reload();
  }

  function onKinds({ sessionId, kinds }: Events['didChangeKinds']): void {
    const view = currentView();
    // Kinds carry no sequence number: while a whole state is on its way they may be older than
    // it, so they are dropped; the state brings its own.
    if (!view || awaited !== null || sessionId < view.sessionId) return;
    if (sessionId > view.sessionId) {
      void reload();
      return;
    }
    showSoon({ ...view, kinds }, false);
  }

  let wasClosed = false;
  const unsubscribers = [
    api.on('didChangeTopology', onDelta),
    api.on('didChangeKinds', onKinds),
    api.on('didOpenSource', onOpenSource),
    api.onDidChangeConnection?.((status) => {
      if (status.state === 'closed') wasClosed = true;
      // The backend may have moved on while we were away: start again from its whole state.
      if (status.state === 'open' && wasClosed) {
        wasClosed = false;
        void reload();
      }
    }),
  ];

  return {
    ...store,
    reload,
    openContext: (payload) => fetchWhole(() => api.openContext(payload), true),
    openDemo: () => fetchWhole(() => api.openDemo({}), true),
    openSnapshot: (payload) => fetchWhole(() => api.openSnapshot(payload), true),
    exportSnapshot: (layout) => api.exportSnapshot(layout ? { layout } : {}),
    listContexts: () => api.listContexts({}),
    dispose() {
      for (const unsubscribe of unsubscribers) unsubscribe?.();
    },
  };
}
