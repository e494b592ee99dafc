/**
 * The doctor's NetworkPolicy checks on the bundled demo (its shop namespace: default-deny-all,
 * allow policies per tier, allow-dns-egress), each problem made by one edit of it and checked
 * beside the healthy neighbour that must stay quiet; then the sample and generated clusters,
 * which must raise nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { generateCluster } from '../../test/fixtures/generate.ts';
import { sampleObjects } from '../../renderer/graph/testing/sample-topology.ts';
import type { ClusterObjects, NetworkPolicy, NetworkPolicyPeer } from '../kube/objects.ts';
import type { Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { diagnose } from './doctor.ts';
import { evaluateRule, type Side } from '../policy/rules.ts';
import { policyChecks } from './policies.ts';
import { podIndex } from './policy-pods.ts';
import { peerReach } from './policy-selectors.ts';
import type { Problem } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);

function demoWith(change: (objects: ClusterObjects) => void, unavailableKinds: { kind: string; reason: string }[] = []): Topology {
  const objects = structuredClone(snapshot.objects);
  change(objects);
  return derive(objects, { ...snapshot.source, unavailableKinds });
}

function policyNamed(objects: ClusterObjects, name: string): NetworkPolicy {
  const found = objects.networkPolicies.find((p) => p.metadata.name === name);
  if (!found) throw new Error(`no policy ${name} in the demo`);
  return found;
}

const policy = (name: string, namespace: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: { name, namespace, uid: `np-${namespace}-${name}` }, spec });

/**
 * A generated cluster as a careful team guards it: CoreDNS in kube-system, and in every namespace
 * a default-deny-all, the standard allow-dns and an allow for traffic between its own pods on the
 * http port.
 */
function withHealthyPolicies(objects: ClusterObjects): ClusterObjects {
  const dnsIPs = ['10.64.0.250', '10.64.1.250'];
  objects.namespaces.push({ metadata: { name: 'kube-system', uid: 'ns-kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } } });
  dnsIPs.forEach((ip, i) => {
    objects.pods.push({
      metadata: { name: `coredns-${i}`, namespace: 'kube-system', uid: `coredns-${i}`, labels: { 'k8s-app': 'kube-dns' } },
      spec: { nodeName: `node-${i % objects.nodes.length}`, dnsPolicy: 'Default', containers: [{ name: 'coredns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });
  objects.services.push({
    metadata: { name: 'kube-dns', namespace: 'kube-system', uid: 'svc-kube-dns', labels: { 'k8s-app': 'kube-dns' } },
    spec: { clusterIP: '10.96.255.10', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' }] },
  });
  objects.endpointSlices.push({
    metadata: { name: 'kube-dns-x1', namespace: 'kube-system', uid: 'slice-kube-dns', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
    addressType: 'IPv4',
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
    endpoints: dnsIPs.map((ip, i) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: `coredns-${i}`, namespace: 'kube-system', uid: `coredns-${i}` } })),
  });
  for (const namespace of objects.namespaces.map((n) => n.metadata.name).filter((n) => n.startsWith('team-'))) {
    objects.networkPolicies.push(
      policy('default-deny-all', namespace, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('allow-dns', namespace, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      }),
      policy('allow-http-within', namespace, { podSelector: {}, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'http' }] }], egress: [{ to: [{ podSelector: {} }], ports: [{ port: 8080 }] }] }),
    );
  }
  return objects;
}

const policyProblems = (topology: Topology): Problem[] => policyChecks.flatMap((check) => check(topology));
const ofKind = (topology: Topology, kind: Problem['kind']) => policyProblems(topology).filter((p) => p.kind === kind);
const brief = (problems: Problem[]) => problems.map((p) => ({ severity: p.severity, subject: p.subject, message: p.message }));

describe('a healthy cluster raises nothing', () => {
  test('the demo: default-deny-all, allows per tier, allow-dns-egress', () => {
    const policyKinds = new Set(['policy-selects-nothing', 'policy-peer-matches-nothing', 'policy-blocks-dns', 'policy-isolates-service-backend']);
    expect(diagnose(demo).filter((p) => policyKinds.has(p.kind))).toEqual([]);
  });

  test('the sample cluster, and a generated 1k cluster bare and with default-deny, in-namespace and DNS allows', () => {
    expect(policyProblems(derive(sampleObjects()))).toEqual([]);
    expect(policyProblems(derive(generateCluster(1000)))).toEqual([]);
    const guarded = withHealthyPolicies(generateCluster(1000));
    const topology = derive(guarded);
    expect(Object.keys(topology.policies).length).toBeGreaterThan(0);
    expect(policyProblems(topology)).toEqual([]);
  });
});

test('nothing is said when Pods could not be read: their absence proves nothing', () => {
  const unread = demoWith((o) => (o.pods = []), [{ kind: 'pods', reason: 'pods is forbidden' }]);
  expect(policyProblems(unread)).toEqual([]);
  // The same model read without the error: every policy selects nothing, and says so.
  const empty = demoWith((o) => (o.pods = []));
  expect(ofKind(empty, 'policy-selects-nothing')).toHaveLength(Object.keys(empty.policies).length);
});

describe('policy-selects-nothing', () => {
  test('a podSelector no pod in the namespace matches: warning, with the values the pods do have', () => {
    const topology = demoWith((o) => o.networkPolicies.push(policy('cart-allow', 'shop', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{}] })));
    const [problem, ...rest] = ofKind(topology, 'policy-selects-nothing');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'warning', subject: 'networkpolicy/shop/cart-allow', subjectId: 'netpol:shop/cart-allow' });
    expect(problem!.message).toBe('podSelector app=cart matches none of the 11 pods in shop: the policy does nothing');
    expect(problem!.why).toContain('pods in shop have app: backend, db, frontend, recommender');
    expect(problem!.fix).toContain('kubectl get pods -n shop --show-labels');
  });

  test('a typo in the podSelector: the near miss, and the patch that selects it', () => {
    const topology = demoWith((o) => (policyNamed(o, 'db-allow').spec.podSelector = { matchLabels: { app: 'DB' } }));
    const [problem] = ofKind(topology, 'policy-selects-nothing');
    expect(problem?.message).toBe('podSelector app=DB matches none of the 11 pods in shop: the policy does nothing; near miss: db-0, db-1 and 1 more have app=db');
    expect(problem?.fix).toBe(`kubectl -n shop patch networkpolicy db-allow --type json -p '[{"op":"replace","path":"/spec/podSelector","value":{"matchLabels":{"app":"db"}}}]'`);
  });

  test('the same policy for a label the pods have is quiet', () => {
    const topology = demoWith((o) => o.networkPolicies.push(policy('frontend-extra', 'shop', { podSelector: { matchLabels: { app: 'frontend' } }, ingress: [{}] })));
    expect(ofKind(topology, 'policy-selects-nothing')).toEqual([]);
  });

  test('a namespace without pods: info', () => {
    const topology = demoWith((o) => {
      o.namespaces.push({ metadata: { name: 'staging', uid: 'ns-staging', labels: { 'kubernetes.io/metadata.name': 'staging' } } });
      o.networkPolicies.push(policy('default-deny', 'staging', { podSelector: {}, policyTypes: ['Ingress'] }));
    });
    expect(brief(ofKind(topology, 'policy-selects-nothing'))).toEqual([{ severity: 'info', subject: 'networkpolicy/staging/default-deny', message: 'namespace staging has no pods, so the policy selects none yet' }]);
  });

  test('only hostNetwork pods selected: the policy does nothing, and says why', () => {
    const topology = demoWith((o) => o.networkPolicies.push(policy('protect-etcd', 'kube-system', { podSelector: { matchLabels: { component: 'etcd' } }, ingress: [] })));
    const [problem] = ofKind(topology, 'policy-selects-nothing');
    expect(problem?.message).toBe('podSelector component=etcd selects only hostNetwork pods (kube-system/etcd-demo-control-plane), which NetworkPolicy does not apply to: the policy does nothing');
    expect(problem?.related).toEqual([Object.values(topology.pods).find((p) => p.name === 'etcd-demo-control-plane')!.id]);
  });
});

describe('policy-peer-matches-nothing', () => {
  const setPeer = (o: ClusterObjects, name: string, direction: 'ingress' | 'egress', peer: NetworkPolicyPeer) => {
    const { spec } = policyNamed(o, name);
    if (direction === 'ingress') spec.ingress![0]!.from = [peer];
    else spec.egress![0]!.to = [peer];
  };

  test('a namespaceSelector on a label no namespace has: the metadata.name label is the fix', () => {
    const topology = demoWith((o) => setPeer(o, 'frontend-allow', 'ingress', { namespaceSelector: { matchLabels: { name: 'ingress-nginx' } } }));
    const [problem, ...rest] = ofKind(topology, 'policy-peer-matches-nothing');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'warning', subject: 'networkpolicy/shop/frontend-allow' });
    expect(problem!.message).toBe('ingress rule 1: namespaceSelector name=ingress-nginx matches no namespace, so it admits no one');
    expect(problem!.why).toContain('no namespaces has a label name');
    expect(problem!.fix).toContain('kubernetes.io/metadata.name: ingress-nginx');
    expect(problem!.fix).toContain('kubectl label namespace ingress-nginx name=ingress-nginx');
  });

  test('a podSelector one letter off matches no pod in the policy\'s namespace', () => {
    const topology = demoWith((o) => setPeer(o, 'frontend-allow', 'egress', { podSelector: { matchLabels: { app: 'backnd' } } }));
    const [problem] = ofKind(topology, 'policy-peer-matches-nothing');
    expect(problem?.message).toMatch(/^egress rule 1: podSelector app=backnd matches no pod in namespace shop, so it allows no destination; near miss: backend-\S+, backend-\S+ and 1 more have app=backend$/);
    expect(problem?.why).toContain('pods in namespace shop have app: backend, db, frontend, recommender');
    expect(problem?.fix).toBe(`kubectl -n shop patch networkpolicy frontend-allow --type json -p '[{"op":"replace","path":"/spec/egress/0/to/0/podSelector","value":{"matchLabels":{"app":"backend"}}}]'`);
  });

  test('namespaceSelector and podSelector together: the pods are looked for in the matched namespaces only', () => {
    // app=backend exists, but in shop, not in ingress-nginx.
    const topology = demoWith((o) => setPeer(o, 'db-allow', 'ingress', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { app: 'backend' } } }));
    expect(brief(ofKind(topology, 'policy-peer-matches-nothing'))).toEqual([
      { severity: 'warning', subject: 'networkpolicy/shop/db-allow', message: 'ingress rule 1: podSelector app=backend matches no pod in namespace ingress-nginx, so it admits no one' },
    ]);
  });

  test('a selector that matches only hostNetwork pods: suggests their nodes\' addresses as ipBlocks', () => {
    const topology = demoWith((o) => setPeer(o, 'backend-allow', 'egress', { namespaceSelector: {}, podSelector: { matchLabels: { component: 'kube-apiserver' } } }));
    const [problem] = ofKind(topology, 'policy-peer-matches-nothing');
    expect(problem?.message).toBe(
      "egress rule 1: podSelector component=kube-apiserver matches only hostNetwork pods in any namespace (kube-system/kube-apiserver-demo-control-plane), which policy sees as their node's address: it allows no destination",
    );
    expect(problem?.fix).toContain('cidr: 172.18.0.2/32');
  });

  test('healthy neighbours: peers that match, ipBlocks, and namespaceSelectors while Namespaces are unreadable', () => {
    expect(ofKind(demo, 'policy-peer-matches-nothing')).toEqual([]);
    const ipBlock = demoWith((o) => setPeer(o, 'frontend-allow', 'ingress', { ipBlock: { cidr: '203.0.113.0/24' } }));
    expect(ofKind(ipBlock, 'policy-peer-matches-nothing')).toEqual([]);
    const unreadable = demoWith((o) => setPeer(o, 'frontend-allow', 'ingress', { namespaceSelector: { matchLabels: { name: 'ingress-nginx' } } }), [{ kind: 'namespaces', reason: 'namespaces is forbidden' }]);
    expect(ofKind(unreadable, 'policy-peer-matches-nothing')).toEqual([]);
  });

  test('a peer matches some pod exactly when the evaluator (rules.ts) admits one of them', () => {
    const dbAllow = demo.policies['netpol:shop/db-allow']!;
    const extra: NetworkPolicyPeer[] = [
      { namespaceSelector: { matchLabels: { team: 'payments' } } },
      { namespaceSelector: { matchLabels: { team: 'payments' } }, podSelector: { matchLabels: { app: 'backend' } } },
      { podSelector: { matchLabels: { app: 'checkout' } } },
      { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, podSelector: { matchLabels: { tier: 'api' } } },
      { namespaceSelector: {}, podSelector: { matchLabels: { component: 'etcd' } } },
      { namespaceSelector: { matchLabels: { name: 'shop' } } },
    ];
    const cases = [
      ...Object.values(demo.policies).flatMap((policy) => [...(policy.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(policy.spec.egress ?? []).flatMap((r) => r.to ?? [])].map((peer) => ({ policy, peer }))),
      ...extra.map((peer) => ({ policy: dbAllow, peer })),
    ];
    const index = podIndex(demo);
    const verdicts = cases.map(({ policy, peer }) => {
      const isAdmitted = Object.values(demo.pods).some((pod) => {
        const end = { pod, ip: pod.ips[0] ?? '' };
        const side: Side = { topology: demo, flow: { from: end, to: end, port: 1, protocol: 'TCP' }, direction: 'ingress', pod, peer: end };
        return evaluateRule(side, policy, { from: [peer] }, 0).peer.ok;
      });
      return { peer, isAdmitted, reach: peerReach(index, policy, peer).kind };
    });
    expect(verdicts.map((v) => v.isAdmitted)).toEqual(verdicts.map((v) => v.reach === 'pods'));
    expect(verdicts.filter((v) => !v.isAdmitted).map((v) => v.reach)).toEqual(['no-pod', 'no-pod', 'no-pod', 'no-namespace']);
  });

  test('a peer of a policy that selects no pod is left to policy-selects-nothing', () => {
    const topology = demoWith((o) => o.networkPolicies.push(policy('cart-allow', 'shop', { podSelector: { matchLabels: { app: 'cart' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }] })));
    expect(ofKind(topology, 'policy-peer-matches-nothing')).toEqual([]);
  });
});

describe('policy-blocks-dns', () => {
  const shopPods = Object.values(demo.pods).filter((p) => p.namespace === 'shop').length;

  test('egress isolation without a DNS rule: one error for the namespace, not one per pod, with allow-dns as the fix', () => {
    const topology = demoWith((o) => (o.networkPolicies = o.networkPolicies.filter((p) => p.metadata.name !== 'allow-dns-egress')));
    const problems = ofKind(topology, 'policy-blocks-dns');
    // The recommender has no egress rule left at all: a pod that sends nothing is a choice (info).
    expect(brief(problems)).toEqual([
      { severity: 'error', subject: 'namespace/shop', message: `DNS lookups fail from ${shopPods - 1} pods in shop: their egress policies deny 53/UDP to CoreDNS (service kube-system/kube-dns)` },
      { severity: 'info', subject: 'namespace/shop', message: '1 pod in shop may open no connection at all, DNS included: every egress is denied' },
    ]);
    const [problem] = problems;
    expect(problem!.subjectId).toBe('ns:shop');
    expect(problem!.why[0]).toMatch(/^pods: shop\/backend-\S+, shop\/backend-\S+, shop\/backend-\S+ and 7 more$/);
    expect(problem!.why).toContain('backend egress: no rule allows kube-system/coredns-5744c7fcc4-rhd54:53/UDP');
    expect(problem!.why).toContain('CoreDNS (service kube-system/kube-dns) endpoints: 10.244.0.2:53, 10.244.2.2:53');
    expect(problem!.fix).toContain('name: allow-dns\n');
    expect(problem!.fix).toContain('k8s-app: kube-dns');
    expect(problem!.fix).toMatch(/protocol: UDP\n\s+port: 53\n\s+- protocol: TCP\n\s+port: 53/);
  });

  test('53/UDP allowed but not 53/TCP: a warning, and the fix adds TCP to the rule that allows UDP', () => {
    const topology = demoWith((o) => (policyNamed(o, 'allow-dns-egress').spec.egress![0]!.ports = [{ protocol: 'UDP', port: 53 }]));
    const [problem, ...rest] = ofKind(topology, 'policy-blocks-dns');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'warning', subject: 'namespace/shop' });
    expect(problem!.message).toContain('may send DNS over 53/UDP but not 53/TCP');
    expect(problem!.fix).toContain('shop/allow-dns-egress: 53/TCP added to egress rule 1');
    expect(problem!.fix).toMatch(/- protocol: UDP\n\s+port: 53\n\s+- protocol: TCP\n\s+port: 53/);
  });

  test('only one CoreDNS endpoint allowed: lookups work only when kube-proxy picks it', () => {
    const topology = demoWith((o) => (policyNamed(o, 'allow-dns-egress').spec.egress![0]!.to = [{ ipBlock: { cidr: '10.244.0.2/32' } }]));
    expect(brief(ofKind(topology, 'policy-blocks-dns'))).toEqual([
      { severity: 'warning', subject: 'namespace/shop', message: `DNS lookups from ${shopPods} pods in shop work only when kube-proxy picks a CoreDNS endpoint policy allows` },
    ]);
  });

  test('CoreDNS\'s own ingress policy refusing other namespaces: one error on that policy, with a rule that admits DNS', () => {
    const lockdown = policy('coredns-lockdown', 'kube-system', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] });
    const topology = demoWith((o) => o.networkPolicies.push(lockdown));
    const [problem, ...rest] = ofKind(topology, 'policy-blocks-dns');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'error', subject: 'networkpolicy/kube-system/coredns-lockdown', subjectId: 'netpol:kube-system/coredns-lockdown' });
    expect(problem!.message).toMatch(/^DNS lookups fail from \d+ pods in default, ingress-nginx, monitoring, payments, shop: CoreDNS's ingress policy denies them 53\/UDP$/);
    expect(problem!.fix).toContain('an ingress rule added that admits DNS from any source');
    // Its healthy neighbour: the same policy admitting DNS from every namespace.
    const open = demoWith((o) => o.networkPolicies.push({ ...lockdown, spec: { ...lockdown.spec, ingress: [{ from: [{ namespaceSelector: {} }], ports: lockdown.spec.ingress![0]!.ports! }] } }));
    expect(ofKind(open, 'policy-blocks-dns')).toEqual([]);
  });

  test('every egress denied is a choice: info, not an error; pods with dnsPolicy Default are not asked', () => {
    const topology = demoWith((o) => o.networkPolicies.push(policy('deny-egress', 'payments', { podSelector: {}, policyTypes: ['Egress'] })));
    expect(brief(ofKind(topology, 'policy-blocks-dns'))).toEqual([{ severity: 'info', subject: 'namespace/payments', message: '5 pods in payments may open no connection at all, DNS included: every egress is denied' }]);
    // CoreDNS itself resolves upstream (dnsPolicy Default): egress isolation in kube-system does not touch it.
    const coreDns = demoWith((o) => o.networkPolicies.push(policy('dns-out', 'kube-system', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] })));
    expect(ofKind(coreDns, 'policy-blocks-dns')).toEqual([]);
  });
});

describe('policy-isolates-service-backend', () => {
  test('an allow on the wrong port: nothing reaches the Service\'s pods, an error naming the policies', () => {
    const topology = demoWith((o) => (policyNamed(o, 'backend-allow').spec.ingress![0]!.ports = [{ protocol: 'TCP', port: 9999 }]));
    const [problem, ...rest] = ofKind(topology, 'policy-isolates-service-backend');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'error', subject: 'service/shop/backend', subjectId: 'svc:shop/backend' });
    expect(problem!.message).toBe('no NetworkPolicy rule admits anyone to its pods on 8080/TCP: the Service cannot be reached there');
    expect(problem!.why).toContain('port http (80 → 8080/TCP): 3 of 3 pods isolated for ingress by shop/backend-allow and shop/default-deny-all, and no rule of theirs admits any source on 8080/TCP');
    expect(problem!.why).toContain('shop/backend-allow: ingress rule 1 allows 9999/TCP from app=frontend or any pod in ingress-nginx');
    expect(problem!.fix).toContain('name: allow-backend');
    expect(problem!.fix).toMatch(/podSelector:\n\s+matchLabels:\n\s+app: backend/);
  });

  test('a rule on the port whose only peer matches nothing admits no one either', () => {
    const topology = demoWith((o) => (policyNamed(o, 'frontend-allow').spec.ingress![0]!.from = [{ namespaceSelector: { matchLabels: { name: 'ingress-nginx' } } }]));
    expect(brief(ofKind(topology, 'policy-isolates-service-backend'))).toEqual([
      { severity: 'error', subject: 'service/shop/frontend', message: 'no NetworkPolicy rule admits anyone to its pods on 8080/TCP: the Service cannot be reached there' },
    ]);
  });

  test('one pod whose container port is named otherwise: a warning for that pod alone', () => {
    // backend-allow admits port "http"; the canary names 8080 "web", so "http" resolves to nothing there.
    const topology = demoWith((o) => {
      const canary = o.pods.find((p) => p.metadata.name.startsWith('backend-'))!;
      canary.spec!.containers[0]!.ports = [{ name: 'web', containerPort: 8080, protocol: 'TCP' }];
    });
    const [problem] = ofKind(topology, 'policy-isolates-service-backend');
    expect(problem).toMatchObject({ severity: 'warning', subject: 'service/shop/backend' });
    expect(problem!.message).toMatch(/^1 of its 3 pods \(shop\/backend-\S+\) admits no one on 8080\/TCP, so the connections kube-proxy sends there fail$/);
  });

  test('healthy neighbours: narrow allows, an ipBlock on the port, pods no policy isolates', () => {
    // The demo's db admits only backend and db on 5432: narrow, and fine.
    expect(ofKind(demo, 'policy-isolates-service-backend')).toEqual([]);
    const ipBlock = demoWith((o) => (policyNamed(o, 'frontend-allow').spec.ingress![0]!.from = [{ ipBlock: { cidr: '203.0.113.0/24' } }]));
    expect(ofKind(ipBlock, 'policy-isolates-service-backend')).toEqual([]);
  });
});
