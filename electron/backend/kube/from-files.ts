/**
 * A cluster read from files instead of an API server: `kubectl get -o json` output and YAML
 * manifests, for offline use, bug reports and tests.
 */
import { basename } from 'node:path';
import { ManifestError, parseDocuments } from '../../../shared/kube/documents.ts';
import { mergeObjects, objectsFromDocuments, type SkippedObject } from '../../../shared/kube/manifests.ts';
import { objectKinds, type ClusterObjects, type ObjectKind } from '../../../shared/kube/objects.ts';
import { snapshotFormat, snapshotVersion, type Snapshot } from '../../../shared/snapshot/format.ts';
import { fileProblem, readTextFile } from '../read-text.ts';

export interface ManifestFiles {
  objects: ClusterObjects;
  skipped: SkippedObject[];
  /** Objects read per kind, after de-duplication. */
  counts: Record<ObjectKind, number>;
}

/**
 * Reads each file as JSON or as multi-document YAML and returns the trimmed objects in them
 * (later files win where two hold the same object), what was skipped and why, and counts.
 * Throws a ManifestError for a file that cannot be read (missing, too large, binary) or a
 * syntax error.
 */
export async function readManifestFiles(paths: string[]): Promise<ManifestFiles> {
  const sets: ClusterObjects[] = [];
  const skipped: SkippedObject[] = [];
  for (const path of paths) {
    const text = await readText(path);
    const found = objectsFromDocuments(parseDocuments(text, path), path);
    sets.push(found.objects);
    skipped.push(...found.skipped);
  }
  const objects = mergeObjects(sets);
  const counts = Object.fromEntries(objectKinds.map((kind) => [kind, objects[kind].length])) as Record<ObjectKind, number>;
  return { objects, skipped, counts };
}

/**
 * A snapshot of the objects in the files, with what was read and skipped for the caller to
 * report. The snapshot carries no context, server or Kubernetes version: files have none.
 * Files in which no object Podpath reads was found are an error naming what was skipped and
 * why: an empty snapshot from the wrong files would look like an empty cluster.
 */
export async function buildSnapshotFromFiles(
  paths: string[],
  capturedAt = new Date(),
): Promise<{ snapshot: Snapshot; counts: Record<ObjectKind, number>; skipped: SkippedObject[] }> {
  const { objects, counts, skipped } = await readManifestFiles(paths);
  if (Object.values(counts).every((n) => n === 0)) {
    const reasons = skipped.map((s) => `\n  ${s.source}: skipped ${s.kind}: ${s.reason}`).join('');
    throw new ManifestError(paths.join(', '), `No Kubernetes object Podpath reads was found in ${paths.join(', ')}; no snapshot written.${reasons}`);
  }
  const snapshot: Snapshot = {
    format: snapshotFormat,
    version: snapshotVersion,
    source: {
      context: null,
      server: null,
      kubernetesVersion: null,
      capturedAt: capturedAt.toISOString(),
      description: `built from files: ${paths.map((p) => basename(p)).join(', ')}`,
    },
    objects,
  };
  return { snapshot, counts, skipped };
}

async function readText(path: string): Promise<string> {
  try {
    return await readTextFile(path);
  } catch (error) {
    throw new ManifestError(path, `${path}: ${fileProblem(error)}`, null);
  }
}
