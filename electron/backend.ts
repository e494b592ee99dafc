/**
 * The backend behind both doors (the desktop window and `podpath serve`): it holds the open
 * source — the bundled demo, a snapshot file, later a live cluster — derives the model from it,
 * and answers the renderer's requests of `shared/ipc.ts`. It knows nothing of the transport.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName, Events, ObjectView, RequestHandlers, SourceInfo, ViewState } from '../shared/ipc.ts';
import type { ClusterObjects } from '../shared/kube/objects.ts';
import { derive } from '../shared/topology/derive.ts';
import { objectIdForElement, objectIdOf } from '../shared/topology/ids.ts';
import { parseSnapshot, type Snapshot } from '../shared/snapshot/format.ts';

export type SourceRequest = { kind: 'demo'; note?: string } | { kind: 'snapshot'; path: string };

export interface Backend {
  readonly handlers: RequestHandlers;
  /** Subscribes to backend events (topology deltas); returns the unsubscribe function. */
  onEvent(listener: <K extends EventName>(name: K, payload: Events[K]) => void): () => void;
  readonly source: SourceInfo;
  close(): Promise<void>;
}

export const demoFileName = 'demo-cluster.podpath.json';

/** The repository's (or packaged app's) `assets/` folder, for plain-Node entry points. */
export function defaultAssetsDir(): string {
  return fileURLToPath(new URL('../assets/', import.meta.url));
}

export async function loadSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new Error(`Cannot read snapshot ${path}: ${reason}.`, { cause: error });
  }
  return parseSnapshot(text, basename(path));
}

export async function openBackend(request: SourceRequest, assetsDir = defaultAssetsDir()): Promise<Backend> {
  const path = request.kind === 'demo' ? join(assetsDir, demoFileName) : request.path;
  const snapshot = await loadSnapshotFile(path);
  const source: SourceInfo =
    request.kind === 'demo'
      ? { kind: 'demo', label: 'Demo cluster', note: request.note ?? null }
      : { kind: 'snapshot', label: basename(request.path), note: null };
  return backendFromSnapshot(snapshot, source);
}

export function backendFromSnapshot(snapshot: Snapshot, source: SourceInfo): Backend {
  const topology = derive(snapshot.objects, snapshot.source);
  const state: ViewState = { seq: 0, source, topology };
  const objectsById = indexObjects(snapshot.objects);
  const listeners = new Set<<K extends EventName>(name: K, payload: Events[K]) => void>();

  return {
    source,
    handlers: {
      getState: () => state,
      getObject: ({ id }): ObjectView | null => {
        // A container, veth or device is shown with the object it comes from (its pod, node).
        const objectId = objectIdForElement(id);
        return objectId ? (objectsById.get(objectId) ?? null) : null;
      },
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}

function indexObjects(objects: ClusterObjects): Map<string, ObjectView> {
  const index = new Map<string, ObjectView>();
  for (const [kind, list] of Object.entries(objects) as [keyof ClusterObjects, ClusterObjects[keyof ClusterObjects]][]) {
    for (const object of list) {
      const id = objectIdOf(kind, object);
      if (id) index.set(id, { id, kind, object });
    }
  }
  return index;
}
