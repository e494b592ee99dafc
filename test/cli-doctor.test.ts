// `podpath doctor` run as a user runs it (the real bin/podpath.mjs in a child process): on the
// demo, and on two snapshots of a small cluster of our own, one healthy and its near-neighbour
// with a Service whose selector matches no pod.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { diagnose } from '../shared/doctor/doctor.ts';
import type { Problem } from '../shared/doctor/types.ts';
import { emptyObjects, type ClusterObjects } from '../shared/kube/objects.ts';
import { parseSnapshot, serializeSnapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { repoRoot } from './e2e/serve.ts';
import { runPodpath } from './podpath-cli.ts';

const demoPath = 'assets/demo-cluster.podpath.json';
const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-doctor-'));

interface DoctorJson {
  problems: Problem[];
  counts: { error: number; warning: number; info: number };
}

const ready = [{ type: 'Ready', status: 'True' }];

/**
 * One node; CoreDNS behind kube-dns (53/UDP and 53/TCP, ready); and `cart`, one ready pod
 * (app=cart, port `http` 8080) behind Service shop/cart, whose selector is `selector`. The
 * EndpointSlice is what the endpointslice controller would write for that selector.
 */
function smallCluster(selector: string): ClusterObjects {
  const objects = emptyObjects();
  objects.namespaces = ['kube-system', 'shop'].map((name) => ({ metadata: { name, uid: `ns-${name}`, labels: { 'kubernetes.io/metadata.name': name } } }));
  objects.nodes = [
    {
      metadata: { name: 'node-1', uid: 'node-1' },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], conditions: ready },
    },
  ];
  objects.pods = [
    {
      metadata: { name: 'coredns-0', namespace: 'kube-system', uid: 'pod-coredns', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        nodeName: 'node-1',
        containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.0', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] }],
      },
      status: { phase: 'Running', podIP: '10.244.1.2', podIPs: [{ ip: '10.244.1.2' }], conditions: ready, containerStatuses: [{ name: 'coredns', ready: true }] },
    },
    {
      metadata: { name: 'cart-0', namespace: 'shop', uid: 'pod-cart', labels: { app: 'cart' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'cart', image: 'registry.example/cart:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
      status: { phase: 'Running', podIP: '10.244.1.3', podIPs: [{ ip: '10.244.1.3' }], conditions: ready, containerStatuses: [{ name: 'cart', ready: true }] },
    },
  ];
  objects.services = [
    {
      metadata: { name: 'kube-dns', namespace: 'kube-system', uid: 'svc-dns', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        selector: { 'k8s-app': 'kube-dns' },
        ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 }],
      },
    },
    {
      metadata: { name: 'cart', namespace: 'shop', uid: 'svc-cart' },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], selector: { app: selector }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }] },
    },
  ];
  const endpoint = (ip: string, pod: string, namespace: string, uid: string) => ({
    addresses: [ip],
    conditions: { ready: true, serving: true, terminating: false },
    nodeName: 'node-1',
    targetRef: { kind: 'Pod', name: pod, namespace, uid },
  });
  objects.endpointSlices = [
    {
      metadata: { name: 'kube-dns-abcde', namespace: 'kube-system', uid: 'slice-dns', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
      addressType: 'IPv4',
      endpoints: [endpoint('10.244.1.2', 'coredns-0', 'kube-system', 'pod-coredns')],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
    },
    {
      metadata: { name: 'cart-fghij', namespace: 'shop', uid: 'slice-cart', labels: { 'kubernetes.io/service-name': 'cart' } },
      addressType: 'IPv4',
      endpoints: selector === 'cart' ? [endpoint('10.244.1.3', 'cart-0', 'shop', 'pod-cart')] : [],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ];
  return objects;
}

function snapshotFile(name: string, objects: ClusterObjects): string {
  const path = join(dir, name);
  writeFileSync(path, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: name, server: null, kubernetesVersion: 'v1.33.2', capturedAt: '2026-01-01T00:00:00Z' }, objects }));
  return path;
}

const healthy = snapshotFile('healthy.podpath.json', smallCluster('cart'));
const broken = snapshotFile('broken.podpath.json', smallCluster('carts'));

describe('podpath doctor', () => {
  test('a healthy cluster: nothing to report, exit 0', async () => {
    const result = await runPodpath(['doctor', '--snapshot', healthy]);
    expect(result).toEqual({ code: 0, stdout: 'No network problems found.\n', stderr: '' });
    const json = await runPodpath(['doctor', '--snapshot', healthy, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ problems: [], counts: { error: 0, warning: 0, info: 0 } });
  });

  test("its near-neighbour, a Service whose selector matches no pod: the error, its near miss, exit 1", async () => {
    const result = await runPodpath(['doctor', '--snapshot', broken]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const error = lines.findIndex((line) => line.startsWith('ERROR service/shop/cart: '));
    expect(error).toBeGreaterThanOrEqual(0);
    expect(lines[error]).toMatch(/app=carts/);
    // The near miss names the pod one letter off.
    expect(lines[error]).toMatch(/cart-0/);
    expect(lines.at(-2)).toMatch(/^[1-9]\d* errors?, \d+ warnings?, \d+ info$/);

    const json = await runPodpath(['doctor', '--snapshot', broken, '--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as DoctorJson;
    expect(doc.problems).toContainEqual(expect.objectContaining({ kind: 'service-selects-nothing', severity: 'error', subject: 'service/shop/cart', subjectId: 'svc:shop/cart' }));
  });

  test('--demo: the same problems as diagnose finds, as text and as JSON; exit 1 only for an error', async () => {
    const expected = (() => {
      const snapshot = parseSnapshot(readFileSync(join(repoRoot, demoPath), 'utf8'));
      return diagnose(derive(snapshot.objects, snapshot.source));
    })();
    const json = await runPodpath(['doctor', '--demo', '--json']);
    expect(json.stderr).toBe('');
    const doc = JSON.parse(json.stdout) as DoctorJson;
    expect(doc.problems).toEqual(expected);
    const counts = { error: 0, warning: 0, info: 0 };
    for (const p of expected) counts[p.severity]++;
    expect(doc.counts).toEqual(counts);
    expect(json.code).toBe(counts.error > 0 ? 1 : 0);
    // The demo has problems to show (payments/ledger's pods are not ready; fraud-check refuses).
    expect(expected.length).toBeGreaterThan(0);

    const text = await runPodpath(['doctor', '--demo']);
    expect(text.code).toBe(json.code);
    const heads = text.stdout.split('\n').filter((line) => /^(ERROR|WARNING|INFO) /.test(line));
    expect(heads).toEqual(expected.map((p) => `${p.severity.toUpperCase()} ${p.subject}: ${p.message}`));
  });

  test('a snapshot that cannot be read: one line saying why, exit 2 (not 1, "problems found")', async () => {
    const result = await runPodpath(['doctor', '--snapshot', join(dir, 'nope.json')]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `podpath: Cannot read snapshot ${join(dir, 'nope.json')}: no such file.\n` });
    const usage = await runPodpath(['doctor', '--demo', '--snapshot', healthy]);
    expect(usage.code).toBe(2);
  });
});
