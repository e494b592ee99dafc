// The app's "Read this node's datapath" in the backend, against the real control plane
// (test/cluster): a debug pod is never created without the request's confirmation (the
// unconfirmed request answers with the consent and the access check), the limited context is
// refused by RBAC before anything is created, a confirmed read that cannot start its pod (there
// is no kubelet) reports the node as not read and leaves no pod, and readings given to a live
// session join its model. A snapshot session says why nothing can be read.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Events } from '../../shared/ipc.ts';
import type { Pod } from '../../shared/kube/objects.ts';
import { openBackend, type Backend } from '../../electron/backend/backend.ts';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { probeLabel } from '../../electron/backend/probe/probe-pod.ts';
import { LiveSession } from '../../electron/backend/session.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { labReading } from '../fixtures/datapath/lab-cluster.ts';
import { adminApi, waitFor, type KubeApi } from '../cluster/harness.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: the app datapath read tests need the test control plane (see "control plane unavailable" above)');

describe('reading the datapath on a snapshot', () => {
  test('the demo (a snapshot) answers why it cannot be read, and nothing else happens', async () => {
    const backend = await openBackend({ kind: 'demo' });
    try {
      const answer = await backend.handlers.readDatapath({ nodes: 'all' });
      expect(answer).toEqual({ status: 'unavailable', reason: expect.stringContaining('Open a live context') });
      expect(await backend.handlers.cancelDatapathRead({})).toEqual({ isCancelled: false });
    } finally {
      await backend.close();
    }
  });
});

describe.skipIf(!kubeconfig)('reading the datapath in a live context, against the real API server', () => {
  const namespace = `pp-appprobe-${randomBytes(3).toString('hex')}`;
  const node = `${namespace}-node`;
  let api: KubeApi;
  let backend: Backend;
  const progress: Events['didProgressDatapath'][] = [];

  const probePods = (ns: string) => api.list<Pod>(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`${probeLabel}=true`)}`);

  beforeAll(async () => {
    api = adminApi({ kubeconfig: kubeconfig as string });
    await api.createNamespace(namespace);
    await api.createNode(node, { internalIP: '10.250.254.1' });
    backend = await openBackend({ kind: 'demo' }, { kubeconfigPaths: [kubeconfig as string], session: { coalesceMs: 50 }, probe: { namespace, timeoutMs: 3_000 } });
    backend.onEvent((name, payload) => {
      if (name === 'didProgressDatapath') progress.push(payload as Events['didProgressDatapath']);
    });
  });
  afterAll(async () => {
    await backend?.close();
    await api?.deleteObject(`/api/v1/nodes/${node}`);
    await api?.deleteObject(`/api/v1/namespaces/${namespace}`, { gracePeriodSeconds: null });
    await api?.close();
  });

  test('unconfirmed: the consent says what will be created and the access check passed; no pod is created', async () => {
    await backend.open({ kind: 'context', context: 'admin' });
    const answer = await backend.handlers.readDatapath({ nodes: [node] });
    expect(answer.status).toBe('needs-consent');
    if (answer.status !== 'needs-consent') return;
    expect(answer.consent).toMatchObject({ podNodes: [node], namespace, image: 'nicolaka/netshoot:v0.15', access: expect.stringContaining('SelfSubjectAccessReview') });
    expect(answer.consent.text).toContain(`Podpath will create a pod in namespace ${namespace}`);
    expect(answer.consent.text).toContain('privileged');
    expect(answer.consent.text).toContain('deleted afterwards');
    expect(await probePods(namespace)).toEqual([]);
  });

  test('confirmed: the pod is created, cannot start (no kubelet), the node is reported not read and why, and the pod is gone', async () => {
    progress.length = 0;
    const before = await backend.handlers.getState({});
    const answer = await backend.handlers.readDatapath({ nodes: [node], isConfirmed: true });
    expect(answer.status).toBe('done');
    if (answer.status !== 'done') return;
    expect(answer.cancelled).toBe(false);
    expect(answer.nodes).toHaveLength(1);
    expect(answer.nodes[0]).toMatchObject({ node, isRead: false, target: null });
    expect(answer.nodes[0]?.lines[0]).toMatch(new RegExp(`^node ${node}: not read after \\d\\.\\d s: Pod ${namespace}/podpath-probe-\\w+ did not start in time`));
    // Progress went out per step, with the node named, and the node's report once done.
    expect(progress.map((p) => p.line)).toContainEqual(expect.stringMatching(new RegExp(`^node ${node}: created pod ${namespace}/podpath-probe-`)));
    expect(progress.every((p) => p.sessionId === before.sessionId)).toBe(true);
    expect(progress.find((p) => p.done)?.done).toEqual(answer.nodes[0]);
    expect(await probePods(namespace)).toEqual([]);
    // Nothing is lost: the picture is the same session, and its export has no readings to add.
    expect((await backend.handlers.getState({})).sessionId).toBe(before.sessionId);
    const exported = parseSnapshot((await backend.handlers.exportSnapshot({})).text);
    expect(exported.datapath).toBeUndefined();
  });

  test('a second read while one is under way is refused; a cancel stops it and deletes its pod', async () => {
    const first = backend.handlers.readDatapath({ nodes: [node], isConfirmed: true });
    await waitFor(async () => (await probePods(namespace)).length > 0, 10_000, 'the debug pod');
    expect(await backend.handlers.readDatapath({ nodes: [node], isConfirmed: true })).toEqual({ status: 'refused', reason: expect.stringContaining('already under way') });
    expect(await backend.handlers.cancelDatapathRead({})).toEqual({ isCancelled: true });
    const answer = await first;
    expect(answer).toMatchObject({ status: 'done', cancelled: true, nodes: [{ node, isRead: false }] });
    expect(await probePods(namespace)).toEqual([]);
  });

  test('the limited context: every node is refused for want of Nodes, a named one by RBAC; nothing asked, nothing created', async () => {
    await backend.open({ kind: 'context', context: 'limited', namespaces: ['team-b'] });
    const all = await backend.handlers.readDatapath({ nodes: 'all', isConfirmed: true });
    expect(all).toEqual({ status: 'refused', reason: expect.stringMatching(/^There is no node to read: Nodes are forbidden: .+\. Name a node to read it anyway\.$/) });
    const named = await backend.handlers.readDatapath({ nodes: [node] });
    expect(named).toEqual({
      status: 'refused',
      reason:
        'Not allowed to run a node-debug pod in namespace ' +
        `${namespace}: you may not create pods, get pods, list pods, delete pods, create pods/exec, get pods/exec there (SelfSubjectAccessReview). No pod was created.`,
    });
    expect(await probePods(namespace)).toEqual([]);
    expect(await probePods('team-a')).toEqual([]);
  });

  test('readings given to a live session join its model (observed veths and devices) and its source', async () => {
    const config = configForContext(loadKubeconfig([kubeconfig as string]), 'admin');
    const session = await LiveSession.open({ config, contextName: 'admin', coalesceMs: 50 });
    try {
      const reading = { ...labReading(), node };
      session.addReadings([reading]);
      await waitFor(() => session.topology.hosts[`node:${node}`]?.observed !== undefined, 10_000, 'the reading joined');
      const host = session.topology.hosts[`node:${node}`];
      const observed = host?.devices.map((id) => session.topology.devices[id]).filter((d) => d?.nameProvenance === 'observed').map((d) => d?.name);
      expect(observed).toEqual(expect.arrayContaining(['cni0', 'flannel.1']));
      expect(session.source().datapath).toEqual([reading]);
      // A newer reading of the node replaces the older one.
      const newer = { ...reading, readAt: '2026-02-01T00:00:00Z' };
      session.addReadings([newer]);
      expect(session.source().datapath).toEqual([newer]);
      await waitFor(() => session.topology.hosts[`node:${node}`]?.observed?.readAt === newer.readAt, 10_000, 'the newer reading joined');
    } finally {
      await session.close();
    }
  });
});
