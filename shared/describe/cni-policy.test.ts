/**
 * The details panel's reading of Calico and Cilium policies (cni-policy.ts): which select a pod,
 * in the order their plugin tries them, and each rule in a line.
 */
import { describe, expect, it } from 'vitest';
import { topologyWith } from '../../test/cni-policies/fixture.ts';
import { cniLayersOf, cniPoliciesOf, describeCniPolicy } from './cni-policy.ts';

const gnp = (name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${spec}---\n`;
const tier = (name: string, order: number) => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: ${name}}\nspec: {order: ${order}}\n---\n`;
const pod = (topology: ReturnType<typeof topologyWith>, name: string) => Object.values(topology.pods).find((p) => `${p.namespace}/${p.name}` === name)!;

describe('Calico policies that select a pod', () => {
  const topology = topologyWith(
    tier('late', 500) +
      tier('early', 100) +
      gnp('late.allow', '  tier: late\n  selector: app == "web"\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source: {selector: app == "client", namespaceSelector: env == "dev"}\n    destination: {ports: [8080, "9000:9100"]}\n') +
      gnp('early.b', '  tier: early\n  order: 20\n  selector: all()\n  egress:\n  - action: Deny\n    destination: {nets: [203.0.113.0/24]}\n') +
      gnp('early.a', '  tier: early\n  order: 20\n  selector: app == "web"\n  ingress:\n  - action: Pass\n  - action: Log\n') +
      gnp('early.first', '  tier: early\n  order: 5\n  selector: app == "web"\n  serviceAccountSelector: role == "x"\n  ingress:\n  - action: Deny\n    http: {methods: [GET]}\n') +
      gnp('db-only', '  selector: app == "db"\n  ingress:\n  - action: Deny\n'),
  );

  it('in tier order, then order, then name; a policy that does not select the pod is left out', () => {
    const listed = cniPoliciesOf(topology, pod(topology, 'shop/web'));
    expect(listed.map((s) => s.record.name)).toEqual(['early.first', 'early.a', 'early.b', 'late.allow']);
    expect(listed.map((s) => s.place)).toEqual(['tier early (order 100) · order 5', 'tier early (order 100) · order 20', 'tier early (order 100) · order 20', 'tier late (order 500) · no order (last)']);
    expect(listed.map((s) => s.directions.join('+'))).toEqual(['ingress', 'ingress', 'egress', 'ingress']);
  });

  it('says when selecting the pod rests on what Podpath does not read', () => {
    const first = cniPoliciesOf(topology, pod(topology, 'shop/web'))[0]!;
    expect(first.maybe).toMatch(/serviceAccountSelector role == "x": pods' service accounts are not read/);
    expect(first.rules).toEqual([{ direction: 'ingress', section: 'ingress', index: 0, action: 'Deny', text: 'from anywhere', note: 'its HTTP match decides per request: not evaluated' }]);
  });

  it('each rule in a line, as written', () => {
    const late = cniPoliciesOf(topology, pod(topology, 'shop/web')).find((s) => s.record.name === 'late.allow')!;
    expect(late.rules.map((r) => `${r.action} ${r.direction} ${r.text}`)).toEqual(['Allow ingress from selector app == "client" in namespaces env == "dev" · to ports 8080, 9000:9100 · protocol TCP']);
    const early = cniPoliciesOf(topology, pod(topology, 'shop/web')).find((s) => s.record.name === 'early.b')!;
    expect(early.rules.map((r) => `${r.action} ${r.direction} ${r.text}`)).toEqual(['Deny egress from anywhere · to nets 203.0.113.0/24']);
  });

  it('the layers of a direction are the tiers, once each, linked to the Tier object', () => {
    expect(cniLayersOf(topology, pod(topology, 'shop/web'), 'ingress')).toEqual([
      { id: 'caltier:early', title: 'Calico tier early' },
      { id: 'caltier:late', title: 'Calico tier late' },
    ]);
    // The default tier has no Tier object here: its first policy stands for it.
    expect(cniLayersOf(topology, pod(topology, 'shop/db'), 'ingress')).toEqual([{ id: 'calgnp:db-only', title: 'Calico tier default' }]);
  });

  it('a policy: its place, whom it selects, its pods; a tier: its policies in order', () => {
    const policy = describeCniPolicy(topology, topology.cniPolicies['calgnp:late.allow']!);
    expect(policy).toMatchObject({ title: 'Calico GlobalNetworkPolicy late.allow', place: 'tier late (order 500) · no order (last) · types Ingress', selects: 'selector app == "web"', tierId: 'caltier:late' });
    expect(policy.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['shop/web']);
    const early = describeCniPolicy(topology, topology.cniPolicies['caltier:early']!);
    expect(early.place).toBe('order 100 · default action Deny');
    expect(early.members?.map((m) => m.name)).toEqual(['Calico GlobalNetworkPolicy early.first', 'Calico GlobalNetworkPolicy early.a', 'Calico GlobalNetworkPolicy early.b']);
  });
});

describe('Cilium policies that select a pod', () => {
  const cnp = (name: string, spec: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec:\n${spec}---\n`;
  const topology = topologyWith(
    cnp('a-allow', '  endpointSelector: {matchLabels: {app: web}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {app: client}}]\n    toPorts:\n    - ports: [{port: "8080", protocol: TCP}]\n      rules: {http: [{method: GET}]}\n  - {}\n') +
      cnp('z-deny', '  endpointSelector: {}\n  ingressDeny:\n  - fromEntities: [world]\n  egress:\n  - toFQDNs: [{matchName: api.example.com}]\n') +
      cnp('db', '  endpointSelector: {matchLabels: {app: db}}\n  ingress:\n  - {}\n'),
  );

  it('deny before allow: a policy with deny rules first, and its deny rules before its allow rules', () => {
    const listed = cniPoliciesOf(topology, pod(topology, 'shop/web'));
    expect(listed.map((s) => s.record.name)).toEqual(['z-deny', 'a-allow']);
    expect(listed[0]!.rules.map((r) => `${r.action} ${r.direction} ${r.text}`)).toEqual(['Deny ingress from entities world', 'Allow egress to FQDN api.example.com']);
    expect(listed[1]!.rules.map((r) => `${r.action} ${r.direction} ${r.text}${r.note ? ` (${r.note})` : ''}`)).toEqual([
      'Allow ingress from endpoints app=client · ports 8080/TCP (L7 http rules decide per request: not evaluated)',
      'Allow ingress from nothing (an empty rule only turns on default deny)',
    ]);
    expect(cniLayersOf(topology, pod(topology, 'shop/web'), 'egress')).toEqual([{ id: 'ciliumnp:shop/z-deny', title: 'CiliumNetworkPolicy shop/z-deny' }]);
  });

  it('a pod of another namespace is not selected by a namespaced policy', () => {
    expect(cniPoliciesOf(topology, pod(topology, 'dev/client'))).toEqual([]);
  });
});
