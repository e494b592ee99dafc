// kube-apiserver, then etcd, killed (SIGKILL, as a crash) and stopped gracefully, mid-watch, in a
// loop, on a control plane of this file's own: while the API server is down every kind becomes
// unavailable in the model; once it is back the live model equals a fresh LIST, the changes made
// since included.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { LiveSession } from '../../electron/backend/session.ts';
import { adminApi, startControlPlane, waitFor, type ControlPlane, type KubeApi } from '../cluster/harness.ts';
import { Churn, converge, openSession, resources, type Resources } from './convergence.ts';

const kubeconfig = inject('kubeconfig');
const isCI = process.env.CI === 'true';
if (!kubeconfig && !isCI) console.log('skipped: API server restart tests need the test control plane (see "control plane unavailable" above)');

/** A restart's reconnect: the backoff (at most 2 s), a watch, a relist if the history is gone. */
const convergeMs = 30_000;

test.runIf(!kubeconfig && isCI)('the restart tests have a control plane (CI)', () => {
  expect.fail('CI=true and the test control plane is missing: the restart tests cannot run');
});

describe.skipIf(!kubeconfig)('kube-apiserver killed and restarted under a live session', () => {
  const ns = 'restart-faults';
  const node = 'restart-faults';
  let cp: ControlPlane;
  let api: KubeApi;
  let session: LiveSession;
  let churn: Churn;
  let before: Resources;

  beforeAll(async () => {
    // Its own control plane: stopping the shared one would fail other test files.
    cp = await startControlPlane();
    api = adminApi(cp);
    await api.createNamespace(ns);
    await api.createNode(node, { podCIDR: '10.249.1.0/24', internalIP: '10.249.1.1' });
    await api.createService(ns, { name: 'churn', selector: { app: 'churn' }, ports: [{ port: 80, targetPort: 'http' }] });
    churn = new Churn(api, ns, node, '10.249.1');
    await churn.step();
    before = resources();
    session = await openSession(cp.kubeconfig);
    await converge(session, api, ns, convergeMs);
  });

  afterAll(async () => {
    await session?.close();
    await api?.close();
    await cp?.stop();
  });

  for (const [round, how] of [
    [1, 'killed'],
    [2, 'stopped'],
    [3, 'killed'],
  ] as const) {
    test(`round ${round}, ${how}: unavailable while down, then the model equals a fresh LIST`, async () => {
      await cp.stopApiServer({ kill: how === 'killed' });
      await waitFor(() => session.topology.cluster.unavailableKinds.some((k) => k.kind === 'pods'), convergeMs, 'Pods unavailable in the model');
      await cp.startApiServer();
      await churn.step();
      await converge(session, api, ns, convergeMs);
      await waitFor(() => session.topology.cluster.unavailableKinds.length === 0, convergeMs, 'no kind unavailable in the model');
    });
  }

  for (const [round, how] of [
    [1, 'killed'],
    [2, 'stopped'],
  ] as const) {
    test(`etcd round ${round}, ${how}, with changes made just after it is back: the model equals a fresh LIST`, async () => {
      await cp.stopEtcd({ kill: how === 'killed' });
      // The API server stays up: its watches may go quiet or end, its LISTs fail, for as long as
      // etcd is away; whatever the session makes of that, once etcd is back it converges.
      await cp.startEtcd();
      await churn.step();
      await converge(session, api, ns, convergeMs);
      await waitFor(() => session.topology.cluster.unavailableKinds.length === 0, convergeMs, 'no kind unavailable in the model');
    });
  }

  test('file descriptors and sockets stay bounded', async () => {
    await waitFor(() => resources().fds <= before.fds + 30 && resources().sockets <= before.sockets + 20, 20_000, `fds ≤ ${before.fds + 30}, sockets ≤ ${before.sockets + 20} (now ${JSON.stringify(resources())})`);
  });
});
