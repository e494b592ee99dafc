import { describe, expect, test } from 'vitest';
import type { Events, PodpathApi, ViewState } from '../../shared/ipc.ts';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import { sampleTopology } from '../graph/testing/sample-topology.ts';
import { createClusterStore } from './cluster.ts';

function fakeApi(states: ViewState[]) {
  let emit: ((delta: TopologyDelta) => void) | null = null;
  let calls = 0;
  const api: PodpathApi = {
    getState: async () => states[Math.min(calls++, states.length - 1)]!,
    getObject: async () => null,
    on: <K extends keyof Events>(_event: K, listener: (payload: Events[K]) => void) => {
      emit = listener as (delta: TopologyDelta) => void;
      return () => (emit = null);
    },
  };
  return { api, emit: (delta: TopologyDelta) => emit?.(delta), calls: () => calls };
}

const source = { kind: 'demo', label: 'Demo cluster', note: null } as const;

describe('the cluster store', () => {
  test('applies deltas in sequence, ignores old ones, and refetches on a gap', async () => {
    const first: ViewState = { seq: 5, source, topology: sampleTopology() };
    const refetched: ViewState = { seq: 9, source, topology: sampleTopology({ nodes: 3 }) };
    const fake = fakeApi([first, refetched]);
    const store = createClusterStore(fake.api);
    await store.reload();
    expect(store.get()).toMatchObject({ status: 'ready', view: first });

    fake.emit({ seq: 6, added: [], updated: [], removed: ['svc:shop/db'] });
    expect(store.get().view?.seq).toBe(6);
    expect(store.get().view?.topology.services['svc:shop/db']).toBeUndefined();

    fake.emit({ seq: 6, added: [], updated: [], removed: ['svc:shop/backend'] });
    expect(store.get().view?.topology.services['svc:shop/backend']).toBeDefined();

    fake.emit({ seq: 8, added: [], updated: [], removed: [] });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.calls()).toBe(2);
    expect(store.get().view).toBe(refetched);
  });

  test('a failed load keeps the message', async () => {
    const api: PodpathApi = { getState: async () => Promise.reject(new Error('backend exploded')), getObject: async () => null, on: () => () => {} };
    const store = createClusterStore(api);
    await store.reload();
    expect(store.get()).toMatchObject({ status: 'error', error: 'backend exploded' });
  });
});
