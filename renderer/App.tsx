import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { downloadBlob, downloadSnapshot, isFileDrag, readSnapshotFile } from './files.ts';
import { graphElementById } from './graph/element-lookup.ts';
import type { GraphAdapter } from './graph/adapter.ts';
import { GraphView } from './graph/GraphView.tsx';
import { TracePanel } from './panels/TracePanel.tsx';
import type { Grouping } from './graph/element-types.ts';
import { ConnectionBanner } from './panels/ConnectionBanner.tsx';
import { ContextPicker } from './panels/ContextPicker.tsx';
import { Details } from './panels/details/Details.tsx';
import { Header, UnavailableKinds } from './panels/Header.tsx';
import { Help } from './panels/Help.tsx';
import { KindsStatus } from './panels/KindsStatus.tsx';
import { Filters } from './panels/Filters.tsx';
import { problemMarks, Problems } from './panels/Problems.tsx';
import { Search } from './panels/Search.tsx';
import { ContextMenu } from './panels/ContextMenu.tsx';
import { DatapathDialog } from './panels/DatapathDialog.tsx';
import { DatapathActionContext, type DatapathAction } from './panels/datapath-action.ts';
import { KubeletDnsActionContext, useKubeletDnsActionFor } from './panels/kubelet-dns-action.ts';
import { createDatapathReadStore } from './state/datapath.ts';
import { Legend } from './panels/Legend.tsx';
import type { ClusterStore } from './state/cluster.ts';
import type { Topology } from '../shared/model/types.ts';
import { datapathUnavailableReason } from '../shared/ipc.ts';
import { useDiagnosis } from './state/diagnosis.ts';
import { describeTarget, type Opener } from './state/opening.ts';
import { useStore, type Store } from './state/store.ts';
import { closeTrace, editTrace, select, setFilters, uiStore } from './state/ui.ts';
import type { BackendConnection, ConnectionStatus } from './transport/connect.ts';
import { shortcutFor, type ShortcutAction } from './shortcuts.ts';

/** How far one press of `+` or `-` zooms. */
const zoomStep = 1.25;

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
  const traceRequest = useStore(uiStore, (s) => s.trace);
  const filters = useStore(uiStore, (s) => s.filters);
  const marked = useStore(uiStore, (s) => s.marked);
  useEffect(() => {
    if (marked) adapter.current?.markMatches(marked);
    return () => {
      if (marked) adapter.current?.markMatches(null);
    };
  }, [marked]);
  const failure = useStore(opener, (s) => s.failure);
  const adapter = useRef<GraphAdapter | null>(null);
  const sourceButton = useRef<HTMLButtonElement>(null);
  const [isPickerOpen, setPickerOpen] = useState(false);
  const [needsTidying, setNeedsTidying] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const [isDragging, setDragging] = useState(false);
  const [exporting, setExporting] = useState<{ isBusy: boolean; error: string | null }>({ isBusy: false, error: null });
  const [isHelpOpen, setHelpOpen] = useState(false);
  const [showAllEndpoints, setShowAllEndpoints] = useState(false);
  const [filtersRequest, setFiltersRequest] = useState(0);
  /** The graph's menu: for which element, and where. */
  const [menu, setMenu] = useState<{ id: string; at: { x: number; y: number } } | null>(null);
  const openMenu = useCallback((id: string, at: { x: number; y: number }) => setMenu({ id, at }), []);
  const [grouping, setGrouping] = useState<Grouping>(readGrouping);
  useEffect(() => writeGrouping(grouping), [grouping]);
  const exportImageMenu = useRef<HTMLSelectElement>(null);
  const view = state.view;
  const topology = view?.topology ?? null;
  const reads = useMemo(() => createDatapathReadStore(api), [api]);
  useEffect(() => () => reads.dispose(), [reads]);
  const isReading = useStore(reads, (s) => s.phase !== 'idle');
  const source = view?.source ?? null;
  const datapathAction = useMemo<DatapathAction | null>(
    () => (source ? { unavailable: datapathUnavailableReason(source), isBusy: isReading, read: (target) => void reads.start(target) } : null),
    [source, isReading, reads],
  );
  const kubeletDnsAction = useKubeletDnsActionFor(api, view);
  const element = useMemo(() => (topology && selected ? graphElementById(topology, grouping, selected) : null), [topology, selected, grouping]);
  const isSettled = !(view?.kinds.some((k) => k.state === 'loading') ?? false);
  // The doctor's answer for this topology, so it follows live updates; its subjects ringed on the graph.
  const problems = useDiagnosis(topology);
  useEffect(() => adapter.current?.markProblems(problemMarks(problems)), [problems]);

  const onReady = useCallback(
    (a: GraphAdapter | null) => {
      adapter.current = a;
      onGraphReady(a);
    },
    [onGraphReady],
  );
  const isDrawn = useCallback((id: string) => (topology ? graphElementById(topology, grouping, id, filters) !== null : false), [topology, grouping, filters]);
  const chooseFound = useCallback((id: string) => {
    select(id);
    adapter.current?.centerOn(id);
  }, []);
  const closePicker = useCallback(() => {
    setPickerOpen(false);
    sourceButton.current?.focus();
  }, []);

  const openFile = useCallback(
    async (file: File) => {
      let read: { name: string; text: string };
      try {
        read = await readSnapshotFile(file);
      } catch (error) {
        opener.fail({ kind: 'snapshot', name: file.name }, error instanceof Error ? error.message : String(error));
        return;
      }
      if (await opener.open({ kind: 'snapshot', ...read })) setPickerOpen(false);
    },
    [opener],
  );

  const onFileChosen = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    // Cleared, so choosing the same file again still fires a change.
    event.currentTarget.value = '';
    if (file) void openFile(file);
  };

  const exportSnapshot = async () => {
    setExporting({ isBusy: true, error: null });
    try {
      const { fileName, text } = await cluster.exportSnapshot(adapter.current?.positions());
      await downloadSnapshot(fileName, text);
      setExporting({ isBusy: false, error: null });
    } catch (error) {
      setExporting({ isBusy: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  const exportImage = async (format: 'png' | 'svg', scope: 'view' | 'full') => {
    const graph = adapter.current;
    if (!graph || !view) return;
    setExporting({ isBusy: true, error: null });
    try {
      const { image } = await graph.exportImage(format, scope);
      const blob = typeof image === 'string' ? new Blob([image], { type: 'image/svg+xml' }) : image;
      const base = view.source.label.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'podpath';
      downloadBlob(`${base}-${scope === 'full' ? 'graph' : 'view'}.${format}`, blob);
      setExporting({ isBusy: false, error: null });
    } catch (error) {
      setExporting({ isBusy: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  /** Carries out a shortcut (../shortcuts.ts); false when it does nothing now. */
  const runShortcut = (action: ShortcutAction): boolean => {
    // The context picker is modal and has keys of its own (Escape among them).
    if (isPickerOpen) return false;
    if (isHelpOpen) {
      if (action !== 'help' && action !== 'close') return false;
      setHelpOpen(false);
      return true;
    }
    const graph = adapter.current;
    switch (action) {
      case 'search':
        // The search box listens for its own keys.
        return false;
      case 'fit':
      case 'resetZoom':
        graph?.fit();
        return graph !== null;
      case 'zoomIn':
      case 'zoomOut':
        graph?.zoomBy(action === 'zoomIn' ? zoomStep : 1 / zoomStep);
        return graph !== null;
      case 'relayout':
        graph?.relayout();
        return graph !== null;
      case 'grouping':
        setGrouping((g) => (g === 'node' ? 'namespace' : 'node'));
        return true;
      case 'trace':
        if (traceRequest) closeTrace();
        else editTrace({});
        return true;
      case 'exportImage': {
        const menu = exportImageMenu.current;
        if (!menu || menu.disabled) return false;
        menu.focus();
        try {
          menu.showPicker();
        } catch {
          // Not every browser opens a select's list from script: it has the focus, ↓ opens it.
        }
        return true;
      }
      case 'exportSnapshot':
        if (!view || exporting.isBusy) return false;
        void exportSnapshot();
        return true;
      case 'openSnapshot':
        fileInput.current?.click();
        return true;
      case 'contexts':
        setPickerOpen(true);
        return true;
      case 'contextMenu': {
        const at = selected ? graph?.renderedCenter(selected) : null;
        if (!selected || !at) return false;
        openMenu(selected, at);
        return true;
      }
      case 'filters':
        setFiltersRequest((n) => n + 1);
        return true;
      case 'help':
        setHelpOpen(true);
        return true;
      case 'close':
        // Open panels and lists close themselves on Escape.
        return false;
    }
  };
  const shortcutRunner = useRef(runShortcut);
  shortcutRunner.current = runShortcut;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const action = shortcutFor(event);
      if (action && shortcutRunner.current(action)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // A file dropped anywhere on the window opens as a snapshot. dragenter/dragleave fire for
  // every child the pointer crosses, so the overlay counts them rather than toggling.
  useEffect(() => {
    let depth = 0;
    const onEnter = (event: DragEvent) => {
      if (!isFileDrag(event)) return;
      event.preventDefault();
      depth++;
      setDragging(true);
    };
    const onLeave = (event: DragEvent) => {
      if (!isFileDrag(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (event: DragEvent) => {
      if (!isFileDrag(event)) return;
      // Without this the browser (or Electron) would navigate to the dropped file.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onDrop = (event: DragEvent) => {
      if (!isFileDrag(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      const file = event.dataTransfer?.files[0];
      if (file) void openFile(file);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [openFile]);

  return (
    <div className="app">
      <Header
        view={view}
        isPickerOpen={isPickerOpen}
        onOpenPicker={() => setPickerOpen((open) => !open)}
        onFit={() => adapter.current?.fit()}
        onRelayout={() => adapter.current?.relayout()}
        grouping={grouping}
        onGrouping={setGrouping}
        needsTidying={needsTidying}
        sourceRef={sourceButton}
        onOpenSnapshot={() => fileInput.current?.click()}
        onExportSnapshot={() => void exportSnapshot()}
        isExporting={exporting.isBusy}
        onExportImage={(format, scope) => void exportImage(format, scope)}
        exportImageRef={exportImageMenu}
        onHelp={() => setHelpOpen(true)}
        isHelpOpen={isHelpOpen}
        search={<Search topology={topology} isDrawn={isDrawn} onChoose={chooseFound} onHighlight={(ids) => adapter.current?.markMatches(ids)} />}
        filters={<Filters topology={topology} filters={filters} onChange={setFilters} openRequest={filtersRequest} />}
        problems={<Problems problems={problems} onChoose={chooseFound} />}
      />
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="open-snapshot-input"
        aria-label="Open a Podpath snapshot file"
        onChange={onFileChosen}
      />
      {isDragging && (
        <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          <div className="drop-overlay-message">Drop a Podpath snapshot to open it</div>
        </div>
      )}
      {exporting.error && (
        <div className="banner banner-error" role="alert" data-testid="export-failed">
          <strong>Could not export.</strong>
          <pre className="banner-message">{exporting.error}</pre>
          <button type="button" className="button" onClick={() => setExporting({ isBusy: false, error: null })}>
            Dismiss
          </button>
        </div>
      )}
      {isHelpOpen && <Help onClose={() => setHelpOpen(false)} />}
      {menu && topology && (
        <ContextMenu
          topology={topology}
          id={menu.id}
          element={graphElementById(topology, grouping, menu.id, filters)}
          at={menu.at}
          datapath={datapathAction}
          onClose={() => setMenu(null)}
        />
      )}
      <DatapathDialog reads={reads} />
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
            filters={filters}
            layoutKey={view ? String(view.sessionId) : ''}
            grouping={grouping}
            isSettled={isSettled}
            hasGrowthRoom={view?.source.kind === 'cluster'}
            savedLayout={view?.layout ?? null}
            selected={selected}
            onSelect={select}
            onReady={onReady}
            onNeedsTidying={setNeedsTidying}
            onContextMenu={openMenu}
          />
          {!view && state.status === 'loading' && <div className="canvas-message">Loading the cluster…</div>}
          {topology && isSettled && isEmptyPicture(topology) && (
            <div className="canvas-message" role="status" data-testid="empty-view">
              <p>
                Nothing to draw: no nodes, pods, Services or Ingresses are visible here.
                {topology.cluster.unavailableKinds.length > 0 && (
                  <>
                    <br />
                    Not readable: {topology.cluster.unavailableKinds.map((k) => k.kind).join(', ')} (the status bar says why).
                  </>
                )}
              </p>
            </div>
          )}
          <Legend
            topology={topology}
            showAllEndpoints={showAllEndpoints}
            isTracing={traceRequest !== null}
            onShowAllEndpoints={(isShown) => {
              setShowAllEndpoints(isShown);
              adapter.current?.setShowAllEndpoints(isShown);
            }}
          />
        </section>
        <aside className="sidebar">
          {topology && traceRequest && <TracePanel topology={topology} request={traceRequest} graph={() => adapter.current} />}
          {topology ? (
            <DatapathActionContext.Provider value={datapathAction}>
              <KubeletDnsActionContext.Provider value={kubeletDnsAction}>
                <Details api={api} topology={topology} element={element} selected={selected} />
              </KubeletDnsActionContext.Provider>
            </DatapathActionContext.Provider>
          ) : (
            <section className="details" data-testid="details" />
          )}
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

/** A picture with nothing to draw: an RBAC-limited user's empty namespaces, an empty cluster. */
function isEmptyPicture(topology: Topology): boolean {
  return [topology.hosts, topology.pods, topology.services, topology.ingresses].every((records) => Object.keys(records).length === 0);
}

const groupingKey = 'podpath.grouping';

/** The grouping chosen last time (a view preference, kept in this browser's storage). */
function readGrouping(): Grouping {
  try {
    return localStorage.getItem(groupingKey) === 'namespace' ? 'namespace' : 'node';
  } catch {
    return 'node';
  }
}

function writeGrouping(grouping: Grouping): void {
  try {
    localStorage.setItem(groupingKey, grouping);
  } catch {
    // Storage refused (private mode): the choice lasts for this window only.
  }
}
