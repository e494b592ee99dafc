/**
 * One open context (design §2): a list-and-watch per kind → trimmed caches → derive → deltas,
 * coalesced to at most one per `coalesceMs` and sequence-numbered.
 *
 * RBAC shapes what can be read: a kind the user may not list cluster-wide is read per namespace
 * (the context's namespace and any the user names); a kind they cannot read anywhere is marked
 * forbidden and the rest of the picture is still drawn.
 *
 * A kind counts as read only once a LIST of it succeeded; until then, and while it is
 * `unavailable` (5xx answers, timeouts, reconnecting try after try), it is named in the source's
 * `unavailableKinds` with the reason, so no one takes its absence for an empty cluster.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { NodeReading } from '../../shared/datapath/reading.ts';
import type { KindState, KindStatus, KubeletDnsRead } from '../../shared/ipc.ts';
import { emptyObjects, type ClusterObjects, type ObjectKind } from '../../shared/kube/objects.ts';
import { trimObject } from '../../shared/kube/trim.ts';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import type { Topology } from '../../shared/model/types.ts';
import { derive } from '../../shared/topology/derive.ts';
import { IncrementalDerive, type ObjectChange } from '../../shared/topology/incremental.ts';
import { createKubeClient, KubeHttpError, type KubeClient } from './kube/client.ts';
import { describeKubeError } from './kube/errors.ts';
import { kindSpecs, pathOf, type KindSpec } from './kube/kinds.ts';
import { redact } from './kube/kube-error.ts';
import { readKubeletDns, withKubeletDns, type KubeletDnsReading } from './kube/kubelet-dns.ts';
import { isFinal, ListWatch, type ListWatchOptions, type ListWatchState } from './kube/list-watch.ts';

export interface SessionOptions {
  config: KubeConfig;
  contextName: string;
  /** Namespaces to read kinds in when they cannot be listed cluster-wide. */
  namespaces?: string[];
  coalesceMs?: number;
  /** How long opening waits for every kind's first list before drawing what it has. */
  firstViewTimeoutMs?: number;
  onDelta?: (delta: TopologyDelta) => void;
  onKinds?: (kinds: KindStatus[]) => void;
  /** Passed to every list-watch (tests shorten timeouts with it). */
  listWatch?: Partial<Pick<ListWatchOptions<unknown>, 'watchTimeoutSeconds' | 'idleTimeoutMs' | 'listTimeoutMs' | 'unavailableAfter' | 'backoff' | 'pageSize'>>;
}

type Trimmed = ClusterObjects[ObjectKind][number];

/** The reading of one kind: one list-watch cluster-wide, or one per readable namespace. */
class KindReader {
  state: KindState = 'loading';
  reason: string | null = null;
  scope: 'cluster' | string[] = 'cluster';
  /** Why the scope is narrower than the cluster, shown while live. */
  private scopeNote: string | null = null;
  watches: ListWatch<Trimmed>[] = [];
  private readonly states = new Map<ListWatch<Trimmed>, { state: ListWatchState; reason: string | null }>();

  readonly spec: KindSpec;
  private readonly session: LiveSession;

  constructor(spec: KindSpec, session: LiveSession) {
    this.spec = spec;
    this.session = session;
  }

  status(): KindStatus {
    return { kind: this.spec.kind, state: this.state, count: this.count(), reason: this.reason, scope: this.scope };
  }

  count(): number {
    let n = 0;
    for (const watch of this.watches) n += watch.cache.size;
    return n;
  }

  objects(): Trimmed[] {
    return this.watches.flatMap((watch) => [...watch.cache.values()]);
  }

  /** Why the picture lacks this kind (or may lack some of it), or null when it is all read. */
  unavailableReason(): string | null {
    if (this.state === 'absent') return null;
    if (this.state === 'forbidden' || this.state === 'failed' || this.state === 'unavailable') return this.reason ?? this.state;
    if (this.watches.length > 0 && this.watches.every((w) => w.lists > 0)) return null;
    return this.reason ? `not listed yet: ${this.reason}` : 'not listed yet';
  }

  async start(fallbackNamespaces: string[]): Promise<void> {
    const { spec } = this;
    if (spec.isOptional && !(await this.session.hasResource(spec))) {
      this.setState('absent', `${spec.prefix.replace('/apis/', '')} is not installed in this cluster`);
      return;
    }
    if (spec.namespaces) return this.startInNamespaces(spec.namespaces, false);
    const watch = this.newWatch(pathOf(spec));
    this.watches = [watch];
    try {
      await watch.start();
      this.scope = 'cluster';
      this.refresh();
    } catch (error) {
      this.watches = [];
      await watch.stop();
      if (error instanceof KubeHttpError && error.statusCode === 403 && spec.isNamespaced && fallbackNamespaces.length > 0) {
        return this.startInNamespaces(fallbackNamespaces, true, error);
      }
      this.fail(error);
    }
  }

  /** Reads the kind in each namespace that allows it; forbidden only when none does. */
  private async startInNamespaces(namespaces: string[], isFallback: boolean, clusterError?: unknown): Promise<void> {
    const readable: string[] = [];
    let lastError: unknown = clusterError;
    await Promise.all(
      namespaces.map(async (namespace) => {
        const watch = this.newWatch(pathOf(this.spec, namespace));
        this.watches.push(watch);
        try {
          await watch.start();
          readable.push(namespace);
        } catch (error) {
          this.watches = this.watches.filter((w) => w !== watch);
          await watch.stop();
          lastError = error;
        }
      }),
    );
    this.scope = readable.sort();
    if (readable.length > 0) {
      if (isFallback) this.scopeNote = `not readable cluster-wide; read in ${this.scope.join(', ')}`;
      this.refresh();
      return;
    }
    this.fail(lastError);
  }

  private newWatch(path: string): ListWatch<Trimmed> {
    const watch: ListWatch<Trimmed> = new ListWatch<Trimmed>({
      client: this.session.client,
      path,
      trim: (raw) => trimObject(this.spec.kind, raw) as Trimmed | null,
      onChange: (change) => this.session.recordChange(this.spec.kind, change),
      onStatus: (state, reason) => {
        this.states.set(watch, { state, reason });
        if (this.watches.includes(watch)) this.refresh();
      },
      ...this.session.listWatchOptions,
    });
    return watch;
  }

  private refresh(): void {
    const states = this.watches.map((w) => this.states.get(w) ?? { state: 'loading' as const, reason: null });
    // The worst state of its watches: failed, then unavailable, then reconnecting.
    const troubled = (['failed', 'unavailable', 'reconnecting'] as const).flatMap((state) => states.filter((s) => s.state === state).map((s) => ({ ...s, state })))[0];
    if (troubled) this.setState(troubled.state, troubled.reason);
    else if (states.some((s) => s.state === 'loading')) this.setState('loading', null);
    else this.setState('live', this.scopeNote);
  }

  private fail(error: unknown): void {
    const forbidden = error instanceof KubeHttpError && error.statusCode === 403;
    const described = describeKubeError(error, { server: this.session.client.server, context: this.session.contextName, resource: this.spec.resource });
    this.setState(forbidden ? 'forbidden' : 'failed', described.message);
  }

  private setState(state: KindState, rawReason: string | null): void {
    // A reason travels to the page, the CLI and snapshot files (unavailableKinds): never a credential.
    const reason = rawReason === null ? null : redact(rawReason);
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    // The cluster's unavailableKinds follow the state: the model says it, not only the chips.
    this.session.kindsChanged({ isSourceChanged: true });
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches.map((w) => w.stop()));
  }
}

export class LiveSession {
  readonly client: KubeClient;
  readonly contextName: string;
  readonly listWatchOptions: SessionOptions['listWatch'];
  kubernetesVersion: string | null = null;
  topology: Topology;
  seq = 0;
  private readonly readers: KindReader[];
  private readonly options: SessionOptions;
  private timer: NodeJS.Timeout | null = null;
  /** The model, kept up to date object by object. */
  private model: IncrementalDerive | null = null;
  private changes: ObjectChange[] = [];
  private needsFullDerive = false;
  private isStarted = false;
  private isClosed = false;
  private kindsTimer: NodeJS.Timeout | null = null;
  private readonly capturedAt = new Date().toISOString();
  /** The nodes' datapath readings (issue 13), the newest per node, in the order first read. */
  private readings: NodeReading[] = [];
  /** The kubelets' DNS settings read from their configz (issue 15), by node name: joined to the
   * Nodes on every derive, so relists and watch events keep them. */
  private readonly kubeletDns: KubeletDnsReading['byNode'] = new Map();

  private constructor(options: SessionOptions) {
    this.options = options;
    this.contextName = options.contextName;
    this.listWatchOptions = options.listWatch;
    this.client = createKubeClient(options.config);
    this.readers = kindSpecs.map((spec) => new KindReader(spec, this));
    this.topology = derive(emptyObjects(), this.source());
  }

  /**
   * Connects (failing fast, with a message naming the cause, when the server cannot be reached
   * or the credentials are refused) and lists every kind once; watches then keep it current.
   */
  static async open(options: SessionOptions): Promise<LiveSession> {
    const session = new LiveSession(options);
    try {
      const version = await session.client.getJSON<{ gitVersion?: string }>('/version', { timeoutMs: 15_000 });
      session.kubernetesVersion = version.gitVersion ?? null;
    } catch (error) {
      throw describeKubeError(error, { server: session.client.server, context: options.contextName });
    }
    const defaultNamespace = options.config.getContextObject(options.contextName)?.namespace ?? 'default';
    const fallback = [...new Set([defaultNamespace, ...(options.namespaces ?? [])])];
    // A kind still loading after this long is drawn when it arrives; the first view doesn't wait.
    const started = Promise.all(session.readers.map((reader) => reader.start(fallback)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([started, new Promise((resolve) => (timer = setTimeout(resolve, options.firstViewTimeoutMs ?? 30_000)))]);
    clearTimeout(timer);
    if (session.isClosed) return session;
    session.model = new IncrementalDerive(session.objects(), session.source());
    session.topology = session.model.topology;
    session.isStarted = true;
    session.emitKinds();
    return session;
  }

  kinds(): KindStatus[] {
    return this.readers.map((r) => r.status());
  }

  objects(): ClusterObjects {
    const objects = emptyObjects();
    for (const reader of this.readers) (objects[reader.spec.kind] as Trimmed[]) = reader.objects();
    if (this.kubeletDns.size > 0) objects.nodes = withKubeletDns(objects.nodes, { byNode: this.kubeletDns });
    return objects;
  }

  /** Where the model comes from, and the readings derive joins with it (DeriveSource). */
  source() {
    return {
      ...(this.readings.length > 0 ? { datapath: this.readings } : {}),
      context: this.contextName,
      server: this.client.server,
      kubernetesVersion: this.kubernetesVersion,
      capturedAt: this.capturedAt,
      unavailableKinds: this.readers.flatMap((r) => {
        const reason = r.unavailableReason();
        return reason === null ? [] : [{ kind: r.spec.kind, reason }];
      }),
    };
  }

  async hasResource(spec: KindSpec): Promise<boolean> {
    try {
      const list = await this.client.getJSON<{ resources?: { name: string }[] }>(spec.prefix, { timeoutMs: 15_000 });
      return (list.resources ?? []).some((r) => r.name === spec.resource);
    } catch (error) {
      if (isFinal(error)) return false;
      throw error;
    }
  }

  /**
   * Keeps nodes' readings, each replacing the one before of its node (a failed read of a node
   * brings none, so the last good one stays), and derives the whole model again with them.
   */
  addReadings(readings: readonly NodeReading[]): void {
    if (readings.length === 0 || this.isClosed) return;
    const next = [...this.readings];
    for (const reading of readings) {
      const index = next.findIndex((r) => r.node === reading.node);
      if (index >= 0) next[index] = reading;
      else next.push(reading);
    }
    this.readings = next;
    if (!this.isStarted) return;
    this.needsFullDerive = true;
    this.timer ??= setTimeout(() => this.flush(), this.options.coalesceMs ?? 100);
  }

  /**
   * Reads the kubelets' clusterDNS and clusterDomain (every Node held, or the ones named), keeps
   * what answered, each replacing the one before of its node, and derives the model again.
   */
  async readKubeletDns(nodes?: readonly string[]): Promise<KubeletDnsRead> {
    const names = nodes ?? this.objects().nodes.map((n) => n.metadata.name);
    if (names.length === 0) {
      const why = this.readers.find((r) => r.spec.kind === 'nodes')?.unavailableReason();
      return { read: 0, of: 0, problems: [why ? `no Nodes to ask: ${why}` : 'no Nodes to ask: this context has none'] };
    }
    const reading = await readKubeletDns(this.client, names, { concurrency: 4 });
    if (!this.isClosed && reading.byNode.size > 0) {
      for (const [node, dns] of reading.byNode) this.kubeletDns.set(node, dns);
      if (this.isStarted) {
        this.needsFullDerive = true;
        this.timer ??= setTimeout(() => this.flush(), this.options.coalesceMs ?? 100);
      }
    }
    // They travel to the page: never a credential, whatever a proxy error quoted.
    return { read: reading.byNode.size, of: names.length, problems: reading.problems.map(redact) };
  }

  datapath(): readonly NodeReading[] {
    return this.readings;
  }

  /** Notes a change for the next flush; `null` (a relist) asks for a full derive. */
  recordChange(kind: ObjectKind, change: { uid: string; object: unknown } | null): void {
    if (!this.isStarted || this.isClosed) return;
    if (change === null) this.needsFullDerive = true;
    else this.changes.push({ kind, ...change });
    this.timer ??= setTimeout(() => this.flush(), this.options.coalesceMs ?? 100);
  }

  kindsChanged({ isSourceChanged = false } = {}): void {
    if (!this.isStarted || this.isClosed) return;
    if (isSourceChanged) this.timer ??= setTimeout(() => this.flush(), this.options.coalesceMs ?? 100);
    this.kindsTimer ??= setTimeout(() => this.emitKinds(), this.options.coalesceMs ?? 100);
  }

  private emitKinds(): void {
    if (this.kindsTimer) clearTimeout(this.kindsTimer);
    this.kindsTimer = null;
    this.options.onKinds?.(this.kinds());
  }

  /** Derives what changed since the last flush and sends it as one delta. */
  private flush(): void {
    this.timer = null;
    if (this.isClosed || !this.model) return;
    const changes = this.changes;
    this.changes = [];
    const isFull = this.needsFullDerive;
    this.needsFullDerive = false;
    const objects = this.objects();
    const delta = isFull ? this.model.reset(objects, this.source(), this.seq + 1) : this.model.update(changes, objects, this.source(), this.seq + 1);
    this.topology = this.model.topology;
    if (delta.added.length === 0 && delta.updated.length === 0 && delta.removed.length === 0 && !delta.cluster) return;
    this.seq = delta.seq;
    this.options.onDelta?.(delta);
    // The kinds' counts moved with the objects.
    this.kindsChanged();
  }

  /** Stops every watch and timer; nothing of the session is left running. */
  async close(): Promise<void> {
    this.isClosed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.kindsTimer) clearTimeout(this.kindsTimer);
    this.timer = this.kindsTimer = null;
    await Promise.all(this.readers.map((r) => r.stop()));
  }
}
