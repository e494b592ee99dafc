/**
 * The test side of the real control plane: start and stop it (test/cluster/up, down,
 * restart-apiserver) and talk to it as one of its users.
 *
 * Most tests get the kubeconfig the vitest globalSetup (./global-setup.ts) provided:
 *
 *   const kubeconfig = inject('kubeconfig');
 *   test.skipIf(!kubeconfig)('…', async () => {
 *     const cp = connectControlPlane(kubeconfig);
 *     const api = adminApi(cp);
 *     …
 *   });
 *
 * The cluster is fake below the API: Nodes and Pods are objects the test creates, Pod status is
 * patched in, no kubelet or scheduler runs. kube-controller-manager makes EndpointSlices. Nothing
 * may dial a pod or Service IP; they are not routable here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { Agent, fetch } from 'undici';
import { parse } from 'yaml';
import type {
  ContainerPort,
  Container,
  EndpointSlice,
  Ingress,
  KubeNode,
  Namespace,
  NetworkPolicy,
  Pod,
  Service,
} from '../../shared/kube/objects.ts';

export const clusterScripts = {
  build: join(import.meta.dirname, 'build'),
  up: join(import.meta.dirname, 'up'),
  down: join(import.meta.dirname, 'down'),
  restartApiServer: join(import.meta.dirname, 'restart-apiserver'),
};

// ---------------------------------------------------------------------------------------------
// Starting and stopping

export interface ControlPlane {
  /** Path of the kubeconfig with the contexts `admin` (current), `limited` and `cert`. */
  kubeconfig: string;
  /** `https://127.0.0.1:<port>`; the same after restarts. */
  server: string;
  /** The state dir: logs/, pids/, cmd/, env, pki/, serving/. */
  dir: string;
  /** True when `up` found this control plane already running (see StartOptions.dir). */
  reused: boolean;
  /** Stops everything and removes the state dir (test/cluster/down); a no-op when reused. */
  stop(): Promise<void>;
  /**
   * Stops kube-apiserver only; etcd and the controllers keep running. A graceful stop (SIGTERM:
   * GOAWAY, watches closed, about 2 s; SIGKILL after 5 s), or with `{ kill: true }` a crash (SIGKILL
   * at once: connections reset).
   */
  stopApiServer(options?: { kill?: boolean }): Promise<void>;
  /** Starts kube-apiserver again with the exact command line and port; resolves once /readyz is ok. */
  startApiServer(): Promise<void>;
  /** stopApiServer() then startApiServer(). */
  restartApiServer(): Promise<void>;
}

export class ControlPlaneError extends Error {
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super(stderr.trim() ? `${message}\n${stderr.trim()}` : message);
    this.name = 'ControlPlaneError';
    this.stderr = stderr;
  }
}

/** The scripts need a `node` on PATH (to pick free ports); give them the one running this. */
function scriptEnv(dir: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  if (dir !== undefined) env.PODPATH_CLUSTER_DIR = dir;
  return env;
}

export interface RunOptions {
  dir?: string;
  /** Called with each line the script writes to stderr (progress of a cold build, say). */
  onStderr?: (line: string) => void;
}

/** Runs one of the scripts; resolves with its stdout, rejects with its stderr in the message. */
export function runScript(script: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(script, args, { env: scriptEnv(options.dir), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const name = script.slice(script.lastIndexOf('/') + 1);
        reject(new ControlPlaneError(`test/cluster/${name} ${args.join(' ')} failed (${error.code ?? error.signal ?? error.message})`, stderr));
      } else resolvePromise(stdout);
    });
    const onStderr = options.onStderr;
    if (onStderr) {
      let pending = '';
      child.stderr?.on('data', (chunk: Buffer | string) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onStderr(line);
      });
      child.stderr?.on('end', () => {
        if (pending) onStderr(pending);
      });
    }
  });
}

/** Builds the binaries if they are not cached yet (test/cluster/build); resolves with the bin folder. */
export async function buildControlPlane(options: RunOptions = {}): Promise<string> {
  const out = await runScript(clusterScripts.build, [], options);
  return out.trim().split('\n').pop() ?? '';
}

export interface StartOptions extends RunOptions {
  /**
   * The state dir. Default: $PODPATH_CLUSTER_DIR if set — where `up` reuses a control plane that
   * is already running, and then stop() leaves it running — else a new temporary folder.
   */
  dir?: string;
}

/** Runs test/cluster/up (building first if needed) and resolves once the API is ready. */
export async function startControlPlane(options: StartOptions = {}): Promise<ControlPlane> {
  const dir = options.dir ?? process.env.PODPATH_CLUSTER_DIR ?? mkdtempSync(join(tmpdir(), 'podpath-cluster-'));
  let reused = false;
  const stdout = await runScript(clusterScripts.up, [], {
    dir,
    onStderr: (line) => {
      if (line.startsWith('up: reusing')) reused = true;
      options.onStderr?.(line);
    },
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('KUBECONFIG=')) throw new ControlPlaneError(`test/cluster/up printed no KUBECONFIG= line (last line: ${last})`, '');
  const cp = connectControlPlane(last.slice('KUBECONFIG='.length));
  return reused ? { ...cp, reused, stop: async () => {} } : cp;
}

/**
 * A handle on a control plane `up` already started, from its kubeconfig (which lives in the state
 * dir) — what a test file does with `inject('kubeconfig')`.
 */
export function connectControlPlane(kubeconfig: string): ControlPlane {
  const dir = dirname(kubeconfig);
  const server = readKubeconfig(kubeconfig, 'admin').server;
  const restart = (arg: string) => runScript(clusterScripts.restartApiServer, [arg], { dir }).then(() => {});
  return {
    kubeconfig,
    server,
    dir,
    reused: false,
    stop: () => runScript(clusterScripts.down, [], { dir }).then(() => {}),
    stopApiServer: (options) => restart(options?.kill ? 'kill' : 'stop'),
    startApiServer: () => restart('start'),
    restartApiServer: () => restart('restart'),
  };
}

// ---------------------------------------------------------------------------------------------
// Kubeconfig

export type ContextName = 'admin' | 'limited' | 'cert';

export interface Credentials {
  context: string;
  server: string;
  ca: string;
  namespace?: string;
  token?: string;
  cert?: string;
  key?: string;
}

interface KubeconfigFile {
  clusters?: { name: string; cluster: Record<string, string | undefined> }[];
  users?: { name: string; user: Record<string, string | undefined> }[];
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
}

/** The server, CA and credentials of one context of a kubeconfig `up` wrote. */
export function readKubeconfig(path: string, context: string = 'admin'): Credentials {
  const config = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const ctx = config.contexts?.find((c) => c.name === context)?.context;
  if (!ctx) throw new Error(`${path}: no context ${context}`);
  const cluster = config.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === ctx.user)?.user;
  if (!cluster?.server || !user) throw new Error(`${path}: context ${context} has no cluster server or user`);
  const file = (p: string) => readFileSync(isAbsolute(p) ? p : resolve(dirname(path), p), 'utf8');
  const data = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const pick = (entry: Record<string, string | undefined>, name: string): string | undefined => {
    const inline = entry[`${name}-data`];
    if (inline) return data(inline);
    const p = entry[name];
    return p ? file(p) : undefined;
  };
  const ca = pick(cluster, 'certificate-authority');
  if (!ca) throw new Error(`${path}: cluster ${ctx.cluster} has no certificate-authority`);
  const creds: Credentials = { context, server: cluster.server, ca };
  if (ctx.namespace) creds.namespace = ctx.namespace;
  if (user.token) creds.token = user.token;
  const cert = pick(user, 'client-certificate');
  const key = pick(user, 'client-key');
  if (cert) creds.cert = cert;
  if (key) creds.key = key;
  return creds;
}

// ---------------------------------------------------------------------------------------------
// A small API client

/** A non-2xx answer; `reason` is the Status reason (`Forbidden`, `NotFound`, `AlreadyExists`, …). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    let reason = '';
    let message = body;
    try {
      const parsed = JSON.parse(body) as { reason?: string; message?: string };
      reason = parsed.reason ?? '';
      message = parsed.message ?? body;
    } catch {
      // not a Status object
    }
    super(`${method} ${path}: ${status} ${reason} ${message}`.replace(/\s+/g, ' ').trim());
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

export interface ObjectOptions {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface NodeOptions {
  podCIDR?: string;
  /** Default [podCIDR]. */
  podCIDRs?: string[];
  internalIP: string;
  externalIP?: string;
  /** The Ready condition; default true. */
  ready?: boolean;
  labels?: Record<string, string>;
}

export interface PodOptions extends ObjectOptions {
  nodeName?: string;
  hostNetwork?: boolean;
  /** Default: one container `app` with `ports`. */
  containers?: Container[];
  initContainers?: Container[];
  ports?: ContainerPort[];
}

export interface PodStatusOptions {
  podIP?: string;
  /** Default [podIP]. */
  podIPs?: string[];
  hostIP?: string;
  /** Default Running. */
  phase?: string;
  /** The Ready and ContainersReady conditions and each container's ready flag; default true. */
  ready?: boolean;
}

export type ServiceOptions = ObjectOptions & Service['spec'];
export type NetworkPolicyOptions = ObjectOptions & NetworkPolicy['spec'];
export type IngressOptions = ObjectOptions & Ingress['spec'];

interface List<T> {
  items: T[];
  metadata?: { continue?: string; resourceVersion?: string };
}

export interface KubeApi {
  readonly server: string;
  readonly context: string;
  /** One request; rejects with KubeApiError on a non-2xx answer. `path` starts with /api or /apis. */
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  get<T = unknown>(path: string): Promise<T>;
  /** Every item of a list path, following `continue` tokens. */
  list<T = unknown>(path: string): Promise<T[]>;
  create<T = unknown>(path: string, body: unknown): Promise<T>;
  /** A merge patch by default; pass `application/strategic-merge-patch+json` or `application/json-patch+json` for others. */
  patch<T = unknown>(path: string, body: unknown, contentType?: string): Promise<T>;
  /**
   * Deletes; resolves also when the object is already gone. The grace period defaults to 0: with no
   * kubelet a Pod on a Node would otherwise stay Terminating forever. Pass null for the server's default.
   */
  deleteObject(path: string, options?: { gracePeriodSeconds?: number | null }): Promise<void>;
  createNamespace(name: string, labels?: Record<string, string>): Promise<Namespace>;
  /** A Node with addresses and a Ready condition (status patched after creation). */
  createNode(name: string, options: NodeOptions): Promise<KubeNode>;
  /** Retries while the namespace's `default` ServiceAccount does not exist yet. */
  createPod(namespace: string, options: PodOptions): Promise<Pod>;
  /** Merge-patches the status subresource: IPs, phase, conditions, container statuses. */
  setPodStatus(namespace: string, name: string, options: PodStatusOptions): Promise<Pod>;
  createService(namespace: string, options: ServiceOptions): Promise<Service>;
  createNetworkPolicy(namespace: string, options: NetworkPolicyOptions): Promise<NetworkPolicy>;
  createIngress(namespace: string, options: IngressOptions): Promise<Ingress>;
  /** The EndpointSlices kube-controller-manager made for a Service. */
  endpointSlicesOf(namespace: string, service: string): Promise<EndpointSlice[]>;
  waitFor: typeof waitFor;
  /** Closes the connections. */
  close(): Promise<void>;
}

/** Thrown inside a waitFor callback: give up at once with `inner` rather than retry. */
export class StopWaiting extends Error {
  readonly inner: unknown;
  constructor(inner: unknown) {
    super(inner instanceof Error ? inner.message : String(inner));
    this.name = 'StopWaiting';
    this.inner = inner;
  }
}

/**
 * Polls `fn` until it returns something other than undefined/null/false and resolves with that;
 * a throw counts as "not yet" (so `expect` works inside), except StopWaiting. Rejects after `timeoutMs` with the last value or error.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value as Exclude<T, undefined | null | false>;
      last = value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error.inner;
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

const meta = (namespace: string | undefined, o: ObjectOptions) => ({
  name: o.name,
  ...(namespace ? { namespace } : {}),
  ...(o.labels ? { labels: o.labels } : {}),
  ...(o.annotations ? { annotations: o.annotations } : {}),
});

function specOf<T extends ObjectOptions>(o: T): Omit<T, 'name' | 'labels' | 'annotations'> {
  const { name: _name, labels: _labels, annotations: _annotations, ...spec } = o;
  return spec;
}

/** A client acting as one of the kubeconfig's users: `admin`, `limited` or `cert`. */
export function apiAs(cp: { kubeconfig: string }, context: ContextName | string): KubeApi {
  const creds = readKubeconfig(cp.kubeconfig, context);
  const agent = new Agent({
    connect: { ca: creds.ca, ...(creds.cert ? { cert: creds.cert } : {}), ...(creds.key ? { key: creds.key } : {}) },
  });
  const base = creds.server.replace(/\/$/, '');

  async function request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (creds.token) headers.authorization = `Bearer ${creds.token}`;
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      dispatcher: agent,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new KubeApiError(method, path, res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const get = <T>(path: string) => request<T>('GET', path);
  const create = <T>(path: string, body: unknown) => request<T>('POST', path, body);
  const patch = <T>(path: string, body: unknown, contentType = 'application/merge-patch+json') => request<T>('PATCH', path, body, contentType);

  async function list<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page: List<T> = await get<List<T>>(`${path}${sep}limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  async function deleteObject(path: string, options: { gracePeriodSeconds?: number | null } = {}): Promise<void> {
    const grace = options.gracePeriodSeconds === undefined ? 0 : options.gracePeriodSeconds;
    const sep = path.includes('?') ? '&' : '?';
    try {
      await request('DELETE', grace === null ? path : `${path}${sep}gracePeriodSeconds=${grace}`);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
  }

  async function createNode(name: string, o: NodeOptions): Promise<KubeNode> {
    const podCIDRs = o.podCIDRs ?? (o.podCIDR ? [o.podCIDR] : undefined);
    const podCIDR = o.podCIDR ?? podCIDRs?.[0];
    const ready = o.ready ?? true;
    const status = {
      addresses: [
        { type: 'InternalIP', address: o.internalIP },
        ...(o.externalIP ? [{ type: 'ExternalIP', address: o.externalIP }] : []),
        { type: 'Hostname', address: name },
      ],
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'KubeletReady' : 'KubeletNotReady',
          message: ready ? 'kubelet is posting ready status' : 'not ready (set by the test)',
          lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
      nodeInfo: { kubeletVersion: 'v1.36.3', osImage: 'Podpath test node', operatingSystem: 'linux', architecture: 'amd64' },
    };
    await create('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...o.labels } },
      spec: { ...(podCIDR ? { podCIDR } : {}), ...(podCIDRs ? { podCIDRs } : {}) },
    });
    return patch<KubeNode>(`/api/v1/nodes/${name}/status`, { status });
  }

  async function createPod(namespace: string, o: PodOptions): Promise<Pod> {
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(namespace, o),
      spec: {
        ...(o.nodeName ? { nodeName: o.nodeName } : {}),
        ...(o.hostNetwork ? { hostNetwork: true } : {}),
        containers: o.containers ?? [{ name: 'app', image: 'registry.invalid/podpath/app:1', ...(o.ports ? { ports: o.ports } : {}) }],
        ...(o.initContainers ? { initContainers: o.initContainers } : {}),
        terminationGracePeriodSeconds: 0,
      },
    };
    // The ServiceAccount admission plugin refuses Pods until the namespace's `default`
    // ServiceAccount exists, which kube-controller-manager makes just after the namespace.
    return waitFor(
      async () => {
        try {
          return await create<Pod>(`/api/v1/namespaces/${namespace}/pods`, body);
        } catch (error) {
          if (error instanceof KubeApiError && error.status === 403 && /serviceaccount/i.test(error.body) && /not found/i.test(error.body)) {
            return undefined;
          }
          throw new StopWaiting(error);
        }
      },
      15_000,
      `ServiceAccount ${namespace}/default (to create Pod ${o.name})`,
    );
  }

  async function setPodStatus(namespace: string, name: string, o: PodStatusOptions): Promise<Pod> {
    const ready = o.ready ?? true;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: now });
    const pod = await get<Pod>(`/api/v1/namespaces/${namespace}/pods/${name}`);
    const podIPs = o.podIPs ?? (o.podIP ? [o.podIP] : undefined);
    const status = {
      phase: o.phase ?? 'Running',
      ...(podIPs?.[0] ? { podIP: podIPs[0], podIPs: podIPs.map((ip) => ({ ip })) } : {}),
      ...(o.hostIP ? { hostIP: o.hostIP, hostIPs: [{ ip: o.hostIP }] } : {}),
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', true),
        condition('ContainersReady', ready),
        condition('Ready', ready),
      ],
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    };
    return patch<Pod>(`/api/v1/namespaces/${namespace}/pods/${name}/status`, { status });
  }

  const api: KubeApi = {
    server: creds.server,
    context: creds.context,
    request,
    get,
    list,
    create,
    patch,
    deleteObject,
    createNamespace: (name, labels) =>
      create<Namespace>('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } }),
    createNode,
    createPod,
    setPodStatus,
    createService: (namespace, o) =>
      create<Service>(`/api/v1/namespaces/${namespace}/services`, { apiVersion: 'v1', kind: 'Service', metadata: meta(namespace, o), spec: specOf(o) }),
    createNetworkPolicy: (namespace, o) =>
      create<NetworkPolicy>(`/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta(namespace, o),
        spec: specOf(o),
      }),
    createIngress: (namespace, o) =>
      create<Ingress>(`/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: meta(namespace, o),
        spec: specOf(o),
      }),
    endpointSlicesOf: (namespace, service) =>
      list<EndpointSlice>(
        `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`,
      ),
    waitFor,
    close: () => agent.close(),
  };
  return api;
}

/** The cluster-admin client (`admin` context, token in group system:masters). */
export function adminApi(cp: { kubeconfig: string }): KubeApi {
  return apiAs(cp, 'admin');
}
