import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { topologyWith } from '../../test/cni-policies/fixture.ts';
import { generateDualStackCluster } from '../../test/fixtures/generate-dual-stack.ts';
import { splitFamilyNote } from '../../shared/trace/family.ts';
import { emptyTraceRequest, type TraceRequest } from '../state/ui.ts';
import { familyNoteText, fixText, isFamilyChoice, runTrace, whatIfFromText } from './trace-request.ts';

const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

describe('what-if policies pasted into the trace panel', () => {
  test('a NetworkPolicy is read, and anything else is named as ignored', () => {
    const read = whatIfFromText(`${policy}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n`);
    expect(read.policies.map((p) => p.name)).toEqual(['deny-all']);
    expect(read.problems).toEqual(['Deployment shop/web ignored: only NetworkPolicies, admin policies and Calico or Cilium policies change a trace']);
  });

  test('a syntax error says where, by line and column', () => {
    const read = whatIfFromText('kind: NetworkPolicy\nmetadata: {name: x\n');
    expect(read.policies).toEqual([]);
    expect(read.problems.length).toBeGreaterThan(0);
    expect(read.problems[0]).toMatch(/^Not valid YAML or JSON: line \d+, column \d+: /);
  });

  test('a "billion laughs" document is refused, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const read = whatIfFromText(lines.join('\n'));
    expect(read.policies).toEqual([]);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatch(/^Not valid YAML or JSON: line 1, column 1: .*alias/i);
  });

  test('a Calico policy and a Cilium policy are read as the CLI\'s --with-policy reads them, and a Calico one decides the trace', () => {
    const calico = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.deny-dev}
spec:
  tier: security
  selector: app == "web"
  ingress:
  - action: Deny
    source: {namespaceSelector: env == "dev"}
`;
    const cilium = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{}]\n';
    expect(whatIfFromText(`${calico}---\n${cilium}`).cniPolicies?.map((p) => p.id)).toEqual(['calgnp:security.deny-dev', 'ciliumnp:shop/web']);
    const topology = topologyWith('');
    const result = runTrace(topology, { ...emptyTraceRequest, from: 'dev/client', to: 'shop/web', port: 8080, whatIf: calico })!;
    expect(result.whatIf.problems).toEqual([]);
    expect(result.before?.verdict).toBe('delivered');
    expect(result.trace.verdict).toBe('policy-denied');
    expect(result.trace.policy.ingress?.cniRule).toMatchObject({ cni: 'calico', name: 'security.deny-dev', tier: 'security', section: 'ingress', rule: 0, action: 'Deny' });
  });

  test('empty text asks for nothing', () => {
    expect(whatIfFromText('  \n')).toEqual({ policies: [], problems: [] });
  });
});

describe('Try a fix', () => {
  const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
  const demo = derive(snapshot.objects, snapshot.source);
  const request: TraceRequest = { ...emptyTraceRequest, from: 'shop/frontend-855456765f-rx8bk', to: 'shop/db-0', port: 5432 };
  /** An unrelated what-if a user already pasted, and one that replaces the policy the fix changes. */
  const unrelated = policy.replace('deny-all', 'quiet').replace('podSelector: {}', 'podSelector: {matchLabels: {app: echo}}');
  const stricterDb = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-allow, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
`;

  test('the fix, as what-if text, turns the denied flow delivered; the what-if policies already there stay, changed where the fix changes them', () => {
    const denied = runTrace(demo, { ...request, whatIf: `${unrelated}---\n${stricterDb}` })!;
    expect(denied.trace.verdict).toBe('policy-denied');
    const text = fixText(demo, denied.whatIf.policies, denied.trace.policy)!;
    const read = whatIfFromText(text);
    expect(read.problems).toEqual([]);
    // The pasted db-allow had no ingress rules: the fix's is its first, and it keeps its policyTypes.
    expect(text).toContain('# shop/db-allow: ingress rule 1 added, from app=frontend on 5432/TCP\n');
    expect(read.policies.map((p) => `${p.name} ${p.policyTypes.join('+')}`)).toEqual(['quiet Ingress', 'frontend-allow Ingress+Egress', 'db-allow Ingress']);

    const fixed = runTrace(demo, { ...request, whatIf: text })!;
    expect(fixed.trace.verdict).toBe('delivered');
    expect(fixed.before?.verdict).toBe('policy-denied');
  });

  test('nothing denied, no fix', () => {
    const delivered = runTrace(demo, { ...request, to: 'svc/shop/backend', port: null })!;
    expect(delivered.trace.verdict).toBe('delivered');
    expect(fixText(demo, [], delivered.trace.policy)).toBeNull();
  });
});

describe('the family asked for (dual stack)', () => {
  const source = { context: 'dual-stack', server: null, kubernetesVersion: 'v1.33.2', capturedAt: '2025-07-01T09:00:00Z' };
  const dual = derive(generateDualStackCluster(60), source);
  /** app-0-0: 10.64.0.2 and fd00:10:40::2; Services app-0 SingleStack IPv4, app-1 PreferDualStack. */
  const request: TraceRequest = { ...emptyTraceRequest, from: 'team-0/app-0-0', to: 'svc/team-0/app-1' };

  test('the panel offers a family where an end is dual-stack, and not on a single-stack cluster', () => {
    expect(isFamilyChoice(dual, request.from, request.to)).toBe(true);
    // The Service is IPv4 only, but the sender has both.
    expect(isFamilyChoice(dual, request.from, 'svc/team-0/app-0')).toBe(true);
    expect(isFamilyChoice(dual, request.from, '')).toBe(false);
    const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
    expect(isFamilyChoice(derive(demo.objects, demo.source), 'shop/db-0', 'svc/shop/backend')).toBe(false);
  });

  test('a single-stack sender to a single-stack Service has nothing to choose', () => {
    const objects = generateDualStackCluster(60);
    const pod = objects.pods.find((p) => p.metadata.name === 'app-0-0');
    if (pod?.status) pod.status.podIPs = [{ ip: '10.64.0.2' }];
    expect(isFamilyChoice(derive(objects, source), request.from, 'svc/team-0/app-0')).toBe(false);
  });

  test('the family chosen is the query\'s: IPv6 reaches the IPv6 ClusterIP; auto, the primary IP\'s family with a note', () => {
    const v6 = runTrace(dual, { ...request, family: 6 })!.trace;
    expect(v6.query.family).toBe(6);
    expect(v6.to.ip).toBe('fd00:10:96::1');
    const v4 = runTrace(dual, { ...request, family: 4 })!.trace;
    expect(v4.to.ip).toBe('10.96.0.1');
    const auto = runTrace(dual, request)!.trace;
    expect(auto.query.family).toBeUndefined();
    expect(auto.to.ip).toBe('10.96.0.1');
    const { summary, note } = splitFamilyNote(auto.summary);
    expect(summary).not.toContain('IPv6');
    expect(familyNoteText(note!)).toBe("Traced in IPv4, the family of team-0/app-0-0's primary IP 10.64.0.2; both ends have IPv6 too (Family: IPv6).");
  });
});
