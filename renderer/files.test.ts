import { describe, expect, test } from 'vitest';
import { maxSnapshotBytes } from '../shared/ipc.ts';
import { gunzipSync, gzipSync } from 'node:zlib';
import { displayName, downloadSnapshot, isFileDrag, readSnapshotFile } from './files.ts';

describe('readSnapshotFile', () => {
  test('reads the text under a name the contract accepts', async () => {
    const file = new File(['{"format":"podpath.snapshot"}'], 'prod.podpath.json', { type: 'application/json' });
    await expect(readSnapshotFile(file)).resolves.toEqual({ name: 'prod.podpath.json', text: '{"format":"podpath.snapshot"}' });
  });

  test('refuses a file over the limit before reading it', async () => {
    const file = { name: 'huge.json', size: maxSnapshotBytes + 1, arrayBuffer: () => Promise.reject(new Error('must not be read')) };
    await expect(readSnapshotFile(file)).rejects.toThrow('huge.json is 50 MB; Podpath opens snapshots of up to 50 MB.');
  });

  test('a gzipped file is unpacked, whatever its name (issue 14)', async () => {
    const text = '{"format":"podpath.snapshot","note":"ünïcode"}';
    const file = new File([gzipSync(text)], 'renamed.json');
    await expect(readSnapshotFile(file)).resolves.toEqual({ name: 'renamed.json', text });
  });

  test('a gzip file cut short is named as one; one that unpacks past the limit is refused', async () => {
    const whole = gzipSync('{"format":"podpath.snapshot"}'.repeat(100));
    const cut = new File([whole.subarray(0, whole.length - 12)], 'cut.podpath.json.gz');
    await expect(readSnapshotFile(cut)).rejects.toThrow(/^cut\.podpath\.json\.gz is a gzip file that is cut short or corrupt \(.*\); copy or export the snapshot again\.$/);
    const bomb = new File([gzipSync(Buffer.alloc(maxSnapshotBytes + 1, 0x20))], 'bomb.podpath.json.gz');
    await expect(readSnapshotFile(bomb)).rejects.toThrow('bomb.podpath.json.gz unpacks to more than the 50 MB of JSON a page can send; open it with `podpath serve --snapshot bomb.podpath.json.gz` or the desktop app.');
  });

  test('names: no directories, no control characters, at most 255 characters', () => {
    expect(displayName('C:\\Users\\ana\\prod.json')).toBe('prod.json');
    expect(displayName('a\nb.json')).toBe('ab.json');
    expect(displayName('')).toBe('snapshot.json');
    expect(displayName(`${'x'.repeat(300)}.json`)).toHaveLength(255);
    expect(displayName(`${'x'.repeat(300)}.json`).endsWith('.json')).toBe(true);
  });
});

test('only drags that carry files open snapshots', () => {
  expect(isFileDrag({ dataTransfer: { types: ['Files'] } as unknown as DataTransfer })).toBe(true);
  expect(isFileDrag({ dataTransfer: { types: ['text/plain'] } as unknown as DataTransfer })).toBe(false);
  expect(isFileDrag({ dataTransfer: null })).toBe(false);
});

test('a snapshot named .gz downloads gzipped, any other as its text', async () => {
  const saved: { name: string; blob: Blob }[] = [];
  const createObjectURL = URL.createObjectURL;
  try {
    const doc = fakeDocument(saved);
    await downloadSnapshot('prod.podpath.json.gz', '{"a":1}', doc);
    await downloadSnapshot('prod.podpath.json', '{"a":1}', doc);
  } finally {
    URL.createObjectURL = createObjectURL;
  }
  expect(saved.map((s) => [s.name, s.blob.type])).toEqual([['prod.podpath.json.gz', 'application/gzip'], ['prod.podpath.json', 'application/json']]);
  expect(gunzipSync(new Uint8Array(await saved[0]!.blob.arrayBuffer())).toString('utf8')).toBe('{"a":1}');
  expect(await saved[1]!.blob.text()).toBe('{"a":1}');
});

/** A document whose links, when clicked, note the blob they point at (no DOM in these tests). */
function fakeDocument(saved: { name: string; blob: Blob }[]): Document {
  const blobs = new Map<string, Blob>();
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (blob: Blob) => {
    const url = createObjectURL(blob);
    blobs.set(url, blob);
    return url;
  };
  const link = { href: '', download: '', rel: '', hidden: false, click: () => saved.push({ name: link.download, blob: blobs.get(link.href)! }), remove: () => undefined };
  return { createElement: () => link, body: { append: () => undefined } } as unknown as Document;
}
