/**
 * When each pod event reached a watcher on this machine (this process's own watches), for the
 * watch-to-pixels benchmark (bench-watch.ts): its time zero for a change. EndpointSlice events
 * are only counted (the endpoint churn the readiness flips cause).
 */
import { performance } from 'node:perf_hooks';
import { Agent, fetch } from 'undici';
import { readKubeconfig, type KubeApi } from '../test/cluster/harness.ts';

const now = () => performance.timeOrigin + performance.now();

export class PodEvents {
  /** `uid/resourceVersion` (ADDED, MODIFIED) or `uid/deleted` → arrival, epoch ms. */
  readonly arrivals = new Map<string, number>();
  endpointSliceEvents = 0;
  private readonly controller = new AbortController();
  private readonly agent: Agent;
  private readonly creds: ReturnType<typeof readKubeconfig>;

  constructor(kubeconfig: string) {
    this.creds = readKubeconfig(kubeconfig, 'admin');
    this.agent = new Agent({ connect: { ca: this.creds.ca } });
  }

  async start(api: KubeApi): Promise<void> {
    const pods = await api.get<{ metadata: { resourceVersion: string } }>('/api/v1/pods?limit=1');
    const slices = await api.get<{ metadata: { resourceVersion: string } }>('/apis/discovery.k8s.io/v1/endpointslices?limit=1');
    await Promise.all([
      this.watch(`/api/v1/pods?watch=1&resourceVersion=${pods.metadata.resourceVersion}`, (type, object) => {
        const { uid, resourceVersion } = (object as { metadata: { uid: string; resourceVersion: string } }).metadata;
        this.arrivals.set(type === 'DELETED' ? `${uid}/deleted` : `${uid}/${resourceVersion}`, now());
      }),
      this.watch(`/apis/discovery.k8s.io/v1/endpointslices?watch=1&resourceVersion=${slices.metadata.resourceVersion}`, () => this.endpointSliceEvents++),
    ]);
  }

  /** Resolves once the watch is answered; events then arrive until stop(). */
  private async watch(path: string, onEvent: (type: string, object: unknown) => void): Promise<void> {
    const res = await fetch(`${this.creds.server}${path}&timeoutSeconds=3600`, {
      headers: { authorization: `Bearer ${this.creds.token}`, accept: 'application/json' },
      dispatcher: this.agent,
      signal: this.controller.signal,
    });
    if (!res.ok || !res.body) throw new Error(`watch ${path}: ${res.status}`);
    const decoder = new TextDecoder();
    void (async () => {
      let buffer = '';
      try {
        for await (const chunk of res.body!) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const event = JSON.parse(line) as { type: string; object: unknown };
            if (event.type !== 'BOOKMARK' && event.type !== 'ERROR') onEvent(event.type, event.object);
          }
        }
      } catch {
        // Aborted at stop().
      }
    })();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.agent.close().catch(() => {});
  }
}
