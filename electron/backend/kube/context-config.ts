/**
 * The KubeConfig a session talks to a cluster with: one context of the merged kubeconfig, made
 * current in a copy of its own, whose authentication failures come out as KubeErrors.
 */
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
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

/** A KubeConfig whose authentication failures are KubeErrors naming the context and the cause. */
class ContextKubeConfig extends KubeConfig {
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
