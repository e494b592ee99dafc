/**
 * The backend behind both doors (the desktop window and `podpath serve`): it holds the open
 * source — the bundled demo, a snapshot file, or a live context — derives the model from it,
 * and answers the renderer's requests of `shared/ipc.ts`. It knows nothing of the transport.
 */
import { basename, join } from 'node:path';
import { datapathUnavailableReason, kubeletDnsUnavailableReason, type EventName, type Events, type KindStatus, type ObjectView, type RequestHandlers, type SnapshotExport, type SourceInfo, type ViewState } from '../../shared/ipc.ts';
import { objectKinds, type ClusterObjects, type ObjectKind } from '../../shared/kube/objects.ts';
import { trimObject } from '../../shared/kube/trim.ts';
import { parseSnapshot, serializeSnapshot, snapshotFormat, snapshotVersion, type Snapshot } from '../../shared/snapshot/format.ts';
import { deriveSnapshot } from '../../shared/topology/derive.ts';
import { objectIdForElement, objectIdOf } from '../../shared/topology/ids.ts';
import type { Topology } from '../../shared/model/types.ts';
import { defaultAssetsDir, demoFileName } from './assets.ts';
import { DatapathReads, type DatapathReadOptions } from './datapath-read.ts';
import { configForContext } from './kube/context-config.ts';
import { redact } from './kube/kube-error.ts';
import { listContexts, loadKubeconfig } from './kube/kubeconfig.ts';
import { rememberContext } from './kube/remembered-context.ts';
import { LiveSession, type SessionOptions } from './session.ts';
import { loadSnapshotFile, snapshotExtension } from './snapshot-file.ts';

// Re-exported for the doors that open the demo and snapshot files through the backend.
export { defaultAssetsDir, demoFileName, loadSnapshotFile };

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
  /** The current source as a snapshot (objects trimmed again, never credentials) and the file
   * name to suggest for it. */
  snapshotNow(): { fileName: string; snapshot: Snapshot };
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
  /** How nodes' datapath is read in a live context (tests shorten the timeout, choose the namespace). */
  probe?: DatapathReadOptions;
}

/** What is open: a fixed snapshot (the demo, a file) or a live session. */
type Opened =
  | { kind: 'static'; source: SourceInfo; topology: Topology; snapshot: Snapshot }
  | { kind: 'live'; source: SourceInfo; session: LiveSession; reads: DatapathReads };

function openedSnapshot(snapshot: Snapshot, source: SourceInfo): Opened {
  return { kind: 'static', source, topology: deriveSnapshot(snapshot), snapshot };
}

/** Every object passed through the trimmer again on its way out: a snapshot opened from a file
 * may carry fields (an `env` value, an annotation) Podpath would never have kept itself. */
function retrimmed(objects: ClusterObjects): ClusterObjects {
  const out = {} as Record<ObjectKind, unknown[]>;
  for (const kind of objectKinds) out[kind] = (objects[kind] ?? []).flatMap((object) => trimObject(kind, object) ?? []);
  return out as unknown as ClusterObjects;
}

/** A file name safe on every OS: letters, digits, `.`, `_` and `-` only. */
function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'cluster';
}

/** `2025-07-01T09:00:00.000Z` → `20250701-090000`. */
function compactTime(iso: string): string {
  return iso.replace(/\.\d+Z$|Z$/, '').replace(/[-:]/g, '').replace('T', '-');
}

/** The name suggested for an export: always the gzipped form (`….podpath.json.gz`), the name
 * of a snapshot opened from a file kept as far as it goes (`prod.podpath.json` → `….json.gz`). */
export function exportFileName(source: SourceInfo, capturedAt: string): string {
  if (source.kind === 'demo') return `${demoFileName}.gz`;
  if (source.kind === 'snapshot') {
    const name = safeFileName(source.label);
    if (/\.json\.gz$/i.test(name)) return name;
    return /\.json$/i.test(name) ? `${name}.gz` : `${name}${snapshotExtension}`;
  }
  return `${safeFileName(source.label)}-${compactTime(capturedAt)}${snapshotExtension}`;
}

export async function openBackend(request: SourceRequest, options: BackendOptions = {}): Promise<Backend> {
  const backend = createBackend(options);
  await backend.open(request);
  return backend;
}

export function backendFromSnapshot(snapshot: Snapshot, source: SourceInfo): Backend {
  const backend = createBackend({});
  backend.replace(openedSnapshot(snapshot, source));
  return backend;
}

/**
 * The handlers with their failures' messages redacted: they cross to the page (and browser
 * mode's socket), where a credential in a kubeconfig or a server URL has no business.
 */
function withRedactedErrors(handlers: RequestHandlers): RequestHandlers {
  const redacting = Object.entries(handlers).map(([name, handler]) => [
    name,
    async (payload: never) => {
      try {
        return await (handler as (payload: never) => unknown)(payload);
      } catch (error) {
        if (!(error instanceof Error)) throw new Error(redact(String(error)), { cause: error });
        error.message = redact(error.message);
        throw error;
      }
    },
  ]);
  return Object.fromEntries(redacting) as RequestHandlers;
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
    if (opened.kind === 'static') {
      return { sessionId, seq: 0, source: opened.source, topology: opened.topology, kinds: [], layout: opened.snapshot.layout ?? null };
    }
    return { sessionId, seq: opened.session.seq, source: opened.source, topology: opened.session.topology, kinds: opened.session.kinds(), layout: null };
  }

  function replace(next: Opened): void {
    const previous = opened;
    opened = next;
    sessionId++;
    if (previous?.kind === 'live') {
      previous.reads.cancel();
      void previous.session.close();
    }
    emit('didOpenSource', { sessionId, source: next.source });
  }

  async function openStatic(request: Exclude<SourceRequest, { kind: 'context' }>): Promise<Opened> {
    const path = request.kind === 'demo' ? join(assetsDir, demoFileName) : request.path;
    const snapshot = await loadSnapshotFile(path);
    const source: SourceInfo =
      request.kind === 'demo'
        ? { kind: 'demo', label: 'Demo cluster', note: request.note ?? null }
        : { kind: 'snapshot', label: basename(request.path), note: null };
    return openedSnapshot(snapshot, source);
  }

  async function openContext(context: string, namespaces: string[] | undefined): Promise<Opened> {
    const loaded = loadKubeconfig(kubeconfigPaths);
    const config = configForContext(loaded, context);
    // Deltas and kind states go out only while this session is the open one, with the id it got
    // when it replaced the last one. (Not "the next id": a snapshot or the demo may be opened
    // while this context is still connecting.)
    let self: Opened | null = null;
    const session = await LiveSession.open({
      config,
      contextName: context,
      namespaces,
      ...options.session,
      onDelta: (delta) => {
        if (self !== null && opened === self) emit('didChangeTopology', { ...delta, sessionId });
      },
      onKinds: (kinds: KindStatus[]) => {
        if (self !== null && opened === self) emit('didChangeKinds', { sessionId, kinds });
      },
    });
    if (options.stateFile) {
      try {
        rememberContext(options.stateFile, loaded.files, context);
      } catch {
        // Remembering the choice is a convenience; failing to write it must not fail the open.
      }
    }
    const reads = new DatapathReads(session, config, context, options.probe ?? {}, ({ node, line, done }) => {
      if (self !== null && opened === self) emit('didProgressDatapath', { sessionId, node, line, done });
    });
    self = { kind: 'live', session, reads, source: { kind: 'cluster', label: context, note: null } };
    return self;
  }

  async function open(request: SourceRequest): Promise<ViewState> {
    const next = request.kind === 'context' ? await openContext(request.context, request.namespaces) : await openStatic(request);
    replace(next);
    return state();
  }

  function objectsNow(): ClusterObjects | null {
    if (!opened) return null;
    return opened.kind === 'static' ? opened.snapshot.objects : opened.session.objects();
  }

  function snapshotNow(): { fileName: string; snapshot: Snapshot } {
    if (!opened) throw new Error('Nothing is open to export.');
    if (opened.kind === 'static') {
      const { snapshot } = opened;
      return {
        fileName: exportFileName(opened.source, snapshot.source.capturedAt),
        snapshot: { ...snapshot, objects: retrimmed(snapshot.objects) },
      };
    }
    // A live picture is exported as it stands now, stamped with the time of the export.
    const { datapath, ...now } = opened.session.source();
    const source = { ...now, capturedAt: new Date().toISOString() };
    return {
      fileName: exportFileName(opened.source, source.capturedAt),
      snapshot: {
        format: snapshotFormat,
        version: snapshotVersion,
        source,
        objects: retrimmed(opened.session.objects()),
        ...(datapath ? { datapath: [...datapath] } : {}),
      },
    };
  }

  return {
    get source() {
      return state().source;
    },
    replace,
    open,
    snapshotNow,
    handlers: withRedactedErrors({
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
      openSnapshot: async ({ name, text }) => {
        // Parsed before anything is replaced: a file that does not parse leaves the current
        // source open, and the error names the file and its first problem.
        const snapshot = parseSnapshot(text, name);
        replace(openedSnapshot(snapshot, { kind: 'snapshot', label: name, note: null }));
        return state();
      },
      exportSnapshot: ({ layout }): SnapshotExport => {
        const { fileName, snapshot } = snapshotNow();
        const text = serializeSnapshot(layout ? { ...snapshot, layout } : snapshot);
        // What leaves must open again: refused here, with the reader's own message, otherwise.
        parseSnapshot(text, fileName);
        return { fileName, text };
      },
      readDatapath: ({ nodes, isConfirmed }) => {
        if (!opened) throw new Error('Nothing is open yet.');
        if (opened.kind === 'static') return { status: 'unavailable', reason: datapathUnavailableReason(opened.source) ?? 'Not a live context.' };
        return opened.reads.read(nodes, isConfirmed === true);
      },
      cancelDatapathRead: () => ({ isCancelled: opened?.kind === 'live' ? opened.reads.cancel() : false }),
      readKubeletDns: ({ nodes }) => {
        if (!opened) throw new Error('Nothing is open yet.');
        if (opened.kind === 'static') throw new Error(kubeletDnsUnavailableReason(opened.source) ?? 'Not a live context.');
        return opened.session.readKubeletDns(nodes);
      },
    }),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      if (opened?.kind === 'live') {
        opened.reads.cancel();
        await opened.session.close();
      }
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
    const reason = redact(error instanceof Error ? error.message : String(error));
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
