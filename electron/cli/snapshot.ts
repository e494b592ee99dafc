/** `podpath snapshot`: a cluster, or manifest files, written as a snapshot file Podpath opens offline. */
import { buildSnapshotFromFiles } from '../backend/kube/from-files.ts';
import { kindSpecs } from '../backend/kube/kinds.ts';
import { writeSnapshotFile } from '../backend/snapshot-file.ts';
import type { Snapshot } from '../../shared/snapshot/format.ts';
import { note, print, type KubeOptions } from './common.ts';
import { kindLine, snapshotLive } from './live.ts';
import type { ProbeCliOptions } from './snapshot-probe.ts';

/** `podpath snapshot`'s exit code when a kind failed or was unavailable: the file is written, but partial. */
export const partialExitCode = 1;

export interface SnapshotOptions extends KubeOptions, ProbeCliOptions {
  output: string;
  fromFiles?: string[];
  /** Read each node's kubelet DNS settings from its configz (snapshot-kubelet.ts). */
  kubeletConfig?: boolean;
}

/** The observed datapath of the nodes the probe options name, attached to the snapshot (issue 13). */
async function attachProbes(options: SnapshotOptions, snapshot: Snapshot, isLive: boolean): Promise<void> {
  const { probeForSnapshot, wantsProbe } = await import('./snapshot-probe.ts');
  if (!wantsProbe(options)) return;
  const { readings, hasFailures } = await probeForSnapshot(options, isLive ? snapshot.objects.nodes : null);
  // Plain JSON (shared/datapath/reading.ts NodeReading); the snapshot's field is typed loosely until it knows the type.
  snapshot.datapath = readings as unknown as NonNullable<Snapshot['datapath']>;
  if (hasFailures) process.exitCode = partialExitCode;
}

export async function snapshotCommand(options: SnapshotOptions): Promise<void> {
  if (options.fromFiles) {
    const { snapshot, counts, skipped } = await buildSnapshotFromFiles(options.fromFiles);
    for (const spec of kindSpecs) if (counts[spec.kind]) await print(`${spec.label} ${counts[spec.kind]}\n`);
    for (const skip of skipped) note(`podpath: skipped ${skip.kind} in ${skip.source}: ${skip.reason}`);
    await attachProbes(options, snapshot, false);
    await writeSnapshotFile(options.output, snapshot);
    await print(`Wrote ${options.output}\n`);
    return;
  }
  const { snapshot, kinds } = await snapshotLive(options);
  for (const status of kinds) await print(`${kindLine(status)}\n`);
  if (!kinds.some((k) => k.state === 'live')) {
    throw new Error('Nothing could be read from the cluster (every kind was forbidden or failed); no snapshot written.');
  }
  if (options.kubeletConfig) await (await import('./snapshot-kubelet.ts')).attachKubeletDns(options, snapshot);
  await attachProbes(options, snapshot, true);
  await writeSnapshotFile(options.output, snapshot);
  await print(`Wrote ${options.output}\n`);
  // Forbidden is the user's access, a fact of the picture; an error is not: say it, and exit non-zero.
  const missing = kinds.filter((k) => k.state === 'failed' || k.state === 'unavailable');
  if (missing.length > 0) {
    note(`podpath: the snapshot is partial: ${missing.map(kindLine).join('; ')}`);
    process.exitCode = partialExitCode;
  }
}
