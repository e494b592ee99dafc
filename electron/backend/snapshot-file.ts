/**
 * Snapshot files (design §5): read within the size limit the app and the CLI share, and
 * validated; written validated first, then atomically, so a reader — or a crash — sees the old
 * file or the new one, never half of one.
 *
 * The form (issue 14): compact JSON, gzipped when the file's name ends in `.gz` — the name
 * Podpath gives snapshots, `….podpath.json.gz` — and plain otherwise, as the name says. Reading
 * goes by the bytes, not the name: gzip is known by its magic number, so a plain snapshot (every
 * one written before) and a renamed file open alike.
 */
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { maxSnapshotBytes } from '../../shared/ipc.ts';
import { parseSnapshot, serializeSnapshot, type Snapshot } from '../../shared/snapshot/format.ts';
import { decodeText, FileReadError, fileProblem, readFileBytes } from './read-text.ts';

/** The extension Podpath gives the snapshots it writes. */
export const snapshotExtension = '.podpath.json.gz';

/**
 * The most JSON a gzipped snapshot may unpack to: a file within `maxSnapshotBytes` may hold far
 * more than that limit once unpacked (a 150k-pod cluster is ~5 MB gzipped, ~110 MB of JSON), and
 * a crafted one far more still. Well under the longest string V8 can make (~512 MB).
 */
export const maxSnapshotJsonBytes = 256 * 1024 * 1024;

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Whether `bytes` start as a gzip stream does (RFC 1952: 1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Whether a snapshot written to `path` is gzipped: its name ends in `.gz`. */
export function isGzipName(path: string): boolean {
  return /\.gz$/i.test(path);
}

/**
 * The JSON text of the snapshot file at `path`, unpacked when it is gzipped. Rejects with a
 * FileReadError naming the problem: no such file, too large, not text, a gzip stream that is
 * cut short or corrupt, or one that unpacks to more than Podpath reads.
 */
export async function readSnapshotText(path: string, jsonLimit = maxSnapshotJsonBytes): Promise<string> {
  const bytes = await readFileBytes(path, maxSnapshotBytes);
  if (!isGzip(bytes)) return decodeText(path, bytes);
  let json: Buffer;
  try {
    // The size the stream says it unpacks to (its last four bytes, RFC 1952 ISIZE) as the size
    // of zlib's output chunk: one chunk instead of thousands of 16 KB ones and their copy into
    // one buffer (at 150k pods, a second of the read). Only a hint, from the file: bounded by
    // the limit, and a wrong one merely costs the copy again.
    const size = Math.min(bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0, jsonLimit) + 1;
    json = await gunzipAsync(bytes, { maxOutputLength: jsonLimit, chunkSize: Math.max(size, 64 * 1024) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FileReadError(path, `gzipped, and it unpacks to more than the ${megabytes(jsonLimit)} of JSON Podpath reads`, { cause: error });
    }
    const reason = code === 'Z_BUF_ERROR' ? 'cut short' : 'corrupt';
    throw new FileReadError(path, `a gzip file that is ${reason} (${error instanceof Error ? error.message : String(error)}); copy or export the snapshot again`, {
      cause: error,
    });
  }
  return decodeText(path, json);
}

/** Reads and validates the snapshot at `path`; rejects naming the file and its problem (no such
 * file, too large, not text, corrupt gzip, the first invalid field). */
export async function loadSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readSnapshotText(path);
  } catch (error) {
    throw new Error(`Cannot read snapshot ${path}: ${fileProblem(error)}.`, { cause: error });
  }
  return parseSnapshot(text, basename(path));
}

/**
 * Writes `snapshot` to `path`, gzipped when the name ends in `.gz`. The snapshot is serialized
 * and read back through `parseSnapshot` before anything touches the disk, so an invalid one is
 * refused with the reader's own message; then it replaces the file atomically (atomic-write.ts).
 */
export async function writeSnapshotFile(path: string, snapshot: Snapshot): Promise<void> {
  const text = serializeSnapshot(snapshot);
  parseSnapshot(text, basename(path));
  // Imported here, not above: it loads node:crypto, which commands that only read a snapshot
  // (`podpath trace --snapshot`) would otherwise pay for at every start.
  const { writeFileAtomic } = await import('./atomic-write.ts');
  await writeFileAtomic(path, isGzipName(path) ? await gzipAsync(text) : text);
}
