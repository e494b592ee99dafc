/**
 * Admin policies as describe says them (the details panel, `podpath describe`): the order they
 * are tried in, whom they select, each rule in words. On network-policy-api's conformance pods
 * (test/fixtures/admin-policies/conformance-cluster.yaml).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseDocuments } from '../kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../kube/manifests.ts';
import { derive } from '../topology/derive.ts';
import { describeAdminSubject } from './admin-policy.ts';
import { describeElement, describeTopology } from './build.ts';
import { formatDescribe } from './format.ts';

const fixture = fileURLToPath(new URL('../../test/fixtures/admin-policies/conformance-cluster.yaml', import.meta.url));
const cluster = objectsFromDocuments(parseDocuments(readFileSync(fixture, 'utf8'), fixture), fixture).objects;
const topologyWith = (yaml: string) => derive(mergeObjects([cluster, objectsFromDocuments(parseDocuments(yaml, 'case'), 'case').objects]));

const policies = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: { name: default }
spec:
  subject: { namespaces: {} }
  egress:
  - { action: Deny, to: [{ networks: [192.0.2.0/24] }], ports: [{ portNumber: { protocol: TCP, port: 443 } }] }
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: protect-gryffindor }
spec:
  tier: Admin
  priority: 10
  subject: { pods: { namespaceSelector: { matchLabels: { conformance-house: gryffindor } }, podSelector: {} } }
  ingress:
  - name: deny-from-slytherin
    action: Deny
    from: [{ namespaces: { matchLabels: { conformance-house: slytherin } } }]
    protocols: [{ tcp: { destinationPort: { range: { start: 80, end: 90 } } } }]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: first }
spec:
  priority: 3
  subject: { namespaces: { matchLabels: { conformance-house: ravenclaw } } }
  ingress: [{ name: allow-all, action: Allow, from: [{ namespaces: {} }] }]
`;

describe('an admin policy described', () => {
  const t = topologyWith(policies);

  test('describeElement: its tier, subject in words, the pods it selects and each rule', () => {
    expect(describeElement(t, 'cnp:protect-gryffindor')).toEqual({
      kind: 'adminpolicy',
      policy: {
        id: 'cnp:protect-gryffindor',
        name: 'protect-gryffindor',
        apiKind: 'ClusterNetworkPolicy',
        tier: 'admin',
        priority: 10,
        order: expect.stringMatching(/^Admin tier: tried before any NetworkPolicy/),
        subject: 'every pod in namespaces conformance-house=gryffindor',
        pods: [
          { id: 'pod:pod-harry-potter-0', name: 'harry-potter-0', namespace: 'network-policy-conformance-gryffindor' },
          { id: 'pod:pod-harry-potter-1', name: 'harry-potter-1', namespace: 'network-policy-conformance-gryffindor' },
        ],
        ingress: [{ index: 0, name: 'deny-from-slytherin', action: 'Deny', peers: ['namespaces conformance-house=slytherin'], ports: '80-90/TCP' }],
        egress: [],
      },
    });
    const baseline = describeElement(t, 'banp:default');
    expect(baseline?.kind === 'adminpolicy' && baseline.policy).toMatchObject({ tier: 'baseline', priority: null, subject: 'pods in every namespace', order: expect.stringMatching(/^Baseline tier: tried only when/) });
    expect(baseline?.kind === 'adminpolicy' && baseline.policy.pods).toHaveLength(8);
    expect(baseline?.kind === 'adminpolicy' && baseline.policy.egress).toEqual([{ index: 0, name: null, action: 'Deny', peers: ['networks 192.0.2.0/24'], ports: '443/TCP' }]);
  });

  test('podpath describe: every admin policy in the order tried (admin by priority, then baseline), a line per rule', () => {
    const doc = describeTopology(t);
    expect(doc.adminPolicies?.map((p) => p.id)).toEqual(['anp:first', 'cnp:protect-gryffindor', 'banp:default']);
    const text = formatDescribe(doc);
    expect(text).toContain(
      [
        'Admin policies (3, in the order tried: admin tier, NetworkPolicy, baseline tier)',
        '  AdminNetworkPolicy first  admin tier, priority 3  selects pods in namespaces conformance-house=ravenclaw (2 pods)',
        '    ingress[0] allow-all: Allow from every namespace, any port',
        '  ClusterNetworkPolicy protect-gryffindor  admin tier, priority 10  selects every pod in namespaces conformance-house=gryffindor (2 pods)',
        '    ingress[0] deny-from-slytherin: Deny from namespaces conformance-house=slytherin, 80-90/TCP',
        '  BaselineAdminNetworkPolicy default  baseline tier  selects pods in every namespace (8 pods)',
        '    egress[0]: Deny to networks 192.0.2.0/24, 443/TCP',
      ].join('\n'),
    );
  });

  test('a cluster without admin policies: no adminPolicies in the document, no section in the text', () => {
    const doc = describeTopology(topologyWith(''));
    expect('adminPolicies' in doc).toBe(false);
    expect(formatDescribe(doc)).not.toContain('Admin policies');
  });

  test('subjects in words', () => {
    expect(describeAdminSubject({ namespaces: { matchLabels: { a: 'b' } } })).toBe('pods in namespaces a=b');
    expect(describeAdminSubject({ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } })).toBe('pods app=db in every namespace');
    expect(describeAdminSubject({})).toBe('no pod (a subject with no field Podpath knows)');
  });
});
