/**
 * Snapshot files in and out of the browser side: reading a file the user chose or dropped, and
 * handing a snapshot's text to the browser as a download. The backend parses and validates
 * what is read; nothing here interprets a snapshot.
 */
import { maxSnapshotBytes } from '../shared/ipc.ts';

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** The name the contract accepts: no directories, no control characters, at most 255 characters. */
export function displayName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const clean = [...base].filter((c) => c.charCodeAt(0) >= 0x20).join('').slice(-255);
  return clean || 'snapshot.json';
}

/** Reads a chosen or dropped file as text, refusing what the backend would refuse for size. */
export async function readSnapshotFile(file: Pick<File, 'name' | 'size' | 'text'>): Promise<{ name: string; text: string }> {
  const name = displayName(file.name);
  if (file.size > maxSnapshotBytes) {
    throw new Error(`${name} is ${megabytes(file.size)}; Podpath opens snapshots of up to ${megabytes(maxSnapshotBytes)}.`);
  }
  return { name, text: await file.text() };
}

/**
 * Offers `text` as a file download. An `<a download>` on a blob: URL saves without navigating,
 * so the page's CSP (which allows blob: for images only) does not come into it; the URL is
 * released once the browser has had time to start the download.
 */
export function downloadText(fileName: string, text: string, doc: Document = document): void {
  downloadBlob(fileName, new Blob([text], { type: 'application/json' }), doc);
}

/** Offers a Blob (an exported image) as a file download, as `downloadText` does. */
export function downloadBlob(fileName: string, blob: Blob, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** True when a drag carries files (not text or a link being dragged around the page). */
export function isFileDrag(event: Pick<DragEvent, 'dataTransfer'>): boolean {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}
