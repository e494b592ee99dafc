/** `podpath export`: a snapshot or the demo as a PNG or SVG image (export-image.ts) or Graphviz DOT. */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { toDot } from '../../shared/export/dot.ts';
import { deriveSnapshot } from '../../shared/topology/derive.ts';
import { defaultAssetsDir, demoFileName } from '../backend/assets.ts';
import { loadSnapshotFile } from '../backend/snapshot-file.ts';
import { note, print } from './common.ts';
import type { ImageExport } from './export-image.ts';

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
  let resolution = '';
  if (options.format === 'dot') {
    bytes = Buffer.from(toDot(deriveSnapshot(snapshot), snapshot.source.context ?? basename(path)), 'utf8');
  } else {
    const source = { kind: options.demo ? 'demo' : 'snapshot', label: options.demo ? 'demo' : basename(path), note: null } as const;
    // Browser mode and Playwright only for an image: DOT needs neither.
    const { exportImage } = await import('./export-image.ts');
    const image = await exportImage(snapshot, source, { format: options.format, scope: options.scope, log: note });
    bytes = image.bytes;
    resolution = ` (${describeResolution(image, options.scope)})`;
  }
  try {
    await writeFile(options.output, bytes);
  } catch (error) {
    throw new Error(`Cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
  }
  await print(`Wrote ${options.output}${resolution}\n`);
}

/**
 * "5222×3402 px, scale 2", and when the graph had to be drawn smaller than 1:1 to fit the
 * browser's canvas, how large it would have been.
 */
export function describeResolution(image: Omit<ImageExport, 'bytes'>, scope: 'full' | 'view'): string {
  const scale = Math.round(image.scale * 1000) / 1000;
  const size = `${image.width}×${image.height} px, scale ${scale}`;
  if (image.scale >= 1) return size;
  const what = scope === 'full' ? 'the full graph' : 'the view';
  return `${size}: ${what} at 1:1 would be ${Math.round(image.natural.width)}×${Math.round(image.natural.height)}`;
}
