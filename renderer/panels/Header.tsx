import type { SourceInfo, ViewState } from '../../shared/ipc.ts';
import type { Confidence, Detected } from '../../shared/model/types.ts';

const sourceKind: Record<SourceInfo['kind'], string> = { demo: 'demo', snapshot: 'snapshot', cluster: 'live' };

function ConfidenceBadge({ confidence }: { confidence: Confidence }) {
  return <span className={`badge confidence-${confidence}`}>{confidence === 'none' ? 'not detected' : `${confidence} confidence`}</span>;
}

function evidenceTooltip(title: string, detected: Detected<unknown>): string {
  return detected.evidence.length > 0 ? `${title}, detected from:\n${detected.evidence.map((e) => `• ${e}`).join('\n')}` : `${title}: no evidence found`;
}

export function Header({ view, onFit }: { view: ViewState | null; onFit(): void }) {
  const topology = view?.topology;
  const cluster = topology?.cluster;
  const cni = cluster?.cni;
  const proxy = cluster?.proxyMode;
  const cniText = cni
    ? `${cni.value.name}${cni.value.datapath !== 'unknown' ? ` · ${cni.value.datapath}` : ''}${cni.value.encapsulation ? ` ${cni.value.encapsulation.toUpperCase()}` : ''}`
    : '';
  return (
    <header className="header">
      <div className="brand">Podpath</div>
      {view && (
        <div className="source" data-testid="source">
          <span className="badge">{sourceKind[view.source.kind]}</span>
          <span className="source-label">{view.source.label}</span>
          {cluster?.kubernetesVersion && <span className="muted">Kubernetes {cluster.kubernetesVersion}</span>}
          {view.source.note && <span className="source-note">{view.source.note}</span>}
        </div>
      )}
      <div className="spacer" />
      {cni && (
        <div className="fact" title={evidenceTooltip('CNI', cni)} data-testid="cni">
          <span className="fact-name">CNI</span> {cniText} <ConfidenceBadge confidence={cni.confidence} />
        </div>
      )}
      {proxy && (
        <div className="fact" title={evidenceTooltip('Service proxy', proxy)} data-testid="proxy-mode">
          <span className="fact-name">proxy</span> {proxy.value === 'ebpf' ? 'eBPF' : proxy.value} <ConfidenceBadge confidence={proxy.confidence} />
        </div>
      )}
      {topology && (
        <div className="counts" data-testid="counts">
          <span>{Object.keys(topology.hosts).length} nodes</span>
          <span>{Object.keys(topology.pods).length} pods</span>
          <span>{Object.keys(topology.services).length} services</span>
        </div>
      )}
      <button type="button" className="button" onClick={onFit} title="Fit the whole cluster in view">
        Fit
      </button>
    </header>
  );
}

export function UnavailableKinds({ view }: { view: ViewState | null }) {
  const kinds = view?.topology.cluster.unavailableKinds ?? [];
  if (kinds.length === 0) return null;
  return (
    <div className="warnings" role="status" data-testid="unavailable-kinds">
      {kinds.map((k) => (
        <div key={k.kind} className="warning">
          <strong>{k.kind}</strong> could not be read: {k.reason}. They are missing from the view, not absent from the cluster.
        </div>
      ))}
    </div>
  );
}
