import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { cniFixture, fixtureObjects } from '../../test/fixtures/cni.ts';
import { labObjects, labReading } from '../../test/fixtures/datapath/lab-cluster.ts';
import { tooDeepAt } from '../kube/nesting.ts';
import { emptyObjects } from '../kube/objects.ts';
import { isJsonTooDeep, parseSnapshot, serializeSnapshot, type Snapshot } from './format.ts';

const valid: Snapshot = {
  format: 'podpath.snapshot',
  version: 1,
  source: { context: 'kind-dev', server: 'https://127.0.0.1:6443', kubernetesVersion: 'v1.33.2', capturedAt: '2026-11-26T10:00:00Z' },
  objects: {
    ...emptyObjects(),
    nodes: [{ metadata: { name: 'n1', uid: 'u1' }, spec: { podCIDR: '10.244.0.0/24' } }],
  },
};

describe('parseSnapshot', () => {
  test('round-trips a valid snapshot', () => {
    expect(parseSnapshot(serializeSnapshot(valid))).toEqual(valid);
  });

  test('says when the file is not JSON', () => {
    expect(() => parseSnapshot('{"format": "podpath.snapshot", ', 'cut.json')).toThrow(/cut\.json is not valid JSON/);
  });

  test('says when the file is something else', () => {
    expect(() => parseSnapshot('{"kind": "List"}', 'list.json')).toThrow(/list\.json is not a Podpath snapshot/);
  });

  test('says when a newer Podpath wrote it', () => {
    expect(() => parseSnapshot(JSON.stringify({ ...valid, version: 7 }), 'future.json')).toThrow(/written by a newer Podpath/);
  });

  test('names the path and reason of the first invalid field', () => {
    const broken = structuredClone(valid) as unknown as { objects: { nodes: { metadata: { uid?: string } }[] } };
    delete broken.objects.nodes[0]!.metadata.uid;
    expect(() => parseSnapshot(JSON.stringify(broken), 'b.json')).toThrow(/b\.json is not a valid snapshot: objects\.nodes\[0\]\.metadata\.uid: /);
  });
});

describe('parseSnapshot re-validates every field the model reads (issue 12)', () => {
  const demoText = readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8');
  /** The demo with the field at a dotted path (`objects.pods.3.status`) set to `value`. */
  const withField = (path: string, value: unknown): string => {
    const snapshot = JSON.parse(demoText) as Record<string, unknown>;
    const parts = path.split('.');
    let at = snapshot;
    for (const part of parts.slice(0, -1)) at = at[part] as Record<string, unknown>;
    at[parts.at(-1)!] = value;
    return JSON.stringify(snapshot);
  };

  test('a wrong type inside a loose field is named by its path, not met later as "ip.includes is not a function"', () => {
    const text = withField('objects.pods.3.status.podIPs', [{ ip: 5 }]);
    expect(() => parseSnapshot(text, 'bad.json')).toThrow(/^bad\.json is not a valid snapshot: objects\.pods\[3\]\.status\.podIPs\[0\]\.ip: expected a string, not a number\.$/);
  });

  test.each([
    ['a Service port as a string', 'objects.services.0.spec.ports', [{ port: '80' }], /objects\.services\[0\]\.spec\.ports\[0\]\.port: expected a number, not a string/],
    ['labels holding a number', 'objects.pods.0.metadata.labels', { app: 1 }, /objects\.pods\[0\]\.metadata\.labels\.app: expected a string, not a number/],
    ['EndpointSlice addresses as a string', 'objects.endpointSlices.0.endpoints', [{ addresses: '10.0.0.1' }], /objects\.endpointSlices\[0\]\.endpoints\[0\]\.addresses: expected an array, not a string/],
    ['a policy peer that is null', 'objects.networkPolicies.0.spec.ingress', [{ from: [null] }], /objects\.networkPolicies\[0\]\.spec\.ingress\[0\]\.from\[0\]: expected an object, not null/],
  ])('%s', (_name, path, value, message) => {
    expect(() => parseSnapshot(withField(path, value), 'bad.json')).toThrow(message);
  });

  test('nesting deeper than the limit is refused with where it is, before anything recursive reads it', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const text = demoText.replace(/^\{/, `{"datapath": [{"deep": ${deep}}],`);
    expect(() => parseSnapshot(text, 'deep.json')).toThrow(/^deep\.json is not a valid snapshot: nested deeper than 256 levels at datapath\[0\]\.deep\[0\]\[0\]/);
  });

  test('old snapshots still open: the demo and every CNI fixture as a snapshot', () => {
    expect(parseSnapshot(demoText).objects.pods.length).toBeGreaterThan(0);
    const lists = readdirSync(new URL('../../test/fixtures/cni/', import.meta.url)).filter((n) => n.endsWith('.json') && !['flannel-node-ip.json', 'veth-names.json'].includes(n));
    expect(lists.length).toBeGreaterThan(10);
    for (const name of lists) {
      const objects = fixtureObjects(cniFixture(name));
      expect(parseSnapshot(serializeSnapshot({ ...valid, objects }), name).objects).toEqual(objects);
    }
  });
});

describe('node datapath readings in a snapshot (issue 13)', () => {
  test('a snapshot with a reading round-trips, and one without still opens', () => {
    const withReading: Snapshot = { ...valid, objects: labObjects(), datapath: [labReading()] };
    const parsed = parseSnapshot(serializeSnapshot(withReading), 'probed.json');
    expect(parsed).toEqual(withReading);
    expect(parsed.datapath?.[0]?.commands.links?.status).toBe('ok');
    expect(parseSnapshot(serializeSnapshot(valid)).datapath).toBeUndefined();
  });

  test('a reading that is not one is refused with its path', () => {
    const odd = { ...valid, datapath: [{ ...labReading(), source: 'telnet' }] };
    expect(() => parseSnapshot(JSON.stringify(odd), 'odd.json')).toThrow(/^odd\.json is not a valid snapshot: datapath\[0\]\.source: /);
    const noTime = { ...valid, datapath: [{ ...labReading(), readAt: 'now' }] };
    expect(() => parseSnapshot(JSON.stringify(noTime), 'odd.json')).toThrow(/datapath\[0\]\.readAt/);
  });
});

describe('the file form (issue 14)', () => {
  test('a snapshot serializes as compact JSON; the demo, for its readers, indented', () => {
    expect(serializeSnapshot(valid)).toBe(`${JSON.stringify(valid)}\n`);
    expect(serializeSnapshot(valid, { isReadable: true })).toBe(`${JSON.stringify(valid, null, 1)}\n`);
  });

  test('the depth counted on the text is the depth of the values JSON.parse makes of it', () => {
    // Strings full of brackets, quotes and backslashes, which must not count.
    const tricky = fc.oneof(fc.constantFrom('[', ']', '{', '}', '"', '\\', '\\"', '\\\\'), fc.string());
    const value = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        tricky,
        fc.integer(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(tricky, tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 6 }), fc.boolean(), (data, limit, isReadable) => {
        const text = JSON.stringify(data, null, isReadable ? 1 : undefined);
        expect(isJsonTooDeep(text, limit)).toBe(tooDeepAt(JSON.parse(text), limit) !== null);
      }),
      { seed: 20_261_207, numRuns: 2000 },
    );
  });
});
