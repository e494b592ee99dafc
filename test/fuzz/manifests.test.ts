/**
 * Fuzzing the manifest readers (issue 12): `--from-files` and `--with-policy` files, and a
 * what-if policy pasted in the app — parseDocuments, then objectsFromDocuments (or
 * whatIfPolicies), then deriving or tracing with what was read. Each reads, or fails with a
 * ManifestError naming the file and the problem.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify as yamlStringify } from 'yaml';
import { buildSnapshotFromFiles } from '../../electron/backend/kube/from-files.ts';
import { ManifestError, parseDocuments } from '../../shared/kube/documents.ts';
import { objectsFromDocuments } from '../../shared/kube/manifests.ts';
import { withPolicies } from '../../shared/policy/evaluate.ts';
import { whatIfPolicies } from '../../shared/policy/what-if.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { trace } from '../../shared/trace/trace.ts';
import { tempDirs } from '../temp-dirs.ts';
import { answersOrNames, check, expectNamed, hostileText, mutationsOf, toJson } from './fuzz.ts';

const manifests = (name: string) => readFileSync(new URL(`../fixtures/manifests/${name}`, import.meta.url), 'utf8');
const list = JSON.parse(manifests('kubectl-list.json')) as unknown;
const shop = parseDocuments(manifests('shop.yaml'), 'shop.yaml');

const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const topology = derive(demo.objects, demo.source);
const policy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'fuzz', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { team: 'a' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 80 }, { port: 'http', endPort: 90 }] }],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'UDP', port: 53 }] }],
  },
};
const pods = Object.values(topology.pods).map((p) => `${p.namespace}/${p.name}`);

/** Reading a file as `--from-files` does, as JSON text or YAML text. */
function read(text: string): void {
  const docs = answersOrNames(() => parseDocuments(text, 'fuzz.yaml'), [ManifestError]);
  if (docs instanceof Error) {
    expect(docs.message).toMatch(/^fuzz\.yaml/);
    return;
  }
  const { objects } = objectsFromDocuments(docs, 'fuzz.yaml');
  derive(objects);
}

describe('fuzz: manifest files', () => {
  test('a kubectl List and a multi-document YAML file with parts broken, as JSON and as YAML', () => {
    check('manifests (List mutated, JSON)', fc.property(mutationsOf(list), (value) => read(toJson(value))), 300);
    check('manifests (YAML documents mutated)', fc.property(mutationsOf(shop), (docs) => read(docs.map((doc) => yamlStringify(doc)).join('---\n'))), 150);
  });

  test('random text, random bytes and YAML punctuation', () => {
    check('manifests (random text)', fc.property(hostileText, read), 3000);
  });
});

describe('fuzz: podpath snapshot --from-files', () => {
  test('random bytes in a file: a snapshot of what was found, or a ManifestError naming the file', async () => {
    const file = join(tempDirs('podpath-fuzz-files-')(), 'input');
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 400 }).map((text) => new TextEncoder().encode(text)));
    await check(
      'from-files (random bytes)',
      fc.asyncProperty(bytes, async (content) => {
        writeFileSync(file, content);
        try {
          const { counts } = await buildSnapshotFromFiles([file]);
          expect(Object.values(counts).some((n) => n > 0)).toBe(true);
        } catch (error) {
          expectNamed(error, [ManifestError]);
          expect((error as Error).message).toContain(file);
        }
      }),
      200,
    );
  });
});

describe('fuzz: what-if policies', () => {
  test('a NetworkPolicy with parts broken is read, refused as unusable, or fails naming the file; a trace with it answers', () => {
    const broken = fc.tuple(mutationsOf(policy), fc.constantFrom(...pods), fc.constantFrom(...pods), fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }));
    check(
      'what-if policies',
      fc.property(broken, ([value, from, to, port]) => {
        const docs = answersOrNames(() => parseDocuments(toJson(value), 'policy.yaml'), [ManifestError]);
        if (docs instanceof Error) return;
        const { policies } = whatIfPolicies(docs, 'policy.yaml', 'shop');
        trace(topology, { from, to, ...(port ? { port } : {}) }, { policies: withPolicies(topology, policies) });
      }),
      300,
    );
  });
});
