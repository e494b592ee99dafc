/**
 * Writing a snapshot file (design §5): validated first, then written atomically, so a reader —
 * or a crash — sees the old file or the new one, never half of one.
 */
import { basename } from 'node:path';
import { parseSnapshot, serializeSnapshot, type Snapshot } from '../../shared/snapshot/format.ts';
import { writeFileAtomic } from './atomic-write.ts';

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
