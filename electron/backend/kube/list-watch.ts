/**
 * One list-and-watch of one resource path, kept in a cache of trimmed objects.
 *
 * LIST is paged (`limit`/`continue`) and restarts when the continue token expires (410). WATCH
 * asks for bookmarks and resumes from the last resourceVersion it saw; a 410 Gone (the server no
 * longer has that history) relists, and the relist replaces the cache so deletions missed while
 * away are seen. Network failures, timeouts and 5xx answers reconnect with exponential backoff
 * and full jitter; after `unavailableAfter` failed tries in a row the state is `unavailable` (with
 * the error and the count) until a LIST or WATCH succeeds again. The loop never stops silently: it
 * ends only on `stop()` or on an error the caller must act on (401/403/404 during LIST), reported
 * through `onStatus`.
 * resourceVersions are opaque: compared only for equality, never ordered.
 */
import { STATUS_CODES } from 'node:http';
import { isEqual } from '../../../shared/topology/diff.ts';
import { KubeHttpError, type KubeClient } from './client.ts';

export type ListWatchState = 'loading' | 'live' | 'reconnecting' | 'unavailable' | 'stopped' | 'failed';

export interface ListWatchOptions<T> {
  client: KubeClient;
  /** e.g. `/api/v1/pods` or `/api/v1/namespaces/team-a/pods`. */
  path: string;
  /** Trims an API object to what the model needs; null drops it. */
  trim: (raw: unknown) => T | null;
  /** One object changed (`object` null: deleted), or `null`: the whole cache was replaced by a LIST. */
  onChange: (change: { uid: string; object: T | null } | null) => void;
  onStatus: (state: ListWatchState, reason: string | null, error?: unknown) => void;
  pageSize?: number;
  /** Server-side watch timeout; the watch is reopened from the last resourceVersion after it. */
  watchTimeoutSeconds?: number;
  /** Abort a watch that has sent nothing (not even a bookmark) for this long. */
  idleTimeoutMs?: number;
  /** Give up on one page of a LIST after this long (and try again). */
  listTimeoutMs?: number;
  /** Failed tries in a row after which the kind is `unavailable` rather than `reconnecting`. */
  unavailableAfter?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** For tests: watch from this resourceVersion once, as if the watch had fallen behind. */
  resumeFrom?: string;
}

interface ObjectList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: { metadata?: { uid?: string; resourceVersion?: string }; code?: number; message?: string; reason?: string };
}

export class GoneError extends Error {}

/** Errors during LIST that retrying cannot fix: the caller decides (e.g. per-namespace fallback). */
export function isFinal(error: unknown): boolean {
  return error instanceof KubeHttpError && [401, 403, 404].includes(error.statusCode);
}

export class ListWatch<T> {
  readonly cache = new Map<string, T>();
  resourceVersion: string | null = null;
  /** How many times the full list was (re)read; tests read it to see a relist happen. */
  lists = 0;
  /** Failed tries since the last successful LIST or WATCH. */
  private failures = 0;
  private readonly abort = new AbortController();
  private readonly options: Required<Omit<ListWatchOptions<T>, 'resumeFrom'>> & { resumeFrom?: string };
  private running: Promise<void> | null = null;

  constructor(options: ListWatchOptions<T>) {
    this.options = {
      pageSize: 500,
      watchTimeoutSeconds: 290,
      idleTimeoutMs: 150_000,
      listTimeoutMs: 60_000,
      unavailableAfter: 3,
      backoff: { initialMs: 500, maxMs: 30_000 },
      ...options,
    };
  }

  /**
   * Starts the loop; resolves when the first LIST has completed or the kind has become
   * `unavailable` (the loop keeps trying: `lists` says whether it ever listed), and rejects on an
   * error retrying cannot fix.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.running = this.run(resolve, reject);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.options.onStatus('stopped', null);
  }

  private get isStopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(listed: () => void, failed: (error: unknown) => void): Promise<void> {
    let needsList = this.options.resumeFrom === undefined;
    if (!needsList) this.resourceVersion = this.options.resumeFrom ?? null;
    let isFirst = true;
    let delay = this.options.backoff.initialMs;
    const succeeded = () => {
      delay = this.options.backoff.initialMs;
      this.failures = 0;
      this.options.onStatus('live', null);
    };
    while (!this.isStopped) {
      try {
        if (needsList) {
          await this.list();
          needsList = false;
          succeeded();
          if (isFirst) listed();
          isFirst = false;
        }
        await this.watch(succeeded);
      } catch (error) {
        if (this.isStopped) break;
        if (error instanceof GoneError || (error instanceof KubeHttpError && error.statusCode === 410)) {
          needsList = true;
          continue;
        }
        if (needsList && isFinal(error)) {
          this.options.onStatus('failed', describe(error), error);
          if (isFirst) failed(error);
          return;
        }
        this.failures++;
        if (this.failures < this.options.unavailableAfter) {
          this.options.onStatus('reconnecting', describe(error), error);
        } else {
          this.options.onStatus('unavailable', `${describe(error)} after ${this.failures} tries`, error);
          // The caller draws what it has, saying this kind is missing; the loop goes on trying.
          if (isFirst) listed();
          isFirst = false;
        }
        // Full jitter: a fleet of watchers must not reconnect in step.
        await sleep(Math.random() * delay, this.abort.signal);
        delay = Math.min(delay * 2, this.options.backoff.maxMs);
      }
    }
    if (isFirst) failed(new Error('stopped before the first list'));
  }

  private async list(): Promise<void> {
    const items = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion: string | null;
    for (;;) {
      const query = new URLSearchParams({ limit: String(this.options.pageSize) });
      if (continueToken) query.set('continue', continueToken);
      let page: ObjectList;
      try {
        page = await this.options.client.getJSON<ObjectList>(`${this.options.path}?${query}`, { signal: this.abort.signal, timeoutMs: this.options.listTimeoutMs });
      } catch (error) {
        if (continueToken && error instanceof KubeHttpError && error.statusCode === 410) {
          // The continue token expired mid-list: start over for a consistent snapshot.
          items.clear();
          continueToken = undefined;
          continue;
        }
        throw error;
      }
      for (const raw of page.items ?? []) {
        const uid = (raw as { metadata?: { uid?: string } }).metadata?.uid;
        const trimmed = this.options.trim(raw);
        if (uid && trimmed) items.set(uid, trimmed);
      }
      resourceVersion = page.metadata?.resourceVersion ?? null;
      continueToken = page.metadata?.continue || undefined;
      if (!continueToken) break;
    }
    // A relist (410 Gone, a restart) mostly finds what the cache holds: its differences go on as
    // single changes, which the model follows incrementally, unless so many changed that
    // deriving it all again costs less (issue 14: "relist as a diff against the cache").
    const changes = this.lists > 0 ? relistChanges(this.cache, items) : null;
    this.lists++;
    this.cache.clear();
    for (const [uid, item] of items) this.cache.set(uid, item);
    this.resourceVersion = resourceVersion;
    if (changes && changes.length <= Math.max(64, items.size / 4)) for (const change of changes) this.options.onChange(change);
    else this.options.onChange(null);
  }

  private async watch(onOpen: () => void): Promise<void> {
    const query = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.options.watchTimeoutSeconds),
    });
    if (this.resourceVersion) query.set('resourceVersion', this.resourceVersion);
    const abort = new AbortController();
    const onStop = () => abort.abort();
    this.abort.signal.addEventListener('abort', onStop);
    let idle: NodeJS.Timeout | undefined;
    const resetIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error(`no data from the watch for ${this.options.idleTimeoutMs / 1000} s`)), this.options.idleTimeoutMs);
    };
    try {
      resetIdle();
      const stream = await this.options.client.openStream(`${this.options.path}?${query}`, abort.signal);
      onOpen();
      for await (const line of stream) {
        resetIdle();
        try {
          this.apply(JSON.parse(line) as WatchEvent);
        } catch (error) {
          // Close the connection before unwinding: releasing a stream the server keeps open
          // would otherwise wait for the server.
          abort.abort();
          throw error;
        }
      }
    } catch (error) {
      if (abort.signal.aborted && !this.isStopped && abort.signal.reason instanceof Error && !(abort.signal.reason.name === 'AbortError')) throw abort.signal.reason;
      throw error;
    } finally {
      clearTimeout(idle);
      this.abort.signal.removeEventListener('abort', onStop);
    }
  }

  private apply(event: WatchEvent): void {
    const object = event.object;
    if (event.type === 'ERROR') {
      if (object.code === 410) throw new GoneError(object.message ?? 'resourceVersion too old');
      throw new Error(`watch error ${object.code ?? ''}: ${object.message ?? object.reason ?? 'unknown'}`);
    }
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion) this.resourceVersion = resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const uid = object.metadata?.uid;
    if (!uid) return;
    if (event.type === 'DELETED') {
      if (this.cache.delete(uid)) this.options.onChange({ uid, object: null });
      return;
    }
    const trimmed = this.options.trim(object);
    if (trimmed) this.cache.set(uid, trimmed);
    else if (!this.cache.delete(uid)) return;
    this.options.onChange({ uid, object: trimmed });
  }
}

function describe(error: unknown): string {
  if (error instanceof KubeHttpError) {
    // `500 Internal Server Error`, and the server's own words when they say more.
    const status = `${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'HTTP error'}`;
    const message = error.message.replace(/^\d+: /, '');
    return message === STATUS_CODES[error.statusCode] || message.startsWith('HTTP ') ? status : `${status}: ${message}`;
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** What a relist changed against the cache: objects added or changed (structurally), and removed. */
export function relistChanges<T>(cached: ReadonlyMap<string, T>, listed: ReadonlyMap<string, T>): { uid: string; object: T | null }[] {
  const changes: { uid: string; object: T | null }[] = [];
  for (const [uid, object] of listed) {
    const before = cached.get(uid);
    if (before === undefined || !isEqual(before, object)) changes.push({ uid, object });
  }
  for (const uid of cached.keys()) if (!listed.has(uid)) changes.push({ uid, object: null });
  return changes;
}
