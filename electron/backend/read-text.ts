/**
 * Reading a file a user named — a snapshot, a manifest, a what-if policy, a kubeconfig — as
 * text, with the one size limit the app and the CLI share (`maxSnapshotBytes`): the size is
 * checked before anything is read, and no more than the limit is ever read (a file that grows
 * meanwhile is cut off and refused). Bytes that are not UTF-8 text are refused too, so a binary
 * file is named as such instead of turning into a page of replacement characters.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { maxSnapshotBytes } from '../../shared/ipc.ts';

/** Why a file could not be read, in words: `problem` completes "Cannot read snapshot X: …". */
export class FileReadError extends Error {
  readonly path: string;
  readonly problem: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`${path}: ${problem}`, options);
    this.name = 'FileReadError';
    this.path = path;
    this.problem = problem;
  }
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Why a file could not be read, in words: `no such file`, `permission denied`, `120 MB, over …`. */
export function fileProblem(error: unknown): string {
  if (error instanceof FileReadError) return error.problem;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

function tooLarge(path: string, size: number, limit: number): FileReadError {
  return new FileReadError(path, `${megabytes(size)}, over the ${megabytes(limit)} Podpath reads`);
}

/** The bytes as text; refused when they hold a NUL byte or are not UTF-8. */
export function decodeText(path: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new FileReadError(path, `a binary file, not text (a NUL byte at offset ${nul})`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Checked by Node's vectorised validators, then decoded: several times quicker than a fatal
  // TextDecoder on a snapshot's megabytes, and most JSON is ASCII, which latin1 copies as it is.
  if (isAscii(buffer)) return buffer.toString('latin1');
  if (!isUtf8(buffer)) throw new FileReadError(path, 'not UTF-8 text (a binary file?)');
  // A byte order mark is not part of the text (as TextDecoder drops it).
  return buffer.toString('utf8', buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0);
}

/** Reads `path` as UTF-8 text of at most `limit` bytes; throws a FileReadError naming the problem. */
export async function readTextFile(path: string, limit = maxSnapshotBytes): Promise<string> {
  const bytes = await readFileBytes(path, limit);
  return decodeText(path, bytes);
}

/** Reads the bytes of `path`, at most `limit` of them; throws a FileReadError naming the problem. */
export async function readFileBytes(path: string, limit = maxSnapshotBytes): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new FileReadError(path, fileProblem(error), { cause: error });
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new FileReadError(path, 'a directory, not a file');
    if (info.size > limit) throw tooLarge(path, info.size, limit);
    const bytes = new BoundedBytes(path, limit, info.size);
    for (let chunk = bytes.next(); ; chunk = bytes.next()) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (!bytes.add(chunk, bytesRead)) break;
    }
    return bytes.all();
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError(path, fileProblem(error), { cause: error });
  } finally {
    await handle.close();
  }
}

/** `readTextFile` for synchronous callers (kubeconfig loading). */
export function readTextFileSync(path: string, limit = maxSnapshotBytes): string {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new FileReadError(path, fileProblem(error), { cause: error });
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new FileReadError(path, 'a directory, not a file');
    if (info.size > limit) throw tooLarge(path, info.size, limit);
    const bytes = new BoundedBytes(path, limit, info.size);
    for (let chunk = bytes.next(); bytes.add(chunk, readSync(fd, chunk, 0, chunk.length, null)); chunk = bytes.next());
    return decodeText(path, bytes.all());
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError(path, fileProblem(error), { cause: error });
  } finally {
    closeSync(fd);
  }
}

/** Chunks read until the end of the file, refused as soon as they pass the limit (a file that
 * grew since its size was checked). */
class BoundedBytes {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private readonly path: string;
  private readonly limit: number;
  /** The size the file had when it was opened: the first chunk holds all of it (and one byte
   * more, to see the end), so a file that does not grow is read without copying it again. */
  private firstSize: number | null;

  constructor(path: string, limit: number, size: number) {
    this.path = path;
    this.limit = limit;
    this.firstSize = Math.min(size, limit) + 1;
  }

  next(): Buffer {
    const size = this.firstSize ?? 1 << 20;
    this.firstSize = null;
    return Buffer.allocUnsafe(size);
  }

  /** Takes `count` bytes of `chunk`; false at the end of the file. */
  add(chunk: Buffer, count: number): boolean {
    if (count === 0) return false;
    this.chunks.push(chunk.subarray(0, count));
    this.length += count;
    if (this.length > this.limit) throw tooLarge(this.path, this.length, this.limit);
    return true;
  }

  all(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
  }
}
