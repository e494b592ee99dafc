/**
 * policy-assistant's own answers for AdminNetworkPolicy and BaselineAdminNetworkPolicy (its
 * simulated-connectivity tables, cmd/policy-assistant/test/integration/integration_test.go in
 * kubernetes-sigs/network-policy-api), run against the evaluator. The cases are data
 * (test/fixtures/admin-policies/policy-assistant-cases.json, which names its source and the
 * cases it leaves out and why); the cluster each one probes is built here the way its
 * getResources call builds it, and every ordered pair of distinct pods is checked on every port
 * and protocol, ingress and egress apart, as policy-assistant's tables are.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { objectsFromDocuments } from '../../kube/manifests.ts';
import { derive } from '../../topology/derive.ts';
import { evaluatePolicy } from '../evaluate.ts';
import type { DirectionVerdict, Protocol } from '../types.ts';

type Flow = [from: string, to: string, port: number, protocol: Protocol];
type Connectivity = 'allowed' | 'blocked';
interface Case {
  test: string;
  name: string;
  line: number;
  resources: { namespaces: string[]; pods: string[]; ports: number[]; protocols: Protocol[] };
  policies: unknown[];
  ingress: Connectivity;
  egress: Connectivity;
  nonDefaultIngress: Flow[];
  nonDefaultEgress: Flow[];
}
interface LeftOut {
  test: string;
  name: string;
  reason: string;
}

const path = fileURLToPath(new URL('../../../test/fixtures/admin-policies/policy-assistant-cases.json', import.meta.url));
const fixture = JSON.parse(readFileSync(path, 'utf8')) as { cases: Case[]; leftOut: LeftOut[] };

/** getResources' cluster: each namespace labelled ns=<name>, each pod pod=<name>, a named port per port and protocol. */
function clusterOf({ namespaces, pods, ports, protocols }: Case['resources']): unknown[] {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    spec: { podCIDR: '10.244.0.0/16' },
    status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const containers = protocols.flatMap((protocol) =>
    ports.map((port) => ({ name: `cont-${port}-${protocol.toLowerCase()}`, ports: [{ containerPort: port, protocol, name: `serve-${port}-${protocol.toLowerCase()}` }] })),
  );
  return [
    node,
    ...namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ns } } })),
    ...namespaces.flatMap((ns, i) =>
      pods.map((pod, j) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace: ns, labels: { pod } },
        spec: { nodeName: 'node-1', containers },
        status: { phase: 'Running', podIP: `10.244.${i}.${10 + j}`, podIPs: [{ ip: `10.244.${i}.${10 + j}` }], conditions: [{ type: 'Ready', status: 'True' }] },
      })),
    ),
  ];
}

const allows = (v: DirectionVerdict) => v.verdict === 'allowed' || v.verdict === 'not-isolated' || v.verdict === 'not-applicable';
const keyOf = (f: Flow) => f.join(' ');

test('the transcription holds policy-assistant\'s admin tables: 13 cases run, 6 left out with a reason', () => {
  expect(fixture.cases).toHaveLength(13);
  expect(fixture.leftOut).toHaveLength(6);
  for (const c of fixture.leftOut) expect(c.reason).toMatch(/sameLabels/);
  // Both answers occur in each direction, so a tracer that always says one of them fails.
  for (const direction of ['ingress', 'egress'] as const) {
    expect(fixture.cases.some((c) => c[direction] === 'blocked' || (direction === 'ingress' ? c.nonDefaultIngress : c.nonDefaultEgress).length > 0)).toBe(true);
  }
});

describe.each(fixture.cases)('$test: $name', (c) => {
  const topology = derive(objectsFromDocuments([...clusterOf(c.resources), ...c.policies], `policy-assistant ${c.name}`).objects);
  const pods = Object.values(topology.pods);
  const flipped = { ingress: new Set(c.nonDefaultIngress.map(keyOf)), egress: new Set(c.nonDefaultEgress.map(keyOf)) };

  test('every pair of distinct pods, each port and protocol', () => {
    expect(pods).toHaveLength(c.resources.namespaces.length * c.resources.pods.length);
    for (const from of pods) {
      for (const to of pods) {
        if (from.id === to.id) continue;
        for (const protocol of c.resources.protocols) {
          for (const port of c.resources.ports) {
            const flow: Flow = [`${from.namespace}/${from.name}`, `${to.namespace}/${to.name}`, port, protocol];
            const verdict = evaluatePolicy(topology, { from: { pod: from, ip: from.ips[0]! }, to: { pod: to, ip: to.ips[0]! }, port, protocol });
            for (const direction of ['ingress', 'egress'] as const) {
              const isDefault = !flipped[direction].has(keyOf(flow));
              const expected = (c[direction] === 'allowed') === isDefault;
              const said = `${keyOf(flow)} ${direction}: ${verdict[direction].line}`;
              expect(verdict[direction].verdict, said).not.toBe('unknown');
              expect(allows(verdict[direction]), said).toBe(expected);
            }
          }
        }
      }
    }
  });
});
