/**
 * network-policy-api's own conformance suite, run against the evaluator: every test's manifest,
 * the policy changes its steps make in order, and every connection it pokes with the answer it
 * expects. Two releases of it: at 0eec1b0e (v1alpha2 ClusterNetworkPolicy, Admin and Baseline
 * tiers; conformance-cases.json, manifests in conformance/) and at v0.1.7 (v1alpha1
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy; conformance-cases-v0.1.7.json, manifests in
 * conformance-v0.1.7/). Transcribed as data in test/fixtures/admin-policies/: the manifests
 * verbatim, the cases extracted from conformance/tests/*.go by extract-conformance.py, the pods
 * from conformance/base/manifests.yaml (the same at both but for the host-network pods' container
 * ports, which no test names). What the suite computes at run time is resolved here: the pod IPs
 * an inline-CIDR rule names come from the cluster fixture, and the host-network ports are the
 * suite's defaults (HostNetworkPorts, 34345 on; conformance/utils/suite/suite.go).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { AdminPort, ClusterPolicyProtocol } from '../../kube/admin-objects.ts';
import { parseDocuments } from '../../kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../kube/manifests.ts';
import type { ClusterObjects } from '../../kube/objects.ts';
import type { Topology } from '../../model/types.ts';
import { derive } from '../../topology/derive.ts';
import { evaluatePolicy } from '../evaluate.ts';
import type { Protocol } from '../types.ts';

const fixtures = new URL('../../../test/fixtures/admin-policies/', import.meta.url);
const read = (path: string) => readFileSync(fileURLToPath(new URL(path, fixtures)), 'utf8');
/** The suite's default host-network ports, which its templated manifests are rendered with. */
const hostNetworkPorts = Array.from({ length: 8 }, (_, i) => 34345 + i);
const render = (text: string) => text.replace(/\{\{ index \.HostNetworkPorts (\d+) \}\}/g, (_, i: string) => String(hostNetworkPorts[Number(i)]));
const objectsOf = (path: string) => objectsFromDocuments(parseDocuments(render(read(path)), path), path).objects;

type Change =
  | { policy: string; direction: 'ingress' | 'egress'; swap: [number, number] }
  | { policy: string; direction: 'ingress' | 'egress'; rule: number; action: string }
  | { policy: string; direction: 'ingress' | 'egress'; rule: number; namedPort: string }
  /** A rule inserted at `insert`; `networksOfPods` stands for those pods' IPs as host routes. */
  | { policy: string; direction: 'ingress' | 'egress'; insert: number; newRule: { name: string; action: string; networksOfPods: string[] } }
  | { namespace: string; labels: Record<string, string> }
  | { policy: string; priority: number }
  | { deleteNetworkPolicy: string };
interface Poke {
  from: string;
  to: string;
  protocol: Protocol;
  /** A fixed port, or an index into the suite's host-network ports. */
  port?: number;
  hostNetworkPort?: number;
  allowed: boolean;
}
interface Case {
  test: string;
  name: string;
  manifest: string;
  steps: { name: string; changes: Change[]; pokes: Poke[] }[];
}

const suites = [
  { release: '0eec1b0e', cases: JSON.parse(read('conformance-cases.json')) as Case[], tests: 24, pokes: 301 },
  { release: 'v0.1.7', cases: JSON.parse(read('conformance-cases-v0.1.7.json')) as Case[], tests: 24, pokes: 289 },
];
const cluster = objectsOf('conformance-cluster.yaml');

/** The rules of any of the three kinds, as loosely as the changes need them. */
interface MutableRule {
  name?: string;
  action: string;
  to?: { networks?: string[] }[];
  protocols?: ClusterPolicyProtocol[];
  ports?: AdminPort[];
}
interface MutablePolicy {
  spec: { priority?: number; ingress?: MutableRule[]; egress?: MutableRule[] };
}

function policyNamed(objects: ClusterObjects, name: string): { policy: MutablePolicy; isV1alpha1: boolean } {
  const v2 = objects.clusterNetworkPolicies.filter((p) => p.metadata.name === name);
  const v1 = [...objects.adminNetworkPolicies, ...objects.baselineAdminNetworkPolicies].filter((p) => p.metadata.name === name);
  if (v1.length + v2.length !== 1) throw new Error(`${v1.length + v2.length} policies named ${name}`);
  return v2.length === 1 ? { policy: v2[0] as MutablePolicy, isV1alpha1: false } : { policy: v1[0] as MutablePolicy, isV1alpha1: true };
}

function apply(objects: ClusterObjects, change: Change): void {
  if ('deleteNetworkPolicy' in change) {
    objects.networkPolicies = objects.networkPolicies.filter((p) => p.metadata.name !== change.deleteNetworkPolicy);
    return;
  }
  if ('namespace' in change) {
    objects.namespaces.find((n) => n.metadata.name === change.namespace)!.metadata.labels = { ...change.labels };
    return;
  }
  const { policy, isV1alpha1 } = policyNamed(objects, change.policy);
  if ('priority' in change) policy.spec.priority = change.priority;
  else if ('insert' in change) {
    const { name, action, networksOfPods } = change.newRule;
    const networks = networksOfPods.map((pod) => `${podIP(objects, pod)}/32`);
    policy.spec[change.direction]!.splice(change.insert, 0, { name, action, to: [{ networks }] });
  } else if ('namedPort' in change) {
    const rule = policy.spec[change.direction]![change.rule]!;
    if (isV1alpha1) rule.ports = [{ namedPort: change.namedPort }];
    else rule.protocols = [{ destinationNamedPort: change.namedPort }];
  } else if ('swap' in change) {
    const rules = policy.spec[change.direction]!;
    const [a, b] = change.swap;
    [rules[a], rules[b]] = [rules[b]!, rules[a]!];
  } else policy.spec[change.direction]![change.rule]!.action = change.action;
}

function podIP(objects: ClusterObjects, name: string): string {
  const [namespace, pod] = name.split('/');
  const ip = objects.pods.find((p) => p.metadata.namespace === namespace && p.metadata.name === pod)?.status?.podIP;
  if (!ip) throw new Error(`no pod IP for ${name} in the fixture`);
  return ip;
}

function podOf(topology: Topology, name: string) {
  const [namespace, pod] = name.split('/');
  const found = Object.values(topology.pods).find((p) => p.namespace === namespace && p.name === pod);
  if (!found) throw new Error(`no pod ${name} in the fixture`);
  return found;
}

test.each(suites)('the transcription at $release holds what the suite checks: $tests tests, $pokes pokes', ({ cases, tests, pokes: pokeCount }) => {
  expect(cases).toHaveLength(tests);
  const pokes = cases.flatMap((c) => c.steps.flatMap((s) => s.pokes));
  expect(pokes.length).toBe(pokeCount);
  // Every change the suite makes was read; none was left as text the runner cannot apply.
  expect(cases.flatMap((c) => c.steps.flatMap((s) => s.changes)).filter((c) => 'unsupported' in c)).toEqual([]);
  // Both answers occur, so a tracer that always says one of them fails.
  expect(pokes.filter((p) => p.allowed).length).toBeGreaterThan(50);
  expect(pokes.filter((p) => !p.allowed).length).toBeGreaterThan(50);
});

describe.each(suites.flatMap(({ release, cases }) => cases.map((c) => ({ ...c, release }))))('$release $test $name', ({ manifest, steps }) => {
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
      const port = poke.port ?? hostNetworkPorts[poke.hostNetworkPort!]!;
      const verdict = evaluatePolicy(topology, { from: { pod: from, ip: from.ips[0]! }, to: { pod: to, ip: to.ips[0]! }, port, protocol: poke.protocol });
      const said = `${poke.from} → ${poke.to} ${port}/${poke.protocol}: egress ${verdict.egress.line} | ingress ${verdict.ingress.line}`;
      expect(verdict.isAllowed, said).toBe(poke.allowed);
      // The suite's answers are all definite, so Podpath's must be too.
      expect([verdict.egress.verdict, verdict.ingress.verdict], said).not.toContain('unknown');
    }
  });
});
