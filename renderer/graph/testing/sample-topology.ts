/**
 * A small hand-built Topology for unit tests of the graph: two flannel (VXLAN) nodes, or with
 * `routed: true` two Calico-style nodes without bridge or tunnel. It holds one of everything
 * the graph draws: init and sidecar containers, a hostNetwork pod, a pending pod without node
 * or IP, ready / not-ready / terminating endpoints, a headless Service, a LoadBalancer and an
 * Ingress.
 */
import {
  emptyTopology,
  type ContainerRecord,
  type Device,
  type EndpointRecord,
  type Host,
  type PodRecord,
  type ServiceRecord,
  type Topology,
  type VethRecord,
} from '../../../shared/model/types.ts';

export interface SampleOptions {
  routed?: boolean;
  /** Extra pods per node, to exercise bigger grids. */
  extraPodsPerNode?: number;
  /** Number of nodes (at least 1). */
  nodes?: number;
}

export function sampleTopology(options: SampleOptions = {}): Topology {
  const routed = options.routed ?? false;
  const nodeCount = Math.max(1, options.nodes ?? 2);
  const t: Topology = emptyTopology({
      context: 'kind-sample',
      server: 'https://127.0.0.1:6443',
      kubernetesVersion: 'v1.34.0',
      capturedAt: '2026-11-26T00:00:00Z',
      cni: {
        value: routed
          ? {
              name: 'calico',
              datapath: 'routed',
              encapsulation: null,
              bridgeDevice: null,
              tunnelDevice: null,
              vni: null,
              udpPort: null,
              podAttachment: 'routed',
              peerRouting: 'direct',
              tunnelScope: null,
              vethPrefix: 'cali',
              ipam: 'calico-ipam',
              hostDevices: [],
            }
          : {
              name: 'flannel',
              datapath: 'overlay',
              encapsulation: 'vxlan',
              bridgeDevice: 'cni0',
              tunnelDevice: 'flannel.1',
              vni: 1,
              udpPort: 8472,
              podAttachment: 'bridge',
              peerRouting: 'tunnel-via-pod-cidr',
              tunnelScope: 'all',
              vethPrefix: 'veth',
              ipam: 'host-local',
              hostDevices: ['cni0', 'flannel.1'],
            },
        confidence: 'high',
        evidence: ['DaemonSet kube-flannel/kube-flannel-ds'],
      },
      proxyMode: { value: 'iptables', confidence: 'medium', evidence: ['ConfigMap kube-system/kube-proxy mode ""'] },
      podCIDRs: ['10.244.0.0/16'],
      unavailableKinds: [],
    });
  for (const ns of ['shop', 'kube-system']) t.namespaces[`ns:${ns}`] = { id: `ns:${ns}`, kind: 'namespace', name: ns, labels: {}, isSystem: ns === 'kube-system' };

  const hostNames = Array.from({ length: nodeCount }, (_, i) => `node-${String.fromCharCode(97 + i)}`);
  hostNames.forEach((name, i) => {
    const host: Host = {
      id: `node:${name}`,
      kind: 'host',
      name,
      internalIPs: [`172.18.0.${i + 2}`],
      externalIPs: i === 1 ? ['203.0.113.7'] : [],
      podCIDRs: [`10.244.${i + 1}.0/24`],
      isReady: true,
      zone: null,
      labels: {},
      kubeletVersion: 'v1.34.0',
      devices: [],
      cniPodCIDRs: [`10.244.${i + 1}.0/24`],
      cniPodCIDRsEvidence: 'sample',
      datapathIPs: [`172.18.0.${i + 2}`],
      routes: [],
    };
    t.hosts[host.id] = host;
    const device = (type: Device['type'], extra: Partial<Device>): void => {
      const d: Device = { id: `dev:${name}/${type}`, kind: 'device', host: host.id, type, name: null, nameProvenance: 'unknown', addresses: [], evidence: 'sample', ...extra };
      t.devices[d.id] = d;
      host.devices.push(d.id);
    };
    device('uplink', { addresses: host.internalIPs });
    if (!routed) {
      device('bridge', { name: 'cni0', nameProvenance: 'inferred', addresses: [`10.244.${i + 1}.1/24`] });
      device('tunnel', { name: 'flannel.1', nameProvenance: 'inferred', encapsulation: 'vxlan', vni: 1, udpPort: 8472 });
    }
  });

  const addPod = (
    name: string,
    namespace: string,
    hostIndex: number | null,
    ip: string | null,
    extra: { hostNetwork?: boolean; ready?: boolean; containers?: [string, ContainerRecord['role']][]; vethName?: string } = {},
  ): PodRecord => {
    const uid = `uid-${name}`;
    const id = `pod:${uid}`;
    const hostId = hostIndex === null ? null : `node:${hostNames[hostIndex]}`;
    const containers = (extra.containers ?? [['app', 'app']]).map(([cname, role]): ContainerRecord => ({
      id: `ctr:${uid}/${cname}`,
      kind: 'container',
      pod: id,
      name: cname,
      image: `registry.example/${cname}:1`,
      role,
      ports: role === 'app' ? [{ name: 'http', port: 8080, protocol: 'TCP' }] : [],
      isReady: extra.ready ?? true,
    }));
    const isHostNetwork = extra.hostNetwork ?? false;
    const ips = ip ? [ip] : [];
    let veth: VethRecord | null = null;
    if (hostId && !isHostNetwork && ips.length > 0) {
      veth = {
        id: `veth:${uid}`,
        kind: 'veth',
        pod: id,
        host: hostId,
        podEnd: { name: 'eth0', addresses: ips },
        hostEnd: extra.vethName
          ? { name: extra.vethName, provenance: routed ? 'inferred' : 'observed', how: routed ? 'calico names it cali + hash' : 'node probe' }
          : { name: null, provenance: 'unknown', how: 'flannel names host-side veths randomly' },
        bridge: routed ? null : `dev:${hostNames[hostIndex!]}/bridge`,
        hostRoutes: routed ? [`${ip}/32`] : [],
      };
      t.veths[veth.id] = veth;
    }
    const pod: PodRecord = {
      id,
      kind: 'pod',
      uid,
      name,
      namespace,
      host: hostId,
      isHostNetwork,
      ips,
      phase: ip ? 'Running' : 'Pending',
      isReady: extra.ready ?? ip !== null,
      labels: { app: name.split('-')[0] ?? name },
      owner: { kind: 'ReplicaSet', name: `${name.split('-')[0]}-5d8f` },
      containers: containers.map((c) => c.id),
      veth: veth?.id ?? null,
      netns: isHostNetwork ? null : { interfaces: [{ name: 'lo', addresses: ['127.0.0.1/8'] }, { name: 'eth0', addresses: ips }], defaultRoutes: [] },
    };
    t.pods[id] = pod;
    for (const c of containers) t.containers[c.id] = c;
    return pod;
  };

  const frontend1 = addPod('frontend-1', 'shop', 0, '10.244.1.5', { containers: [['wait-db', 'init'], ['web', 'app']], vethName: 'veth1a2b3c4d' });
  const backend1 = addPod('backend-1', 'shop', 0, '10.244.1.6');
  addPod('kube-proxy-a', 'kube-system', 0, '172.18.0.2', { hostNetwork: true });
  const frontend2 = addPod('frontend-2', 'shop', nodeCount > 1 ? 1 : 0, '10.244.2.5', { containers: [['web', 'app'], ['envoy', 'sidecar']] });
  const backend2 = addPod('backend-2', 'shop', nodeCount > 1 ? 1 : 0, '10.244.2.6', { ready: false });
  const db = addPod('db-0', 'shop', nodeCount > 1 ? 1 : 0, '10.244.2.7');
  addPod('report-7f9c', 'shop', null, null);
  for (let h = 0; h < nodeCount; h++) {
    for (let i = 0; i < (options.extraPodsPerNode ?? 0); i++) addPod(`worker-${h}-${i}`, 'batch', h, `10.244.${h + 1}.${100 + i}`);
  }

  const addService = (name: string, extra: Partial<ServiceRecord>, endpoints: [PodRecord, 'ready' | 'not-ready' | 'terminating'][]): void => {
    const s: ServiceRecord = {
      id: `svc:shop/${name}`,
      kind: 'service',
      name,
      namespace: 'shop',
      type: 'ClusterIP',
      clusterIPs: [`10.96.0.${10 + Object.keys(t.services).length}`],
      isHeadless: false,
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: null }],
      selector: { app: name },
      externalIPs: [],
      loadBalancerIngress: [],
      externalName: null,
      externalTrafficPolicy: null,
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      labels: {},
      ...extra,
    };
    t.services[s.id] = s;
    for (const [pod, state] of endpoints) {
      const address = pod.ips[0]!;
      const e: EndpointRecord = {
        id: `ep:shop/${name}/${address}`,
        kind: 'endpoint',
        service: s.id,
        slice: `${name}-abcde`,
        address,
        isReady: state === 'ready',
        isServing: state !== 'not-ready',
        isTerminating: state === 'terminating',
        nodeName: pod.host?.slice('node:'.length) ?? null,
        zone: null,
        pod: pod.id,
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      };
      t.endpoints[e.id] = e;
    }
  };
  addService('frontend', { type: 'LoadBalancer', loadBalancerIngress: ['198.51.100.10'], externalTrafficPolicy: 'Cluster', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 }] }, [
    [frontend1, 'ready'],
    [frontend2, 'terminating'],
  ]);
  addService('backend', {}, [
    [backend1, 'ready'],
    [backend2, 'not-ready'],
  ]);
  addService('db', { clusterIPs: [], isHeadless: true }, [[db, 'ready']]);

  t.ingresses['ing:shop/shop'] = {
    id: 'ing:shop/shop',
    kind: 'ingress',
    name: 'shop',
    namespace: 'shop',
    className: 'nginx',
    controller: 'k8s.io/ingress-nginx',
    rules: [{ host: 'shop.example.com', path: '/', pathType: 'Prefix', service: 'svc:shop/frontend', port: 80 }],
    loadBalancerIngress: ['198.51.100.20'],
    tlsHosts: [],
  };
  return t;
}

/** The same topology with every collection's keys in reverse order: layout must not care. */
export function reversedKeys(topology: Topology): Topology {
  const reverse = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).reverse());
  return {
    cluster: topology.cluster,
    namespaces: reverse(topology.namespaces),
    hosts: reverse(topology.hosts),
    devices: reverse(topology.devices),
    pods: reverse(topology.pods),
    containers: reverse(topology.containers),
    veths: reverse(topology.veths),
    services: reverse(topology.services),
    endpoints: reverse(topology.endpoints),
    ingresses: reverse(topology.ingresses),
    policies: reverse(topology.policies),
    external: reverse(topology.external),
    gateways: reverse(topology.gateways),
    httpRoutes: reverse(topology.httpRoutes),
  };
}
