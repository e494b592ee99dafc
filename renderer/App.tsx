import { useCallback, useMemo, useRef } from 'react';
import { graphElementsOf } from './graph/elements-cache.ts';
import type { GraphAdapter } from './graph/adapter.ts';
import { GraphView } from './graph/GraphView.tsx';
import { ConnectionBanner } from './panels/ConnectionBanner.tsx';
import { Details } from './panels/Details.tsx';
import { Header, UnavailableKinds } from './panels/Header.tsx';
import { Legend } from './panels/Legend.tsx';
import type { ClusterStore } from './state/cluster.ts';
import { useStore, type Store } from './state/store.ts';
import { select, uiStore } from './state/ui.ts';
import type { BackendConnection, ConnectionStatus } from './transport/connect.ts';

export interface AppProps {
  api: BackendConnection;
  cluster: ClusterStore;
  connection: Store<ConnectionStatus>;
  onGraphReady(adapter: GraphAdapter | null): void;
}

export function App({ api, cluster, connection, onGraphReady }: AppProps) {
  const state = useStore(cluster);
  const status = useStore(connection);
  const selected = useStore(uiStore, (s) => s.selected);
  const adapter = useRef<GraphAdapter | null>(null);
  const view = state.view;
  const topology = view?.topology ?? null;
  const element = useMemo(() => (topology && selected ? (graphElementsOf(topology).byId.get(selected) ?? null) : null), [topology, selected]);

  const onReady = useCallback(
    (a: GraphAdapter | null) => {
      adapter.current = a;
      onGraphReady(a);
    },
    [onGraphReady],
  );

  return (
    <div className="app">
      <Header view={view} onFit={() => adapter.current?.fit()} />
      <ConnectionBanner status={status} />
      <UnavailableKinds view={view} />
      {state.status === 'error' && (
        <div className="banner banner-error" role="alert">
          Could not load the cluster: {state.error}{' '}
          <button type="button" className="button" onClick={() => void cluster.reload()}>
            Retry
          </button>
        </div>
      )}
      <main className="main">
        <section className="canvas">
          <GraphView topology={topology} selected={selected} onSelect={select} onReady={onReady} />
          {!view && state.status === 'loading' && <div className="canvas-message">Loading the cluster…</div>}
        </section>
        <aside className="sidebar">
          {topology ? <Details api={api} topology={topology} element={element} /> : <section className="details" data-testid="details" />}
          <Legend topology={topology} />
        </aside>
      </main>
    </div>
  );
}
