import type { Grouping } from '../graph/element-types.ts';
import { useMemo, type ReactNode, type Ref } from 'react';
import { cniText as describeCniText, confidenceText } from '../../shared/describe/format.ts';
import { describeCluster } from '../../shared/describe/records.ts';
import type { KindStatus, SourceInfo, ViewState } from '../../shared/ipc.ts';
import type { ObjectKind } from '../../shared/kube/objects.ts';
import type { Confidence } from '../../shared/model/cluster.ts';
import { LoadingProgress } from './KindsStatus.tsx';
import { ThemeSwitch } from './ThemeSwitch.tsx';

const sourceKind: Record<SourceInfo['kind'], string> = { demo: 'demo', snapshot: 'snapshot', cluster: 'live' };

function ConfidenceBadge({ confidence }: { confidence: Confidence }) {
  return <span className={`badge confidence-${confidence}`}>{confidenceText(confidence)}</span>;
}

function evidenceTooltip(title: string, evidence: readonly string[]): string {
  return evidence.length > 0 ? `${title}, detected from:\n${evidence.map((e) => `• ${e}`).join('\n')}` : `${title}: no evidence found`;
}

/** `https://10.0.0.1:6443` → `10.0.0.1:6443`; anything unparsable is shown as it is. */
export function serverHost(server: string | null): string | null {
  if (!server) return null;
  try {
    return new URL(server).host || server;
  } catch {
    return server;
  }
}

/** "12 pods", or what stands in for the number when it is not known. */
export function countText(count: number, noun: string, status: KindStatus | undefined): string {
  if (status?.state === 'forbidden') return `${noun} forbidden`;
  if (status?.state === 'failed') return `${noun} failed`;
  if (status?.state === 'unavailable') return `${noun} unavailable`;
  if (status?.state === 'loading') return `${count}… ${noun}`;
  return `${count} ${noun}`;
}

export interface HeaderProps {
  view: ViewState | null;
  isPickerOpen: boolean;
  onOpenPicker(): void;
  onFit(): void;
  onRelayout(): void;
  /** By node (the default) or by namespace, and the switch between them. */
  grouping?: Grouping;
  onGrouping?(grouping: Grouping): void;
  /** New elements had to be placed overlapping others; a fresh layout would tidy them. */
  needsTidying: boolean;
  /** The source button, which opens the context picker and gets the focus back when it closes. */
  sourceRef?: Ref<HTMLButtonElement>;
  /** Opens a snapshot file (the file chooser). */
  onOpenSnapshot(): void;
  /** Saves the current picture as a snapshot file. */
  onExportSnapshot(): void;
  isExporting: boolean;
  /** Saves an image of the view or of the whole graph, legend included. */
  onExportImage?(format: 'png' | 'svg', scope: 'view' | 'full'): void;
  /** The search box, placed after the source. */
  search?: ReactNode;
  /** The Filters button and its panel, placed after the search box. */
  filters?: ReactNode;
  /** The Problems button (counts by severity) and its panel, placed after the Filters. */
  problems?: ReactNode;
  /** The "Export image…" menu, for the `e` shortcut to open. */
  exportImageRef?: Ref<HTMLSelectElement>;
  /** Opens the keyboard shortcuts overlay (the "?" button). */
  onHelp?(): void;
  isHelpOpen?: boolean;
}

export function Header({ view, isPickerOpen, onOpenPicker, onFit, onRelayout, grouping = 'node', onGrouping, needsTidying, sourceRef, onOpenSnapshot, onExportSnapshot, isExporting, onExportImage, search, filters, problems, exportImageRef, onHelp, isHelpOpen = false }: HeaderProps) {
  const topology = view?.topology;
  const cluster = useMemo(() => (topology ? describeCluster(topology) : null), [topology]);
  const cni = cluster?.cni;
  const proxy = cluster?.proxy;
  const cniText = cni ? describeCniText(cni) : '';
  const kindStatus = (kind: ObjectKind): KindStatus | undefined => view?.kinds.find((k) => k.kind === kind);
  const host = view?.source.kind === 'cluster' ? serverHost(cluster?.server ?? null) : null;
  return (
    <header className="header">
      <div className="brand">Podpath</div>
      <button
        ref={sourceRef}
        type="button"
        className="source"
        data-testid="source"
        aria-haspopup="dialog"
        aria-expanded={isPickerOpen}
        onClick={onOpenPicker}
        title="Open another cluster context, or the demo"
      >
        {view ? (
          <>
            <span className={`badge source-${view.source.kind}`}>{sourceKind[view.source.kind]}</span>
            <span className="source-label">{view.source.label}</span>
            {host && <span className="muted source-server">{host}</span>}
            {cluster?.kubernetesVersion && <span className="muted">Kubernetes {cluster.kubernetesVersion}</span>}
            {view.source.note && <span className="source-note">{view.source.note}</span>}
          </>
        ) : (
          <span className="source-label">Open a cluster</span>
        )}
        <span className="source-caret" aria-hidden="true">▾</span>
      </button>
      {search}
      {filters}
      {problems}
      <div className="spacer" />
      {cni && (
        <div className="fact" title={evidenceTooltip('CNI', cni.evidence)} data-testid="cni">
          <span className="fact-name">CNI</span> {cniText} <ConfidenceBadge confidence={cni.confidence} />
        </div>
      )}
      {proxy && (
        <div className="fact" title={evidenceTooltip('Service proxy', proxy.evidence)} data-testid="proxy-mode">
          <span className="fact-name">proxy</span> {proxy.mode === 'ebpf' ? 'eBPF' : proxy.mode} <ConfidenceBadge confidence={proxy.confidence} />
        </div>
      )}
      {topology && (
        <div className="counts" data-testid="counts">
          <span>{countText(Object.keys(topology.hosts).length, 'nodes', kindStatus('nodes'))}</span>
          <span>{countText(Object.keys(topology.pods).length, 'pods', kindStatus('pods'))}</span>
          <span>{countText(Object.keys(topology.services).length, 'services', kindStatus('services'))}</span>
        </div>
      )}
      {view && <LoadingProgress kinds={view.kinds} />}
      <div className="segmented" role="group" aria-label="Group the graph" data-testid="grouping">
        {(['node', 'namespace'] as const).map((g) => (
          <button
            key={g}
            type="button"
            className={`button${grouping === g ? ' is-active' : ''}`}
            aria-pressed={grouping === g}
            onClick={() => onGrouping?.(g)}
            title={g === 'node' ? 'Each node a box with its devices, pods and veths (g)' : 'Each namespace a box with its pods and Services; nodes with their devices (g)'}
          >
            {g === 'node' ? 'By node' : 'By namespace'}
          </button>
        ))}
      </div>
      <button
        type="button"
        className={`button${needsTidying ? ' button-attention' : ''}`}
        onClick={onRelayout}
        title={
          needsTidying
            ? 'Some new elements could not be placed without overlapping others: lay the whole graph out afresh'
            : 'Lay the whole graph out afresh (live updates never move what is drawn)'
        }
      >
        Re-layout
      </button>
      <button type="button" className="button" onClick={onFit} title="Fit the whole cluster in view">
        Fit
      </button>
      <button type="button" className="button" onClick={onOpenSnapshot} data-testid="open-snapshot" title="Open a Podpath snapshot file (or drop one on the window)">
        Open snapshot…
      </button>
      <button
        type="button"
        className="button"
        onClick={onExportSnapshot}
        disabled={!view || isExporting}
        data-testid="export-snapshot"
        title="Save what is on screen as a snapshot file that Podpath can open offline (never credentials)"
      >
        {isExporting ? 'Exporting…' : 'Export snapshot'}
      </button>
      {onExportImage && <ExportImageMenu ref={exportImageRef} disabled={!view || isExporting} onExport={onExportImage} />}
      <ThemeSwitch />
      {onHelp && (
        <button
          type="button"
          className="button help-button"
          onClick={onHelp}
          data-testid="help-button"
          aria-haspopup="dialog"
          aria-expanded={isHelpOpen}
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
        >
          ?
        </button>
      )}
    </header>
  );
}

const imageChoices: { format: 'png' | 'svg'; scope: 'view' | 'full'; label: string }[] = [
  { format: 'png', scope: 'view', label: 'PNG of the view' },
  { format: 'png', scope: 'full', label: 'PNG of the whole graph' },
  { format: 'svg', scope: 'view', label: 'SVG of the view' },
  { format: 'svg', scope: 'full', label: 'SVG of the whole graph' },
];

/** "Export image…": a native <select> used as a menu, so it is keyboard-accessible for free. */
function ExportImageMenu({ ref, disabled, onExport }: { ref?: Ref<HTMLSelectElement>; disabled: boolean; onExport(format: 'png' | 'svg', scope: 'view' | 'full'): void }) {
  return (
    <select
      ref={ref}
      className="button export-image"
      data-testid="export-image"
      aria-label="Export an image"
      title="Save an image of what is on screen or of the whole graph, with the legend"
      disabled={disabled}
      value=""
      onChange={(event) => {
        const choice = imageChoices[Number(event.currentTarget.value)];
        if (choice) onExport(choice.format, choice.scope);
      }}
    >
      <option value="" disabled hidden>
        Export image…
      </option>
      {imageChoices.map((choice, index) => (
        <option key={choice.label} value={index}>
          {choice.label}
        </option>
      ))}
    </select>
  );
}

export function UnavailableKinds({ view }: { view: ViewState | null }) {
  const kinds = view?.topology.cluster.unavailableKinds ?? [];
  // A live session says this per kind in the status bar, reasons included.
  if (kinds.length === 0 || (view?.kinds.length ?? 0) > 0) return null;
  return (
    <div className="warnings" role="status" data-testid="unavailable-kinds">
      {kinds.map((k) => (
        <div key={k.kind} className="warning">
          <strong>{k.kind}</strong> could not be read: {k.reason.replace(/\.$/, '')}. They are missing from the view, not absent from the cluster.
        </div>
      ))}
    </div>
  );
}
