import { describe, expect, test } from 'vitest';
import { maxSnapshotBytes } from '../shared/ipc.ts';
import { displayName, isFileDrag, readSnapshotFile } from './files.ts';

describe('readSnapshotFile', () => {
  test('reads the text under a name the contract accepts', async () => {
    const file = new File(['{"format":"podpath.snapshot"}'], 'prod.podpath.json', { type: 'application/json' });
    await expect(readSnapshotFile(file)).resolves.toEqual({ name: 'prod.podpath.json', text: '{"format":"podpath.snapshot"}' });
  });

  test('refuses a file over the limit before reading it', async () => {
    const file = { name: 'huge.json', size: maxSnapshotBytes + 1, text: () => Promise.reject(new Error('must not be read')) };
    await expect(readSnapshotFile(file)).rejects.toThrow('huge.json is 50 MB; Podpath opens snapshots of up to 50 MB.');
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
