/**
 * How reading each kind of object is going in a live session: one chip per kind. A kind the user
 * may not read says "forbidden" — never a count of zero, which would claim the cluster has none.
 */
import type { KindState, KindStatus } from '../../shared/ipc.ts';
import type { ObjectKind } from '../../shared/kube/objects.ts';

export const kindNames: Record<ObjectKind, string> = {
  nodes: 'Nodes',
  namespaces: 'Namespaces',
  pods: 'Pods',
  services: 'Services',
  endpointSlices: 'EndpointSlices',
  networkPolicies: 'NetworkPolicies',
  ingresses: 'Ingresses',
  ingressClasses: 'IngressClasses',
  configMaps: 'ConfigMaps',
  daemonSets: 'DaemonSets',
  gateways: 'Gateways',
  httpRoutes: 'HTTPRoutes',
  adminNetworkPolicies: 'AdminNetworkPolicies',
  baselineAdminNetworkPolicies: 'BaselineAdminNetworkPolicies',
  clusterNetworkPolicies: 'ClusterNetworkPolicies',
  calicoNetworkPolicies: 'Calico NetworkPolicies',
  calicoGlobalNetworkPolicies: 'Calico GlobalNetworkPolicies',
  calicoTiers: 'Calico Tiers',
  ciliumNetworkPolicies: 'CiliumNetworkPolicies',
  ciliumClusterwideNetworkPolicies: 'CiliumClusterwideNetworkPolicies',
};

const stateWords: Record<KindState, string> = {
  loading: 'loading',
  live: 'live',
  reconnecting: 'reconnecting',
  unavailable: 'unavailable',
  forbidden: 'forbidden',
  failed: 'failed',
  absent: 'not served by this cluster',
};

/** What the chip says after the kind's name. */
export function kindValue(status: KindStatus): string {
  switch (status.state) {
    case 'loading':
      return `loading ${status.count}…`;
    case 'live':
      return String(status.count);
    case 'reconnecting':
      return `${status.count} · reconnecting`;
    case 'unavailable':
      return 'unavailable';
    case 'forbidden':
      return 'forbidden';
    case 'failed':
      return 'failed';
    case 'absent':
      return '—';
  }
}

export function kindTooltip(status: KindStatus): string {
  const name = kindNames[status.kind] ?? status.kind;
  const lines = [`${name}: ${stateWords[status.state]}`];
  if (status.state !== 'forbidden' && status.state !== 'absent' && status.state !== 'failed') lines.push(`${status.count} held`);
  if (status.reason) lines.push(status.reason);
  if (Array.isArray(status.scope)) {
    lines.push(status.scope.length > 0 ? `Read per namespace (not cluster-wide): ${status.scope.join(', ')}` : 'Not readable in any namespace');
  }
  return lines.join('\n');
}

const numbers = new Intl.NumberFormat('en-US');

/**
 * The header's progress line while a live session's first lists arrive: "Loading… Pods 1,234 ·
 * Services 56", the kinds still loading with what each holds so far; null once all are settled.
 */
export function loadingText(kinds: readonly KindStatus[]): string | null {
  const loading = kinds.filter((k) => k.state === 'loading');
  if (loading.length === 0) return null;
  return `Loading… ${loading.map((k) => `${kindNames[k.kind] ?? k.kind} ${numbers.format(k.count)}`).join(' · ')}`;
}

/** A compact progress indicator: kinds settled of all kinds, and the counts of those loading. */
export function LoadingProgress({ kinds }: { kinds: readonly KindStatus[] }) {
  const text = loadingText(kinds);
  if (text === null) return null;
  const settled = kinds.filter((k) => k.state !== 'loading').length;
  return (
    // No live region: the counts change many times a second while a large cluster loads.
    <div className="loading" data-testid="loading" title={`${settled} of ${kinds.length} kinds read`}>
      <progress className="loading-bar" value={settled} max={kinds.length} aria-label={`${settled} of ${kinds.length} kinds read`} />
      <span className="loading-text">{text}</span>
    </div>
  );
}

export function KindsStatus({ kinds }: { kinds: readonly KindStatus[] }) {
  if (kinds.length === 0) return null;
  // Forbidden, failed and unavailable kinds leave a hole in the picture: say why in words, not only on hover.
  const unreadable = kinds.filter((k) => (k.state === 'forbidden' || k.state === 'failed' || k.state === 'unavailable') && k.reason);
  return (
    <div className="kinds" data-testid="kinds" role="group" aria-label="Reading the cluster, per kind">
      <div className="kind-chips">
        {kinds.map((status) => {
          const scoped = Array.isArray(status.scope) && status.state !== 'forbidden' && status.state !== 'absent';
          return (
            <span key={status.kind} className={`kind-chip kind-${status.state}`} data-kind={status.kind} data-state={status.state} title={kindTooltip(status)}>
              <span className="kind-name">{kindNames[status.kind] ?? status.kind}</span> <span className="kind-value">{kindValue(status)}</span>
              {scoped && <span className="kind-scope"> · {(status.scope as string[]).length} ns</span>}
            </span>
          );
        })}
      </div>
      {unreadable.length > 0 && (
        <details className="kind-reasons" open>
          <summary>
            {unreadable.length} {unreadable.length === 1 ? 'kind' : 'kinds'} could not be read: missing from the view, not absent from the cluster
          </summary>
          <ul>
            {unreadable.map((k) => (
              <li key={k.kind} data-reason-for={k.kind}>
                <strong>{kindNames[k.kind] ?? k.kind}</strong> {k.state}: {k.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
