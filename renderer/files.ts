/**
 * Snapshot files in and out of the browser side: reading a file the user chose or dropped, and
 * handing a snapshot's text to the browser as a download. The backend parses and validates
 * what is read; nothing here interprets a snapshot. Snapshot files are gzipped JSON when their
 * name ends in `.gz` (issue 14), plain JSON otherwise; a file read is unpacked when its first
 * bytes say gzip, whatever its name, with the browser's own (De)CompressionStream.
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
export async function readSnapshotFile(file: Pick<File, 'name' | 'size' | 'arrayBuffer'>): Promise<{ name: string; text: string }> {
  const name = displayName(file.name);
  if (file.size > maxSnapshotBytes) {
    throw new Error(`${name} is ${megabytes(file.size)}; Podpath opens snapshots of up to ${megabytes(maxSnapshotBytes)}.`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return { name, text: isGzip ? await gunzipText(name, bytes) : new TextDecoder().decode(bytes) };
}

/**
 * The text a gzip file holds, at most `maxSnapshotBytes` of it: what the page sends the backend
 * has that limit, and a small file may unpack to far more.
 */
async function gunzipText(name: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let length = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${name} is a gzip file that is cut short or corrupt (${reason}); copy or export the snapshot again.`, { cause: error });
    }
    if (chunk.done) break;
    length += chunk.value.length;
    if (length > maxSnapshotBytes) {
      await reader.cancel();
      throw new Error(
        `${name} unpacks to more than the ${megabytes(maxSnapshotBytes)} of JSON a page can send; open it with \`podpath serve --snapshot ${name}\` or the desktop app.`,
      );
    }
    parts.push(decoder.decode(chunk.value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** Offers a snapshot's text as a download: gzipped when its name ends in `.gz`. */
export async function downloadSnapshot(fileName: string, text: string, doc: Document = document): Promise<void> {
  if (!/\.gz$/i.test(fileName)) {
    downloadText(fileName, text, doc);
    return;
  }
  const gzipped = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  const blob = await new Response(gzipped).blob();
  downloadBlob(fileName, new Blob([blob], { type: 'application/gzip' }), doc);
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
