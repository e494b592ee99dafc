import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObjects, Pod } from '../kube/objects.ts';
import { derive } from '../topology/derive.ts';
import { diffReport } from './diff-report.ts';
import { formatDiffReport } from './diff-text.ts';
import { parseSnapshot } from './format.ts';

const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const before = derive(demo.objects, demo.source);

const podNamed = (objects: ClusterObjects, name: string): Pod => {
  const pod = objects.pods.find((p) => p.metadata.namespace === 'shop' && p.metadata.name.startsWith(name));
  if (!pod) throw new Error(`no pod ${name}`);
  return pod;
};

function setIP(pod: Pod, ip: string): void {
  pod.status = { ...pod.status, podIP: ip, podIPs: [{ ip }] };
}

/** The demo an hour later: a pod added and one gone, pods with new IPs (one of them recreated
 * under the same name), a Service with a new ClusterIP, an endpoint no longer ready, and a
 * NetworkPolicy deleted. */
function later(): ClusterObjects {
  const objects = structuredClone(demo.objects);
  const web3 = structuredClone(podNamed(objects, 'frontend-855456765f-6r8k4'));
  web3.metadata = { ...web3.metadata, name: 'web-3', uid: 'uid-web-3', labels: { app: 'web' } };
  web3.spec.nodeName = 'demo-worker-1';
  setIP(web3, '10.244.1.77');
  objects.pods.push(web3);

  objects.pods = objects.pods.filter((p) => p.metadata.name !== 'grafana-74869f764f-wsxtm');
  setIP(podNamed(objects, 'db-1'), '10.244.2.60');
  // db-2 deleted and created again by its StatefulSet: same name, new uid, new IP.
  const db2 = podNamed(objects, 'db-2');
  db2.metadata.uid = 'uid-db-2-again';
  setIP(db2, '10.244.1.61');

  const backend = objects.services.find((s) => s.metadata.namespace === 'shop' && s.metadata.name === 'backend')!;
  backend.spec = { ...backend.spec, clusterIP: '10.96.200.200', clusterIPs: ['10.96.200.200'] };

  const slice = objects.endpointSlices.find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'backend')!;
  const endpoint = slice.endpoints!.find((e) => e.addresses[0] === '10.244.1.7')!;
  endpoint.conditions = { ready: false, serving: false, terminating: false };

  objects.networkPolicies = objects.networkPolicies.filter((p) => p.metadata.name !== 'allow-dns-egress');
  return objects;
}

describe('diffReport', () => {
  const after = derive(later(), { ...demo.source, capturedAt: '2025-07-01T10:00:00Z' });
  const report = diffReport(before, after, { from: 'a.json', to: 'b.json' });

  test('names both sides', () => {
    expect(report.from).toEqual({ label: 'a.json', context: 'demo', capturedAt: '2025-07-01T09:00:00Z' });
    expect(report.to).toEqual({ label: 'b.json', context: 'demo', capturedAt: '2025-07-01T10:00:00Z' });
  });

  test('a pod added, a pod removed, a pod with a new IP, and one recreated under its name', () => {
    expect(report.pods.added).toEqual([{ id: 'pod:uid-web-3', name: 'shop/web-3', summary: '10.244.1.77 on demo-worker-1' }]);
    expect(report.pods.removed).toEqual([expect.objectContaining({ name: 'monitoring/grafana-74869f764f-wsxtm', summary: '10.244.1.4 on demo-worker-1' })]);
    const changed = Object.fromEntries(report.pods.changed.map((e) => [e.name, e.changes]));
    expect(changed['shop/db-1']).toEqual([{ field: 'IP', from: '10.244.2.6', to: '10.244.2.60' }]);
    expect(changed['shop/db-2']).toEqual([
      { field: 'uid', from: 'f1a96059-ae5e-47e3-8096-786b17955547', to: 'uid-db-2-again' },
      { field: 'IP', from: '10.244.1.6', to: '10.244.1.61' },
    ]);
    expect(Object.keys(changed).sort()).toEqual(['shop/db-1', 'shop/db-2']);
  });

  test("a Service's new ClusterIP; Services whose only change is their endpoints are not reported", () => {
    expect(report.services).toEqual({
      added: [],
      removed: [],
      changed: [expect.objectContaining({ id: 'svc:shop/backend', name: 'shop/backend', changes: [{ field: 'clusterIP', from: '10.96.139.244', to: '10.96.200.200' }] })],
    });
  });

  test('an endpoint no longer ready, and endpoints whose pod is gone', () => {
    const changed = Object.fromEntries(report.endpoints.changed.map((e) => [e.name, e.changes]));
    expect(changed['shop/backend 10.244.1.7']).toEqual([
      { field: 'ready', from: 'true', to: 'false' },
      { field: 'serving', from: 'true', to: 'false' },
    ]);
    // The slices were not updated for the deleted grafana pod: its endpoint now names no pod.
    expect(changed['monitoring/grafana 10.244.1.4']).toEqual([{ field: 'pod', from: 'monitoring/grafana-74869f764f-wsxtm', to: '' }]);
  });

  test('a NetworkPolicy removed', () => {
    expect(report.policies).toEqual({ added: [], removed: [expect.objectContaining({ id: 'netpol:shop/allow-dns-egress', name: 'shop/allow-dns-egress' })], changed: [] });
  });

  test('IP addresses that appeared, disappeared or changed owner', () => {
    const ips = Object.fromEntries(report.ips.map((c) => [c.ip, [c.from, c.to]]));
    expect(ips['10.244.1.77']).toEqual([null, 'pod shop/web-3']);
    expect(ips['10.244.1.4']).toEqual(['pod monitoring/grafana-74869f764f-wsxtm', null]);
    expect(ips['10.96.139.244']).toEqual(['service shop/backend', null]);
    expect(ips['10.96.200.200']).toEqual([null, 'service shop/backend']);
    expect(report.total).toBe(
      report.ips.length + report.pods.added.length + report.pods.removed.length + report.pods.changed.length + 1 + report.endpoints.changed.length + 1,
    );
  });

  test('an IP that moves to another pod is reported as such', () => {
    const objects = structuredClone(demo.objects);
    objects.pods = objects.pods.filter((p) => p.metadata.name !== 'db-0');
    setIP(podNamed(objects, 'backend-7fdd4dc6cd-rmptj'), '10.244.1.5');
    const moved = diffReport(before, derive(objects, demo.source));
    expect(moved.ips).toContainEqual({ ip: '10.244.1.5', from: 'pod shop/db-0', to: 'pod shop/backend-7fdd4dc6cd-rmptj' });
    expect(formatDiffReport(moved)).toContain('@ 10.244.1.5: pod shop/db-0 → pod shop/backend-7fdd4dc6cd-rmptj');
  });

  test('as text: one line per change, in the words of the network', () => {
    const text = formatDiffReport(report);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('a.json (demo, 2025-07-01T09:00:00Z) → b.json (demo, 2025-07-01T10:00:00Z)');
    expect(lines).toContain('+ pod shop/web-3 10.244.1.77 on demo-worker-1');
    expect(lines).toContain('- pod monitoring/grafana-74869f764f-wsxtm 10.244.1.4 on demo-worker-1');
    expect(lines).toContain('~ pod shop/db-1: IP 10.244.2.6 → 10.244.2.60');
    expect(lines).toContain('~ pod shop/db-2: recreated (uid f1a96059-ae5e-47e3-8096-786b17955547 → uid-db-2-again); IP 10.244.1.6 → 10.244.1.61');
    expect(lines).toContain('~ service shop/backend: clusterIP 10.96.139.244 → 10.96.200.200');
    expect(lines).toContain('~ endpoint shop/backend 10.244.1.7: ready true → false; serving true → false');
    expect(lines).toContain('- policy shop/allow-dns-egress Egress');
    expect(lines.at(-1)).toBe(`4 pods, 1 service, 3 endpoints, 1 policy; ${report.ips.length} IP addresses`);
  });

  test('the same model twice: nothing to report', () => {
    const same = diffReport(before, derive(structuredClone(demo.objects), demo.source));
    expect(same.total).toBe(0);
    expect(formatDiffReport(same).trimEnd().split('\n').at(-1)).toBe('No differences.');
    expect(JSON.parse(JSON.stringify(same))).toEqual(same);
  });
});
