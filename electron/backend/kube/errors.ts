/**
 * What went wrong talking to a cluster, in words a user can act on. Every failure of the
 * kubeconfig, the credential plugins and the API (as `@kubernetes/client-node`, undici and Node
 * throw them) becomes a KubeError whose message names the problem and the next step, in one or
 * two sentences — never a stack, never a credential. The KubeError type is kube-error.ts; the
 * credential plugins' own failures, exec-errors.ts.
 */
import { execCommandOf, execFailed, execSpawnError, isPlainExecFailure } from './exec-errors.ts';
import {
  KubeError,
  capitalize,
  causeChain,
  displayServer,
  endSentence,
  errorCode,
  errorName,
  firstLines,
  redact,
  stringProp,
  subjectOf,
  type KubeErrorWhere,
} from './kube-error.ts';

const unreachableReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
};

const hintCa =
  "Check the cluster's certificate-authority (or certificate-authority-data) in the kubeconfig; it must be the CA that signed the server's certificate.";
const hintClientCert =
  "Check the user's client-certificate and client-key (or their -data forms): they may have expired or belong to another cluster.";

/** OpenSSL / Node TLS error codes → [reason, hint]. */
const tlsReasons: Record<string, [string, string]> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: ["the server's certificate is self-signed and not trusted", hintCa],
  SELF_SIGNED_CERT_IN_CHAIN: ["the server's certificate chain ends in an untrusted self-signed certificate", hintCa],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ["the server's certificate is not signed by a trusted authority", hintCa],
  UNABLE_TO_GET_ISSUER_CERT: ["the issuer of the server's certificate is not trusted", hintCa],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ["the issuer of the server's certificate is not trusted", hintCa],
  CERT_SIGNATURE_FAILURE: ["the server's certificate signature is invalid", hintCa],
  CERT_UNTRUSTED: ["the server's certificate is not trusted", hintCa],
  CERT_REJECTED: ["the server's certificate was rejected", hintCa],
  CERT_REVOKED: ["the server's certificate was revoked", hintCa],
  CERT_HAS_EXPIRED: [
    "the server's certificate has expired",
    "Renew the cluster's serving certificate, or check this machine's clock.",
  ],
  CERT_NOT_YET_VALID: ["the server's certificate is not valid yet", "Check this machine's clock."],
  ERR_TLS_CERT_ALTNAME_INVALID: [
    "the server's certificate does not cover this host name",
    'Use the server address the certificate was issued for, or set tls-server-name in the cluster entry to a name it covers.',
  ],
  HOSTNAME_MISMATCH: [
    "the server's certificate does not cover this host name",
    'Use the server address the certificate was issued for, or set tls-server-name in the cluster entry to a name it covers.',
  ],
  ERR_SSL_WRONG_VERSION_NUMBER: [
    'the server did not answer with TLS',
    'Check the scheme and port of the server address (an https:// URL pointing at a plain-HTTP port?).',
  ],
  ERR_SSL_PACKET_LENGTH_TOO_LONG: [
    'the server did not answer with TLS',
    'Check the scheme and port of the server address (an https:// URL pointing at a plain-HTTP port?).',
  ],
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: ['the server rejected the client certificate (unknown CA)', hintClientCert],
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: ['the server rejected the client certificate', hintClientCert],
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: ['the server says the client certificate has expired', hintClientCert],
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: ['the server requires a client certificate', hintClientCert],
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: [
    'the TLS handshake failed',
    "Check the cluster's certificate-authority, tls-server-name and the user's client certificate.",
  ],
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: ['the client key does not match the client certificate', hintClientCert],
  ERR_OSSL_PEM_NO_START_LINE: ['a certificate or key is not valid PEM', hintClientCert],
  ERR_OSSL_PEM_BAD_BASE64_DECODE: ['a certificate or key is not valid PEM', hintClientCert],
};

const loginHint = 'Log in again (e.g. `aws sso login`, `gcloud auth login`, `kubelogin`) and retry.';

/**
 * Turns anything thrown while loading a kubeconfig, authenticating or calling the API into a
 * KubeError. A KubeError is returned as it is.
 */
export function describeKubeError(error: unknown, where: KubeErrorWhere = {}): KubeError {
  if (error instanceof KubeError) return error;
  const chain = causeChain(error);
  const server = displayServer(where.server);
  const ofContext = where.context ? ` of context ${where.context}` : '';

  // 1. Timeouts (AbortSignal.timeout, client-node's Watch timeout, undici's own timers).
  for (const e of chain) {
    const name = errorName(e);
    const code = errorCode(e);
    if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new KubeError('timeout', `${subjectOf(server)} did not answer in time${where.resource ? ` (reading ${where.resource})` : ''}.`, {
        hint: 'The cluster may be overloaded or the network slow; retry, or check the connection (VPN, proxy).',
        cause: error,
      });
    }
  }

  // 2. The credential plugin's command could not be started (spawn ENOENT, EACCES).
  for (const e of chain) {
    const syscall = stringProp(e, 'syscall');
    if (syscall?.startsWith('spawn')) {
      const command = stringProp(e, 'path') ?? syscall.slice('spawn '.length);
      return execSpawnError(errorCode(e), command, where, error);
    }
  }

  // 3. HTTP answers: client-node's ApiException (code + body), Watch errors (statusCode), Status objects.
  const http = httpStatusOf(error);
  if (http) return describeHttp(http.status, http.message, where, server, ofContext, error);

  // 4. Connection and TLS failures (undici wraps them as `TypeError: fetch failed` with a cause).
  for (const e of chain) {
    const code = errorCode(e);
    if (!code) continue;
    const tls = tlsReasons[code] ?? (code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_') ? null : undefined);
    if (tls !== undefined) {
      const [reason, hint] = tls ?? [
        `the TLS handshake failed (${code})`,
        "Check the cluster's certificate-authority, tls-server-name and the user's client certificate.",
      ];
      return new KubeError('tls', `TLS error talking to ${server}: ${reason}${altNames(e)}.`, { hint, cause: error });
    }
    const reason = unreachableReasons[code];
    if (reason) {
      return new KubeError('unreachable', `Cannot reach ${server}: ${reason}.`, {
        hint: 'Is the cluster running, and is this the right context?',
        cause: error,
      });
    }
  }

  // undici's fetch refuses the ports browsers block (1, 6000, 10080, …) before connecting.
  if (chain.some((e) => e instanceof Error && e.message === 'bad port')) {
    return new KubeError('unreachable', `Cannot reach ${server}: its port is one that HTTP clients refuse to connect to (a "bad port").`, {
      hint: 'Serve the API on another port, or reach it through a port-forward or proxy-url.',
      cause: error,
    });
  }

  // 5. Files and YAML.
  const yamlError = describeYamlError(error, where.file);
  if (yamlError) return yamlError;
  const fileCode = errorCode(error);
  const filePath = stringProp(error, 'path');
  if (filePath && (fileCode === 'ENOENT' || fileCode === 'ENOTDIR')) {
    return new KubeError('kubeconfig-missing', `The file ${filePath} does not exist.`, {
      hint: 'Check the path in --kubeconfig, KUBECONFIG or the kubeconfig entry that names it.',
      cause: error,
    });
  }
  if (filePath && (fileCode === 'EACCES' || fileCode === 'EPERM' || fileCode === 'EISDIR')) {
    const reason = fileCode === 'EISDIR' ? 'it is a directory' : 'permission denied';
    return new KubeError('kubeconfig-invalid', `Cannot read ${filePath}: ${reason}.`, {
      hint: 'Check the path and its permissions.',
      cause: error,
    });
  }

  // 6. What client-node says about a kubeconfig it cannot use.
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  if (/HTTP protocol is not allowed/.test(message)) {
    return new KubeError('kubeconfig-invalid', `The server ${server}${ofContext} uses plain http://.`, {
      hint: 'Use its https:// address, or set insecure-skip-tls-verify: true on the cluster entry if plain HTTP is really meant.',
      cause: error,
    });
  }
  if (/No (currently )?active cluster/.test(message)) {
    return new KubeError('kubeconfig-invalid', `Context ${where.context ?? '(none)'} has no usable cluster.`, {
      hint: 'Check its cluster entry and server in the kubeconfig.',
      cause: error,
    });
  }

  // 7. A credential plugin that ran and failed (client-node rejects with its bare stderr).
  if (isPlainExecFailure(error, where)) {
    return execFailed(execCommandOf(where), message, where, error);
  }

  const text = firstLines(redact(message || String(error)), 1, false) || 'unknown error';
  const problem = where.resource
    ? `Reading ${where.resource} from ${server} failed: ${text}`
    : `${where.context ? `Context ${where.context}: ` : ''}${text}`;
  return new KubeError('unknown', endSentence(problem), { cause: error });
}

function describeHttp(
  status: number,
  statusMessage: string | null,
  where: KubeErrorWhere,
  server: string,
  ofContext: string,
  cause: unknown,
): KubeError {
  const detail = statusMessage ? `: ${endSentence(firstLines(redact(statusMessage), 2))}` : '.';
  if (status === 401) {
    return new KubeError(
      'unauthorized',
      `The cluster rejected the credentials${ofContext} (401): they may have expired.`,
      { hint: loginHint, status, cause },
    );
  }
  if (status === 403) {
    const what = where.resource ?? 'this resource';
    const problem = where.context ? `Context ${where.context} may not read ${what}` : `Reading ${what} is forbidden`;
    return new KubeError('forbidden', `${problem} (403)${detail}`, {
      hint: 'Ask a cluster admin for read access, or choose another context.',
      status,
      cause,
    });
  }
  if (status === 404) {
    return new KubeError('not-found', `${capitalize(where.resource ?? 'the resource')} was not found on ${server} (404)${detail}`, {
      hint: 'The cluster may not serve this API (version, missing CRD), or the namespace may not exist.',
      status,
      cause,
    });
  }
  if (status === 410) {
    return new KubeError('gone', `The resource version${where.resource ? ` of ${where.resource}` : ''} is too old (410 Gone)${detail}`, {
      hint: 'List again from the current state.',
      status,
      cause,
    });
  }
  if (status === 408 || status === 504) {
    return new KubeError('timeout', `${subjectOf(server)} timed out${where.resource ? ` reading ${where.resource}` : ''} (${status})${detail}`, {
      hint: 'Retry in a moment.',
      status,
      cause,
    });
  }
  if (status === 429 || status >= 500) {
    return new KubeError('server-error', `${subjectOf(server)} failed${where.resource ? ` reading ${where.resource}` : ''} (${status})${detail}`, {
      hint: status === 429 ? 'The server is throttling requests; retry in a moment.' : "Retry in a moment; if it persists, check the control plane's health.",
      status,
      cause,
    });
  }
  return new KubeError('unknown', `${subjectOf(server)} answered ${status}${where.resource ? ` reading ${where.resource}` : ''}${detail}`, {
    status,
    cause,
  });
}

function describeYamlError(error: unknown, file: string | undefined): KubeError | null {
  const name = errorName(error);
  if (name !== 'YAMLException' && name !== 'YAMLParseError') return null;
  let line: number | null;
  let reason: string;
  if (name === 'YAMLException') {
    // js-yaml (client-node's parser): mark.line is 0-based.
    const mark = (error as { mark?: { line?: unknown } }).mark;
    line = typeof mark?.line === 'number' ? mark.line + 1 : null;
    reason = stringProp(error, 'reason') ?? firstLines((error as Error).message, 1);
  } else {
    // yaml: linePos[0].line is 1-based; the message ends with " at line N, column M:" and a snippet.
    const linePos = (error as { linePos?: Array<{ line?: unknown }> }).linePos;
    line = typeof linePos?.[0]?.line === 'number' ? linePos[0].line : null;
    reason = firstLines((error as Error).message, 1).replace(/ at line \d+, column \d+:?$/, '');
  }
  const where = file ? `${file}${line ? `:${line}` : ''}` : line ? `line ${line}` : 'the kubeconfig';
  return new KubeError('kubeconfig-invalid', `The kubeconfig ${where} is not valid YAML: ${endSentence(reason)}`, {
    hint: 'Fix that line, or point KUBECONFIG / --kubeconfig at another file.',
    cause: error,
  });
}

/** An HTTP status and the Status message the API sent with it, if the error is an HTTP answer. */
function httpStatusOf(error: unknown): { status: number; message: string | null } | null {
  if (typeof error !== 'object' || error === null) return null;
  const record = error as Record<string, unknown>;
  // A Kubernetes Status object itself (e.g. a watch ERROR event).
  if (record.kind === 'Status' && typeof record.code === 'number') {
    return { status: record.code, message: typeof record.message === 'string' ? record.message : null };
  }
  let status: number | null = null;
  if (typeof record.statusCode === 'number') status = record.statusCode;
  else if (typeof record.code === 'number') status = record.code;
  if (status === null || status < 100 || status > 599) return null;
  return { status, message: statusMessageOf(record.body) };
}

function statusMessageOf(body: unknown): string | null {
  let value = body;
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text) return null;
    try {
      value = JSON.parse(text);
    } catch {
      return text.startsWith('<') ? null : text; // an HTML error page says nothing useful
    }
  }
  if (typeof value === 'object' && value !== null) {
    const message = (value as Record<string, unknown>).message;
    if (typeof message === 'string' && message) return message;
    const reason = (value as Record<string, unknown>).reason;
    if (typeof reason === 'string' && reason) return reason;
  }
  return null;
}

/** For a host name mismatch: the names the certificate does cover. */
function altNames(e: unknown): string {
  const cert = typeof e === 'object' && e !== null ? (e as { cert?: { subjectaltname?: unknown } }).cert : undefined;
  const names = typeof cert?.subjectaltname === 'string' ? cert.subjectaltname : '';
  if (errorCode(e) !== 'ERR_TLS_CERT_ALTNAME_INVALID' || !names) return '';
  return ` (it covers ${names.length > 120 ? `${names.slice(0, 117)}…` : names})`;
}
