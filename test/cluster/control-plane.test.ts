// The test control plane itself, against the real thing: version, users and RBAC, the
// controller manager's EndpointSlices, and stopping/starting kube-apiserver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import type { KubeNode, Namespace, Pod } from '../../shared/kube/objects.ts';
import { adminApi, apiAs, connectControlPlane, KubeApiError, startControlPlane, waitFor } from './harness.ts';
import type { ControlPlane, KubeApi } from './harness.ts';

const kubeconfig = inject('kubeconfig') ?? '';
const unavailable = !kubeconfig;

/** The version test/cluster/build pins (or PODPATH_K8S_VERSION). */
function pinnedVersion(): string {
  const build = readFileSync(join(import.meta.dirname, 'build'), 'utf8');
  const pinned = /K8S_VERSION=\$\{PODPATH_K8S_VERSION:-(v[0-9.]+)\}/.exec(build)?.[1];
  return process.env.PODPATH_K8S_VERSION ?? pinned ?? 'unknown';
}

/** The HTTP status a request answers with (2xx included). */
async function statusOf(api: KubeApi, method: string, path: string, body?: unknown): Promise<number> {
  try {
    await api.request(method, path, body);
    return 200;
  } catch (error) {
    if (error instanceof KubeApiError) return error.status;
    throw error;
  }
}

const suffix = () => Math.random().toString(36).slice(2, 8);

describe.skipIf(unavailable)('the test control plane', () => {
  const cp = unavailable ? undefined : connectControlPlane(kubeconfig);
  const clients: KubeApi[] = [];
  const as = (context: string) => {
    const api = apiAs(cp!, context);
    clients.push(api);
    return api;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  test('serves the pinned Kubernetes version on 127.0.0.1', async () => {
    expect(cp!.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const version = await as('admin').get<{ gitVersion: string; major: string; minor: string }>('/version');
    expect(version.gitVersion).toBe(pinnedVersion());
    expect(`v${version.major}.${version.minor}`).toBe(pinnedVersion().replace(/\.\d+$/, ''));
  });

  test('admin can list nodes and namespaces, including team-a and team-b', async () => {
    const admin = as('admin');
    expect(Array.isArray(await admin.list<KubeNode>('/api/v1/nodes'))).toBe(true);
    const names = (await admin.list<Namespace>('/api/v1/namespaces')).map((n) => n.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'team-a', 'team-b']));
  });

  test('limited reads team-a and team-b only: no Nodes, nothing cluster-wide, no other namespace', async () => {
    const limited = as('limited');
    expect(await statusOf(limited, 'GET', '/api/v1/nodes')).toBe(403);
    expect(await statusOf(limited, 'GET', '/api/v1/pods')).toBe(403);
    expect(await statusOf(limited, 'GET', '/api/v1/namespaces/default/pods')).toBe(403);
    expect(await statusOf(limited, 'GET', '/api/v1/namespaces/kube-system/configmaps')).toBe(403);
    expect(await statusOf(limited, 'GET', '/api/v1/namespaces/team-a/pods')).toBe(200);
    expect(await statusOf(limited, 'GET', '/api/v1/namespaces/team-b/services')).toBe(200);
    expect(await statusOf(limited, 'GET', '/apis/discovery.k8s.io/v1/namespaces/team-a/endpointslices')).toBe(200);
    expect(await statusOf(limited, 'GET', '/apis/networking.k8s.io/v1/namespaces/team-b/networkpolicies')).toBe(200);
    expect(await statusOf(limited, 'POST', '/api/v1/namespaces/team-a/configmaps', { metadata: { name: 'x' } })).toBe(403);
    expect(limited.context).toBe('limited');
  });

  test('cert (client certificate) reads the whole cluster and cannot create anything', async () => {
    const cert = as('cert');
    expect(await statusOf(cert, 'GET', '/api/v1/nodes')).toBe(200);
    expect(await statusOf(cert, 'GET', '/api/v1/pods')).toBe(200);
    expect(await statusOf(cert, 'GET', '/apis/discovery.k8s.io/v1/endpointslices')).toBe(200);
    expect(await statusOf(cert, 'GET', '/apis/apps/v1/daemonsets')).toBe(200);
    expect(await statusOf(cert, 'GET', '/api/v1/secrets')).toBe(403);
    expect(await statusOf(cert, 'POST', '/api/v1/namespaces', { metadata: { name: `nope-${suffix()}` } })).toBe(403);
    expect(await statusOf(cert, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'nope' } })).toBe(403);
  });

  test('kube-controller-manager makes an EndpointSlice with the ready pod of a Service', async () => {
    const admin = as('admin');
    const id = suffix();
    const ns = `cp-${id}`;
    const node = `node-${id}`;
    await admin.createNamespace(ns);
    await admin.createNode(node, { podCIDR: '10.244.7.0/24', internalIP: '172.18.0.7', ready: true });
    const created = await admin.createPod(ns, {
      name: 'web-0',
      labels: { app: 'web' },
      nodeName: node,
      ports: [{ name: 'http', containerPort: 8080 }],
    });
    expect(created.spec.nodeName).toBe(node);
    const pod = await admin.setPodStatus(ns, 'web-0', { podIP: '10.244.7.10', hostIP: '172.18.0.7', phase: 'Running', ready: true });
    expect(pod.status?.podIP).toBe('10.244.7.10');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    const svc = await admin.createService(ns, {
      name: 'web',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(svc.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);

    const endpoint = await waitFor(
      async () => {
        const slices = await admin.endpointSlicesOf(ns, 'web');
        return slices.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses.includes('10.244.7.10') && e.conditions?.ready);
      },
      20_000,
      'an EndpointSlice with 10.244.7.10 ready',
    );
    expect(endpoint.nodeName).toBe(node);
    expect(endpoint.targetRef).toMatchObject({ kind: 'Pod', name: 'web-0', namespace: ns });
    const [slice] = await admin.endpointSlicesOf(ns, 'web');
    expect(slice?.ports).toEqual([expect.objectContaining({ name: 'http', port: 8080, protocol: 'TCP' })]);

    // Not ready → the controller marks the endpoint not ready; deleted → it leaves the slice.
    await admin.setPodStatus(ns, 'web-0', { podIP: '10.244.7.10', hostIP: '172.18.0.7', ready: false });
    await waitFor(
      async () => (await admin.endpointSlicesOf(ns, 'web')).flatMap((s) => s.endpoints ?? []).some((e) => e.conditions?.ready === false),
      20_000,
      'the endpoint marked not ready',
    );
    await admin.deleteObject(`/api/v1/namespaces/${ns}/pods/web-0`);
    expect(await statusOf(admin, 'GET', `/api/v1/namespaces/${ns}/pods/web-0`)).toBe(404);
    await waitFor(
      async () => (await admin.endpointSlicesOf(ns, 'web')).every((s) => (s.endpoints ?? []).length === 0),
      20_000,
      'the endpoint gone',
    );

    await admin.deleteObject(`/api/v1/nodes/${node}`);
    await admin.deleteObject(`/api/v1/namespaces/${ns}`);
  });

  test('NetworkPolicies, Ingresses and hostNetwork pods are accepted as given', async () => {
    const admin = as('admin');
    const ns = `cp-${suffix()}`;
    await admin.createNamespace(ns, { team: 'x' });
    const policy = await admin.createNetworkPolicy(ns, {
      name: 'deny-all',
      podSelector: {},
      policyTypes: ['Ingress'],
    });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const ingress = await admin.createIngress(ns, {
      name: 'web',
      rules: [{ host: 'web.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    });
    expect(ingress.spec.rules?.[0]?.host).toBe('web.example');
    const hostPod = await admin.createPod(ns, { name: 'agent', hostNetwork: true });
    expect(hostPod.spec.hostNetwork).toBe(true);
    const nodePort = await admin.createService(ns, { name: 'np', type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] });
    expect(nodePort.spec.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    const pods = await admin.list<Pod>(`/api/v1/namespaces/${ns}/pods`);
    expect(pods.map((p) => p.metadata.name)).toEqual(['agent']);
    await admin.deleteObject(`/api/v1/namespaces/${ns}`);
  });
});

// Stopping kube-apiserver would pull the API from under every other live test file, so this one
// runs its own control plane.
describe.skipIf(unavailable)('a private control plane', () => {
  let cp: ControlPlane | undefined;
  let admin: KubeApi | undefined;
  afterAll(async () => {
    await admin?.close();
    await cp?.stop();
  });

  test('starts, survives kube-apiserver stops (graceful and killed) and restarts, and stops by process id', async () => {
    cp = await startControlPlane();
    expect(cp.dir).not.toBe(connectControlPlane(kubeconfig).dir);
    admin = adminApi(cp);
    const ns = `restart-${suffix()}`;
    await admin.createNamespace(ns);

    await cp.stopApiServer();
    await expect(admin.get('/version')).rejects.toThrow();
    await cp.startApiServer();
    expect(connectControlPlane(cp.kubeconfig).server).toBe(cp.server);
    const answer = await waitFor(() => admin!.get<Namespace>(`/api/v1/namespaces/${ns}`), 10_000, 'the API after a restart');
    expect(answer.metadata.name).toBe(ns);

    await cp.stopApiServer({ kill: true });
    await expect(admin.get('/version')).rejects.toThrow();
    await cp.startApiServer();
    await cp.restartApiServer();
    expect((await admin.get<{ gitVersion: string }>('/version')).gitVersion).toBe(pinnedVersion());

    const pids = ['etcd', 'kube-apiserver', 'kube-controller-manager'].map((name) =>
      Number(readFileSync(join(cp!.dir, 'pids', `${name}.pid`), 'utf8').trim()),
    );
    const stopping = cp;
    cp = undefined;
    await stopping.stop();
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });
});

/** A live process (a zombie left for a parent that never reaps counts as stopped). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
