/**
 * Traces that name every blocker (issue 17), on the bundled demo and variants of it: a trace goes
 * on past a failed lookup and past a denied egress, lists every blocker in path order with its
 * fix, and "Try a fix" clears them all at once; every step that finds no usable endpoint says why
 * in the same line and links the object that says so.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseDocuments } from '../kube/documents.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { withPolicies } from '../policy/evaluate.ts';
import { policiesYaml, policyFix } from '../policy/fix.ts';
import { whatIfPolicies } from '../policy/what-if.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { blockersOf, policyDenials } from './blockers.ts';
import { trace } from './trace.ts';
import type { Hop, Trace, TraceQuery } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);

function demoWith(change: (objects: ClusterObjects) => void): Topology {
  const objects = structuredClone(snapshot.objects);
  change(objects);
  return derive(objects, snapshot.source);
}

function pod(namespace: string, prefix: string): PodRecord {
  const found = Object.values(demo.pods)
    .filter((p) => p.namespace === namespace && p.name.startsWith(prefix) && p.phase === 'Running')
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!found) throw new Error(`no pod ${namespace}/${prefix}… in the demo`);
  return found;
}

const ref = (p: PodRecord) => `${p.namespace}/${p.name}`;
const frontend = ref(pod('shop', 'frontend-855456765f'));
const echo = ref(pod('default', 'echo'));
/** The demo's shop as a namespace whose default-deny forgot DNS. */
const withoutDns = Object.values(demo.policies).filter((p) => p.name !== 'allow-dns-egress');
const allHops = (t: Trace): Hop[] => [...(t.dns?.hops ?? []), ...t.hops, ...t.branches.flatMap((b) => b.hops)];

/** `base` and a what-if NetworkPolicy isolating the pods labelled `label` in `namespace` for `type`, with `rules` (none: deny all). */
function isolating(base: PolicyRecord[], namespace: string, label: string, type: 'Ingress' | 'Egress', rules = '[]') {
  const yaml = `{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: isolate-${type.toLowerCase()}, namespace: ${namespace}}, spec: {podSelector: {matchLabels: {${label}}}, policyTypes: [${type}], ${type.toLowerCase()}: ${rules}}}`;
  const read = whatIfPolicies(parseDocuments(yaml, 'isolate.yaml'), 'isolate.yaml');
  return withPolicies({ ...demo, policies: Object.fromEntries(base.map((p) => [p.id, p])) }, read.policies);
}

/** "Try a fix" for every policy blocker of `traced`, pasted back as a what-if over `policies`. */
function fixedPolicies(traced: Trace, policies = Object.values(demo.policies)) {
  const fix = policyFix(demo, policyDenials(traced.blockers), policies);
  if (!fix) throw new Error('no fix');
  const read = whatIfPolicies(parseDocuments(policiesYaml(fix.policies, fix.changes), 'fix.yaml'), 'fix.yaml');
  return { fix, policies: withPolicies({ ...demo, policies: Object.fromEntries(policies.map((p) => [p.id, p])) }, read.policies) };
}

describe('a lookup denied, then the connection denied both ways', () => {
  const query: TraceQuery = { from: frontend, to: 'db.shop', port: 5432 };
  const traced = trace(demo, query, { policies: withoutDns });

  test('every blocker in path order: the lookup\'s, then the egress and ingress of the connection traced on as if DNS had answered', () => {
    expect(traced.verdict).toBe('policy-denied');
    expect(traced.dns?.status).toBe('policy-denied');
    expect(traced.isDnsAssumed).toBe(true);
    expect(traced.branches.length).toBeGreaterThan(0);
    expect(traced.blockers.map((b) => [b.kind, b.at?.in])).toEqual([
      ['dns-policy', 'dns'],
      ['egress', 'branch'],
      ['ingress', 'branch'],
    ]);
    expect(traced.blockers[0]!.line).toMatch(/^frontend egress: no rule allows kube-system\/coredns-[\w-]+:53\/UDP$/);
    expect(traced.blockers.slice(1).map((b) => b.line)).toEqual(['frontend egress: no rule allows shop/db-0:5432/TCP', 'db-0 ingress: only app=backend or app=db is allowed on 5432/TCP']);
    // Each at the hop that decides it, and about the pod the line names.
    expect(traced.dns!.hops[traced.blockers[0]!.at!.hop]!.kind).toBe('policy');
    const branch = traced.branches[0]!;
    for (const blocker of traced.blockers.slice(1)) expect(blocker.at?.in === 'branch' && branch.hops[blocker.at.hop]?.kind).toBe('policy');
    expect(traced.blockers.map((b) => b.subject)).toEqual([pod('shop', 'frontend-855456765f').id, pod('shop', 'frontend-855456765f').id, branch.pod]);
    // The summary says both: the lookup, and what the connection meets after it.
    expect(traced.summary).toMatch(/^DNS: the name lookup is blocked: .*\nIf DNS had answered: policy-denied on all 3 paths\. frontend egress: /s);
  });

  test('each with its fix, made together: the DNS rule (53 over UDP and TCP to kube-dns), then the connection\'s', () => {
    expect(traced.blockers.map((b) => b.fix)).toEqual([
      'shop/frontend-allow: egress rule 2 added, to k8s-app=kube-dns in kube-system on 53/UDP and 53/TCP',
      'shop/frontend-allow: egress rule 3 added, to app=db on 5432/TCP',
      'shop/db-allow: ingress rule 2 added, from app=frontend on 5432/TCP',
    ]);
    // Each branch lists its own, with fixes made with the lookup's.
    for (const branch of traced.branches) expect(branch.blockers.map((b) => b.kind)).toEqual(['egress', 'ingress']);
    expect(blockersOf(traced, traced.branches[1]!).map((b) => b.line)).toEqual([traced.blockers[0]!.line, ...traced.branches[1]!.blockers.map((b) => b.line)]);
  });

  test('Try a fix covers them all: pasted as a what-if, the trace is delivered in one go', () => {
    const { fix, policies } = fixedPolicies(traced, withoutDns);
    expect(fix.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['shop/frontend-allow', 'shop/db-allow']);
    const after = trace(demo, query, { policies });
    expect(after.verdict).toBe('delivered');
    expect(after.dns?.status).toBe('resolved');
    expect(after.isDnsAssumed).toBeUndefined();
    expect(after.blockers).toEqual([]);
  });

  test('a healthy near neighbour: the cluster\'s own policies allow DNS, and frontend → backend.shop has no blocker', () => {
    const healthy = trace(demo, { from: frontend, to: 'backend.shop' });
    expect(healthy.verdict).toBe('delivered');
    expect(healthy.blockers).toEqual([]);
    expect(healthy.branches.every((b) => b.blockers.length === 0)).toBe(true);
    expect(healthy.isDnsAssumed).toBeUndefined();
  });

  test('a lookup denied and nothing after it: one blocker, and the connection traced on is delivered', () => {
    const t = trace(demo, { from: frontend, to: 'backend.shop' }, { policies: withoutDns });
    expect(t.verdict).toBe('policy-denied');
    expect(t.blockers.map((b) => b.kind)).toEqual(['dns-policy']);
    expect(t.branches.every((b) => b.verdict === 'delivered')).toBe(true);
  });

  test('a name that does not exist is no blocker to trace past: the trace ends, unknown-target', () => {
    const t = trace(demo, { from: frontend, to: 'nothing-here.shop' });
    expect(t.dns?.status).toBe('nxdomain');
    expect(t.verdict).toBe('unknown-target');
    expect(t.blockers).toEqual([]);
    expect(t.isDnsAssumed).toBeUndefined();
  });
});

describe('a lookup that fails without NetworkPolicy', () => {
  test('hostNetwork with dnsPolicy ClusterFirst: the node\'s resolv.conf, fixed by ClusterFirstWithHostNet; traced on to the Service', () => {
    const kubeProxy = pod('kube-system', 'kube-proxy');
    const t = trace(demo, { from: ref(kubeProxy), to: 'echo.default' });
    expect(t.dns?.status).toBe('no-cluster-dns');
    expect(t.isDnsAssumed).toBe(true);
    expect(t.verdict).toBe('no-route');
    expect(t.blockers).toEqual([expect.objectContaining({ kind: 'dns-failed', fix: `set dnsPolicy: ClusterFirstWithHostNet on ${ref(kubeProxy)}`, subject: kubeProxy.id, denial: null })]);
    expect(t.branches.length).toBeGreaterThan(0);
    // node-exporter is hostNetwork too, with ClusterFirstWithHostNet: nothing blocks it.
    const healthy = trace(demo, { from: ref(pod('monitoring', 'node-exporter')), to: 'echo.default' });
    expect(healthy.dns?.status).toBe('resolved');
    expect(healthy.blockers).toEqual([]);
  });

  test('CoreDNS not ready: the lookup fails for want of an endpoint, which names the pod; the connection is traced on', () => {
    const noCoreDns = demoWith((objects) => {
      for (const slice of objects.endpointSlices) if (slice.metadata.name.startsWith('kube-dns')) for (const e of slice.endpoints ?? []) e.conditions = { ready: false, serving: false, terminating: false };
    });
    const t = trace(noCoreDns, { from: ref(pod('monitoring', 'grafana')), to: 'echo.default' });
    expect(t.dns?.status).toBe('no-endpoints');
    expect(t.verdict).toBe('no-endpoints');
    expect(t.isDnsAssumed).toBe(true);
    const [blocker] = t.blockers;
    expect(blocker).toMatchObject({ kind: 'dns-failed', at: { in: 'dns', hop: t.dns!.hops.length - 1 } });
    expect(blocker!.subject).toMatch(/^pod:/);
    expect(noCoreDns.pods[blocker!.subject!]?.namespace).toBe('kube-system');
    expect(blocker!.fix).toMatch(/^find why kube-system\/coredns-[\w-]+ is not ready: kubectl describe pod -n kube-system coredns-/);
    expect(t.branches.every((b) => b.verdict === 'delivered')).toBe(true);
  });
});

describe('egress denied: the ingress side is evaluated and the path goes on to it', () => {
  test('echo → backend: egress is open, ingress denied: one blocker, at the receiver\'s check', () => {
    const t = trace(demo, { from: echo, to: ref(pod('shop', 'backend')), port: 8080 });
    expect(t.blockers.map((b) => b.kind)).toEqual(['ingress']);
    expect(t.hops.at(-1)!.kind).toBe('policy');
  });

  test('frontend → db-1 on another node: both checks, the overlay between them; ends at the ingress check, not in the pod', () => {
    const t = trace(demo, { from: frontend, to: 'shop/db-1', port: 5432 });
    expect(t.blockers.map((b) => [b.kind, b.at])).toEqual([
      ['egress', { in: 'path', hop: 3 }],
      ['ingress', { in: 'path', hop: t.hops.length - 1 }],
    ]);
    expect(t.hops.map((h) => h.kind)).toContain('tunnel');
    expect(t.hops.slice(4).map((h) => h.kind)).not.toContain('pod-eth0');
    const { policies } = fixedPolicies(t);
    expect(trace(demo, { from: frontend, to: 'shop/db-1', port: 5432 }, { policies }).verdict).toBe('delivered');
  });

  test('frontend → a node\'s NodePort: egress denied, then traced on through the node\'s kube-proxy to the endpoint\'s ingress', () => {
    const grafana = pod('monitoring', 'grafana');
    const worker = Object.values(demo.hosts).find((h) => h.id !== grafana.host && h.name.startsWith('demo-worker'))!;
    const open = trace(demo, { from: frontend, to: `node/${worker.name}`, port: 30300 });
    expect(open.verdict).toBe('policy-denied');
    expect(open.blockers.map((b) => b.kind)).toEqual(['egress']);
    // Past the denial: the NodePort's DNAT, and the pod it picks — so its own ingress is checked too.
    expect(allHops(open).map((h) => h.kind)).toContain('node-port');
    expect(allHops(open).at(-1)!.ids).toContain(grafana.id);
    expect(open.summary).toMatch(/^frontend egress: no rule allows [\d.]+:30300\/TCP\nIf it were allowed: Delivered to monitoring\/grafana-/);
    // With grafana isolated for ingress as well, both are named at once, in path order.
    const closed = trace(demo, { from: frontend, to: `node/${worker.name}`, port: 30300 }, { policies: isolating(Object.values(demo.policies), 'monitoring', 'app.kubernetes.io/name: grafana', 'Ingress') });
    expect(closed.blockers.map((b) => [b.kind, b.subject])).toEqual([
      ['egress', pod('shop', 'frontend-855456765f').id],
      ['ingress', grafana.id],
    ]);
    expect(closed.summary.split('\n')).toEqual([expect.stringMatching(/^frontend egress: /), expect.stringMatching(/^grafana ingress: /)]);
    // A healthy near neighbour: echo has no egress policy, the NodePort delivers.
    expect(trace(demo, { from: echo, to: `node/${worker.name}`, port: 30300 }).blockers).toEqual([]);
  });

  test('a client whose egress to the Ingress controller is denied: traced on through the controller to the backend\'s ingress', () => {
    // echo may only talk DNS; shop's frontend-allow (which lets the controller in) removed.
    const policies = isolating(Object.values(demo.policies).filter((p) => p.name !== 'frontend-allow'), 'default', 'app: echo', 'Egress', '[{ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}]');
    const t = trace(demo, { from: echo, to: 'ing/shop/shop', port: 80 }, { policies });
    expect(t.verdict).toBe('policy-denied');
    expect(t.blockers.map((b) => [b.kind, demo.pods[b.subject!]?.name.split('-')[0]])).toEqual([
      ['egress', 'echo'],
      ['ingress', 'frontend'],
    ]);
    expect(t.blockers[1]!.line).toMatch(/^frontend ingress: no rule allows ingress-nginx\/ingress-nginx-controller-[\w-]+ on 8080\/TCP$/);
    // Only denials in the summary: not the controller's open egress.
    expect(t.summary).not.toContain('not isolated');
    // With echo's egress open, only the backend's ingress is left.
    const second = trace(demo, { from: echo, to: 'ing/shop/shop', port: 80 }, { policies: Object.values(demo.policies).filter((p) => p.name !== 'frontend-allow') });
    expect(second.blockers.map((b) => b.kind)).toEqual(['ingress']);
  });

  test('a denied egress to something outside the cluster ends at the check: nothing after it can block', () => {
    const t = trace(demo, { from: frontend, to: '203.0.113.9', port: 443 });
    expect(t.verdict).toBe('policy-denied');
    expect(t.blockers.map((b) => b.kind)).toEqual(['egress']);
    expect(t.hops.at(-1)!.kind).toBe('policy');
  });
});

describe('"none usable", "rejected", "dropped" say why in the same line, and link the object that says so', () => {
  const endpointHop = (t: Trace) => allHops(t).find((h) => h.kind === 'endpoint' && h.label.includes('none usable'));

  test('not ready: the count, the pods, the first one linked', () => {
    const t = trace(demo, { from: echo, to: 'svc:payments/ledger' });
    const none = endpointHop(t)!;
    expect(none.label).toMatch(/^endpoints of svc payments\/ledger: none usable — its 2 endpoints are not ready \(payments\/ledger-[\w-]+, payments\/ledger-[\w-]+\)$/);
    const why = none.evidence.find((e) => e.text.startsWith('its 2 endpoints are not ready'))!;
    expect(demo.pods[why.object!]?.name).toMatch(/^ledger-/);
    expect(t.blockers).toEqual([expect.objectContaining({ kind: 'no-endpoints', subject: why.object, fix: expect.stringMatching(/^find why payments\/ledger-/) })]);
    expect(t.summary).toContain('rejected by kube-proxy: KUBE-SVC-');
    expect(t.summary).toContain('has no endpoints, as its 2 endpoints are not ready');
    // echo's endpoints are ready: nothing is "none usable".
    const healthy = trace(demo, { from: ref(pod('monitoring', 'grafana')), to: 'svc:default/echo' });
    expect(endpointHop(healthy)).toBeUndefined();
    expect(healthy.blockers).toEqual([]);
  });

  test('no endpoint at all: the selector that matches no pod', () => {
    const t = trace(demo, { from: echo, to: 'svc:payments/fraud-check' });
    const none = endpointHop(t)!;
    expect(none.label).toMatch(/none usable — no EndpointSlice lists an endpoint for it: selector app=fraud-check matches no pod with an IP in payments$/);
    expect(none.evidence).toContainEqual(expect.objectContaining({ object: 'svc:payments/fraud-check', field: 'spec.selector' }));
  });

  test('port-name mismatch: the Service port renamed, its EndpointSlices still name the old one', () => {
    const renamed = demoWith((objects) => {
      const backend = objects.services.find((s) => s.metadata.namespace === 'shop' && s.metadata.name === 'backend')!;
      backend.spec!.ports![0]!.name = 'web';
    });
    const t = trace(renamed, { from: frontend, to: 'svc/shop/backend' });
    expect(t.verdict).toBe('no-endpoints');
    const none = endpointHop(t)!;
    expect(none.label).toContain('none usable — port-name or protocol mismatch: no endpoint has a port named "web" over TCP (its EndpointSlices list "http" 8080/TCP)');
    const reject = t.hops.at(-1)!;
    expect(reject.label).toContain('as port-name or protocol mismatch');
    expect(reject.evidence[0]).toMatchObject({ object: 'svc:shop/backend', field: 'spec.ports' });
    expect(t.blockers[0]?.fix).toBe('name a containerPort "http" (TCP) in the pods, or set targetPort to its number');
  });

  test('internalTrafficPolicy Local, no endpoint on the sending node: dropped, saying where the ready ones are', () => {
    const local = demoWith((objects) => {
      const echoService = objects.services.find((s) => s.metadata.namespace === 'default' && s.metadata.name === 'echo')!;
      echoService.spec!.internalTrafficPolicy = 'Local';
    });
    const fromControlPlane = trace(local, { from: 'node/demo-control-plane', to: 'svc:default/echo' });
    const drop = fromControlPlane.hops.at(-1)!;
    expect(drop.label).toMatch(/^dropped: internalTrafficPolicy Local and no usable endpoint on node demo-control-plane \(its ready ones are on demo-worker-1, demo-worker-2\)/);
    expect(drop.evidence[0]).toMatchObject({ object: 'svc:default/echo', field: 'spec.internalTrafficPolicy' });
    expect(fromControlPlane.blockers[0]?.fix).toBe('set internalTrafficPolicy: Cluster on svc default/echo, or run a ready endpoint on demo-control-plane');
    // From a node with an echo pod, Local has one to use.
    const fromWorker = trace(local, { from: 'node/demo-worker-1', to: 'svc:default/echo' });
    expect(fromWorker.verdict).toBe('delivered');
    expect(fromWorker.blockers).toEqual([]);
  });

  test('a failure no step notes (a Service without the port asked for) is blocked where its path ends, at the Service: its summary the cause', () => {
    const t = trace(demo, { from: frontend, to: 'svc/shop/backend', port: 5432 });
    expect(t.verdict).toBe('no-route');
    const last = t.hops.at(-1)!;
    expect(last).toMatchObject({ kind: 'service', ids: ['svc:shop/backend'], label: 'svc shop/backend: no port 5432/TCP' });
    expect(last.evidence[0]).toMatchObject({ text: 'its ports: 80/TCP (http)', object: 'svc:shop/backend', field: 'spec.ports' });
    expect(t.blockers).toEqual([{ kind: 'no-route', at: { in: 'path', hop: t.hops.length - 1 }, line: t.summary, fix: null, subject: 'svc:shop/backend', denial: null }]);
  });
});
