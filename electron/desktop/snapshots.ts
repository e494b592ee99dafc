/**
 * Snapshots in the desktop app: File → Open Snapshot… and File → Export Snapshot… with the
 * native dialogs, and files the OS hands over (a double-clicked `.podpath.json.gz`, macOS
 * `open-file`). The file is read here in main by the backend's own snapshot reader — the one
 * `--snapshot` and the CLI use: the size limit, gzip or plain JSON, validation — and the
 * renderer learns of the new source from the backend's `didOpenSource`.
 */
import { join } from 'node:path';
import type {
  BaseWindow,
  MessageBoxOptions,
  MessageBoxReturnValue,
  OpenDialogOptions,
  OpenDialogReturnValue,
  SaveDialogOptions,
  SaveDialogReturnValue,
} from 'electron';
import type { Backend } from '../backend/backend.ts';
import type { ViewState } from '../../shared/ipc.ts';
import type { Snapshot } from '../../shared/snapshot/format.ts';
import { snapshotExtension, writeSnapshotFile } from '../backend/snapshot-file.ts';

/** The dialogs the flows use, bound to the window by main (tests hand in stand-ins). */
export interface SnapshotDialogs {
  showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
  showError(title: string, message: string): void;
}

/** Gzipped (`.podpath.json.gz`, what Podpath writes) and plain (`.podpath.json`, older files). */
export const snapshotFilters = [
  { name: 'Podpath snapshots', extensions: ['gz', 'json'] },
  { name: 'All files', extensions: ['*'] },
];

/** Reads the file at `path` and opens it as the backend's source; rejects naming the problem
 * (the current source stays open). */
export async function openSnapshotPath(backend: Pick<Backend, 'open'>, path: string): Promise<ViewState> {
  return backend.open({ kind: 'snapshot', path });
}

/** Opens `path`, telling the user in a dialog when it cannot be opened (the current picture stays). */
export async function openSnapshotReporting(backend: Pick<Backend, 'open'>, dialogs: Pick<SnapshotDialogs, 'showError'>, path: string): Promise<boolean> {
  try {
    await openSnapshotPath(backend, path);
    return true;
  } catch (error) {
    dialogs.showError('Could not open the snapshot', `${error instanceof Error ? error.message : String(error)}\n\nThe current picture is kept.`);
    return false;
  }
}

/** File → Open Snapshot…: false when the user cancelled or the file could not be opened. */
export async function openSnapshotWithDialog(backend: Pick<Backend, 'open'>, dialogs: SnapshotDialogs): Promise<boolean> {
  const choice = await dialogs.showOpenDialog({ title: 'Open snapshot', properties: ['openFile'], filters: snapshotFilters });
  const path = choice.filePaths[0];
  if (choice.canceled || !path) return false;
  return openSnapshotReporting(backend, dialogs, path);
}

/** A typed name without an extension gets the snapshot's own (gzipped); one typed with `.json`
 * or `.gz` is kept, and the file written in the form it names (snapshot-file.ts). */
export function withSnapshotExtension(path: string): string {
  return /\.(json|gz)$/i.test(path) ? path : `${path}${snapshotExtension}`;
}

/**
 * File → Export Snapshot…: the current source as a snapshot, written atomically where the user
 * chooses. Resolves to the path written, or null when cancelled or failed (the user was told).
 */
export async function exportSnapshotWithDialog(
  backend: Pick<Backend, 'snapshotNow'>,
  dialogs: SnapshotDialogs,
  defaultDirectory: string,
  write: (path: string, snapshot: Snapshot) => Promise<void> = writeSnapshotFile,
): Promise<string | null> {
  let exported: { fileName: string; snapshot: Snapshot };
  try {
    exported = backend.snapshotNow();
  } catch (error) {
    dialogs.showError('Could not export a snapshot', error instanceof Error ? error.message : String(error));
    return null;
  }
  const choice = await dialogs.showSaveDialog({
    title: 'Export snapshot',
    defaultPath: join(defaultDirectory, exported.fileName),
    filters: snapshotFilters,
    properties: ['showOverwriteConfirmation', 'createDirectory'],
  });
  if (choice.canceled || !choice.filePath) return null;
  const path = withSnapshotExtension(choice.filePath);
  try {
    await write(path, exported.snapshot);
    return path;
  } catch (error) {
    dialogs.showError('Could not export a snapshot', `${path}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/**
 * Files the OS asks the app to open can arrive before the backend exists (macOS sends
 * `open-file` before `ready` when a document launches the app). They wait here: the last one
 * asked for before the start is what the app starts with, and later ones open as they come.
 */
export class PendingFiles {
  private waiting: string[] = [];
  private opener: ((path: string) => void) | null = null;

  request(path: string): void {
    if (this.opener) this.opener(path);
    else this.waiting.push(path);
  }

  /** The file to start with, if one was asked for before the start. */
  takeLast(): string | null {
    const last = this.waiting.at(-1) ?? null;
    this.waiting = [];
    return last;
  }

  /** From now on, requests open at once; any still waiting open now, in order. */
  startOpening(opener: (path: string) => void): void {
    this.opener = opener;
    for (const path of this.waiting.splice(0)) opener(path);
  }
}

/** The slice of Electron's `dialog` the flows use, each with and without a parent window. */
export interface DialogModule {
  showOpenDialog(window: BaseWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  showSaveDialog(window: BaseWindow, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
  showSaveDialog(options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
  showMessageBox(window: BaseWindow, options: MessageBoxOptions): Promise<MessageBoxReturnValue>;
  showMessageBox(options: MessageBoxOptions): Promise<MessageBoxReturnValue>;
}

/** Dialogs attached to the app's window (sheets on macOS), or free-standing while there is none. */
export function windowDialogs(dialog: DialogModule, window: () => BaseWindow | null): SnapshotDialogs {
  return {
    showOpenDialog(options) {
      const parent = window();
      return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
    },
    showSaveDialog(options) {
      const parent = window();
      return parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options);
    },
    showError(title, message) {
      const options: MessageBoxOptions = { type: 'error', title, message: title, detail: message };
      const parent = window();
      void (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options));
    },
  };
}
