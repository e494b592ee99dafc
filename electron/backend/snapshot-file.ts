/**
 * Snapshot files (design §5): read within the size limit the app and the CLI share, and
 * validated; written validated first, then atomically, so a reader — or a crash — sees the old
 * file or the new one, never half of one.
 */
import { basename } from 'node:path';
import { parseSnapshot, serializeSnapshot, type Snapshot } from '../../shared/snapshot/format.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { fileProblem, readTextFile } from './read-text.ts';

/** Reads and validates the snapshot at `path`; rejects naming the file and its problem (no such
 * file, too large, not text, the first invalid field). */
export async function loadSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readTextFile(path);
  } catch (error) {
    throw new Error(`Cannot read snapshot ${path}: ${fileProblem(error)}.`, { cause: error });
  }
  return parseSnapshot(text, basename(path));
}

/**
 * Writes `snapshot` to `path`. The snapshot is serialized and read back through
 * `parseSnapshot` before anything touches the disk, so an invalid one is refused with the
 * reader's own message; then it replaces the file atomically (atomic-write.ts).
 */
export async function writeSnapshotFile(path: string, snapshot: Snapshot): Promise<void> {
  const text = serializeSnapshot(snapshot);
  parseSnapshot(text, basename(path));
  await writeFileAtomic(path, text);
}
