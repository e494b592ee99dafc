// `podpath trace --batch` through every policy layer (issue 15, "Evidence"): snapshots of the CNI
// policy tests' cluster (test/fixtures/cni-policies/cluster.yaml: shop/web, shop/db in env=prod,
// dev/client in env=dev) with the policies of one enforcement each, a case per layer's rule, run
// as a user runs it (bin/podpath.mjs in a child process). Each line's layer and deciding rule is
// asserted, from the JSON the batch prints.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { CompactDirection, TraceResult } from '../shared/trace/format.ts';
import { repoRoot } from './e2e/serve.ts';
import { snapshotWithPolicies } from './fixtures/cni-policies-cluster.ts';
import { runPodpath } from './podpath-cli.ts';
import { baselineDenyProd, calicoGnp, calicoTiered, calicoTiers, protectShop } from './cni-policies/manifests.ts';

const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A snapshot of the fixture cluster with `policies` (YAML) added; its path. */
const snapshotWith = (name: string, policies: string): string => snapshotWithPolicies(dir, name, policies);

interface Flow {
  from: string;
  to: string;
  port: number;
  protocol?: 'TCP' | 'UDP';
}

/** `podpath trace --snapshot S --batch -` with one line per flow; the parsed lines and exit code. */
async function batch(snapshot: string, flows: Flow[]): Promise<{ code: number; lines: TraceResult[]; stderr: string }> {
  const result = await runPodpath(['trace', '--snapshot', snapshot, '--batch', '-'], { stdin: flows.map((f) => JSON.stringify(f)).join('\n') + '\n' });
  const lines = result.stdout.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceResult);
  return { code: result.code, lines, stderr: result.stderr };
}

/** The direction a case is about, from the line. */
const ingressOf = (line: TraceResult) => line.policy.ingress!;
const egressOf = (line: TraceResult) => line.policy.egress!;

describe('network-policy-api layering: admin tier, NetworkPolicy, baseline tier', () => {
  const policies = `${protectShop(10, '  - name: pass-dev\n    action: Pass\n    from: [{namespaces: {matchLabels: {env: dev}}}]\n')}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-allow-dev, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {env: dev}}}]
    ports: [{port: 8080, protocol: TCP}]
---
${baselineDenyProd}`;

  test('admin Deny; admin Pass, then NetworkPolicy allows; the baseline Deny for a pod no NetworkPolicy isolates', async () => {
    const { code, lines, stderr } = await batch(snapshotWith('admin', policies), [
      { from: 'dev/client', to: 'shop/db', port: 5432 },
      { from: 'dev/client', to: 'shop/web', port: 8080 },
      { from: 'shop/web', to: 'dev/client', port: 80 },
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const [deny, pass, baseline] = lines.map(ingressOf) as [CompactDirection, CompactDirection, CompactDirection];

    expect(lines[0]!.verdict).toBe('policy-denied');
    expect(deny).toMatchObject({ verdict: 'denied', layer: 'admin', decidedBy: 'Deny by ClusterNetworkPolicy protect-shop ingress[0]', line: 'db ingress: denied by ClusterNetworkPolicy protect-shop rule "deny-dev-to-db" (admin tier)' });

    // The Pass hands the flow to NetworkPolicy, whose rule allows it: the admin rule is named as passing it on.
    expect(lines[1]!.verdict).toBe('delivered');
    expect(pass).toMatchObject({ verdict: 'allowed', layer: 'networkpolicy', allowedBy: ['shop/web-allow-dev ingress[0]'], passedBy: 'Pass by ClusterNetworkPolicy protect-shop ingress[1]' });
    expect(pass).not.toHaveProperty('decidedBy');

    expect(lines[2]!.verdict).toBe('policy-denied');
    expect(baseline).toMatchObject({ verdict: 'denied', layer: 'baseline', decidedBy: 'Deny by BaselineAdminNetworkPolicy default ingress[0]', line: 'client ingress: denied by BaselineAdminNetworkPolicy default rule "deny-prod" (baseline tier)' });
  });
});

describe('Calico: tiers in order, Pass, the end of a tier', () => {
  const policies = `${calicoTiers}${calicoTiered}${calicoGnp('platform.web-from-sa', '  tier: platform\n  order: 20\n  selector: app == "web"\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source: {serviceAccounts: {names: [scanner]}}\n    destination: {ports: [7070]}\n')}`;

  test('a tier Deny; a Pass then a later tier\'s Allow; the end-of-tier deny; a service account rule Podpath cannot read: unknown', async () => {
    const { code, lines, stderr } = await batch(snapshotWith('calico', policies), [
      { from: 'dev/client', to: 'shop/db', port: 5432 },
      { from: 'dev/client', to: 'shop/web', port: 8080 },
      { from: 'dev/client', to: 'shop/web', port: 9090 },
      { from: 'dev/client', to: 'shop/web', port: 7070 },
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(2); // an unknown verdict
    const [deny, pass, end, unknown] = lines.map(ingressOf) as [CompactDirection, CompactDirection, CompactDirection, CompactDirection];

    expect(lines[0]!.verdict).toBe('policy-denied');
    expect(deny).toMatchObject({ verdict: 'denied', layer: 'calico', cniRule: 'Deny by Calico GlobalNetworkPolicy security.deny-dev-db ingress[0] (tier security)', line: 'db ingress: denied by Calico GlobalNetworkPolicy security.deny-dev-db ingress rule 1 (tier security, order 10)' });

    expect(lines[1]!.verdict).toBe('delivered');
    expect(pass).toMatchObject({ verdict: 'allowed', layer: 'calico', cniRule: 'Allow by Calico GlobalNetworkPolicy platform.web ingress[0] (tier platform)', cniPassedBy: ['Pass by Calico GlobalNetworkPolicy security.pass-web ingress[0] (tier security)'] });

    // Passed on by security, and in platform the policies select the pod but no rule matches 9090.
    expect(lines[2]!.verdict).toBe('policy-denied');
    expect(end).toMatchObject({ verdict: 'denied', layer: 'calico', cniRule: 'Deny at the end of Calico tier platform', cniPassedBy: ['Pass by Calico GlobalNetworkPolicy security.pass-web ingress[0] (tier security)'] });

    // Allowed if the client runs as service account scanner, else the end of tier platform denies.
    expect(lines[3]!.verdict).toBe('unknown');
    expect(unknown.verdict).toBe('unknown');
    expect(unknown.line).toMatch(/unknown: depends on .*serviceAccounts/);
    expect(unknown.reason).toMatch(/matches \(.*\): allowed \(.*does not match: denied \(denied by the end of Calico tier platform/);
  });
});

describe('Cilium: deny over allow, L7 rules not evaluated, FQDN rules unknown', () => {
  const policies = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: client, k8s:io.kubernetes.pod.namespace: dev}}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: deny-dev-to-db}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: dev}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: client, k8s:io.kubernetes.pod.namespace: dev}}]
    toPorts:
    - ports: [{port: "8080", protocol: TCP}]
      rules:
        http: [{method: GET, path: /public}]
  egress:
  - toFQDNs: [{matchName: api.example.com}]
`;

  test('a deny rule wins over the allow that matches too; an HTTP rule allows L4 and says L7 is not evaluated; toFQDNs leaves egress unknown', async () => {
    const { code, lines, stderr } = await batch(snapshotWith('cilium', policies), [
      { from: 'dev/client', to: 'shop/db', port: 5432 },
      { from: 'dev/client', to: 'shop/web', port: 8080 },
      { from: 'shop/web', to: '93.184.216.34', port: 443 },
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(2);
    const [deny, l7] = lines.map(ingressOf) as [CompactDirection, CompactDirection];

    expect(lines[0]!.verdict).toBe('policy-denied');
    expect(deny).toMatchObject({ verdict: 'denied', layer: 'cilium', cniRule: 'Deny by CiliumClusterwideNetworkPolicy deny-dev-to-db ingressDeny[0]' });

    expect(lines[1]!.verdict).toBe('delivered');
    expect(l7).toMatchObject({ verdict: 'allowed', layer: 'cilium', cniRule: 'Allow by CiliumNetworkPolicy shop/web ingress[0]' });
    expect(l7.notEvaluated).toMatch(/http/i);
    expect(l7.line).toMatch(/\(L7 not evaluated\)$/);

    const fqdn = egressOf(lines[2]!);
    expect(lines[2]!.verdict).toBe('unknown');
    expect(fqdn).toMatchObject({ verdict: 'unknown', layer: 'cilium' });
    expect(fqdn.reason).toMatch(/toFQDNs api\.example\.com.*: allowed .*: denied \(denied by Cilium's default deny/);
  });
});

describe('Cilium as the CNI under enable-policy: always', () => {
  test('a pod no policy selects denies what no rule allows, and the line names the mode', async () => {
    const agent = readFileSync(join(repoRoot, 'test/fixtures/cni-policies/cilium-agent.yaml'), 'utf8');
    expect(agent).toContain('enable-policy: default');
    const path = snapshotWith('cilium-always', agent.replace('enable-policy: default', 'enable-policy: always'));
    const { lines, stderr } = await batch(path, [{ from: 'dev/client', to: 'shop/web', port: 8080 }]);
    expect(stderr).toBe('');
    expect(lines[0]!.verdict).toBe('policy-denied');
    expect(egressOf(lines[0]!).verdict).toBe('denied');
    expect(egressOf(lines[0]!).line).toMatch(/denied by Cilium's default deny \(enable-policy: always\)$/);
    expect(egressOf(lines[0]!).reason).toMatch(/no policy selects it, and enable-policy: always puts every endpoint into default deny/);
    expect(egressOf(lines[0]!).layer).toBe('cilium');
    expect(egressOf(lines[0]!).cniRule).toBe("Deny by Cilium's default deny (enable-policy: always)");
  });
});
