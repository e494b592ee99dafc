import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from './format.ts';
import { serializeJsonSchema, snapshotJsonSchema, snapshotSchemaId } from './json-schema.ts';

const schemaPath = fileURLToPath(new URL('./podpath.snapshot.schema.json', import.meta.url));
const demoText = readFileSync(fileURLToPath(new URL('../../assets/demo-cluster.podpath.json', import.meta.url)), 'utf8');

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
}

describe('the snapshot JSON Schema', () => {
  test('the committed file is what `npm run make:schema` generates from the zod schema today', () => {
    expect(readFileSync(schemaPath, 'utf8')).toBe(serializeJsonSchema(snapshotJsonSchema()));
  });

  test('names itself and says what it is', () => {
    const schema = snapshotJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(snapshotSchemaId);
    expect(schema.title).toMatch(/Podpath snapshot/);
    expect(String(schema.description)).toMatch(/never holds credentials/);
  });

  test('the bundled demo snapshot validates against it with a JSON Schema validator', () => {
    const validate = validator();
    const isValid = validate(JSON.parse(demoText));
    expect(validate.errors ?? []).toEqual([]);
    expect(isValid).toBe(true);
  });

  test('it refuses what parseSnapshot refuses', () => {
    const validate = validator();
    const demo = JSON.parse(demoText) as { objects: { pods: { metadata: Record<string, unknown> }[] }; source: Record<string, unknown> };

    const noUid = structuredClone(demo);
    delete noUid.objects.pods[0]!.metadata.uid;
    expect(validate(noUid)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/objects/pods/0/metadata');
    expect(() => parseSnapshot(JSON.stringify(noUid))).toThrow(/objects\.pods\[0\]\.metadata\.uid/);

    const badTime = structuredClone(demo);
    badTime.source.capturedAt = 'yesterday';
    expect(validate(badTime)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/source/capturedAt');
    expect(() => parseSnapshot(JSON.stringify(badTime))).toThrow(/source\.capturedAt/);

    expect(validate({ ...demo, format: 'something.else' })).toBe(false);
  });
});

test('it refuses a field of the wrong type inside an object, as parseSnapshot does (issue 12)', () => {
  const validate = validator();
  const demo = JSON.parse(demoText) as { objects: { pods: { status: { podIPs: unknown } }[] } };
  demo.objects.pods[3]!.status.podIPs = [{ ip: 5 }];
  expect(validate(demo)).toBe(false);
  expect(validate.errors?.[0]?.instancePath).toBe('/objects/pods/3/status/podIPs/0/ip');
  expect(() => parseSnapshot(JSON.stringify(demo))).toThrow(/objects\.pods\[3\]\.status\.podIPs\[0\]\.ip: expected a string/);
});
