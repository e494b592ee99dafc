/**
 * Writing a snapshot file (design §5): validated first, then written atomically, so a reader —
 * or a crash — sees the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseSnapshot, serializeSnapshot, type Snapshot } from '../shared/snapshot/format.ts';

/**
 * Writes `snapshot` to `path`. The snapshot is serialized and read back through
 * `parseSnapshot` before anything touches the disk, so an invalid one is refused with the
 * reader's own message. The text goes to a temporary file beside the target (same directory,
 * so the same filesystem), is fsynced, and renamed over the target; on any failure the
 * temporary file is removed and the target is untouched.
 */
export async function writeSnapshotFile(path: string, snapshot: Snapshot): Promise<void> {
  const text = serializeSnapshot(snapshot);
  parseSnapshot(text, basename(path));

  const directory = dirname(resolve(path));
  const temporary = join(directory, `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | null = null;
  try {
    // 'wx': never follow or reuse something already at the temporary name.
    handle = await open(temporary, 'wx');
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}

/** Makes the rename itself durable. Best effort: some filesystems refuse to fsync a directory,
 * and by now the file is complete whichever name it ends up under after a crash. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // See above: not fatal.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
