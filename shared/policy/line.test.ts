import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NetworkPolicy } from '../kube/objects.ts';
import type { PodRecord, PolicyRecord } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { evaluatePolicy, policyRecordFrom } from './evaluate.ts';
import { briefPeer, shortPodName } from './line.ts';
import type { Flow, PolicyEndpoint } from './types.ts';

// The demo's shop: default-deny-all, allow-dns-egress, and an allow policy per tier
// (scripts/demo/network-policies.ts).
const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);

function pod(namespace: string, prefix: string): PodRecord {
  const found = Object.values(demo.pods)
    .filter((p) => p.namespace === namespace && p.name.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!found) throw new Error(`no pod ${namespace}/${prefix}… in the demo`);
  return found;
}

const end = (p: PodRecord | string): PolicyEndpoint => (typeof p === 'string' ? { pod: null, ip: p } : { pod: p, ip: p.ips[0] ?? '' });
const flow = (from: PodRecord | string, to: PodRecord | string, port: number): Flow => ({ from: end(from), to: end(to), port, protocol: 'TCP' });

/** Both lines of a flow, egress first. */
function lines(f: Flow, policies?: PolicyRecord[]): [string, string] {
  const verdict = evaluatePolicy(demo, f, policies ? { policies } : {});
  return [verdict.egress.line, verdict.ingress.line];
}

const frontend = pod('shop', 'frontend-855456765f');
const backend = pod('shop', 'backend');
const db0 = pod('shop', 'db-0');
const echo = pod('default', 'echo');

describe('shortPodName', () => {
  it('a Deployment’s pod by its Deployment, a DaemonSet’s by its DaemonSet, any other by its own name', () => {
    expect(shortPodName(frontend)).toBe('frontend');
    expect(shortPodName(pod('ingress-nginx', 'ingress-nginx-controller'))).toBe('ingress-nginx-controller');
    expect(shortPodName(pod('kube-system', 'kube-proxy'))).toBe('kube-proxy');
    expect(shortPodName(db0)).toBe('db-0');
    // A static pod is owned by its Node, whose name it ends with: it keeps its own name.
    expect(shortPodName(pod('kube-system', 'etcd'))).toBe('etcd-demo-control-plane');
    expect(shortPodName({ ...frontend, owner: null })).toBe(frontend.name);
  });
});

describe('a verdict’s line', () => {
  it('a denial both ways on the demo: what no rule allows, and what the receiver’s policies do allow', () => {
    expect(lines(flow(frontend, db0, 5432))).toEqual(['frontend egress: no rule allows shop/db-0:5432/TCP', 'db-0 ingress: only app=backend or app=db is allowed on 5432/TCP']);
  });

  it('the far end allowed, on other ports: names the ports the rules open', () => {
    expect(lines(flow(frontend, backend, 5432))).toEqual([`frontend egress: shop/${backend.name} is allowed only on http/TCP`, `backend ingress: shop/${frontend.name} is allowed only on http/TCP`]);
  });

  it('a peer in another namespace; a sender no policy isolates', () => {
    expect(lines(flow(echo, backend, 8080))).toEqual(['echo egress: not isolated, so all egress is allowed', 'backend ingress: only app=frontend or any pod in ingress-nginx is allowed on 8080/TCP']);
  });

  it('allowed: the first rule that allows it, in brief', () => {
    expect(lines(flow(frontend, backend, 8080))).toEqual([
      'frontend egress: allowed by shop/frontend-allow (to app=backend, port http/TCP = 8080)',
      'backend ingress: allowed by shop/backend-allow (from app=frontend, port http/TCP = 8080)',
    ]);
  });

  it('an end that is no pod is named by its address; a hostNetwork pod is outside policy', () => {
    const [egress, ingress] = lines(flow('203.0.113.9', db0, 5432));
    expect(egress).toBe('203.0.113.9 egress: not a pod, so NetworkPolicy does not apply');
    expect(ingress).toBe('db-0 ingress: only app=backend or app=db is allowed on 5432/TCP');
    const proxy = pod('kube-system', 'kube-proxy');
    expect(lines(flow(proxy, db0, 5432))[0]).toBe('kube-proxy egress: hostNetwork, so NetworkPolicy does not apply');
  });

  it('no rule in any isolating policy: says what is not allowed, with the port', () => {
    const onlyDeny = Object.values(demo.policies).filter((p) => p.name === 'default-deny-all');
    expect(lines(flow(backend, db0, 5432), onlyDeny)).toEqual([`backend egress: no rule allows shop/db-0:5432/TCP`, `db-0 ingress: no rule allows shop/${backend.name} on 5432/TCP`]);
  });

  it('the exemptions say why the flow is allowed anyway', () => {
    const self = evaluatePolicy(demo, flow(db0, db0, 9999));
    expect(self.ingress.line).toBe('db-0 ingress: allowed, as a pod cannot block traffic to itself');
  });

  it('a denial keeps each isolating policy’s closest miss, the reason’s parts', () => {
    const verdict = evaluatePolicy(demo, flow(frontend, db0, 5432)).ingress;
    expect(verdict.misses.map((m) => m.name)).toEqual(['shop/db-allow', 'shop/default-deny-all']);
    expect(verdict.misses[0]?.text).toMatch(/^ingress rule 1 allows port 5432\/TCP but not the source/);
    for (const miss of verdict.misses) expect(verdict.reason).toContain(`${miss.name}: ${miss.text}`);
    expect(evaluatePolicy(demo, flow(frontend, backend, 8080)).egress.misses).toEqual([]);
  });
});

describe('briefPeer', () => {
  const policy: PolicyRecord = policyRecordFrom({ metadata: { name: 'p', namespace: 'team-a', uid: 'p' }, spec: { podSelector: {} } } satisfies NetworkPolicy);
  it('labels, namespaces by name or by selector, address blocks', () => {
    expect(briefPeer({ podSelector: { matchLabels: { app: 'web' } } }, policy)).toBe('app=web');
    expect(briefPeer({ podSelector: {} }, policy)).toBe('any pod in team-a');
    expect(briefPeer({ namespaceSelector: {} }, policy)).toBe('any pod in any namespace');
    expect(briefPeer({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }, policy)).toBe('k8s-app=kube-dns in kube-system');
    expect(briefPeer({ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] } }, policy)).toBe('app in (a, b) in namespaces team=b');
    expect(briefPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, policy)).toBe('10.0.0.0/8 except 10.1.0.0/16');
  });
});
