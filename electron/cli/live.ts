/**
 * A live cluster read once and closed, for `snapshot`, `describe`, `trace` and `doctor`: the
 * objects as a snapshot, and what could be read of each kind.
 */
import { join } from 'node:path';
import type { KindStatus } from '../../shared/ipc.ts';
import type { Topology } from '../../shared/model/types.ts';
import { snapshotFormat, snapshotVersion, type Snapshot } from '../../shared/snapshot/format.ts';
import { deriveSnapshot } from '../../shared/topology/derive.ts';
import { defaultAssetsDir, demoFileName } from '../backend/assets.ts';
import { kindSpecs } from '../backend/kube/kinds.ts';
import { loadSnapshotFile } from '../backend/snapshot-file.ts';
import { note, type KubeOptions } from './common.ts';

const label = (kind: string) => kindSpecs.find((s) => s.kind === kind)?.label ?? kind;

/** One line per kind: `Pods 42`, `Nodes forbidden`, `Gateways absent`, `Services unavailable: 500 Internal Server Error after 3 tries`. */
export function kindLine(status: KindStatus): string {
  switch (status.state) {
    case 'forbidden':
      return `${label(status.kind)} forbidden`;
    case 'failed':
      return `${label(status.kind)} failed: ${status.reason ?? 'unknown error'}`;
    case 'absent':
      return `${label(status.kind)} absent`;
    case 'unavailable':
      return `${label(status.kind)} unavailable: ${status.reason ?? 'unknown error'}`;
    default:
      return `${label(status.kind)} ${status.count}${status.scope === 'cluster' ? '' : ` (in ${status.scope.join(', ')})`}`;
  }
}

/** A kind missing from the picture: forbidden, failed or unavailable. */
export function isUnread(status: KindStatus): boolean {
  return status.state === 'forbidden' || status.state === 'failed' || status.state === 'unavailable';
}

export async function snapshotLive(options: KubeOptions): Promise<{ snapshot: Snapshot; kinds: KindStatus[] }> {
  // The Kubernetes client (and undici, yaml) only for a live cluster: offline commands start without it.
  const [{ configForContext }, { kubeconfigPaths, loadKubeconfig }, { LiveSession }] = await Promise.all([
    import('../backend/kube/context-config.ts'),
    import('../backend/kube/kubeconfig.ts'),
    import('../backend/session.ts'),
  ]);
  const loaded = loadKubeconfig(kubeconfigPaths({ explicit: options.kubeconfig }));
  const context = options.context ?? loaded.current;
  if (!context) throw new Error(`The kubeconfig (${loaded.files.join(', ')}) has no current context: choose one with --context.`);
  const session = await LiveSession.open({ config: configForContext(loaded, context), contextName: context, namespaces: options.namespace });
  try {
    const source = session.source();
    // Read once: a kind not listed by now (still loading, reconnecting) is missing, not empty.
    const unavailable = new Map(source.unavailableKinds.map((k) => [k.kind, k.reason]));
    const kinds = session.kinds().map((status): KindStatus => {
      const reason = unavailable.get(status.kind);
      return reason === undefined || status.state === 'forbidden' || status.state === 'failed' ? status : { ...status, state: 'unavailable', reason };
    });
    return {
      kinds,
      snapshot: { format: snapshotFormat, version: snapshotVersion, source, objects: session.objects() },
    };
  } finally {
    await session.close();
  }
}

/**
 * The model a command works on: a snapshot file, the demo, or a live cluster read once and
 * closed. A kind it could not read makes the answer wrong without saying so (no NetworkPolicies:
 * every flow allowed), so each one is named on stderr, with `unseen` saying what it costs.
 */
export async function readTopology(options: KubeOptions & { snapshot?: string; demo?: boolean }, unseen: string): Promise<Topology> {
  if (options.snapshot || options.demo) {
    const snapshot = await loadSnapshotFile(options.snapshot ?? join(defaultAssetsDir(), demoFileName));
    return deriveSnapshot(snapshot);
  }
  const live = await snapshotLive(options);
  if (!live.kinds.some((k) => k.state === 'live')) throw new Error('Nothing could be read from the cluster (every kind was forbidden or failed).');
  for (const status of live.kinds) if (isUnread(status)) note(`podpath: ${kindLine(status)}: ${unseen}`);
  return deriveSnapshot(live.snapshot);
}
