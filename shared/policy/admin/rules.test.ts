/**
 * A case table per rule of the admin-policy API docs (kubernetes-sigs/network-policy-api
 * apis/v1alpha1 at v0.1.7 0638d394, apis/v1alpha2 and site-src/api-overview.md at 0eec1b0e),
 * on the conformance pods (test/fixtures/admin-policies/conformance-cluster.yaml): each row a
 * policy set, a flow and the verdict the docs give, with the layer and rule that decide it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseDocuments } from '../../kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../kube/manifests.ts';
import type { Topology } from '../../model/types.ts';
import { derive } from '../../topology/derive.ts';
import { trace } from '../../trace/trace.ts';
import { formatTrace } from '../../trace/format.ts';
import { evaluatePolicy } from '../evaluate.ts';
import type { DirectionVerdict, Protocol } from '../types.ts';
import { whatIfPolicies } from '../what-if.ts';

const fixture = fileURLToPath(new URL('../../../test/fixtures/admin-policies/conformance-cluster.yaml', import.meta.url));
const cluster = objectsFromDocuments(parseDocuments(readFileSync(fixture, 'utf8'), fixture), fixture).objects;

function topologyWith(yaml: string): Topology {
  return derive(mergeObjects([cluster, objectsFromDocuments(parseDocuments(yaml, 'case'), 'case').objects]));
}

const ns = (house: string) => `network-policy-conformance-${house}`;
const pod = (t: Topology, name: string) => {
  const found = Object.values(t.pods).find((p) => p.name === name);
  if (!found) throw new Error(name);
  return found;
};
function flow(t: Topology, from: string, to: string, port = 80, protocol: Protocol = 'TCP', extra: { isViaService?: boolean; toIP?: string } = {}) {
  const a = pod(t, from);
  const b = to.includes('.') ? null : pod(t, to);
  return { from: { pod: a, ip: a.ips[0]! }, to: { pod: b, ip: extra.toIP ?? b?.ips[0] ?? to }, port, protocol, ...(extra.isViaService === undefined ? {} : { isViaService: extra.isViaService }) };
}
/** `denied admin cnp:x[0]`: the verdict, its layer and the rule that decided, in one string. */
const said = (v: DirectionVerdict) => `${v.verdict} ${v.layer}${v.decidedBy ? ` ${v.decidedBy.policy}[${v.decidedBy.rule}]` : ''}${v.passedBy ? ` passed-by ${v.passedBy.policy}[${v.passedBy.rule}]` : ''}`;

const anp = (name: string, priority: number, body: string) => `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: ${name} }
spec:
  priority: ${priority}
  subject: { namespaces: { matchLabels: { conformance-house: gryffindor } } }
${body}`;
const banp = (body: string) => `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: { name: default }
spec:
  subject: { namespaces: {} }
${body}`;
const cnp = (name: string, tier: string, priority: number, body: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: ${tier}
  priority: ${priority}
  subject: { namespaces: { matchLabels: { conformance-house: gryffindor } } }
${body}`;
const fromHouse = (action: string, house: string, ports = '') => `  ingress:
  - name: ${action.toLowerCase()}-${house}
    action: ${action}
    from: [{ namespaces: { matchLabels: { conformance-house: ${house} } } }]
${ports}`;
const isolateGryffindor = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: only-ravenclaw, namespace: ${ns('gryffindor')} }
spec:
  podSelector: {}
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { conformance-house: ravenclaw } } }] }]`;

describe('tiers: admin → NetworkPolicy → baseline → default (AdminNetworkPolicySpec, ClusterNetworkPolicySpec.Tier)', () => {
  const rows: [string, string[], string, string, string][] = [
    ['an admin Deny beats a NetworkPolicy that allows', [anp('deny', 10, fromHouse('Deny', 'ravenclaw')), isolateGryffindor], 'luna-lovegood-0', 'harry-potter-0', 'denied admin anp:deny[0]'],
    ['an admin Allow beats a NetworkPolicy that isolates', [anp('allow', 10, fromHouse('Allow', 'slytherin')), isolateGryffindor], 'draco-malfoy-0', 'harry-potter-0', 'allowed admin anp:allow[0]'],
    ['Pass hands it to NetworkPolicy', [anp('pass', 10, fromHouse('Pass', 'slytherin')), isolateGryffindor], 'draco-malfoy-0', 'harry-potter-0', 'denied networkpolicy passed-by anp:pass[0]'],
    ['Pass with no NetworkPolicy goes to the baseline', [anp('pass', 10, fromHouse('Pass', 'slytherin')), banp(fromHouse('Deny', 'slytherin'))], 'draco-malfoy-0', 'harry-potter-0', 'denied baseline banp:default[0] passed-by anp:pass[0]'],
    ['NetworkPolicy decides before the baseline', [banp(fromHouse('Deny', 'ravenclaw')), isolateGryffindor], 'luna-lovegood-0', 'harry-potter-0', 'allowed networkpolicy'],
    ['the baseline decides for a pod no NetworkPolicy isolates', [banp(fromHouse('Deny', 'slytherin'))], 'draco-malfoy-0', 'harry-potter-0', 'denied baseline banp:default[0]'],
    ['nothing matches: the default allows', [banp(fromHouse('Deny', 'slytherin'))], 'luna-lovegood-0', 'harry-potter-0', 'not-isolated default'],
    ['a lower priority value goes first', [anp('a', 20, fromHouse('Allow', 'slytherin')), anp('b', 5, fromHouse('Deny', 'slytherin'))], 'draco-malfoy-0', 'harry-potter-0', 'denied admin anp:b[0]'],
    ['within a policy, the first matching rule', [anp('a', 5, `${fromHouse('Allow', 'slytherin')}  - { name: deny, action: Deny, from: [{ namespaces: {} }] }\n`)], 'draco-malfoy-0', 'harry-potter-0', 'allowed admin anp:a[0]'],
    ['v1alpha2 Accept in the Admin tier', [cnp('c', 'Admin', 1, fromHouse('Accept', 'slytherin')), isolateGryffindor], 'draco-malfoy-0', 'harry-potter-0', 'allowed admin cnp:c[0]'],
    ['v1alpha2 Baseline tier Pass leaves the default', [cnp('b1', 'Baseline', 1, fromHouse('Pass', 'slytherin')), cnp('b2', 'Baseline', 2, fromHouse('Deny', 'slytherin'))], 'draco-malfoy-0', 'harry-potter-0', 'not-isolated default'],
    ['a subject selects only its pods: another namespace is untouched', [anp('deny', 10, fromHouse('Deny', 'slytherin'))], 'draco-malfoy-0', 'cedric-diggory-0', 'not-isolated default'],
  ];
  test.each(rows)('%s', (_name, docs, from, to, expected) => {
    const t = topologyWith(docs.join('\n---\n'));
    expect(said(evaluatePolicy(t, flow(t, from, to)).ingress)).toBe(expected);
  });
});

describe('peers and ports (AdminNetworkPolicyEgressPeer, AdminNetworkPolicyPort, ClusterNetworkPolicyProtocol)', () => {
  const egress = (rules: string) => anp('out', 10, `  egress:\n${rules}`);
  const rows: [string, string, string, number, Protocol, string][] = [
    ['networks match a pod address too', '  - { action: Deny, to: [{ networks: [10.244.0.0/24] }] }', 'luna-lovegood-0', 80, 'TCP', 'denied'],
    ['networks: an address outside', '  - { action: Deny, to: [{ networks: [192.168.0.0/16] }] }', 'luna-lovegood-0', 80, 'TCP', 'not-isolated'],
    ['nodes match the node addresses in status.addresses', '  - { action: Deny, to: [{ nodes: { matchLabels: { kubernetes.io/hostname: conformance-node } } }] }', '172.18.0.2', 80, 'TCP', 'denied'],
    ['nodes do not match pods', '  - { action: Deny, to: [{ nodes: {} }] }', 'luna-lovegood-0', 80, 'TCP', 'not-isolated'],
    ['pods: namespace AND pod selector', '  - { action: Deny, to: [{ pods: { namespaceSelector: { matchLabels: { conformance-house: ravenclaw } }, podSelector: { matchLabels: { conformance-house: ravenclaw } } } }] }', 'luna-lovegood-0', 80, 'TCP', 'denied'],
    ['a port range, inclusive', '  - { action: Deny, to: [{ namespaces: {} }], ports: [{ portRange: { start: 8000, end: 8080 } }] }', 'luna-lovegood-0', 8080, 'TCP', 'denied'],
    ['a port range, protocol defaults to TCP', '  - { action: Deny, to: [{ namespaces: {} }], ports: [{ portRange: { start: 8000, end: 8080 } }] }', 'luna-lovegood-0', 8080, 'UDP', 'not-isolated'],
    ['portNumber with protocol', '  - { action: Deny, to: [{ namespaces: {} }], ports: [{ portNumber: { protocol: UDP, port: 53 } }] }', 'luna-lovegood-0', 53, 'UDP', 'denied'],
    ['a named port is the destination container port of that name', '  - { action: Deny, to: [{ namespaces: {} }], ports: [{ namedPort: dns }] }', 'luna-lovegood-0', 53, 'UDP', 'denied'],
    ['a named port: another port number', '  - { action: Deny, to: [{ namespaces: {} }], ports: [{ namedPort: web }] }', 'luna-lovegood-0', 8080, 'TCP', 'not-isolated'],
    ['an empty peer fails closed: Deny denies all', '  - { action: Deny, to: [{}] }', 'luna-lovegood-0', 80, 'TCP', 'denied'],
    ['an empty peer fails closed: Allow matches nothing', '  - { action: Allow, to: [{}] }\n  - { action: Deny, to: [{ namespaces: {} }] }', 'luna-lovegood-0', 80, 'TCP', 'denied'],
  ];
  test.each(rows)('%s', (_name, rules, to, port, protocol, expected) => {
    const t = topologyWith(egress(rules));
    expect(evaluatePolicy(t, flow(t, 'harry-potter-0', to, port, protocol)).egress.verdict).toBe(expected);
  });

  test('v1alpha2 protocols: a protocol without destinationPort matches all its ports; a range', () => {
    const t = topologyWith(cnp('p', 'Admin', 1, '  egress:\n  - { action: Deny, to: [{ namespaces: {} }], protocols: [{ udp: {} }, { tcp: { destinationPort: { range: { start: 100, end: 200 } } } }] }'));
    const verdict = (port: number, protocol: Protocol) => evaluatePolicy(t, flow(t, 'harry-potter-0', 'luna-lovegood-0', port, protocol)).egress.verdict;
    expect([verdict(5353, 'UDP'), verdict(150, 'TCP'), verdict(201, 'TCP'), verdict(9003, 'SCTP')]).toEqual(['denied', 'denied', 'not-isolated', 'not-isolated']);
  });
});

describe('never a guess: what the API leaves open is unknown, and says why', () => {
  test('domainNames: an Allow whose match cannot be known, before a Deny, is unknown', () => {
    const t = topologyWith(anp('dns', 10, '  egress:\n  - { action: Allow, to: [{ domainNames: ["*.example.com"] }] }\n  - { action: Deny, to: [{ networks: [0.0.0.0/0] }] }'));
    const v = evaluatePolicy(t, flow(t, 'harry-potter-0', '93.184.215.14', 443)).egress;
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/domainNames \*\.example\.com/);
    expect(v.reason).toMatch(/not in the API/);
  });

  test('domainNames: when both ways end allowed, the verdict is allowed', () => {
    const t = topologyWith(anp('dns', 10, '  egress:\n  - { action: Allow, to: [{ domainNames: ["*.example.com"] }] }'));
    const verdict = evaluatePolicy(t, flow(t, 'harry-potter-0', '93.184.215.14', 443));
    expect(verdict.isAllowed).toBe(true);
    expect(verdict.egress.verdict).not.toBe('unknown');
  });

  test('two policies of one priority that disagree: unknown, naming both', () => {
    const t = topologyWith([anp('a', 7, fromHouse('Allow', 'slytherin')), anp('b', 7, fromHouse('Deny', 'slytherin'))].join('\n---\n'));
    const v = evaluatePolicy(t, flow(t, 'draco-malfoy-0', 'harry-potter-0')).ingress;
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/AdminNetworkPolicy a and AdminNetworkPolicy b share priority 7/);
  });

  test('two policies of one priority that agree: decided', () => {
    const t = topologyWith([anp('a', 7, fromHouse('Deny', 'slytherin')), anp('b', 7, fromHouse('Deny', 'slytherin'))].join('\n---\n'));
    expect(said(evaluatePolicy(t, flow(t, 'draco-malfoy-0', 'harry-potter-0')).ingress)).toBe('denied admin anp:a[0]');
  });

  test('v1alpha1 and v1alpha2 policies that disagree: the API orders neither, so unknown', () => {
    const t = topologyWith([anp('old', 1, fromHouse('Allow', 'slytherin')), cnp('new', 'Admin', 50, fromHouse('Deny', 'slytherin'))].join('\n---\n'));
    expect(evaluatePolicy(t, flow(t, 'draco-malfoy-0', 'harry-potter-0')).ingress.reason).toMatch(/does not order v1alpha1/);
  });

  test("hairpin: a pod's own pod IP is exempt, through a Service it is not, unsaid it is unknown", () => {
    const t = topologyWith(cnp('self', 'Admin', 1, '  ingress:\n  - { action: Deny, from: [{ namespaces: {} }] }'));
    const v = (isViaService?: boolean) => evaluatePolicy(t, flow(t, 'harry-potter-0', 'harry-potter-0', 80, 'TCP', isViaService === undefined ? {} : { isViaService })).ingress.verdict;
    expect([v(false), v(true), v(undefined)]).toEqual(['not-isolated', 'denied', 'unknown']);
  });
});

test('host-networked pods are never a subject (AdminNetworkPolicySubject)', () => {
  const t = topologyWith(banp(fromHouse('Deny', 'slytherin')));
  const host = { ...pod(t, 'harry-potter-0'), isHostNetwork: true };
  const from = pod(t, 'draco-malfoy-0');
  expect(evaluatePolicy(t, { from: { pod: from, ip: from.ips[0]! }, to: { pod: host, ip: '172.18.0.2' }, port: 80, protocol: 'TCP' }).ingress.verdict).toBe('not-applicable');
});

test('without admin policies a verdict is the NetworkPolicy one, with its layer', () => {
  const t = topologyWith(isolateGryffindor);
  expect(said(evaluatePolicy(t, flow(t, 'draco-malfoy-0', 'harry-potter-0')).ingress)).toBe('denied networkpolicy');
  expect(said(evaluatePolicy(t, flow(t, 'harry-potter-0', 'draco-malfoy-0')).ingress)).toBe('not-isolated default');
});

test('a trace names the deciding layer and rule, and what-if takes admin policy manifests', () => {
  const t = topologyWith(isolateGryffindor);
  const query = { from: `pod/${ns('ravenclaw')}/luna-lovegood-0`, to: `pod/${ns('gryffindor')}/harry-potter-0`, port: 80 };
  expect(trace(t, query).verdict).toBe('delivered');
  const read = whatIfPolicies(parseDocuments(anp('deny-ravenclaw', 3, fromHouse('Deny', 'ravenclaw')), 'what-if'), 'what-if');
  expect(read.adminPolicies.map((p) => p.id)).toEqual(['anp:deny-ravenclaw']);
  expect(read.ignored).toEqual([]);
  const after = trace(t, query, { adminPolicies: read.adminPolicies });
  expect(after.verdict).toBe('policy-denied');
  const text = formatTrace(after);
  expect(text).toMatch(/harry-potter-0 ingress: denied by AdminNetworkPolicy deny-ravenclaw rule "deny-ravenclaw" \(admin tier\)/);
  expect(text).toMatch(/admin tier: AdminNetworkPolicy deny-ravenclaw ingress rule 1 "deny-ravenclaw" \(admin tier, priority 3\): Deny/);
});

test('a trace whose admin policies leave the verdict open is unknown', () => {
  const t = topologyWith([anp('a', 7, fromHouse('Allow', 'slytherin')), anp('b', 7, fromHouse('Deny', 'slytherin'))].join('\n---\n'));
  const result = trace(t, { from: `pod/${ns('slytherin')}/draco-malfoy-0`, to: `pod/${ns('gryffindor')}/harry-potter-0`, port: 80 });
  expect(result.verdict).toBe('unknown');
  expect(result.summary).toMatch(/^Unknown: .*share priority 7/);
});
