/**
 * The error every kube failure becomes, and the tools for building one: reading what was thrown
 * (its cause chain, code, name) and writing its text safely — a server without credentials, a
 * plugin's output without tokens, sentences that end.
 */
export type KubeErrorCode =
  | 'kubeconfig-missing'
  | 'kubeconfig-invalid'
  | 'context-not-found'
  | 'unreachable'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'gone'
  | 'exec-not-found'
  | 'exec-failed'
  | 'timeout'
  | 'server-error'
  | 'unknown';

export class KubeError extends Error {
  readonly code: KubeErrorCode;
  /** The next step on its own (also the end of `message`), or null when there is none. */
  readonly hint: string | null;
  /** The HTTP status the API answered, when the failure was an HTTP answer. */
  readonly status: number | null;

  /** `problem` and `hint` are joined into `message`. */
  constructor(
    code: KubeErrorCode,
    problem: string,
    options: { hint?: string | null; status?: number | null; cause?: unknown } = {},
  ) {
    const hint = options.hint ?? null;
    super(hint ? `${problem} ${hint}` : problem, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeError';
    this.code = code;
    this.hint = hint;
    this.status = options.status ?? null;
  }
}

/** Where the failure happened; every field is optional and only sharpens the message. */
export interface KubeErrorWhere {
  /** The API server (any credentials or path in it are not shown). */
  server?: string;
  context?: string;
  /** What was being read, e.g. `pods` or `networkpolicies in team-a`. */
  resource?: string;
  /** The kubeconfig file being read, for parse errors. */
  file?: string;
  /** The context's auth (ContextInfo.auth, e.g. `exec:aws`): lets a bare plugin failure be named. */
  auth?: string;
}

/** The error, its causes and an AggregateError's first errors: where Node and undici put the real code. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 10) {
    const e = queue.shift();
    if (e === undefined || e === null || chain.includes(e)) continue;
    chain.push(e);
    if (typeof e === 'object') {
      const cause = (e as { cause?: unknown }).cause;
      if (cause !== undefined) queue.push(cause);
      const errors = (e as { errors?: unknown }).errors;
      if (Array.isArray(errors)) queue.push(...errors.slice(0, 3));
    }
  }
  return chain;
}

export function errorCode(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function errorName(e: unknown): string | undefined {
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

export function stringProp(e: unknown, key: string): string | undefined {
  const value = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** scheme://host:port of a server URL, without credentials, path or query. */
export function serverOrigin(server: string | undefined | null): string | null {
  if (!server) return null;
  try {
    const url = new URL(server);
    if (!url.host) return null;
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
}

export function displayServer(server: string | undefined): string {
  return serverOrigin(server) ?? 'the cluster';
}

/** The server as the subject of a sentence. */
export function subjectOf(server: string): string {
  return server === 'the cluster' ? 'The cluster' : `The API server ${server}`;
}

export function describePath(path: string | undefined): string {
  if (!path) return 'PATH is empty';
  const text = `PATH=${path}`;
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}

/** PEM blocks whole: private keys, and certificates with them (nobody's business in an error); one cut short too. */
const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;
/** The userinfo of any URL: `https://user:password@host`. */
const urlUserInfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
/** `Authorization: Basic …`, `"Proxy-Authorization": "Bearer …"`: the scheme stays, the credentials go. */
const authorization = /((?:proxy-)?authorization["']?\s*[:=]\s*["']?)((?:basic|bearer|digest|negotiate|ntlm|token)\s+)?[^\s"',;}]+/gi;
/** `Basic <base64>` on its own; redacted only when it decodes to `user:password`, so "basic auth" stays. */
const basicCredentials = /\b(basic\s+)([A-Za-z0-9+/]{4,}={0,2})(?![\w+/=])/gi;
const jwt = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
/**
 * The names of fields that hold credentials, as kubeconfigs, JSON bodies, YAML and env write
 * them: `token`, `id-token`, `client-key-data`, `client-certificate-data`, `password`,
 * `DB_PASSWORD`, `clientSecret`, `apiKey`, `aws_secret_access_key`, `privateKey`, …
 */
const credentialName = String.raw`[\w.-]*(?:token|passw(?:or)?d|pwd|secret|credential|key-data|certificate-data|key)[\w.-]*`;
/** A value: quoted (JSON's escapes inside), or bare up to a space or a separator; never an object or list. */
const credentialValue = String.raw`"(?:[^"\\]|\\.)*"|'[^']*'|[^\s"',;&{}[\]]+`;
// Where a credential's value stands after its name; each captures (before, name, separator, value).
/** `"password": "x"`, `'token': 'x'`: JSON, YAML's flow style, printed dictionaries. */
const quotedPair = new RegExp(String.raw`(["'])(${credentialName})(\1\s*[:=]\s*)(${credentialValue})`, 'gi');
/** `client-key-data: LS0t…` starting a line of YAML (in prose, "Token: Token for x" is words). */
const yamlPair = new RegExp(String.raw`^([ \t]*(?:- )?)(${credentialName})(:[ \t]+)(${credentialValue})`, 'gim');
/** `token=x`, `DB_PASSWORD=x`, `?access_token=x&…`. */
const assignment = new RegExp(String.raw`(^|[^\w.-])(${credentialName})(=)(${credentialValue})`, 'gi');

function hiddenValue(_match: string, before: string, name: string, separator: string, value: string): string {
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
  return `${before}${name}${separator}${quote}…${quote}`;
}

function isUserAndPassword(base64: string): boolean {
  return Buffer.from(base64, 'base64').toString('latin1').includes(':');
}

/**
 * Removes what looks like a credential from text that leaves the process (an error shown or
 * logged): PEM blocks, the userinfo of URLs, Authorization headers, bearer and basic
 * credentials, JWTs, and the value of every field named like a credential, in JSON, YAML, env
 * and query-string forms. Hiding a harmless value costs little; showing a real one leaks it.
 */
export function redact(text: string): string {
  return text
    .replace(pemBlock, '-----BEGIN $1-----…-----END $1-----')
    .replace(urlUserInfo, '$1…@')
    .replace(authorization, (_match, name: string, scheme: string | undefined) => `${name}${scheme ?? ''}…`)
    .replace(/(bearer\s+)[^\s"',;}]+/gi, '$1…')
    .replace(basicCredentials, (match, basic: string, base64: string) => (isUserAndPassword(base64) ? `${basic}…` : match))
    .replace(jwt, '…')
    .replace(quotedPair, hiddenValue)
    .replace(yamlPair, hiddenValue)
    .replace(assignment, hiddenValue);
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** The first `n` non-empty lines, trimmed and joined by " / ". */
export function firstLines(text: string, n: number, markMore = true): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const kept = lines.slice(0, n).map((l) => (l.length > 300 ? `${l.slice(0, 297)}…` : l));
  return kept.join(' / ') + (markMore && lines.length > n ? ' …' : '');
}

export function endSentence(text: string): string {
  const t = text.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
