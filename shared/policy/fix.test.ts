import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocuments } from '../kube/documents.ts';
import type { PodRecord, PolicyRecord } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { trace } from '../trace/trace.ts';
import type { TraceQuery } from '../trace/types.ts';
import { evaluatePolicy, policyRecordFrom, withPolicies } from './evaluate.ts';
import { policiesYaml, policyFix, type PolicyManifest } from './fix.ts';
import { whatIfPolicies } from './what-if.ts';

// The demo's shop denies everything but the paths its tiers need (scripts/demo/network-policies.ts).
const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);

function pod(namespace: string, prefix: string): PodRecord {
  const found = Object.values(demo.pods)
    .filter((p) => p.namespace === namespace && p.name.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!found) throw new Error(`no pod ${namespace}/${prefix}… in the demo`);
  return found;
}
const ref = (p: PodRecord) => `${p.namespace}/${p.name}`;
const frontend = pod('shop', 'frontend-855456765f');
const backend = pod('shop', 'backend');

/** The fix for a traced flow, as "Try a fix" makes it: YAML, read back as a pasted what-if and
 * applied over `whatIf`, the what-if policies the trace already had. */
function fixOf(query: TraceQuery, whatIf: PolicyRecord[] = []) {
  const evaluated = whatIf.length > 0 ? withPolicies(demo, whatIf) : undefined;
  const traced = trace(demo, query, evaluated ? { policies: evaluated } : {});
  const fix = policyFix(demo, traced.policy, evaluated);
  if (!fix) throw new Error('no fix');
  const yaml = policiesYaml(fix.policies, fix.changes);
  const read = whatIfPolicies(parseDocuments(yaml, 'fix.yaml'), 'fix.yaml');
  expect(read.ignored).toEqual([]);
  expect(read.unusable).toEqual([]);
  return { before: traced, fix, yaml, policies: withPolicies(demo, [...whatIf, ...read.policies]) };
}

describe('policyFix', () => {
  const toDb: TraceQuery = { from: ref(frontend), to: 'shop/db-0', port: 5432 };

  it('frontend → db-0:5432, denied both ways: an egress rule on frontend-allow, an ingress rule on db-allow; pasted as a what-if, the trace is delivered', () => {
    const { before, fix, yaml, policies } = fixOf(toDb);
    expect(before.verdict).toBe('policy-denied');
    // Of the policies isolating each pod, the one selecting the fewest pods: not default-deny-all
    // or allow-dns-egress, which select the whole namespace.
    expect(fix.changes).toEqual(['shop/frontend-allow: egress rule 2 added, to app=db on 5432/TCP', 'shop/db-allow: ingress rule 2 added, from app=frontend on 5432/TCP']);
    expect(fix.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['shop/frontend-allow', 'shop/db-allow']);
    expect(yaml).toMatch(/^# shop\/frontend-allow: egress rule 2 added/);
    expect(yaml).toContain('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: db-allow\n  namespace: shop\n');
    // The rest of each policy stays as it was: its first rules, its podSelector and policyTypes.
    const frontendAllow = fix.policies.find((p) => p.metadata.name === 'frontend-allow')!;
    expect(frontendAllow.spec).toEqual({ ...demo.policies['netpol:shop/frontend-allow']!.spec, egress: [...demo.policies['netpol:shop/frontend-allow']!.spec.egress!, { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] });

    const after = trace(demo, toDb, { policies });
    expect(after.verdict).toBe('delivered');
    expect(after.policy.egress?.allowedBy.map((r) => `${r.name} ${r.rule}`)).toEqual(['shop/frontend-allow 1']);
    // Selected by app=db, not by db-0's own name: the Service's every endpoint is reached.
    expect(trace(demo, { from: ref(frontend), to: 'svc/shop/db', port: 5432 }, { policies }).branches.map((b) => b.verdict)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('is minimal: no other flow between the demo’s pods changes verdict, on 5432 or any port the shop uses', () => {
    const { policies } = fixOf(toDb);
    const pods = Object.values(demo.pods).filter((p) => !p.isHostNetwork && p.ips.length > 0);
    const changed: string[] = [];
    for (const from of pods) {
      for (const to of pods) {
        for (const port of [53, 5432, 8080]) {
          const flow = { from: { pod: from, ip: from.ips[0]! }, to: { pod: to, ip: to.ips[0]! }, port, protocol: 'TCP' as const };
          if (evaluatePolicy(demo, flow).isAllowed !== evaluatePolicy(demo, flow, { policies }).isAllowed) changed.push(`${from.labels.app} → ${to.name}:${port}`);
        }
      }
    }
    // Every frontend pod (both ReplicaSets) to every db replica on 5432, and nothing else.
    expect(new Set(changed)).toEqual(new Set(['frontend → db-0:5432', 'frontend → db-1:5432', 'frontend → db-2:5432']));
    expect(changed).toHaveLength(4 * 3);
    // A third pod is still denied, and so is the frontend on another port.
    expect(trace(demo, { from: ref(backend), to: ref(frontend), port: 5432 }, { policies }).verdict).toBe('policy-denied');
    expect(trace(demo, { ...toDb, port: 5433 }, { policies }).verdict).toBe('policy-denied');
  });

  it('only the denied direction changes: a pod in another namespace is allowed by namespace and its workload’s label', () => {
    const echo = pod('default', 'echo');
    const { before, fix, policies } = fixOf({ from: ref(echo), to: ref(backend), port: 8080 });
    expect(before.policy.egress?.verdict).toBe('not-isolated');
    expect(fix.changes).toEqual(['shop/backend-allow: ingress rule 2 added, from app=echo in default on 8080/TCP']);
    expect((fix.policies[0] as PolicyManifest | undefined)?.spec.ingress?.at(-1)).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: { matchLabels: { app: 'echo' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
    expect(trace(demo, { from: ref(echo), to: ref(backend), port: 8080 }, { policies }).verdict).toBe('delivered');
  });

  it('prefers app.kubernetes.io/name to the per-rollout pod-template-hash', () => {
    const prometheus = pod('monitoring', 'prometheus');
    const { fix, policies } = fixOf({ from: ref(prometheus), to: ref(backend), port: 8080 });
    expect(fix.changes).toEqual(['shop/backend-allow: ingress rule 2 added, from app.kubernetes.io/name=prometheus in monitoring on 8080/TCP']);
    expect(trace(demo, { from: ref(prometheus), to: ref(backend), port: 8080 }, { policies }).verdict).toBe('delivered');
  });

  it('an address that is no pod is allowed by an ipBlock of that address', () => {
    const query = { from: ref(backend), to: '203.0.113.9:443' };
    const { fix, policies } = fixOf(query);
    expect(fix.changes).toEqual(['shop/backend-allow: egress rule 2 added, to 203.0.113.9/32 on 443/TCP']);
    expect(trace(demo, query, { policies }).verdict).toBe('delivered');
  });

  it('on top of what-if policies; of two policies selecting as few pods, the first by name', () => {
    const extra = policyRecordFrom({ metadata: { name: 'a-db-quiet', namespace: 'shop', uid: 'what-if' }, spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] } });
    const { fix, policies } = fixOf(toDb, [extra]);
    expect(fix.changes).toEqual(['shop/frontend-allow: egress rule 2 added, to app=db on 5432/TCP', 'shop/a-db-quiet: ingress rule 1 added, from app=frontend on 5432/TCP']);
    expect(fix.policies[1]?.spec.policyTypes).toEqual(['Ingress']);
    expect(trace(demo, toDb, { policies }).verdict).toBe('delivered');
  });

  it('nothing denied, nothing to fix', () => {
    expect(policyFix(demo, trace(demo, { from: ref(frontend), to: 'svc/shop/backend' }).policy)).toBeNull();
  });
});

describe('policiesYaml', () => {
  it('a note with a line break in it (a name from a hand-made snapshot) stays a comment', () => {
    const manifest = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'shop' }, spec: { podSelector: {} } };
    const yaml = policiesYaml([manifest as Parameters<typeof policiesYaml>[0][number]], ['shop/evil\nkind: ClusterRoleBinding\u2028metadata: {}: egress rule 1 added']);
    const [document] = parseDocuments(yaml, 'fix.yaml');
    expect(document).toEqual(manifest);
    expect(yaml.split('\n')[0]).toBe('# shop/evil\\u000akind: ClusterRoleBinding\\u2028metadata: {}: egress rule 1 added');
  });
});
