import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maxSnapshotBytes } from '../../shared/ipc.ts';
import { emptyObjects } from '../../shared/kube/objects.ts';
import { SnapshotError, parseSnapshot, serializeSnapshot, type Snapshot } from '../../shared/snapshot/format.ts';
import { loadSnapshotFile } from './backend.ts';
import { isGzip, readSnapshotText, writeSnapshotFile } from './snapshot-file.ts';

const demo = parseSnapshot(await readFile(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

const small: Snapshot = {
  format: 'podpath.snapshot',
  version: 1,
  source: { context: 'kind-dev', server: 'https://127.0.0.1:6443', kubernetesVersion: 'v1.33.2', capturedAt: '2026-11-26T10:00:00Z' },
  objects: { ...emptyObjects(), nodes: [{ metadata: { name: 'n1', uid: 'u1' } }] },
};

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'podpath-snapshot-file-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function freshDirectory(name: string): Promise<string> {
  const directory = join(scratch, name);
  await mkdir(directory);
  return directory;
}

describe('writeSnapshotFile', () => {
  test('writes a snapshot that reads back equal, leaving nothing else in the directory', async () => {
    const directory = await freshDirectory('plain');
    const path = join(directory, 'demo.podpath.json');
    await writeSnapshotFile(path, demo);
    expect(parseSnapshot(await readFile(path, 'utf8'))).toEqual(demo);
    expect(await readdir(directory)).toEqual(['demo.podpath.json']);
  });

  test('replacing a file: a reader polling it meanwhile sees the old snapshot or the new one, never part of one', async () => {
    const directory = await freshDirectory('replace');
    const path = join(directory, 'cluster.podpath.json');
    await writeSnapshotFile(path, small);
    const contents = new Set([serializeSnapshot(small), serializeSnapshot(demo)]);
    let isWriting = true;
    let reads = 0;
    const reader = (async () => {
      while (isWriting) {
        const text = await readFile(path, 'utf8');
        expect(contents.has(text)).toBe(true);
        reads++;
      }
    })();
    for (let i = 0; i < 20; i++) await writeSnapshotFile(path, i % 2 === 0 ? demo : small);
    isWriting = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(await readFile(path, 'utf8')).toBe(serializeSnapshot(small));
    expect(await readdir(directory)).toEqual(['cluster.podpath.json']);
  });

  test('an invalid snapshot is refused before the disk is touched', async () => {
    const directory = await freshDirectory('invalid');
    const path = join(directory, 'cluster.podpath.json');
    await writeSnapshotFile(path, small);
    const before = await stat(path);
    const invalid = structuredClone(demo) as unknown as { objects: { pods: { metadata: { uid?: string } }[] } };
    delete invalid.objects.pods[0]!.metadata.uid;

    const error = await writeSnapshotFile(path, invalid as unknown as Snapshot).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as Error).message).toMatch(/cluster\.podpath\.json is not a valid snapshot: objects\.pods\[0\]\.metadata\.uid/);
    expect(await readFile(path, 'utf8')).toBe(serializeSnapshot(small));
    expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
    expect(await readdir(directory)).toEqual(['cluster.podpath.json']);

    // Nor is a new file created for one.
    await expect(writeSnapshotFile(join(directory, 'new.podpath.json'), invalid as unknown as Snapshot)).rejects.toThrow(SnapshotError);
    expect(await readdir(directory)).toEqual(['cluster.podpath.json']);
  });

  test('a write that fails at the rename removes its temporary file and leaves the target as it was', async () => {
    const directory = await freshDirectory('rename-fails');
    // A non-empty directory where the file should go: rename(2) refuses to replace it.
    const target = join(directory, 'cluster.podpath.json');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'kept');
    await expect(writeSnapshotFile(target, small)).rejects.toThrow();
    expect(await readdir(directory)).toEqual(['cluster.podpath.json']);
    expect(await readFile(join(target, 'keep'), 'utf8')).toBe('kept');
  });

  test('a missing directory is an error, not a created one', async () => {
    await expect(writeSnapshotFile(join(scratch, 'no-such-dir', 'x.podpath.json'), small)).rejects.toThrow(/ENOENT/);
  });
});

describe('loadSnapshotFile: the CLI reads snapshots within the size limit the app has (issue 12)', () => {
  test('a file over the limit is refused before it is read, naming its size and the limit', async () => {
    const path = join(await freshDirectory('huge'), 'huge.podpath.json');
    await writeFile(path, '');
    await truncate(path, maxSnapshotBytes + 25 * 1024 * 1024);
    await expect(loadSnapshotFile(path)).rejects.toThrow(`Cannot read snapshot ${path}: 75 MB, over the 50 MB Podpath reads.`);
  });

  test('a binary file is named as one; a valid file opens', async () => {
    const directory = await freshDirectory('load');
    const binary = join(directory, 'photo.jpg');
    await writeFile(binary, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    await expect(loadSnapshotFile(binary)).rejects.toThrow(`Cannot read snapshot ${binary}: a binary file, not text (a NUL byte at offset 4).`);
    const good = join(directory, 'good.podpath.json');
    await writeFile(good, serializeSnapshot(small));
    expect(await loadSnapshotFile(good)).toEqual(small);
  });
});

describe('the gzipped form (issue 14)', () => {
  test('a name ending in .gz is written gzipped, compact; it reads back equal and is a fraction of the JSON', async () => {
    const directory = await freshDirectory('gzip');
    const path = join(directory, 'demo.podpath.json.gz');
    await writeSnapshotFile(path, demo);
    const bytes = await readFile(path);
    expect(isGzip(bytes)).toBe(true);
    const json = gunzipSync(bytes).toString('utf8');
    expect(json).toBe(serializeSnapshot(demo));
    expect(json).not.toMatch(/\n /);
    expect(bytes.length * 5).toBeLessThan(json.length);
    expect(await loadSnapshotFile(path)).toEqual(demo);
    expect(await readdir(directory)).toEqual(['demo.podpath.json.gz']);
  });

  test('any other name is written as compact JSON, as the name says', async () => {
    const path = join(await freshDirectory('json'), 'demo.podpath.json');
    await writeSnapshotFile(path, demo);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(`${JSON.stringify(demo)}\n`);
  });

  test('reading goes by the bytes: a gzipped file named .json and a plain one named .gz open; so does an old pretty-printed one', async () => {
    const directory = await freshDirectory('renamed');
    const gzipped = join(directory, 'gzipped.podpath.json.gz');
    await writeSnapshotFile(gzipped, small);
    await rename(gzipped, join(directory, 'renamed.podpath.json'));
    expect(await loadSnapshotFile(join(directory, 'renamed.podpath.json'))).toEqual(small);
    const plainGz = join(directory, 'plain.podpath.json.gz');
    await writeFile(plainGz, serializeSnapshot(small));
    expect(await loadSnapshotFile(plainGz)).toEqual(small);
    const old = join(directory, 'old.podpath.json');
    await writeFile(old, JSON.stringify(demo, null, 1) + '\n');
    expect(await loadSnapshotFile(old)).toEqual(demo);
  });

  test('a gzip file cut short, or corrupt, is refused naming the file and what to do', async () => {
    const directory = await freshDirectory('corrupt');
    const whole = gzipSync(serializeSnapshot(demo));
    const cut = join(directory, 'cut.podpath.json.gz');
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(loadSnapshotFile(cut)).rejects.toThrow(new RegExp(`^Cannot read snapshot ${cut.replaceAll('.', '\\.')}: a gzip file that is cut short \\(.*\\); copy or export the snapshot again\\.$`));
    const stub = join(directory, 'stub.podpath.json.gz');
    await writeFile(stub, whole.subarray(0, 3));
    await expect(loadSnapshotFile(stub)).rejects.toThrow(/^Cannot read snapshot .*stub\.podpath\.json\.gz: a gzip file that is cut short \(/);
    const garbled = join(directory, 'garbled.podpath.json.gz');
    const broken = Buffer.from(whole);
    broken.fill(0x55, 10, 40);
    await writeFile(garbled, broken);
    await expect(loadSnapshotFile(garbled)).rejects.toThrow(/^Cannot read snapshot .*garbled\.podpath\.json\.gz: a gzip file that is corrupt \(.*\); copy or export the snapshot again\.$/);
  });

  test('what a gzip file holds meets the text checks, and may not unpack past the limit', async () => {
    const directory = await freshDirectory('inside');
    const binary = join(directory, 'binary.podpath.json.gz');
    await writeFile(binary, gzipSync(Buffer.from([0x7b, 0x00, 0x7d])));
    await expect(loadSnapshotFile(binary)).rejects.toThrow(`Cannot read snapshot ${binary}: a binary file, not text (a NUL byte at offset 1).`);
    const bomb = join(directory, 'bomb.podpath.json.gz');
    await writeFile(bomb, gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x20)));
    await expect(readSnapshotText(bomb, 2 * 1024 * 1024)).rejects.toThrow(`${bomb}: gzipped, and it unpacks to more than the 2 MB of JSON Podpath reads`);
    expect((await readSnapshotText(bomb, 4 * 1024 * 1024)).length).toBe(3 * 1024 * 1024);
  });
});
