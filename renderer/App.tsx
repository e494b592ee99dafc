import { useCallback, useMemo, useRef, useState } from 'react';
import { graphElementsOf } from './graph/elements-cache.ts';
import type { GraphAdapter } from './graph/adapter.ts';
import { GraphView } from './graph/GraphView.tsx';
import { ConnectionBanner } from './panels/ConnectionBanner.tsx';
import { ContextPicker } from './panels/ContextPicker.tsx';
import { Details } from './panels/Details.tsx';
import { Header, UnavailableKinds } from './panels/Header.tsx';
import { KindsStatus } from './panels/KindsStatus.tsx';
import { Legend } from './panels/Legend.tsx';
import type { ClusterStore } from './state/cluster.ts';
import { describeTarget, type Opener } from './state/opening.ts';
import { useStore, type Store } from './state/store.ts';
import { select, uiStore } from './state/ui.ts';
import type { BackendConnection, ConnectionStatus } from './transport/connect.ts';

export interface AppProps {
  api: BackendConnection;
  cluster: ClusterStore;
  opener: Opener;
  connection: Store<ConnectionStatus>;
  onGraphReady(adapter: GraphAdapter | null): void;
}

export function App({ api, cluster, opener, connection, onGraphReady }: AppProps) {
  const state = useStore(cluster);
  const status = useStore(connection);
  const selected = useStore(uiStore, (s) => s.selected);
  const failure = useStore(opener, (s) => s.failure);
  const adapter = useRef<GraphAdapter | null>(null);
  const sourceButton = useRef<HTMLButtonElement>(null);
  const [isPickerOpen, setPickerOpen] = useState(false);
  const [needsTidying, setNeedsTidying] = useState(false);
  const view = state.view;
  const topology = view?.topology ?? null;
  const element = useMemo(() => (topology && selected ? (graphElementsOf(topology).byId.get(selected) ?? null) : null), [topology, selected]);
  const isSettled = !(view?.kinds.some((k) => k.state === 'loading') ?? false);

  const onReady = useCallback(
    (a: GraphAdapter | null) => {
      adapter.current = a;
      onGraphReady(a);
    },
    [onGraphReady],
  );
  const closePicker = useCallback(() => {
    setPickerOpen(false);
    sourceButton.current?.focus();
  }, []);

  return (
    <div className="app">
      <Header
        view={view}
        isPickerOpen={isPickerOpen}
        onOpenPicker={() => setPickerOpen((open) => !open)}
        onFit={() => adapter.current?.fit()}
        onRelayout={() => adapter.current?.relayout()}
        needsTidying={needsTidying}
        sourceRef={sourceButton}
      />
      {isPickerOpen && <ContextPicker cluster={cluster} opener={opener} current={view?.source ?? null} onClose={closePicker} />}
      <ConnectionBanner status={status} />
      {failure && !isPickerOpen && (
        <div className="banner banner-error" role="alert" data-testid="open-failed">
          <strong>Could not open {describeTarget(failure.target)}.</strong> The current picture is kept.
          <pre className="banner-message">{failure.message}</pre>
          <button type="button" className="button" onClick={() => setPickerOpen(true)}>
            Choose a context
          </button>{' '}
          <button type="button" className="button" onClick={() => opener.dismissFailure()}>
            Dismiss
          </button>
        </div>
      )}
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
          <GraphView
            topology={topology}
            layoutKey={view ? String(view.sessionId) : ''}
            isSettled={isSettled}
            hasGrowthRoom={view?.source.kind === 'cluster'}
            selected={selected}
            onSelect={select}
            onReady={onReady}
            onNeedsTidying={setNeedsTidying}
          />
          {!view && state.status === 'loading' && <div className="canvas-message">Loading the cluster…</div>}
        </section>
        <aside className="sidebar">
          {topology ? <Details api={api} topology={topology} element={element} /> : <section className="details" data-testid="details" />}
          <Legend topology={topology} />
        </aside>
      </main>
      {view && view.kinds.length > 0 && (
        <footer className="statusbar">
          <KindsStatus kinds={view.kinds} />
        </footer>
      )}
    </div>
  );
}
