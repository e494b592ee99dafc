/**
 * One Kubernetes object → its model records: `deriveHost(node, ctx)`, `derivePod(pod, ctx)`,
 * `deriveService`, `deriveEndpoints`, `deriveIngress`, `derivePolicy`, `deriveNamespace`, each
 * pure over the cluster-wide facts of a `DeriveContext` and returning that one object's records.
 */
import type { ContainerPort, EndpointSlice, Ingress, KubeNode, Namespace, NetworkPolicy, Pod, Service } from '../kube/objects.ts';
import type {
  ContainerRecord,
  Device,
  DnsPolicy,
  EndpointRecord,
  Host,
  Id,
  IngressRecord,
  NamespaceRecord,
  PodNetns,
  PodRecord,
  PolicyRecord,
  PortRecord,
  ServiceRecord,
  VethRecord,
} from '../model/types.ts';
import { podIPs, type DeriveContext } from './derive-context.ts';
import { ids } from './ids.ts';
import { nodeDevices, observeDevices } from './node-devices.ts';
import { nodeFacts, type NodeFacts } from './node-facts.ts';
import { nodeRoutes, observeRoutes } from './node-routes.ts';
import { familiesOf, observeVeth, podDefaultRoute, podHostRoutes, podNetns, vethHostEnd } from './pod-datapath.ts';

const systemNamespaces = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'kube-flannel', 'calico-system', 'tigera-operator', 'local-path-storage']);

export function deriveNamespace(ns: Namespace, _ctx: DeriveContext): NamespaceRecord {
  const name = ns.metadata.name;
  return {
    id: ids.namespace(name),
    kind: 'namespace',
    name,
    // The API server sets this label on every namespace; keep it for the policy evaluator
    // even when only the name is known (the namespace object itself was not readable).
    labels: ns.metadata.labels ?? { 'kubernetes.io/metadata.name': name },
    isSystem: systemNamespaces.has(name) || name.startsWith('kube-'),
  };
}

function addressesOf(node: KubeNode, type: 'InternalIP' | 'ExternalIP'): string[] {
  return (node.status?.addresses ?? []).filter((a) => a.type === type).map((a) => a.address);
}

/**
 * kube-proxy's IPVS mode binds every ClusterIP, external IP and LoadBalancer IP to a dummy device
 * on every node, so the kernel takes them as local and IPVS can DNAT them (pkg/proxy/ipvs,
 * `defaultDummyDevice`). Listing them on every node would repeat the Service list per node, so
 * the device carries a summary; the Services hold the addresses.
 */
function ipvsDevice(hostId: Id, nodeName: string, ctx: DeriveContext): Device {
  return {
    id: ids.device(nodeName, 'dummy'),
    kind: 'device',
    host: hostId,
    type: 'dummy',
    role: 'ipvs',
    name: 'kube-ipvs0',
    nameProvenance: 'inferred',
    addresses: [],
    addressSummary: 'every ClusterIP, external IP and LoadBalancer IP, each as /32 (or /128)',
    evidence: `kube-proxy runs in IPVS mode (${ctx.proxyMode.evidence.join('; ')}), which creates the dummy device kube-ipvs0`,
  };
}

/** A node: its addresses and readiness, its root-netns devices and its routes. */
export function deriveHost(node: KubeNode, ctx: DeriveContext): { host: Host; devices: Device[] } {
  const name = node.metadata.name;
  const cni = ctx.cni.value;
  const facts = ctx.nodes.get(name) ?? nodeFacts(node, cni, ctx.cniDetails);
  const inferred = nodeDevices(facts, cni);
  if (ctx.proxyMode.value === 'ipvs') inferred.push(ipvsDevice(facts.id, name, ctx));
  const datapath = ctx.observed.get(name);
  const devices = datapath ? observeDevices(inferred, facts, datapath) : inferred;
  const routes = nodeRoutes(cni, facts, ctx.nodeList, ctx.clusterPodCIDRs);
  const host: Host = {
    id: facts.id,
    kind: 'host',
    name,
    internalIPs: facts.internalIPs,
    externalIPs: addressesOf(node, 'ExternalIP'),
    podCIDRs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
    isReady: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    zone: node.metadata.labels?.['topology.kubernetes.io/zone'] ?? null,
    labels: node.metadata.labels ?? {},
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? null,
    devices: devices.map((d) => d.id),
    cniPodCIDRs: facts.cniPodCIDRs,
    cniPodCIDRsEvidence: facts.cniPodCIDRsEvidence,
    datapathIPs: facts.datapathIPs,
    routes: datapath ? observeRoutes(routes, facts, ctx.nodeList, datapath, devices) : routes,
    ...(datapath ? { observed: datapath.observation } : {}),
    ...(node.kubeletConfig ? { kubeletDns: { clusterDNS: node.kubeletConfig.clusterDNS ?? [], clusterDomain: node.kubeletConfig.clusterDomain ?? null } } : {}),
  };
  return { host, devices };
}

function portsOf(ports: ContainerPort[] | undefined): PortRecord[] {
  return (ports ?? []).map((p) => {
    const port: PortRecord = { name: p.name ?? null, port: p.containerPort, protocol: p.protocol ?? 'TCP' };
    if (p.hostPort) port.hostPort = p.hostPort;
    if (p.hostIP) port.hostIP = p.hostIP;
    return port;
  });
}

/** A container's `ready` from the pod's statuses, the last listed winning (init containers'
 * after app containers'). Looked up per container, without a map per pod. */
function isContainerReady(pod: Pod, name: string): boolean {
  let ready: boolean | undefined;
  for (const s of pod.status?.containerStatuses ?? []) if (s.name === name) ready = s.ready;
  for (const s of pod.status?.initContainerStatuses ?? []) if (s.name === name) ready = s.ready;
  return ready ?? false;
}

function containerRecord(pod: Pod, podId: Id, c: Pod['spec']['containers'][number], role: ContainerRecord['role']): ContainerRecord {
  return {
    id: ids.container(pod.metadata.uid, c.name),
    kind: 'container',
    pod: podId,
    name: c.name,
    image: c.image ?? null,
    role,
    ports: portsOf(c.ports),
    isReady: isContainerReady(pod, c.name),
  };
}

/** Each node's bridge id, made once per node rather than once per pod (issue 14: at 150k pods,
 * a derive's time is mostly its allocations). */
const bridgeIds = new WeakMap<NodeFacts, Id>();
function bridgeIdOf(node: NodeFacts): Id {
  let id = bridgeIds.get(node);
  if (id === undefined) bridgeIds.set(node, (id = ids.device(node.name, 'bridge')));
  return id;
}

/**
 * The API server always fills in spec.serviceAccountName (with `default` when a pod names none),
 * so a pod without it is one whose account was not read (objects.ts's Pod does not list the
 * field yet): left out rather than guessed, and Calico's service account matches stay unknown.
 */
function serviceAccountOf(pod: Pod): Pick<PodRecord, 'serviceAccount'> {
  const account = pod.spec.serviceAccountName;
  return account ? { serviceAccount: account } : {};
}

/** A pod: its netns, containers and the veth that joins it to its node. */
export function derivePod(pod: Pod, ctx: DeriveContext): { pod: PodRecord; containers: ContainerRecord[]; veth: VethRecord | null } {
  const { uid, name, namespace = '' } = pod.metadata;
  const id = ids.pod(uid);
  const nodeName = pod.spec.nodeName;
  const node = nodeName ? ctx.nodes.get(nodeName) : undefined;
  // The node's own id string where the node is listed: one string per node, not per pod.
  const hostId = nodeName ? (node?.id ?? ids.host(nodeName)) : null;
  const isHostNetwork = pod.spec.hostNetwork === true;
  const ips = podIPs(pod);
  const cni = ctx.cni.value;

  const containers: ContainerRecord[] = [];
  // Init containers with restartPolicy Always are native sidecars: they run beside the app.
  for (const c of pod.spec.initContainers ?? []) containers.push(containerRecord(pod, id, c, c.restartPolicy === 'Always' ? 'sidecar' : 'init'));
  for (const c of pod.spec.containers) containers.push(containerRecord(pod, id, c, 'app'));

  // eth0 as the veth's pod end and as the netns lists it: one object, shared (plain data).
  const eth0 = { name: 'eth0', addresses: ips };
  let veth: VethRecord | null = null;
  if (hostId && nodeName && !isHostNetwork && ips.length > 0) {
    const hasBridge = node !== undefined && (cni.podAttachment === 'bridge' || cni.podAttachment === 'ovs') && cni.bridgeDevice !== null;
    veth = {
      id: ids.veth(uid),
      kind: 'veth',
      pod: id,
      host: hostId,
      podEnd: eth0,
      hostEnd: vethHostEnd(namespace, name, cni, ctx.cniDetails),
      bridge: hasBridge ? bridgeIdOf(node) : null,
      hostRoutes: podHostRoutes(ips, cni),
    };
    const datapath = node ? ctx.observed.get(nodeName) : undefined;
    if (datapath) veth = observeVeth(veth, { namespace, name, uid, ips, createdAt: pod.metadata.creationTimestamp ?? null }, datapath);
  }

  let defaultRoutes: PodNetns['defaultRoutes'] | undefined;
  if (!isHostNetwork) {
    const families = familiesOf(ips);
    const key = `${nodeName ?? ''}|${families}`;
    defaultRoutes = ctx.defaultRoutes.get(key);
    if (!defaultRoutes) {
      defaultRoutes = [...families].map((f) => podDefaultRoute(cni, node, f === '6'));
      ctx.defaultRoutes.set(key, defaultRoutes);
    }
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
    netns: defaultRoutes ? podNetns(ips, defaultRoutes, eth0) : null,
    dnsPolicy: dnsPolicyOf(pod.spec.dnsPolicy),
    dnsConfig: pod.spec.dnsConfig
      ? {
          nameservers: pod.spec.dnsConfig.nameservers ?? [],
          searches: pod.spec.dnsConfig.searches ?? [],
          options: (pod.spec.dnsConfig.options ?? []).map((o) => ({ name: o.name, value: o.value ?? null })),
        }
      : null,
    ...serviceAccountOf(pod),
  };
  return { pod: record, containers, veth };
}

const dnsPolicies: readonly DnsPolicy[] = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

/** The API server defaults an absent dnsPolicy to ClusterFirst and rejects any other value. */
function dnsPolicyOf(value: string | undefined): DnsPolicy {
  return dnsPolicies.find((p) => p === value) ?? 'ClusterFirst';
}

export function deriveService(service: Service, _ctx: DeriveContext): ServiceRecord {
  const { name, namespace = '' } = service.metadata;
  const spec = service.spec;
  const type = spec.type ?? 'ClusterIP';
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== 'None');
  return {
    id: ids.service(namespace, name),
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
    ...serviceExtras(service),
  };
}

/** The fields a Service record carries only where the Service sets them. */
function serviceExtras(service: Service): Partial<ServiceRecord> {
  const spec = service.spec;
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  const topologyMode = service.metadata.annotations?.['service.kubernetes.io/topology-mode'];
  return {
    ...(timeout !== undefined ? { sessionAffinityTimeout: timeout } : {}),
    ...(spec.loadBalancerSourceRanges?.length ? { loadBalancerSourceRanges: spec.loadBalancerSourceRanges } : {}),
    ...(spec.healthCheckNodePort !== undefined ? { healthCheckNodePort: spec.healthCheckNodePort } : {}),
    ...(spec.trafficDistribution ? { trafficDistribution: spec.trafficDistribution } : {}),
    ...(topologyMode ? { topologyMode } : {}),
    ...(spec.ipFamilies?.length ? { ipFamilies: spec.ipFamilies } : {}),
    ...(spec.ipFamilyPolicy ? { ipFamilyPolicy: spec.ipFamilyPolicy } : {}),
  };
}

/** One EndpointSlice's endpoints. An address in two slices yields two records with one id;
 * the caller keeps the ready one. */
export function deriveEndpoints(slice: EndpointSlice, ctx: DeriveContext): EndpointRecord[] {
  const namespace = slice.metadata.namespace ?? '';
  const serviceName = slice.metadata.labels?.['kubernetes.io/service-name'];
  if (!serviceName || slice.addressType === 'FQDN') return [];
  const service = ids.service(namespace, serviceName);
  const ports: PortRecord[] = (slice.ports ?? []).flatMap((p) =>
    p.port === undefined ? [] : [{ name: p.name ?? null, port: p.port, protocol: (p.protocol ?? 'TCP') as PortRecord['protocol'] }],
  );
  const records: EndpointRecord[] = [];
  for (const endpoint of slice.endpoints ?? []) {
    const conditions = endpoint.conditions ?? {};
    // EndpointSlice semantics: a nil ready means ready; nil serving means "same as ready".
    const isReady = conditions.ready ?? true;
    const ref = endpoint.targetRef;
    const refPod = ref?.kind === 'Pod' && ref.uid ? ids.pod(ref.uid) : null;
    for (const address of endpoint.addresses) {
      records.push({
        id: ids.endpoint(namespace, serviceName, address),
        kind: 'endpoint',
        service,
        slice: slice.metadata.name,
        address,
        isReady,
        isServing: conditions.serving ?? isReady,
        isTerminating: conditions.terminating ?? false,
        nodeName: endpoint.nodeName ?? null,
        zone: endpoint.zone ?? null,
        pod: refPod && ctx.podIds.has(refPod) ? refPod : (ctx.podsByIP.get(`${namespace}/${address}`) ?? null),
        ports,
        ...(endpoint.hints ? { hints: { forZones: (endpoint.hints.forZones ?? []).map((h) => h.name), forNodes: (endpoint.hints.forNodes ?? []).map((h) => h.name) } } : {}),
      });
    }
  }
  return records;
}

export function deriveIngress(ingress: Ingress, ctx: DeriveContext): IngressRecord {
  const { name, namespace = '' } = ingress.metadata;
  const className = ingress.spec.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class'] ?? null;
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
  return {
    id: ids.ingress(namespace, name),
    kind: 'ingress',
    name,
    namespace,
    className,
    controller: (className !== null ? ctx.ingressControllers.get(className) : undefined) ?? null,
    rules,
    loadBalancerIngress: (ingress.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ?? i.hostname ? [i.ip ?? i.hostname ?? ''] : [])),
    tlsHosts: (ingress.spec.tls ?? []).flatMap((t) => t.hosts ?? []),
  };
}

/** Reads no cluster-wide fact, so the context is optional: policyRecordFrom (shared/policy)
 * turns a what-if manifest into a record without one. */
export function derivePolicy(policy: NetworkPolicy, _ctx?: DeriveContext): PolicyRecord {
  const { name, namespace = '' } = policy.metadata;
  // The API server's defaulting: with no policyTypes (absent or empty), Ingress always, and Egress
  // when the policy has at least one egress rule (`egress: []` does not count).
  const written = policy.spec.policyTypes ?? [];
  const policyTypes: PolicyRecord['policyTypes'] = written.length > 0 ? written : (policy.spec.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  return { id: ids.policy(namespace, name), kind: 'policy', name, namespace, spec: policy.spec, policyTypes };
}
