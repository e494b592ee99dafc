// `podpath describe` with Calico and Cilium policies: every policy in the order its plugin tries
// it, with tier and order, and each pod's selecting policies in that order — as text and JSON,
// in the function and through the real CLI on a snapshot of test/fixtures/cni-policies.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocuments } from '../../shared/kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../shared/kube/manifests.ts';
import { topologyWith } from '../../test/cni-policies/fixture.ts';
import { runPodpath } from '../../test/podpath-cli.ts';
import type { CniDescribeDocument } from './describe-cni.ts';
import { describeText } from './describe.ts';

const policies = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100, defaultAction: Pass}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.deny-dev}
spec:
  tier: security
  order: 10
  selector: app == "web"
  ingress:
  - action: Deny
    source: {namespaceSelector: env == "dev"}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-late, namespace: shop}
spec:
  selector: app == "web"
  ingress:
  - action: Allow
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-early, namespace: shop}
spec:
  order: 50
  selector: app == "web"
  ingress:
  - action: Allow
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-only, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: accept-dev}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
  - action: Accept
    from: [{namespaces: {matchLabels: {env: dev}}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
`;

/** The index of each of `lines` in `text`, which must hold them all. */
function positions(text: string, lines: RegExp[]): number[] {
  return lines.map((line) => {
    const match = line.exec(text);
    expect(match, String(line)).not.toBeNull();
    return match!.index;
  });
}

describe('podpath describe: Calico and Cilium policies', () => {
  const topology = topologyWith(policies);

  test('text: the walk in order — tier security (100), the admin tier (1000), tier default with its policies by order and the NetworkPolicies at 1000 — then each pod', () => {
    const text = describeText(topology, false);
    const at = positions(text, [
      /^Admin policies \(1/m,
      /^Calico and Cilium policies \(4, in the order tried\)$/m,
      /^ {2}tier security \(order 100\) · default action Pass$/m,
      /^ {4}Calico GlobalNetworkPolicy security\.deny-dev {2}tier security \(order 100\) · order 10 · types Ingress$/m,
      /^ {2}tier kube-admin \(order 1000\): the admin policies of the admin tier \(1, listed above\)$/m,
      /^ {2}tier default \(order 1000000\) · default action Deny \(no Tier object\)$/m,
      /^ {4}Calico NetworkPolicy shop\/web-early {2}tier default \(order 1000000\) · order 50/m,
      /^ {4}Kubernetes NetworkPolicies \(1, listed above\) · order 1000$/m,
      /^ {4}Calico NetworkPolicy shop\/web-late {2}tier default \(order 1000000\) · no order \(last\)/m,
      /^ {2}CiliumNetworkPolicy shop\/db {2}namespace shop$/m,
      /^ {4}shop\/web$/m,
      /^ {6}1\. Calico GlobalNetworkPolicy security\.deny-dev {2}tier security \(order 100\) · order 10 {2}ingress$/m,
      /^ {6}2\. Calico NetworkPolicy shop\/web-early/m,
      /^ {6}3\. Calico NetworkPolicy shop\/web-late/m,
      /^Problems \(/m,
    ]);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(text).toMatch(/^ {4}shop\/db\n {6}1\. CiliumNetworkPolicy shop\/db {2}ingress$/m);
  });

  test('JSON: cniPolicies in the order tried, and each pod its selecting ones with tier and order', () => {
    const doc = JSON.parse(describeText(topology, true)) as CniDescribeDocument;
    expect(doc.cniPolicies?.map((p) => p.title)).toEqual([
      'Calico tier security',
      'Calico GlobalNetworkPolicy security.deny-dev',
      'Calico NetworkPolicy shop/web-early',
      'Calico NetworkPolicy shop/web-late',
      'CiliumNetworkPolicy shop/db',
    ]);
    const web = doc.pods.find((p) => p.name === 'web');
    expect(web?.cniPolicies?.map((p) => [p.policy, p.place, p.directions])).toEqual([
      ['Calico GlobalNetworkPolicy security.deny-dev', 'tier security (order 100) · order 10', ['ingress']],
      ['Calico NetworkPolicy shop/web-early', 'tier default (order 1000000) · order 50', ['ingress']],
      ['Calico NetworkPolicy shop/web-late', 'tier default (order 1000000) · no order (last)', ['ingress']],
    ]);
    expect(doc.pods.find((p) => p.name === 'client')?.cniPolicies).toEqual([]);
    expect(Object.keys(doc).slice(-2)).toEqual(['cniPolicies', 'problems']);
  });

  test('a cluster without them: no section, no cniPolicies, the document as before', () => {
    const plain = topologyWith('');
    const doc = JSON.parse(describeText(plain, true)) as CniDescribeDocument;
    expect(doc).not.toHaveProperty('cniPolicies');
    expect(doc.pods.every((p) => !('cniPolicies' in p))).toBe(true);
    expect(describeText(plain, false)).not.toContain('Calico and Cilium policies');
  });

  test('the real CLI on a snapshot file prints them, as text and JSON', async () => {
    const read = (text: string, source: string) => objectsFromDocuments(parseDocuments(text, source), source).objects;
    const cluster = readFileSync(new URL('../../test/fixtures/cni-policies/cluster.yaml', import.meta.url), 'utf8');
    const objects = mergeObjects([read(cluster, 'cluster.yaml'), read(policies, 'policies.yaml')]);
    const path = join(mkdtempSync(join(tmpdir(), 'podpath-describe-cni-')), 'calico.podpath.json');
    const source = { context: 'cni', server: null, kubernetesVersion: null, capturedAt: '2026-01-01T00:00:00Z' };
    writeFileSync(path, JSON.stringify({ format: 'podpath.snapshot', version: 1, source, objects }));
    const text = await runPodpath(['describe', '--snapshot', path]);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^ {6}1\. Calico GlobalNetworkPolicy security\.deny-dev {2}tier security \(order 100\) · order 10 {2}ingress$/m);
    const json = await runPodpath(['describe', '--snapshot', path, '--json']);
    const doc = JSON.parse(json.stdout) as CniDescribeDocument;
    expect(doc.cniPolicies?.[0]?.title).toBe('Calico tier security');
  });
});
