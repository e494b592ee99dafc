/**
 * Fuzzing kubeconfig loading (issue 12): the file `--kubeconfig` or KUBECONFIG names, read and
 * merged, its contexts listed and client-node's KubeConfig built from it. It loads, or fails with
 * a KubeError that names the file and the problem; listContexts never throws.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify as yamlStringify } from 'yaml';
import { KubeError } from '../../electron/backend/kube/kube-error.ts';
import { listContexts, loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { tempDirs } from '../temp-dirs.ts';
import { answersOrNames, check, hostileText, mutationsOf, toJson } from './fuzz.ts';

const dir = tempDirs('podpath-fuzz-kubeconfig-')();
const file = join(dir, 'config');

const valid = {
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'dev',
  clusters: [{ name: 'dev', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'LS0t', 'proxy-url': 'http://proxy:3128', 'tls-server-name': 'kube' } }],
  users: [
    { name: 'me', user: { token: 'secret-token', exec: { command: './bin/auth', args: ['x'], apiVersion: 'client.authentication.k8s.io/v1' } } },
    { name: 'oidc', user: { 'auth-provider': { name: 'oidc', config: { 'client-id': 'x' } }, 'token-file': 'token' } },
  ],
  contexts: [{ name: 'dev', context: { cluster: 'dev', user: 'me', namespace: 'shop' } }],
};

function load(text: string): void {
  writeFileSync(file, text);
  const loaded = answersOrNames(() => loadKubeconfig([file]), [KubeError]);
  if (loaded instanceof Error) expect(loaded.message).toContain(file);
  const listed = listContexts([file], null);
  expect(listed.error === null).toBe(!(loaded instanceof Error));
}

describe('fuzz: kubeconfig loading', () => {
  test('a kubeconfig with parts broken, as YAML and as JSON', () => {
    check('kubeconfig (mutated, YAML)', fc.property(mutationsOf(valid), (value) => load(yamlStringify(value))), 80);
    check('kubeconfig (mutated, JSON)', fc.property(mutationsOf(valid), (value) => load(toJson(value))), 80);
  });

  test('random text, random bytes and YAML punctuation', () => {
    check('kubeconfig (random text)', fc.property(hostileText, load), 600);
  });
});
