/** `podpath snapshot`: a cluster, or manifest files, written as a snapshot file Podpath opens offline. */
import { buildSnapshotFromFiles } from '../backend/kube/from-files.ts';
import { kindSpecs } from '../backend/kube/kinds.ts';
import { writeSnapshotFile } from '../backend/snapshot-file.ts';
import type { KubeOptions } from './common.ts';
import { kindLine, snapshotLive } from './live.ts';

export interface SnapshotOptions extends KubeOptions {
  output: string;
  fromFiles?: string[];
}

export async function snapshotCommand(options: SnapshotOptions): Promise<void> {
  if (options.fromFiles) {
    const { snapshot, counts, skipped } = await buildSnapshotFromFiles(options.fromFiles);
    for (const spec of kindSpecs) if (counts[spec.kind]) console.log(`${spec.label} ${counts[spec.kind]}`);
    for (const skip of skipped) console.error(`podpath: skipped ${skip.kind} in ${skip.source}: ${skip.reason}`);
    await writeSnapshotFile(options.output, snapshot);
    console.log(`Wrote ${options.output}`);
    return;
  }
  const { snapshot, kinds } = await snapshotLive(options);
  for (const status of kinds) console.log(kindLine(status));
  if (!kinds.some((k) => k.state === 'live')) {
    throw new Error('Nothing could be read from the cluster (every kind was forbidden or failed); no snapshot written.');
  }
  await writeSnapshotFile(options.output, snapshot);
  console.log(`Wrote ${options.output}`);
}
