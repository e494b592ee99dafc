/**
 * Cilium's own policy repository tests (cilium/cilium pkg/policy repository_test.go and
 * repository_deny_test.go; test/fixtures/cni-policies/cilium-cases.json names each case's file
 * and commit), run against the evaluator. Each case's rules become one
 * CiliumClusterwideNetworkPolicy each, and each check a pair of pods carrying the label lists
 * Cilium's SearchContext gives (`reserved:world` an address outside the cluster); Podpath's verdict
 * for that direction must be the one Cilium's test expects. The checks the data leaves out say
 * why beside them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { objectsFromDocuments } from '../../kube/manifests.ts';
import { derive } from '../../topology/derive.ts';
import { evaluatePolicy } from '../evaluate.ts';
import type { Protocol } from '../types.ts';

interface Check {
  /** Comma-separated labels, `key` (empty value) or `key=value`, or `reserved:world`. */
  from: string;
  to: string;
  direction: 'ingress' | 'egress';
  /** 0: a check without a destination port. */
  port: number;
  protocol: Protocol;
  /** `undecided` only in leftOut: one rule's answer that leaves the flow to others. */
  verdict: 'allowed' | 'denied' | 'undecided';
  reason?: string;
}
interface Case {
  source: { repository: string; path: string; commit: string };
  test: string;
  part?: string;
  rules: unknown[];
  checks: Check[];
  leftOut: Check[];
}

const path = fileURLToPath(new URL('../../../test/fixtures/cni-policies/cilium-cases.json', import.meta.url));
const fixture = JSON.parse(readFileSync(path, 'utf8')) as { reasons: Record<string, string>; cases: Case[] };

const world = 'reserved:world';
const worldIP = '203.0.113.7';
// The `k8s:`/`any:` source prefix is Cilium's, not part of the pod's label.
const labelsOf = (list: string) => Object.fromEntries(list.split(',').map((l) => [l.split('=')[0]!.replace(/^(k8s|any):/, ''), l.split('=')[1] ?? '']));

/** The case's rules and, for check i, pods `from-i` and `to-i` (distinct even where their labels agree). */
function clusterOf(c: Case): unknown[] {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1' },
    spec: { podCIDR: '10.244.0.0/24' },
    status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const pod = (name: string, labels: string, ip: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: labelsOf(labels) },
    spec: { nodeName: 'node-1', containers: [{ name: 'main' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const policies = c.rules.map((spec, i) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `rule-${i}` }, spec }));
  const pods = c.checks.flatMap((check, i) => [
    ...(check.from === world ? [] : [pod(`from-${i}`, check.from, `10.244.0.${10 + 2 * i}`)]),
    ...(check.to === world ? [] : [pod(`to-${i}`, check.to, `10.244.0.${11 + 2 * i}`)]),
  ]);
  return [node, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, ...pods, ...policies];
}

test('the transcription: 23 cases, 72 checks run, every check left out has a reason the data explains', () => {
  expect(fixture.cases).toHaveLength(23);
  expect(fixture.cases.flatMap((c) => c.checks)).toHaveLength(72);
  expect(fixture.cases.flatMap((c) => c.checks).filter((k) => k.verdict === 'undecided')).toEqual([]);
  const leftOut = fixture.cases.flatMap((c) => c.leftOut);
  expect(leftOut.length).toBeGreaterThan(0);
  for (const check of leftOut) expect(fixture.reasons[check.reason!], JSON.stringify(check)).toBeDefined();
  // Both answers occur, so an evaluator that always says one of them fails.
  for (const verdict of ['allowed', 'denied']) expect(fixture.cases.some((c) => c.checks.some((k) => k.verdict === verdict))).toBe(true);
});

describe.each(fixture.cases.map((c) => ({ ...c, title: `${c.test}${c.part ? ` (${c.part})` : ''} at ${c.source.path}@${c.source.commit.slice(0, 8)}` })))('$title', (c) => {
  const topology = derive(objectsFromDocuments(clusterOf(c), `cilium ${c.test}`).objects);
  const endpoint = (name: string, labels: string) => {
    if (labels === world) return { pod: null, ip: worldIP };
    const pod = Object.values(topology.pods).find((p) => p.name === name)!;
    return { pod, ip: pod.ips[0]! };
  };

  test.each(c.checks.map((check, i) => ({ ...check, i, name: `${check.from} → ${check.to}${check.port ? `:${check.port}` : ''} ${check.direction}: ${check.verdict}` })))('$name', (check) => {
    const from = endpoint(`from-${check.i}`, check.from);
    const to = endpoint(`to-${check.i}`, check.to);
    const verdict = evaluatePolicy(topology, { from, to, port: check.port, protocol: check.protocol });
    const direction = verdict[check.direction];
    expect(direction.verdict === 'denied' ? 'denied' : direction.verdict === 'unknown' ? 'unknown' : 'allowed', direction.reason).toBe(check.verdict);
  });
});
