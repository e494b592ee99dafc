/**
 * Opening another source (a context, the demo, a snapshot file) from the context picker, the
 * header or a dropped file. Kept outside the picker so that an open still running when the
 * picker is closed can still report how it ended.
 */
import type { ClusterStore } from './cluster.ts';
import { createStore, type Store } from './store.ts';

export type OpenTarget = { kind: 'context'; context: string; namespaces: string[] } | { kind: 'demo' } | { kind: 'snapshot'; name: string };

/** What to open: a target, and for a snapshot the file's text (kept out of the state). */
export type OpenRequest = Exclude<OpenTarget, { kind: 'snapshot' }> | { kind: 'snapshot'; name: string; text: string };

export interface OpeningState {
  /** What is being opened right now. */
  busy: OpenTarget | null;
  /** The last open that failed, with the backend's message as it was given. */
  failure: { target: OpenTarget; message: string } | null;
}

export interface Opener extends Store<OpeningState> {
  /** Opens the target; resolves true when it is on screen, false when it failed (see `failure`). */
  open(request: OpenRequest): Promise<boolean>;
  /** Records a failure that happened before anything reached the backend (e.g. an unreadable file). */
  fail(target: OpenTarget, message: string): void;
  dismissFailure(): void;
}

export function describeTarget(target: OpenTarget): string {
  switch (target.kind) {
    case 'demo':
      return 'the demo cluster';
    case 'snapshot':
      return target.name;
    case 'context':
      return `context ${target.context}`;
  }
}

export function createOpener(cluster: Pick<ClusterStore, 'openContext' | 'openDemo' | 'openSnapshot'>): Opener {
  const store = createStore<OpeningState>({ busy: null, failure: null });
  let latest = 0;
  return {
    ...store,
    async open(request) {
      const mine = ++latest;
      const target: OpenTarget = request.kind === 'snapshot' ? { kind: 'snapshot', name: request.name } : request;
      store.set({ busy: target, failure: null });
      try {
        if (request.kind === 'demo') await cluster.openDemo();
        else if (request.kind === 'snapshot') await cluster.openSnapshot({ name: request.name, text: request.text });
        else await cluster.openContext(request.namespaces.length > 0 ? { context: request.context, namespaces: request.namespaces } : { context: request.context });
        if (mine === latest) store.set({ busy: null, failure: null });
        return true;
      } catch (error) {
        if (mine === latest) store.set({ busy: null, failure: { target, message: error instanceof Error ? error.message : String(error) } });
        return false;
      }
    },
    fail(target, message) {
      ++latest;
      store.set({ busy: null, failure: { target, message } });
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
