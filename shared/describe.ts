/**
 * The one description of the model (issue 4, "Describe"): `podpath describe` prints it, as JSON
 * or as text, and the app's details panel draws each element from the same records
 * (`describeElement`), so what the model says about a pod, a node or a Service is written down
 * in one place.
 *
 * Records are plain JSON. Cross-references carry both the readable name (`namespace/name`, a
 * node's name) and the model id (types.ts), so a script can join them and the panel can link
 * them. Every guessed fact keeps its provenance, confidence and evidence.
 */
import { matchesSelector } from './kube/selector.ts';
import type {
  Confidence,
  ContainerRecord,
  ContainerRole,
  DatapathStyle,
  Device,
  Encapsulation,
  EndpointRecord,
  Host,
  Id,
  IngressRecord,
  PeerRouting,
  PodAttachment,
  PodNetns,
  PodRecord,
  PolicyRecord,
  Provenance,
  ProxyMode,
  ServicePortRecord,
  ServiceRecord,
  Topology,
  VethRecord,
} from './model/types.ts';
import { internetId } from './model/types.ts';

export const describeFormat = 'podpath.describe';
export const describeVersion = 1;

export interface DescribedCni {
  /** Lower-case identifier: `flannel`, `calico`, `cilium`, `kindnet`, `aws-vpc-cni`, …, `unknown`. */
  name: string;
  datapath: DatapathStyle;
  encapsulation: Encapsulation | null;
  bridgeDevice: string | null;
  tunnelDevice: string | null;
  vni: number | null;
  udpPort: number | null;
  /** How a pod's veth meets the root netns: bridge, ovs, routed, ebpf, unknown. */
  podAttachment: PodAttachment;
  /** How a node reaches other nodes' pods (see types.ts `PeerRouting`). */
  peerRouting: PeerRouting;
  tunnelScope: 'all' | 'cross-subnet' | null;
  /** Prefix of host-side veth names (`cali`, `lxc`, …), where the CNI has one. */
  vethPrefix: string | null;
  ipam: string | null;
  /** Every device the CNI creates in each node's root netns. */
  hostDevices: string[];
  confidence: Confidence;
  evidence: string[];
}

export interface DescribedCluster {
  context: string | null;
  /** scheme://host:port of the API server; never credentials. */
  server: string | null;
  kubernetesVersion: string | null;
  capturedAt: string | null;
  cni: DescribedCni;
  proxy: { mode: ProxyMode; confidence: Confidence; evidence: string[] };
  podCIDRs: string[];
  /** Kinds that could not be read: missing from the description, not absent from the cluster. */
  unavailableKinds: { kind: string; reason: string }[];
}

export interface DescribedAddress {
  type: 'InternalIP' | 'ExternalIP';
  address: string;
}

export interface DescribedDevice {
  id: Id;
  /** Interface name; null while unknown (an uplink's name is only known from a node probe). */
  name: string | null;
  /** What the device is: uplink, bridge, ovs-bridge, tunnel, gateway, gateway-peer. */
  kind: string;
  /** Of the name: observed on the node, inferred from the CNI, or unknown. */
  provenance: Provenance;
  addresses: string[];
  evidence: string;
  encapsulation: Encapsulation | null;
  vni: number | null;
  udpPort: number | null;
}

export interface DescribedRoute {
  /** Destination prefix, e.g. `10.244.1.0/24`; null where the API does not reveal it. */
  destination: string | null;
  /** Next hop, when the route has one. */
  via: string | null;
  /** Outgoing device name; null when the name is unknown. */
  device: string | null;
  onlink: boolean;
  type: 'unicast' | 'blackhole';
  /** `local`: this node's pods; `peer`: one other node's; `cluster`: one route for every peer;
   * `summary`: stands for `count` per-peer routes (large clusters). */
  scope: 'local' | 'peer' | 'cluster' | 'summary';
  /** The node a `peer` route leads to, by name. */
  peer: string | null;
  count: number | null;
  provenance: Provenance;
  evidence: string;
  /** What the route leads to, e.g. a pod's `namespace/name` or a node's name, for links. */
  to: string | null;
  toId: Id | null;
}

export interface DescribedNode {
  id: Id;
  name: string;
  ready: boolean;
  zone: string | null;
  kubeletVersion: string | null;
  labels: Record<string, string>;
  addresses: DescribedAddress[];
  podCIDRs: string[];
  /** The pod ranges the CNI serves from this node, when they differ from podCIDRs' source. */
  cniPodCIDRs: string[];
  /** The addresses peers' routes and tunnels point at. */
  datapathIPs: string[];
  /** Root-namespace devices, in display order. */
  devices: DescribedDevice[];
  /** Routes in the root netns that the datapath implies. */
  routes: DescribedRoute[];
  /** `namespace/name` of the pods scheduled here. */
  pods: string[];
  /** How many of them share the node's root netns (hostNetwork). */
  hostNetworkPods: number;
}

export interface DescribedPort {
  name: string | null;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface DescribedContainer {
  id: Id;
  name: string;
  role: ContainerRole;
  image: string | null;
  ready: boolean;
  ports: DescribedPort[];
}

export interface DescribedVeth {
  id: Id;
  /** Host end's name; null when unknown (random names are only known from a node probe). */
  hostName: string | null;
  provenance: Provenance;
  /** How the host end is named, in words. */
  how: string;
  /** When the name is unknown but its shape is not: a regular expression to search a node's
   * `ip -o link` output with. */
  pattern: string | null;
  podEnd: { name: string; addresses: string[] };
  /** The bridge the host end is attached to (bridge and overlay CNIs). */
  bridge: { id: Id; name: string | null; addresses: string[] } | null;
  /** Routed CNIs: the /32 (/128) routes in the root netns that lead to the host end. */
  hostRoutes: string[];
}

export type EndpointState = 'ready' | 'not-ready' | 'terminating';

export interface DescribedPod {
  id: Id;
  namespace: string;
  name: string;
  /** The node's name; null while unscheduled. */
  node: string | null;
  nodeId: Id | null;
  ips: string[];
  hostNetwork: boolean;
  phase: string;
  ready: boolean;
  /** `Kind/name` of the controller, e.g. `ReplicaSet/web-7d4b9c8f6d`. */
  owner: string | null;
  labels: Record<string, string>;
  containers: DescribedContainer[];
  /** The pod's own network namespace (`lo`, `eth0`, default routes); null for hostNetwork
   * pods, which use the node's. */
  netns: PodNetns | null;
  /** The pod's veth pair; null when it has none (hostNetwork, or no IP yet). */
  veth: DescribedVeth | null;
  /** Services with an endpoint on this pod. */
  services: { id: Id; service: string; ip: string; state: EndpointState; ports: DescribedPort[] }[];
  /** NetworkPolicies whose podSelector selects this pod, with the directions they isolate.
   * hostNetwork pods are outside NetworkPolicy, so none select them. */
  policies: { id: Id; policy: string; types: ('Ingress' | 'Egress')[] }[];
}

export interface DescribedKubeProxy {
  mode: 'iptables' | 'nftables';
  service: string;
  local: string | null;
  external: string | null;
  firewall: string | null;
  endpoints: { ip: string; target: string; chain: string }[];
}

export interface DescribedServicePort {
  name: string | null;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  targetPort: number | string;
  nodePort: number | null;
  /** Every chain kube-proxy makes for this port (service, local, external, firewall, then one
   * per endpoint), to grep a node's rules for; empty where kube-proxy makes none (IPVS, eBPF). */
  kubeProxyChains: string[];
  /** The same chains by role, with the endpoint each endpoint chain DNATs to. */
  kubeProxy: DescribedKubeProxy | null;
}

export interface DescribedEndpoint {
  id: Id;
  ip: string;
  state: EndpointState;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  node: string | null;
  zone: string | null;
  /** The pod behind the address as `namespace/name`, when the slice names one that exists. */
  pod: string | null;
  podId: Id | null;
  ports: DescribedPort[];
  slice: string;
}

export interface DescribedService {
  id: Id;
  namespace: string;
  name: string;
  type: ServiceRecord['type'];
  clusterIPs: string[];
  headless: boolean;
  externalName: string | null;
  externalIPs: string[];
  loadBalancerIngress: string[];
  /** null: no selector, the EndpointSlices are managed by hand. */
  selector: Record<string, string> | null;
  externalTrafficPolicy: 'Cluster' | 'Local' | null;
  internalTrafficPolicy: 'Cluster' | 'Local';
  sessionAffinity: 'None' | 'ClientIP';
  labels: Record<string, string>;
  ports: DescribedServicePort[];
  /** Sorted by address. */
  endpoints: DescribedEndpoint[];
}

export interface DescribedIngress {
  id: Id;
  namespace: string;
  name: string;
  className: string | null;
  controller: string | null;
  addresses: string[];
  tlsHosts: string[];
  rules: { host: string | null; path: string | null; pathType: string | null; service: string; serviceId: Id; port: number | string | null }[];
}

export interface DescribedPolicy {
  id: Id;
  namespace: string;
  name: string;
  policyTypes: ('Ingress' | 'Egress')[];
  podSelector: PolicyRecord['spec']['podSelector'];
  ingress: NonNullable<PolicyRecord['spec']['ingress']>;
  egress: NonNullable<PolicyRecord['spec']['egress']>;
}

export interface DescribedNamespace {
  id: Id;
  name: string;
  labels: Record<string, string>;
  system: boolean;
}

export interface DescribeDocument {
  format: typeof describeFormat;
  version: typeof describeVersion;
  cluster: DescribedCluster;
  namespaces: DescribedNamespace[];
  /** Sorted by name. */
  nodes: DescribedNode[];
  /** Sorted by namespace, then name. */
  pods: DescribedPod[];
  services: DescribedService[];
  ingresses: DescribedIngress[];
  policies: DescribedPolicy[];
}

/** A short reference to another element, for links. */
export interface ElementRef {
  id: Id;
  name: string;
  namespace?: string;
}

/** What the details panel shows for one element: its record and the neighbours it links to. */
export type ElementDescription =
  | { kind: 'pod'; pod: DescribedPod }
  | { kind: 'container'; container: DescribedContainer; pod: ElementRef & { ips: string[] } }
  | { kind: 'node'; node: DescribedNode }
  | { kind: 'device'; device: DescribedDevice; node: ElementRef & { internalIPs: string[] } }
  | { kind: 'veth'; veth: DescribedVeth; pod: ElementRef; node: ElementRef }
  | { kind: 'service'; service: DescribedService }
  | { kind: 'endpoint'; endpoint: DescribedEndpoint; service: ElementRef }
  | { kind: 'ingress'; ingress: DescribedIngress }
  | { kind: 'policy'; policy: DescribedPolicy }
  | { kind: 'namespace'; namespace: DescribedNamespace; pods: number; services: (ElementRef & { type: string })[] }
  | { kind: 'external'; id: Id; name: string; exposed: (ElementRef & { via: 'service' | 'ingress'; addresses: string[] })[] };

// ————————————————————————————————————————————————————————————————————————————————————————————
// Records

const byName = <T extends { name: string; namespace?: string }>(a: T, b: T): number => {
  const ka = `${a.namespace ?? ''}/${a.name}`;
  const kb = `${b.namespace ?? ''}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function nodeNameOf(topology: Topology, id: Id | null): string | null {
  if (!id) return null;
  return topology.hosts[id]?.name ?? id.replace(/^node:/, '');
}

export function endpointStateOf(endpoint: EndpointRecord): EndpointState {
  if (endpoint.isTerminating) return 'terminating';
  return endpoint.isReady ? 'ready' : 'not-ready';
}

/** The cluster-wide facts: where the model came from, the CNI and proxy mode with their evidence. */
export function describeCluster(topology: Topology): DescribedCluster {
  const { cluster } = topology;
  const cni = cluster.cni;
  return {
    context: cluster.context,
    server: cluster.server,
    kubernetesVersion: cluster.kubernetesVersion,
    capturedAt: cluster.capturedAt,
    cni: {
      name: cni.value.name,
      datapath: cni.value.datapath,
      encapsulation: cni.value.encapsulation,
      bridgeDevice: cni.value.bridgeDevice,
      tunnelDevice: cni.value.tunnelDevice,
      vni: cni.value.vni,
      udpPort: cni.value.udpPort,
      podAttachment: cni.value.podAttachment ?? 'unknown',
      peerRouting: cni.value.peerRouting ?? 'unknown',
      tunnelScope: cni.value.tunnelScope ?? null,
      vethPrefix: cni.value.vethPrefix ?? null,
      ipam: cni.value.ipam ?? null,
      hostDevices: [...(cni.value.hostDevices ?? [])],
      confidence: cni.confidence,
      evidence: [...cni.evidence],
    },
    proxy: { mode: cluster.proxyMode.value, confidence: cluster.proxyMode.confidence, evidence: [...cluster.proxyMode.evidence] },
    podCIDRs: [...cluster.podCIDRs],
    unavailableKinds: cluster.unavailableKinds.map((k) => ({ ...k })),
  };
}

function describeDevice(device: Device): DescribedDevice {
  return {
    id: device.id,
    name: device.name,
    kind: device.role ?? device.type,
    provenance: device.name ? device.nameProvenance : 'unknown',
    addresses: [...device.addresses],
    evidence: device.evidence,
    encapsulation: device.encapsulation ?? null,
    vni: device.vni ?? null,
    udpPort: device.udpPort ?? null,
  };
}

function hostEndName(veth: VethRecord): string | null {
  return veth.hostEnd.provenance !== 'unknown' ? veth.hostEnd.name : null;
}

/**
 * The routes in a node's root netns: the node's own (`Host.routes`, which the datapath implies),
 * then a routed CNI's route to each local pod's veth where the node's own do not list them.
 */
function routesOf(topology: Topology, host: Host, veths: VethRecord[]): DescribedRoute[] {
  const routes: DescribedRoute[] = (host.routes ?? []).map((r) => {
    const peer = r.peer ? topology.hosts[r.peer] : undefined;
    return {
      destination: r.destination,
      via: r.via,
      device: r.device,
      onlink: r.isOnlink,
      type: r.type,
      scope: r.scope,
      peer: r.peer ? (peer?.name ?? r.peer.replace(/^node:/, '')) : null,
      count: r.count ?? null,
      provenance: r.provenance,
      evidence: r.evidence,
      to: peer ? peer.name : null,
      toId: peer ? peer.id : null,
    };
  });
  const listed = new Set(routes.map((r) => r.destination));
  for (const veth of veths) {
    const pod = topology.pods[veth.pod];
    const device = hostEndName(veth);
    for (const destination of veth.hostRoutes) {
      if (listed.has(destination)) continue;
      routes.push({
        destination,
        via: null,
        device,
        onlink: false,
        type: 'unicast',
        scope: 'local',
        peer: null,
        count: null,
        provenance: device ? veth.hostEnd.provenance : 'unknown',
        evidence: `the CNI routes each pod IP to its veth; ${veth.hostEnd.how}`,
        to: pod ? `${pod.namespace}/${pod.name}` : null,
        toId: pod ? pod.id : null,
      });
    }
  }
  return routes;
}

function describeNode(topology: Topology, host: Host, pods: PodRecord[], veths: VethRecord[]): DescribedNode {
  return {
    id: host.id,
    name: host.name,
    ready: host.isReady,
    zone: host.zone,
    kubeletVersion: host.kubeletVersion,
    labels: { ...host.labels },
    addresses: [
      ...host.internalIPs.map((address) => ({ type: 'InternalIP' as const, address })),
      ...host.externalIPs.map((address) => ({ type: 'ExternalIP' as const, address })),
    ],
    podCIDRs: [...host.podCIDRs],
    cniPodCIDRs: [...(host.cniPodCIDRs ?? [])],
    datapathIPs: [...(host.datapathIPs ?? [])],
    devices: host.devices.flatMap((id) => {
      const device = topology.devices[id];
      return device ? [describeDevice(device)] : [];
    }),
    routes: routesOf(topology, host, veths),
    pods: pods.map((p) => `${p.namespace}/${p.name}`).sort(),
    hostNetworkPods: pods.filter((p) => p.isHostNetwork).length,
  };
}

function describePort(port: { name: string | null; port: number; protocol: DescribedPort['protocol'] }): DescribedPort {
  return { name: port.name, port: port.port, protocol: port.protocol };
}

function describeContainer(container: ContainerRecord): DescribedContainer {
  return {
    id: container.id,
    name: container.name,
    role: container.role,
    image: container.image,
    ready: container.isReady,
    ports: container.ports.map(describePort),
  };
}

function describeVeth(topology: Topology, veth: VethRecord): DescribedVeth {
  const bridge = veth.bridge ? topology.devices[veth.bridge] : undefined;
  const hostName = hostEndName(veth);
  return {
    id: veth.id,
    hostName,
    provenance: hostName ? veth.hostEnd.provenance : 'unknown',
    how: veth.hostEnd.how,
    pattern: veth.hostEnd.pattern ?? null,
    podEnd: { name: veth.podEnd.name, addresses: [...veth.podEnd.addresses] },
    bridge: bridge ? { id: bridge.id, name: bridge.name, addresses: [...bridge.addresses] } : null,
    hostRoutes: [...veth.hostRoutes],
  };
}

function describePod(topology: Topology, pod: PodRecord, endpoints: EndpointRecord[]): DescribedPod {
  const veth = pod.veth ? topology.veths[pod.veth] : undefined;
  return {
    id: pod.id,
    namespace: pod.namespace,
    name: pod.name,
    node: nodeNameOf(topology, pod.host),
    nodeId: pod.host,
    ips: [...pod.ips],
    hostNetwork: pod.isHostNetwork,
    phase: pod.phase,
    ready: pod.isReady,
    owner: pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : null,
    labels: { ...pod.labels },
    containers: pod.containers.flatMap((id) => {
      const container = topology.containers[id];
      return container ? [describeContainer(container)] : [];
    }),
    netns: pod.netns ?? null,
    veth: veth ? describeVeth(topology, veth) : null,
    services: endpoints
      .map((e) => {
        const service = topology.services[e.service];
        return {
          id: e.service,
          service: service ? `${service.namespace}/${service.name}` : e.service.replace(/^svc:/, ''),
          ip: e.address,
          state: endpointStateOf(e),
          ports: e.ports.map(describePort),
        };
      })
      .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0)),
    policies: pod.isHostNetwork
      ? []
      : Object.values(topology.policies)
          .filter((p) => p.namespace === pod.namespace && matchesSelector(pod.labels, p.spec.podSelector))
          .map((p) => ({ id: p.id, policy: `${p.namespace}/${p.name}`, types: [...p.policyTypes] }))
          .sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0)),
  };
}

function describeEndpoint(topology: Topology, endpoint: EndpointRecord): DescribedEndpoint {
  const pod = endpoint.pod ? topology.pods[endpoint.pod] : undefined;
  return {
    id: endpoint.id,
    ip: endpoint.address,
    state: endpointStateOf(endpoint),
    ready: endpoint.isReady,
    serving: endpoint.isServing,
    terminating: endpoint.isTerminating,
    node: endpoint.nodeName,
    zone: endpoint.zone,
    pod: pod ? `${pod.namespace}/${pod.name}` : null,
    podId: pod ? pod.id : null,
    ports: endpoint.ports.map(describePort),
    slice: endpoint.slice,
  };
}

function describeKubeProxy(topology: Topology, kubeProxy: ServicePortRecord['kubeProxy']): DescribedKubeProxy | null {
  if (!kubeProxy) return null;
  return {
    mode: kubeProxy.mode,
    service: kubeProxy.service,
    local: kubeProxy.local,
    external: kubeProxy.external,
    firewall: kubeProxy.firewall,
    endpoints: kubeProxy.endpoints.map((e) => ({ ip: topology.endpoints[e.endpoint]?.address ?? e.target, target: e.target, chain: e.chain })),
  };
}

function describeServicePort(topology: Topology, port: ServicePortRecord): DescribedServicePort {
  const kubeProxy = describeKubeProxy(topology, port.kubeProxy ?? null);
  const chains = kubeProxy
    ? [kubeProxy.service, kubeProxy.local, kubeProxy.external, kubeProxy.firewall, ...kubeProxy.endpoints.map((e) => e.chain)]
    : [];
  return {
    name: port.name,
    port: port.port,
    protocol: port.protocol,
    targetPort: port.targetPort,
    nodePort: port.nodePort,
    kubeProxyChains: chains.filter((c): c is string => c !== null),
    kubeProxy,
  };
}

const byAddress = (a: EndpointRecord, b: EndpointRecord): number => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);

function describeService(topology: Topology, service: ServiceRecord, endpoints: EndpointRecord[]): DescribedService {
  return {
    id: service.id,
    namespace: service.namespace,
    name: service.name,
    type: service.type,
    clusterIPs: [...service.clusterIPs],
    headless: service.isHeadless,
    externalName: service.externalName,
    externalIPs: [...service.externalIPs],
    loadBalancerIngress: [...service.loadBalancerIngress],
    selector: service.selector ? { ...service.selector } : null,
    externalTrafficPolicy: service.externalTrafficPolicy,
    internalTrafficPolicy: service.internalTrafficPolicy,
    sessionAffinity: service.sessionAffinity,
    labels: { ...service.labels },
    ports: service.ports.map((p) => describeServicePort(topology, p)),
    endpoints: [...endpoints].sort(byAddress).map((e) => describeEndpoint(topology, e)),
  };
}

function describeIngress(topology: Topology, ingress: IngressRecord): DescribedIngress {
  return {
    id: ingress.id,
    namespace: ingress.namespace,
    name: ingress.name,
    className: ingress.className,
    controller: ingress.controller,
    addresses: [...ingress.loadBalancerIngress],
    tlsHosts: [...ingress.tlsHosts],
    rules: ingress.rules.map((r) => {
      const service = topology.services[r.service];
      return {
        host: r.host,
        path: r.path,
        pathType: r.pathType,
        service: service ? `${service.namespace}/${service.name}` : r.service.replace(/^svc:/, ''),
        serviceId: r.service,
        port: r.port,
      };
    }),
  };
}

function describePolicy(policy: PolicyRecord): DescribedPolicy {
  return {
    id: policy.id,
    namespace: policy.namespace,
    name: policy.name,
    policyTypes: [...policy.policyTypes],
    podSelector: policy.spec.podSelector,
    ingress: policy.spec.ingress ?? [],
    egress: policy.spec.egress ?? [],
  };
}

function group<T>(items: Iterable<T>, keyOf: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null) continue;
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The whole model, described. Linear in its size: every join goes through one index. */
export function describeTopology(topology: Topology): DescribeDocument {
  const pods = Object.values(topology.pods);
  const endpoints = Object.values(topology.endpoints);
  const podsByHost = group(pods, (p) => p.host);
  const vethsByHost = group(Object.values(topology.veths), (v) => v.host);
  const endpointsByService = group(endpoints, (e) => e.service);
  const endpointsByPod = group(endpoints, (e) => e.pod);
  return {
    format: describeFormat,
    version: describeVersion,
    cluster: describeCluster(topology),
    namespaces: Object.values(topology.namespaces)
      .sort(byName)
      .map((ns) => ({ id: ns.id, name: ns.name, labels: { ...ns.labels }, system: ns.isSystem })),
    nodes: Object.values(topology.hosts)
      .sort(byName)
      .map((host) => describeNode(topology, host, podsByHost.get(host.id) ?? [], vethsByHost.get(host.id) ?? [])),
    pods: pods.sort(byName).map((pod) => describePod(topology, pod, endpointsByPod.get(pod.id) ?? [])),
    services: Object.values(topology.services)
      .sort(byName)
      .map((service) => describeService(topology, service, endpointsByService.get(service.id) ?? [])),
    ingresses: Object.values(topology.ingresses)
      .sort(byName)
      .map((ingress) => describeIngress(topology, ingress)),
    policies: Object.values(topology.policies).sort(byName).map(describePolicy),
  };
}

/**
 * The description of one element, as the details panel shows it; null when `id` names nothing.
 * A click describes one element, so this scans only the collections that element joins to.
 */
export function describeElement(topology: Topology, id: Id): ElementDescription | null {
  const pod = topology.pods[id];
  if (pod) {
    return { kind: 'pod', pod: describePod(topology, pod, Object.values(topology.endpoints).filter((e) => e.pod === id)) };
  }
  const container = topology.containers[id];
  if (container) {
    const owner = topology.pods[container.pod];
    return {
      kind: 'container',
      container: describeContainer(container),
      pod: { id: container.pod, name: owner?.name ?? container.pod, namespace: owner?.namespace, ips: owner ? [...owner.ips] : [] },
    };
  }
  const host = topology.hosts[id];
  if (host) {
    const pods = Object.values(topology.pods).filter((p) => p.host === id);
    const veths = Object.values(topology.veths).filter((v) => v.host === id);
    return { kind: 'node', node: describeNode(topology, host, pods, veths) };
  }
  const device = topology.devices[id];
  if (device) {
    const deviceHost = topology.hosts[device.host];
    return {
      kind: 'device',
      device: describeDevice(device),
      node: { id: device.host, name: nodeNameOf(topology, device.host) ?? device.host, internalIPs: deviceHost ? [...deviceHost.internalIPs] : [] },
    };
  }
  const veth = topology.veths[id];
  if (veth) {
    const owner = topology.pods[veth.pod];
    return {
      kind: 'veth',
      veth: describeVeth(topology, veth),
      pod: { id: veth.pod, name: owner?.name ?? veth.pod, namespace: owner?.namespace },
      node: { id: veth.host, name: nodeNameOf(topology, veth.host) ?? veth.host },
    };
  }
  const service = topology.services[id];
  if (service) {
    return { kind: 'service', service: describeService(topology, service, Object.values(topology.endpoints).filter((e) => e.service === id)) };
  }
  const endpoint = topology.endpoints[id];
  if (endpoint) {
    const owner = topology.services[endpoint.service];
    return {
      kind: 'endpoint',
      endpoint: describeEndpoint(topology, endpoint),
      service: { id: endpoint.service, name: owner?.name ?? endpoint.service, namespace: owner?.namespace },
    };
  }
  const ingress = topology.ingresses[id];
  if (ingress) return { kind: 'ingress', ingress: describeIngress(topology, ingress) };
  const policy = topology.policies[id];
  if (policy) return { kind: 'policy', policy: describePolicy(policy) };
  const namespace = topology.namespaces[id];
  if (namespace) {
    return {
      kind: 'namespace',
      namespace: { id: namespace.id, name: namespace.name, labels: { ...namespace.labels }, system: namespace.isSystem },
      pods: Object.values(topology.pods).filter((p) => p.namespace === namespace.name).length,
      services: Object.values(topology.services)
        .filter((s) => s.namespace === namespace.name)
        .sort(byName)
        .map((s) => ({ id: s.id, name: s.name, namespace: s.namespace, type: s.type })),
    };
  }
  const external = topology.external[id];
  if (external) {
    const exposed: (ElementRef & { via: 'service' | 'ingress'; addresses: string[] })[] =
      id !== internetId
        ? []
        : [
            ...Object.values(topology.services)
              .filter((s) => s.type === 'LoadBalancer' || s.externalIPs.length > 0)
              .sort(byName)
              .map((s) => ({ id: s.id, name: s.name, namespace: s.namespace, via: 'service' as const, addresses: [...s.loadBalancerIngress, ...s.externalIPs] })),
            ...Object.values(topology.ingresses)
              .sort(byName)
              .map((i) => ({ id: i.id, name: i.name, namespace: i.namespace, via: 'ingress' as const, addresses: [...i.loadBalancerIngress] })),
          ];
    return { kind: 'external', id, name: external.name, exposed };
  }
  return null;
}

export interface PodBrief {
  id: Id;
  namespace: string;
  name: string;
  node: string | null;
  ips: string[];
  phase: string;
}

/**
 * Pods that cannot be drawn on a node: unscheduled ones (no node yet: no netns, no veth, no IP)
 * and ones scheduled on a node whose Node object is not in the model (it could not be read).
 */
export function describeUnplacedPods(topology: Topology): { unscheduled: PodBrief[]; onMissingNodes: PodBrief[]; nodesUnavailable: string | null } {
  const brief = (p: PodRecord): PodBrief => ({ id: p.id, namespace: p.namespace, name: p.name, node: nodeNameOf(topology, p.host), ips: [...p.ips], phase: p.phase });
  const pods = Object.values(topology.pods)
    .filter((p) => !p.host || !topology.hosts[p.host])
    .sort(byName);
  const unavailable = topology.cluster.unavailableKinds.find((k) => k.kind.toLowerCase() === 'nodes');
  return {
    unscheduled: pods.filter((p) => !p.host).map(brief),
    onMissingNodes: pods.filter((p) => p.host).map(brief),
    nodesUnavailable: unavailable ? unavailable.reason : null,
  };
}

// ————————————————————————————————————————————————————————————————————————————————————————————
// Text

/** `80→8080/TCP :30080`: the port, the targetPort when it differs, and the nodePort. */
export function servicePortText(port: Pick<DescribedServicePort, 'port' | 'targetPort' | 'protocol' | 'nodePort'>): string {
  const target = String(port.targetPort) === String(port.port) ? '' : `→${port.targetPort}`;
  const nodePort = port.nodePort ? ` :${port.nodePort}` : '';
  return `${port.port}${target}/${port.protocol}${nodePort}`;
}

export function containerPortText(port: DescribedPort): string {
  return `${port.port}/${port.protocol}${port.name ? ` (${port.name})` : ''}`;
}

export function cniText(cni: DescribedCni): string {
  return `${cni.name}${cni.datapath !== 'unknown' ? ` · ${cni.datapath}` : ''}${cni.encapsulation ? ` ${cni.encapsulation.toUpperCase()}` : ''}`;
}

export function confidenceText(confidence: Confidence): string {
  return confidence === 'none' ? 'not detected' : `${confidence} confidence`;
}

/** How a Service is reached: its ClusterIPs, or what stands in for them. */
export function serviceAddressText(service: Pick<DescribedService, 'type' | 'externalName' | 'headless' | 'clusterIPs'>): string {
  if (service.type === 'ExternalName') return `ExternalName → ${service.externalName ?? '?'}`;
  if (service.headless) return 'headless (DNS returns the pod IPs)';
  return service.clusterIPs.length > 0 ? service.clusterIPs.join(', ') : 'no ClusterIP';
}

/** A route as `ip route` prints it, with a summary route's count. */
export function routeText(r: DescribedRoute): string {
  const parts = [r.type === 'blackhole' ? `blackhole ${r.destination ?? '?'}` : (r.destination ?? '(range not known)')];
  if (r.via) parts.push(`via ${r.via}`);
  if (r.type !== 'blackhole') parts.push(`dev ${r.device ?? '?'}`);
  if (r.onlink) parts.push('onlink');
  if (r.scope === 'summary' && r.count !== null) parts.push(`(one per peer: ${r.count} routes)`);
  return parts.join(' ');
}

function deviceText(device: DescribedDevice): string {
  const tunnel = device.encapsulation
    ? ` ${device.encapsulation.toUpperCase()}${device.vni !== null ? ` VNI ${device.vni}` : ''}${device.udpPort !== null ? ` UDP ${device.udpPort}` : ''}`
    : '';
  return `${device.kind.padEnd(7)} ${device.name ?? '(name unknown)'} [${device.provenance}]${tunnel}  ${device.addresses.join(', ') || 'no address'}`;
}

function podLine(pod: DescribedPod): string {
  const where = pod.hostNetwork
    ? 'host network'
    : pod.veth
      ? `veth ${pod.veth.hostName ?? '?'} [${pod.veth.provenance}]`
      : 'no veth';
  return `${pod.namespace}/${pod.name}  ${pod.ips.join(', ') || 'no IP'}  ${pod.phase}${pod.ready ? '' : ', not ready'}  ${where}`;
}

/** Readable text: the cluster facts with their evidence, each node with its devices and pods,
 * each Service with its endpoints, then Ingresses and NetworkPolicies. */
export function formatDescribe(doc: DescribeDocument): string {
  const out: string[] = [];
  const { cluster } = doc;
  out.push(`Cluster ${cluster.context ?? '(no context)'}`);
  if (cluster.server) out.push(`  server      ${cluster.server}`);
  out.push(`  Kubernetes  ${cluster.kubernetesVersion ?? 'unknown'}`);
  if (cluster.capturedAt) out.push(`  captured    ${cluster.capturedAt}`);
  out.push(`  CNI         ${cniText(cluster.cni)} (${confidenceText(cluster.cni.confidence)})`);
  for (const line of cluster.cni.evidence) out.push(`                - ${line}`);
  out.push(`  proxy       ${cluster.proxy.mode} (${confidenceText(cluster.proxy.confidence)})`);
  for (const line of cluster.proxy.evidence) out.push(`                - ${line}`);
  out.push(`  pod CIDRs   ${cluster.podCIDRs.join(', ') || 'unknown'}`);
  for (const k of cluster.unavailableKinds) out.push(`  ! ${k.kind} could not be read: ${k.reason}`);

  const podsByNode = new Map<string, DescribedPod[]>();
  const unplaced: DescribedPod[] = [];
  const nodeNames = new Set(doc.nodes.map((n) => n.name));
  for (const pod of doc.pods) {
    if (pod.node && nodeNames.has(pod.node)) podsByNode.set(pod.node, [...(podsByNode.get(pod.node) ?? []), pod]);
    else unplaced.push(pod);
  }

  out.push('', `Nodes (${doc.nodes.length})`);
  for (const node of doc.nodes) {
    const addresses = node.addresses.map((a) => `${a.type} ${a.address}`).join(', ') || 'no addresses';
    out.push(`  ${node.name}  ${node.ready ? 'Ready' : 'NotReady'}  ${addresses}  podCIDRs ${node.podCIDRs.join(', ') || 'none'}`);
    out.push(`    devices`);
    for (const device of node.devices) out.push(`      ${deviceText(device)}`);
    if (node.routes.length > 0) {
      out.push(`    routes`);
      for (const r of node.routes) out.push(`      ${routeText(r)} [${r.provenance}]${r.to && r.scope === 'local' ? `  → ${r.to}` : ''}`);
    }
    const pods = podsByNode.get(node.name) ?? [];
    out.push(`    pods (${pods.length})`);
    for (const pod of pods) out.push(`      ${podLine(pod)}`);
  }
  if (unplaced.length > 0) {
    out.push('', `Pods not on a known node (${unplaced.length})`);
    for (const pod of unplaced) out.push(`  ${podLine(pod)}${pod.node ? `  (on ${pod.node})` : '  (unscheduled)'}`);
  }

  out.push('', `Services (${doc.services.length})`);
  for (const service of doc.services) {
    out.push(`  ${service.namespace}/${service.name}  ${service.type}  ${serviceAddressText(service)}`);
    const extra = [...service.loadBalancerIngress.map((a) => `LoadBalancer ${a}`), ...service.externalIPs.map((a) => `externalIP ${a}`)];
    if (extra.length > 0) out.push(`    ${extra.join(', ')}`);
    for (const port of service.ports) {
      out.push(`    port ${port.name ? `${port.name} ` : ''}${servicePortText(port)}${port.kubeProxy ? `  ${port.kubeProxy.mode} ${port.kubeProxy.service}` : ''}`);
    }
    if (service.type === 'ExternalName') continue;
    const ready = service.endpoints.filter((e) => e.ready).length;
    out.push(`    endpoints (${service.endpoints.length}, ${ready} ready)${service.endpoints.length === 0 ? ': none' : ''}`);
    for (const e of service.endpoints) {
      out.push(`      ${e.ip}  ${e.state}  ${e.pod ?? 'no pod'}${e.node ? ` on ${e.node}` : ''}`);
    }
  }

  if (doc.ingresses.length > 0) {
    out.push('', `Ingresses (${doc.ingresses.length})`);
    for (const ingress of doc.ingresses) {
      out.push(`  ${ingress.namespace}/${ingress.name}  class ${ingress.className ?? 'default'}  ${ingress.addresses.join(', ') || 'no address yet'}`);
      for (const r of ingress.rules) out.push(`    ${r.host ?? '*'}${r.path ?? '/'} → ${r.service}${r.port !== null ? `:${r.port}` : ''}`);
    }
  }
  if (doc.policies.length > 0) {
    out.push('', `NetworkPolicies (${doc.policies.length})`);
    for (const policy of doc.policies) {
      out.push(`  ${policy.namespace}/${policy.name}  ${policy.policyTypes.join(', ')}  ${policy.ingress.length} ingress, ${policy.egress.length} egress rules`);
    }
  }
  return out.join('\n') + '\n';
}
