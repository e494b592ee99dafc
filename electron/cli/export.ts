/** `podpath export`: a snapshot or the demo as a PNG or SVG image (export-image.ts) or Graphviz DOT. */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { toDot } from '../../shared/export/dot.ts';
import { derive } from '../../shared/topology/derive.ts';
import { defaultAssetsDir, demoFileName, loadSnapshotFile } from '../backend/backend.ts';
import { exportImage } from './export-image.ts';

export interface ExportOptions {
  snapshot?: string;
  demo?: boolean;
  format: 'png' | 'svg' | 'dot';
  output: string;
  scope: 'full' | 'view';
}

export async function exportCommand(options: ExportOptions): Promise<void> {
  if (!options.snapshot && !options.demo) throw new Error('Say what to export: --snapshot FILE or --demo.');
  const path = options.snapshot ?? join(defaultAssetsDir(), demoFileName);
  const snapshot = await loadSnapshotFile(path);
  let bytes: Buffer;
  if (options.format === 'dot') {
    bytes = Buffer.from(toDot(derive(snapshot.objects, snapshot.source), snapshot.source.context ?? basename(path)), 'utf8');
  } else {
    const source = { kind: options.demo ? 'demo' : 'snapshot', label: options.demo ? 'demo' : basename(path), note: null } as const;
    bytes = await exportImage(snapshot, source, { format: options.format, scope: options.scope, log: (line) => console.error(line) });
  }
  try {
    await writeFile(options.output, bytes);
  } catch (error) {
    throw new Error(`Cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
  }
  console.log(`Wrote ${options.output}`);
}
