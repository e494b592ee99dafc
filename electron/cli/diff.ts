/** `podpath diff`: what changed between two snapshot files, as text or JSON. */
import { basename } from 'node:path';
import { diffReport } from '../../shared/snapshot/diff-report.ts';
import { formatDiffReport } from '../../shared/snapshot/diff-text.ts';
import { deriveSnapshot } from '../../shared/topology/derive.ts';
import { loadSnapshotFile } from '../backend/snapshot-file.ts';
import { print } from './common.ts';

export interface DiffOptions {
  json?: boolean;
}

export async function diffCommand(before: string, after: string, options: DiffOptions): Promise<void> {
  const [a, b] = await Promise.all([loadSnapshotFile(before), loadSnapshotFile(after)]);
  const report = diffReport(deriveSnapshot(a), deriveSnapshot(b), { from: basename(before), to: basename(after) });
  await print(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDiffReport(report));
}
