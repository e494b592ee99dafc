/**
 * The KubeConfig a session talks to a cluster with: one context of the merged kubeconfig, made
 * current in a copy of its own, whose authentication failures come out as KubeErrors.
 */
import { createHash } from 'node:crypto';
import type { AgentOptions } from 'node:https';
import { KubeConfig, type Cluster, type RequestContext } from '@kubernetes/client-node';
import { describeKubeError } from './errors.ts';
import { execFailed } from './exec-errors.ts';
import { KubeError } from './kube-error.ts';
import type { LoadedKubeconfig } from './kubeconfig.ts';
import { isRecord } from './raw.ts';

/**
 * A KubeConfig of its own with `context` current: fresh authenticators and copies of the entries,
 * so nothing a session does (token refreshes, caches) reaches the shared one. Failures of its
 * authentication (credential plugins, files it names) come out as KubeErrors.
 */
export function configForContext(loaded: LoadedKubeconfig, context: string): KubeConfig {
  const source = loaded.config;
  const info = loaded.contexts.find((c) => c.name === context);
  if (!info) {
    const names = loaded.contexts.map((c) => c.name);
    throw new KubeError('context-not-found', `Context ${context} is not in ${loaded.files.join(', ')}.`, {
      hint: names.length > 0 ? `Available contexts: ${names.join(', ')}.` : 'That kubeconfig defines no contexts.',
    });
  }
  const ctx = source.getContextObject(context);
  if (!ctx || !source.getCluster(ctx.cluster)) {
    const why = info.cluster
      ? `refers to cluster ${info.cluster}, which is not defined (or has no server)`
      : 'names no cluster';
    throw new KubeError('kubeconfig-invalid', `Context ${context} ${why} in ${loaded.files.join(', ')}.`, {
      hint: 'Fix the context or its cluster entry in the kubeconfig.',
    });
  }
  const kc = new ContextKubeConfig();
  kc.loadFromOptions(
    structuredClone({
      clusters: source.getClusters(),
      users: source.getUsers(),
      contexts: source.getContexts(),
      currentContext: context,
    }),
  );
  return kc;
}

type Dispatcher = { close(): Promise<void> };
type CreateDispatcher = (cluster: Cluster | null, agentOptions: AgentOptions) => Dispatcher | undefined;

/**
 * After a request to the cluster failed below HTTP (a reset, a timeout, a watch gone quiet): new
 * requests get new connections, so none waits on a half-open one left in the pool. The old pool
 * closes once the requests still on it (other watches) have ended.
 */
export function dropConnections(config: KubeConfig): void {
  if (config instanceof ContextKubeConfig) config.dropConnections();
}

/**
 * A KubeConfig whose authentication failures are KubeErrors naming the context and the cause, and
 * that keeps one connection pool. client-node makes a new undici Agent for every request (a new
 * connection and TLS handshake, and an Agent left to the collector with its idle socket), which
 * grew a live session's RSS by ~120 MB over a fault soak. The pool is kept while its TLS options
 * stay the same; when they change (an exec plugin's rotated client certificate), or after a
 * failure (dropConnections), the old one is closed once its requests have ended.
 */
class ContextKubeConfig extends KubeConfig {
  #pool: { key: string; dispatcher: Dispatcher } | null = null;

  constructor() {
    super();
    // `createDispatcher` is private in client-node's types, so it is replaced on the instance.
    const create = (KubeConfig.prototype as unknown as { createDispatcher: CreateDispatcher }).createDispatcher;
    const options = (KubeConfig.prototype as unknown as { createDispatcherOptions: (c: Cluster | null, o: AgentOptions) => unknown }).createDispatcherOptions;
    const reuse: CreateDispatcher = (cluster, agentOptions) => {
      const key = poolKey(options.call(this, cluster, agentOptions));
      if (this.#pool?.key === key) return this.#pool.dispatcher;
      const dispatcher = create.call(this, cluster, agentOptions);
      this.dropConnections();
      this.#pool = dispatcher ? { key, dispatcher } : null;
      return dispatcher;
    };
    Object.defineProperty(this, 'createDispatcher', { value: reuse });
  }

  dropConnections(): void {
    const old = this.#pool;
    this.#pool = null;
    if (old) void old.dispatcher.close().catch(() => {});
  }
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    try {
      await super.applySecurityAuthentication(context);
    } catch (error) {
      throw this.describeAuthError(error);
    }
  }

  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    try {
      await super.applyToHTTPSOptions(opts);
    } catch (error) {
      throw this.describeAuthError(error);
    }
  }

  private describeAuthError(error: unknown): KubeError {
    if (error instanceof KubeError) return error;
    const context = this.getCurrentContext();
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    const exec = execCommandOfUser(user);
    const where = { context, server: cluster?.server, ...(exec ? { auth: `exec:${exec}` } : {}) };
    // The exec authenticator rejects with `new Error(stderr)`, or a SyntaxError for output that is not JSON.
    if (exec && error instanceof Error && !('code' in error) && (error.constructor === Error || error instanceof SyntaxError)) {
      return execFailed(exec, error.message, where, error);
    }
    const code = (error as NodeJS.ErrnoException | null)?.code;
    const path = (error as NodeJS.ErrnoException | null)?.path;
    if ((code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') && path && !(error as NodeJS.ErrnoException).syscall?.startsWith('spawn')) {
      const refs: Array<[string | undefined, string]> = [
        [cluster?.caFile, `certificate-authority file of cluster ${cluster?.name}`],
        [user?.certFile, `client-certificate file of user ${user?.name}`],
        [user?.keyFile, `client-key file of user ${user?.name}`],
        [user?.authProvider?.config?.tokenFile, `token-file of user ${user?.name}`],
      ];
      const what = refs.find(([file]) => file === path)?.[1];
      if (what) {
        const problem = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : 'cannot be read (permission denied)';
        return new KubeError('kubeconfig-invalid', `The ${what} (context ${context}), ${path}, ${problem}.`, {
          hint: 'Fix the path in the kubeconfig, or refresh the credentials that should be there.',
          cause: error,
        });
      }
    }
    return describeKubeError(error, where);
  }
}

function execCommandOfUser(user: ReturnType<KubeConfig['getCurrentUser']>): string | null {
  if (!user) return null;
  const exec: unknown = user.exec ?? user.authProvider?.config?.exec;
  return isRecord(exec) && typeof exec.command === 'string' ? exec.command : null;
}

/** A digest of a pool's options (TLS material included, never kept in the clear). */
function poolKey(options: unknown): string {
  const text = JSON.stringify(options, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value));
  return createHash('sha256').update(text ?? '').digest('hex');
}
