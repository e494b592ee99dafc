/**
 * Cilium's policy repository, a case per rule (cilium.ts, cilium-match.ts name the sources):
 * endpoint selection with its namespace defaults, entities, CIDR rules that never match pods,
 * ports, deny over allow, default deny and `enableDefaultDeny`, the union with Kubernetes
 * NetworkPolicy, and L7/FQDN rules reported as not evaluated. The last cases are deny.rst's
 * table of allow and deny policies (Documentation/security/policy/deny.rst, transcribed).
 */
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../test/cni-policies/fixture.ts';

const cnp = (namespace: string, name: string, spec: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}\n---\n`;
const ccnp = (name: string, spec: string) => `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}\n---\n`;
const knp = (namespace: string, name: string, spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}\n---\n`;
const web = (body: string) => `  endpointSelector: {matchLabels: {app: web}}\n${body}`;

interface Case {
  name: string;
  yaml: string;
  from: string;
  to: string;
  port: number;
  protocol?: 'TCP' | 'UDP';
  direction: 'ingress' | 'egress';
  verdict: 'allowed' | 'denied' | 'not-isolated' | 'unknown';
  layer?: string;
  /** `section:rule` of the deciding rule, or `default-deny`. */
  rule?: string;
  /** Part of the reason. */
  says?: string;
}

const cases: Case[] = [
  {
    name: 'a CiliumNetworkPolicy peer selector without a namespace label stays in the policy\'s namespace: default deny',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'cilium', rule: 'default-deny',
  },
  {
    name: 'k8s:io.kubernetes.pod.namespace names the peer\'s namespace',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client, "k8s:io.kubernetes.pod.namespace": dev}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'cilium', rule: 'ingress:0',
  },
  {
    name: 'a clusterwide policy\'s peer selector spans namespaces',
    yaml: ccnp('web', web('  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'a clusterwide policy reads namespace labels as io.cilium.k8s.namespace.labels.*',
    yaml: ccnp('web', web('  ingress:\n  - fromEndpoints:\n    - matchLabels: {"io.cilium.k8s.namespace.labels.env": dev}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'the endpointSelector of a CiliumNetworkPolicy selects only its namespace\'s pods',
    yaml: cnp('dev', 'web', web('  ingress:\n  - {}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated',
  },
  {
    name: 'an empty rule ({}) only turns on default deny',
    yaml: cnp('shop', 'web', web('  ingress:\n  - {}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'default-deny',
  },
  {
    name: 'ingressDeny wins over an allow',
    yaml: ccnp('web', web('  ingress:\n  - fromEntities: [all]\n  ingressDeny:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'ingressDeny:0',
  },
  {
    name: 'deny wins over a Kubernetes NetworkPolicy\'s allow too',
    yaml: knp('shop', 'allow-all', '  podSelector: {}\n  ingress:\n  - {}\n') + ccnp('deny', web('  ingressDeny:\n  - fromEntities: [cluster]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', layer: 'cilium', rule: 'ingressDeny:0',
  },
  {
    name: 'a Kubernetes NetworkPolicy and a Cilium policy union: NetworkPolicy allows what Cilium does not',
    yaml: knp('shop', 'allow-dev', '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {env: dev}}\n') + cnp('shop', 'web', web('  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: nobody}\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', layer: 'networkpolicy',
  },
  {
    name: 'fromEntities world is outside the cluster',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromEntities: [world]\n')),
    from: '203.0.113.9', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: '… and a pod is not world',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromEntities: [world]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'default-deny',
  },
  {
    name: 'fromEntities cluster holds every pod',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromEntities: [cluster]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'remote-node: another node\'s hostNetwork pod',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromEntities: [remote-node]\n')),
    from: 'kube-system/agent', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'the pod\'s own node is host, not remote-node',
    yaml: cnp('shop', 'db', '  endpointSelector: {matchLabels: {app: db}}\n  ingress:\n  - fromEntities: [remote-node]\n'),
    from: 'kube-system/agent', to: 'shop/db', port: 5432, direction: 'ingress', verdict: 'denied', rule: 'default-deny',
  },
  {
    name: 'host: the local node and its hostNetwork pods',
    yaml: cnp('shop', 'db', '  endpointSelector: {matchLabels: {app: db}}\n  ingress:\n  - fromEntities: [host]\n'),
    from: 'kube-system/agent', to: 'shop/db', port: 5432, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'fromCIDR never matches a pod, even inside the CIDR',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromCIDR: [10.244.0.0/16]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'default-deny',
  },
  {
    name: 'toCIDRSet with except',
    yaml: cnp('shop', 'web', web('  egress:\n  - toCIDRSet:\n    - cidr: 0.0.0.0/0\n      except: [8.8.0.0/16]\n')),
    from: 'shop/web', to: '8.8.8.8', port: 53, protocol: 'UDP', direction: 'egress', verdict: 'denied', rule: 'default-deny',
  },
  {
    name: 'toCIDRSet outside the except',
    yaml: cnp('shop', 'web', web('  egress:\n  - toCIDRSet:\n    - cidr: 0.0.0.0/0\n      except: [8.8.0.0/16]\n')),
    from: 'shop/web', to: '1.1.1.1', port: 53, protocol: 'UDP', direction: 'egress', verdict: 'allowed', rule: 'egress:0',
  },
  {
    name: 'toPorts alone matches every peer on those ports',
    yaml: cnp('shop', 'web', web('  ingress:\n  - toPorts:\n    - ports:\n      - port: "8080"\n        protocol: TCP\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'a port of another protocol does not match',
    yaml: cnp('shop', 'web', web('  ingress:\n  - toPorts:\n    - ports:\n      - port: "8080"\n        protocol: UDP\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'denied', rule: 'default-deny',
  },
  {
    name: 'endPort makes a range; protocol defaults to ANY',
    yaml: cnp('shop', 'web', web('  ingress:\n  - toPorts:\n    - ports:\n      - port: "8000"\n        endPort: 9000\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'a named port',
    yaml: cnp('shop', 'web', web('  ingress:\n  - toPorts:\n    - ports:\n      - port: http\n        protocol: TCP\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0',
  },
  {
    name: 'HTTP rules: L4 allowed, each request decided by the proxy — said, not evaluated',
    yaml: cnp('shop', 'web', web('  ingress:\n  - fromEntities: [cluster]\n    toPorts:\n    - ports:\n      - port: "8080"\n        protocol: TCP\n      rules:\n        http:\n        - method: GET\n          path: /public\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'allowed', rule: 'ingress:0', says: 'the HTTP rules decide per request — not evaluated',
  },
  {
    name: 'toFQDNs: which addresses the DNS proxy learnt is not known, so unknown',
    yaml: cnp('shop', 'web', web('  egress:\n  - toFQDNs:\n    - matchName: api.example.com\n')),
    from: 'shop/web', to: '93.184.216.34', port: 443, direction: 'egress', verdict: 'unknown',
  },
  {
    name: 'enableDefaultDeny false: what is not denied stays allowed',
    yaml: ccnp('dns-visibility', web('  enableDefaultDeny: {egress: false}\n  egress:\n  - toEntities: [cluster]\n    toPorts:\n    - ports:\n      - port: "53"\n        protocol: UDP\n')),
    from: 'shop/web', to: '1.1.1.1', port: 443, direction: 'egress', verdict: 'allowed', layer: 'cilium',
  },
  {
    name: 'a rule with only an egress section leaves ingress open',
    yaml: cnp('shop', 'web', web('  egress:\n  - toEntities: [world]\n')),
    from: 'dev/client', to: 'shop/web', port: 8080, direction: 'ingress', verdict: 'not-isolated',
  },
];

// deny.rst: allow policies (L7 HTTP on 80, L4 80/TCP, L4 81/TCP, L3 from the client) and deny
// policies (L4 80/TCP, L3 from the client), five columns, and the result for curl :81 and :80.
const allowAll = ccnp('allow', web('  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n  - toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n      - {port: "81", protocol: TCP}\n'));
const denyPort80 = ccnp('deny-80', web('  ingressDeny:\n  - toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n'));
const denyClient = ccnp('deny-client', web('  ingressDeny:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n'));
const columns: { name: string; yaml: string; p81: 'allowed' | 'denied'; p80: 'allowed' | 'denied' }[] = [
  { name: 'allow only', yaml: allowAll, p81: 'allowed', p80: 'allowed' },
  { name: 'allow, deny 80/TCP', yaml: allowAll + denyPort80, p81: 'allowed', p80: 'denied' },
  { name: 'allow, deny the client', yaml: allowAll + denyClient, p81: 'denied', p80: 'denied' },
  { name: 'allow, deny both', yaml: allowAll + denyPort80 + denyClient, p81: 'denied', p80: 'denied' },
  { name: 'deny 80/TCP only', yaml: denyPort80, p81: 'denied', p80: 'denied' },
];

describe('Cilium: a case per rule', () => {
  it.each(cases)('$name', (c) => {
    const verdict = verdictOf(c.yaml, c.from, c.to, c.port, c.protocol ?? 'TCP')[c.direction];
    const said = `${verdict.line} — ${verdict.reason}`;
    expect(verdict.verdict, said).toBe(c.verdict);
    if (c.layer) expect(verdict.layer, said).toBe(c.layer);
    if (c.rule) {
      const ref = verdict.cniRule;
      expect(ref, said).toBeDefined();
      expect(ref!.section === 'default-deny' ? 'default-deny' : `${ref!.section}:${ref!.rule}`, said).toBe(c.rule);
    }
    if (c.says) expect(verdict.reason).toContain(c.says);
  });
});

describe('Cilium: deny.rst\'s table of allow and deny policies', () => {
  it.each(columns)('$name', ({ yaml, p81, p80 }) => {
    expect(verdictOf(yaml, 'dev/client', 'shop/web', 81).ingress.verdict).toBe(p81);
    expect(verdictOf(yaml, 'dev/client', 'shop/web', 80).ingress.verdict).toBe(p80);
  });
});

describe('Cilium and admin policies', () => {
  it('is unknown where an admin policy would change the answer: Cilium names no support for it', () => {
    const cnpDeny = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: deny-dev\nspec:\n  tier: Admin\n  priority: 10\n  subject:\n    namespaces: {matchLabels: {env: prod}}\n  ingress:\n  - action: Deny\n    from:\n    - namespaces: {matchLabels: {env: dev}}\n---\n`;
    const verdict = verdictOf(cnpDeny + cnp('shop', 'web', web('  ingress:\n  - fromEntities: [cluster]\n')), 'dev/client', 'shop/web', 8080).ingress;
    expect(verdict.verdict).toBe('unknown');
    expect(verdict.reason).toContain('cilium/cilium#23380');
  });
});
