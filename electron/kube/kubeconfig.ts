/**
 * Kubeconfig loading for the backend: which files (`--kubeconfig`, `KUBECONFIG`, `~/.kube/config`),
 * merged the way kubectl merges them, the contexts they offer (never their credentials), the
 * context last used with them, and the user's shell PATH for credential plugins when the app was
 * started from a desktop launcher.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { ContextInfo, ContextList } from '../../shared/ipc.ts';
import { KubeError, describeKubeError, execFailed, serverOrigin } from './errors.ts';

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

type Raw = Record<string, unknown>;
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

/** The file's text; null when it does not exist. Other read failures are errors. */
function readKubeconfigText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw describeKubeError(error, { file });
  }
}

interface ParsedFile {
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  currentContext: string | null;
}

function parseKubeconfig(file: string, text: string): ParsedFile {
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
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return result; // an empty file is an empty config, as for kubectl
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

// ---- The context last used with a set of kubeconfig files ----------------------------------

interface StateFile {
  version: 1;
  /** Sorted absolute kubeconfig paths joined by "\n" → last context used with them. */
  lastContext: Record<string, { context: string; at: string }>;
}

const maxRemembered = 50;

function stateKey(files: string[]): string {
  return [...new Set(files.map((f) => resolve(f)))].sort().join('\n');
}

function readState(stateFile: string): StateFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(stateFile, 'utf8'));
    if (isRecord(parsed) && parsed.version === 1 && isRecord(parsed.lastContext)) {
      const lastContext: StateFile['lastContext'] = {};
      for (const [key, value] of Object.entries(parsed.lastContext)) {
        if (isRecord(value) && typeof value.context === 'string') {
          lastContext[key] = { context: value.context, at: typeof value.at === 'string' ? value.at : '' };
        }
      }
      return { version: 1, lastContext };
    }
  } catch {
    // Missing or corrupt: start afresh; the next write replaces it.
  }
  return { version: 1, lastContext: {} };
}

/** Remembers `context` as the last one used with these kubeconfig files (an atomic write). */
export function rememberContext(stateFile: string, files: string[], context: string): void {
  const state = readState(stateFile);
  const key = stateKey(files);
  delete state.lastContext[key];
  state.lastContext[key] = { context, at: new Date().toISOString() };
  const entries = Object.entries(state.lastContext).sort(([, a], [, b]) => a.at.localeCompare(b.at));
  state.lastContext = Object.fromEntries(entries.slice(-maxRemembered));
  writeFileAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/** The context last used with these kubeconfig files, or null. */
export function lastUsedContext(stateFile: string, files: string[]): string | null {
  return readState(stateFile).lastContext[stateKey(files)]?.context ?? null;
}

function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600, flush: true });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
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

// ---- The user's shell PATH --------------------------------------------------------------------

/**
 * The PATH the user's login shell sets up (where `aws`, `gke-gcloud-auth-plugin`, `kubelogin`
 * usually live), or null when it cannot be learned. A desktop launcher's PATH often lacks it.
 * Rc-file noise is ignored (the PATH is read between markers); never throws.
 */
export function shellPath(env: NodeJS.ProcessEnv = process.env, options: { timeoutMs?: number } = {}): Promise<string | null> {
  if (process.platform === 'win32') return Promise.resolve(null);
  const shell = env.SHELL || safeUserShell() || '/bin/sh';
  const timeoutMs = options.timeoutMs ?? 5000;
  const marker = `_PODPATH_${randomUUID().replaceAll('-', '')}_`;
  const half = marker.length >> 1;
  // The marker is printed in two halves, so a shell that echoes its command line does not fake it.
  const [a, b] = [marker.slice(0, half), marker.slice(half)];
  const command = `printf '%s%s%s%s%s' '${a}' '${b}' "$PATH" '${a}' '${b}'`;

  return new Promise((resolvePromise) => {
    let stdout = '';
    let settled = false;
    const finish = (value: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(value);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(shell, ['-ilc', command], {
        env: { ...env, DISABLE_AUTO_UPDATE: 'true', ZSH_TMUX_AUTOSTARTED: 'true', ZSH_TMUX_AUTOSTART: 'false' },
        stdio: ['ignore', 'pipe', 'ignore'],
        // Its own session: no controlling terminal to stop on, and one group to end on timeout.
        detached: true,
      });
    } catch {
      finish(null);
      return;
    }
    const killGroup = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(null);
    }, timeoutMs);
    /** The PATH between the markers; undefined while the second marker has not arrived. */
    const parse = (): string | null | undefined => {
      const start = stdout.indexOf(marker);
      const end = start < 0 ? -1 : stdout.indexOf(marker, start + marker.length);
      if (end < 0) return undefined;
      const path = stdout.slice(start + marker.length, end).trim();
      return path && !/[\r\n]/.test(path) ? path : null;
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.length > 1_000_000) stdout = stdout.slice(-100_000);
      // Done as soon as the PATH is out, even if something the rc files started keeps stdout open.
      const path = parse();
      if (path !== undefined) {
        child.stdout?.destroy();
        finish(path);
        // The shell has nothing more to give; whatever its rc files left running is not waited for.
        killGroup();
      }
    });
    child.on('error', () => finish(null));
    child.on('close', () => finish(parse() ?? null));
  });
}

function safeUserShell(): string | null {
  try {
    return userInfo().shell;
  } catch {
    return null;
  }
}

/** `existing` followed by the entries of `extra` it lacks (PATH strings, platform delimiter). */
export function mergePath(existing: string | undefined, extra: string): string {
  const entries: string[] = [];
  for (const entry of [...(existing ?? '').split(delimiter), ...extra.split(delimiter)]) {
    const normalized = entry.length > 1 && entry.endsWith(sep) ? entry.slice(0, -1) : entry;
    if (normalized && !entries.includes(normalized)) entries.push(normalized);
  }
  return entries.join(delimiter);
}

/**
 * Adds the login shell's PATH entries to `env.PATH` (existing entries first, no repeats), so
 * credential plugins are found when the app was started from a launcher. Returns the entries added.
 */
export async function adoptShellPath(env: NodeJS.ProcessEnv = process.env, options: { timeoutMs?: number } = {}): Promise<string[]> {
  const fromShell = await shellPath(env, options);
  if (!fromShell) return [];
  const before = new Set((env.PATH ?? '').split(delimiter).filter(Boolean));
  const merged = mergePath(env.PATH, fromShell);
  env.PATH = merged;
  return merged.split(delimiter).filter((entry) => !before.has(entry) && !before.has(entry + sep));
}

// ---- helpers ------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
