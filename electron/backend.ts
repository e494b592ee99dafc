/**
 * The backend behind both doors (the desktop window and `podpath serve`): it holds the open
 * source — the bundled demo, a snapshot file, or a live context — derives the model from it,
 * and answers the renderer's requests of `shared/ipc.ts`. It knows nothing of the transport.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName, Events, KindStatus, ObjectView, RequestHandlers, SourceInfo, ViewState } from '../shared/ipc.ts';
import type { ClusterObjects } from '../shared/kube/objects.ts';
import { parseSnapshot, type Snapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { objectIdForElement, objectIdOf } from '../shared/topology/ids.ts';
import type { Topology } from '../shared/model/types.ts';
import { configForContext, listContexts, loadKubeconfig, rememberContext } from './kube/kubeconfig.ts';
import { LiveSession, type SessionOptions } from './session.ts';

export type SourceRequest =
  | { kind: 'demo'; note?: string }
  | { kind: 'snapshot'; path: string }
  | { kind: 'context'; context: string; namespaces?: string[] };

type Listener = <K extends EventName>(name: K, payload: Events[K]) => void;

export interface Backend {
  readonly handlers: RequestHandlers;
  /** Subscribes to backend events (topology deltas, kind states); returns the unsubscribe function. */
  onEvent(listener: Listener): () => void;
  readonly source: SourceInfo;
  /** Opens a source, replacing (and closing) the current one only when it opened. */
  open(request: SourceRequest): Promise<ViewState>;
  close(): Promise<void>;
}

export interface BackendOptions {
  assetsDir?: string;
  /** The kubeconfig files to offer contexts from, in merge order. */
  kubeconfigPaths?: string[];
  /** Where the last-used context per kubeconfig is remembered. */
  stateFile?: string;
  /** Passed to live sessions (tests shorten timeouts). */
  session?: Partial<Pick<SessionOptions, 'coalesceMs' | 'listWatch' | 'firstViewTimeoutMs'>>;
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

/** What is open: fixed objects (demo, snapshot) or a live session. */
type Opened =
  | { kind: 'static'; source: SourceInfo; topology: Topology; objects: ClusterObjects }
  | { kind: 'live'; source: SourceInfo; session: LiveSession };

export async function openBackend(request: SourceRequest, options: BackendOptions = {}): Promise<Backend> {
  const backend = createBackend(options);
  await backend.open(request);
  return backend;
}

export function backendFromSnapshot(snapshot: Snapshot, source: SourceInfo): Backend {
  const backend = createBackend({});
  backend.replace({ kind: 'static', source, topology: derive(snapshot.objects, snapshot.source), objects: snapshot.objects });
  return backend;
}

function createBackend(options: BackendOptions): Backend & { replace(opened: Opened): void } {
  const assetsDir = options.assetsDir ?? defaultAssetsDir();
  const kubeconfigPaths = options.kubeconfigPaths ?? [];
  const listeners = new Set<Listener>();
  let sessionId = 0;
  let opened: Opened | null = null;

  const emit: Listener = (name, payload) => {
    for (const listener of listeners) listener(name, payload);
  };

  function state(): ViewState {
    if (!opened) throw new Error('Nothing is open yet.');
    if (opened.kind === 'static') return { sessionId, seq: 0, source: opened.source, topology: opened.topology, kinds: [] };
    return { sessionId, seq: opened.session.seq, source: opened.source, topology: opened.session.topology, kinds: opened.session.kinds() };
  }

  function replace(next: Opened): void {
    const previous = opened;
    opened = next;
    sessionId++;
    if (previous?.kind === 'live') void previous.session.close();
  }

  async function openStatic(request: Exclude<SourceRequest, { kind: 'context' }>): Promise<Opened> {
    const path = request.kind === 'demo' ? join(assetsDir, demoFileName) : request.path;
    const snapshot = await loadSnapshotFile(path);
    const source: SourceInfo =
      request.kind === 'demo'
        ? { kind: 'demo', label: 'Demo cluster', note: request.note ?? null }
        : { kind: 'snapshot', label: basename(request.path), note: null };
    return { kind: 'static', source, topology: derive(snapshot.objects, snapshot.source), objects: snapshot.objects };
  }

  async function openContext(context: string, namespaces: string[] | undefined): Promise<Opened> {
    const loaded = loadKubeconfig(kubeconfigPaths);
    const config = configForContext(loaded, context);
    // Deltas and kind states carry the id this session will have once it replaces the current one.
    const id = sessionId + 1;
    const session = await LiveSession.open({
      config,
      contextName: context,
      namespaces,
      ...options.session,
      onDelta: (delta) => {
        if (id === sessionId) emit('didChangeTopology', { ...delta, sessionId: id });
      },
      onKinds: (kinds: KindStatus[]) => {
        if (id === sessionId) emit('didChangeKinds', { sessionId: id, kinds });
      },
    });
    if (options.stateFile) {
      try {
        rememberContext(options.stateFile, loaded.files, context);
      } catch {
        // Remembering the choice is a convenience; failing to write it must not fail the open.
      }
    }
    return { kind: 'live', session, source: { kind: 'cluster', label: context, note: null } };
  }

  async function open(request: SourceRequest): Promise<ViewState> {
    const next = request.kind === 'context' ? await openContext(request.context, request.namespaces) : await openStatic(request);
    replace(next);
    return state();
  }

  function objectsNow(): ClusterObjects | null {
    if (!opened) return null;
    return opened.kind === 'static' ? opened.objects : opened.session.objects();
  }

  return {
    get source() {
      return state().source;
    },
    replace,
    open,
    handlers: {
      getState: () => state(),
      getObject: ({ id }): ObjectView | null => {
        // A container, veth or device is shown with the object it comes from (its pod, node).
        const objectId = objectIdForElement(id);
        const objects = objectsNow();
        if (!objectId || !objects) return null;
        for (const [kind, list] of Object.entries(objects) as [keyof ClusterObjects, ClusterObjects[keyof ClusterObjects]][]) {
          for (const object of list) if (objectIdOf(kind, object) === objectId) return { id: objectId, kind, object };
        }
        return null;
      },
      listContexts: () => listContexts(kubeconfigPaths, options.stateFile ?? null),
      openContext: ({ context, namespaces }) => open({ kind: 'context', context, namespaces }),
      openDemo: () => open({ kind: 'demo' }),
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      if (opened?.kind === 'live') await opened.session.close();
      opened = null;
    },
  };
}

export interface StartRequest {
  snapshotPath?: string | null;
  isDemo?: boolean;
  context?: string | null;
  namespaces?: string[];
}

/**
 * What a door opens first: the snapshot or demo asked for; else the context asked for, or the
 * kubeconfig's preferred one; else the demo. A snapshot or context that cannot be opened falls
 * back to the demo with the reason as its note (and on `warn`), so the user gets a working app.
 */
export async function openStartupBackend(request: StartRequest, options: BackendOptions, warn: (message: string) => void): Promise<Backend> {
  const backend = createBackend(options);
  const fallBack = async (what: string, error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    warn(`${what}: ${reason}`);
    await backend.open({ kind: 'demo', note: `${what}: ${reason} Showing the demo cluster.` });
    return backend;
  };
  if (request.snapshotPath) {
    try {
      await backend.open({ kind: 'snapshot', path: request.snapshotPath });
      return backend;
    } catch (error) {
      return fallBack(`Could not open ${request.snapshotPath}`, error);
    }
  }
  const context = request.isDemo ? null : (request.context ?? listContexts(options.kubeconfigPaths ?? [], options.stateFile ?? null).preferred);
  if (!context) {
    await backend.open({ kind: 'demo', note: request.isDemo ? undefined : 'No cluster chosen: showing the bundled demo cluster.' });
    return backend;
  }
  try {
    await backend.open({ kind: 'context', context, namespaces: request.namespaces });
    return backend;
  } catch (error) {
    return fallBack(`Could not open context ${context}`, error);
  }
}
