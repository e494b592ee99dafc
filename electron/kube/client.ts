/**
 * A minimal Kubernetes HTTP client over @kubernetes/client-node's authentication: the
 * kubeconfig's TLS settings, proxy-url, tokens, client certificates, exec plugins and OIDC are
 * all applied by client-node (`applySecurityAuthentication`); this file only issues GETs for
 * paged LISTs and streams WATCH responses line by line, which the session needs to control
 * itself (pagination, bookmarks, resourceVersions, aborts).
 */
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';

/** An HTTP error from the API server, with the Kubernetes Status it sent where there was one. */
export class KubeHttpError extends Error {
  readonly statusCode: number;
  readonly reason: string | null;
  readonly body: string;
  constructor(statusCode: number, body: string, path: string) {
    let status: { message?: string; reason?: string } = {};
    try {
      status = JSON.parse(body) as typeof status;
    } catch {
      // Not a Status object (a proxy's HTML page, say): keep the status code alone.
    }
    super(status.message ? `${statusCode}: ${status.message}` : `HTTP ${statusCode} for ${path}`);
    this.name = 'KubeHttpError';
    this.statusCode = statusCode;
    this.reason = status.reason ?? null;
    this.body = body;
  }
}

export interface KubeClient {
  /** scheme://host:port of the API server. */
  readonly server: string;
  getJSON<T>(path: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<T>;
  /** Opens a streaming GET and yields its lines as they arrive. */
  streamLines(path: string, signal: AbortSignal): AsyncGenerator<string>;
}

export function createKubeClient(config: KubeConfig): KubeClient {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`Context ${config.getCurrentContext()} names no cluster.`);
  const base = cluster.server.replace(/\/+$/, '');

  async function open(path: string, signal: AbortSignal) {
    const context = new RequestContext(base + path, HttpMethod.GET);
    await config.applySecurityAuthentication(context);
    const response = await fetch(base + path, {
      method: 'GET',
      headers: { ...context.getHeaders(), accept: 'application/json' },
      dispatcher: context.getDispatcher(),
      signal,
    });
    if (!response.ok) throw new KubeHttpError(response.status, await response.text().catch(() => ''), path);
    return response;
  }

  return {
    server: serverOrigin(cluster.server),
    async getJSON<T>(path: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000)];
      if (options.signal) signals.push(options.signal);
      const response = await open(path, AbortSignal.any(signals));
      return (await response.json()) as T;
    },
    async *streamLines(path: string, signal: AbortSignal): AsyncGenerator<string> {
      const response = await open(path, signal);
      if (!response.body) return;
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) yield line;
        }
      }
      if (buffered.trim()) yield buffered.trim();
    },
  };
}

/** scheme://host:port, never userinfo, path or query. */
export function serverOrigin(server: string): string {
  try {
    const url = new URL(server);
    return `${url.protocol}//${url.host}`;
  } catch {
    return server;
  }
}
