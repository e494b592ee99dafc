import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maxSnapshotBytes } from '../../../shared/ipc.ts';
import { ManifestError } from '../../../shared/kube/documents.ts';
import { parseSnapshot, serializeSnapshot } from '../../../shared/snapshot/format.ts';
import { derive } from '../../../shared/topology/derive.ts';
import { buildSnapshotFromFiles, readManifestFiles } from './from-files.ts';

/** Fixture files in test/fixtures/manifests/ (sources in its README). */
const fixture = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/manifests/${name}`, import.meta.url));

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'podpath-from-files-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('readManifestFiles', () => {
  test('multi-document YAML: reads the Namespace, Service and Pods, skips the Deployment, Secret and app ConfigMap with reasons', async () => {
    const { objects, skipped, counts } = await readManifestFiles([fixture('shop.yaml')]);
    expect(counts).toMatchObject({ namespaces: 1, services: 1, pods: 2, configMaps: 0, daemonSets: 0 });
    expect(objects.services[0]?.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(objects.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['shop/web-0', 'default/debug']);
    expect(skipped).toEqual([
      { source: fixture('shop.yaml'), kind: 'Deployment', reason: 'shop/web: apps/v1 Deployment is not a kind Podpath reads' },
      { source: fixture('shop.yaml'), kind: 'Secret', reason: 'shop/db: Secrets are never read' },
      { source: fixture('shop.yaml'), kind: 'ConfigMap', reason: "shop/web-settings: only kube-proxy's and the CNI's ConfigMaps are read" },
    ]);
    // The Secret's value and the Pod's env value are the same string; neither survives.
    expect(JSON.stringify(objects)).not.toContain('hunter2');
    expect(JSON.stringify(objects)).not.toContain('last-applied');
  });

  test('JSON lists from kubectl and the API; the same pod in a later file wins', async () => {
    const { objects, counts, skipped } = await readManifestFiles([fixture('kubectl-list.json'), fixture('podlist.json')]);
    expect(skipped).toEqual([]);
    expect(counts).toMatchObject({ pods: 2, services: 1, namespaces: 1 });
    // po.json (first file) and po_init.json (second) are the same minikube pod by uid; the
    // second has an init container, the first none.
    const nginx = objects.pods.find((p) => p.metadata.name === 'nginx');
    expect(nginx?.spec.initContainers?.map((c) => c.name)).toEqual(['ic1']);
  });

  test("an admin policy rule with a field its API version lacks is skipped with the reason, not read as any port", async () => {
    const path = join(scratch, 'cnp.yaml');
    const rule = (ports: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-db}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  ingress:
  - action: Deny
    from: [{namespaces: {}}]
    ${ports}
`;
    await writeFile(path, rule('ports: [{portNumber: {protocol: TCP, port: 5432}}]'));
    const { objects, skipped } = await readManifestFiles([path]);
    expect(objects.clusterNetworkPolicies).toEqual([]);
    expect(skipped).toEqual([{ source: path, kind: 'ClusterNetworkPolicy', reason: expect.stringMatching(/^ClusterNetworkPolicy deny-db: spec\.ingress\[0\]\.ports: no such field in policy\.networking\.k8s\.io\/v1alpha2; v1alpha2 rules give their ports as protocols/) }]);
    await writeFile(path, rule('protocols: [{tcp: {destinationPort: {number: 5432}}}]'));
    expect((await readManifestFiles([path])).objects.clusterNetworkPolicies.map((p) => p.metadata.name)).toEqual(['deny-db']);
  });

  test('a YAML syntax error names the file, line and column', async () => {
    const error = await readManifestFiles([fixture('shop.yaml'), fixture('broken.yaml')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toMatch(/^.*broken\.yaml:10:1: All mapping items must start at the same column/);
    expect((error as ManifestError).line).toBe(10);
    expect((error as ManifestError).file).toBe(fixture('broken.yaml'));
  });

  test('a JSON syntax error is reported with its line too', async () => {
    const path = join(scratch, 'cut.json');
    await writeFile(path, '{\n  "kind": "List",\n  "items": [\n    {"kind": "Pod",, "apiVersion": "v1"}\n  ]\n}\n');
    await expect(readManifestFiles([path])).rejects.toThrow(/cut\.json:4:\d+: /);
  });

  test('a missing file says so', async () => {
    await expect(readManifestFiles([join(scratch, 'nope.yaml')])).rejects.toThrow(/nope\.yaml: no such file/);
    await expect(readManifestFiles([scratch])).rejects.toThrow(/: a directory, not a file/);
  });

  test('an empty file is no objects, not an error', async () => {
    const path = join(scratch, 'empty.yaml');
    await writeFile(path, '# nothing here\n');
    const { counts, skipped } = await readManifestFiles([path]);
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    expect(skipped).toEqual([]);
  });
});

describe('buildSnapshotFromFiles', () => {
  test('a valid snapshot naming its files, with no context, server or version', async () => {
    const capturedAt = new Date('2026-11-26T10:00:00Z');
    const { snapshot, counts, skipped } = await buildSnapshotFromFiles([fixture('shop.yaml'), fixture('popeye-services.yaml')], capturedAt);
    expect(snapshot.source).toEqual({
      context: null,
      server: null,
      kubernetesVersion: null,
      capturedAt: '2026-11-26T10:00:00.000Z',
      description: 'built from files: shop.yaml, popeye-services.yaml',
    });
    expect(counts.services).toBe(6);
    expect(skipped.map((s) => s.kind)).toEqual(['Deployment', 'Secret', 'ConfigMap']);
    expect(parseSnapshot(serializeSnapshot(snapshot))).toEqual(snapshot);
    const topology = derive(snapshot.objects);
    expect(Object.keys(topology.services)).toContain('svc:shop/web');
    expect(Object.keys(topology.namespaces).sort()).toEqual(['ns:default', 'ns:shop']);
  });
});

describe('files that hold no Kubernetes object (issue 12)', () => {
  test('a binary file is refused as binary, not written as an empty snapshot', async () => {
    const path = join(scratch, 'image.png');
    await writeFile(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]));
    await expect(buildSnapshotFromFiles([path])).rejects.toThrow(/image\.png: a binary file, not text \(a NUL byte at offset 8\)/);
  });

  test('bytes that are not UTF-8 are refused the same way', async () => {
    const path = join(scratch, 'latin1.bin');
    await writeFile(path, Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xe9, 0xff, 0xfe, 0x0a]));
    await expect(buildSnapshotFromFiles([path])).rejects.toThrow(/latin1\.bin: not UTF-8 text/);
  });

  test('text with no object Podpath reads fails naming each file and why its documents were skipped', async () => {
    const notes = join(scratch, 'notes.txt');
    await writeFile(notes, 'just some words\n');
    const error = await buildSnapshotFromFiles([notes]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toBe(
      `No Kubernetes object Podpath reads was found in ${notes}; no snapshot written.\n  ${notes}: skipped (none): a string where a Kubernetes object was expected`,
    );
    const deployment = join(scratch, 'deployment.yaml');
    await writeFile(deployment, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    await expect(buildSnapshotFromFiles([notes, deployment])).rejects.toThrow(
      `No Kubernetes object Podpath reads was found in ${notes}, ${deployment}; no snapshot written.\n  ${notes}: skipped (none): a string where a Kubernetes object was expected\n  ${deployment}: skipped Deployment: web: apps/v1 Deployment is not a kind Podpath reads`,
    );
  });

  test('a file over the size limit is refused before it is read, naming its size and the limit', async () => {
    const path = join(scratch, 'huge.json');
    await writeFile(path, '');
    await truncate(path, maxSnapshotBytes + 10 * 1024 * 1024);
    await expect(readManifestFiles([path])).rejects.toThrow(`${path}: 60 MB, over the 50 MB Podpath reads`);
  });
});
