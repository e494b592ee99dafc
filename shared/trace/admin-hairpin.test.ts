/**
 * A pod reaching itself, under an admin policy that denies all ingress: the admin policies do not
 * apply to "a Pod connecting to its own Pod IP", but do when a Service load-balances the
 * connection back to the same pod (network-policy-api site-src/api-overview.md at 0eec1b0e,
 * "hairpin"). The tracer knows which it is: a Service's DNAT hop sets the flow's `isViaService`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseDocuments } from '../kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../kube/manifests.ts';
import { derive } from '../topology/derive.ts';
import { trace } from './trace.ts';

const fixture = fileURLToPath(new URL('../../test/fixtures/admin-policies/conformance-cluster.yaml', import.meta.url));
const ns = 'network-policy-conformance-gryffindor';

// harry-potter-0 (10.244.0.11) behind a Service of its own (no selector: its EndpointSlice names
// the one pod), and a ClusterNetworkPolicy that
// denies every ingress to the house.
const extra = `apiVersion: v1
kind: Service
metadata: { name: harry, namespace: ${ns} }
spec:
  clusterIP: 10.96.0.50
  ports: [{ name: web, port: 8000, targetPort: 80, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: harry-1, namespace: ${ns}, labels: { kubernetes.io/service-name: harry } }
addressType: IPv4
endpoints: [{ addresses: [10.244.0.11], conditions: { ready: true }, nodeName: conformance-node, targetRef: { kind: Pod, name: harry-potter-0, namespace: ${ns} } }]
ports: [{ name: web, port: 80, protocol: TCP }]
---
apiVersion: v1
kind: Service
metadata: { name: harry-headless, namespace: ${ns} }
spec:
  clusterIP: None
  ports: [{ name: web, port: 80, targetPort: 80, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: harry-headless-1, namespace: ${ns}, labels: { kubernetes.io/service-name: harry-headless } }
addressType: IPv4
endpoints: [{ addresses: [10.244.0.11], conditions: { ready: true }, nodeName: conformance-node, targetRef: { kind: Pod, name: harry-potter-0, namespace: ${ns} } }]
ports: [{ name: web, port: 80, protocol: TCP }]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-all-to-gryffindor }
spec:
  tier: Admin
  priority: 1
  subject: { namespaces: { matchLabels: { conformance-house: gryffindor } } }
  ingress:
  - { name: deny-all, action: Deny, from: [{ namespaces: {} }] }
`;

function topology() {
  const base = objectsFromDocuments(parseDocuments(readFileSync(fixture, 'utf8'), fixture), fixture).objects;
  return derive(mergeObjects([base, objectsFromDocuments(parseDocuments(extra, 'case'), 'case').objects]));
}

describe("hairpin: a pod's flow to itself under the admin policies", () => {
  const t = topology();
  const from = `pod/${ns}/harry-potter-0`;

  test('through its own Service: the flow is via a Service, and the admin Deny decides it', () => {
    const result = trace(t, { from, to: `svc/${ns}/harry`, port: 8000 });
    expect(result.verdict).toBe('policy-denied');
    const ingress = result.branches[0]?.policy.ingress;
    expect(ingress).toMatchObject({ verdict: 'denied', layer: 'admin', decidedBy: { policy: 'cnp:deny-all-to-gryffindor', rule: 0, ruleName: 'deny-all' } });
    // The hairpin SNAT hides the source address, but the policy still sees the pod itself.
    expect(result.branches[0]?.hops.some((h) => h.kind === 'snat' && /hairpin/.test(h.label))).toBe(true);
  });

  test('to its own pod IP: no Service, no veth, no policy; delivered', () => {
    const result = trace(t, { from, to: `pod/${ns}/harry-potter-0`, port: 80 });
    expect(result.verdict).toBe('delivered');
    expect([...result.hops, ...result.branches.flatMap((b) => b.hops)].some((h) => h.kind === 'policy')).toBe(false);
    expect(result.summary).toMatch(/no NetworkPolicy is involved/);
  });

  test('a headless Service hands out its own pod IP: the pod connects to it directly, so the admin policies do not apply', () => {
    const result = trace(t, { from, to: `svc/${ns}/harry-headless`, port: 80 });
    expect(result.verdict).toBe('delivered');
    expect(result.branches[0]?.policy.ingress).toMatchObject({ verdict: 'not-isolated', layer: 'default', adminPolicies: ['cnp:deny-all-to-gryffindor'], reason: expect.stringMatching(/its own pod IP is not subject to admin policies/) });
    expect(result.branches[0]?.policy.ingress?.decidedBy).toBeUndefined();
  });

  test('another pod of the house, to the same Service: denied by the same rule (the policy is in force)', () => {
    const result = trace(t, { from: `pod/${ns}/harry-potter-1`, to: `svc/${ns}/harry`, port: 8000 });
    expect(result.branches[0]?.policy.ingress).toMatchObject({ verdict: 'denied', decidedBy: { policy: 'cnp:deny-all-to-gryffindor' } });
  });
});
