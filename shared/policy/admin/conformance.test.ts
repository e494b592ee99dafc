/**
 * network-policy-api's own conformance suite, run against the evaluator: every standard test's
 * manifest (ClusterNetworkPolicy, Admin and Baseline tiers, with a NetworkPolicy in the
 * integration test), the policy changes its steps make in order, and every connection it pokes
 * with the answer it expects. Transcribed as data (test/fixtures/admin-policies/: the manifests
 * verbatim, conformance-cases.json extracted from conformance/tests/*.go by
 * extract-conformance.py, the pods from conformance/base/manifests.yaml), at
 * kubernetes-sigs/network-policy-api 0eec1b0e. Left out: the inline-CIDR tests (they write pod
 * IPs into the policy at run time) and the experimental ones (hostNetwork pods on random ports).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { ClusterNetworkPolicy } from '../../kube/admin-objects.ts';
import { parseDocuments } from '../../kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../kube/manifests.ts';
import type { ClusterObjects } from '../../kube/objects.ts';
import type { Topology } from '../../model/types.ts';
import { derive } from '../../topology/derive.ts';
import { evaluatePolicy } from '../evaluate.ts';
import type { Protocol } from '../types.ts';

const fixtures = new URL('../../../test/fixtures/admin-policies/', import.meta.url);
const read = (path: string) => readFileSync(fileURLToPath(new URL(path, fixtures)), 'utf8');
const objectsOf = (path: string) => objectsFromDocuments(parseDocuments(read(path), path), path).objects;

type Change =
  | { policy: string; direction: 'ingress' | 'egress'; swap: [number, number] }
  | { policy: string; direction: 'ingress' | 'egress'; rule: number; action: string }
  | { policy: string; priority: number }
  | { deleteNetworkPolicy: string };
interface Poke {
  from: string;
  to: string;
  protocol: Protocol;
  port: number;
  allowed: boolean;
}
interface Case {
  test: string;
  manifest: string;
  steps: { name: string; changes: Change[]; pokes: Poke[] }[];
}

const cases = JSON.parse(read('conformance-cases.json')) as Case[];
const cluster = objectsOf('conformance-cluster.yaml');

function apply(objects: ClusterObjects, change: Change): void {
  if ('deleteNetworkPolicy' in change) {
    objects.networkPolicies = objects.networkPolicies.filter((p) => p.metadata.name !== change.deleteNetworkPolicy);
    return;
  }
  const policy = objects.clusterNetworkPolicies.find((p) => p.metadata.name === change.policy) as ClusterNetworkPolicy;
  if ('priority' in change) policy.spec.priority = change.priority;
  else if ('swap' in change) {
    const rules = policy.spec[change.direction]!;
    const [a, b] = change.swap;
    [rules[a], rules[b]] = [rules[b]!, rules[a]!];
  } else policy.spec[change.direction]![change.rule]!.action = change.action;
}

function podOf(topology: Topology, name: string) {
  const [namespace, pod] = name.split('/');
  const found = Object.values(topology.pods).find((p) => p.namespace === namespace && p.name === pod);
  if (!found) throw new Error(`no pod ${name} in the fixture`);
  return found;
}

test('the transcription holds what the suite checks: 16 tests, every step with its pokes', () => {
  expect(cases).toHaveLength(16);
  const pokes = cases.flatMap((c) => c.steps.flatMap((s) => s.pokes));
  expect(pokes.length).toBe(230);
  // Both answers occur, so a tracer that always says one of them fails.
  expect(pokes.filter((p) => p.allowed).length).toBeGreaterThan(50);
  expect(pokes.filter((p) => !p.allowed).length).toBeGreaterThan(50);
});

describe.each(cases)('$test', ({ manifest, steps }) => {
  // The suite applies the manifest once and each step changes it further (mutations accumulate).
  const objects = structuredClone(mergeObjects([cluster, objectsOf(manifest)]));
  const states = steps.map((step) => {
    for (const change of step.changes) apply(objects, change);
    return { step, topology: derive(structuredClone(objects)) };
  });

  test.each(states.map(({ step, topology }) => ({ name: step.name, step, topology })))('$name', ({ step, topology }) => {
    for (const poke of step.pokes) {
      const from = podOf(topology, poke.from);
      const to = podOf(topology, poke.to);
      const verdict = evaluatePolicy(topology, { from: { pod: from, ip: from.ips[0]! }, to: { pod: to, ip: to.ips[0]! }, port: poke.port, protocol: poke.protocol });
      const said = `${poke.from} → ${poke.to} ${poke.port}/${poke.protocol}: egress ${verdict.egress.line} | ingress ${verdict.ingress.line}`;
      expect(verdict.isAllowed, said).toBe(poke.allowed);
      // The suite's answers are all definite, so Podpath's must be too.
      expect([verdict.egress.verdict, verdict.ingress.verdict], said).not.toContain('unknown');
    }
  });
});
