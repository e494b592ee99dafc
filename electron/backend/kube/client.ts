/**
 * A minimal Kubernetes HTTP client over @kubernetes/client-node's authentication: the
 * kubeconfig's TLS settings, proxy-url, tokens, client certificates, exec plugins and OIDC are
 * all applied by client-node (`applySecurityAuthentication`); this file only issues GETs for
 * paged LISTs and streams WATCH responses line by line, which the session needs to control
 * itself (pagination, bookmarks, resourceVersions, aborts).
 */
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch, type Response } from 'undici';
import { dropConnections } from './context-config.ts';
import { serverOrigin } from './kube-error.ts';

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
  /** Opens a streaming GET; resolves once the server has answered, with its lines as they arrive. */
  openStream(path: string, signal: AbortSignal): Promise<AsyncGenerator<string>>;
}

export function createKubeClient(config: KubeConfig): KubeClient {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`Context ${config.getCurrentContext()} names no cluster.`);
  const base = cluster.server.replace(/\/+$/, '');

  async function open(path: string, signal: AbortSignal) {
    const context = new RequestContext(base + path, HttpMethod.GET);
    await config.applySecurityAuthentication(context);
    let response;
    try {
      response = await fetch(base + path, {
        method: 'GET',
        headers: { ...context.getHeaders(), accept: 'application/json' },
        dispatcher: context.getDispatcher(),
        signal,
      });
    } catch (error) {
      // No answer at all (reset, refused, timed out): the pool's connections are suspect.
      dropConnections(config);
      throw error;
    }
    if (!response.ok) throw new KubeHttpError(response.status, await response.text().catch(() => ''), path);
    return response;
  }

  /** The body, dropping the pool when it breaks off (a reset, or a watch aborted for silence). */
  async function* body(response: Response): AsyncGenerator<Uint8Array> {
    try {
      if (response.body) yield* response.body;
    } catch (error) {
      dropConnections(config);
      throw error;
    }
  }

  return {
    server: serverOrigin(cluster.server) ?? cluster.server,
    async getJSON<T>(path: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000)];
      if (options.signal) signals.push(options.signal);
      const response = await open(path, AbortSignal.any(signals));
      try {
        return (await response.json()) as T;
      } catch (error) {
        if (!(error instanceof SyntaxError)) dropConnections(config);
        throw error;
      }
    },
    async openStream(path: string, signal: AbortSignal): Promise<AsyncGenerator<string>> {
      const response = await open(path, signal);
      return lines(body(response));
    },
  };
}

async function* lines(body: AsyncIterable<Uint8Array> | null): AsyncGenerator<string> {
  if (!body) return;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield line;
    }
  }
  if (buffered.trim()) yield buffered.trim();
}
