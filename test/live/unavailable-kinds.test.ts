// Kinds the API server keeps failing (HTTP 500), through a fault-injecting proxy in front of the
// real control plane: never reported as loaded and empty. The snapshot names them unavailable and
// exits non-zero, describe says so, a trace that rests on them is `unknown` (exit 2), and a live
// session shows them unavailable until the server answers again, then converges. (The reason
// counts the tries, which go on, so the tests match any count.)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { LiveSession } from '../../electron/backend/session.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import type { Trace } from '../../shared/trace/types.ts';
import { adminApi, connectControlPlane, waitFor, type KubeApi } from '../cluster/harness.ts';
import { kubeconfigVia, startFaultProxy, type FaultProxy } from '../faults/fault-proxy.ts';
import { runPodpath } from '../podpath-cli.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: unavailable-kind tests need the test control plane (see "control plane unavailable" above)');

/** Services and NetworkPolicies, cluster-wide or per namespace, LIST and WATCH. */
const failing = /^\/api\/v1\/(namespaces\/[^/]+\/)?services(\?|$)|\/networkpolicies(\?|$)/;

describe.skipIf(!kubeconfig)('kinds that keep failing (500) are unavailable, never empty', () => {
  const id = Math.random().toString(36).slice(2, 8);
  const ns = `unavail-${id}`;
  const node = `unavail-${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'podpath-unavailable-'));
  let api: KubeApi;
  let proxy: FaultProxy;
  let via: string;

  beforeAll(async () => {
    const cp = connectControlPlane(kubeconfig);
    api = adminApi(cp);
    await api.createNamespace(ns);
    await api.createNode(node, { podCIDR: '10.247.1.0/24', internalIP: '172.29.1.1' });
    for (const [name, ip] of [['client', '10.247.1.10'], ['server', '10.247.1.11']] as const) {
      await api.createPod(ns, { name, labels: { app: name }, nodeName: node, ports: [{ name: 'http', containerPort: 8080 }] });
      await api.setPodStatus(ns, name, { podIP: ip, hostIP: '172.29.1.1', ready: true });
    }
    proxy = await startFaultProxy(cp.dir, cp.server);
    proxy.fail = { path: failing, status: 500 };
    // The kubeconfig's own files, beside it, so its paths stay as they are.
    via = kubeconfigVia(kubeconfig, proxy.url, dir, 'via-proxy.yaml');
  });

  afterAll(async () => {
    await proxy?.close();
    await api?.deleteObject(`/api/v1/namespaces/${ns}`);
    await api?.deleteObject(`/api/v1/nodes/${node}`);
    await api?.close();
  });

  test('podpath snapshot: "Services unavailable: 500 … after N tries", in unavailableKinds, exit 1', async () => {
    const out = join(dir, 'partial.json');
    const result = await runPodpath(['snapshot', '--kubeconfig', via, '--context', 'admin', '-o', out]);
    expect(result.stdout).toMatch(/^Services unavailable: 500 Internal Server Error after \d+ tries$/m);
    expect(result.stdout).toMatch(/^NetworkPolicies unavailable: 500 Internal Server Error after \d+ tries$/m);
    expect(result.stdout).toMatch(/^Pods \d+$/m);
    expect(result.stderr).toMatch(/^podpath: the snapshot is partial: Services unavailable/m);
    expect(result.code).toBe(1);
    const snapshot = parseSnapshot(readFileSync(out, 'utf8'));
    expect(snapshot.source.unavailableKinds).toEqual(
      expect.arrayContaining([
        { kind: 'services', reason: expect.stringMatching(/^500 Internal Server Error after \d+ tries$/) },
        { kind: 'networkPolicies', reason: expect.stringMatching(/^500 Internal Server Error after \d+ tries$/) },
      ]),
    );
    expect(snapshot.objects.pods.some((p) => p.metadata.namespace === ns)).toBe(true);
  });

  test('podpath describe names them; podpath trace gives the verdict unknown, naming NetworkPolicies, exit 2', async () => {
    const described = await runPodpath(['describe', '--kubeconfig', via, '--context', 'admin']);
    expect(described.stdout).toMatch(/! services could not be read: 500 Internal Server Error after \d+ tries/);
    const traced = await runPodpath(['trace', '--kubeconfig', via, '--context', 'admin', '--from', `${ns}/client`, '--to', `${ns}/server`, '--port', '8080', '--json']);
    expect(traced.code).toBe(2);
    const result = JSON.parse(traced.stdout) as Trace;
    expect(result.verdict).toBe('unknown');
    expect(result.summary).toMatch(/^Unknown: NetworkPolicies \(500 Internal Server Error after \d+ tries\) could not be read/);
    expect(traced.stderr).toMatch(/NetworkPolicies unavailable/);
  });

  test('a live session: unavailable in its kinds and in the model, then live and gone from unavailableKinds once the server answers', async () => {
    proxy.fail = { path: failing, status: 500 };
    const session = await LiveSession.open({
      config: configForContext(loadKubeconfig([via]), 'admin'),
      contextName: 'admin',
      coalesceMs: 20,
      listWatch: { backoff: { initialMs: 50, maxMs: 200 } },
    });
    try {
      const state = (kind: string) => session.kinds().find((k) => k.kind === kind);
      expect(state('services')).toMatchObject({ state: 'unavailable', reason: expect.stringMatching(/^500 Internal Server Error after \d+ tries$/) });
      expect(session.topology.cluster.unavailableKinds.map((k) => k.kind).sort()).toEqual(['networkPolicies', 'services']);
      proxy.fail = null;
      await waitFor(() => state('services')?.state === 'live' && state('networkPolicies')?.state === 'live', 15_000, 'Services and NetworkPolicies live');
      await waitFor(() => session.topology.cluster.unavailableKinds.length === 0, 15_000, 'unavailableKinds empty in the model');
      expect(session.topology.services['svc:default/kubernetes']).toBeDefined();
    } finally {
      await session.close();
    }
  });
});
