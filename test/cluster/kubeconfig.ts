/**
 * Reading the kubeconfig test/cluster/up writes: the server, CA and credentials of one of its
 * users, inline or by file — what connectControlPlane and the harness's own client need.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

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
