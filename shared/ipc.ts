/**
 * The one contract between the backend (Electron main, or `podpath serve`) and the renderer
 * (design §6). Both transports — contextBridge + ipcRenderer in the desktop app, a WebSocket in
 * browser mode — are built from this table, and the backend validates every request payload
 * against its schema before a handler sees it.
 */
import { z } from 'zod';
import type { ClusterObjects, ObjectKind } from './kube/objects.ts';
import type { TopologyDelta } from './model/delta.ts';
import type { Id, Topology } from './model/types.ts';

export const channelPrefix = 'podpath:';

const elementId = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[a-z]+:[^\s]+$/, 'must be a model element id such as pod:<uid>');

/** A kubeconfig context name (kubectl allows almost anything but control characters). */
const contextName = z
  .string()
  .min(1)
  .max(253)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20), 'must be a context name');
/** A Node's name: a DNS subdomain. */
const nodeName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a node name');
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name');

/** The largest snapshot the app opens: far above a 150k-pod cluster's trimmed objects. */
export const maxSnapshotBytes = 50 * 1024 * 1024;

/** A file's name as the user sees it (no directories needed, none trusted). */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c === '/' || c === '\\'), 'must be a file name without directories');

/** Positions of drawn elements, saved in snapshots so a reopened one looks the same. */
const layoutSchema = z
  .record(z.string().max(512), z.object({ x: z.number().finite(), y: z.number().finite() }).strict())
  .refine((layout) => Object.keys(layout).length <= 2_000_000, 'has too many positions');

/** Request name → schema of its payload. Every payload is an object, so it can grow. */
export const requestSchemas = {
  getState: z.object({}).strict(),
  getObject: z.object({ id: elementId }).strict(),
  /** The contexts of the kubeconfig the backend was started with (never credentials). */
  listContexts: z.object({}).strict(),
  /** Closes the open source and follows a context live. Extra namespaces are read when the
   * user may not list a kind cluster-wide (design: RBAC fallback). */
  openContext: z.object({ context: contextName, namespaces: z.array(namespaceName).max(100).optional() }).strict(),
  openDemo: z.object({}).strict(),
  /** Opens a snapshot file the user chose or dropped; the renderer read it, the backend
   * validates it. A snapshot that does not parse leaves the current source open. */
  openSnapshot: z
    .object({
      name: fileName,
      text: z.string().max(maxSnapshotBytes, `must be at most ${maxSnapshotBytes / 1024 / 1024} MB`),
    })
    .strict(),
  /** The current source as a snapshot file: its trimmed objects (for a live context, as they
   * are now) and source, never credentials. */
  exportSnapshot: z.object({ layout: layoutSchema.optional() }).strict(),
  /** Reads nodes' datapath in the open live context (issue 13): one node by name, or every
   * Node the session holds. A node that is not a kind/minikube container on this machine is read
   * through a debug pod, created only when `isConfirmed` says the user agreed to the consent a
   * first, unconfirmed request answered with. */
  readDatapath: z
    .object({
      nodes: z.union([z.literal('all'), z.array(nodeName).min(1).max(1000)]),
      isConfirmed: z.boolean().optional(),
    })
    .strict(),
  /** Stops the datapath read under way; its debug pods are deleted. */
  cancelDatapathRead: z.object({}).strict(),
  /** Reads the kubelets' clusterDNS and clusterDomain from their configz in the open live context
   * (issue 15): every Node the session holds, or the ones named. It needs get on nodes/proxy, a
   * sensitive permission, so it runs only when the user asks. */
  readKubeletDns: z.object({ nodes: z.array(nodeName).min(1).max(1000).optional() }).strict(),
} as const;

export type RequestName = keyof typeof requestSchemas;
export const requestNames = Object.keys(requestSchemas) as RequestName[];

/** Where the model on screen came from. Never holds credentials. */
export interface SourceInfo {
  kind: 'demo' | 'snapshot' | 'cluster';
  /** A short name for the title bar: a context name, or a snapshot's file name. */
  label: string;
  /** Why this source was chosen, when it was a fallback (e.g. "no cluster is reachable"). */
  note: string | null;
}

export interface ViewState {
  /** Changes with every source opened; deltas of another session are stale. */
  sessionId: number;
  seq: number;
  source: SourceInfo;
  topology: Topology;
  /** How reading each kind is going; empty for a snapshot or the demo. */
  kinds: KindStatus[];
  /** The positions a snapshot was saved with, for the renderer to draw it as it was. */
  layout: Record<string, { x: number; y: number }> | null;
}

/** `unavailable`: failing try after try (5xx, timeouts); still retried, its objects not to be trusted. */
export type KindState = 'loading' | 'live' | 'reconnecting' | 'unavailable' | 'forbidden' | 'failed' | 'absent';

export interface KindStatus {
  kind: ObjectKind;
  state: KindState;
  /** Objects held now. */
  count: number;
  /** Why it is forbidden, failing or reconnecting, in words a user can act on. */
  reason: string | null;
  /** `cluster` when listed cluster-wide, else the namespaces it could be read in. */
  scope: 'cluster' | string[];
}

export interface ContextInfo {
  name: string;
  cluster: string;
  /** scheme://host:port only. */
  server: string | null;
  user: string;
  namespace: string | null;
  /** How the user authenticates, in a word: token, client-certificate, exec (with the command), oidc, … */
  auth: string;
  /** Warnings to show beside the context, e.g. TLS verification disabled. */
  warnings: string[];
}

export interface ContextList {
  /** The kubeconfig files read, in merge order. */
  files: string[];
  contexts: ContextInfo[];
  /** The context to preselect: the last one used with these files, else current-context. */
  preferred: string | null;
  /** Why no contexts could be listed, when that is so. */
  error: string | null;
}

/** The Kubernetes object behind a model element, trimmed as it is stored in snapshots. */
export interface ObjectView {
  id: Id;
  kind: string;
  object: ClusterObjects[keyof ClusterObjects][number];
}

/** A snapshot ready to save: a suggested file name and the file's text. */
export interface SnapshotExport {
  fileName: string;
  text: string;
}

/** One node's read, for the report: read or not, and why, in summarizeProbe's lines. */
export interface NodeReadReport {
  node: string;
  isRead: boolean;
  /** Where it was read from (`docker container kind-worker`, `pod default/podpath-probe-x`). */
  target: string | null;
  elapsedMs: number;
  /** What was read and what could not be, and why; the first line is the node's. */
  lines: string[];
}

/**
 * What a datapath read answered: not possible here (a snapshot, the demo), refused before
 * anything was created (RBAC, no Nodes), waiting for the user's consent to create debug pods,
 * or done, with a report per node.
 */
export type DatapathRead =
  | { status: 'unavailable'; reason: string }
  | { status: 'refused'; reason: string }
  | { status: 'needs-consent'; consent: DatapathConsent }
  | { status: 'done'; nodes: NodeReadReport[]; cancelled: boolean };

export interface DatapathConsent {
  /** The consent text, as the CLI prints it. */
  text: string;
  /** The nodes read through a debug pod; the others are containers on this machine. */
  podNodes: string[];
  namespace: string;
  image: string;
  /** What the API server said the user may do (SelfSubjectAccessReview). */
  access: string;
}

/** Why nodes' datapath cannot be read from this source, or null when it can (a live context). */
export function datapathUnavailableReason(source: SourceInfo): string | null {
  if (source.kind === 'cluster') return null;
  const what = source.kind === 'demo' ? 'The demo cluster is a snapshot' : 'This is a snapshot file';
  return `${what}: there are no nodes to read now. Open a live context to read a node's datapath; the readings a snapshot holds are shown.`;
}

/** What a kubelet DNS read did: how many of the nodes asked answered, and why the others did not. */
export interface KubeletDnsRead {
  read: number;
  of: number;
  problems: string[];
}

/** Why the kubelets' DNS settings cannot be read from this source, or null when they can. */
export function kubeletDnsUnavailableReason(source: SourceInfo): string | null {
  if (source.kind === 'cluster') return null;
  const what = source.kind === 'demo' ? 'The demo cluster is a snapshot' : 'This is a snapshot file';
  return `${what}: there are no kubelets to ask. Open a live context to read their DNS settings; the ones a snapshot holds are shown.`;
}

export interface Responses {
  getState: ViewState;
  getObject: ObjectView | null;
  listContexts: ContextList;
  openContext: ViewState;
  openDemo: ViewState;
  openSnapshot: ViewState;
  exportSnapshot: SnapshotExport;
  readDatapath: DatapathRead;
  cancelDatapathRead: { isCancelled: boolean };
  readKubeletDns: KubeletDnsRead;
}

/** Event name → payload. */
export interface Events {
  /** A change to the open session's model, coalesced (≤ one per 100 ms) and sequence-numbered. */
  didChangeTopology: TopologyDelta & { sessionId: number };
  /** How reading each kind is going (loading, live, reconnecting, forbidden, failed). */
  didChangeKinds: { sessionId: number; kinds: KindStatus[] };
  /** Another source was opened (from the renderer, the desktop menu, a file the OS handed
   * over): a renderer showing an older session fetches the whole state. */
  didOpenSource: { sessionId: number; source: SourceInfo };
  /** A datapath read's progress: a line per step (`node kind-worker: created pod …`) and, once a
   * node is done, its report. */
  didProgressDatapath: { sessionId: number; node: string | null; line: string; done: NodeReadReport | null };
}

export type EventName = keyof Events;
export const eventNames: EventName[] = ['didChangeTopology', 'didChangeKinds', 'didOpenSource', 'didProgressDatapath'];

export type RequestPayload<K extends RequestName> = z.input<(typeof requestSchemas)[K]>;

/** What the renderer calls. The desktop preload and the browser-mode client both implement it. */
export type PodpathApi = {
  [K in RequestName]: (payload: RequestPayload<K>) => Promise<Responses[K]>;
} & {
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void;
};

/** What the backend implements: the same requests, with payloads already validated. */
export type RequestHandlers = {
  [K in RequestName]: (payload: z.output<(typeof requestSchemas)[K]>) => Promise<Responses[K]> | Responses[K];
};

/** Replies cross the boundary as plain data, so an error keeps its message in both transports. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export function channelOf(name: RequestName | EventName): string {
  return channelPrefix + name;
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requestSchemas, name);
}

/**
 * Validates a request from the renderer. Unknown channels and malformed payloads are refused
 * with a reason that names the field, never passed on.
 */
export function parseRequest(
  name: unknown,
  payload: unknown,
): { ok: true; name: RequestName; payload: unknown } | { ok: false; error: { code: string; message: string } } {
  if (!isRequestName(name)) {
    return { ok: false, error: { code: 'unknown-request', message: `Unknown request ${describeName(name)}.` } };
  }
  const result = requestSchemas[name].safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'payload';
    return {
      ok: false,
      error: { code: 'invalid-payload', message: `Invalid ${name} request: ${where}: ${issue?.message ?? 'invalid'}.` },
    };
  }
  return { ok: true, name, payload: result.data };
}

/** A name the sender made up, for an error: a string cut short, else only what it is (a value
 * may nest deeper than JSON.stringify can follow). */
function describeName(name: unknown): string {
  if (typeof name === 'string') return JSON.stringify(name.length > 60 ? name.slice(0, 60) : name).replace(/"$/, name.length > 60 ? '…"' : '"');
  if (name === null || typeof name !== 'object') return `(${name === null ? 'null' : typeof name})`;
  return Array.isArray(name) ? '(a list)' : '(an object)';
}

/** Runs a validated request against the handlers and wraps the outcome as a Reply. */
export async function dispatchRequest(
  handlers: RequestHandlers,
  name: unknown,
  payload: unknown,
): Promise<Reply<unknown>> {
  const parsed = parseRequest(name, payload);
  if (!parsed.ok) return parsed;
  try {
    const handler = handlers[parsed.name] as (p: unknown) => unknown;
    return { ok: true, value: await handler(parsed.payload) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'failed', message } };
  }
}

export class PodpathError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PodpathError';
    this.code = code;
  }
}

export function unwrapReply<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw new PodpathError(reply.error.code, reply.error.message);
}

/**
 * Browser mode's WebSocket carries the same contract as JSON messages: requests with an id,
 * replies naming that id, and events.
 */
export type WireMessage =
  | { type: 'request'; id: number; name: string; payload: unknown }
  | { type: 'reply'; id: number; reply: Reply<unknown> }
  | { type: 'event'; name: EventName; payload: unknown };

/** The path of browser mode's WebSocket, on the page's own origin. */
export const socketPath = '/api';

/**
 * Browser mode's WebSocket subprotocols: the page offers `podpath` and `podpath.token.<token>`,
 * and the server answers `podpath`. The handshake is the one place the token travels (the page
 * got it from its address's fragment, which no server ever sees), and only to its own origin.
 */
export const socketProtocol = 'podpath';
export const tokenProtocolPrefix = 'podpath.token.';

export function socketProtocols(token: string | null): string[] {
  return token === null ? [socketProtocol] : [socketProtocol, tokenProtocolPrefix + token];
}
