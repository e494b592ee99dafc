// `podpath trace --kubeconfig --context` against the real control plane: Pods, a Service and the
// EndpointSlices kube-controller-manager makes for it, read once, traced, the session closed.
import { afterAll, describe, expect, inject, test } from 'vitest';
import type { Trace } from '../../shared/trace/types.ts';
import { adminApi, connectControlPlane, KubeApiError, type KubeApi } from '../cluster/harness.ts';
import { runPodpath } from '../podpath-cli.ts';

const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: live trace tests need the test control plane (see "control plane unavailable" above)');

const podpath = (...args: string[]) => runPodpath(args);

describe.skipIf(!kubeconfig)('podpath trace (live)', () => {
  const id = Math.random().toString(36).slice(2, 8);
  const ns = `trace-${id}`;
  const node = `trace-${id}`;
  // A /24 of its own, so no other test's pod shares an address with these.
  const net = `10.246.${Math.floor(Math.random() * 250) + 1}`;
  const ip = { node: `172.31.${net.split('.')[2]}.1`, coredns: `${net}.2`, client: `${net}.10`, web: `${net}.11` };
  const corednsPod = `coredns-${id}`;
  let api: KubeApi;
  let isKubeDnsOurs = false;

  const trace = (...extra: string[]) => podpath('trace', '--kubeconfig', kubeconfig, '--context', 'admin', '--from', `${ns}/client`, '--to', `svc/${ns}/web`, '--port', '80', ...extra);
  const webSlices = async () => (await api.endpointSlicesOf(ns, 'web')).flatMap((s) => s.endpoints ?? []).filter((e) => e.addresses.includes(ip.web));

  afterAll(async () => {
    if (!api) return;
    await api.deleteObject(`/api/v1/namespaces/${ns}`);
    await api.deleteObject(`/api/v1/namespaces/kube-system/pods/${corednsPod}`);
    if (isKubeDnsOurs) await api.deleteObject('/api/v1/namespaces/kube-system/services/kube-dns');
    await api.deleteObject(`/api/v1/nodes/${node}`);
    await api.close();
  });

  test('client → svc/ns/web: DNS by CoreDNS, DNAT to the ready pod at its targetPort, delivered; not ready → no-endpoints', async () => {
    api = adminApi(connectControlPlane(kubeconfig));
    await api.createNamespace(ns);
    await api.createNode(node, { podCIDR: `${net}.0/24`, internalIP: ip.node });
    // A name lookup needs the cluster DNS every real cluster runs: the kube-dns Service in
    // kube-system and a CoreDNS pod behind it (the tracer follows the pod's resolv.conf there).
    await api.createPod('kube-system', {
      name: corednsPod,
      labels: { 'k8s-app': 'kube-dns' },
      nodeName: node,
      ports: [
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      ],
    });
    await api.setPodStatus('kube-system', corednsPod, { podIP: ip.coredns, hostIP: ip.node });
    try {
      await api.createService('kube-system', {
        name: 'kube-dns',
        labels: { 'k8s-app': 'kube-dns' },
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
        ],
      });
      isKubeDnsOurs = true;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }

    await api.createPod(ns, { name: 'client', labels: { app: 'client' }, nodeName: node });
    await api.setPodStatus(ns, 'client', { podIP: ip.client, hostIP: ip.node });
    await api.createPod(ns, { name: 'web-0', labels: { app: 'web' }, nodeName: node, ports: [{ name: 'http', containerPort: 8080 }] });
    await api.setPodStatus(ns, 'web-0', { podIP: ip.web, hostIP: ip.node });
    const service = await api.createService(ns, { name: 'web', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    const clusterIP = service.spec.clusterIP ?? '';
    expect(clusterIP).toMatch(/^10\.96\./);

    // The real endpointslice controller, not the test, lists the pod.
    await api.waitFor(async () => (await webSlices()).some((e) => e.conditions?.ready === true), 20_000, `an EndpointSlice with ${ip.web} ready`);
    await api.waitFor(
      async () => (await api.endpointSlicesOf('kube-system', 'kube-dns')).some((s) => (s.endpoints ?? []).some((e) => e.addresses.includes(ip.coredns) && e.conditions?.ready)),
      20_000,
      `kube-dns's EndpointSlice with ${ip.coredns}`,
    );

    const text = await trace();
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`trace ${ns}/client → svc/${ns}/web:80/TCP`);
    expect(text.stdout).toContain(`DNS  web.${ns}.svc.cluster.local → A ${clusterIP}  (resolved)`);
    expect(text.stdout).toMatch(new RegExp(`^ +DNAT ${clusterIP.replace(/\./g, '\\.')}:80 → ${ip.web.replace(/\./g, '\\.')}:8080$`, 'm'));
    expect(text.stdout).toContain(`  branch 1 of 1  ${ip.web}:8080 (${ns}/web-0 on ${node}): delivered\n`);
    expect(text.stdout).toMatch(/\nverdict: delivered — .+\n$/);

    const json = await trace('--json');
    expect(json.code).toBe(0);
    const delivered = JSON.parse(json.stdout) as Trace;
    expect(delivered.verdict).toBe('delivered');
    expect(delivered.dns).toMatchObject({ status: 'resolved', answer: { type: 'A', values: [clusterIP] }, service: 'svc:kube-system/kube-dns' });
    expect(delivered.dns?.endpoints).toContain(`ep:kube-system/kube-dns/${ip.coredns}`);
    expect(delivered.branches).toHaveLength(1);
    const [branch] = delivered.branches;
    expect(branch).toMatchObject({ verdict: 'delivered', endpoint: `ep:${ns}/web/${ip.web}` });
    expect(branch?.hops.find((h) => h.kind === 'kube-proxy-dnat')?.packet).toMatchObject({ src: ip.client, dst: ip.web, dstPort: 8080, protocol: 'TCP' });
    expect(branch?.hops.at(-1)?.packet).toMatchObject({ dst: ip.web, dstPort: 8080 });

    // The pod stops being Ready: the controller marks its endpoint not ready, and the Service
    // has nothing to send to.
    await api.setPodStatus(ns, 'web-0', { podIP: ip.web, hostIP: ip.node, ready: false });
    await api.waitFor(async () => (await webSlices()).some((e) => e.conditions?.ready === false), 20_000, `the EndpointSlice with ${ip.web} not ready`);
    const rejected = await trace();
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(/^ +\d+ {2}endpoint +(inferred|observed) +endpoints of svc .+: none usable /m);
    expect(rejected.stdout).toMatch(/\nverdict: no-endpoints — .+\n$/);
    const none = JSON.parse((await trace('--json')).stdout) as Trace;
    expect(none).toMatchObject({ verdict: 'no-endpoints', branches: [] });
  });
});
