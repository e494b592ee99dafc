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
});
