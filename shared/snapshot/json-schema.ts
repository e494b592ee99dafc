/**
 * The snapshot format as a JSON Schema (draft 2020-12), generated from the zod schema that
 * `parseSnapshot` validates with, so the two cannot drift: `npm run make:schema` writes
 * `podpath.snapshot.schema.json` beside this file, and a test fails when the committed file is
 * not what this function gives today.
 */
import { z } from 'zod';
import { snapshotFormat, snapshotSchema, snapshotVersion } from './format.ts';

export const snapshotSchemaId = `https://podpath.dev/schemas/${snapshotFormat}.v${snapshotVersion}.schema.json`;

export function snapshotJsonSchema(): Record<string, unknown> {
  // The schema describes files to read, so it is the zod schema's input: lists added later
  // (gateways, httpRoutes) may be absent, as they are in older files.
  const { $schema, ...generated } = z.toJSONSchema(snapshotSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw', reused: 'ref' });
  return {
    $schema,
    $id: snapshotSchemaId,
    title: `Podpath snapshot, version ${snapshotVersion}`,
    description:
      'A Podpath snapshot: the trimmed Kubernetes objects a network model was derived from, where they came from, and optionally the layout. ' +
      "It never holds credentials, Secrets, environment values or annotations outside Podpath's allowlist.",
    ...generated,
  };
}

export function serializeJsonSchema(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
