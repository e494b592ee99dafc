/**
 * The snapshot file (design §5): one JSON document holding the trimmed Kubernetes objects a
 * model was derived from, where they came from, and optionally the layout. Storing inputs, not
 * the derived graph, means a newer Podpath re-derives an old snapshot with today's logic.
 */
import { z } from 'zod';
import type { ClusterObjects } from '../kube/objects.ts';

export const snapshotFormat = 'podpath.snapshot';
export const snapshotVersion = 1;

const labels = z.record(z.string(), z.string());

const metadata = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().min(1),
  labels: labels.optional(),
  annotations: labels.optional(),
});

const namespacedMetadata = metadata.extend({ namespace: z.string().min(1) });

const podDnsConfig = z
  .looseObject({
    nameservers: z.array(z.string()).optional(),
    searches: z.array(z.string()).optional(),
    options: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).optional(),
  })
  .describe('spec.dnsConfig: merged into the pod\'s resolv.conf, or all of it under dnsPolicy None.');

const podSpec = z.looseObject({
  containers: z.array(z.looseObject({ name: z.string() })),
  dnsPolicy: z.string().optional().describe('ClusterFirst (the default), ClusterFirstWithHostNet, Default or None: where the pod\'s name lookups go.'),
  dnsConfig: podDnsConfig.optional(),
});

/** Objects are checked for the identity fields every derivation relies on; the rest of each
 * object is read defensively by `derive`, so a snapshot from a newer API version still opens. */
const object = z.looseObject({ metadata });
const namespaced = z.looseObject({ metadata: namespacedMetadata });

const objectsSchema = z
  .object({
    nodes: z.array(object),
    namespaces: z.array(object),
    pods: z.array(namespaced.extend({ spec: podSpec })),
    services: z.array(namespaced.extend({ spec: z.looseObject({}) })),
    endpointSlices: z.array(namespaced.extend({ addressType: z.enum(['IPv4', 'IPv6', 'FQDN']) })),
    networkPolicies: z.array(namespaced.extend({ spec: z.looseObject({ podSelector: z.looseObject({}) }) })),
    ingresses: z.array(namespaced.extend({ spec: z.looseObject({}) })),
    ingressClasses: z.array(object),
    configMaps: z.array(namespaced),
    daemonSets: z.array(namespaced),
    // Added after the first snapshots were written: absent means none were read.
    gateways: z.array(namespaced.extend({ spec: z.looseObject({}) })).default([]),
    httpRoutes: z.array(namespaced.extend({ spec: z.looseObject({}) })).default([]),
  })
  .describe('The trimmed Kubernetes objects the model is derived from, one list per kind, with the field names of the Kubernetes API.');

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
  /** Observed node datapath (devices, routes, rules) from node probes; none in this version. */
  datapath: z.array(z.looseObject({})).optional().describe('Observed node datapath (devices, routes, rules) from node probes.'),
  layout: layoutSchema.optional(),
});

export type SnapshotSource = z.infer<typeof sourceSchema>;

export interface Snapshot {
  format: typeof snapshotFormat;
  version: typeof snapshotVersion;
  source: SnapshotSource;
  objects: ClusterObjects;
  datapath?: Record<string, unknown>[];
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
  const result = snapshotSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? formatPath(issue.path) : '(root)';
    throw new SnapshotError(`${fileName} is not a valid snapshot: ${where}: ${issue?.message ?? 'invalid'}.`);
  }
  return result.data as unknown as Snapshot;
}

export function serializeSnapshot(snapshot: Snapshot): string {
  return JSON.stringify(snapshot, null, 1) + '\n';
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : (i === 0 ? '' : '.') + String(part))).join('');
}
