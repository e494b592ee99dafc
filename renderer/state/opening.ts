/**
 * Opening another source (a context, the demo) from the context picker. Kept outside the picker
 * so that an open still running when the picker is closed can still report how it ended.
 */
import type { ClusterStore } from './cluster.ts';
import { createStore, type Store } from './store.ts';

export type OpenTarget = { kind: 'context'; context: string; namespaces: string[] } | { kind: 'demo' };

export interface OpeningState {
  /** What is being opened right now. */
  busy: OpenTarget | null;
  /** The last open that failed, with the backend's message as it was given. */
  failure: { target: OpenTarget; message: string } | null;
}

export interface Opener extends Store<OpeningState> {
  /** Opens the target; resolves true when it is on screen, false when it failed (see `failure`). */
  open(target: OpenTarget): Promise<boolean>;
  dismissFailure(): void;
}

export function describeTarget(target: OpenTarget): string {
  return target.kind === 'demo' ? 'the demo cluster' : `context ${target.context}`;
}

export function createOpener(cluster: Pick<ClusterStore, 'openContext' | 'openDemo'>): Opener {
  const store = createStore<OpeningState>({ busy: null, failure: null });
  let latest = 0;
  return {
    ...store,
    async open(target) {
      const mine = ++latest;
      store.set({ busy: target, failure: null });
      try {
        if (target.kind === 'demo') await cluster.openDemo();
        else await cluster.openContext(target.namespaces.length > 0 ? { context: target.context, namespaces: target.namespaces } : { context: target.context });
        if (mine === latest) store.set({ busy: null, failure: null });
        return true;
      } catch (error) {
        if (mine === latest) store.set({ busy: null, failure: { target, message: error instanceof Error ? error.message : String(error) } });
        return false;
      }
    },
    dismissFailure() {
      store.set((s) => (s.failure ? { ...s, failure: null } : s));
    },
  };
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The "extra namespaces" field: comma- or space-separated names, trimmed and de-duplicated.
 * Invalid names are returned separately so the picker can say which.
 */
export function parseNamespaces(text: string): { namespaces: string[]; invalid: string[] } {
  const names = [...new Set(text.split(/[\s,]+/).filter((n) => n.length > 0))];
  return { namespaces: names.filter((n) => namespacePattern.test(n)), invalid: names.filter((n) => !namespacePattern.test(n)) };
}
