/**
 * A cluster read from files instead of an API server: `kubectl get -o json` output and YAML
 * manifests, for offline use, bug reports and tests.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { mergeObjects, objectsFromDocuments, type SkippedObject } from '../../shared/kube/manifests.ts';
import { objectKinds, type ClusterObjects, type ObjectKind } from '../../shared/kube/objects.ts';
import { snapshotFormat, snapshotVersion, type Snapshot } from '../../shared/snapshot/format.ts';

export interface ManifestFiles {
  objects: ClusterObjects;
  skipped: SkippedObject[];
  /** Objects read per kind, after de-duplication. */
  counts: Record<ObjectKind, number>;
}

/** A file that could not be read or parsed. The message names the file, and for a syntax error
 * the line and column of each problem, one per line: `<file>:<line>:<col>: <message>`. */
export class ManifestError extends Error {
  readonly file: string;
  readonly line: number | null;

  constructor(file: string, message: string, line: number | null = null) {
    super(message);
    this.name = 'ManifestError';
    this.file = file;
    this.line = line;
  }
}

/**
 * Reads each file as JSON or as multi-document YAML and returns the trimmed objects in them
 * (later files win where two hold the same object), what was skipped and why, and counts.
 * Throws a ManifestError for a missing file or a syntax error.
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
 */
export async function buildSnapshotFromFiles(
  paths: string[],
  capturedAt = new Date(),
): Promise<{ snapshot: Snapshot; counts: Record<ObjectKind, number>; skipped: SkippedObject[] }> {
  const { objects, counts, skipped } = await readManifestFiles(paths);
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
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ManifestError(path, `${path}: no such file`);
    if (code === 'EISDIR') throw new ManifestError(path, `${path}: is a directory, not a file`);
    throw new ManifestError(path, `${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The documents in a file. JSON (what `kubectl get -o json` writes) goes through JSON.parse,
 * which is much faster than a YAML parser on a large list; anything else, and JSON that fails,
 * goes through the YAML parser, which says where the problem is.
 */
export function parseDocuments(text: string, file: string): unknown[] {
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') {
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? value : [value];
    } catch {
      // Fall through: YAML reads JSON too, and reports the line and column of a syntax error.
    }
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const problems = documents.flatMap((doc) => doc.errors).map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { line, text: `${file}:${line}:${col}: ${error.message}` };
  });
  const first = problems[0];
  if (first) throw new ManifestError(file, problems.map((p) => p.text).join('\n'), first.line);
  return documents.map((doc) => {
    try {
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (error) {
      const { line, col } = lineCounter.linePos(doc.range[0]);
      throw new ManifestError(file, `${file}:${line}:${col}: ${error instanceof Error ? error.message : String(error)}`, line);
    }
  });
}
