// Kubeconfig loading against real files in temp dirs, and client-node driven by what we load.
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { maxSnapshotBytes } from '../../../shared/ipc.ts';
import { configForContext } from './context-config.ts';
import { KubeError } from './kube-error.ts';
import { kubeconfigPaths, listContexts, loadKubeconfig } from './kubeconfig.ts';
import { rememberContext } from './remembered-context.ts';
import { tempDirs } from '../../../test/temp-dirs.ts';

const tempDir = tempDirs('podpath-kubeconfig-');

function write(dir: string, name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

function kubeconfig(parts: {
  clusters?: Array<[string, Record<string, unknown>]>;
  users?: Array<[string, Record<string, unknown>]>;
  contexts?: Array<[string, Record<string, unknown>]>;
  current?: string;
}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (parts.clusters ?? []).map(([name, cluster]) => ({ name, cluster })),
    users: (parts.users ?? []).map(([name, user]) => ({ name, user })),
    contexts: (parts.contexts ?? []).map(([name, context]) => ({ name, context })),
    ...(parts.current ? { 'current-context': parts.current } : {}),
  };
}

function thrown(fn: () => unknown): KubeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KubeError);
    return error as KubeError;
  }
  throw new Error('expected a KubeError');
}

async function authHeaders(kc: KubeConfig): Promise<Record<string, string>> {
  const request = new RequestContext(`${kc.getCurrentCluster()?.server}/api`, HttpMethod.GET);
  await kc.applySecurityAuthentication(request);
  return request.getHeaders();
}

describe('kubeconfigPaths', () => {
  test('--kubeconfig alone when given', () => {
    expect(kubeconfigPaths({ explicit: '/x/config', env: { KUBECONFIG: '/a:/b' }, home: '/home/me' })).toEqual(['/x/config']);
  });

  test('KUBECONFIG split on the platform delimiter, empty entries and repeats dropped', () => {
    const env = { KUBECONFIG: ['/a/one', '', '/b/two', '/a/one', '/c/three', ''].join(delimiter) };
    expect(kubeconfigPaths({ env, home: '/home/me' })).toEqual(['/a/one', '/b/two', '/c/three']);
  });

  test('~/.kube/config otherwise (also for an empty KUBECONFIG)', () => {
    expect(kubeconfigPaths({ env: {}, home: '/home/me' })).toEqual(['/home/me/.kube/config']);
    expect(kubeconfigPaths({ env: { KUBECONFIG: delimiter }, home: '/home/me' })).toEqual(['/home/me/.kube/config']);
  });
});

describe('loadKubeconfig', () => {
  test('merges KUBECONFIG files as kubectl does: the first file to define a name wins, and its current-context', () => {
    const dir = tempDir();
    const a = write(
      dir,
      'a.yaml',
      kubeconfig({
        clusters: [['shared', { server: 'https://a.example:6443' }]],
        users: [['me', { token: 'token-a' }]],
        contexts: [
          ['ctx-a', { cluster: 'shared', user: 'me' }],
          ['dup', { cluster: 'shared', user: 'me', namespace: 'from-a' }],
        ],
        current: 'ctx-a',
      }),
    );
    const b = write(
      dir,
      'b.yaml',
      kubeconfig({
        clusters: [
          ['shared', { server: 'https://b.example:6443' }],
          ['only-b', { server: 'https://only-b.example' }],
        ],
        users: [['me', { token: 'token-b' }]],
        contexts: [
          ['dup', { cluster: 'only-b', user: 'me', namespace: 'from-b' }],
          ['ctx-b', { cluster: 'only-b', user: 'me' }],
        ],
        current: 'ctx-b',
      }),
    );
    // client-node's own merge throws on the duplicate names (and would let b's current-context win).
    const own = new KubeConfig();
    own.loadFromFile(a);
    const other = new KubeConfig();
    other.loadFromFile(b);
    expect(() => own.mergeConfig(other)).toThrow(/Duplicate cluster: shared/);

    const loaded = loadKubeconfig(kubeconfigPaths({ env: { KUBECONFIG: [a, b].join(delimiter) } }));
    expect(loaded.files).toEqual([a, b]);
    expect(loaded.current).toBe('ctx-a');
    expect(loaded.config.getCurrentContext()).toBe('ctx-a');
    expect(loaded.contexts.map((c) => c.name)).toEqual(['ctx-a', 'dup', 'ctx-b']);
    const dup = loaded.contexts.find((c) => c.name === 'dup');
    expect(dup).toMatchObject({ cluster: 'shared', namespace: 'from-a', server: 'https://a.example:6443' });
    expect(loaded.contexts.find((c) => c.name === 'ctx-b')).toMatchObject({ cluster: 'only-b', server: 'https://only-b.example' });
    expect(loaded.config.getCluster('shared')?.server).toBe('https://a.example:6443');
    expect(loaded.config.getUser('me')?.token).toBe('token-a');
  });

  test('current-context comes from the first file that sets one', () => {
    const dir = tempDir();
    const a = write(dir, 'a.yaml', kubeconfig({ clusters: [['c', { server: 'https://c' }]], contexts: [['x', { cluster: 'c' }]] }));
    const b = write(dir, 'b.yaml', kubeconfig({ contexts: [['y', { cluster: 'c' }]], current: 'y' }));
    expect(loadKubeconfig([a, b]).current).toBe('y');
  });

  test('a file in KUBECONFIG that does not exist is skipped', () => {
    const dir = tempDir();
    const a = write(dir, 'a.yaml', kubeconfig({ clusters: [['c', { server: 'https://c' }]], contexts: [['x', { cluster: 'c' }]] }));
    const loaded = loadKubeconfig([join(dir, 'missing.yaml'), a]);
    expect(loaded.files).toEqual([a]);
    expect(loaded.contexts.map((c) => c.name)).toEqual(['x']);
  });

  test('an explicit --kubeconfig that does not exist is an error, and so is every listed file missing', () => {
    const dir = tempDir();
    const missing = join(dir, 'nope.yaml');
    const one = thrown(() => loadKubeconfig(kubeconfigPaths({ explicit: missing })));
    expect(one.code).toBe('kubeconfig-missing');
    expect(one.message).toContain(`The kubeconfig ${missing} does not exist.`);
    expect(one.hint).toContain('--kubeconfig');
    const all = thrown(() => loadKubeconfig([missing, join(dir, 'also-nope.yaml')]));
    expect(all.code).toBe('kubeconfig-missing');
    expect(all.message).toContain('None of the kubeconfig files exist');
  });

  test('broken YAML is kubeconfig-invalid naming file:line', () => {
    const dir = tempDir();
    const file = write(dir, 'broken.yaml', 'apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: "https://x\ncontexts: []\n');
    const error = thrown(() => loadKubeconfig([file]));
    expect(error.code).toBe('kubeconfig-invalid');
    expect(error.message).toMatch(new RegExp(`^The kubeconfig ${file}:\\d+ is not valid YAML: `));
    expect(error.message).not.toContain('\n');

    const tabbed = write(dir, 'tab.yaml', 'apiVersion: v1\nclusters:\n\t- name: c\n');
    expect(thrown(() => loadKubeconfig([tabbed])).message).toContain(`${tabbed}:3 `);
  });

  test('YAML nested deeper than the limit is kubeconfig-invalid naming the line, not a stack overflow (issue 12)', () => {
    const dir = tempDir();
    const file = write(dir, 'deep.yaml', `apiVersion: v1\nclusters:\n${'- '.repeat(3000)}x\n`);
    const error = thrown(() => loadKubeconfig([file]));
    expect(error.code).toBe('kubeconfig-invalid');
    expect(error.message).toMatch(new RegExp(`^The kubeconfig ${file}:3 is not valid YAML: nested deeper than 256 levels at line 3, column \\d+\\.`));
  });

  test('an alias without its anchor is kubeconfig-invalid, not a raw ReferenceError (found by fuzzing, issue 12)', () => {
    const file = write(tempDir(), 'alias.yaml', '<<: *a\n');
    const error = thrown(() => loadKubeconfig([file]));
    expect(error.code).toBe('kubeconfig-invalid');
    expect(error.message).toMatch(new RegExp(`^The kubeconfig ${file}:1 is not valid: Unresolved alias \\(the anchor must be set before the alias\\): a\\.`));
  });

  test('a file over the size limit, or binary, is refused before it is parsed (issue 12)', () => {
    const dir = tempDir();
    const huge = write(dir, 'huge', '');
    truncateSync(huge, maxSnapshotBytes + 1024 * 1024);
    const error = thrown(() => loadKubeconfig([huge]));
    expect(error.code).toBe('kubeconfig-invalid');
    expect(error.message).toMatch(new RegExp(`^Cannot read the kubeconfig ${huge}: 51 MB, over the 50 MB Podpath reads\\.`));
    const binary = write(dir, 'binary', '\u0000\u0001');
    expect(thrown(() => loadKubeconfig([binary])).message).toMatch(/a binary file, not text/);
  });

  test('a file of the wrong shape is kubeconfig-invalid with the line of the entry', () => {
    const dir = tempDir();
    const notList = write(dir, 'a.yaml', 'apiVersion: v1\nkind: Config\nclusters: nope\n');
    expect(thrown(() => loadKubeconfig([notList])).message).toBe(
      `The kubeconfig ${notList}:3 is not valid: clusters must be a list. Fix that entry, or point KUBECONFIG / --kubeconfig at another file.`,
    );
    const dup = write(
      dir,
      'b.yaml',
      'contexts:\n- name: x\n  context: {cluster: c}\n- name: x\n  context: {cluster: d}\n',
    );
    const error = thrown(() => loadKubeconfig([dup]));
    expect(error.code).toBe('kubeconfig-invalid');
    expect(error.message).toContain(`${dup}:4 is not valid: context name "x" appears twice`);
    const text = write(dir, 'c.yaml', 'just some text\n');
    expect(thrown(() => loadKubeconfig([text])).message).toContain('it is not a kubeconfig');
  });

  test('an empty file is an empty kubeconfig', () => {
    const dir = tempDir();
    const loaded = loadKubeconfig([write(dir, 'empty.yaml', '')]);
    expect(loaded.contexts).toEqual([]);
    expect(loaded.current).toBeNull();
  });

  test('ContextInfo: server reduced to scheme://host:port, namespace, and warnings', () => {
    const dir = tempDir();
    const file = write(
      dir,
      'config',
      kubeconfig({
        clusters: [
          ['creds', { server: 'https://admin:hunter2@api.example.com:6443/k8s/clusters/c-1?token=abc#frag' }],
          ['insecure', { server: 'https://10.0.0.1:6443', 'insecure-skip-tls-verify': true }],
          ['renamed', { server: 'https://127.0.0.1:6443', 'tls-server-name': 'kubernetes.default' }],
          ['proxied', { server: 'https://[fd00::1]:6443', 'proxy-url': 'http://puser:ppass@proxy.corp:3128/' }],
          ['noserver', { 'certificate-authority': 'ca-missing.crt' }],
        ],
        users: [['u', { token: 'the-token' }]],
        contexts: [
          ['creds', { cluster: 'creds', user: 'u', namespace: 'team-a' }],
          ['insecure', { cluster: 'insecure', user: 'u' }],
          ['renamed', { cluster: 'renamed', user: 'u' }],
          ['proxied', { cluster: 'proxied', user: 'u' }],
          ['dangling', { cluster: 'nowhere', user: 'ghost' }],
          ['noserver', { cluster: 'noserver', user: 'u' }],
        ],
        current: 'creds',
      }),
    );
    const loaded = loadKubeconfig([file]);
    const byName = Object.fromEntries(loaded.contexts.map((c) => [c.name, c]));
    expect(byName.creds).toEqual({
      name: 'creds',
      cluster: 'creds',
      server: 'https://api.example.com:6443',
      user: 'u',
      namespace: 'team-a',
      auth: 'token',
      warnings: [],
    });
    expect(byName.insecure?.warnings).toEqual(['TLS verification is disabled (insecure-skip-tls-verify)']);
    expect(byName.insecure?.namespace).toBeNull();
    expect(byName.renamed?.warnings).toEqual(['TLS server name overridden to kubernetes.default']);
    expect(byName.proxied?.server).toBe('https://[fd00::1]:6443');
    expect(byName.proxied?.warnings).toEqual(['through proxy proxy.corp:3128']);
    expect(byName.dangling?.server).toBeNull();
    expect(byName.dangling?.auth).toBe('none');
    expect(byName.dangling?.warnings.join(' ')).toMatch(/Cluster nowhere is not defined.*User ghost is not defined/);
    expect(byName.noserver?.warnings.join(' ')).toContain('Cluster noserver has no server');
    expect(byName.noserver?.warnings.join(' ')).toContain(`Certificate authority file ${join(dir, 'ca-missing.crt')} does not exist`);
    // Nothing secret ever reaches the renderer.
    const json = JSON.stringify(loaded.contexts);
    for (const secret of ['hunter2', 'admin', 'abc', 'ppass', 'puser', 'the-token', 'k8s/clusters']) expect(json).not.toContain(secret);
    // A context whose cluster has no server is listed, but cannot be opened.
    const error = thrown(() => configForContext(loaded, 'noserver'));
    expect(error.code).toBe('kubeconfig-invalid');
    expect(error.message).toContain('refers to cluster noserver, which is not defined (or has no server)');
  });

  test('auth classification, with relative files resolved against the kubeconfig directory', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'client.crt'), 'cert');
    writeFileSync(join(dir, 'certs', 'client.key'), 'key');
    writeFileSync(join(dir, 'token.txt'), 'file-token\n');
    const file = write(
      dir,
      'config',
      kubeconfig({
        clusters: [['c', { server: 'https://c.example' }]],
        users: [
          ['token', { token: 'abc' }],
          ['token-file', { 'token-file': 'token.txt' }],
          ['cert-files', { 'client-certificate': 'certs/client.crt', 'client-key': 'certs/client.key' }],
          ['cert-data', { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' }],
          ['exec', { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: '/usr/local/bin/aws', args: ['eks', 'get-token'] } }],
          ['exec-rel', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin' } }],
          ['gke', { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'gke-gcloud-auth-plugin' } }],
          ['oidc', { 'auth-provider': { name: 'oidc', config: { 'client-id': 'x', 'id-token': 'y', 'idp-issuer-url': 'https://idp' } } }],
          ['gcp', { 'auth-provider': { name: 'gcp', config: {} } }],
          ['basic', { username: 'bob', password: 'pw' }],
          ['empty', {}],
        ],
        contexts: ['token', 'token-file', 'cert-files', 'cert-data', 'exec', 'exec-rel', 'gke', 'oidc', 'gcp', 'basic', 'empty', 'nouser'].map(
          (name): [string, Record<string, unknown>] => [name, name === 'nouser' ? { cluster: 'c' } : { cluster: 'c', user: name }],
        ),
      }),
    );
    const loaded = loadKubeconfig([file]);
    expect(Object.fromEntries(loaded.contexts.map((c) => [c.name, c.auth]))).toEqual({
      token: 'token',
      'token-file': 'token-file',
      'cert-files': 'client-certificate',
      'cert-data': 'client-certificate',
      exec: 'exec:aws',
      'exec-rel': 'exec:plugin',
      gke: 'exec:gke-gcloud-auth-plugin',
      oidc: 'oidc',
      gcp: 'auth-provider:gcp',
      basic: 'basic',
      empty: 'none',
      nouser: 'none',
    });
    expect(loaded.contexts.find((c) => c.name === 'cert-files')?.warnings).toEqual([]);
    expect(loaded.config.getUser('cert-files')?.certFile).toBe(join(dir, 'certs', 'client.crt'));
    expect(loaded.config.getUser('cert-files')?.keyFile).toBe(join(dir, 'certs', 'client.key'));
    expect(loaded.config.getUser('exec-rel')?.exec.command).toBe(join(dir, 'bin', 'plugin'));
    expect(loaded.config.getUser('gke')?.exec.command).toBe('gke-gcloud-auth-plugin');
  });

  test('tokens and token files reach the Authorization header through client-node', async () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'sa-token');
    writeFileSync(tokenFile, 'from-file');
    const file = write(
      dir,
      'config',
      kubeconfig({
        clusters: [['c', { server: 'https://c.example' }]],
        users: [
          ['inline', { token: 'inline-token' }],
          ['file', { 'token-file': 'sa-token' }],
          ['basic', { username: 'bob', password: 'pw' }],
        ],
        contexts: [
          ['inline', { cluster: 'c', user: 'inline' }],
          ['file', { cluster: 'c', user: 'file' }],
          ['basic', { cluster: 'c', user: 'basic' }],
        ],
      }),
    );
    const loaded = loadKubeconfig([file]);
    expect((await authHeaders(configForContext(loaded, 'inline'))).Authorization).toBe('Bearer inline-token');
    expect((await authHeaders(configForContext(loaded, 'file'))).Authorization).toBe('Bearer from-file');
    expect((await authHeaders(configForContext(loaded, 'basic'))).Authorization).toBe(`Basic ${Buffer.from('bob:pw').toString('base64')}`);
    // The token file is read when used, not while listing: a missing one does not hide the contexts.
    rmSync(tokenFile);
    const again = loadKubeconfig([file]);
    expect(again.contexts.find((c) => c.name === 'file')?.warnings).toEqual([`The token-file file ${tokenFile} does not exist`]);
    const error = await authHeaders(configForContext(again, 'file')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe('kubeconfig-invalid');
    expect((error as KubeError).message).toContain(`The token-file of user file (context file), ${tokenFile}, does not exist.`);
  });

  test('inline client certificate data and cert files are loaded by client-node', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.crt'), 'CERT-FROM-FILE');
    writeFileSync(join(dir, 'c.key'), 'KEY-FROM-FILE');
    const file = write(
      dir,
      'config',
      kubeconfig({
        clusters: [['c', { server: 'https://c.example' }]],
        users: [
          ['data', { 'client-certificate-data': Buffer.from('CERT-DATA').toString('base64'), 'client-key-data': Buffer.from('KEY-DATA').toString('base64') }],
          ['files', { 'client-certificate': 'c.crt', 'client-key': 'c.key' }],
        ],
        contexts: [
          ['data', { cluster: 'c', user: 'data' }],
          ['files', { cluster: 'c', user: 'files' }],
        ],
      }),
    );
    const loaded = loadKubeconfig([file]);
    for (const [context, cert, key] of [
      ['data', 'CERT-DATA', 'KEY-DATA'],
      ['files', 'CERT-FROM-FILE', 'KEY-FROM-FILE'],
    ] as const) {
      const opts: { cert?: Buffer; key?: Buffer } = {};
      await configForContext(loaded, context).applyToHTTPSOptions(opts);
      expect(String(opts.cert)).toBe(cert);
      expect(String(opts.key)).toBe(key);
    }
  });

  test('configForContext: a KubeConfig of its own with the context current; unknown contexts named', () => {
    const dir = tempDir();
    const file = write(
      dir,
      'config',
      kubeconfig({
        clusters: [['c', { server: 'https://c.example' }]],
        users: [['u', { token: 't' }]],
        contexts: [
          ['one', { cluster: 'c', user: 'u' }],
          ['two', { cluster: 'c', user: 'u', namespace: 'ns' }],
        ],
        current: 'one',
      }),
    );
    const loaded = loadKubeconfig([file]);
    const kc = configForContext(loaded, 'two');
    expect(kc).not.toBe(loaded.config);
    expect(kc.getCurrentContext()).toBe('two');
    expect(kc.getContextObject('two')?.namespace).toBe('ns');
    expect(kc.getCurrentCluster()?.server).toBe('https://c.example');
    expect(loaded.config.getCurrentContext()).toBe('one');
    expect(kc.getCurrentUser()).not.toBe(loaded.config.getUser('u'));

    const error = thrown(() => configForContext(loaded, 'three'));
    expect(error.code).toBe('context-not-found');
    expect(error.message).toBe(`Context three is not in ${file}. Available contexts: one, two.`);
  });
});

describe('the last context used', () => {
  test('listContexts prefers the last used context while it exists, else current-context; never throws', () => {
    const dir = tempDir();
    const state = join(dir, 'contexts.json');
    const config = (contexts: string[]) =>
      kubeconfig({
        clusters: [['c', { server: 'https://c.example' }]],
        contexts: contexts.map((name): [string, Record<string, unknown>] => [name, { cluster: 'c' }]),
        current: 'one',
      });
    const file = write(dir, 'config', config(['one', 'two']));
    expect(listContexts([file], state)).toMatchObject({ files: [file], preferred: 'one', error: null });
    rememberContext(state, [file], 'two');
    const list = listContexts([file], state);
    expect(list.preferred).toBe('two');
    expect(list.contexts.map((c) => c.name)).toEqual(['one', 'two']);
    write(dir, 'config', config(['one', 'three']));
    expect(listContexts([file], state).preferred).toBe('one');

    const missing = listContexts([join(dir, 'nope')], state);
    expect(missing).toMatchObject({ contexts: [], preferred: null });
    expect(missing.error).toContain('does not exist');
    const broken = listContexts([write(dir, 'broken', 'a: [\n')], state);
    expect(broken.error).toMatch(/broken:\d+ is not valid YAML/);
  });
});
