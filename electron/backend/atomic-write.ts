/**
 * Replacing a file atomically, so a reader — or a crash — sees the old file or the new one,
 * never half of one. The data goes to a temporary file beside the target (same directory, so
 * the same filesystem), is fsynced, and renamed over the target. On any failure the temporary
 * file is removed, the target is untouched, and the error is thrown as it came. The directory
 * must exist: a missing one is the caller's error (ENOENT), not something created here.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface AtomicWriteOptions {
  /** The new file's permissions (default 0o666 less the umask). */
  mode?: number;
}

function temporaryPath(path: string): string {
  return join(dirname(resolve(path)), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temporary = temporaryPath(path);
  let handle: FileHandle | null = null;
  try {
    // 'wx': never follow or reuse something already at the temporary name.
    handle = await open(temporary, 'wx', options.mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(temporary));
}

/** writeFileAtomic for callers that cannot wait (scripts, the remembered context). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temporary = temporaryPath(path);
  let fd: number | null = null;
  try {
    fd = openSync(temporary, 'wx', options.mode);
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== null) closeQuietly(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectorySync(dirname(temporary));
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

function syncDirectorySync(directory: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // As in syncDirectory: not fatal.
  } finally {
    if (fd !== null) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing (or done); the first error is the one to report.
  }
}
