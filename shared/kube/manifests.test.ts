import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { derive } from '../topology/derive.ts';
import { mergeObjects, objectsFromDocuments, syntheticUid } from './manifests.ts';
import { emptyObjects } from './objects.ts';

/** Fixture files in test/fixtures/manifests/ (sources in its README). */
function fixture(name: string): string {
  return readFileSync(new URL(`../../test/fixtures/manifests/${name}`, import.meta.url), 'utf8');
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', ...extra },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

describe('objectsFromDocuments', () => {
  test('reads a kubectl `kind: List` whose items carry their own kinds (k9s captures)', () => {
    const { objects, skipped } = objectsFromDocuments([JSON.parse(fixture('kubectl-list.json'))], 'kubectl-list.json');
    expect(skipped).toEqual([]);
    expect(objects.pods.map((p) => p.metadata.name)).toEqual(['nginx']);
    expect(objects.services.map((s) => s.metadata.name)).toEqual(['dictionary1']);
    expect(objects.namespaces.map((n) => n.metadata.name)).toEqual(['kube-system']);
    // Trimmed: the captures' last-applied annotations are gone.
    expect(JSON.stringify(objects)).not.toContain('last-applied');
  });

  test('items of a typed list (PodList) without apiVersion/kind inherit them from the list', () => {
    const { objects, skipped } = objectsFromDocuments([JSON.parse(fixture('podlist.json'))], 'podlist.json');
    expect(skipped).toEqual([]);
    expect(objects.pods.map((p) => p.metadata.name)).toEqual(['sleep', 'nginx']);
    expect(objects.pods[0]?.spec.initContainers?.[1]).toEqual({ name: 'sidecar', image: 'istio/base', restartPolicy: 'Always' });
  });

  test('reads a YAML List of hand-written Services without uids (popeye svc/1.yaml)', () => {
    const { objects, skipped } = objectsFromDocuments([parseYaml(fixture('popeye-services.yaml'))], 'popeye-services.yaml');
    expect(skipped).toEqual([]);
    expect(objects.services.map((s) => [s.metadata.name, s.spec.type ?? null])).toEqual([
      ['svc1', 'NodePort'],
      ['svc2', 'ClusterIP'],
      ['svc3', 'ExternalName'],
      ['svc4', 'LoadBalancer'],
      ['svc5', null],
    ]);
    expect(objects.services[0]?.spec.externalTrafficPolicy).toBe('Local');
    expect(objects.services.every((s) => s.metadata.uid.startsWith('manifest-'))).toBe(true);
  });

  test('skips kinds it does not read, Secrets and other ConfigMaps, each with a reason; ignores empty documents', () => {
    const { objects, skipped } = objectsFromDocuments(
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: {} },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: 'hunter2' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { DB_PASSWORD: 'hunter2' } },
        { kind: 'Pod', metadata: { name: 'no-api-version' } },
        { metadata: { name: 'nothing' } },
        'just a string',
        [1, 2],
        { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' }, spec: { containers: [] } },
        null,
        undefined,
        pod('kept'),
      ],
      'mixed.yaml',
    );
    expect(objects.pods.map((p) => p.metadata.name)).toEqual(['kept']);
    expect(objects.configMaps).toEqual([]);
    expect(skipped).toEqual([
      { source: 'mixed.yaml', kind: 'Deployment', reason: 'shop/web: apps/v1 Deployment is not a kind Podpath reads' },
      { source: 'mixed.yaml', kind: 'Secret', reason: 'shop/db: Secrets are never read' },
      { source: 'mixed.yaml', kind: 'ConfigMap', reason: "shop/settings: only kube-proxy's and the CNI's ConfigMaps are read" },
      { source: 'mixed.yaml', kind: 'Pod', reason: 'no-api-version: no apiVersion, so not a Kubernetes object' },
      { source: 'mixed.yaml', kind: '(none)', reason: 'nothing: no kind, so not a Kubernetes object' },
      { source: 'mixed.yaml', kind: '(none)', reason: 'a string where a Kubernetes object was expected' },
      { source: 'mixed.yaml', kind: '(none)', reason: 'a list where a Kubernetes object was expected' },
      { source: 'mixed.yaml', kind: 'Pod', reason: 'no metadata.name' },
    ]);
    expect(JSON.stringify({ objects, skipped })).not.toContain('hunter2');
  });

  test('a namespaced object without namespace is in default; a cluster-scoped one loses a stray namespace', () => {
    const { objects } = objectsFromDocuments(
      [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: {} },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', namespace: 'shop' } },
      ],
      'x.yaml',
    );
    expect(objects.services[0]?.metadata.namespace).toBe('default');
    expect(objects.nodes[0]?.metadata).toEqual({ name: 'worker-1', uid: syntheticUid('nodes', undefined, 'worker-1') });
  });

  test('objects without uid get one from kind, namespace and name: the same on every read, different for different objects', () => {
    const read = () => objectsFromDocuments([pod('web-0'), pod('web-1'), { ...pod('web-0'), metadata: { name: 'web-0', namespace: 'other' } }], 'a.yaml').objects.pods;
    const first = read().map((p) => p.metadata.uid);
    expect(read().map((p) => p.metadata.uid)).toEqual(first);
    expect(new Set(first).size).toBe(3);
    for (const uid of first) expect(uid).toMatch(/^manifest-[0-9a-f]{16}$/);
    expect(syntheticUid('pods', 'shop', 'web')).not.toBe(syntheticUid('services', 'shop', 'web'));
    // A uid the object has is kept as it is.
    expect(objectsFromDocuments([pod('web', { uid: 'real-uid' })], 'a.yaml').objects.pods[0]?.metadata.uid).toBe('real-uid');
  });

  test('de-duplicates by uid: a later object replaces an earlier one in place', () => {
    const { objects } = objectsFromDocuments(
      [pod('a', { uid: 'u1', labels: { v: '1' } }), pod('b', { uid: 'u2' }), { kind: 'List', apiVersion: 'v1', items: [pod('a', { uid: 'u1', labels: { v: '2' } })] }],
      'a.yaml',
    );
    expect(objects.pods.map((p) => [p.metadata.name, p.metadata.labels?.v])).toEqual([
      ['a', '2'],
      ['b', undefined],
    ]);
  });

  test('the result derives: a hand-written Pod and Service become model elements with stable ids', () => {
    const docs = [pod('web-0', { labels: { app: 'web' } }), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }];
    const first = derive(objectsFromDocuments(docs, 'a.yaml').objects);
    const again = derive(objectsFromDocuments(docs, 'a.yaml').objects);
    expect(Object.keys(first.pods)).toEqual([`pod:${syntheticUid('pods', 'shop', 'web-0')}`]);
    expect(Object.keys(first.services)).toEqual(['svc:shop/web']);
    expect(again).toEqual(first);
  });
});

describe('mergeObjects', () => {
  test('unions sets by uid, later sets winning', () => {
    const a = { ...emptyObjects(), pods: [objectsFromDocuments([pod('x', { uid: 'u1', labels: { from: 'a' } })], 'a').objects.pods[0]!] };
    const b = objectsFromDocuments([pod('x', { uid: 'u1', labels: { from: 'b' } }), pod('y', { uid: 'u2' })], 'b').objects;
    const merged = mergeObjects([a, b]);
    expect(merged.pods.map((p) => [p.metadata.name, p.metadata.labels?.from])).toEqual([
      ['x', 'b'],
      ['y', undefined],
    ]);
    expect(merged.services).toEqual([]);
  });
});

describe('objectsFromDocuments on hostile input (issue 12)', () => {
  test('Lists nested 100,000 deep are read without overflowing the stack', () => {
    let doc: unknown = pod('deep');
    for (let i = 0; i < 100_000; i++) doc = { apiVersion: 'v1', kind: 'List', items: [doc] };
    const { objects, skipped } = objectsFromDocuments([doc], 'deep.json');
    expect(skipped).toEqual([]);
    expect(objects.pods.map((p) => p.metadata.name)).toEqual(['deep']);
  });

  test('documents and List items keep their order: a later object with the same uid wins', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [pod('a', { uid: 'u' }), { apiVersion: 'v1', kind: 'List', items: [pod('b', { uid: 'u' })] }] };
    expect(objectsFromDocuments([list, pod('c')], 'f').objects.pods.map((p) => p.metadata.name)).toEqual(['b', 'c']);
  });
});
