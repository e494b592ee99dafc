/**
 * Calico's policy ordering, a case per rule (calico.ts, calico-match.ts name the sources):
 * tiers by order, policies by order then name, first matching rule, Pass, Log, end-of-tier deny,
 * Kubernetes NetworkPolicy at order 1000 of the default tier, the admin tiers at 1000 and
 * 10,000,000, and `unknown` where a match rests on what Podpath does not read.
 */
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../test/cni-policies/fixture.ts';

const gnp = (name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}\n---\n`;
const np = (namespace: string, name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}\n---\n`;
const tier = (name: string, order: number, defaultAction = 'Deny') => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: ${name}\nspec:\n  order: ${order}\n  defaultAction: ${defaultAction}\n---\n`;
const knp = (namespace: string, name: string, spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}\n---\n`;

const cnpAccept = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: accept-dev
spec:
  tier: Admin
  priority: 10
  subject:
    namespaces: {matchLabels: {env: prod}}
  ingress:
  - action: Accept
    from:
    - namespaces: {matchLabels: {env: dev}}
---
`;
const webIngress = (rules: string, extra = '') => `  selector: app == "web"\n${extra}  ingress:\n${rules}`;

interface Case {
  name: string;
  yaml: string;
  from: string;
  to: string;
  port: number;
  protocol?: 'TCP' | 'UDP';
  direction: 'ingress' | 'egress';
  verdict: 'allowed' | 'denied' | 'not-isolated' | 'not-applicable' | 'unknown';
  layer?: string;
  /** `section:rule` of the deciding Calico rule, or `end-of-tier`. */
  rule?: string;
  /** The deciding Calico policy's name, or tier for end-of-tier. */
  by?: string;
}

const cases: Case[] = [
  { name: 'no Calico policy: not isolated', yaml: tier('default', 1000000), from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated', layer: 'default' },
  {
    name: 'a NetworkPolicy selector without namespaceSelector selects only its own namespace: end-of-tier deny',
    yaml: np('shop', 'web', webIngress('  - action: Allow\n    source:\n      selector: app == "client"\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'calico', rule: 'end-of-tier', by: 'default',
  },
  {
    name: 'namespaceSelector widens a rule to other namespaces',
    yaml: np('shop', 'web', webIngress('  - action: Allow\n    source:\n      selector: app == "client"\n      namespaceSelector: env == "dev"\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'calico', rule: 'ingress:0', by: 'shop/web',
  },
  {
    name: 'a GlobalNetworkPolicy selector spans namespaces',
    yaml: gnp('web', webIngress('  - action: Allow\n    source:\n      selector: app == "client"\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0', by: 'web',
  },
  {
    name: 'the first matching rule decides: Deny before Allow',
    yaml: gnp('web', webIngress('  - action: Deny\n    source:\n      namespaceSelector: env == "dev"\n  - action: Allow\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'ingress:0', by: 'web',
  },
  {
    name: 'Log does not decide: the next rule does',
    yaml: gnp('web', webIngress('  - action: Log\n  - action: Allow\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:1', by: 'web',
  },
  {
    name: 'policies by order: a lower-order Deny beats a higher-order Allow',
    yaml: gnp('a-allow', webIngress('  - action: Allow\n', '  order: 200\n')) + gnp('z-deny', webIngress('  - action: Deny\n', '  order: 100\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', by: 'z-deny',
  },
  {
    name: 'policies of one order by name',
    yaml: gnp('a-allow', webIngress('  - action: Allow\n', '  order: 100\n')) + gnp('z-deny', webIngress('  - action: Deny\n', '  order: 100\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', by: 'a-allow',
  },
  {
    name: 'a policy without order comes last',
    yaml: gnp('a-deny', webIngress('  - action: Deny\n')) + gnp('z-allow', webIngress('  - action: Allow\n', '  order: 5000\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', by: 'z-allow',
  },
  {
    name: 'tiers by order: an earlier tier decides',
    yaml: tier('late', 500) + tier('early', 100) + gnp('late.allow', webIngress('  - action: Allow\n', '  tier: late\n')) + gnp('early.deny', webIngress('  - action: Deny\n', '  tier: early\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', by: 'early.deny',
  },
  {
    name: 'end-of-tier deny in a tier whose policy selects the pod but matches nothing',
    yaml: tier('security', 100) + gnp('security.only-443', webIngress('  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [443]\n', '  tier: security\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'end-of-tier', by: 'security',
  },
  {
    name: "a tier whose defaultAction is Pass hands an unmatched flow on: the profile allows it",
    yaml: tier('security', 100, 'Pass') + gnp('security.only-443', webIngress('  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [443]\n', '  tier: security\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'default',
  },
  {
    name: 'Pass skips the rest of its tier: a later tier decides',
    yaml: tier('security', 100) + tier('apps', 200) + gnp('security.pass', webIngress('  - action: Pass\n', '  tier: security\n  order: 1\n')) + gnp('security.deny', webIngress('  - action: Deny\n', '  tier: security\n  order: 2\n')) + gnp('apps.allow', webIngress('  - action: Allow\n', '  tier: apps\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', by: 'apps.allow',
  },
  {
    name: 'Kubernetes NetworkPolicy sits at order 1000 of the default tier: a Calico Deny at order 500 comes first',
    yaml: knp('shop', 'allow-dev', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {env: dev}}\n') + np('shop', 'deny', webIngress('  - action: Deny\n', '  order: 500\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', by: 'shop/deny',
  },
  {
    name: '… and a Calico Deny at order 1500 comes after it: NetworkPolicy allows',
    yaml: knp('shop', 'allow-dev', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {env: dev}}\n') + np('shop', 'deny', webIngress('  - action: Deny\n', '  order: 1500\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'networkpolicy',
  },
  {
    name: 'a NetworkPolicy that isolates without allowing meets the default tier\'s end-of-tier deny',
    yaml: tier('default', 1000000) + knp('shop', 'deny-all', '  podSelector: {}\n  policyTypes: [Ingress]\n'),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'networkpolicy',
  },
  {
    name: 'a Pass goes on to the next tier, not past it: the default tier\'s NetworkPolicy still isolates',
    yaml: tier('security', 100) + gnp('security.pass', webIngress('  - action: Pass\n', '  tier: security\n')) + knp('shop', 'deny-all', '  podSelector: {}\n  policyTypes: [Ingress]\n'),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'networkpolicy',
  },
  {
    name: 'a Calico tier ordered below 1000 decides before ClusterNetworkPolicy\'s Admin tier (kube-admin, 1000)',
    yaml: tier('first', 100) + gnp('first.deny', webIngress('  - action: Deny\n', '  tier: first\n')) + cnpAccept,
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'calico', by: 'first.deny',
  },
  {
    name: '… and one ordered above 1000 comes after it: the admin rule decides',
    yaml: tier('later', 2000) + gnp('later.deny', webIngress('  - action: Deny\n', '  tier: later\n')) + cnpAccept,
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'admin',
  },
  {
    name: 'nets match pod addresses too',
    yaml: gnp('web', webIngress('  - action: Deny\n    source:\n      nets: [10.244.0.0/16]\n  - action: Allow\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'ingress:0',
  },
  {
    name: 'notNets exclude',
    yaml: gnp('web', webIngress('  - action: Deny\n    source:\n      notNets: [10.244.0.0/16]\n  - action: Allow\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:1',
  },
  {
    name: 'egress to an outside address by nets',
    yaml: gnp('web-out', '  selector: app == "web"\n  types: [Egress]\n  egress:\n  - action: Deny\n    destination:\n      nets: [8.8.0.0/16]\n  - action: Allow\n'),
    from: 'shop/web', to: '8.8.8.8', port: 53, protocol: 'UDP', direction: 'egress', verdict: 'denied', rule: 'egress:0',
  },
  {
    name: 'a port range "a:b"',
    yaml: gnp('web', webIngress('  - action: Allow\n    protocol: TCP\n    destination:\n      ports: ["8000:9000"]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'a named port is the destination pod\'s container port',
    yaml: gnp('web', webIngress('  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [http]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'notPorts exclude the port',
    yaml: gnp('web', webIngress('  - action: Allow\n    protocol: TCP\n    destination:\n      notPorts: [8080]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'end-of-tier',
  },
  {
    name: 'protocol by number (17 is UDP) does not match TCP',
    yaml: gnp('web', webIngress('  - action: Allow\n    protocol: 17\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'end-of-tier',
  },
  {
    name: 'notProtocol',
    yaml: gnp('web', webIngress('  - action: Deny\n    notProtocol: UDP\n  - action: Allow\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'ingress:0',
  },
  {
    name: 'a GlobalNetworkPolicy namespaceSelector limits the pods it applies to',
    yaml: gnp('dev-only', '  selector: all()\n  namespaceSelector: env == "dev"\n  ingress:\n  - action: Deny\n'),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated',
  },
  {
    name: 'types: a policy with only ingress rules does not touch egress',
    yaml: gnp('web', webIngress('  - action: Deny\n')),
    from: 'shop/web', to: '8.8.8.8', port: 53, protocol: 'UDP', direction: 'egress', verdict: 'not-isolated',
  },
  {
    name: 'preDNAT policies apply to host endpoints, never pods',
    yaml: gnp('edge', '  selector: all()\n  preDNAT: true\n  applyOnForward: true\n  ingress:\n  - action: Deny\n'),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated',
  },
  {
    name: 'global() as namespaceSelector never matches a pod',
    yaml: gnp('web', webIngress('  - action: Deny\n    source:\n      namespaceSelector: global()\n  - action: Allow\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:1',
  },
  {
    name: 'a selector on an address that is not a pod rests on NetworkSets Podpath does not read: unknown',
    yaml: gnp('web', webIngress('  - action: Deny\n    source:\n      selector: role == "blocked"\n  - action: Allow\n')),
    from: '203.0.113.9', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'unknown',
  },
  {
    name: 'an HTTP match decides per request: unknown when the rest would deny',
    yaml: gnp('web', webIngress('  - action: Allow\n    http:\n      methods: [GET]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'unknown',
  },
  {
    name: 'a serviceAccountSelector rests on service accounts Podpath does not read: unknown',
    yaml: gnp('web', webIngress('  - action: Deny\n', '  serviceAccountSelector: role == "frontend"\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'unknown',
  },
  {
    name: "a notSelector alone in a namespaced policy is scoped to its namespace: another namespace's pod does not pass it",
    yaml: np('shop', 'web', webIngress('  - action: Deny\n    source:\n      notSelector: app == "nothing"\n  - action: Allow\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'calico', rule: 'ingress:1', by: 'shop/web',
  },
  {
    name: '… and a pod of its own namespace does',
    yaml: np('shop', 'web', webIngress('  - action: Deny\n    source:\n      notSelector: app == "nothing"\n  - action: Allow\n')),
    from: 'shop/db', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'calico', rule: 'ingress:0', by: 'shop/web',
  },
  {
    name: 'a hostNetwork pod is not a Calico workload endpoint: its policies do not apply',
    yaml: gnp('all', '  selector: all()\n  ingress:\n  - action: Deny\n'),
    from: 'dev/client', to: 'kube-system/agent', port: 9090, direction: 'ingress', verdict: 'not-applicable',
  },
];

describe('Calico: a case per rule', () => {
  it.each(cases)('$name', (c) => {
    const verdict = verdictOf(c.yaml, c.from, c.to, c.port, c.protocol ?? 'TCP')[c.direction];
    const said = `${verdict.line} — ${verdict.reason}`;
    expect(verdict.verdict, said).toBe(c.verdict);
    if (c.layer) expect(verdict.layer, said).toBe(c.layer);
    if (c.rule) {
      const ref = verdict.cniRule;
      expect(ref, said).toBeDefined();
      expect(ref!.section === 'end-of-tier' ? 'end-of-tier' : `${ref!.section}:${ref!.rule}`, said).toBe(c.rule);
    }
    if (c.by) expect(verdict.cniRule?.name, said).toBe(c.by);
  });
});
