// "Try a fix" where another layer than NetworkPolicy denied (issue 15): on the CNI policy tests'
// cluster (test/fixtures/cni-policies/cluster.yaml: shop/web and shop/db in env=prod, dev/client
// in env=dev) with one layer's policies each, the fix is made, written as YAML, read back as a
// pasted what-if and applied; the trace is then delivered — or, where no policy can lift the
// denial, there is no manifest and the line says what to change.
import { describe, expect, it } from 'vitest';
import { baselineDenyProd, calicoTiered, calicoTiers, protectShop } from '../../test/cni-policies/manifests.ts';
import { parseDocuments } from '../kube/documents.ts';
import { clusterWithPolicies } from '../../test/fixtures/cni-policies-cluster.ts';
import type { PodRecord, Topology } from '../model/types.ts';
import { derive } from '../topology/derive.ts';
import { policyDenials } from '../trace/blockers.ts';
import { trace } from '../trace/trace.ts';
import type { TraceOptions, TraceQuery } from '../trace/types.ts';
import { evaluatePolicy, withAdminPolicies, withCniPolicies, withPolicies } from './evaluate.ts';
import { policiesYaml, policyFix } from './fix.ts';
import type { Protocol } from './types.ts';
import { whatIfPolicies } from './what-if.ts';

function clusterWith(policies: string): Topology {
  return derive(clusterWithPolicies(policies), { context: 'fix-layers' });
}

/** The trace's fix as "Try a fix" makes it: from the blockers, written as YAML, read back as a
 * pasted what-if; the options that trace with it applied. */
function fixOf(topology: Topology, query: TraceQuery) {
  const before = trace(topology, query);
  const fix = policyFix(topology, policyDenials(before.blockers));
  if (!fix) throw new Error('no fix');
  const yaml = policiesYaml(fix.policies, fix.changes);
  const read = whatIfPolicies(parseDocuments(yaml, 'fix.yaml'), 'fix.yaml');
  expect(read.ignored).toEqual([]);
  expect(read.unusable).toEqual([]);
  const options: TraceOptions = { policies: withPolicies(topology, read.policies), adminPolicies: withAdminPolicies(topology, read.adminPolicies), cniPolicies: withCniPolicies(topology, read.cniPolicies) };
  return { before, fix, yaml, read, options };
}

/** Every flow between the fixture's pods, on the ports its policies name, whose verdict differs
 * with `options`: `client → db:5432/TCP`. */
function changedFlows(topology: Topology, options: TraceOptions): string[] {
  const pods = Object.values(topology.pods).filter((p) => p.ips.length > 0);
  const changed: string[] = [];
  for (const from of pods) {
    for (const to of pods) {
      for (const port of [53, 80, 5432, 7070, 8080, 9090]) {
        for (const protocol of ['TCP', 'UDP'] as Protocol[]) {
          const flow = { from: { pod: from, ip: from.ips[0]! }, to: { pod: to, ip: to.ips[0]! }, port, protocol };
          if (evaluatePolicy(topology, flow).isAllowed !== evaluatePolicy(topology, flow, options).isAllowed) changed.push(`${from.name} → ${to.name}:${port}/${protocol}`);
        }
      }
    }
  }
  return changed;
}

function podNamed(topology: Topology, name: string): PodRecord {
  const pod = Object.values(topology.pods).find((p) => p.name === name);
  if (!pod) throw new Error(`no pod ${name} in the fixture`);
  return pod;
}

const clientToDb: TraceQuery = { from: 'dev/client', to: 'shop/db', port: 5432 };

describe('an admin-tier Deny: an admin policy of the same kind, ahead of it', () => {
  const cnp = (priority: number) => protectShop(priority, '  - name: deny-dev\n    action: Deny\n    from: [{namespaces: {matchLabels: {env: dev}}}]\n');

  it('ClusterNetworkPolicy (v1alpha2): a new one at priority 9 accepts just this flow; nothing else changes', () => {
    const topology = clusterWith(cnp(10));
    const { before, fix, yaml, read, options } = fixOf(topology, clientToDb);
    expect(before.verdict).toBe('policy-denied');
    expect(before.policy.ingress).toMatchObject({ layer: 'admin', decidedBy: { name: 'protect-shop', ruleName: 'deny-dev-to-db' } });
    const line =
      'new ClusterNetworkPolicy allow-dev-client-to-shop-db-5432-ingress at priority 9: Accept ingress into shop/app=db from dev/app=client on 5432/TCP, ' +
      'ahead of rule "deny-dev-to-db" of ClusterNetworkPolicy protect-shop (priority 10), which no NetworkPolicy can override; or narrow or remove that rule';
    expect(fix.changes).toEqual([line]);
    expect(fix.lines).toEqual([line]);
    expect(yaml).toContain('apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n');
    expect(read.adminPolicies).toMatchObject([{ apiKind: 'ClusterNetworkPolicy', tier: 'admin', priority: 9, ingress: [{ action: 'Accept', ports: [{ protocol: 'TCP', start: 5432 }] }] }]);

    const after = trace(topology, clientToDb, options);
    expect(after.verdict).toBe('delivered');
    expect(after.policy.ingress).toMatchObject({ verdict: 'allowed', layer: 'admin', decidedBy: { name: 'allow-dev-client-to-shop-db-5432-ingress' } });
    // The client to db on 5432/TCP, and no other pair, port or protocol: web to db is still
    // denied by the second rule, the client on other ports too.
    expect(changedFlows(topology, options)).toEqual(['client → db:5432/TCP']);
  });

  it('the blocker says the same fix', () => {
    const { before, fix } = fixOf(clusterWith(cnp(10)), clientToDb);
    expect(before.blockers.map((b) => b.fix)).toEqual(fix.lines);
  });

  it("a trace with what-if admin policies picks the blocker's priority among them too", () => {
    const topology = clusterWith(cnp(10));
    // A what-if policy already at priority 9 (for other pods): the next free one ahead is 8.
    const taken = whatIfPolicies(parseDocuments(cnp(9).replace('name: protect-shop', 'name: other').replace('env: prod', 'env: staging'), 'what-if.yaml'), 'what-if.yaml');
    const traced = trace(topology, clientToDb, { adminPolicies: withAdminPolicies(topology, taken.adminPolicies) });
    expect(traced.verdict).toBe('policy-denied');
    expect(traced.blockers[0]?.fix).toMatch(/^new ClusterNetworkPolicy \S+ at priority 8: /);
  });

  it('AdminNetworkPolicy (v1alpha1), egress: a v1alpha1 policy with an Allow for the sender', () => {
    const topology = clusterWith(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: dev-egress}
spec:
  priority: 5
  subject: {namespaces: {matchLabels: {env: dev}}}
  egress:
  - name: deny-prod
    action: Deny
    to: [{namespaces: {matchLabels: {env: prod}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: unrelated-at-4}
spec:
  priority: 4
  subject: {namespaces: {matchLabels: {env: system}}}
  egress:
  - {name: deny-all, action: Deny, to: [{namespaces: {}}]}
`);
    const { before, fix, read, options } = fixOf(topology, clientToDb);
    expect(before.policy.egress).toMatchObject({ verdict: 'denied', layer: 'admin' });
    // Priority 4 is taken (by a policy that does not even select the client): 3, not a tie.
    expect(fix.changes).toEqual([
      'new AdminNetworkPolicy allow-dev-client-to-shop-db-5432-egress at priority 3: Allow egress out of dev/app=client to shop/app=db on 5432/TCP, ' +
        'ahead of rule "deny-prod" of AdminNetworkPolicy dev-egress (priority 5), which no NetworkPolicy can override; or narrow or remove that rule',
    ]);
    expect(read.adminPolicies).toMatchObject([{ apiKind: 'AdminNetworkPolicy', priority: 3, egress: [{ action: 'Allow' }] }]);
    expect(trace(topology, clientToDb, options).verdict).toBe('delivered');
    expect(changedFlows(topology, options)).toEqual(['client → db:5432/TCP']);
  });

  it('at priority 0 no admin policy can come first: no manifest, narrow the rule', () => {
    const topology = clusterWith(cnp(0));
    const fix = policyFix(topology, policyDenials(trace(topology, clientToDb).blockers));
    expect(fix?.policies).toEqual([]);
    expect(fix?.lines).toEqual(['rule "deny-dev-to-db" of ClusterNetworkPolicy protect-shop is at priority 0, so no admin policy can come before it, and no NetworkPolicy overrides an admin Deny: narrow or remove that rule']);
  });
});

describe('a baseline Deny: a new NetworkPolicy overrides it, and isolates the pod', () => {
  it('BaselineAdminNetworkPolicy: a NetworkPolicy for the receiver allowing just this flow, with the isolation said', () => {
    const topology = clusterWith(baselineDenyProd);
    const query: TraceQuery = { from: 'shop/web', to: 'dev/client', port: 80 };
    const { before, fix, yaml, read, options } = fixOf(topology, query);
    expect(before.policy.ingress).toMatchObject({ verdict: 'denied', layer: 'baseline' });
    expect(fix.changes).toEqual([
      'new NetworkPolicy dev/allow-shop-web-to-dev-client-80-ingress: ingress rule 1 added, from app=web in shop on 80/TCP, which overrides rule "deny-prod" of BaselineAdminNetworkPolicy default; ' +
        'it isolates app=client in dev for ingress, so all other ingress of those pods is denied unless a NetworkPolicy allows it',
    ]);
    expect(yaml).toContain('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n');
    expect(read.policies).toMatchObject([{ namespace: 'dev', policyTypes: ['Ingress'], spec: { podSelector: { matchLabels: { app: 'client' } } } }]);
    const after = trace(topology, query, options);
    expect(after.verdict).toBe('delivered');
    expect(after.policy.ingress).toMatchObject({ verdict: 'allowed', layer: 'networkpolicy' });
    // web on 80/TCP now; the other prod pod stays denied, by NetworkPolicy instead of the
    // baseline. And, as the line warns, what only the default allowed is now denied: the node
    // agent (hostNetwork, so its node's address to NetworkPolicy) on every port.
    const [opened, ...others] = changedFlows(topology, options);
    expect(opened).toBe('web → client:80/TCP');
    expect(others).toHaveLength(6 * 2);
    for (const flow of others) expect(flow).toMatch(/^agent → client:/);
    const agent = podNamed(topology, 'agent');
    const client = podNamed(topology, 'client');
    const fromAgent = { from: { pod: agent, ip: agent.ips[0]! }, to: { pod: client, ip: client.ips[0]! }, port: 9090, protocol: 'TCP' as const };
    expect([evaluatePolicy(topology, fromAgent).isAllowed, evaluatePolicy(topology, fromAgent, options).isAllowed]).toEqual([true, false]);
  });

  it('ClusterNetworkPolicy tier Baseline: what the warning says happens — a flow the default allowed is now denied', () => {
    const topology = clusterWith(`apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: dev-baseline}
spec:
  tier: Baseline
  priority: 10
  subject: {namespaces: {matchLabels: {env: dev}}}
  ingress:
  - name: deny-db
    action: Deny
    from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}]
`);
    const query: TraceQuery = { from: 'shop/db', to: 'dev/client', port: 80 };
    const { before, fix, options } = fixOf(topology, query);
    expect(before.policy.ingress).toMatchObject({ verdict: 'denied', layer: 'baseline' });
    expect(fix.lines[0]).toMatch(/^new NetworkPolicy dev\/allow-shop-db-to-dev-client-80-ingress: .* overrides rule "deny-db" of ClusterNetworkPolicy dev-baseline; it isolates app=client in dev for ingress/);
    expect(trace(topology, query, options).verdict).toBe('delivered');
    // web → client was allowed by the default; the new policy isolates the client, so it is not.
    const changed = changedFlows(topology, options);
    expect(changed).toContain('db → client:80/TCP');
    expect(changed).toContain('web → client:80/TCP');
    expect(trace(topology, { from: 'shop/web', to: 'dev/client', port: 80 }, options).verdict).toBe('policy-denied');
  });
});

describe('Calico: a policy in the same tier, ordered before the Deny', () => {
  const policies = calicoTiers + calicoTiered;

  it('a GlobalNetworkPolicy Deny at order 10: a GlobalNetworkPolicy at order 9 in tier security', () => {
    const topology = clusterWith(policies);
    const { before, fix, read, options } = fixOf(topology, clientToDb);
    expect(before.policy.ingress).toMatchObject({ verdict: 'denied', layer: 'calico' });
    expect(fix.changes).toEqual([
      'new Calico GlobalNetworkPolicy security.allow-dev-client-to-shop-db-5432-ingress in tier security at order 9: Allow ingress into shop/app=db from dev/app=client on 5432/TCP, ' +
        'ahead of Calico GlobalNetworkPolicy security.deny-dev-db ingress rule 1 (tier security, order 10); or narrow or remove that rule',
    ]);
    expect(read.cniPolicies).toMatchObject([{ cni: 'calico', apiKind: 'GlobalNetworkPolicy', tier: 'security', order: 9 }]);
    const after = trace(topology, clientToDb, options);
    expect(after.verdict).toBe('delivered');
    expect(after.policy.ingress).toMatchObject({ verdict: 'allowed', layer: 'calico', cniRule: { name: 'security.allow-dev-client-to-shop-db-5432-ingress', action: 'Allow' } });
    expect(changedFlows(topology, options)).toEqual(['client → db:5432/TCP']);
  });

  it('the end of a tier: a namespaced policy in that tier allows it', () => {
    const topology = clusterWith(policies);
    const query: TraceQuery = { from: 'dev/client', to: 'shop/web', port: 9090 };
    const { before, fix, read, options } = fixOf(topology, query);
    expect(before.policy.ingress).toMatchObject({ verdict: 'denied', cniRule: { section: 'end-of-tier', name: 'platform' } });
    expect(fix.changes).toEqual([
      'new Calico NetworkPolicy shop/platform.allow-dev-client-to-shop-web-9090-ingress in tier platform: Allow ingress into shop/app=web from dev/app=client on 9090/TCP, ' +
        "ahead of the end of Calico tier platform (Deny); or give tier platform's policies a rule for it",
    ]);
    expect(read.cniPolicies).toMatchObject([{ apiKind: 'NetworkPolicy', namespace: 'shop', tier: 'platform' }]);
    expect(trace(topology, query, options).verdict).toBe('delivered');
    expect(changedFlows(topology, options)).toEqual(['client → web:9090/TCP']);
  });
});

describe('Calico: a namespaced NetworkPolicy Deny', () => {
  const deny = (order: number) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: no-dev, namespace: shop}
spec:
  order: ${order}
  selector: app == "db"
  ingress:
  - action: Deny
    source: {namespaceSelector: env == "dev"}
`;

  it('in the default tier at order 50: a NetworkPolicy in shop at order 49', () => {
    const topology = clusterWith(deny(50));
    const { fix, read, options } = fixOf(topology, clientToDb);
    expect(fix.lines).toEqual([
      'new Calico NetworkPolicy shop/allow-dev-client-to-shop-db-5432-ingress in tier default at order 49: Allow ingress into shop/app=db from dev/app=client on 5432/TCP, ' +
        'ahead of Calico NetworkPolicy shop/no-dev ingress rule 1 (tier default, order 50); or narrow or remove that rule',
    ]);
    // A namespaced policy selects in its own namespace; the client's is named.
    expect(read.cniPolicies).toMatchObject([{ apiKind: 'NetworkPolicy', namespace: 'shop', order: 49, ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: 'app == "client"', namespaceSelector: 'projectcalico.org/name == "dev"' }, destination: { ports: [5432] } }] }]);
    expect(trace(topology, clientToDb, options).verdict).toBe('delivered');
    expect(changedFlows(topology, options)).toEqual(['client → db:5432/TCP']);
  });

  it('at order 0 nothing is ordered before it: no manifest, narrow the rule', () => {
    const topology = clusterWith(deny(0));
    const fix = policyFix(topology, policyDenials(trace(topology, clientToDb).blockers));
    expect(fix?.policies).toEqual([]);
    expect(fix?.lines).toEqual(['Calico NetworkPolicy shop/no-dev ingress rule 1 (tier default, order 0) is at order 0, so no policy of its tier comes before it: narrow or remove that rule']);
  });
});

describe('Cilium: a deny wins over every allow; the default deny does not', () => {
  it('an ingressDeny: no manifest, the line says to narrow or remove it', () => {
    const topology = clusterWith(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: deny-dev-to-db}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: dev}}]
`);
    const before = trace(topology, clientToDb);
    expect(before.policy.ingress).toMatchObject({ verdict: 'denied', layer: 'cilium' });
    const fix = policyFix(topology, policyDenials(before.blockers));
    expect(fix?.policies).toEqual([]);
    const line = 'CiliumClusterwideNetworkPolicy deny-dev-to-db ingressDeny rule 1 denies it, and in Cilium a deny wins over every allow, so no policy can be added: narrow or remove that rule';
    expect(fix?.lines).toEqual([line]);
    expect(before.blockers.map((b) => b.fix)).toEqual([line]);
  });

  it('its default deny yields to an allow: a CiliumNetworkPolicy for just this flow, nothing else changes', () => {
    const topology = clusterWith(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`);
    const { before, fix, read, options } = fixOf(topology, clientToDb);
    expect(before.policy.ingress).toMatchObject({ verdict: 'denied', layer: 'cilium', cniRule: { section: 'default-deny' } });
    expect(fix.lines).toEqual([
      "new CiliumNetworkPolicy shop/allow-dev-client-to-shop-db-5432-ingress: allow ingress into shop/app=db from dev/app=client on 5432/TCP, past Cilium's default deny (CiliumNetworkPolicy shop/db selects the pod); Cilium's allows add up, so nothing else changes",
    ]);
    expect(read.cniPolicies).toMatchObject([{ cni: 'cilium', apiKind: 'CiliumNetworkPolicy', namespace: 'shop' }]);
    const after = trace(topology, clientToDb, options);
    expect(after.verdict).toBe('delivered');
    expect(after.policy.ingress).toMatchObject({ verdict: 'allowed', layer: 'cilium', cniRule: { name: 'shop/allow-dev-client-to-shop-db-5432-ingress' } });
    expect(changedFlows(topology, options)).toEqual(['client → db:5432/TCP']);
  });
});
