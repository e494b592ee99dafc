/** `podpath describe`: the derived network model of a cluster, a snapshot or the demo, as text or JSON. */
import { join } from 'node:path';
import { describeTopology } from '../../shared/describe/build.ts';
import { formatDescribe } from '../../shared/describe/format.ts';
import type { Snapshot } from '../../shared/snapshot/format.ts';
import { deriveSnapshot } from '../../shared/topology/derive.ts';
import { defaultAssetsDir, demoFileName } from '../backend/assets.ts';
import { loadSnapshotFile } from '../backend/snapshot-file.ts';
import { note, print, type KubeOptions } from './common.ts';
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
  const doc = describeTopology(deriveSnapshot(snapshot));
  await print(options.json ? `${JSON.stringify(doc, null, 2)}\n` : formatDescribe(doc));
}
