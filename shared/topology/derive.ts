/**
 * derive(objects) → Topology: a pure function from trimmed Kubernetes objects to the network
 * model of design §3. No I/O and no clock, so the same objects always give the same model.
 */
import type { ClusterObjects, ContainerPort, EndpointSlice, Ingress, KubeNode, Pod, Service } from '../kube/objects.ts';
import {
  emptyTopology,
  type ClusterInfo,
  type CniInfo,
  type ContainerRecord,
  type Device,
  type EndpointRecord,
  type Host,
  type Id,
  type IngressRecord,
  type PodRecord,
  type PortRecord,
  type ServiceRecord,
  type Topology,
  type VethRecord,
} from '../model/types.ts';
import { addressInCIDR } from '../net/ip.ts';
import { detectClusterPodCIDRs, detectCni, detectProxyMode } from './datapath.ts';
import { ids } from './ids.ts';
import { addKubeProxyChains } from './kube-proxy.ts';
import { addGatewayApi, joinIngressControllers } from './ingress.ts';

export interface DeriveSource {
  context?: string | null;
  server?: string | null;
  kubernetesVersion?: string | null;
  capturedAt?: string | null;
  unavailableKinds?: { kind: string; reason: string }[];
}

const systemNamespaces = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'kube-flannel', 'calico-system', 'tigera-operator', 'local-path-storage']);

export function derive(objects: ClusterObjects, source: DeriveSource = {}): Topology {
  const cni = detectCni(objects);
  const cluster: ClusterInfo = {
    context: source.context ?? null,
    server: source.server ?? null,
    kubernetesVersion: source.kubernetesVersion ?? null,
    capturedAt: source.capturedAt ?? null,
    cni,
    proxyMode: detectProxyMode(objects),
    podCIDRs: detectClusterPodCIDRs(objects),
    unavailableKinds: source.unavailableKinds ?? [],
  };
  const topology = emptyTopology(cluster);

  for (const ns of objects.namespaces) addNamespace(topology, ns.metadata.name, ns.metadata.labels ?? {});
  for (const node of objects.nodes) addHost(topology, node, cni.value);
  for (const pod of objects.pods) addPod(topology, pod, cni.value);
  for (const service of objects.services) addService(topology, service);
  addEndpoints(topology, objects.endpointSlices);
  for (const ingress of objects.ingresses) addIngress(topology, ingress, objects);
  for (const policy of objects.networkPolicies) {
    const { name, namespace = '' } = policy.metadata;
    const id = ids.policy(namespace, name);
    // policyTypes defaults: Ingress always, Egress when the policy has egress rules.
    const policyTypes = policy.spec.policyTypes ?? (policy.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    topology.policies[id] = { id, kind: 'policy', name, namespace, spec: policy.spec, policyTypes };
    addNamespace(topology, namespace);
  }
  addKubeProxyChains(topology);
  joinIngressControllers(topology);
  addGatewayApi(topology, objects);
  return topology;
}

function addNamespace(topology: Topology, name: string, labels?: Record<string, string>): void {
  const id = ids.namespace(name);
  const existing = topology.namespaces[id];
  if (existing && !labels) return;
  topology.namespaces[id] = {
    id,
    kind: 'namespace',
    name,
    // The API server sets this label on every namespace; keep it for the policy evaluator
    // even when only the name is known (the namespace object itself was not readable).
    labels: labels ?? existing?.labels ?? { 'kubernetes.io/metadata.name': name },
    isSystem: systemNamespaces.has(name) || name.startsWith('kube-'),
  };
}

function addressesOf(node: KubeNode, type: 'InternalIP' | 'ExternalIP'): string[] {
  return (node.status?.addresses ?? []).filter((a) => a.type === type).map((a) => a.address);
}

function addHost(topology: Topology, node: KubeNode, cni: CniInfo): void {
  const name = node.metadata.name;
  const id = ids.host(name);
  const podCIDRs = node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  const internalIPs = addressesOf(node, 'InternalIP');
  const devices: Device[] = [
    {
      id: ids.device(name, 'uplink'),
      kind: 'device',
      host: id,
      type: 'uplink',
      name: null,
      nameProvenance: 'unknown',
      addresses: internalIPs,
      evidence: `Node ${name} status.addresses (the interface name is only known from a node probe)`,
    },
  ];
  if (cni.bridgeDevice) {
    devices.push({
      id: ids.device(name, 'bridge'),
      kind: 'device',
      host: id,
      type: 'bridge',
      name: cni.bridgeDevice,
      nameProvenance: 'inferred',
      // Bridge CNIs give the bridge the first address of the node's podCIDR: the pods' gateway.
      addresses: podCIDRs.flatMap((cidr) => {
        const gateway = addressInCIDR(cidr, 1);
        return gateway ? [`${gateway}/${cidr.split('/')[1]}`] : [];
      }),
      evidence: `${cni.name} creates bridge ${cni.bridgeDevice} on every node; its address is the first of Node ${name} spec.podCIDR`,
    });
  }
  if (cni.tunnelDevice && cni.encapsulation) {
    devices.push({
      id: ids.device(name, 'tunnel'),
      kind: 'device',
      host: id,
      type: 'tunnel',
      name: cni.tunnelDevice,
      nameProvenance: 'inferred',
      // Flannel's VXLAN device holds the podCIDR's network address as a /32.
      addresses: cni.name === 'flannel' ? podCIDRs.flatMap((cidr) => (cidr.includes(':') ? [] : [`${cidr.split('/')[0]}/32`])) : [],
      evidence: `${cni.name} ${cni.encapsulation} backend creates ${cni.tunnelDevice} on every node`,
      encapsulation: cni.encapsulation,
      vni: cni.vni,
      udpPort: cni.udpPort,
    });
  }
  const host: Host = {
    id,
    kind: 'host',
    name,
    internalIPs,
    externalIPs: addressesOf(node, 'ExternalIP'),
    podCIDRs,
    isReady: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    zone: node.metadata.labels?.['topology.kubernetes.io/zone'] ?? null,
    labels: node.metadata.labels ?? {},
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? null,
    devices: devices.map((d) => d.id),
  };
  topology.hosts[id] = host;
  for (const device of devices) topology.devices[device.id] = device;
}

function portsOf(ports: ContainerPort[] | undefined): PortRecord[] {
  return (ports ?? []).map((p) => ({ name: p.name ?? null, port: p.containerPort, protocol: p.protocol ?? 'TCP' }));
}

function addPod(topology: Topology, pod: Pod, cni: CniInfo): void {
  const { uid, name, namespace = '' } = pod.metadata;
  const id = ids.pod(uid);
  const hostId = pod.spec.nodeName ? ids.host(pod.spec.nodeName) : null;
  const isHostNetwork = pod.spec.hostNetwork === true;
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  const ready = new Map<string, boolean>();
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) ready.set(s.name, s.ready);

  const containers: ContainerRecord[] = [
    // Init containers with restartPolicy Always are native sidecars: they run beside the app.
    ...(pod.spec.initContainers ?? []).map((c) => ({ c, role: c.restartPolicy === 'Always' ? ('sidecar' as const) : ('init' as const) })),
    ...pod.spec.containers.map((c) => ({ c, role: 'app' as const })),
  ].map(({ c, role }) => ({
    id: ids.container(uid, c.name),
    kind: 'container',
    pod: id,
    name: c.name,
    image: c.image ?? null,
    role,
    ports: portsOf(c.ports),
    isReady: ready.get(c.name) ?? false,
  }));

  let veth: VethRecord | null = null;
  if (hostId && !isHostNetwork && ips.length > 0) {
    const bridge = cni.bridgeDevice ? ids.device(pod.spec.nodeName ?? '', 'bridge') : null;
    veth = {
      id: ids.veth(uid),
      kind: 'veth',
      pod: id,
      host: hostId,
      podEnd: { name: 'eth0', addresses: ips },
      hostEnd: hostEndOf(cni),
      bridge: topology.devices[bridge ?? ''] ? bridge : null,
      hostRoutes: cni.datapath === 'routed' ? ips.map((ip) => `${ip}/${ip.includes(':') ? 128 : 32}`) : [],
    };
    topology.veths[veth.id] = veth;
  }

  const owner = pod.metadata.ownerReferences?.find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  const record: PodRecord = {
    id,
    kind: 'pod',
    uid,
    name,
    namespace,
    host: hostId,
    isHostNetwork,
    ips,
    phase: pod.metadata.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
    isReady: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    labels: pod.metadata.labels ?? {},
    owner: owner ? { kind: owner.kind, name: owner.name } : null,
    containers: containers.map((c) => c.id),
    veth: veth?.id ?? null,
  };
  topology.pods[id] = record;
  for (const container of containers) topology.containers[container.id] = container;
  addNamespace(topology, namespace);
}

/** How the host end of a pod's veth is named. Only a node probe observes it; some CNIs name it
 * deterministically from the pod (to be inferred), others randomly. */
function hostEndOf(cni: CniInfo): VethRecord['hostEnd'] {
  if (cni.name === 'flannel' || cni.name === 'kindnet') {
    return {
      name: null,
      provenance: 'unknown',
      how: `${cni.name} uses the ${cni.name === 'flannel' ? 'bridge' : 'ptp'} CNI plugin, which names host-side veths randomly (veth + 8 hex digits); only a node probe can tell`,
    };
  }
  return { name: null, provenance: 'unknown', how: `the host-side name is not derived for CNI "${cni.name}"` };
}

function addService(topology: Topology, service: Service): void {
  const { name, namespace = '' } = service.metadata;
  const id = ids.service(namespace, name);
  const spec = service.spec;
  const type = spec.type ?? 'ClusterIP';
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== 'None');
  const record: ServiceRecord = {
    id,
    kind: 'service',
    name,
    namespace,
    type,
    clusterIPs: type === 'ExternalName' ? [] : clusterIPs,
    isHeadless: spec.clusterIP === 'None',
    ports: (spec.ports ?? []).map((p) => ({
      name: p.name ?? null,
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      // targetPort defaults to the port itself.
      targetPort: p.targetPort ?? p.port,
      nodePort: p.nodePort ?? null,
    })),
    selector: spec.selector && Object.keys(spec.selector).length > 0 ? spec.selector : null,
    externalIPs: spec.externalIPs ?? [],
    loadBalancerIngress: (service.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ?? i.hostname ? [i.ip ?? i.hostname ?? ''] : [])),
    externalName: spec.externalName ?? null,
    externalTrafficPolicy: type === 'NodePort' || type === 'LoadBalancer' ? (spec.externalTrafficPolicy ?? 'Cluster') : null,
    internalTrafficPolicy: spec.internalTrafficPolicy ?? 'Cluster',
    sessionAffinity: spec.sessionAffinity ?? 'None',
    labels: service.metadata.labels ?? {},
  };
  topology.services[id] = record;
  addNamespace(topology, namespace);
}

function addEndpoints(topology: Topology, slices: EndpointSlice[]): void {
  const podsByIP = new Map<string, Id>();
  for (const pod of Object.values(topology.pods)) {
    if (!pod.isHostNetwork) for (const ip of pod.ips) podsByIP.set(`${pod.namespace}/${ip}`, pod.id);
  }
  for (const slice of slices) {
    const namespace = slice.metadata.namespace ?? '';
    const serviceName = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!serviceName || slice.addressType === 'FQDN') continue;
    const service = ids.service(namespace, serviceName);
    const ports: PortRecord[] = (slice.ports ?? []).flatMap((p) =>
      p.port === undefined ? [] : [{ name: p.name ?? null, port: p.port, protocol: (p.protocol ?? 'TCP') as PortRecord['protocol'] }],
    );
    for (const endpoint of slice.endpoints ?? []) {
      const conditions = endpoint.conditions ?? {};
      // EndpointSlice semantics: a nil ready means ready; nil serving means "same as ready".
      const isReady = conditions.ready ?? true;
      const ref = endpoint.targetRef;
      const refPod = ref?.kind === 'Pod' && ref.uid ? ids.pod(ref.uid) : null;
      for (const address of endpoint.addresses) {
        const pod = refPod && topology.pods[refPod] ? refPod : (podsByIP.get(`${namespace}/${address}`) ?? null);
        const id = ids.endpoint(namespace, serviceName, address);
        const record: EndpointRecord = {
          id,
          kind: 'endpoint',
          service,
          slice: slice.metadata.name,
          address,
          isReady,
          isServing: conditions.serving ?? isReady,
          isTerminating: conditions.terminating ?? false,
          nodeName: endpoint.nodeName ?? null,
          zone: endpoint.zone ?? null,
          pod,
          ports,
        };
        // During a rollout an address can appear in two slices; the ready entry wins.
        const existing = topology.endpoints[id];
        if (!existing || (!existing.isReady && record.isReady)) topology.endpoints[id] = record;
      }
    }
  }
}

function addIngress(topology: Topology, ingress: Ingress, objects: ClusterObjects): void {
  const { name, namespace = '' } = ingress.metadata;
  const id = ids.ingress(namespace, name);
  const className = ingress.spec.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class'] ?? null;
  const ingressClass = objects.ingressClasses.find((c) => c.metadata.name === className);
  const rules: IngressRecord['rules'] = [];
  const backendRule = (host: string | null, path: string | null, pathType: string | null, backend: typeof ingress.spec.defaultBackend) => {
    if (!backend?.service) return;
    rules.push({
      host,
      path,
      pathType,
      service: ids.service(namespace, backend.service.name),
      port: backend.service.port.number ?? backend.service.port.name ?? null,
    });
  };
  if (ingress.spec.defaultBackend) backendRule(null, null, null, ingress.spec.defaultBackend);
  for (const rule of ingress.spec.rules ?? []) {
    for (const path of rule.http?.paths ?? []) backendRule(rule.host ?? null, path.path ?? null, path.pathType ?? null, path.backend);
  }
  topology.ingresses[id] = {
    id,
    kind: 'ingress',
    name,
    namespace,
    className,
    controller: ingressClass?.spec.controller ?? null,
    rules,
    loadBalancerIngress: (ingress.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ?? i.hostname ? [i.ip ?? i.hostname ?? ''] : [])),
    tlsHosts: (ingress.spec.tls ?? []).flatMap((t) => t.hosts ?? []),
  };
  addNamespace(topology, namespace);
}
