// `podpath snapshot` against the real control plane, as a user runs it.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { parseDocument } from 'yaml';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { runPodpath } from '../podpath-cli.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: CLI snapshot tests need the test control plane (see "control plane unavailable" above)');
const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-'));

const podpath = (...args: string[]) => runPodpath(args);

/** A copy of the test kubeconfig with the admin user changed. */
function kubeconfigWithUser(name: string, user: Record<string, unknown>): string {
  const doc = parseDocument(readFileSync(kubeconfig, 'utf8'));
  const users = doc.get('users') as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] };
  for (const entry of users.items) if (entry.get('name') === 'admin') entry.set('user', doc.createNode(user));
  const path = join(dir, name);
  writeFileSync(path, doc.toString());
  return path;
}

describe.skipIf(!kubeconfig)('podpath snapshot (live)', () => {
  test('as admin: one line per kind, a valid snapshot, no credentials in it', async () => {
    const out = join(dir, 'admin.json');
    const result = await podpath('snapshot', '--kubeconfig', kubeconfig, '--context', 'admin', '-o', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Nodes \d+$/m);
    expect(result.stdout).toMatch(/^Pods \d+$/m);
    expect(result.stdout).toMatch(/^Gateways absent$/m);
    const text = readFileSync(out, 'utf8');
    const snapshot = parseSnapshot(text);
    expect(snapshot.source).toMatchObject({ context: 'admin', kubernetesVersion: expect.stringMatching(/^v1\.\d+/) });
    expect(snapshot.objects.services.some((s) => s.metadata.name === 'kubernetes')).toBe(true);
    const token = /token: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1];
    expect(token && text.includes(token)).toBe(false);
    expect(text).not.toMatch(/BEGIN CERTIFICATE|last-applied-configuration|managedFields/);
  });

  test('as the RBAC-limited user: Nodes forbidden, the rest read per namespace, exit 0', async () => {
    const out = join(dir, 'limited.json');
    const result = await podpath('snapshot', '--kubeconfig', kubeconfig, '--context', 'limited', '-n', 'team-b', '-o', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Nodes forbidden$/m);
    expect(result.stdout).toMatch(/^Pods \d+ \(in team-a, team-b\)$/m);
    const snapshot = parseSnapshot(readFileSync(out, 'utf8'));
    expect(snapshot.source.unavailableKinds?.map((k) => k.kind)).toContain('nodes');
  });

  test('expired credentials: a message naming the 401 and what to do, no file', async () => {
    const bad = kubeconfigWithUser('expired.yaml', { token: 'expired-token' });
    const result = await podpath('snapshot', '--kubeconfig', bad, '--context', 'admin', '-o', join(dir, 'never.json'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^podpath: .*rejected the credentials.*401/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('a failing exec credential plugin: its stderr in the message', async () => {
    const plugin = join(dir, 'fake-auth-plugin');
    writeFileSync(plugin, '#!/bin/sh\necho "error: the SSO session has expired; run fake-login" >&2\nexit 1\n');
    chmodSync(plugin, 0o755);
    const bad = kubeconfigWithUser('exec.yaml', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } });
    const result = await podpath('snapshot', '--kubeconfig', bad, '--context', 'admin', '-o', join(dir, 'never.json'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/fake-auth-plugin/);
    expect(result.stderr).toMatch(/SSO session has expired; run fake-login/);
  });

  test('describe --kubeconfig --context --json: lists once, describes, closes, exits', async () => {
    const result = await podpath('describe', '--kubeconfig', kubeconfig, '--context', 'admin', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Pods \d+$/m);
    const doc = JSON.parse(result.stdout) as { cluster: { context: string; proxy: { mode: string } }; services: { namespace: string; name: string; clusterIPs: string[] }[] };
    expect(doc.cluster.context).toBe('admin');
    expect(['iptables', 'ipvs', 'nftables', 'ebpf', 'unknown']).toContain(doc.cluster.proxy.mode);
    expect(doc.services.find((s) => s.namespace === 'default' && s.name === 'kubernetes')?.clusterIPs).toEqual(['10.96.0.1']);
    const token = /token: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1];
    expect(token && result.stdout.includes(token)).toBe(false);
  });

  test('an unknown context names the ones there are', async () => {
    const result = await podpath('snapshot', '--kubeconfig', kubeconfig, '--context', 'prod', '-o', join(dir, 'never.json'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/prod/);
    expect(result.stderr).toMatch(/admin/);
  });
});
