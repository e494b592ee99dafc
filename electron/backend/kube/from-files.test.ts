import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
    await expect(readManifestFiles([scratch])).rejects.toThrow(/is a directory/);
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
