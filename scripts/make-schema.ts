/**
 * Writes `shared/snapshot/podpath.snapshot.schema.json`, the JSON Schema of the snapshot file,
 * from the zod schema `parseSnapshot` uses. `shared/snapshot/json-schema.test.ts` checks that
 * the committed file is this script's output.
 *
 * Run: `npm run make:schema`.
 */
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../electron/backend/atomic-write.ts';
import { serializeJsonSchema, snapshotJsonSchema } from '../shared/snapshot/json-schema.ts';

export const schemaPath = fileURLToPath(new URL('../shared/snapshot/podpath.snapshot.schema.json', import.meta.url));

if (import.meta.main) {
  const text = serializeJsonSchema(snapshotJsonSchema());
  writeFileAtomicSync(schemaPath, text);
  console.log(`wrote ${schemaPath} (${text.length} bytes)`);
}
