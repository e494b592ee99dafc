/**
 * The snapshot file (design §5): one JSON document holding the trimmed Kubernetes objects a
 * model was derived from, where they came from, and optionally the layout. Storing inputs, not
 * the derived graph, means a newer Podpath re-derives an old snapshot with today's logic.
 */
import { z } from 'zod';
import { nodeReadingSchema, type NodeReading } from '../datapath/reading.ts';
import { checkDepth, formatPath, maxNestingDepth, NestingError } from '../kube/nesting.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { typeMessage } from '../text/json-words.ts';
import { compileFastParse } from './fast-parse.ts';
import { objectsSchema } from './objects-schema.ts';

export const snapshotFormat = 'podpath.snapshot';
export const snapshotVersion = 1;

const sourceSchema = z
  .object({
    context: z.string().nullable().describe('The kubeconfig context the objects were read through.'),
    /** scheme://host:port of the API server; never a URL with credentials in it. */
    server: z.string().nullable().describe('scheme://host:port of the API server; never credentials.'),
    kubernetesVersion: z.string().nullable(),
    capturedAt: z.iso.datetime({ offset: true }).describe('When the objects were read (RFC 3339).'),
    description: z.string().optional(),
    /** Kinds that could not be read when the snapshot was taken, with the reason. */
    unavailableKinds: z
      .array(z.object({ kind: z.string(), reason: z.string() }))
      .optional()
      .describe('Kinds that could not be read when the snapshot was taken, with the reason: missing, not absent.'),
  })
  .describe('Where the objects came from.');

const layoutSchema = z
  .record(z.string(), z.object({ x: z.number(), y: z.number() }))
  .describe('Positions of drawn elements by model id, so a layout survives a reopen.');

export const snapshotSchema = z.object({
  format: z.literal(snapshotFormat),
  version: z.literal(snapshotVersion),
  source: sourceSchema,
  objects: objectsSchema,
  /** Node datapath readings (issue 13): each probed node's command outputs, or why one could not
   * be read. Absent in snapshots taken without a probe, and in older ones. */
  datapath: z
    .array(nodeReadingSchema)
    .optional()
    .describe('Node datapath readings from node probes: what each command printed on a node, when and from where, and what could not be read and why.'),
  layout: layoutSchema.optional(),
});

export type SnapshotSource = z.infer<typeof sourceSchema>;

export interface Snapshot {
  format: typeof snapshotFormat;
  version: typeof snapshotVersion;
  source: SnapshotSource;
  objects: ClusterObjects;
  datapath?: NodeReading[];
  layout?: Record<string, { x: number; y: number }>;
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/**
 * Parses and validates a snapshot. Fails with a message naming the first problem: not JSON
 * (with the position), not a Podpath snapshot, written by a newer Podpath, or the path and
 * reason of the first invalid field.
 */
export function parseSnapshot(text: string, fileName = 'snapshot'): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SnapshotError(`${fileName} is not valid JSON (${reason}); is the file complete?`);
  }
  if (typeof data !== 'object' || data === null || (data as { format?: unknown }).format !== snapshotFormat) {
    throw new SnapshotError(`${fileName} is not a Podpath snapshot: "format" must be "${snapshotFormat}".`);
  }
  const version = (data as { version?: unknown }).version;
  if (typeof version === 'number' && version > snapshotVersion) {
    throw new SnapshotError(
      `${fileName} was written by a newer Podpath (snapshot version ${version}; this Podpath reads version ${snapshotVersion}). Update Podpath to open it.`,
    );
  }
  try {
    // Before anything recursive reads it: a loose field (an object's spec) may nest without end.
    // Counted on the text, which is quicker than walking the values; the walk names the place.
    if (isJsonTooDeep(text)) checkDepth(data);
  } catch (error) {
    if (error instanceof NestingError) throw new SnapshotError(`${fileName} is not a valid snapshot: ${error.message}.`);
    throw error;
  }
  // A well-formed snapshot takes the fast path; one it is unsure of meets zod, for the message.
  fastParse ??= compileFastParse(snapshotSchema);
  const fast = fastParse(data);
  if (fast !== undefined) return fast;
  const result = snapshotSchema.safeParse(data, { error: typeMessage });
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? formatPath(issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))) : '(root)';
    throw new SnapshotError(`${fileName} is not a valid snapshot: ${where}: ${issue?.message ?? 'invalid'}.`);
  }
  // The schema's output is what the model's types promise: a field of objects.ts given another
  // type than the schema's fails to compile here.
  const snapshot: Snapshot = result.data;
  return snapshot;
}

/** Compiled on the first parse, not at load: commands that never read a snapshot skip it. */
let fastParse: ((value: unknown) => z.output<typeof snapshotSchema> | undefined) | null = null;

/**
 * Whether JSON text nests deeper than `maxNestingDepth` — the brackets outside strings counted
 * in one pass, exactly the depth `checkDepth` finds in what JSON.parse makes of the text.
 */
export function isJsonTooDeep(text: string, limit = maxNestingDepth): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: on to its closing quote, one not escaped by an odd run of backslashes.
      for (;;) {
        const quote = text.indexOf('"', i + 1);
        if (quote === -1) return false;
        let backslash = quote - 1;
        while (text.charCodeAt(backslash) === 0x5c) backslash--;
        i = quote;
        if ((quote - 1 - backslash) % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The snapshot as its file holds it: compact JSON (issue 14: pretty-printing made a 150k-pod
 * file 186 MB). `isReadable` indents it, for the demo cluster checked into the repository.
 * The files Podpath writes are gzipped on top (electron/backend/snapshot-file.ts).
 */
export function serializeSnapshot(snapshot: Snapshot, options: { isReadable?: boolean } = {}): string {
  return JSON.stringify(snapshot, null, options.isReadable ? 1 : undefined) + '\n';
}

