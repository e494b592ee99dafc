// The admin policies (network-policy-api) against the real control plane. Without their CRDs the
// kinds are absent — named so, never an error — in `podpath snapshot` and in a live session. With
// the CRDs installed (v1alpha1 from v0.1.7, v1alpha2 from main: test/fixtures/admin-policies/crds)
// a ClusterNetworkPolicy, an AdminNetworkPolicy and a BaselineAdminNetworkPolicy are read by both,
// and `podpath trace` on the snapshot names the admin rule that decides each flow.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { parse } from 'yaml';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { LiveSession } from '../../electron/backend/session.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import type { Trace } from '../../shared/trace/types.ts';
import { adminApi, connectControlPlane, KubeApiError, type KubeApi } from '../cluster/harness.ts';
import { runPodpath } from '../podpath-cli.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: admin-policy live tests need the test control plane (see "control plane unavailable" above)');

const crdDir = fileURLToPath(new URL('../fixtures/admin-policies/crds/', import.meta.url));
const crdFiles = ['policy.networking.k8s.io_adminnetworkpolicies.yaml', 'policy.networking.k8s.io_baselineadminnetworkpolicies.yaml', 'policy.networking.k8s.io_clusternetworkpolicies.yaml'];
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
/** Marks the CRDs this test installs, so it removes only those (also after a run that died). */
const ownLabel = { 'podpath.test/admin-policies': 'true' };

interface Crd {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { group: string; names: { plural: string }; versions: { name: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

const crds: Crd[] = crdFiles.map((file) => parse(readFileSync(join(crdDir, file), 'utf8')) as Crd);
const listPath = (crd: Crd) => `/apis/${crd.spec.group}/${crd.spec.versions[0]!.name}/${crd.spec.names.plural}`;
const kindLines = /^(AdminNetworkPolicies|BaselineAdminNetworkPolicies|ClusterNetworkPolicies) (.*)$/gm;
const sessionFor = () => LiveSession.open({ config: configForContext(loadKubeconfig([kubeconfig]), 'admin'), contextName: 'admin', coalesceMs: 20 });
const adminKinds = ['adminNetworkPolicies', 'baselineAdminNetworkPolicies', 'clusterNetworkPolicies'];

describe.skipIf(!kubeconfig)('admin policies (live)', () => {
  const id = Math.random().toString(36).slice(2, 8);
  const node = `admin-${id}`;
  const ns = (role: string) => `admin-${id}-${role}`;
  // A /24 of its own, so no other test's pod shares an address with these.
  const net = `10.248.${Math.floor(Math.random() * 250) + 1}`;
  const ip = { node: `172.30.${net.split('.')[2]}.1`, client: `${net}.10`, server: `${net}.11`, other: `${net}.12` };
  // Every policy here selects only this test's namespaces (by `run`), never another test's pods.
  const house = (role: string) => ({ namespaces: { matchLabels: { 'podpath.test/run': id, role } } });
  const dir = mkdtempSync(join(tmpdir(), 'podpath-admin-'));
  let api: KubeApi;

  const crdExists = async (crd: Crd) => {
    try {
      return await api.get<Crd>(`${crdPath}/${crd.metadata.name}`);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
  };

  async function removeCrds(): Promise<void> {
    for (const crd of crds) {
      const found = await crdExists(crd);
      if (found?.metadata.labels?.['podpath.test/admin-policies'] === 'true') await api.deleteObject(`${crdPath}/${crd.metadata.name}`, { gracePeriodSeconds: null });
    }
    await api.waitFor(async () => (await Promise.all(crds.map(crdExists))).every((c) => c === null) || undefined, 30_000, 'the admin-policy CRDs gone');
  }

  beforeAll(async () => {
    api = adminApi(connectControlPlane(kubeconfig));
    // A run that died may have left them; one installed by anyone else would make the first test
    // meaningless, so it says so rather than pass.
    await removeCrds();
  });

  afterAll(async () => {
    if (!api) return;
    // Deleting a CRD deletes its objects too.
    await removeCrds();
    for (const role of ['server', 'client', 'other']) await api.deleteObject(`/api/v1/namespaces/${ns(role)}`);
    await api.deleteObject(`/api/v1/nodes/${node}`);
    await api.close();
  });

  test('without the CRDs: each kind is "absent", not an error; the snapshot exits 0 and a live session does not call them unavailable', async () => {
    const out = join(dir, 'absent.json');
    const result = await runPodpath(['snapshot', '--kubeconfig', kubeconfig, '--context', 'admin', '-o', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect([...result.stdout.matchAll(kindLines)].map((m) => `${m[1]} ${m[2]}`).sort()).toEqual(['AdminNetworkPolicies absent', 'BaselineAdminNetworkPolicies absent', 'ClusterNetworkPolicies absent']);
    const snapshot = parseSnapshot(readFileSync(out, 'utf8'));
    expect(snapshot.source.unavailableKinds ?? []).toEqual([]);

    const session = await sessionFor();
    try {
      expect(session.kinds().filter((k) => adminKinds.includes(k.kind)).map((k) => `${k.kind} ${k.state}`)).toEqual(adminKinds.map((k) => `${k} absent`));
      expect(session.topology.cluster.unavailableKinds).toEqual([]);
      expect(session.topology.adminPolicies).toEqual({});
    } finally {
      await session.close();
    }
  });

  test('with the CRDs: snapshot and trace name the deciding admin rule in each tier; a live session reads all three kinds', async () => {
    // Install the CRDs as published, marked as this test's, and wait until the API serves them.
    for (const crd of crds) await api.create(crdPath, { ...crd, metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...ownLabel } } });
    for (const crd of crds) {
      await api.waitFor(async () => (await crdExists(crd))?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') || undefined, 30_000, `CRD ${crd.metadata.name} Established`);
      await api.waitFor(
        async () => {
          try {
            return (await api.get(listPath(crd))) !== undefined || undefined;
          } catch (error) {
            if (error instanceof KubeApiError && error.status === 404) return undefined;
            throw error;
          }
        },
        30_000,
        `${listPath(crd)} served`,
      );
    }

    await api.createNode(node, { podCIDR: `${net}.0/24`, internalIP: ip.node });
    for (const role of ['server', 'client', 'other'] as const) {
      await api.createNamespace(ns(role), { 'podpath.test/run': id, role });
      await api.createPod(ns(role), { name: role, labels: { app: role }, nodeName: node, ports: [{ name: 'http', containerPort: 8080 }] });
      await api.setPodStatus(ns(role), role, { podIP: ip[role], hostIP: ip.node });
    }
    // Admin tier (v1alpha2): clients are denied. Admin tier (v1alpha1): `other` is passed on,
    // so NetworkPolicy (none here) and then the baseline tier decide: there it is denied.
    await api.create('/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies', {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: `deny-clients-${id}` },
      spec: { tier: 'Admin', priority: 10, subject: house('server'), ingress: [{ name: 'deny-from-clients', action: 'Deny', from: [house('client')] }] },
    });
    await api.create('/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies', {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: `pass-other-${id}` },
      spec: { priority: 20, subject: house('server'), ingress: [{ name: 'pass-other', action: 'Pass', from: [house('other')] }] },
    });
    // The baseline policy is a singleton: its name must be `default` (the CRD's validation).
    await api.create('/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies', {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: house('server'), ingress: [{ name: 'baseline-deny-other', action: 'Deny', from: [house('other')] }] },
    });

    const out = join(dir, 'with-crds.json');
    const snap = await runPodpath(['snapshot', '--kubeconfig', kubeconfig, '--context', 'admin', '-o', out]);
    expect(snap.stderr).toBe('');
    expect(snap.code).toBe(0);
    for (const [label] of [['AdminNetworkPolicies'], ['BaselineAdminNetworkPolicies'], ['ClusterNetworkPolicies']]) expect(snap.stdout).toMatch(new RegExp(`^${label} [1-9]\\d*$`, 'm'));
    const snapshot = parseSnapshot(readFileSync(out, 'utf8'));
    expect(snapshot.objects.clusterNetworkPolicies.map((p) => p.metadata.name)).toContain(`deny-clients-${id}`);

    const trace = (from: string, ...extra: string[]) => runPodpath(['trace', '--snapshot', out, '--from', `${ns(from)}/${from}`, '--to', `${ns('server')}/server`, '--port', '8080', ...extra]);

    // client → server: the v1alpha2 admin rule decides; NetworkPolicy is never asked.
    const denied = await trace('client');
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain(`server ingress: denied by ClusterNetworkPolicy deny-clients-${id} rule "deny-from-clients" (admin tier)`);
    expect(denied.stdout).toMatch(/\nverdict: policy-denied — /);
    const deniedJson = JSON.parse((await trace('client', '--json')).stdout) as Trace;
    expect(deniedJson.verdict).toBe('policy-denied');
    expect(deniedJson.policy.ingress).toMatchObject({
      verdict: 'denied',
      layer: 'admin',
      decidedBy: { policy: `cnp:deny-clients-${id}`, apiKind: 'ClusterNetworkPolicy', tier: 'admin', priority: 10, rule: 0, ruleName: 'deny-from-clients', action: 'Deny' },
    });

    // other → server: passed on by the v1alpha1 admin policy, decided by the baseline.
    const passed = JSON.parse((await trace('other', '--json')).stdout) as Trace;
    expect(passed.verdict).toBe('policy-denied');
    expect(passed.policy.ingress).toMatchObject({
      verdict: 'denied',
      layer: 'baseline',
      decidedBy: { policy: 'banp:default', apiKind: 'BaselineAdminNetworkPolicy', ruleName: 'baseline-deny-other' },
      passedBy: { policy: `anp:pass-other-${id}`, apiKind: 'AdminNetworkPolicy', action: 'Pass' },
    });

    // server → client: no admin policy selects the client, none has an egress rule: delivered.
    const back = await runPodpath(['trace', '--snapshot', out, '--from', `${ns('server')}/server`, '--to', `${ns('client')}/client`, '--port', '8080', '--json']);
    expect(back.code).toBe(0);
    expect((JSON.parse(back.stdout) as Trace).verdict).toBe('delivered');

    // The same, straight from the API server (a live session under the CLI).
    const live = await runPodpath(['trace', '--kubeconfig', kubeconfig, '--context', 'admin', '--from', `${ns('client')}/client`, '--to', `${ns('server')}/server`, '--port', '8080', '--json']);
    expect(live.code).toBe(1);
    expect((JSON.parse(live.stdout) as Trace).policy.ingress?.decidedBy?.policy).toBe(`cnp:deny-clients-${id}`);

    const session = await sessionFor();
    try {
      expect(session.kinds().filter((k) => adminKinds.includes(k.kind)).map((k) => `${k.kind} ${k.state}`)).toEqual(adminKinds.map((k) => `${k} live`));
      const policies = session.topology.adminPolicies;
      expect(Object.keys(policies)).toEqual(expect.arrayContaining([`cnp:deny-clients-${id}`, `anp:pass-other-${id}`, 'banp:default']));
      expect(policies[`cnp:deny-clients-${id}`]).toMatchObject({ apiKind: 'ClusterNetworkPolicy', tier: 'admin', priority: 10 });
    } finally {
      await session.close();
    }
  });
});
