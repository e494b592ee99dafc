// describeKubeError against what client-node, undici and Node really throw: a closed port, a
// self-signed HTTPS server, Kubernetes Status answers, real credential plugins and a server that
// never answers. Nothing here mocks client-node.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, HttpMethod, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { createKubeClient } from './client.ts';
import { configForContext } from './context-config.ts';
import { describeKubeError } from './errors.ts';
import { KubeError } from './kube-error.ts';
import { loadKubeconfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'podpath-kube-errors-'));
const secretToken = 'sekret-token-0123456789';
let https: HttpsServer;
let httpsPort: number;
let hanging: NetServer;
let hangingPort: number;
const hangingSockets = new Set<Socket>();
let caPem: string;

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

beforeAll(async () => {
  // A self-signed serving certificate for "localhost" only (so 127.0.0.1 does not match it).
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'), '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
  ], { stdio: 'ignore' });
  caPem = readFileSync(join(dir, 'server.crt'), 'utf8');
  https = createHttpsServer({ key: readFileSync(join(dir, 'server.key')), cert: caPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const send = (code: number, body: string) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (url.pathname === '/api/v1/namespaces' && req.headers.authorization === `Bearer ${secretToken}`) {
      send(200, JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
    } else if (url.pathname === '/api/v1/namespaces') {
      send(401, status(401, 'Unauthorized', 'Unauthorized'));
    } else if (url.pathname === '/api/v1/pods') {
      send(403, status(403, 'Forbidden', 'pods is forbidden: User "limited" cannot list resource "pods" in API group "" at the cluster scope'));
    } else if (url.pathname === '/api/v1/nodes') {
      send(500, status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'));
    } else if (url.pathname === '/api/v1/services' && url.searchParams.get('watch') === 'true') {
      send(410, status(410, 'Expired', 'too old resource version: 100 (2000)'));
    } else if (url.pathname === '/hang') {
      // Never answers, as a half-open connection would not.
    } else {
      send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  httpsPort = (https.address() as AddressInfo).port;

  hanging = createNetServer((socket) => {
    hangingSockets.add(socket);
    socket.on('close', () => hangingSockets.delete(socket));
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingPort = (hanging.address() as AddressInfo).port;
});

afterAll(async () => {
  https.closeAllConnections();
  for (const socket of hangingSockets) socket.destroy();
  await Promise.all([new Promise((r) => https.close(r)), new Promise((r) => hanging.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let fileCount = 0;
/** A kubeconfig file with one context `c`, loaded the way the app loads it. */
function contextConfig(cluster: Record<string, unknown>, user: Record<string, unknown> = { token: secretToken }): KubeConfig {
  const file = join(dir, `config-${++fileCount}`);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
  );
  return configForContext(loadKubeconfig([file]), 'c');
}

function trustedCluster(): Record<string, unknown> {
  return {
    server: `https://127.0.0.1:${httpsPort}`,
    'certificate-authority-data': Buffer.from(caPem).toString('base64'),
    'tls-server-name': 'localhost',
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function expectClean(error: KubeError): void {
  expect(error.message).not.toContain(secretToken);
  expect(error.message).not.toMatch(/\n|\bat .*\(.*:\d+:\d+\)/);
}

describe('connection failures', () => {
  test('a closed loopback port: unreachable, connection refused', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const raw = await rejection(contextConfig({ server, 'insecure-skip-tls-verify': true }).makeApiClient(CoreV1Api).listNamespace());
    expect(raw).toBeInstanceOf(TypeError); // undici's "fetch failed", the errno in its cause
    const error = describeKubeError(raw, { server: `https://someone:pw@127.0.0.1:${new URL(server).port}/base`, context: 'c' });
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(`Cannot reach ${server}: connection refused. Is the cluster running, and is this the right context?`);
    expect(error.hint).toBe('Is the cluster running, and is this the right context?');
    expect(error.message).not.toContain('pw');
  });

  test('a server that never answers: timeout (client-node Watch timeout and AbortSignal.timeout)', async () => {
    const server = `https://127.0.0.1:${hangingPort}`;
    const kc = contextConfig({ server, 'insecure-skip-tls-verify': true });
    const watch = new Watch(kc);
    (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 300;
    const done = await new Promise<unknown>((resolve) => {
      void watch.watch('/api/v1/pods', {}, () => undefined, resolve);
    });
    const error = describeKubeError(done, { server, context: 'c', resource: 'pods' });
    expect(error.code).toBe('timeout');
    expect(error.message).toBe(
      `The API server ${server} did not answer in time (reading pods). The cluster may be overloaded or the network slow; retry, or check the connection (VPN, proxy).`,
    );

    const aborted = await rejection(fetch(`http://127.0.0.1:${hangingPort}/`, { signal: AbortSignal.timeout(200) }));
    expect(describeKubeError(aborted, { server }).code).toBe('timeout');
  });
});

describe('TLS', () => {
  test('a self-signed server certificate without its CA', async () => {
    const server = `https://127.0.0.1:${httpsPort}`;
    const raw = await rejection(contextConfig({ server }).makeApiClient(CoreV1Api).listNamespace());
    const error = describeKubeError(raw, { server, context: 'c' });
    expect(error.code).toBe('tls');
    expect(error.message).toMatch(new RegExp(`^TLS error talking to ${server}: the server's certificate is self-signed and not trusted\\. `));
    expect(error.hint).toContain('certificate-authority');
    expectClean(error);
  });

  test('a certificate that does not cover the address, then fixed by tls-server-name', async () => {
    const server = `https://127.0.0.1:${httpsPort}`;
    const ca = Buffer.from(caPem).toString('base64');
    const raw = await rejection(contextConfig({ server, 'certificate-authority-data': ca }).makeApiClient(CoreV1Api).listNamespace());
    const error = describeKubeError(raw, { server, context: 'c' });
    expect(error.code).toBe('tls');
    expect(error.message).toContain(`TLS error talking to ${server}: the server's certificate does not cover this host name (it covers DNS:localhost).`);
    expect(error.hint).toContain('tls-server-name');

    const list = await contextConfig(trustedCluster()).makeApiClient(CoreV1Api).listNamespace();
    expect(list.items).toEqual([]);
  });

  test('the same CA given as a file, relative to the kubeconfig', async () => {
    writeFileSync(join(dir, 'ca.crt'), caPem);
    const list = await contextConfig({ server: `https://127.0.0.1:${httpsPort}`, 'certificate-authority': 'ca.crt', 'tls-server-name': 'localhost' })
      .makeApiClient(CoreV1Api)
      .listNamespace();
    expect(list.kind).toBe('NamespaceList');
  });
});

describe('HTTP answers', () => {
  const server = () => `https://127.0.0.1:${httpsPort}`;

  test('401: expired credentials, log in again', async () => {
    const raw = await rejection(contextConfig(trustedCluster(), { token: 'expired' }).makeApiClient(CoreV1Api).listNamespace());
    const error = describeKubeError(raw, { server: server(), context: 'prod' });
    expect(error.code).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      'The cluster rejected the credentials of context prod (401): they may have expired. Log in again (e.g. `aws sso login`, `gcloud auth login`, `kubelogin`) and retry.',
    );
  });

  test('403: forbidden, with the resource and the Status message', async () => {
    const raw = await rejection(contextConfig(trustedCluster()).makeApiClient(CoreV1Api).listPodForAllNamespaces());
    const error = describeKubeError(raw, { server: server(), context: 'limited', resource: 'pods' });
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(
      'Context limited may not read pods (403): pods is forbidden: User "limited" cannot list resource "pods" in API group "" at the cluster scope. Ask a cluster admin for read access, or choose another context.',
    );
    expectClean(error);
  });

  test('404, 500 and a watch answered 410 Gone', async () => {
    const kc = contextConfig(trustedCluster());
    const api = kc.makeApiClient(CoreV1Api);
    const notFound = describeKubeError(await rejection(api.listConfigMapForAllNamespaces()), { server: server(), resource: 'configmaps' });
    expect(notFound.code).toBe('not-found');
    expect(notFound.message).toContain(`Configmaps was not found on ${server()} (404): the server could not find the requested resource.`);

    const failed = describeKubeError(await rejection(api.listNode()), { server: server(), resource: 'nodes' });
    expect(failed.code).toBe('server-error');
    expect(failed.message).toContain(`The API server ${server()} failed reading nodes (500): Internal error occurred: etcdserver: request timed out.`);

    const done = await new Promise<unknown>((resolve) => {
      void new Watch(kc).watch('/api/v1/services', { resourceVersion: '100' }, () => undefined, resolve);
    });
    // Even for a context whose auth is a plugin, an HTTP answer is an HTTP answer.
    const gone = describeKubeError(done, { server: server(), resource: 'services', auth: 'exec:aws' });
    expect(gone.code).toBe('gone');
    expect(gone.status).toBe(410);
    // A Status object from a watch ERROR event says the same.
    const event = JSON.parse(status(410, 'Expired', 'too old resource version: 1 (5)')) as unknown;
    expect(describeKubeError(event, { resource: 'services' })).toMatchObject({ code: 'gone', status: 410 });
  });
});

describe('credential plugins', () => {
  const server = 'https://127.0.0.1:6443'; // not contacted: the plugin runs before any request
  function plugin(name: string, script: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  }
  const execUser = (command: string) => ({
    exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command, args: ['eks', 'get-token'] },
  });

  test('a plugin that fails: exec-failed with its stderr, trimmed', async () => {
    const command = plugin(
      'failing-plugin',
      [
        'echo "" >&2',
        'echo "Error loading SSO Token: Token for my-sso does not exist" >&2',
        'echo "Run aws sso login --profile dev" >&2',
        'echo "line 3" >&2',
        'echo "line 4 should be cut" >&2',
        'exit 1',
      ].join('\n'),
    );
    // Through client-node alone, as any caller would meet it.
    const raw = new KubeConfig();
    raw.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: false }],
      users: [{ name: 'u', ...execUser(command) }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const thrown = await rejection(raw.applySecurityAuthentication(new RequestContext(`${server}/api`, HttpMethod.GET)));
    const error = describeKubeError(thrown, { server, context: 'dev', auth: 'exec:failing-plugin' });
    expect(error.code).toBe('exec-failed');
    expect(error.message).toBe(
      'The credential plugin `failing-plugin` of context dev failed: Error loading SSO Token: Token for my-sso does not exist / Run aws sso login --profile dev / line 3 …. Run it in a terminal to see why; you may need to log in again.'.replace(
        '…. Run',
        '… Run',
      ),
    );
    // Without knowing the auth, the unbundled stack still shows client-node's exec authenticator.
    expect(describeKubeError(thrown, { context: 'dev' }).code).toBe('exec-failed');

    // Through the app's own KubeConfig: a KubeError straight away, also from an API call.
    const kc = contextConfig({ server, 'insecure-skip-tls-verify': true }, execUser(command));
    const fromApi = await rejection(kc.makeApiClient(CoreV1Api).listNamespace());
    expect(fromApi).toBeInstanceOf(KubeError);
    expect((fromApi as KubeError).code).toBe('exec-failed');
    expect((fromApi as KubeError).message).toContain('The credential plugin `failing-plugin` of context c failed: Error loading SSO Token');
    expect(describeKubeError(fromApi)).toBe(fromApi);
  });

  test('a plugin that is not installed: exec-not-found naming it and PATH', async () => {
    const raw = new KubeConfig();
    raw.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: false }],
      users: [{ name: 'u', ...execUser('aws-podpath-missing') }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const thrown = await rejection(raw.applySecurityAuthentication(new RequestContext(`${server}/api`, HttpMethod.GET)));
    const error = describeKubeError(thrown, { context: 'eks' });
    expect(error.code).toBe('exec-not-found');
    expect(error.message).toMatch(
      /^The credential plugin `aws-podpath-missing` of context eks was not found on PATH \(PATH=.*\)\. Install it, or start Podpath from a shell where it is on PATH\.$/,
    );

    const kc = contextConfig({ server, 'insecure-skip-tls-verify': true }, execUser('aws-podpath-missing'));
    const fromWatch = await new Promise<unknown>((resolve) => {
      new Watch(kc).watch('/api/v1/pods', {}, () => undefined, resolve).catch(resolve);
    });
    expect(fromWatch).toBeInstanceOf(KubeError);
    expect((fromWatch as KubeError).code).toBe('exec-not-found');
  });

  test('a plugin that prints garbage, and one that works', async () => {
    const garbage = plugin('garbage-plugin', 'echo "Please visit https://login.example to sign in"');
    const error = await rejection(
      contextConfig(trustedCluster(), execUser(garbage)).makeApiClient(CoreV1Api).listNamespace(),
    );
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe('exec-failed');
    expect((error as KubeError).message).toContain('printed something that is not an ExecCredential');

    const working = plugin(
      'working-plugin',
      `echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"${secretToken}"}}'`,
    );
    const list = await contextConfig(trustedCluster(), execUser(working)).makeApiClient(CoreV1Api).listNamespace();
    expect(list.kind).toBe('NamespaceList');
  });
});

describe('kubeconfig files', () => {
  test('client-node reading a file that does not exist: kubeconfig-missing', () => {
    const path = join(dir, 'no-such-config');
    let thrown: unknown;
    try {
      new KubeConfig().loadFromFile(path);
    } catch (e) {
      thrown = e;
    }
    const error = describeKubeError(thrown);
    expect(error.code).toBe('kubeconfig-missing');
    expect(error.message).toContain(`The file ${path} does not exist.`);
  });

  test("client-node's YAML errors (js-yaml) give file:line", () => {
    let thrown: unknown;
    try {
      new KubeConfig().loadFromString('apiVersion: v1\nclusters: [\n- name: x\nusers: []\n');
    } catch (e) {
      thrown = e;
    }
    const error = describeKubeError(thrown, { file: '/home/me/.kube/config' });
    expect(error.code).toBe('kubeconfig-invalid');
    expect(error.message).toMatch(/^The kubeconfig \/home\/me\/\.kube\/config:\d+ is not valid YAML: [^\n]+\. Fix that line/);
  });

  test('a client certificate file that went missing names the user and the file', async () => {
    writeFileSync(join(dir, 'gone.crt'), 'x');
    writeFileSync(join(dir, 'gone.key'), 'x');
    const kc = contextConfig(trustedCluster(), { 'client-certificate': 'gone.crt', 'client-key': 'gone.key' });
    rmSync(join(dir, 'gone.crt'));
    const error = await rejection(kc.makeApiClient(CoreV1Api).listNamespace());
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).message).toBe(
      `The client-certificate file of user u (context c), ${join(dir, 'gone.crt')}, does not exist. Fix the path in the kubeconfig, or refresh the credentials that should be there.`,
    );
  });
});

describe('errors not cheaply reproduced, shaped as Node and undici throw them', () => {
  const fetchFailed = (cause: Error) => Object.assign(new TypeError('fetch failed'), { cause });
  const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

  test.each([
    ['EHOSTUNREACH', 'unreachable', 'Cannot reach https://10.9.9.9:6443: no route to host.'],
    ['ENOTFOUND', 'unreachable', 'Cannot reach https://10.9.9.9:6443: host name not found.'],
    ['ETIMEDOUT', 'unreachable', 'Cannot reach https://10.9.9.9:6443: connection timed out.'],
    ['ECONNRESET', 'unreachable', 'Cannot reach https://10.9.9.9:6443: connection reset.'],
    ['CERT_HAS_EXPIRED', 'tls', "TLS error talking to https://10.9.9.9:6443: the server's certificate has expired."],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls', "TLS error talking to https://10.9.9.9:6443: the server's certificate is not signed by a trusted authority."],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tls', 'TLS error talking to https://10.9.9.9:6443: the server rejected the client certificate (unknown CA).'],
  ])('%s → %s', (code, kind, start) => {
    const error = describeKubeError(fetchFailed(errno(code, `connect ${code}`)), { server: 'https://10.9.9.9:6443' });
    expect(error.code).toBe(kind);
    expect(error.message.startsWith(start)).toBe(true);
  });

  test('happy-eyeballs AggregateError causes, and undici connect timeouts', () => {
    const aggregate = new AggregateError([errno('ECONNREFUSED', 'a'), errno('ECONNREFUSED', 'b')], 'all failed');
    expect(describeKubeError(fetchFailed(aggregate)).message).toBe(
      'Cannot reach the cluster: connection refused. Is the cluster running, and is this the right context?',
    );
    expect(describeKubeError(fetchFailed(errno('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'))).code).toBe('unreachable');
  });

  test('a KubeError passes through; anything else is unknown, one line, tokens redacted', () => {
    const original = new KubeError('gone', 'x');
    expect(describeKubeError(original)).toBe(original);
    const error = describeKubeError(new Error(`boom with Bearer ${secretToken}\n    at somewhere (file.js:1:2)`), { context: 'c' });
    expect(error.code).toBe('unknown');
    expect(error.message).toBe('Context c: boom with Bearer …');
    expect(describeKubeError(new Error('bad config: token=abcdef0123456789xyz')).message).toBe('bad config: token=…');
    expectClean(error);
  });
});

describe('one connection pool per session', () => {
  test('requests reuse one TLS connection instead of a new Agent and handshake each (client-node makes one per request)', async () => {
    const config = contextConfig(trustedCluster());
    let handshakes = 0;
    const count = () => handshakes++;
    https.on('secureConnection', count);
    try {
      const client = createKubeClient(config);
      for (let i = 0; i < 20; i++) await client.getJSON('/api/v1/namespaces');
      // One connection, or two when the next request starts before the first one's socket is
      // back in the pool: never one per request.
      expect(handshakes).toBeLessThanOrEqual(2);
      expect(handshakes).toBeGreaterThan(0);
    } finally {
      https.off('secureConnection', count);
    }
  });

  test('a request that gets no answer drops the pool: the next one opens a new connection', async () => {
    const config = contextConfig(trustedCluster());
    let handshakes = 0;
    const count = () => handshakes++;
    https.on('secureConnection', count);
    try {
      const client = createKubeClient(config);
      for (let i = 0; i < 3; i++) await client.getJSON('/api/v1/namespaces');
      const pooled = handshakes;
      // The server never answers this one (a half-open connection looks the same from here).
      await expect(client.getJSON('/hang', { timeoutMs: 300 })).rejects.toThrow();
      // Without the drop, this would take an idle connection from the pool: no handshake.
      await client.getJSON('/api/v1/namespaces');
      expect(handshakes).toBe(pooled + 1);
    } finally {
      https.off('secureConnection', count);
    }
  });
});
