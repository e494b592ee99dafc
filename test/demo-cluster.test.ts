import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { EndpointSlice, KubeNode, Pod, Service, ServicePort } from '../shared/kube/objects.ts';
import { parseSnapshot, serializeSnapshot } from '../shared/snapshot/format.ts';
import { buildDemoSnapshot, demoSnapshotPath } from '../scripts/make-demo.ts';

const text = readFileSync(demoSnapshotPath, 'utf8');
const snapshot = parseSnapshot(text, 'demo-cluster.podpath.json');
const { objects } = snapshot;

const key = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function find<T extends { metadata: { namespace?: string; name: string } }>(list: T[], namespace: string, name: string): T {
  const found = list.find((o) => (o.metadata.namespace ?? '') === namespace && o.metadata.name === name);
  if (!found) throw new Error(`no ${namespace}/${name}`);
  return found;
}

function node(name: string): KubeNode {
  return find(objects.nodes, '', name);
}

function internalIP(n: KubeNode): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function inCIDR(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = ipToInt(base);
  return ipToInt(ip) >= start && ipToInt(ip) < start + size;
}

function podsOf(namespace: string, selector: Record<string, string>): Pod[] {
  return objects.pods.filter(
    (p) => p.metadata.namespace === namespace && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
  );
}

function sliceOf(service: Service): EndpointSlice {
  const slices = objects.endpointSlices.filter(
    (s) => s.metadata.namespace === service.metadata.namespace && s.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name,
  );
  expect(slices, key(service)).toHaveLength(1);
  return slices[0] as EndpointSlice;
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('the bundled demo cluster', () => {
  test('is what scripts/make-demo.ts generates now, byte for byte', () => {
    expect(text).toBe(serializeSnapshot(buildDemoSnapshot(), { isReadable: true }));
    expect(serializeSnapshot(buildDemoSnapshot(), { isReadable: true })).toBe(serializeSnapshot(buildDemoSnapshot(), { isReadable: true }));
  });

  test('says where it came from', () => {
    expect(snapshot.source).toMatchObject({ context: 'demo', server: null, kubernetesVersion: 'v1.33.2' });
    expect(snapshot.source.description).toMatch(/demo cluster/);
    expect(Date.parse(snapshot.source.capturedAt)).not.toBeNaN();
  });

  test('holds a small cluster of the expected size', () => {
    expect(objects.nodes).toHaveLength(3);
    expect(objects.pods).toHaveLength(39);
    expect(objects.services).toHaveLength(17);
    expect(objects.endpointSlices).toHaveLength(16);
    expect(objects.networkPolicies).toHaveLength(5);
    expect(objects.ingresses).toHaveLength(1);
    expect(objects.ingressClasses).toHaveLength(1);
    expect(new Set(objects.pods.map((p) => p.metadata.namespace)).size).toBeGreaterThanOrEqual(5);
    expect(objects.configMaps.map(key).sort()).toEqual(['kube-flannel/kube-flannel-cfg', 'kube-system/kube-proxy']);
    expect(objects.daemonSets.map(key).sort()).toEqual(['kube-flannel/kube-flannel-ds', 'kube-system/kube-proxy', 'monitoring/node-exporter']);
  });

  test('has unique uids and unique names per kind', () => {
    const all = Object.values(objects).flat() as { metadata: { uid: string } }[];
    expect(new Set(all.map((o) => o.metadata.uid)).size).toBe(all.length);
    for (const list of Object.values(objects) as { metadata: { namespace?: string; name: string } }[][]) {
      expect(new Set(list.map(key)).size).toBe(list.length);
    }
    for (const o of all) expect(o.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('has a Namespace object, labelled with its name, for every namespace used', () => {
    const names = new Set(objects.namespaces.map((n) => n.metadata.name));
    const used = Object.values(objects)
      .flat()
      .map((o) => (o as { metadata: { namespace?: string } }).metadata.namespace)
      .filter((n): n is string => n !== undefined);
    for (const ns of used) expect(names).toContain(ns);
    for (const ns of objects.namespaces) expect(ns.metadata.labels?.['kubernetes.io/metadata.name']).toBe(ns.metadata.name);
  });

  test('has three ready nodes with pod CIDRs from 10.244.0.0/16 and internal and external addresses', () => {
    const cidrs = objects.nodes.map((n) => n.spec?.podCIDR);
    expect(cidrs).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
    for (const n of objects.nodes) {
      expect(n.spec?.podCIDRs).toEqual([n.spec?.podCIDR]);
      const types = n.status?.addresses?.map((a) => a.type);
      expect(types).toEqual(expect.arrayContaining(['InternalIP', 'ExternalIP', 'Hostname']));
      expect(n.status?.addresses?.find((a) => a.type === 'ExternalIP')?.address).toMatch(/^203\.0\.113\./);
      expect(n.status?.conditions).toContainEqual({ type: 'Ready', status: 'True' });
      expect(n.status?.nodeInfo?.kubeletVersion).toBe('v1.33.2');
      expect(n.metadata.labels?.['topology.kubernetes.io/zone']).toBeTruthy();
    }
    expect(node('demo-control-plane').metadata.labels).toHaveProperty('node-role.kubernetes.io/control-plane', '');
  });

  test('gives every scheduled pod a consistent address: its own from its node’s podCIDR, or the node’s with hostNetwork', () => {
    const podIPs: string[] = [];
    for (const pod of objects.pods) {
      if (!pod.spec.nodeName) continue;
      const n = node(pod.spec.nodeName);
      const ip = pod.status?.podIP ?? '';
      expect(pod.status?.hostIP, key(pod)).toBe(internalIP(n));
      expect(pod.status?.podIPs).toEqual([{ ip }]);
      if (pod.spec.hostNetwork) {
        expect(ip, key(pod)).toBe(internalIP(n));
      } else {
        expect(inCIDR(ip, n.spec?.podCIDR ?? ''), `${key(pod)} ${ip}`).toBe(true);
        expect(ip.endsWith('.0') || ip.endsWith('.1'), `${key(pod)} ${ip}`).toBe(false);
        podIPs.push(ip);
      }
      expect(pod.status?.containerStatuses?.map((c) => c.name)).toEqual(pod.spec.containers.map((c) => c.name));
    }
    expect(new Set(podIPs).size).toBe(podIPs.length);
  });

  test('names pods after their owners, as the controllers do', () => {
    for (const pod of objects.pods) {
      const owner = pod.metadata.ownerReferences?.[0];
      expect(owner, key(pod)).toBeDefined();
      if (!owner) continue;
      const name = pod.metadata.name;
      switch (owner.kind) {
        case 'ReplicaSet':
          expect(owner.name).toBe(`${owner.name.slice(0, owner.name.lastIndexOf('-'))}-${pod.metadata.labels?.['pod-template-hash']}`);
          expect(name).toMatch(new RegExp(`^${owner.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
          break;
        case 'StatefulSet':
          expect(name).toBe(`${owner.name}-${pod.metadata.labels?.['apps.kubernetes.io/pod-index']}`);
          break;
        case 'DaemonSet':
          expect(name).toMatch(new RegExp(`^${owner.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
          expect(objects.daemonSets.map(key)).toContain(`${pod.metadata.namespace}/${owner.name}`);
          break;
        case 'Node':
          expect(name).toBe(`${pod.metadata.labels?.['component']}-${owner.name}`);
          break;
        default:
          throw new Error(`unexpected owner ${owner.kind} of ${key(pod)}`);
      }
    }
  });

  test('runs CoreDNS behind kube-dns at 10.96.0.10', () => {
    const dns = find(objects.services, 'kube-system', 'kube-dns');
    expect(dns.spec.clusterIP).toBe('10.96.0.10');
    expect(dns.spec.ports?.map((p) => [p.name, p.port, p.protocol])).toEqual([
      ['dns', 53, 'UDP'],
      ['dns-tcp', 53, 'TCP'],
      ['metrics', 9153, 'TCP'],
    ]);
    const coredns = podsOf('kube-system', { 'k8s-app': 'kube-dns' });
    expect(coredns).toHaveLength(2);
    for (const p of coredns) expect(p.metadata.ownerReferences?.[0]?.name).toMatch(/^coredns-/);
    expect(sliceOf(dns).endpoints?.map((e) => e.addresses[0]).sort()).toEqual(coredns.map((p) => p.status?.podIP).sort());
  });

  test('runs kube-proxy in iptables mode, one hostNetwork pod per node', () => {
    const config = find(objects.configMaps, 'kube-system', 'kube-proxy').data?.['config.conf'] ?? '';
    expect(config).toMatch(/^kind: KubeProxyConfiguration$/m);
    expect(config).toMatch(/^mode: "iptables"$/m);
    expect(config).toMatch(/^clusterCIDR: 10\.244\.0\.0\/16$/m);
    const pods = podsOf('kube-system', { 'k8s-app': 'kube-proxy' });
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(objects.nodes.map((n) => n.metadata.name).sort());
    for (const p of pods) expect(p.spec.hostNetwork).toBe(true);
    const ds = find(objects.daemonSets, 'kube-system', 'kube-proxy');
    expect(ds.spec.template.spec.hostNetwork).toBe(true);
    expect(ds.status).toEqual({ desiredNumberScheduled: 3, numberReady: 3 });
  });

  test('runs Flannel with VXLAN from the upstream manifest', () => {
    const cfg = find(objects.configMaps, 'kube-flannel', 'kube-flannel-cfg');
    expect(JSON.parse(cfg.data?.['net-conf.json'] ?? '')).toEqual({ Network: '10.244.0.0/16', EnableNFTables: false, Backend: { Type: 'vxlan' } });
    const cni = JSON.parse(cfg.data?.['cni-conf.json'] ?? '') as { name: string; plugins: { type: string }[] };
    expect(cni.name).toBe('cbr0');
    expect(cni.plugins.map((p) => p.type)).toEqual(['flannel', 'portmap']);
    const ds = find(objects.daemonSets, 'kube-flannel', 'kube-flannel-ds');
    expect(ds.spec.template.spec.hostNetwork).toBe(true);
    expect(ds.spec.template.spec.containers[0]?.image).toMatch(/^docker\.io\/flannel\/flannel:v0\.26\.\d+$/);
    const pods = podsOf('kube-flannel', { app: 'flannel' });
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(objects.nodes.map((n) => n.metadata.name).sort());
    for (const p of pods) expect(p.spec.hostNetwork).toBe(true);
  });

  test('has the kubernetes Service pointing at the apiserver on the control plane', () => {
    const svc = find(objects.services, 'default', 'kubernetes');
    expect(svc.spec.clusterIP).toBe('10.96.0.1');
    expect(svc.spec.ports?.[0]).toMatchObject({ port: 443, targetPort: 6443 });
    const slice = sliceOf(svc);
    expect(slice.endpoints).toEqual([{ addresses: [internalIP(node('demo-control-plane'))], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: 'https', port: 6443, protocol: 'TCP' }]);
  });

  test('exposes ingress-nginx through a LoadBalancer with externalTrafficPolicy Local', () => {
    const svc = find(objects.services, 'ingress-nginx', 'ingress-nginx-controller');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    expect(svc.spec.ports?.map((p) => p.port)).toEqual([80, 443]);
    for (const p of svc.spec.ports ?? []) expect(p.nodePort).toBeGreaterThanOrEqual(30000);
    expect(svc.status?.loadBalancer?.ingress).toEqual([{ ip: '203.0.113.10' }]);
    expect(podsOf('ingress-nginx', svc.spec.selector ?? {})).toHaveLength(2);
    expect(objects.ingressClasses[0]).toMatchObject({ metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
  });

  test('has the three-tier shop: Deployments, a StatefulSet behind a headless Service, and an Ingress', () => {
    const readyPods = (app: string) => podsOf('shop', { app }).filter((p) => isReady(p) && !p.metadata.deletionTimestamp);
    expect(readyPods('frontend')).toHaveLength(3);
    expect(readyPods('backend')).toHaveLength(3);
    expect(podsOf('shop', { app: 'db' }).map((p) => p.metadata.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    expect(find(objects.services, 'shop', 'frontend').spec.type).toBe('ClusterIP');
    expect(find(objects.services, 'shop', 'backend').spec.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]);
    expect(sliceOf(find(objects.services, 'shop', 'backend')).ports?.[0]?.port).toBe(8080);
    const db = find(objects.services, 'shop', 'db');
    expect(db.spec.clusterIP).toBe('None');
    expect(sliceOf(db).endpoints?.map((e) => e.hostname)).toEqual(['db-0', 'db-1', 'db-2']);

    const ingress = find(objects.ingresses, 'shop', 'shop');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules?.[0]?.host).toBe('shop.example.com');
    expect(ingress.spec.rules?.[0]?.http?.paths.map((p) => [p.path, p.backend.service?.name, p.backend.service?.port.number])).toEqual([
      ['/', 'frontend', 80],
      ['/api', 'backend', 80],
    ]);
  });

  test('guards the shop with a default deny and allow rules', () => {
    const policies = objects.networkPolicies.filter((p) => p.metadata.namespace === 'shop');
    const deny = find(policies, 'shop', 'default-deny-all');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const frontend = find(policies, 'shop', 'frontend-allow');
    expect(frontend.spec.ingress?.[0]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
    const backend = find(policies, 'shop', 'backend-allow');
    expect(backend.spec.ingress?.[0]?.from).toContainEqual({ podSelector: { matchLabels: { app: 'frontend' } } });
    expect(backend.spec.ingress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 'http' }]);
    expect(find(policies, 'shop', 'db-allow').spec.ingress?.[0]).toMatchObject({
      from: expect.arrayContaining([{ podSelector: { matchLabels: { app: 'backend' } } }]),
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
    const dns = find(policies, 'shop', 'allow-dns-egress');
    expect(dns.spec.egress?.[0]?.to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
    ]);
    expect(dns.spec.egress?.[0]?.ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
  });

  test('has a NodePort Service', () => {
    const grafana = find(objects.services, 'monitoring', 'grafana');
    expect(grafana.spec.type).toBe('NodePort');
    expect(grafana.spec.ports?.[0]?.nodePort).toBe(30300);
  });

  test('has a Service with endpoints but none ready, one selecting nothing, and an ExternalName', () => {
    const ledger = sliceOf(find(objects.services, 'payments', 'ledger'));
    expect(ledger.endpoints?.length).toBeGreaterThan(0);
    for (const e of ledger.endpoints ?? []) expect(e.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(sliceOf(find(objects.services, 'payments', 'fraud-check')).endpoints).toEqual([]);
    const external = find(objects.services, 'payments', 'card-gateway');
    expect(external.spec.type).toBe('ExternalName');
    expect(objects.endpointSlices.some((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'card-gateway')).toBe(false);
  });

  test('has a pod with a native sidecar and an ordinary init container', () => {
    const pod = objects.pods.find((p) => p.spec.initContainers?.some((c) => c.restartPolicy === 'Always'));
    expect(pod).toBeDefined();
    expect(pod?.spec.initContainers?.some((c) => c.restartPolicy === undefined)).toBe(true);
    expect(pod?.spec.initContainers?.find((c) => c.restartPolicy === 'Always')?.image).toMatch(/envoy/);
    expect(pod?.status?.initContainerStatuses).toHaveLength(pod?.spec.initContainers?.length ?? -1);
  });

  test('has a hostNetwork pod besides kube-proxy and Flannel', () => {
    const pods = podsOf('monitoring', { 'app.kubernetes.io/name': 'node-exporter' });
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p.spec.hostNetwork).toBe(true);
  });

  test('has a pod the scheduler could not place', () => {
    const pending = objects.pods.filter((p) => p.status?.phase === 'Pending');
    expect(pending).toHaveLength(1);
    const pod = pending[0] as Pod;
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.status?.podIP).toBeUndefined();
    expect(pod.status?.conditions).toEqual([{ type: 'PodScheduled', status: 'False' }]);
  });

  test('has a terminating endpoint from a pod being deleted', () => {
    const terminating = objects.endpointSlices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.terminating);
    expect(terminating).toHaveLength(1);
    expect(terminating[0]?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    const pod = objects.pods.find((p) => p.metadata.uid === terminating[0]?.targetRef?.uid);
    expect(pod?.metadata.deletionTimestamp).toBeDefined();
  });

  test('has an EndpointSlice for every Service, as the EndpointSlice controller keeps them', () => {
    for (const svc of objects.services) {
      if (svc.spec.type === 'ExternalName') continue;
      const slice = sliceOf(svc);
      expect(slice.addressType).toBe('IPv4');
      if (svc.metadata.name === 'kubernetes' && svc.metadata.namespace === 'default') continue;
      expect(slice.metadata.name).toMatch(new RegExp(`^${svc.metadata.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
      const selected = podsOf(svc.metadata.namespace ?? '', svc.spec.selector ?? {}).filter((p) => p.status?.podIP);
      expect(slice.endpoints?.map((e) => e.targetRef?.name).sort(), key(svc)).toEqual(selected.map((p) => p.metadata.name).sort());
      for (const e of slice.endpoints ?? []) {
        const pod = selected.find((p) => p.metadata.uid === e.targetRef?.uid);
        expect(pod, key(svc)).toBeDefined();
        if (!pod) continue;
        expect(e.targetRef).toEqual({ kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid });
        expect(e.addresses).toEqual([pod.status?.podIP]);
        expect(e.nodeName).toBe(pod.spec.nodeName);
        expect(e.zone).toBe(node(pod.spec.nodeName ?? '').metadata.labels?.['topology.kubernetes.io/zone']);
        const deleting = pod.metadata.deletionTimestamp !== undefined;
        expect(e.conditions).toEqual({ ready: isReady(pod) && !deleting, serving: isReady(pod), terminating: deleting });
        expect(slice.ports).toEqual(
          (svc.spec.ports ?? []).map((sp) => expect.objectContaining({ name: sp.name, protocol: sp.protocol, port: targetPortOf(pod, sp) })),
        );
      }
    }
  });

  test('contains no Secrets, environment values or last-applied annotations', () => {
    expect(text).not.toMatch(/"kind":\s*"Secret"/);
    expect(text).not.toContain('last-applied-configuration');
    const offending: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (['env', 'envFrom', 'secrets', 'token', 'password', 'secretName'].includes(k)) offending.push(`${path}.${k}`);
          if (k === 'kubectl.kubernetes.io/last-applied-configuration') offending.push(`${path}.${k}`);
          walk(v, `${path}.${k}`);
        }
      }
    };
    walk(JSON.parse(text), '');
    expect(offending).toEqual([]);
    expect(Object.keys(objects)).not.toContain('secrets');
  });
});

function targetPortOf(pod: Pod, sp: ServicePort): number | undefined {
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  return containers.flatMap((c) => c.ports ?? []).find((p) => p.name === sp.targetPort)?.containerPort;
}
