/**
 * What the fault tests and the soak (scripts/bench-soak.ts) check after every fault: the live
 * model of one namespace against a fresh LIST of the API server — the same Pods (by uid, with the
 * label the churn keeps changing, so nothing stale), Services, NetworkPolicies and endpoints,
 * nothing missing and nothing doubled — and the process's file descriptors, sockets and memory.
 */
import { readdirSync } from 'node:fs';
import type { EndpointSlice, NetworkPolicy, Pod, Service } from '../../shared/kube/objects.ts';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { LiveSession, type SessionOptions } from '../../electron/backend/session.ts';
import type { KubeApi } from '../cluster/harness.ts';

/**
 * Short timeouts, so a half-open connection is noticed in seconds: the server ends each watch
 * after 4 s (a clean end, reopened at once), and a watch silent for 8 s, or a LIST page not
 * answered in 8 s, is given up and tried again.
 */
export const faultListWatch: SessionOptions['listWatch'] = {
  watchTimeoutSeconds: 4,
  idleTimeoutMs: 8_000,
  listTimeoutMs: 8_000,
  backoff: { initialMs: 100, maxMs: 2_000 },
};

export async function openSession(kubeconfig: string): Promise<LiveSession> {
  return LiveSession.open({ config: configForContext(loadKubeconfig([kubeconfig]), 'admin'), contextName: 'admin', coalesceMs: 50, listWatch: faultListWatch });
}

/** One line per thing the model holds of namespace `ns`, sorted; duplicates kept, so doubling shows. */
export function sessionPicture(session: LiveSession, ns: string): string[] {
  const t = session.topology;
  const services = new Map(Object.values(t.services).map((s) => [s.id, s]));
  return [
    ...Object.values(t.pods)
      .filter((p) => p.namespace === ns)
      .map((p) => `pod ${p.name} ${p.id.slice('pod:'.length)} gen=${p.labels.gen ?? ''}`),
    ...Object.values(t.services)
      .filter((s) => s.namespace === ns)
      .map((s) => `svc ${s.name}`),
    ...Object.values(t.policies)
      .filter((p) => p.namespace === ns)
      .map((p) => `netpol ${p.name}`),
    ...Object.values(t.endpoints)
      .filter((e) => services.get(e.service)?.namespace === ns)
      .map((e) => `ep ${services.get(e.service)?.name} ${e.address}`),
  ].sort();
}

/** The same lines from a fresh LIST of the API server. */
export async function apiPicture(api: KubeApi, ns: string): Promise<string[]> {
  const [pods, services, policies, slices] = await Promise.all([
    api.list<Pod>(`/api/v1/namespaces/${ns}/pods`),
    api.list<Service>(`/api/v1/namespaces/${ns}/services`),
    api.list<NetworkPolicy>(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`),
    api.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`),
  ]);
  return [
    ...pods.map((p) => `pod ${p.metadata.name} ${p.metadata.uid} gen=${p.metadata.labels?.gen ?? ''}`),
    ...services.map((s) => `svc ${s.metadata.name}`),
    ...policies.map((p) => `netpol ${p.metadata.name}`),
    ...slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses.map((a) => `ep ${s.metadata.labels?.['kubernetes.io/service-name']} ${a}`))),
  ].sort();
}

/** Null when the model equals a fresh LIST, else what differs (`-` missing from the model, `+` extra). */
export async function difference(session: LiveSession, api: KubeApi, ns: string): Promise<string | null> {
  const [model, listed] = [sessionPicture(session, ns), await apiPicture(api, ns)];
  if (JSON.stringify(model) === JSON.stringify(listed)) return null;
  const missing = listed.filter((line) => !model.includes(line)).map((l) => `- ${l}`);
  const extra = model.filter((line, i) => !listed.includes(line) || model.indexOf(line) !== i).map((l) => `+ ${l}`);
  return [...missing, ...extra].join('; ') || 'same lines, other order';
}

/** Polls until the model equals a fresh LIST; resolves with the milliseconds it took, rejects after `withinMs` saying what differs. */
export async function converge(session: LiveSession, api: KubeApi, ns: string, withinMs: number): Promise<number> {
  const start = performance.now();
  let last: string | null = 'not compared yet';
  for (let delay = 25; performance.now() - start < withinMs; delay = Math.min(delay * 2, 250)) {
    last = await difference(session, api, ns).catch((error: unknown) => `the API could not be listed: ${String(error)}`);
    if (last === null) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`the live model did not converge to a fresh LIST within ${withinMs} ms: ${last}`);
}

export interface Resources {
  fds: number;
  sockets: number;
  rssMb: number;
  heapMb: number;
}

export function resources(): Resources {
  const memory = process.memoryUsage();
  return {
    fds: readdirSync('/proc/self/fd').length,
    sockets: process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length,
    rssMb: memory.rss / 2 ** 20,
    heapMb: memory.heapUsed / 2 ** 20,
  };
}

/**
 * Changes to make while a fault is on: a Pod added (with an IP, so its Service gets an endpoint),
 * the oldest deleted, and every one relabelled (`gen`), so a missed event leaves the model stale.
 */
export class Churn {
  private next = 0;
  private readonly api: KubeApi;
  private readonly ns: string;
  private readonly nodeName: string;
  /** The first three octets of the pods' addresses. */
  private readonly net: string;
  constructor(api: KubeApi, ns: string, nodeName: string, net: string) {
    this.api = api;
    this.ns = ns;
    this.nodeName = nodeName;
    this.net = net;
  }

  async step(): Promise<void> {
    const n = ++this.next;
    const name = `churn-${n}`;
    await this.api.createPod(this.ns, { name, labels: { app: 'churn', gen: String(n) }, nodeName: this.nodeName, ports: [{ name: 'http', containerPort: 8080 }] });
    await this.api.setPodStatus(this.ns, name, { podIP: `${this.net}.${(n % 250) + 2}`, hostIP: `${this.net}.1`, ready: true });
    const pods = await this.api.list<Pod>(`/api/v1/namespaces/${this.ns}/pods`);
    const oldest = pods.filter((p) => p.metadata.name.startsWith('churn-')).sort((a, b) => Number(a.metadata.labels?.gen) - Number(b.metadata.labels?.gen));
    // Keep a handful: enough to see a doubled or lost one, few enough to list in a moment.
    for (const pod of oldest.slice(0, Math.max(0, oldest.length - 4))) await this.api.deleteObject(`/api/v1/namespaces/${this.ns}/pods/${pod.metadata.name}`, { gracePeriodSeconds: 0 });
    for (const pod of oldest.slice(-4)) await this.api.patch(`/api/v1/namespaces/${this.ns}/pods/${pod.metadata.name}`, { metadata: { labels: { gen: `${n}.${pod.metadata.name}` } } });
  }
}
