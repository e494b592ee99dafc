import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test, vi } from 'vitest';
import { maxSnapshotBytes } from '../../shared/ipc.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { defaultAssetsDir, demoFileName, openBackend } from '../backend/backend.ts';
import {
  exportSnapshotWithDialog,
  openSnapshotPath,
  openSnapshotWithDialog,
  PendingFiles,
  windowDialogs,
  withSnapshotExtension,
  type DialogModule,
  type SnapshotDialogs,
} from './snapshots.ts';

const dir = mkdtempSync(join(tmpdir(), 'podpath-desktop-'));
const demoText = readFileSync(join(defaultAssetsDir(), demoFileName), 'utf8');

function snapshotFile(name: string, context: string): string {
  const snapshot = JSON.parse(demoText) as { source: { context: string } };
  snapshot.source.context = context;
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
}

function dialogs(answers: { open?: string[] | null; save?: string | null } = {}) {
  return {
    showOpenDialog: vi.fn(async () => ({ canceled: answers.open === null, filePaths: answers.open ?? [] })),
    showSaveDialog: vi.fn(async () => (answers.save === null ? { canceled: true } : { canceled: false, filePath: answers.save })),
    showError: vi.fn(),
  } satisfies SnapshotDialogs;
}

describe('File → Open Snapshot…', () => {
  test('the chosen file is read in main and opened through the backend', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const path = snapshotFile('staging.podpath.json', 'staging');
    const stub = dialogs({ open: [path] });
    expect(await openSnapshotWithDialog(backend, stub)).toBe(true);
    expect(stub.showOpenDialog).toHaveBeenCalledWith(expect.objectContaining({ properties: ['openFile'], filters: expect.arrayContaining([{ name: 'Podpath snapshots', extensions: ['gz', 'json'] }]) }));
    const state = await backend.handlers.getState({});
    expect(state.source).toEqual({ kind: 'snapshot', label: 'staging.podpath.json', note: null });
    expect(state.topology.cluster.context).toBe('staging');
    expect(stub.showError).not.toHaveBeenCalled();
    await backend.close();
  });

  test('a gzipped snapshot opens as a plain one does (issue 14)', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const path = join(dir, 'gzipped.podpath.json.gz');
    writeFileSync(path, gzipSync(readFileSync(snapshotFile('gzipped.json', 'gzipped'))));
    expect(await openSnapshotWithDialog(backend, dialogs({ open: [path] }))).toBe(true);
    const state = await backend.handlers.getState({});
    expect(state.source).toEqual({ kind: 'snapshot', label: 'gzipped.podpath.json.gz', note: null });
    expect(state.topology.cluster.context).toBe('gzipped');
    await backend.close();
  });

  test('cancelling changes nothing', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const before = await backend.handlers.getState({});
    expect(await openSnapshotWithDialog(backend, dialogs({ open: null }))).toBe(false);
    expect((await backend.handlers.getState({})).sessionId).toBe(before.sessionId);
    await backend.close();
  });

  test('a corrupt file: an error dialog naming the problem, and the picture is kept', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const before = await backend.handlers.getState({});
    const path = join(dir, 'half.json');
    writeFileSync(path, demoText.slice(0, 300));
    const stub = dialogs({ open: [path] });
    expect(await openSnapshotWithDialog(backend, stub)).toBe(false);
    expect(stub.showError).toHaveBeenCalledWith('Could not open the snapshot', expect.stringMatching(/^half\.json is not valid JSON .*\n\nThe current picture is kept\.$/s));
    expect((await backend.handlers.getState({})).sessionId).toBe(before.sessionId);
    await backend.close();
  });

  test('a missing file, or one over the size limit, is refused before it is read whole', async () => {
    const backend = await openBackend({ kind: 'demo' });
    await expect(openSnapshotPath(backend, join(dir, 'gone.json'))).rejects.toThrow(`Cannot read snapshot ${join(dir, 'gone.json')}: no such file.`);
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, Buffer.alloc(maxSnapshotBytes + 1, 0x20));
    await expect(openSnapshotPath(backend, huge)).rejects.toThrow(`Cannot read snapshot ${huge}: 50 MB, over the 50 MB Podpath reads.`);
    await expect(openSnapshotPath(backend, dir)).rejects.toThrow('a directory, not a file');
    await backend.close();
  });
});

describe('File → Export Snapshot…', () => {
  test('offers the suggested name and writes the snapshot atomically where the user chose', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const target = join(dir, 'exported');
    const stub = dialogs({ save: target });
    expect(await exportSnapshotWithDialog(backend, stub, '/home/ana/Documents')).toBe(`${target}.podpath.json.gz`);
    expect(stub.showSaveDialog).toHaveBeenCalledWith(expect.objectContaining({ defaultPath: '/home/ana/Documents/demo-cluster.podpath.json.gz' }));
    const written = parseSnapshot(gunzipSync(readFileSync(`${target}.podpath.json.gz`)).toString('utf8'));
    expect(written.objects).toEqual(parseSnapshot(demoText).objects);
    await backend.close();
  });

  test('cancelling writes nothing; a failed write is shown, not thrown', async () => {
    const backend = await openBackend({ kind: 'demo' });
    const write = vi.fn(async () => {
      throw new Error('EACCES: permission denied');
    });
    expect(await exportSnapshotWithDialog(backend, dialogs({ save: null }), dir, write)).toBeNull();
    expect(write).not.toHaveBeenCalled();
    const stub = dialogs({ save: '/root/x.json' });
    expect(await exportSnapshotWithDialog(backend, stub, dir, write)).toBeNull();
    expect(stub.showError).toHaveBeenCalledWith('Could not export a snapshot', '/root/x.json: EACCES: permission denied');
    await backend.close();
  });

  test('a typed name without an extension gets the snapshot one', () => {
    expect(withSnapshotExtension('/tmp/prod')).toBe('/tmp/prod.podpath.json.gz');
    expect(withSnapshotExtension('/tmp/prod.JSON')).toBe('/tmp/prod.JSON');
    expect(withSnapshotExtension('/tmp/prod.podpath.json.gz')).toBe('/tmp/prod.podpath.json.gz');
  });
});

describe('PendingFiles', () => {
  test('files handed over before the start: the last one is what the app starts with', () => {
    const pending = new PendingFiles();
    pending.request('/a.podpath.json');
    pending.request('/b.podpath.json');
    expect(pending.takeLast()).toBe('/b.podpath.json');
    const opened: string[] = [];
    pending.startOpening((path) => opened.push(path));
    expect(opened).toEqual([]);
    pending.request('/c.podpath.json');
    expect(opened).toEqual(['/c.podpath.json']);
  });

  test('files that arrive after takeLast but before the opener wait for it', () => {
    const pending = new PendingFiles();
    expect(pending.takeLast()).toBeNull();
    pending.request('/late.podpath.json');
    const opened: string[] = [];
    pending.startOpening((path) => opened.push(path));
    expect(opened).toEqual(['/late.podpath.json']);
  });
});

describe('windowDialogs', () => {
  test('dialogs attach to the window while there is one', async () => {
    const window = { id: 1 };
    let current: typeof window | null = window;
    const dialog = {
      showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })),
      showSaveDialog: vi.fn(async () => ({ canceled: true })),
      showMessageBox: vi.fn(async () => ({ response: 0, checkboxChecked: false })),
    };
    const bound = windowDialogs(dialog as unknown as DialogModule, () => current as never);
    await bound.showOpenDialog({ title: 'Open snapshot' });
    expect(dialog.showOpenDialog).toHaveBeenLastCalledWith(window, { title: 'Open snapshot' });
    bound.showError('Could not open the snapshot', 'broken');
    expect(dialog.showMessageBox).toHaveBeenLastCalledWith(window, { type: 'error', title: 'Could not open the snapshot', message: 'Could not open the snapshot', detail: 'broken' });
    current = null;
    await bound.showSaveDialog({ title: 'Export snapshot' });
    expect(dialog.showSaveDialog).toHaveBeenLastCalledWith({ title: 'Export snapshot' });
  });
});
