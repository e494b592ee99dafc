// `podpath describe` and `podpath diff` on snapshot files, run as a user runs them: the real
// bin/podpath.mjs in a child process.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DescribeDocument } from '../shared/describe/types.ts';
import type { DiffReport } from '../shared/snapshot/diff-report.ts';
import { repoRoot } from './e2e/serve.ts';
import { labObjects, labPodObject, labReading } from './fixtures/datapath/lab-cluster.ts';
import { runPodpath } from './podpath-cli.ts';

const demoPath = 'assets/demo-cluster.podpath.json';
const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-'));

const podpath = (...args: string[]) => runPodpath(args);

/** The demo snapshot with `change` applied, written to a file of its own. */
function demoWith(name: string, change: (snapshot: { source: Record<string, unknown>; objects: Record<string, { metadata: Record<string, unknown>; spec?: Record<string, unknown> }[]> }) => void): string {
  const snapshot = JSON.parse(readFileSync(join(repoRoot, demoPath), 'utf8')) as Parameters<typeof change>[0];
  change(snapshot);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
}

describe('podpath describe', () => {
  test('--snapshot FILE --json prints the describe document', async () => {
    const result = await podpath('describe', '--snapshot', demoPath, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as DescribeDocument;
    expect(doc.cluster.cni).toMatchObject({ name: 'flannel', datapath: 'overlay', confidence: 'high', evidence: expect.arrayContaining([expect.stringMatching(/kube-flannel/)]) });
    expect(doc.cluster.proxy).toMatchObject({ mode: 'iptables', evidence: [expect.stringMatching(/kube-proxy/)] });
    expect(doc.nodes).toHaveLength(3);
    expect(doc.nodes[0]).toMatchObject({ name: 'demo-control-plane', podCIDRs: ['10.244.0.0/24'] });
    expect(doc.nodes[0]!.devices[0]).toEqual(expect.objectContaining({ name: null, kind: 'uplink', provenance: 'unknown' }));
    const pod = doc.pods.find((p) => p.name === 'db-0')!;
    expect(pod).toMatchObject({ namespace: 'shop', node: 'demo-worker-1', ips: ['10.244.1.5'], hostNetwork: false, veth: { hostName: null, provenance: 'unknown' } });
    const web = doc.services.find((s) => s.namespace === 'shop' && s.name === 'frontend')!;
    expect(web.ports[0]!.kubeProxyChains[0]).toMatch(/^KUBE-SVC-[A-Z2-7]{16}$/);
    expect(web.endpoints[0]).toEqual(expect.objectContaining({ ip: expect.any(String), ready: expect.any(Boolean), serving: expect.any(Boolean), terminating: expect.any(Boolean), node: expect.any(String), pod: expect.stringMatching(/^shop\/frontend-/) }));
  });

  test('prints readable text by default', async () => {
    const result = await podpath('describe', '--snapshot', demoPath);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}CNI\s+flannel · overlay VXLAN \(high confidence\)$/m);
    expect(result.stdout).toMatch(/^Services \(\d+\)$/m);
    expect(result.stdout).toMatch(/^ {6}10\.244\.1\.5 {2}ready {2}shop\/db-0 on demo-worker-1$/m);
    // A Service's health comes first, under its name.
    expect(result.stdout).toMatch(/^ {2}payments\/ledger {2}ClusterIP {2}\S+\n {4}2 endpoints, none ready: connections are rejected$/m);
  });

  test('a missing or corrupt snapshot: one line naming the problem, exit 1', async () => {
    const missing = await podpath('describe', '--snapshot', join(dir, 'nope.json'));
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`podpath: Cannot read snapshot ${join(dir, 'nope.json')}: no such file.\n`);

    const cut = join(dir, 'cut.json');
    writeFileSync(cut, readFileSync(join(repoRoot, demoPath), 'utf8').slice(0, 500));
    const corrupt = await podpath('describe', '--snapshot', cut, '--json');
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^podpath: cut\.json is not valid JSON \(.+\); is the file complete\?\n$/);
  });
});

test('podpath describe on a snapshot with a node reading: observed veths and devices, and the problems (issue 13)', async () => {
  const objects = labObjects();
  objects.pods.push(labPodObject('ghost-0', 'lab-1', '10.244.0.7'));
  const path = join(dir, 'probed.json');
  const source = { context: 'lab', server: null, kubernetesVersion: null, capturedAt: '2026-01-01T00:00:00Z' };
  writeFileSync(path, JSON.stringify({ format: 'podpath.snapshot', version: 1, source, objects, datapath: [labReading()] }));
  const json = await podpath('describe', '--snapshot', path, '--json');
  expect(json.stderr).toBe('');
  const doc = JSON.parse(json.stdout) as DescribeDocument;
  expect(doc.pods.find((p) => p.name === 'web-0')?.veth).toMatchObject({ hostName: 'vetha1b2c3d1', provenance: 'observed', evidence: expect.stringContaining('ip -j -d link on node lab-1') });
  expect(doc.nodes[0]?.devices.map((d) => [d.name, d.kind, d.provenance])).toEqual([['pp-up', 'uplink', 'observed'], ['cni0', 'bridge', 'observed'], ['flannel.1', 'tunnel', 'observed']]);
  expect(doc.problems).toContainEqual(expect.objectContaining({ kind: 'datapath-pod-without-veth', severity: 'error', subject: 'pod/shop/ghost-0' }));
  const text = await podpath('describe', '--snapshot', path);
  expect(text.stdout).toMatch(/^ {6}shop\/web-0 {2}10\.244\.0\.2 {2}Running {2}veth vetha1b2c3d1 \[observed\]$/m);
  expect(text.stdout).toMatch(/^ {2}error {3}pod\/shop\/ghost-0: the API places shop\/ghost-0/m);
});

describe('podpath diff', () => {
  const before = demoWith('before.json', () => {});
  const after = demoWith('after.json', (snapshot) => {
    snapshot.source.capturedAt = '2025-07-01T10:00:00Z';
    const backend = snapshot.objects.services!.find((s) => s.metadata.namespace === 'shop' && s.metadata.name === 'backend')!;
    backend.spec = { ...backend.spec, clusterIP: '10.96.200.200', clusterIPs: ['10.96.200.200'] };
    snapshot.objects.networkPolicies = snapshot.objects.networkPolicies!.filter((p) => p.metadata.name !== 'default-deny-all');
  });

  test('reports what changed, as text, and exits 0', async () => {
    const result = await podpath('diff', before, after);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'before.json (demo, 2025-07-01T09:00:00Z) → after.json (demo, 2025-07-01T10:00:00Z)',
      '~ service shop/backend: clusterIP 10.96.139.244 → 10.96.200.200',
      '- policy shop/default-deny-all Ingress, Egress',
      '1 service, 1 policy; 2 IP addresses',
      '',
    ]);
  });

  test('--json prints the report', async () => {
    const result = await podpath('diff', before, after, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(report.services.changed).toEqual([expect.objectContaining({ name: 'shop/backend', changes: [{ field: 'clusterIP', from: '10.96.139.244', to: '10.96.200.200' }] })]);
    expect(report.policies.removed.map((p) => p.name)).toEqual(['shop/default-deny-all']);
    expect(report.total).toBe(4);
  });

  test('the same snapshot twice: no differences', async () => {
    const result = await podpath('diff', demoPath, before);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/No differences\.\n$/);
  });

  test('a file that is not a snapshot: one line naming it, exit 1', async () => {
    const list = join(dir, 'list.json');
    writeFileSync(list, '{"apiVersion":"v1","kind":"List","items":[]}');
    const result = await podpath('diff', before, list);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'podpath: list.json is not a Podpath snapshot: "format" must be "podpath.snapshot".\n' });
  });
});
