import { describe, expect, test } from 'vitest';
import { emptyObjects, type ClusterObjects, type DaemonSet, type Pod } from '../kube/objects.ts';
import { derive } from './derive.ts';
import { ids } from './ids.ts';

function daemonSet(namespace: string, name: string, image: string, args: string[] = []): DaemonSet {
  return {
    metadata: { name, namespace, uid: `ds-${name}` },
    spec: { template: { spec: { hostNetwork: true, containers: [{ name, image, args }] } } },
  };
}

function pod(name: string, overrides: Partial<Pod['spec']> & { ip?: string; ready?: boolean; namespace?: string } = {}): Pod {
  const { ip, ready = true, namespace = 'shop', ...spec } = overrides;
  return {
    metadata: { name, namespace, uid: `uid-${name}`, labels: { app: name.split('-')[0] ?? name } },
    spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...spec },
    status: {
      phase: ip ? 'Running' : 'Pending',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'app', ready }],
    },
  };
}

function flannelCluster(backend = '{"Type":"vxlan"}'): ClusterObjects {
  return {
    ...emptyObjects(),
    nodes: [1, 2].map((i) => ({
      metadata: { name: `w${i}`, uid: `node-${i}`, labels: { 'topology.kubernetes.io/zone': `z${i}` } },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`] },
      status: {
        addresses: [
          { type: 'InternalIP', address: `172.18.0.${i + 1}` },
          { type: 'ExternalIP', address: `203.0.113.${i + 1}` },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    })),
    daemonSets: [
      daemonSet('kube-flannel', 'kube-flannel-ds', 'docker.io/flannel/flannel:v0.26.7'),
      daemonSet('kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.33.2'),
    ],
    configMaps: [
      { metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel', uid: 'cm1' }, data: { 'net-conf.json': `{"Network":"10.244.0.0/16","Backend":${backend}}` } },
      { metadata: { name: 'kube-proxy', namespace: 'kube-system', uid: 'cm2' }, data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ""\n' } },
    ],
  };
}

describe('datapath detection', () => {
  test('Flannel with VXLAN: overlay through flannel.1, with its evidence', () => {
    const { cni } = derive(flannelCluster()).cluster;
    expect(cni.value).toMatchObject({ name: 'flannel', datapath: 'overlay', encapsulation: 'vxlan', bridgeDevice: 'cni0', tunnelDevice: 'flannel.1', vni: 1, udpPort: 8472 });
    expect(cni.confidence).toBe('high');
    expect(cni.evidence.join('\n')).toMatch(/kube-flannel-cfg net-conf.json Backend.Type=vxlan/);
  });

  test('Flannel host-gw: a bridge and direct routes, no tunnel device', () => {
    const topology = derive(flannelCluster('{"Type":"host-gw"}'));
    expect(topology.cluster.cni.value).toMatchObject({ datapath: 'bridge', tunnelDevice: null });
    expect(topology.devices[ids.device('w1', 'tunnel')]).toBeUndefined();
  });

  test('no CNI DaemonSet: unknown, with no confidence', () => {
    const { cni } = derive(emptyObjects()).cluster;
    expect(cni.value.name).toBe('unknown');
    expect(cni.confidence).toBe('none');
  });

  test.each([
    ['mode: ""', 'iptables', /default on Linux is iptables/],
    ['mode: ipvs', 'ipvs', /mode: ipvs/],
    ['mode: "nftables"', 'nftables', /mode: nftables/],
    ['mode: userspace', 'unknown', /not a mode Podpath knows/],
  ])('kube-proxy ConfigMap %s → %s', (line, mode, evidence) => {
    const objects = flannelCluster();
    objects.configMaps[1]!.data = { 'config.conf': `kind: KubeProxyConfiguration\n${line}\n` };
    const { proxyMode } = derive(objects).cluster;
    expect(proxyMode.value).toBe(mode);
    expect(proxyMode.evidence.join()).toMatch(evidence);
  });

  test('kube-proxy flag when its ConfigMap is not readable', () => {
    const objects = { ...flannelCluster(), configMaps: [] };
    objects.daemonSets[1] = daemonSet('kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.33.2', ['--proxy-mode=ipvs']);
    expect(derive(objects).cluster.proxyMode).toMatchObject({ value: 'ipvs', confidence: 'high' });
  });

  test('no kube-proxy at all is unknown, not a guess', () => {
    expect(derive(emptyObjects()).cluster.proxyMode).toMatchObject({ value: 'unknown', confidence: 'none' });
  });

  test('the cluster pod CIDR comes from Flannel\'s Network', () => {
    expect(derive(flannelCluster()).cluster.podCIDRs).toEqual(['10.244.0.0/16']);
  });
});

describe('hosts and pods', () => {
  const objects = flannelCluster();
  objects.pods = [
    pod('web-1', { nodeName: 'w1', ip: '10.244.1.5' }),
    pod('agent-1', { nodeName: 'w1', ip: '172.18.0.2', hostNetwork: true, namespace: 'kube-system' }),
    pod('queued', {}),
    {
      ...pod('mesh-1', { nodeName: 'w2', ip: '10.244.2.7' }),
      metadata: { name: 'mesh-1', namespace: 'shop', uid: 'uid-mesh-1', deletionTimestamp: '2026-11-26T10:00:00Z' },
    },
  ];
  objects.pods[3]!.spec.initContainers = [
    { name: 'init-db', image: 'busybox' },
    { name: 'envoy', image: 'envoy', restartPolicy: 'Always' },
  ];
  const topology = derive(objects);

  test('each node has its uplink, cni0 with the podCIDR gateway, and flannel.1', () => {
    const devices = topology.hosts[ids.host('w1')]!.devices.map((id) => topology.devices[id]);
    expect(devices.map((d) => [d?.type, d?.name, d?.addresses])).toEqual([
      ['uplink', null, ['172.18.0.2']],
      ['bridge', 'cni0', ['10.244.1.1/24']],
      ['tunnel', 'flannel.1', ['10.244.1.0/32']],
    ]);
    expect(topology.devices[ids.device('w1', 'uplink')]!.nameProvenance).toBe('unknown');
    expect(topology.hosts[ids.host('w2')]).toMatchObject({ internalIPs: ['172.18.0.3'], externalIPs: ['203.0.113.3'], zone: 'z2', isReady: true });
  });

  test('a pod gets a veth on its node\'s bridge, the host end honestly unknown', () => {
    const web = topology.pods['pod:uid-web-1']!;
    expect(web).toMatchObject({ host: 'node:w1', ips: ['10.244.1.5'], isHostNetwork: false, isReady: true, veth: 'veth:uid-web-1' });
    expect(topology.veths['veth:uid-web-1']).toMatchObject({
      podEnd: { name: 'eth0', addresses: ['10.244.1.5'] },
      hostEnd: { name: null, provenance: 'unknown' },
      bridge: ids.device('w1', 'bridge'),
    });
  });

  test('a hostNetwork pod sits in the root netns: no veth', () => {
    expect(topology.pods['pod:uid-agent-1']).toMatchObject({ isHostNetwork: true, veth: null, host: 'node:w1' });
    expect(topology.veths['veth:uid-agent-1']).toBeUndefined();
  });

  test('dnsPolicy defaults to ClusterFirst as the API server does; dnsConfig is kept for the resolver', () => {
    const objects = flannelCluster();
    objects.pods = [
      pod('plain', { nodeName: 'w1', ip: '10.244.1.9' }),
      pod('agent', { nodeName: 'w1', ip: '172.18.0.2', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }),
      pod('custom', { nodeName: 'w2', ip: '10.244.2.9', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['corp.example'], options: [{ name: 'ndots', value: '2' }] } }),
    ];
    const pods = derive(objects).pods;
    expect(pods['pod:uid-plain']).toMatchObject({ dnsPolicy: 'ClusterFirst', dnsConfig: null });
    expect(pods['pod:uid-agent']!.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pods['pod:uid-custom']).toMatchObject({
      dnsPolicy: 'None',
      dnsConfig: { nameservers: ['1.1.1.1'], searches: ['corp.example'], options: [{ name: 'ndots', value: '2' }] },
    });
  });

  test('a Pending pod has no host, no IP and no veth', () => {
    expect(topology.pods['pod:uid-queued']).toMatchObject({ host: null, ips: [], veth: null, phase: 'Pending' });
  });

  test('containers: init, native sidecar and app, in start order; terminating pods say so', () => {
    const mesh = topology.pods['pod:uid-mesh-1']!;
    expect(mesh.phase).toBe('Terminating');
    expect(mesh.containers.map((id) => [topology.containers[id]?.name, topology.containers[id]?.role])).toEqual([
      ['init-db', 'init'],
      ['envoy', 'sidecar'],
      ['app', 'app'],
    ]);
  });

  test('namespaces referenced by objects exist with their metadata.name label', () => {
    expect(topology.namespaces['ns:shop']).toMatchObject({ isSystem: false, labels: { 'kubernetes.io/metadata.name': 'shop' } });
    expect(topology.namespaces['ns:kube-system']!.isSystem).toBe(true);
  });

  test('derive is pure: same input, same plain-data output', () => {
    const again = derive(objects);
    expect(again).toEqual(topology);
    expect(JSON.parse(JSON.stringify(topology))).toEqual(topology);
  });
});

describe('Services and endpoints', () => {
  const objects = flannelCluster();
  objects.pods = [pod('web-1', { nodeName: 'w1', ip: '10.244.1.5' }), pod('web-2', { nodeName: 'w2', ip: '10.244.2.5', ready: false })];
  objects.services = [
    { metadata: { name: 'web', namespace: 'shop', uid: 's1' }, spec: { clusterIP: '10.96.3.4', ports: [{ port: 80, targetPort: 'http' }], selector: { app: 'web' } } },
    { metadata: { name: 'db', namespace: 'shop', uid: 's2' }, spec: { clusterIP: 'None', ports: [{ port: 5432 }], selector: { app: 'db' } } },
    {
      metadata: { name: 'edge', namespace: 'shop', uid: 's3' },
      spec: { type: 'LoadBalancer', clusterIP: '10.96.9.9', ports: [{ port: 443, nodePort: 31443 }] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
    },
  ];
  objects.endpointSlices = [
    {
      metadata: { name: 'web-abcde', namespace: 'shop', uid: 'es1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.1.5'], nodeName: 'w1', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'uid-web-1' } },
        { addresses: ['10.244.2.5'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'w2' },
        { addresses: ['192.0.2.50'], conditions: { ready: false } },
      ],
    },
  ];
  const topology = derive(objects);

  test('ClusterIP, headless and LoadBalancer Services', () => {
    expect(topology.services['svc:shop/web']).toMatchObject({ type: 'ClusterIP', clusterIPs: ['10.96.3.4'], isHeadless: false, externalTrafficPolicy: null });
    expect(topology.services['svc:shop/web']!.ports[0]).toMatchObject({ name: null, port: 80, protocol: 'TCP', targetPort: 'http', nodePort: null });
    expect(topology.services['svc:shop/db']).toMatchObject({ clusterIPs: [], isHeadless: true });
    expect(topology.services['svc:shop/db']!.ports[0]!.targetPort).toBe(5432);
    expect(topology.services['svc:shop/edge']).toMatchObject({ type: 'LoadBalancer', loadBalancerIngress: ['203.0.113.10'], externalTrafficPolicy: 'Cluster', selector: null });
  });

  test('in iptables mode each port names its kube-proxy chains, one per endpoint after DNAT', () => {
    const chains = topology.services['svc:shop/web']!.ports[0]!.kubeProxy!;
    expect(chains.mode).toBe('iptables');
    expect(chains.service).toMatch(/^KUBE-SVC-[A-Z2-7]{16}$/);
    expect(chains.external).toBeNull();
    expect(chains.endpoints.map((e) => e.target).sort()).toEqual(['10.244.1.5:8080', '10.244.2.5:8080', '192.0.2.50:8080']);
    expect(new Set(chains.endpoints.map((e) => e.chain)).size).toBe(3);
    expect(topology.services['svc:shop/edge']!.ports[0]!.kubeProxy!.external).toMatch(/^KUBE-EXT-/);
    // Headless Services are not proxied.
    expect(topology.services['svc:shop/db']!.ports[0]!.kubeProxy).toBeUndefined();
  });

  test('endpoint conditions follow EndpointSlice semantics', () => {
    expect(topology.endpoints['ep:shop/web/10.244.1.5']).toMatchObject({ isReady: true, isServing: true, isTerminating: false, pod: 'pod:uid-web-1', nodeName: 'w1' });
    expect(topology.endpoints['ep:shop/web/10.244.2.5']).toMatchObject({ isReady: false, isServing: true, isTerminating: true, pod: 'pod:uid-web-2' });
    expect(topology.endpoints['ep:shop/web/192.0.2.50']).toMatchObject({ isReady: false, isServing: false, pod: null });
  });
});
