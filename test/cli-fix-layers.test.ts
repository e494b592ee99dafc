// `podpath trace --fix` through every policy layer (issue 15): snapshots of the CNI policy tests'
// cluster (test/fixtures/cni-policies/cluster.yaml: shop/web, shop/db in env=prod, dev/client in
// env=dev) with one layer's Deny each, run as a user runs it (bin/podpath.mjs in a child
// process): the fix's YAML is written to a file and handed back with --with-policy, and the trace
// is then delivered (exit 0), decided by the layer the fix added to.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Trace } from '../shared/trace/types.ts';
import { snapshotWithPolicies } from './fixtures/cni-policies-cluster.ts';
import { runPodpath } from './podpath-cli.ts';
import { baselineDenyProd, protectShop } from './cni-policies/manifests.ts';

const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-fix-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A snapshot of the fixture cluster with `policies` (YAML) added; its path. */
const snapshotWith = (name: string, policies: string): string => snapshotWithPolicies(dir, name, policies);

/** `--fix`, its output saved, then the same trace `--with-policy` it, as JSON. */
async function fixThenTry(name: string, policies: string, flow: string[]) {
  const snapshot = snapshotWith(name, policies);
  const fixed = await runPodpath(['trace', '--snapshot', snapshot, ...flow, '--fix']);
  const file = join(dir, `${name}.fix.yaml`);
  writeFileSync(file, fixed.stdout);
  const tried = await runPodpath(['trace', '--snapshot', snapshot, ...flow, '--with-policy', file, '--json']);
  const json = JSON.parse(tried.stdout) as { before: Trace; after: Trace };
  return { fixed, tried, ...json };
}

const clientToDb = ['--from', 'dev/client', '--to', 'shop/db', '--port', '5432'];

describe('podpath trace --fix, then --with-policy the fix', () => {
  test('an admin-tier Deny (ClusterNetworkPolicy): a ClusterNetworkPolicy ahead of it', async () => {
    const { fixed, tried, before, after } = await fixThenTry(
      'admin',
      protectShop(10),
      clientToDb,
    );
    expect(fixed.code).toBe(1);
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toMatch(/^# new ClusterNetworkPolicy allow-dev-client-to-shop-db-5432-ingress at priority 9: .*; or narrow or remove that rule\napiVersion: policy\.networking\.k8s\.io\/v1alpha2\nkind: ClusterNetworkPolicy\n/);
    expect(tried.code).toBe(0);
    expect(tried.stderr).toBe('podpath: with ClusterNetworkPolicy allow-dev-client-to-shop-db-5432-ingress from ' + join(dir, 'admin.fix.yaml') + ': added\n');
    expect(before.verdict).toBe('policy-denied');
    expect(after.verdict).toBe('delivered');
    expect(after.policy.ingress).toMatchObject({ verdict: 'allowed', layer: 'admin', decidedBy: { name: 'allow-dev-client-to-shop-db-5432-ingress', action: 'Accept' } });
  });

  test('a baseline Deny (BaselineAdminNetworkPolicy): a new NetworkPolicy, its isolation said', async () => {
    const { fixed, tried, after } = await fixThenTry(
      'baseline',
      baselineDenyProd,
      ['--from', 'shop/web', '--to', 'dev/client', '--port', '80'],
    );
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toMatch(/^# new NetworkPolicy dev\/allow-shop-web-to-dev-client-80-ingress: .*overrides rule "deny-prod" of BaselineAdminNetworkPolicy default; it isolates app=client in dev for ingress/);
    expect(tried.code).toBe(0);
    expect(after.policy.ingress).toMatchObject({ verdict: 'allowed', layer: 'networkpolicy' });
  });

  test('a Calico Deny: a GlobalNetworkPolicy ordered before it in its tier', async () => {
    const { fixed, tried, after } = await fixThenTry(
      'calico',
      `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.deny-dev-db}
spec:
  tier: security
  order: 10
  selector: app == "db"
  ingress:
  - action: Deny
    source: {namespaceSelector: env == "dev"}
`,
      clientToDb,
    );
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toMatch(/^# new Calico GlobalNetworkPolicy security\.allow-dev-client-to-shop-db-5432-ingress in tier security at order 9: /);
    expect(tried.code).toBe(0);
    expect(after.policy.ingress).toMatchObject({ verdict: 'allowed', layer: 'calico', cniRule: { tier: 'security', order: 9, action: 'Allow' } });
  });

  test('a Cilium deny: no YAML, the rule to narrow on stderr', async () => {
    const snapshot = snapshotWith(
      'cilium',
      `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: deny-dev-to-db}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: dev}}]
`,
    );
    const fixed = await runPodpath(['trace', '--snapshot', snapshot, ...clientToDb, '--fix']);
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toBe('');
    expect(fixed.stderr).toBe('podpath: no policy to add: CiliumClusterwideNetworkPolicy deny-dev-to-db ingressDeny rule 1 denies it, and in Cilium a deny wins over every allow, so no policy can be added: narrow or remove that rule\n');
  });
});
