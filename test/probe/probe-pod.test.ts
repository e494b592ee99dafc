// The debug-pod source against the real control plane (test/cluster). There is no kubelet, so a
// debug pod never runs by itself: these tests check what is created (the pod spec, its labels,
// the pinned node), the access check (the `limited` context may not create pods: refused,
// nothing created), and that the pod is gone afterwards whatever happened — a timeout, a pod
// that failed, an exec that could not reach a kubelet, a cancel — and stale pods are deleted.
// The exec itself, through kube-apiserver to a kubelet stand-in, is probe-pod-exec.test.ts's.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Pod } from '../../shared/kube/objects.ts';
import { configForContext } from '../../electron/backend/kube/context-config.ts';
import { loadKubeconfig } from '../../electron/backend/kube/kubeconfig.ts';
import { checkDebugPodAccess, deleteStaleProbePods, probeLabel, probeStartedLabel, probeWithDebugPod, ProbeRefused } from '../../electron/backend/probe/probe-pod.ts';
import { defaultProbeImage } from '../../electron/backend/probe/defaults.ts';
import { probeClusterNodes } from '../../electron/backend/probe/probe-cluster.ts';
import { adminApi, KubeApiError, type KubeApi } from '../cluster/harness.ts';
import { runPodpath } from '../podpath-cli.ts';
import { tempDirs } from '../temp-dirs.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: the debug-pod probe tests: the test control plane is unavailable (see "control plane unavailable" above)');

describe.skipIf(!kubeconfig)('the debug-pod probe, against the real API server', () => {
  const namespace = `pp-probe-${randomBytes(3).toString('hex')}`;
  const node = `${namespace}-node`;
  let api: KubeApi;
  let admin: KubeConfig;
  let limited: KubeConfig;
  const tempDir = tempDirs('podpath-probe-debug-');

  const probePods = async (ns = namespace) => api.list<Pod>(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`${probeLabel}=true`)}`);
  const isGone = async (name: string) =>
    api.get(`/api/v1/namespaces/${namespace}/pods/${name}`).then(
      () => false,
      (error: unknown) => error instanceof KubeApiError && error.status === 404,
    );

  /** Runs probeWithDebugPod, calling `whileCreated` with the pod's name once it exists; resolves with the error it ended with. */
  async function probeUntilError(timeoutMs: number, whileCreated: (name: string) => Promise<void>, signal?: AbortSignal): Promise<{ name: string; error: string }> {
    let created: Promise<void> = Promise.resolve();
    let name = '';
    const error = await probeWithDebugPod(admin, {
      node,
      namespace,
      timeoutMs,
      commandTimeoutMs: 5_000,
      signal,
      onProgress: (line) => {
        const match = /^created pod [^/]+\/(\S+)/.exec(line);
        if (match) created = whileCreated((name = match[1] as string));
      },
    }).then(
      (reading) => `resolved: ${JSON.stringify(reading.commands.links)}`,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    await created;
    return { name, error };
  }

  beforeAll(async () => {
    api = adminApi({ kubeconfig });
    await api.createNamespace(namespace);
    // A Node only so that the CLI finds the name among the cluster's: no exec is ever made to a
    // pod on it (the API server would dial its kubelet); the exec test uses a node with no object.
    await api.createNode(node, { internalIP: '10.250.255.1' });
    const loaded = loadKubeconfig([kubeconfig]);
    admin = configForContext(loaded, 'admin');
    limited = configForContext(loaded, 'limited');
  });
  afterAll(async () => {
    await api?.deleteObject(`/api/v1/nodes/${node}`);
    await api?.deleteObject(`/api/v1/namespaces/${namespace}`, { gracePeriodSeconds: null });
    await api?.close();
  });

  test('the limited context is refused, naming what it may not do, and nothing is asked or created', async () => {
    await expect(checkDebugPodAccess(limited, 'team-a')).rejects.toThrow(ProbeRefused);
    let isAsked = false;
    const refusal = await probeClusterNodes({
      config: limited,
      contextName: 'limited',
      nodes: [],
      names: [node],
      namespace: 'team-a',
      timeoutMs: 5_000,
      confirm: () => ((isAsked = true), Promise.resolve(true)),
    }).then(
      () => 'probed',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    // podpath-reader may get and list pods; everything else the debug pod needs is missing.
    expect(refusal).toBe(
      'Not allowed to run a node-debug pod in namespace team-a: you may not create pods, delete pods, create pods/exec, get pods/exec there (SelfSubjectAccessReview). No pod was created.',
    );
    expect(isAsked).toBe(false);
    expect(await probePods('team-a')).toEqual([]);
  });

  test('podpath snapshot --probe-node as the limited user: exit 2 with the refusal, no pod', async () => {
    const result = await runPodpath(['snapshot', '--kubeconfig', kubeconfig, '--context', 'limited', '-n', 'team-a', '--probe-node', node, '--yes', '-o', '/dev/null']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('you may not create pods, delete pods, create pods/exec, get pods/exec');
    expect(await probePods('team-a')).toEqual([]);
  });

  test('without --yes and without a terminal, the consent is printed and refused; no pod', async () => {
    const result = await runPodpath(['snapshot', '--kubeconfig', kubeconfig, '--context', 'admin', '--probe-node', node, '--probe-namespace', namespace, '-o', '/dev/null']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Podpath will create a pod in namespace ${namespace}`);
    expect(result.stderr).toContain('needs your consent');
    expect(await probePods()).toEqual([]);
  });

  test('podpath snapshot --probe-node --yes: the node not read in time is named, the pod is gone, the snapshot is written and partial', async () => {
    const output = join(tempDir(), 'probed.podpath.json');
    const result = await runPodpath(['snapshot', '--kubeconfig', kubeconfig, '--context', 'admin', '--probe-node', node, '--probe-namespace', namespace, '--probe-timeout', '2', '--yes', '-o', output]);
    expect(result.stderr).toContain(`Podpath will create a pod in namespace ${namespace}`);
    expect(result.stderr).toMatch(new RegExp(`podpath: probe node ${node}: created pod ${namespace}/podpath-probe-\\w+ on node ${node}`));
    expect(result.stderr).toMatch(new RegExp(`podpath: probe node ${node}: not read after \\d\\.\\d s: Pod ${namespace}/podpath-probe-\\w+ did not start in time \\(still Pending\\)\\.`));
    expect(result.code).toBe(1);
    expect((JSON.parse(readFileSync(output, 'utf8')) as { datapath?: unknown[] }).datapath).toEqual([]);
    expect(await probePods()).toEqual([]);
  });

  test('the pod as created: pinned to the node, host namespaces, privileged, labelled; deleted when it does not start in time', async () => {
    let asCreated: V1Pod | null = null;
    const { name, error } = await probeUntilError(3_000, async (podName) => {
      asCreated = await api.get<V1Pod>(`/api/v1/namespaces/${namespace}/pods/${podName}`);
    });
    expect(error).toMatch(new RegExp(`^Pod ${namespace}/${name} did not start in time \\(still Pending\\)\\.$`));
    const pod = asCreated as V1Pod | null;
    expect(pod?.metadata?.labels).toEqual({ [probeLabel]: 'true', [probeStartedLabel]: expect.stringMatching(/^\d{10}$/) });
    expect(pod?.spec).toMatchObject({
      nodeName: node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      activeDeadlineSeconds: 3,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
    });
    const container = pod?.spec?.containers[0];
    expect(container).toMatchObject({ name: 'probe', image: defaultProbeImage, command: ['sleep', '3'], securityContext: { privileged: true } });
    expect(container?.env).toBeUndefined();
    expect(container?.volumeMounts).toEqual([expect.objectContaining({ mountPath: '/var/run/netns', readOnly: true, mountPropagation: 'HostToContainer' })]);
    expect(await isGone(name)).toBe(true);
  });

  test('a pod that fails before the probe runs is deleted, and the error says so', async () => {
    const { name, error } = await probeUntilError(20_000, async (podName) => {
      await api.setPodStatus(namespace, podName, { phase: 'Failed' });
    });
    expect(error).toBe(`Pod ${namespace}/${name} ended (Failed) before the probe ran.`);
    expect(await isGone(name)).toBe(true);
  });

  test('a running pod whose exec fails (no kubelet): every command says why, and the pod is deleted', async () => {
    let name = '';
    // No Node object: the API server answers the exec at once (404), dialing nothing.
    const ghost = `${namespace}-ghost`;
    const reading = await probeWithDebugPod(admin, {
      node: ghost,
      namespace,
      timeoutMs: 20_000,
      commandTimeoutMs: 5_000,
      onProgress: (line) => {
        const match = /^created pod [^/]+\/(\S+)/.exec(line);
        if (match) void api.setPodStatus(namespace, (name = match[1] as string), { phase: 'Running' });
      },
    });
    expect(reading).toMatchObject({ node: ghost, source: 'debug-pod', target: `pod ${namespace}/${name}`, pods: [] });
    expect(reading.commands.links).toMatchObject({ status: 'failed', exitCode: null, message: expect.stringMatching(/^exec into pod .* failed: Unexpected server response: \d{3}\.$/) });
    expect(reading.commands.nftables).toMatchObject({ status: 'failed', message: expect.stringMatching(/^Not run: exec into pod/) });
    expect(await isGone(name)).toBe(true);
  });

  test('a cancelled probe deletes its pod', async () => {
    const cancel = new AbortController();
    const { name, error } = await probeUntilError(
      20_000,
      async () => {
        cancel.abort();
      },
      cancel.signal,
    );
    expect(error).toMatch(/^Cancelled while waiting for pod /);
    expect(await isGone(name)).toBe(true);
  });

  test('stale debug pods (older than the timeout) are deleted; younger ones and unlabelled pods are not', async () => {
    const pod = (name: string, labels: Record<string, string>) => api.createPod(namespace, { name, labels, nodeName: node });
    await pod('left-behind', { [probeLabel]: 'true' });
    await pod('not-a-probe', { app: 'web' });
    expect(await deleteStaleProbePods(admin, namespace, 3_600_000)).toEqual([]);
    // Every pod here was created before now: with a timeout of 0 they are all older than it.
    expect(await deleteStaleProbePods(admin, namespace, 0)).toEqual(['left-behind']);
    expect(await isGone('left-behind')).toBe(true);
    expect(await isGone('not-a-probe')).toBe(false);
  });
});
