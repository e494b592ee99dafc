/**
 * A small cluster for unit tests of the graph, built as the Kubernetes objects an API server
 * returns (trimmed as Podpath keeps them, `shared/kube/objects.ts`) and turned into the model by
 * `derive`, so the tests draw what the real pipeline gives them.
 *
 * Two nodes (or `nodes`) running Flannel with VXLAN — or, with `routed: true`, Calico without
 * encapsulation (BGP, no bridge, no tunnel) — and kube-proxy in iptables mode. It holds one of
 * everything the graph draws: init and sidecar containers, a hostNetwork pod, a pending pod with
 * neither node nor IP, ready / not-ready / terminating endpoints, a headless Service, a
 * LoadBalancer and an Ingress. With Flannel, one host-side veth name, as a node probe would report
 * it, is laid over derive's output, which reads no observed datapath yet.
 */
import type { ClusterObjects, ConfigMap, DaemonSet, EndpointSlice, Ingress, KubeNode, Namespace, Pod, Service } from '../../../shared/kube/objects.ts';
import { emptyObjects } from '../../../shared/kube/objects.ts';
import type { Topology } from '../../../shared/model/types.ts';
import { derive, type DeriveSource } from '../../../shared/topology/derive.ts';

export interface SampleOptions {
  routed?: boolean;
  /** Extra pods per node, to exercise bigger grids. */
  extraPodsPerNode?: number;
  /** Number of nodes (at least 1). */
  nodes?: number;
}

const source: DeriveSource = {
  context: 'kind-sample',
  server: 'https://127.0.0.1:6443',
  kubernetesVersion: 'v1.34.0',
  capturedAt: '2026-11-26T00:00:00Z',
};

/**
 * A host-side veth name as a node probe reports it. `derive` does not read an observed datapath
 * yet (a snapshot's `datapath` holds none in this version), so the sample lays these over its
 * output itself: the one step here that is not the real pipeline.
 */
interface ObservedVeth {
  namespace: string;
  pod: string;
  hostEnd: string;
}

/** Flannel's bridge plugin names host-side veths randomly: only a probe can tell this one. */
const observedVeths: ObservedVeth[] = [{ namespace: 'shop', pod: 'frontend-1', hostEnd: 'veth1a2b3c4d' }];

export function sampleTopology(options: SampleOptions = {}): Topology {
  const topology = derive(sampleObjects(options), source);
  // Calico's names are inferred by derive itself (cali + a hash of namespace and name).
  if (options.routed) return topology;
  for (const observed of observedVeths) {
    const pod = Object.values(topology.pods).find((p) => p.namespace === observed.namespace && p.name === observed.pod);
    const veth = pod?.veth ? topology.veths[pod.veth] : undefined;
    if (veth) veth.hostEnd = { name: observed.hostEnd, provenance: 'observed', how: 'node probe' };
  }
  return topology;
}

/** The objects of the sample cluster. */
export function sampleObjects(options: SampleOptions = {}): ClusterObjects {
  const routed = options.routed ?? false;
  const nodeCount = Math.max(1, options.nodes ?? 2);
  const extraPods = options.extraPodsPerNode ?? 0;
  const objects = emptyObjects();

  const namespaces = ['shop', 'kube-system', ...(routed ? [] : ['kube-flannel']), ...(extraPods > 0 ? ['batch'] : [])];
  objects.namespaces = namespaces.map(
    (name): Namespace => ({ metadata: { name, uid: `ns-uid-${name}`, labels: { 'kubernetes.io/metadata.name': name } }, status: { phase: 'Active' } }),
  );

  const nodeNames = Array.from({ length: nodeCount }, (_, i) => `node-${String.fromCharCode(97 + i)}`);
  const internalIP = (i: number) => `172.18.0.${i + 2}`;
  objects.nodes = nodeNames.map((name, i): KubeNode => {
    const podCIDR = `10.244.${i + 1}.0/24`;
    return {
      metadata: {
        name,
        uid: `node-uid-${name}`,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
        // calico-node writes the address it peers on; Flannel its own annotations, which the
        // model does not need here (the public IP defaults to the InternalIP).
        ...(routed ? { annotations: { 'projectcalico.org/IPv4Address': `${internalIP(i)}/16` } } : {}),
      },
      spec: { podCIDR, podCIDRs: [podCIDR] },
      status: {
        addresses: [
          { type: 'InternalIP', address: internalIP(i) },
          ...(i === 1 ? [{ type: 'ExternalIP' as const, address: '203.0.113.7' }] : []),
          { type: 'Hostname', address: name },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
        nodeInfo: { kubeletVersion: 'v1.34.0', kubeProxyVersion: 'v1.34.0', osImage: 'Debian GNU/Linux 12 (bookworm)', containerRuntimeVersion: 'containerd://2.1.3' },
      },
    };
  });

  // What the CNI and kube-proxy detection read. The DaemonSets' own pods are left out: the
  // tests count the sample's pods and fill node-a's grid with exactly two.
  const daemonSet = (namespace: string, name: string, container: DaemonSet['spec']['template']['spec']['containers'][number]): DaemonSet => ({
    metadata: { name, namespace, uid: `ds-uid-${name}`, labels: { 'k8s-app': name } },
    spec: { template: { spec: { hostNetwork: true, containers: [container] } } },
  });
  const configMap = (namespace: string, name: string, data: Record<string, string>): ConfigMap => ({ metadata: { name, namespace, uid: `cm-uid-${name}` }, data });
  objects.daemonSets.push(daemonSet('kube-system', 'kube-proxy', { name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.34.0', command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'] }));
  objects.configMaps.push(configMap('kube-system', 'kube-proxy', { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.244.0.0/16\nmode: ""\n' }));
  if (routed) {
    objects.daemonSets.push(
      daemonSet('kube-system', 'calico-node', {
        name: 'calico-node',
        image: 'docker.io/calico/node:v3.30.2',
        env: [
          { name: 'CALICO_IPV4POOL_CIDR', value: '10.244.0.0/16' },
          { name: 'CALICO_IPV4POOL_IPIP', value: 'Never' },
          { name: 'CALICO_IPV4POOL_VXLAN', value: 'Never' },
        ],
      }),
    );
    // host-local IPAM on the node's podCIDR (calico.yaml's `usePodCidr`), so each node's pods are
    // in its own /24, as in the Flannel sample.
    objects.configMaps.push(
      configMap('kube-system', 'calico-config', {
        calico_backend: 'bird',
        cni_network_config: '{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"calico","ipam":{"type":"host-local","subnet":"usePodCidr"}},{"type":"portmap","capabilities":{"portMappings":true}}]}',
      }),
    );
  } else {
    objects.daemonSets.push(daemonSet('kube-flannel', 'kube-flannel-ds', { name: 'kube-flannel', image: 'ghcr.io/flannel-io/flannel:v0.26.7', command: ['/opt/bin/flanneld'], args: ['--ip-masq', '--kube-subnet-mgr'] }));
    objects.configMaps.push(configMap('kube-flannel', 'kube-flannel-cfg', { 'net-conf.json': '{"Network":"10.244.0.0/16","EnableNFTables":false,"Backend":{"Type":"vxlan"}}' }));
  }

  type Role = 'app' | 'init' | 'sidecar';
  interface PodSpec {
    node?: number;
    ip?: string;
    hostNetwork?: boolean;
    ready?: boolean;
    /** Deleted, still serving until it stops: its endpoints are `terminating`. */
    terminating?: boolean;
    containers?: [string, Role][];
    labels?: Record<string, string>;
    owner?: { kind: string; name: string };
  }
  const addPod = (name: string, namespace: string, spec: PodSpec = {}): Pod => {
    const app = name.split('-')[0] ?? name;
    const containers = (spec.containers ?? [['app', 'app']]).map(([cname, role]) => ({
      container: {
        name: cname,
        image: `registry.example/${cname}:1`,
        ...(role === 'app' ? { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' as const }] } : {}),
        // Native sidecars are init containers that keep running (Kubernetes 1.29+).
        ...(role === 'sidecar' ? { restartPolicy: 'Always' } : {}),
      },
      role,
    }));
    const ready = spec.ready ?? true;
    const scheduled = spec.node !== undefined;
    const status = (c: { container: { name: string }; role: Role }) => ({ name: c.container.name, ready: c.role === 'init' || ready, restartCount: 0 });
    const pod: Pod = {
      metadata: {
        name,
        namespace,
        uid: `uid-${name}`,
        labels: spec.labels ?? { app },
        ownerReferences: [{ ...(spec.owner ?? { kind: 'ReplicaSet', name: `${app}-5d8f` }), controller: true }],
        creationTimestamp: '2026-11-25T08:00:00Z',
        ...(spec.terminating ? { deletionTimestamp: '2026-11-25T23:59:30Z' } : {}),
      },
      spec: {
        ...(scheduled ? { nodeName: nodeNames[spec.node!] } : {}),
        ...(spec.hostNetwork ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
        containers: containers.filter((c) => c.role === 'app').map((c) => c.container),
        ...(containers.some((c) => c.role !== 'app') ? { initContainers: containers.filter((c) => c.role !== 'app').map((c) => c.container) } : {}),
      },
      status:
        scheduled && spec.ip
          ? {
              phase: 'Running',
              podIP: spec.ip,
              podIPs: [{ ip: spec.ip }],
              hostIP: internalIP(spec.node!),
              conditions: [
                { type: 'PodScheduled', status: 'True' },
                { type: 'Ready', status: ready ? 'True' : 'False' },
              ],
              containerStatuses: containers.filter((c) => c.role === 'app').map(status),
              ...(containers.some((c) => c.role !== 'app') ? { initContainerStatuses: containers.filter((c) => c.role !== 'app').map(status) } : {}),
            }
          : // Unschedulable: no node, no IP, no container has started.
            { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] },
    };
    objects.pods.push(pod);
    return pod;
  };

  const second = nodeCount > 1 ? 1 : 0;
  const frontend1 = addPod('frontend-1', 'shop', { node: 0, ip: '10.244.1.5', containers: [['wait-db', 'init'], ['web', 'app']] });
  const backend1 = addPod('backend-1', 'shop', { node: 0, ip: '10.244.1.6' });
  addPod('kube-proxy-a', 'kube-system', {
    node: 0,
    ip: internalIP(0),
    hostNetwork: true,
    containers: [['kube-proxy', 'app']],
    labels: { 'k8s-app': 'kube-proxy' },
    owner: { kind: 'DaemonSet', name: 'kube-proxy' },
  });
  const frontend2 = addPod('frontend-2', 'shop', { node: second, ip: '10.244.2.5', terminating: true, containers: [['web', 'app'], ['envoy', 'sidecar']] });
  const backend2 = addPod('backend-2', 'shop', { node: second, ip: '10.244.2.6', ready: false });
  const db = addPod('db-0', 'shop', { node: second, ip: '10.244.2.7', owner: { kind: 'StatefulSet', name: 'db' } });
  addPod('report-7f9c', 'shop');
  for (let h = 0; h < nodeCount; h++) {
    for (let i = 0; i < extraPods; i++) addPod(`worker-${h}-${i}`, 'batch', { node: h, ip: `10.244.${h + 1}.${100 + i}` });
  }

  const addService = (name: string, spec: Partial<Service['spec']>, extra: Partial<Service> = {}): void => {
    objects.services.push({
      metadata: { name, namespace: 'shop', uid: `svc-uid-${name}` },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }],
        selector: { app: name },
        ipFamilies: ['IPv4'],
        internalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
        ...spec,
      },
      ...extra,
    });
  };
  // The EndpointSlice controller's view of the Service's pods: ready, serving and terminating
  // follow the pod's Ready condition and deletion.
  const addSlice = (service: string, pods: Pod[]): void => {
    const slice: EndpointSlice = {
      metadata: { name: `${service}-abcde`, namespace: 'shop', uid: `slice-uid-${service}`, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      endpoints: pods.map((pod) => {
        const isTerminating = pod.metadata.deletionTimestamp !== undefined;
        const isReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        return {
          addresses: [pod.status!.podIP!],
          conditions: { ready: isReady && !isTerminating, serving: isReady, terminating: isTerminating },
          nodeName: pod.spec.nodeName!,
          targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: 'shop', uid: pod.metadata.uid },
        };
      }),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    };
    objects.endpointSlices.push(slice);
  };
  addService(
    'frontend',
    {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 }],
      externalTrafficPolicy: 'Cluster',
    },
    { status: { loadBalancer: { ingress: [{ ip: '198.51.100.10' }] } } },
  );
  addSlice('frontend', [frontend1, frontend2]);
  addService('backend', { clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'] });
  addSlice('backend', [backend1, backend2]);
  addService('db', { clusterIP: 'None', clusterIPs: ['None'] });
  addSlice('db', [db]);

  objects.ingressClasses.push({ metadata: { name: 'nginx', uid: 'ingclass-uid-nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
  const ingress: Ingress = {
    metadata: { name: 'shop', namespace: 'shop', uid: 'ing-uid-shop' },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 80 } } } }] } }],
    },
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.20' }] } },
  };
  objects.ingresses.push(ingress);
  return objects;
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
    adminPolicies: reverse(topology.adminPolicies),
    cniPolicies: reverse(topology.cniPolicies),
  };
}
