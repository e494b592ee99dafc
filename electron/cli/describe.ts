/** `podpath describe`: the derived network model of a cluster, a snapshot or the demo, as text or JSON. */
import { join } from 'node:path';
import { describeTopology } from '../../shared/describe/build.ts';
import { formatDescribe } from '../../shared/describe/format.ts';
import type { Topology } from '../../shared/model/types.ts';
import type { Snapshot } from '../../shared/snapshot/format.ts';
import { deriveSnapshot } from '../../shared/topology/derive.ts';
import { defaultAssetsDir, demoFileName } from '../backend/assets.ts';
import { loadSnapshotFile } from '../backend/snapshot-file.ts';
import { note, print, type KubeOptions } from './common.ts';
import { cniPolicyLines, withCniPolicies } from './describe-cni.ts';
import { kindLine, snapshotLive } from './live.ts';

export interface DescribeOptions extends KubeOptions {
  snapshot?: string;
  demo?: boolean;
  json?: boolean;
}

export async function describeCommand(options: DescribeOptions): Promise<void> {
  let snapshot: Snapshot;
  if (options.snapshot || options.demo) {
    snapshot = await loadSnapshotFile(options.snapshot ?? join(defaultAssetsDir(), demoFileName));
  } else {
    const live = await snapshotLive(options);
    for (const status of live.kinds) note(kindLine(status));
    if (!live.kinds.some((k) => k.state === 'live')) throw new Error('Nothing could be read from the cluster (every kind was forbidden or failed).');
    snapshot = live.snapshot;
  }
  await print(describeText(deriveSnapshot(snapshot), options.json === true));
}

/** The document, as JSON or text, with the Calico and Cilium policies (describe-cni.ts) before the problems. */
export function describeText(topology: Topology, isJson: boolean): string {
  const doc = withCniPolicies(topology, describeTopology(topology));
  if (isJson) return `${JSON.stringify(doc, null, 2)}\n`;
  const text = formatDescribe(doc);
  const lines = cniPolicyLines(topology, doc);
  if (lines.length === 0) return text;
  const at = text.lastIndexOf('\nProblems (');
  return `${text.slice(0, at)}${lines.join('\n')}\n${text.slice(at)}`;
}
