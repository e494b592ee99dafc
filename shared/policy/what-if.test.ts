import { describe, expect, test } from 'vitest';
import { whatIfPolicies } from './what-if.ts';

const policy = (name: string, namespace?: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
});

describe('whatIfPolicies', () => {
  test('NetworkPolicies from documents and Lists; a policy without a namespace takes the given one', () => {
    const read = whatIfPolicies([policy('deny', 'shop'), { apiVersion: 'v1', kind: 'List', items: [policy('allow')] }], 'p.yaml', 'team-a');
    expect(read.policies.map((p) => p.id)).toEqual(['netpol:shop/deny', 'netpol:team-a/allow']);
    expect(read.ignored).toEqual([]);
    expect(read.unusable).toEqual([]);
  });

  test('other objects are named as ignored, whether Podpath reads their kind or not; a broken policy is unusable', () => {
    const read = whatIfPolicies(
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: {} },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'shop' }, spec: { podSelector: {} } },
        policy('deny', 'shop'),
      ],
      'p.yaml',
    );
    expect(read.policies.map((p) => p.id)).toEqual(['netpol:shop/deny']);
    expect(read.ignored).toEqual([
      { kind: 'Deployment', name: 'shop/web' },
      { kind: 'Service', name: 'shop/web' },
    ]);
    expect(read.unusable).toEqual(['no metadata.name']);
  });

  describe('an admin policy rule with a field its API version does not have', () => {
    const cnp = (rule: Record<string, unknown>, apiVersion = 'policy.networking.k8s.io/v1alpha2') => ({
      apiVersion,
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'deny-db' },
      spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ...rule }] },
    });

    test('v1alpha1 `ports` in a v1alpha2 rule: unusable, naming the field, and the policy left out', () => {
      const read = whatIfPolicies([cnp({ ports: [{ portNumber: { port: 5432 } }] })], 'p.yaml');
      expect(read.unusable).toHaveLength(1);
      expect(read.unusable[0]).toContain('ClusterNetworkPolicy deny-db: spec.ingress[0].ports: no such field in policy.networking.k8s.io/v1alpha2');
      expect(read.unusable[0]).toContain('protocols');
      expect(read.adminPolicies).toEqual([]);
    });

    test('a misspelt field inside protocols, in a List, is found too', () => {
      const read = whatIfPolicies([{ apiVersion: 'v1', kind: 'List', items: [cnp({ protocols: [{ tcp: { port: 5432 } }] })] }], 'p.yaml');
      expect(read.unusable).toEqual([expect.stringContaining('spec.ingress[0].protocols[0].tcp.port: no such field')]);
      expect(read.adminPolicies).toEqual([]);
    });

    test('the v1alpha2 fields as written: used, nothing said', () => {
      const read = whatIfPolicies([cnp({ name: 'db', protocols: [{ tcp: { destinationPort: { number: 5432 } } }, { destinationNamedPort: 'pg' }] })], 'p.yaml');
      expect(read.unusable).toEqual([]);
      expect(read.adminPolicies.map((p) => p.name)).toEqual(['deny-db']);
      expect(read.adminPolicies[0]!.ingress[0]!.ports).toEqual([{ protocol: 'TCP', start: 5432, end: 5432 }, { name: 'pg' }]);
    });

    test('v1alpha1 rules keep `ports`; `protocols` there is the unknown field', () => {
      const anp = (rule: Record<string, unknown>) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'a' }, spec: { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }], ...rule }] } });
      expect(whatIfPolicies([anp({ ports: [{ portNumber: { protocol: 'TCP', port: 53 } }] })], 'p.yaml').unusable).toEqual([]);
      expect(whatIfPolicies([anp({ protocols: [{ tcp: {} }] })], 'p.yaml').unusable).toEqual([expect.stringContaining('AdminNetworkPolicy a: spec.egress[0].protocols: no such field')]);
    });
  });
});
