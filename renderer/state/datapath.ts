/**
 * A datapath read as the user goes through it (issue 13): asked for (the backend plans it and
 * checks access), the consent to create debug pods when one is needed, the read with its
 * progress, then the report — or why it could not be done. The readings themselves reach the
 * picture as any change does: a topology delta from the live session.
 */
import type { DatapathConsent, NodeReadReport, PodpathApi } from '../../shared/ipc.ts';
import { createStore, type Store } from './store.ts';

export type ReadTarget = 'all' | string[];

export type DatapathReadState =
  | { phase: 'idle' }
  /** Waiting for the backend: before the consent (the access check), or reading. */
  | { phase: 'reading'; target: ReadTarget; isConfirmed: boolean; lines: string[]; done: NodeReadReport[]; isCancelling: boolean }
  | { phase: 'consent'; target: ReadTarget; consent: DatapathConsent }
  | { phase: 'report'; target: ReadTarget; nodes: NodeReadReport[]; cancelled: boolean }
  /** Nothing was read: a snapshot, a refusal (RBAC, no Nodes), or the request failed. */
  | { phase: 'refused'; target: ReadTarget; title: string; reason: string };

export interface DatapathReadStore extends Store<DatapathReadState> {
  /** Asks to read `target`, unconfirmed: the backend answers with the consent when a debug pod is needed. */
  start(target: ReadTarget): Promise<void>;
  /** The user agreed to the consent: read, creating the debug pods. */
  confirm(): Promise<void>;
  /** Closes the consent, or stops the read under way (its debug pods are deleted). */
  cancel(): void;
  /** Closes the report or refusal. */
  dismiss(): void;
  dispose(): void;
}

type Api = Pick<PodpathApi, 'readDatapath' | 'cancelDatapathRead' | 'on'>;

export function createDatapathReadStore(api: Api): DatapathReadStore {
  const store = createStore<DatapathReadState>({ phase: 'idle' });
  /** Bumped by every request, so an answer to one the user walked away from is dropped. */
  let generation = 0;

  async function request(target: ReadTarget, isConfirmed: boolean): Promise<void> {
    const mine = ++generation;
    store.set({ phase: 'reading', target, isConfirmed, lines: [], done: [], isCancelling: false });
    try {
      const answer = await api.readDatapath({ nodes: target, ...(isConfirmed ? { isConfirmed } : {}) });
      if (mine !== generation) return;
      switch (answer.status) {
        case 'needs-consent':
          return store.set({ phase: 'consent', target, consent: answer.consent });
        case 'done':
          return store.set({ phase: 'report', target, nodes: answer.nodes, cancelled: answer.cancelled });
        case 'unavailable':
          return store.set({ phase: 'refused', target, title: 'Not available here', reason: answer.reason });
        case 'refused':
          return store.set({ phase: 'refused', target, title: 'Nothing was read', reason: answer.reason });
      }
    } catch (error) {
      if (mine !== generation) return;
      store.set({ phase: 'refused', target, title: 'The read failed', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  const unsubscribe = api.on('didProgressDatapath', ({ line, done }) => {
    store.set((state) => {
      if (state.phase !== 'reading') return state;
      return { ...state, lines: [...state.lines, line], done: done ? [...state.done, done] : state.done };
    });
  });

  return {
    ...store,
    start: (target) => request(target, false),
    confirm() {
      const state = store.get();
      if (state.phase !== 'consent') return Promise.resolve();
      return request(state.target, true);
    },
    cancel() {
      const state = store.get();
      if (state.phase === 'consent') {
        generation++;
        store.set({ phase: 'idle' });
      } else if (state.phase === 'reading' && !state.isConfirmed) {
        // The plan and the access check, or nodes read without creating anything (kind's
        // containers): stopped, and whatever it answers is not shown.
        generation++;
        store.set({ phase: 'idle' });
        void api.cancelDatapathRead({});
      } else if (state.phase === 'reading' && !state.isCancelling) {
        store.set({ ...state, isCancelling: true });
        void api.cancelDatapathRead({});
      }
    },
    dismiss() {
      const state = store.get();
      if (state.phase === 'report' || state.phase === 'refused') store.set({ phase: 'idle' });
    },
    dispose: unsubscribe,
  };
}
