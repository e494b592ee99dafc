import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { emptyObjects, type ClusterObjects, type Pod } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { iptablesServiceChains, servicePortName } from '../topology/kube-proxy.ts';
import { describeElement, describeTopology, describeUnplacedPods } from './build.ts';
import { formatDescribe } from './format.ts';
import type { DescribeDocument } from './types.ts';

const demoSnapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = () => derive(demoSnapshot.objects, demoSnapshot.source);

function pod(name: string, node: string | null, ip: string | null, extra: { hostNetwork?: boolean; ready?: boolean; labels?: Record<string, string> } = {}): Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels: extra.labels ?? { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d4b9c8f6d', controller: true }] },
    spec: {
      ...(node ? { nodeName: node } : {}),
      ...(extra.hostNetwork ? { hostNetwork: true } : {}),
      containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }],
      initContainers: [{ name: 'proxy', image: 'envoy:1.33', restartPolicy: 'Always' }],
    },
    status: {
      phase: node ? 'Running' : 'Pending',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ name: 'web', ready: extra.ready !== false }],
    },
  };
}

/** Two Flannel nodes with kube-proxy in IPVS mode, three pods (one on the host network, one
 * unscheduled), a Service with a ready and a terminating endpoint, and a NetworkPolicy. */
function smallCluster(): ClusterObjects {
  return {
    ...emptyObjects(),
    nodes: [1, 2].map((i) => ({
      metadata: { name: `w${i}`, uid: `node-${i}` },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`] },
      status: { addresses: [{ type: 'InternalIP', address: `172.18.0.${i + 1}` }], conditions: [{ type: 'Ready', status: 'True' }] },
    })),
    namespaces: [{ metadata: { name: 'shop', uid: 'ns-shop', labels: { team: 'shop', 'kubernetes.io/metadata.name': 'shop' } } }],
    pods: [pod('web-a', 'w1', '10.244.1.5'), pod('agent', 'w2', '172.18.0.3', { hostNetwork: true, labels: { app: 'agent' } }), pod('web-b', null, null)],
    services: [
      {
        metadata: { name: 'web', namespace: 'shop', uid: 'svc-web' },
        spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
      },
    ],
    endpointSlices: [
      {
        metadata: { name: 'web-abcde', namespace: 'shop', uid: 'slice-1', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [
          { addresses: ['10.244.1.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'w1', targetRef: { kind: 'Pod', name: 'web-a', namespace: 'shop', uid: 'uid-web-a' } },
          { addresses: ['10.244.2.9'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'w2' },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
    networkPolicies: [{ metadata: { name: 'deny-all', namespace: 'shop', uid: 'np-1' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }],
    daemonSets: [
      {
        metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel', uid: 'ds-1' },
        spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'kube-flannel', image: 'docker.io/flannel/flannel:v0.26.7' }] } } },
      },
    ],
    configMaps: [
      { metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel', uid: 'cm-1' }, data: { 'net-conf.json': '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}' } },
      { metadata: { name: 'kube-proxy', namespace: 'kube-system', uid: 'cm-2' }, data: { 'config.conf': 'kind: KubeProxyConfiguration\nmode: ipvs\n' } },
    ],
  };
}

describe('describeTopology on the demo cluster', () => {
  const doc = describeTopology(demo());

  test('is plain JSON data, in a named format', () => {
    expect(doc.format).toBe('podpath.describe');
    expect(doc.version).toBe(1);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  // The JSON is a public contract: scripts read these names. They stay Kubernetes-style
  // (`ready`, `hostNetwork`, `onlink`) whatever the model calls them, and in this order, so
  // `podpath describe --json` prints the same bytes for the same model.
  test('every record keeps its field names, in order', () => {
    const keys = (record: object | null | undefined) => Object.keys(record ?? {});
    const node = doc.nodes.find((n) => n.name === 'demo-control-plane');
    const pod = doc.pods.find((p) => p.name.startsWith('backend-'));
    const service = doc.services.find((s) => s.namespace === 'default' && s.name === 'echo');
    const port = service?.ports.find((p) => p.name === 'http');
    const ingress = doc.ingresses[0];
    expect({
      document: keys(doc),
      cluster: keys(doc.cluster),
      cni: keys(doc.cluster.cni),
      proxy: keys(doc.cluster.proxy),
      namespace: keys(doc.namespaces[0]),
      node: keys(node),
      address: keys(node?.addresses[0]),
      device: keys(node?.devices[0]),
      route: keys(node?.routes[0]),
      pod: keys(pod),
      container: keys(pod?.containers[0]),
      containerPort: keys(pod?.containers[0]?.ports[0]),
      netns: keys(pod?.netns),
      veth: keys(pod?.veth),
      bridge: keys(pod?.veth?.bridge),
      podService: keys(pod?.services[0]),
      podPolicy: keys(pod?.policies[0]),
      policyLine: keys(pod?.policyLines.ingress),
      service: keys(service),
      health: keys(service?.health),
      servicePort: keys(port),
      kubeProxy: keys(port?.kubeProxy),
      kubeProxyEndpoint: keys(port?.kubeProxy?.endpoints[0]),
      endpoint: keys(service?.endpoints[0]),
      ingress: keys(ingress),
      ingressRule: keys(ingress?.rules[0]),
      policy: keys(doc.policies[0]),
    }).toEqual({
      document: ['format', 'version', 'cluster', 'namespaces', 'nodes', 'pods', 'services', 'ingresses', 'policies', 'problems'],
      cluster: ['context', 'server', 'kubernetesVersion', 'capturedAt', 'cni', 'proxy', 'podCIDRs', 'unavailableKinds'],
      cni: ['name', 'datapath', 'encapsulation', 'bridgeDevice', 'tunnelDevice', 'vni', 'udpPort', 'podAttachment', 'peerRouting', 'tunnelScope', 'vethPrefix', 'ipam', 'hostDevices', 'confidence', 'evidence'],
      proxy: ['mode', 'confidence', 'evidence'],
      namespace: ['id', 'name', 'labels', 'system'],
      node: ['id', 'name', 'ready', 'zone', 'kubeletVersion', 'labels', 'addresses', 'podCIDRs', 'cniPodCIDRs', 'datapathIPs', 'devices', 'routes', 'pods', 'hostNetworkPods', 'datapath'],
      address: ['type', 'address'],
      device: ['id', 'name', 'kind', 'provenance', 'addresses', 'evidence', 'encapsulation', 'vni', 'udpPort'],
      route: ['destination', 'via', 'device', 'onlink', 'type', 'scope', 'peer', 'count', 'provenance', 'evidence', 'to', 'toId'],
      pod: ['id', 'namespace', 'name', 'node', 'nodeId', 'ips', 'hostNetwork', 'phase', 'ready', 'owner', 'labels', 'containers', 'netns', 'veth', 'services', 'policies', 'policyLines'],
      container: ['id', 'name', 'role', 'image', 'ready', 'ports'],
      containerPort: ['name', 'port', 'protocol'],
      netns: ['interfaces', 'defaultRoutes'],
      veth: ['id', 'hostName', 'provenance', 'how', 'pattern', 'podEnd', 'bridge', 'hostRoutes', 'evidence', 'observation'],
      bridge: ['id', 'name', 'addresses'],
      podService: ['id', 'service', 'ip', 'state', 'ports'],
      podPolicy: ['id', 'policy', 'types'],
      policyLine: ['isolated', 'isolatedBy', 'allows', 'line'],
      service: ['id', 'namespace', 'name', 'type', 'health', 'clusterIPs', 'headless', 'externalName', 'externalIPs', 'loadBalancerIngress', 'selector', 'externalTrafficPolicy', 'internalTrafficPolicy', 'sessionAffinity', 'labels', 'ports', 'endpoints'],
      health: ['level', 'line'],
      servicePort: ['name', 'port', 'protocol', 'targetPort', 'nodePort', 'kubeProxyChains', 'kubeProxy'],
      kubeProxy: ['mode', 'service', 'local', 'external', 'firewall', 'endpoints'],
      kubeProxyEndpoint: ['ip', 'target', 'chain', 'state', 'programmed'],
      endpoint: ['id', 'ip', 'state', 'ready', 'serving', 'terminating', 'node', 'zone', 'pod', 'podId', 'ports', 'slice'],
      ingress: ['id', 'namespace', 'name', 'className', 'controller', 'addresses', 'tlsHosts', 'rules'],
      ingressRule: ['host', 'path', 'pathType', 'service', 'serviceId', 'port'],
      policy: ['id', 'namespace', 'name', 'policyTypes', 'podSelector', 'ingress', 'egress'],
    });
  });

  test('cluster.cni and cluster.proxy carry the detection with its evidence', () => {
    expect(doc.cluster.cni).toMatchObject({ name: 'flannel', datapath: 'overlay', confidence: 'high' });
    expect(doc.cluster.cni.name).toMatch(/^[a-z0-9-]+$/);
    expect(doc.cluster.cni.evidence.join('\n')).toMatch(/kube-flannel/);
    expect(doc.cluster.proxy.mode).toBe('iptables');
    expect(['iptables', 'ipvs', 'nftables', 'ebpf', 'unknown']).toContain(doc.cluster.proxy.mode);
    expect(doc.cluster.proxy.evidence.join('\n')).toMatch(/ConfigMap kube-system\/kube-proxy/);
  });

  test('nodes[] have addresses, podCIDRs and devices with kind and provenance', () => {
    expect(doc.nodes.map((n) => n.name)).toEqual(['demo-control-plane', 'demo-worker-1', 'demo-worker-2']);
    const worker = doc.nodes[1]!;
    expect(worker.addresses).toEqual([
      { type: 'InternalIP', address: '172.18.0.3' },
      { type: 'ExternalIP', address: '203.0.113.3' },
    ]);
    expect(worker.podCIDRs).toEqual(['10.244.1.0/24']);
    expect(worker.devices.map((d) => [d.kind, d.name, d.provenance])).toEqual(
      expect.arrayContaining([
        ['uplink', null, 'unknown'],
        ['bridge', 'cni0', 'inferred'],
        ['tunnel', 'flannel.1', 'inferred'],
      ]),
    );
    expect(worker.pods).toContain('shop/db-0');
  });

  test('pods[] say where each pod is, its IPs, containers and veth, with provenance', () => {
    const db = doc.pods.find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
    expect(db).toMatchObject({ node: 'demo-worker-1', ips: ['10.244.1.5'], hostNetwork: false });
    expect(db.containers.map((c) => c.name)).toContain('postgres');
    // Flannel's bridge plugin names host-side veths randomly: unknown, never a guess.
    expect(db.veth).toMatchObject({ hostName: null, provenance: 'unknown' });
    expect(db.veth?.bridge?.name).toBe('cni0');
    expect(db.services.map((s) => s.service)).toContain('shop/db');

    const hostNetwork = doc.pods.filter((p) => p.hostNetwork);
    expect(hostNetwork.length).toBeGreaterThan(0);
    for (const p of hostNetwork) expect(p.veth).toBeNull();
    for (const p of doc.pods) expect(['observed', 'inferred', 'unknown']).toContain(p.veth?.provenance ?? 'unknown');
  });

  test("services[] list ports with kube-proxy's KUBE-SVC chain and endpoints with their pods", () => {
    const backend = doc.services.find((s) => s.namespace === 'shop' && s.name === 'backend')!;
    expect(backend.type).toBe('ClusterIP');
    expect(backend.clusterIPs).toHaveLength(1);
    const port = backend.ports[0]!;
    const expected = iptablesServiceChains(servicePortName('shop', 'backend', port.name), port.protocol).service;
    expect(expected).toMatch(/^KUBE-SVC-[A-Z2-7]{16}$/);
    expect(port.kubeProxyChains[0]).toBe(expected);
    expect(port.kubeProxyChains.filter((c) => c.startsWith('KUBE-SEP-'))).toHaveLength(backend.endpoints.length);
    expect(port).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 'http', nodePort: null });

    expect(backend.endpoints.length).toBe(3);
    for (const e of backend.endpoints) {
      expect(e).toMatchObject({ ready: true, serving: true, terminating: false });
      expect(e.pod).toMatch(/^shop\/backend-/);
      expect(e.node).toMatch(/^demo-worker-/);
    }
    // kubernetes' own endpoint is the API server on the host network: no pod behind it.
    expect(doc.services.find((s) => s.name === 'kubernetes')?.endpoints[0]?.pod).toBeNull();
  });
});

describe('describeTopology on a small derived cluster', () => {
  const topology = derive(smallCluster(), { context: 'kind-small', server: 'https://127.0.0.1:6443', capturedAt: '2025-07-01T09:00:00Z' });
  const doc: DescribeDocument = describeTopology(topology);

  test('the cluster, as derived', () => {
    expect(doc.cluster).toMatchObject({
      context: 'kind-small',
      server: 'https://127.0.0.1:6443',
      cni: { name: 'flannel', datapath: 'overlay', encapsulation: 'vxlan' },
      proxy: { mode: 'ipvs', confidence: expect.any(String) },
    });
  });

  test('pods: scheduled, on the host network, and unscheduled', () => {
    expect(doc.pods.map((p) => p.name)).toEqual(['agent', 'web-a', 'web-b']);
    const [agent, webA, webB] = doc.pods;
    expect(webA).toMatchObject({
      namespace: 'shop',
      node: 'w1',
      ips: ['10.244.1.5'],
      hostNetwork: false,
      phase: 'Running',
      ready: true,
      owner: 'ReplicaSet/web-7d4b9c8f6d',
      veth: { hostName: null, provenance: 'unknown', podEnd: { name: 'eth0', addresses: ['10.244.1.5'] } },
      services: [{ service: 'shop/web', ip: '10.244.1.5', state: 'ready' }],
    });
    expect(webA!.containers).toEqual([
      expect.objectContaining({ name: 'proxy', role: 'sidecar', image: 'envoy:1.33' }),
      expect.objectContaining({ name: 'web', role: 'app', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
    ]);
    expect(agent).toMatchObject({ node: 'w2', hostNetwork: true, veth: null, netns: null });
    expect(webB).toMatchObject({ node: null, ips: [], veth: null, phase: 'Pending' });
    expect(describeUnplacedPods(topology).unscheduled.map((p) => p.name)).toEqual(['web-b']);
  });

  test('a Service in IPVS mode has no kube-proxy chains; its endpoints say ready, serving, terminating', () => {
    expect(doc.services).toHaveLength(1);
    const web = doc.services[0]!;
    expect(web).toMatchObject({ namespace: 'shop', name: 'web', type: 'ClusterIP', clusterIPs: ['10.96.0.20'], selector: { app: 'web' } });
    expect(web.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: null, kubeProxyChains: [], kubeProxy: null }]);
    expect(web.endpoints.map(({ ip, ready, serving, terminating, node, pod }) => ({ ip, ready, serving, terminating, node, pod }))).toEqual([
      { ip: '10.244.1.5', ready: true, serving: true, terminating: false, node: 'w1', pod: 'shop/web-a' },
      { ip: '10.244.2.9', ready: false, serving: true, terminating: true, node: 'w2', pod: null },
    ]);
  });

  test('nodes list their pods and the NetworkPolicy is described', () => {
    expect(doc.nodes.map((n) => [n.name, n.pods, n.hostNetworkPods])).toEqual([
      ['w1', ['shop/web-a'], 0],
      ['w2', ['shop/agent'], 1],
    ]);
    expect(doc.policies).toEqual([
      { id: 'netpol:shop/deny-all', namespace: 'shop', name: 'deny-all', policyTypes: ['Ingress', 'Egress'], podSelector: {}, ingress: [], egress: [] },
    ]);
  });
});

describe('formatDescribe', () => {
  test('prints the cluster facts with evidence, nodes with devices and pods, Services with endpoints', () => {
    const text = formatDescribe(describeTopology(demo()));
    expect(text).toMatch(/CNI\s+flannel · overlay VXLAN \(high confidence\)/);
    expect(text).toMatch(/- DaemonSet kube-flannel\/kube-flannel-ds/);
    expect(text).toMatch(/proxy\s+iptables \(high confidence\)\n\s+- ConfigMap kube-system\/kube-proxy/);
    expect(text).toMatch(/demo-worker-1 {2}Ready {2}InternalIP 172\.18\.0\.3/);
    expect(text).toMatch(/bridge {2}cni0 \[inferred\]/);
    expect(text).toMatch(/shop\/db-0 {2}10\.244\.1\.5 {2}Running {2}veth \? \[unknown\]/);
    // Each Service says its health first, then its ports and endpoints.
    expect(text).toMatch(/shop\/backend {2}ClusterIP {2}10\.96\.\d+\.\d+\n {4}healthy: 3 endpoints, all ready\n {4}port http 80→http\/TCP {2}iptables KUBE-SVC-/);
    expect(text).toMatch(/payments\/ledger {2}ClusterIP {2}10\.96\.\d+\.\d+\n {4}2 endpoints, none ready: connections are rejected\n {4}port grpc /);
    expect(text).toMatch(/endpoints \(2, 0 ready\)\n\s+10\.244\.1\.10 {2}not-ready {2}payments\/ledger-/);
    expect(text).toMatch(/Pods not on a known node \(1\)\n {2}shop\/recommender-\S+ {2}no IP/);
  });

  test('says so when a kind could not be read', () => {
    const topology = derive(smallCluster(), { unavailableKinds: [{ kind: 'nodes', reason: 'nodes is forbidden' }] });
    expect(formatDescribe(describeTopology(topology))).toContain('! nodes could not be read: nodes is forbidden');
  });
});

describe('describeElement', () => {
  const topology = demo();
  const doc = describeTopology(topology);

  test('describes an element with the same record as the whole document', () => {
    for (const pod of doc.pods.slice(0, 10)) expect(describeElement(topology, pod.id)).toEqual({ kind: 'pod', pod });
    for (const node of doc.nodes) expect(describeElement(topology, node.id)).toEqual({ kind: 'node', node });
    for (const service of doc.services) expect(describeElement(topology, service.id)).toEqual({ kind: 'service', service });
    for (const ingress of doc.ingresses) expect(describeElement(topology, ingress.id)).toEqual({ kind: 'ingress', ingress });
    for (const policy of doc.policies) expect(describeElement(topology, policy.id)).toEqual({ kind: 'policy', policy });
  });

  test('the parts of a pod, node or Service link back to it', () => {
    const db = doc.pods.find((p) => p.name === 'db-0')!;
    expect(describeElement(topology, db.containers[0]!.id)).toEqual({
      kind: 'container',
      container: db.containers[0],
      pod: { id: db.id, name: 'db-0', namespace: 'shop', ips: db.ips },
    });
    expect(describeElement(topology, db.veth!.id)).toEqual({ kind: 'veth', veth: db.veth, pod: { id: db.id, name: 'db-0', namespace: 'shop' }, node: { id: 'node:demo-worker-1', name: 'demo-worker-1' } });
    const worker = doc.nodes[1]!;
    expect(describeElement(topology, worker.devices[1]!.id)).toEqual({
      kind: 'device',
      device: worker.devices[1],
      node: { id: worker.id, name: worker.name, internalIPs: ['172.18.0.3'] },
    });
    const service = doc.services.find((s) => s.name === 'backend')!;
    expect(describeElement(topology, service.endpoints[0]!.id)).toEqual({
      kind: 'endpoint',
      endpoint: service.endpoints[0],
      service: { id: service.id, name: 'backend', namespace: 'shop' },
    });
  });

  test('a namespace lists its Services; the internet lists what is exposed to it', () => {
    const shop = describeElement(topology, 'ns:shop');
    expect(shop?.kind).toBe('namespace');
    if (shop?.kind !== 'namespace') return;
    expect(shop.namespace.labels).toMatchObject({ team: 'shop' });
    expect(shop.services.map((s) => s.name)).toEqual(['backend', 'db', 'frontend']);
    expect(shop.pods).toBe(doc.pods.filter((p) => p.namespace === 'shop').length);

    const internet = describeElement(topology, 'ext:internet');
    expect(internet).toMatchObject({ kind: 'external', name: 'Internet' });
    if (internet?.kind !== 'external') return;
    expect(internet.exposed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ via: 'service', name: 'ingress-nginx-controller', addresses: ['203.0.113.10'] }),
        expect.objectContaining({ via: 'ingress', name: 'shop' }),
      ]),
    );
  });

  test('an id that names nothing has no description', () => {
    expect(describeElement(topology, 'pod:no-such-uid')).toBeNull();
    expect(describeElement(topology, 'group:unscheduled')).toBeNull();
  });
});

describe('the NetworkPolicies that select a pod', () => {
  test('a shop backend pod is selected by the default-deny and its allow rule; a hostNetwork pod by none', () => {
    const topology = demo();
    const backend = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.labels.app === 'backend')!;
    const described = describeElement(topology, backend.id);
    if (described?.kind !== 'pod') throw new Error('not a pod');
    const policies = described.pod.policies.map((p) => p.policy);
    // Every policy in shop whose podSelector selects the backend: the expected set is computed
    // from the policies' own matchLabels, not written out here.
    const expected = Object.values(topology.policies)
      .filter((p) => p.namespace === 'shop' && Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => backend.labels[k] === v) && !p.spec.podSelector.matchExpressions)
      .map((p) => `${p.namespace}/${p.name}`)
      .sort();
    expect(policies).toEqual(expected);
    expect(policies.length).toBeGreaterThanOrEqual(2);
    expect(described.pod.policies.some((p) => Object.keys(topology.policies[p.id]!.spec.podSelector).length === 0 || !topology.policies[p.id]!.spec.podSelector.matchLabels)).toBe(true);

    const hostNet = Object.values(topology.pods).find((p) => p.isHostNetwork)!;
    const host = describeElement(topology, hostNet.id);
    expect(host?.kind === 'pod' && host.pod.policies).toEqual([]);
  });
});
