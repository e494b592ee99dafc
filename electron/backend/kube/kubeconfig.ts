/**
 * Kubeconfig loading for the backend: which files (`--kubeconfig`, `KUBECONFIG`, `~/.kube/config`),
 * merged the way kubectl merges them, and the contexts they offer (never their credentials). A
 * context's own KubeConfig is context-config.ts; the context last used, remembered-context.ts.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { ContextInfo, ContextList } from '../../../shared/ipc.ts';
import { checkYamlDepth, formatPath, NestingError, tooDeepAt } from '../../../shared/kube/nesting.ts';
import { FileReadError, readTextFileSync } from '../read-text.ts';
import { describeKubeError } from './errors.ts';
import { KubeError, serverOrigin } from './kube-error.ts';
import { isRecord, type Raw } from './raw.ts';
import { lastUsedContext } from './remembered-context.ts';

export interface LoadedKubeconfig {
  /** The files read, in merge order (absolute). */
  files: string[];
  /** Everything merged, current-context set. Use configForContext() to talk to a cluster. */
  config: KubeConfig;
  contexts: ContextInfo[];
  /** current-context, when it names a context that exists. */
  current: string | null;
}

/**
 * The kubeconfig files to read, as kubectl chooses them: `--kubeconfig` alone if given; else the
 * entries of KUBECONFIG (empty ones and repeats dropped); else ~/.kube/config. Absolute paths.
 */
export function kubeconfigPaths(options: { explicit?: string; env?: NodeJS.ProcessEnv; home?: string } = {}): string[] {
  if (options.explicit) return [resolve(options.explicit)];
  const env = options.env ?? process.env;
  const fromEnv = env.KUBECONFIG ?? '';
  if (fromEnv.length > 0) {
    const paths: string[] = [];
    for (const entry of fromEnv.split(delimiter)) {
      if (!entry) continue;
      const path = resolve(entry);
      if (!paths.includes(path)) paths.push(path);
    }
    if (paths.length > 0) return paths;
  }
  return [join(options.home ?? homedir(), '.kube', 'config')];
}

interface NamedEntry {
  name: string;
  /** The inner `cluster` / `user` / `context` object. */
  body: Raw;
  file: string;
}

const sections = [
  ['clusters', 'cluster'],
  ['users', 'user'],
  ['contexts', 'context'],
] as const;

/**
 * Reads and merges kubeconfig files with kubectl's rules: for clusters, users and contexts the
 * first file to define a name wins; current-context comes from the first file that sets one.
 * Files that do not exist are skipped, unless none exists (so an explicit --kubeconfig that does
 * not exist is an error). Relative file paths in a file are resolved against its directory.
 */
export function loadKubeconfig(paths: string[]): LoadedKubeconfig {
  if (paths.length === 0) throw new KubeError('kubeconfig-missing', 'No kubeconfig file was given.');
  const merged = { clusters: new Map<string, NamedEntry>(), users: new Map<string, NamedEntry>(), contexts: new Map<string, NamedEntry>() };
  let currentContext: string | null = null;
  const files: string[] = [];

  for (const given of paths) {
    const file = resolve(given);
    const text = readKubeconfigText(file);
    if (text === null) continue;
    files.push(file);
    const parsed = parseKubeconfig(file, text);
    for (const [section] of sections) {
      for (const entry of parsed[section]) {
        if (!merged[section].has(entry.name)) merged[section].set(entry.name, entry);
      }
    }
    if (currentContext === null && parsed.currentContext) currentContext = parsed.currentContext;
  }

  if (files.length === 0) {
    const [only] = paths;
    if (paths.length === 1 && only) {
      throw new KubeError('kubeconfig-missing', `The kubeconfig ${resolve(only)} does not exist.`, {
        hint: 'Pass --kubeconfig, set KUBECONFIG, or create one with your cluster tool (e.g. `aws eks update-kubeconfig`, `gcloud container clusters get-credentials`, `kind create cluster`).',
      });
    }
    throw new KubeError('kubeconfig-missing', `None of the kubeconfig files exist: ${paths.map((p) => resolve(p)).join(', ')}.`, {
      hint: 'Check KUBECONFIG or pass --kubeconfig.',
    });
  }

  const contexts = [...merged.contexts.values()].map((entry) => contextInfo(entry, merged.clusters, merged.users));
  const current = currentContext !== null && merged.contexts.has(currentContext) ? currentContext : null;

  const config = new KubeConfig();
  config.loadFromString(
    JSON.stringify({
      clusters: [...merged.clusters.values()].map((e) => ({ name: e.name, cluster: e.body })),
      users: [...merged.users.values()].map((e) => ({ name: e.name, user: clientNodeUser(e.body) })),
      contexts: [...merged.contexts.values()].map((e) => ({ name: e.name, context: e.body })),
      'current-context': current ?? undefined,
    }),
    // A cluster without a server must not hide every other context; configForContext reports it.
    { onInvalidEntry: 'filter' },
  );
  return { files, config, contexts, current };
}

/** The file's text; null when it does not exist. Other read failures are errors, and so is a
 * file over the size limit or one that is not text. */
function readKubeconfigText(file: string): string | null {
  try {
    return readTextFileSync(file);
  } catch (error) {
    const cause = error instanceof FileReadError ? error.cause : error;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (cause) throw describeKubeError(cause, { file });
    throw new KubeError('kubeconfig-invalid', `Cannot read the kubeconfig ${file}: ${(error as FileReadError).problem}.`, {
      hint: 'Point KUBECONFIG / --kubeconfig at a kubeconfig file.',
    });
  }
}

interface ParsedFile {
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  currentContext: string | null;
}

function parseKubeconfig(file: string, text: string): ParsedFile {
  try {
    checkYamlDepth(text);
  } catch (error) {
    if (!(error instanceof NestingError)) throw error;
    throw new KubeError('kubeconfig-invalid', `The kubeconfig ${file}${error.line ? `:${error.line}` : ''} is not valid YAML: ${error.message}.`, {
      hint: 'Fix that line, or point KUBECONFIG / --kubeconfig at another file.',
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const [yamlError] = doc.errors;
  if (yamlError) throw describeKubeError(yamlError, { file });
  const invalid = (node: unknown, problem: string): KubeError => {
    const line = lineOf(node, lineCounter);
    return new KubeError('kubeconfig-invalid', `The kubeconfig ${file}${line ? `:${line}` : ''} is not valid: ${problem}.`, {
      hint: 'Fix that entry, or point KUBECONFIG / --kubeconfig at another file.',
    });
  };

  const result: ParsedFile = { clusters: [], users: [], contexts: [], currentContext: null };
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias without its anchor, or one that expands too far.
    throw invalid(doc.contents, error instanceof Error ? error.message.replace(/\.$/, '') : String(error));
  }
  if (root === null || root === undefined) return result; // an empty file is an empty config, as for kubectl
  // An alias inside its own anchor makes a value that contains itself, which no JSON can hold.
  const cycle = tooDeepAt(root);
  if (cycle) throw invalid(doc.contents, new NestingError(formatPath(cycle)).message);
  if (typeof root !== 'object' || Array.isArray(root)) {
    throw invalid(doc.contents, 'it is not a kubeconfig (expected a mapping with clusters, users and contexts)');
  }
  const top = root as Raw;

  for (const [section, inner] of sections) {
    const list = top[section];
    if (list === null || list === undefined) continue;
    const listNode = nodeAt(doc, [section]);
    if (!Array.isArray(list)) throw invalid(listNode, `${section} must be a list`);
    const seen = new Set<string>();
    list.forEach((item: unknown, index) => {
      const itemNode = nodeAt(doc, [section, index]);
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw invalid(itemNode, `${section}[${index}] must be a mapping with name and ${inner}`);
      }
      const name = (item as Raw).name;
      if ((typeof name !== 'string' && typeof name !== 'number') || name === '') {
        throw invalid(itemNode, `${section}[${index}] has no name`);
      }
      const key = String(name);
      // client-go refuses a name repeated within one file.
      if (seen.has(key)) throw invalid(itemNode, `${inner} name "${key}" appears twice`);
      seen.add(key);
      const body = (item as Raw)[inner] ?? {};
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw invalid(itemNode, `${section}[${index}] (${key}): ${inner} must be a mapping`);
      }
      result[section].push({ name: key, body: resolvePaths(inner, body as Raw, dirname(file)), file });
    });
  }
  const current = top['current-context'];
  if (typeof current === 'string' && current) result.currentContext = current;
  else if (typeof current === 'number') result.currentContext = String(current);
  return result;
}

function nodeAt(doc: Document, path: Array<string | number>): unknown {
  return doc.getIn(path, true);
}

function lineOf(node: unknown, lineCounter: LineCounter): number | null {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  if (!range) return null;
  return lineCounter.linePos(range[0]).line;
}

/** kubectl resolves relative file references (and exec commands given as a path) against the file's directory. */
function resolvePaths(kind: 'cluster' | 'user' | 'context', body: Raw, base: string): Raw {
  const out: Raw = { ...body };
  const fix = (key: string) => {
    const value = out[key];
    if (typeof value === 'string' && value && !isAbsolute(value)) out[key] = join(base, value);
  };
  if (kind === 'cluster') {
    fix('certificate-authority');
  } else if (kind === 'user') {
    fix('client-certificate');
    fix('client-key');
    fix('token-file');
    const exec = out.exec;
    if (isRecord(exec) && typeof exec.command === 'string' && !isAbsolute(exec.command) && /[\\/]/.test(exec.command)) {
      out.exec = { ...exec, command: join(base, exec.command) };
    }
  }
  return out;
}

/**
 * What client-node should see of a user. A token-file becomes client-node's file token source,
 * read when a request is made (and re-read as client-go does), not while listing contexts.
 */
function clientNodeUser(user: Raw): Raw {
  const out: Raw = { ...user };
  const tokenFile = out['token-file'];
  delete out['token-file'];
  if (typeof tokenFile === 'string' && tokenFile && !out.exec && !out['auth-provider']) {
    // As in client-go, the file takes precedence over an inline token.
    delete out.token;
    out['auth-provider'] = { name: 'tokenFile', config: { tokenFile } };
  }
  return out;
}

function contextInfo(entry: NamedEntry, clusters: Map<string, NamedEntry>, users: Map<string, NamedEntry>): ContextInfo {
  const clusterName = stringOf(entry.body.cluster) ?? '';
  const userName = stringOf(entry.body.user) ?? '';
  const namespace = stringOf(entry.body.namespace);
  const cluster = clusters.get(clusterName)?.body;
  const user = userName ? users.get(userName)?.body : undefined;
  const warnings: string[] = [];

  let server: string | null = null;
  if (!cluster) {
    warnings.push(`Cluster ${clusterName || '(none)'} is not defined in the kubeconfig`);
  } else {
    const rawServer = stringOf(cluster.server);
    server = serverOrigin(rawServer);
    if (!rawServer) warnings.push(`Cluster ${clusterName} has no server`);
    else if (!server) warnings.push(`The server address of cluster ${clusterName} is not a URL`);
    const insecure = cluster['insecure-skip-tls-verify'] === true;
    if (insecure) warnings.push('TLS verification is disabled (insecure-skip-tls-verify)');
    if (server?.startsWith('http:')) {
      warnings.push(insecure ? 'Plain HTTP: traffic to the API server is not encrypted' : 'Plain http:// server: refused unless insecure-skip-tls-verify is set');
    }
    const serverName = stringOf(cluster['tls-server-name']);
    if (serverName) warnings.push(`TLS server name overridden to ${serverName}`);
    const proxy = stringOf(cluster['proxy-url']);
    if (proxy) {
      const origin = serverOrigin(proxy);
      warnings.push(`through proxy ${origin ? new URL(origin).host : '(invalid proxy-url)'}`);
    }
    const caFile = stringOf(cluster['certificate-authority']);
    if (caFile && !isFile(caFile)) warnings.push(`Certificate authority file ${caFile} does not exist`);
  }

  if (userName && !user) warnings.push(`User ${userName} is not defined in the kubeconfig; requests will be anonymous`);
  if (user) {
    for (const key of ['client-certificate', 'client-key', 'token-file']) {
      const file = stringOf(user[key]);
      if (file && !isFile(file)) warnings.push(`The ${key} file ${file} does not exist`);
    }
  }

  return {
    name: entry.name,
    cluster: clusterName,
    server,
    user: userName,
    namespace,
    auth: authOf(user),
    warnings,
  };
}

/** How a user authenticates, in one word (never the credential itself). */
export function authOf(user: Raw | undefined): string {
  if (!user) return 'none';
  const exec = user.exec;
  if (isRecord(exec)) {
    const command = stringOf(exec.command);
    return command ? `exec:${basename(command)}` : 'exec';
  }
  const provider = user['auth-provider'];
  if (isRecord(provider)) {
    const name = stringOf(provider.name) ?? 'unknown';
    if (name === 'oidc') return 'oidc';
    if (name === 'tokenFile') return 'token-file';
    if (isRecord(provider.config) && isRecord(provider.config.exec)) {
      const command = stringOf(provider.config.exec.command);
      return command ? `exec:${basename(command)}` : 'exec';
    }
    return `auth-provider:${name}`;
  }
  if (user['client-certificate'] || user['client-certificate-data']) return 'client-certificate';
  if (user['token-file']) return 'token-file';
  if (user.token) return 'token';
  if (user.username || user.password) return 'basic';
  return 'none';
}

/** The contexts of these kubeconfig files for the renderer. Never throws: a failure is `error`. */
export function listContexts(paths: string[], stateFile: string | null): ContextList {
  try {
    const loaded = loadKubeconfig(paths);
    const names = new Set(loaded.contexts.map((c) => c.name));
    const last = stateFile ? lastUsedContext(stateFile, loaded.files) : null;
    const preferred = last !== null && names.has(last) ? last : loaded.current;
    return { files: loaded.files, contexts: loaded.contexts, preferred, error: null };
  } catch (error) {
    return {
      files: paths.map((p) => resolve(p)),
      contexts: [],
      preferred: null,
      error: describeKubeError(error).message,
    };
  }
}

function stringOf(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  if (typeof value === 'number') return String(value);
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
