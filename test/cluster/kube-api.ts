/**
 * A small client for the control plane, acting as one of the kubeconfig's users, with helpers
 * that create the objects a test needs — including the Nodes and Pod status no kubelet makes
 * here. Plain fetch, independent of the app's client (electron/backend/kube), so setting up a
 * test does not go through the code under test.
 */
import { Agent, fetch } from 'undici';
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
import { readKubeconfig } from './kubeconfig.ts';
import type { ContextName } from './kubeconfig.ts';
import { StopWaiting, waitFor } from './wait.ts';

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
