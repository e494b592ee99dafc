/**
 * The network model (design §3): plain, JSON-only records keyed by stable ids, and the
 * `Topology` that holds them beside the cluster-wide facts (cluster.ts).
 *
 * Ids come from Kubernetes identity, so a delta can name an element and a layout can keep its
 * position across live updates and across snapshots:
 *   ns:<name>  node:<name>  dev:<node>/<device key>  pod:<uid>  ctr:<pod uid>/<container>
 *   veth:<pod uid>  svc:<ns>/<name>  ep:<svc ns>/<svc name>/<address>  ing:<ns>/<name>
 *   netpol:<ns>/<name>  gw:<ns>/<name>  httproute:<ns>/<name>  ext:internet
 *   anp:<name>  banp:<name>  cnp:<name>  (cluster-scoped admin policies)
 *   calnp:<ns>/<name>  calgnp:<name>  caltier:<name>  ciliumnp:<ns>/<name>  ciliumccnp:<name>  (CNI policies)
 *
 * Every fact that is a guess says so (`Provenance`; cluster facts are `Detected`): a user must
 * never mistake an inferred veth name or a guessed proxy mode for an observed one. Booleans read
 * as questions (`isReady`, `isHostNetwork`).
 */
import type { NodeCommand, ProbeSource } from '../datapath/reading.ts';
import type { DatapathConflict, KubeProxyRules, ObservedNat, ObservedTunnel, ObservedVeth, Route, Unread } from '../datapath/types.ts';
import type { AdminPolicyRecord } from './admin-policy.ts';
import type { CniPolicyRecord } from './cni-policy.ts';
import type { NetworkPolicy } from '../kube/objects.ts';
import type { ClusterInfo, Encapsulation } from './cluster.ts';

export type Id = string;

/** Where a fact came from: read off a node, derived from a deterministic rule, or not knowable. */
export type Provenance = 'observed' | 'inferred' | 'unknown';

export interface NamespaceRecord {
  id: Id;
  kind: 'namespace';
  name: string;
  labels: Record<string, string>;
  /** Namespaces created by Kubernetes or its add-ons (kube-system, kube-public, …). */
  isSystem: boolean;
}

export interface Host {
  id: Id;
  kind: 'host';
  name: string;
  internalIPs: string[];
  externalIPs: string[];
  podCIDRs: string[];
  isReady: boolean;
  zone: string | null;
  labels: Record<string, string>;
  kubeletVersion: string | null;
  /** Root-namespace devices of this node (uplink, bridge, tunnel), in display order. */
  devices: Id[];
  /** The pod ranges the CNI serves from this node, which are not always spec.podCIDRs: Cilium's
   * cluster-pool and Calico's IPAM blocks ignore it. Empty when the API does not say. */
  cniPodCIDRs: string[];
  /** Where `cniPodCIDRs` were read from, or why they are not known. */
  cniPodCIDRsEvidence: string;
  /** The addresses peers' routes and tunnels point at: the CNI's own record of the node address
   * where it keeps one (Flannel's public-ip, Calico's IPv4Address, with its prefix length when
   * known), else the InternalIPs. */
  datapathIPs: string[];
  /** The routes in the root netns that the datapath implies: this node's own pods, then every
   * other node's pods. See `HostRoute` for how large clusters are folded. */
  routes: HostRoute[];
  /** What a node probe read off this node (issue 13); absent for nodes without a reading, which
   * keep every fact inferred. */
  observed?: HostObservation;
  /** The kubelet's clusterDNS and clusterDomain as its configz gave them; absent where it was
   * not read (no nodes/proxy permission, a snapshot without it): the tracer then assumes them. */
  kubeletDns?: { clusterDNS: string[]; clusterDomain: string | null };
}

/**
 * A node's datapath as a probe read it (shared/datapath/observe.ts), kept in the model so that
 * the doctor can join it with the API's objects as they are now, not as they were at the last
 * full derive: the veths and pod netns read, the main routing table, tunnels and kube-proxy's
 * rules, and what could not be read. Derive has already put the observed names, addresses and
 * routes on the node's devices, routes and veths.
 */
export interface HostObservation {
  /** RFC 3339: when the probe read the node. Objects changed since are not in the reading. */
  readAt: string;
  source: ProbeSource;
  /** The netns, debug pod or container the commands ran in. */
  target: string;
  /** The root-netns commands that ran and parsed, by key (`links`, `routes`, …). */
  read: NodeCommand[];
  /** Commands that could not be read, and why; whatever needs them is not concluded. */
  unread: Unread[];
  /** Every host-side veth whose other end is in another netns, with the pod netns it leads to. */
  veths: ObservedVeth[];
  /** Pod netns that were read but that no veth in the root netns leads to. */
  strayNetns: { netns: string; nsid: number | null; pod: { namespace: string; name: string; uid?: string } | null; addresses: string[] }[];
  /** The main table (`ip route show table all`, table main). */
  routes: Route[];
  tunnels: ObservedTunnel[];
  kubeProxy: KubeProxyRules[];
  /** The source NAT rules a packet leaving the node meets (shared/datapath/nat.ts). */
  nat: ObservedNat;
  /** Every address of the node's root netns as read (`-m addrtype --src-type LOCAL`). */
  localAddresses: string[];
  /** What the reading shows wrong on its own: a veth whose two ends disagree, a pod IP the
   * node's tables send elsewhere, a tunnel peer without its neighbour or FDB entry. */
  conflicts: DatapathConflict[];
}

/**
 * A route in a node's root netns, as the CNI installs it. Up to `perPeerRouteLimit` nodes
 * (topology/node-routes.ts) there is one `peer` route per other node and address family; beyond it the
 * per-peer routes are folded into one `summary` route per family that states the rule and the
 * count, and `routeBetween` computes the route to any one peer on demand — 5,000 nodes would
 * otherwise hold 25 million routes.
 */
export interface HostRoute {
  /** Destination prefix; null where the API does not reveal it (Calico IPAM blocks of a node
   * without a tunnel address, Cilium cluster-pool ranges without the node annotation). */
  destination: string | null;
  /** Next hop; null for device routes and where it is not known. */
  via: string | null;
  /** Outgoing interface by name; null where the name is unknown (the uplink). */
  device: string | null;
  /** The model device the route leaves through, when it is one of this node's. */
  deviceId: Id | null;
  /** `onlink`: the next hop is used on the device without being in one of its subnets. */
  isOnlink: boolean;
  /** `blackhole` routes drop what no more specific route takes (Calico's own IPAM blocks). */
  type: 'unicast' | 'blackhole';
  /** `local`: this node's own pods; `peer`: one other node's pods; `cluster`: one route (or
   * none) standing for every peer; `summary`: stands for `count` per-peer routes. */
  scope: 'local' | 'peer' | 'cluster' | 'summary';
  /** The node this route leads to, for `peer` routes. */
  peer: Id | null;
  /** For `summary` routes: how many per-peer routes it stands for. */
  count?: number;
  /** `inferred`: the CNI installs this route (a field it cannot fill from the API is null);
   * `unknown`: even its shape is not knowable (which of two routes applies depends on subnets the
   * API does not show) — the evidence says what the alternatives are. */
  provenance: Provenance;
  evidence: string;
}

/** Where a device is drawn: on the node's edge (uplink), as the bar pods hang from (bridge), as
 * the end of a node-to-node tunnel, or (`dummy`) as kube-proxy's kube-ipvs0 in IPVS mode, which
 * holds the Service IPs as local addresses. `Device.role` says more precisely what it is. */
export type DeviceType = 'uplink' | 'bridge' | 'tunnel' | 'dummy';

/**
 * What a root-netns device is: the node's own interface; a Linux bridge pods' veths are enslaved
 * to (`cni0`, `weave`); an Open vSwitch integration bridge (`br-int`); a tunnel (`flannel.1`,
 * `tunl0`, `cilium_vxlan`, `wireguard.cali`, …); the node's L3 gateway into the pod network
 * (`cilium_host`, `antrea-gw0`, `ovn-k8s-mp0`) or the other end of that gateway's veth
 * (`cilium_net`). Gateways are drawn as `bridge`s: they are what pods' traffic meets first.
 */
export type DeviceRole = 'uplink' | 'bridge' | 'ovs-bridge' | 'tunnel' | 'gateway' | 'gateway-peer' | 'ipvs';

/** The key a device's id is made from (`dev:<node>/<key>`): one device per key and node. */
export type DeviceKey = DeviceType | 'tunnel-v6' | 'wireguard' | 'gateway' | 'gateway-peer';

export interface Device {
  id: Id;
  kind: 'device';
  host: Id;
  type: DeviceType;
  /** Interface name; for the uplink it is unknown from the API (eth0, ens5, …), so null. */
  name: string | null;
  nameProvenance: Provenance;
  /** Addresses with prefix length where known, e.g. `10.244.1.1/24`. */
  addresses: string[];
  /** What the device's existence and settings were derived from. */
  evidence: string;
  /** Tunnel parameters, for tunnel devices. */
  encapsulation?: Encapsulation;
  vni?: number | null;
  udpPort?: number | null;
  /** What the device is (derive always sets it; absent in hand-made records means `type`). */
  role?: DeviceRole;
  /** Addresses summarised rather than listed (kube-ipvs0 holds every Service IP). */
  addressSummary?: string;
}

export type ContainerRole = 'app' | 'init' | 'sidecar';

export interface PortRecord {
  name: string | null;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Container ports only: the node port it is published on (`hostPort`), and on which of the
   * node's addresses (absent: all of them). */
  hostPort?: number;
  hostIP?: string;
}

export interface ContainerRecord {
  id: Id;
  kind: 'container';
  pod: Id;
  name: string;
  image: string | null;
  role: ContainerRole;
  ports: PortRecord[];
  isReady: boolean;
}

export interface PodRecord {
  id: Id;
  kind: 'pod';
  uid: string;
  name: string;
  namespace: string;
  /** The host (Kubernetes Node) the pod is scheduled on; null while Pending unscheduled. */
  host: Id | null;
  /** hostNetwork pods share the node's root network namespace: no veth, the node's IPs. */
  isHostNetwork: boolean;
  /** Dual-stack aware: every entry of status.podIPs. Empty while the pod has no IP. */
  ips: string[];
  phase: string;
  isReady: boolean;
  labels: Record<string, string>;
  owner: { kind: string; name: string } | null;
  containers: Id[];
  veth: Id | null;
  /** The pod's own network namespace; null for hostNetwork pods, which use the node's. */
  netns: PodNetns | null;
  /** spec.dnsPolicy, defaulted as the API server does (`ClusterFirst`). Optional only so that
   * hand-made records may leave it out; derive always sets it. */
  dnsPolicy?: DnsPolicy;
  /** spec.dnsConfig: merged into the resolv.conf the kubelet writes, or all of it under `None`. */
  dnsConfig?: PodDnsConfig | null;
  /** spec.serviceAccountName; absent where not read (older snapshots, hand-made records). */
  serviceAccount?: string;
}

/**
 * How the kubelet writes a pod's /etc/resolv.conf: `ClusterFirst` points it at the cluster DNS
 * Service with the namespace's search path — except for hostNetwork pods, which then get the
 * node's resolv.conf as under `Default`; `ClusterFirstWithHostNet` gives hostNetwork pods the
 * cluster DNS too; `None` leaves everything to dnsConfig.
 */
export type DnsPolicy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';

export interface PodDnsConfig {
  nameservers: string[];
  searches: string[];
  options: { name: string; value: string | null }[];
}

/** A pod's network namespace: `lo` and `eth0`, shared by all its containers, and its default
 * route(s). Before the pod has an IP, `eth0` has no address. */
export interface PodNetns {
  interfaces: { name: string; addresses: string[] }[];
  /** One per address family the pod has an IP in: `default via <gateway> dev eth0`. */
  defaultRoutes: { via: string | null; device: string; provenance: Provenance; how: string }[];
}

export interface VethRecord {
  id: Id;
  kind: 'veth';
  pod: Id;
  host: Id;
  /** The pod end is always `eth0` inside the pod's netns. */
  podEnd: { name: string; addresses: string[] };
  /** `pattern`, when the name is unknown but its shape is not, is a regular expression a node's
   * `ip -o link` output can be searched with (`lxc[0-9a-f]{12}`). */
  hostEnd: { name: string | null; provenance: Provenance; how: string; pattern?: string };
  /**
   * On a node whose datapath was read (issue 13): `found`, the host end is the one read there
   * (`hostEnd.provenance` is `observed` and `how` names the command); `missing`, the reading has
   * no veth for this pod; `created-after-reading`, the pod is younger than the reading;
   * `unread`, what would show it could not be read. Absent on nodes without a reading.
   */
  observation?: 'found' | 'missing' | 'created-after-reading' | 'unread';
  /** The bridge the host end is enslaved to, or a port of (Linux bridge or OVS `br-int`). */
  bridge: Id | null;
  /** For routed CNIs: the /32 (or /128) route in the root netns that points at the host end. */
  hostRoutes: string[];
}

export interface ServicePortRecord {
  name: string | null;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** As written in the Service: a number, or a container port name resolved per endpoint. */
  targetPort: number | string;
  nodePort: number | null;
  /** The chains kube-proxy makes for this port (iptables and nftables modes), to grep for. */
  kubeProxy?: {
    mode: 'iptables' | 'nftables';
    service: string;
    /** Used instead of `service` for Local traffic policies. */
    local: string | null;
    /** For NodePort, LoadBalancer and external IPs. */
    external: string | null;
    firewall: string | null;
    /** One per endpoint: its `IP:port` after DNAT and its chain. */
    endpoints: { endpoint: Id; target: string; chain: string }[];
  } | null;
}

export interface ServiceRecord {
  id: Id;
  kind: 'service';
  name: string;
  namespace: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** Empty for headless and ExternalName Services. */
  clusterIPs: string[];
  isHeadless: boolean;
  ports: ServicePortRecord[];
  /** null: a Service without selector, whose EndpointSlices are managed by hand. */
  selector: Record<string, string> | null;
  externalIPs: string[];
  loadBalancerIngress: string[];
  externalName: string | null;
  externalTrafficPolicy: 'Cluster' | 'Local' | null;
  internalTrafficPolicy: 'Cluster' | 'Local';
  sessionAffinity: 'None' | 'ClientIP';
  labels: Record<string, string>;
  /** The fields below are present only where the Service sets them (the demo's records stay as
   * they were). spec.sessionAffinityConfig.clientIP.timeoutSeconds; absent: the API's 10800. */
  sessionAffinityTimeout?: number;
  /** spec.loadBalancerSourceRanges: the clients a LoadBalancer lets in. */
  loadBalancerSourceRanges?: string[];
  /** spec.healthCheckNodePort: where kube-proxy answers the load balancer's health checks
   * (externalTrafficPolicy Local). */
  healthCheckNodePort?: number;
  /** spec.trafficDistribution, and the `service.kubernetes.io/topology-mode` annotation: why
   * the EndpointSlices carry topology hints (kube-proxy reads the hints). */
  trafficDistribution?: string;
  topologyMode?: string;
  /** spec.ipFamilies and spec.ipFamilyPolicy. */
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

export interface EndpointRecord {
  id: Id;
  kind: 'endpoint';
  service: Id;
  slice: string;
  address: string;
  isReady: boolean;
  isServing: boolean;
  isTerminating: boolean;
  nodeName: string | null;
  zone: string | null;
  /** The pod behind the address, when the slice names one that exists. */
  pod: Id | null;
  ports: PortRecord[];
  /** Topology hints (`endpoints[].hints`), where the slice has any: the zones and nodes whose
   * kube-proxy should use this endpoint (pkg/proxy/topology.go). */
  hints?: { forZones: string[]; forNodes: string[] };
}

export interface IngressRuleRecord {
  host: string | null;
  path: string | null;
  pathType: string | null;
  service: Id;
  port: number | string | null;
}

export interface IngressRecord {
  id: Id;
  kind: 'ingress';
  name: string;
  namespace: string;
  className: string | null;
  /** The controller named by the IngressClass, e.g. `k8s.io/ingress-nginx`. */
  controller: string | null;
  rules: IngressRuleRecord[];
  loadBalancerIngress: string[];
  tlsHosts: string[];
  /** The controller's pods and Service, found from its IngressClass (inferred from labels). */
  controllerJoin?: { pods: Id[]; services: Id[]; evidence: string };
}

/** A Gateway API Gateway, joined to the Service its implementation made for it. */
export interface GatewayRecord {
  id: Id;
  kind: 'gateway';
  name: string;
  namespace: string;
  className: string;
  listeners: { name: string; hostname: string | null; port: number; protocol: string }[];
  addresses: string[];
  service: Id | null;
  pods: Id[];
  evidence: string;
}

export interface HTTPRouteRecord {
  id: Id;
  kind: 'httproute';
  name: string;
  namespace: string;
  /** The Gateways it attaches to. */
  parents: Id[];
  hostnames: string[];
  rules: { paths: string[]; backends: { service: Id; port: number | null; weight: number }[] }[];
}

export interface PolicyRecord {
  id: Id;
  kind: 'policy';
  name: string;
  namespace: string;
  /** The policy's spec as written; the evaluator (shared/policy) interprets it. */
  spec: NetworkPolicy['spec'];
  policyTypes: ('Ingress' | 'Egress')[];
}

export interface ExternalRecord {
  id: Id;
  kind: 'external';
  name: string;
}

export interface Topology {
  cluster: ClusterInfo;
  namespaces: Record<Id, NamespaceRecord>;
  hosts: Record<Id, Host>;
  devices: Record<Id, Device>;
  pods: Record<Id, PodRecord>;
  containers: Record<Id, ContainerRecord>;
  veths: Record<Id, VethRecord>;
  services: Record<Id, ServiceRecord>;
  endpoints: Record<Id, EndpointRecord>;
  ingresses: Record<Id, IngressRecord>;
  policies: Record<Id, PolicyRecord>;
  external: Record<Id, ExternalRecord>;
  gateways: Record<Id, GatewayRecord>;
  httpRoutes: Record<Id, HTTPRouteRecord>;
  /** network-policy-api's admin policies (model/admin-policy.ts). */
  adminPolicies: Record<Id, AdminPolicyRecord>;
  /** Calico's and Cilium's own policies and Calico's tiers (model/cni-policy.ts). */
  cniPolicies: Record<Id, CniPolicyRecord>;
}

export type ElementCollection = Exclude<keyof Topology, 'cluster'>;

export const elementCollections: readonly ElementCollection[] = [
  'namespaces',
  'hosts',
  'devices',
  'pods',
  'containers',
  'veths',
  'services',
  'endpoints',
  'ingresses',
  'policies',
  'external',
  'gateways',
  'httpRoutes',
  'adminPolicies',
  'cniPolicies',
];

export type ModelElement = Topology[ElementCollection][Id];

export const internetId = 'ext:internet';

/** A topology with the given cluster facts and no elements but the internet. */
export function emptyTopology(cluster: ClusterInfo): Topology {
  return {
    cluster,
    namespaces: {},
    hosts: {},
    devices: {},
    pods: {},
    containers: {},
    veths: {},
    services: {},
    endpoints: {},
    ingresses: {},
    policies: {},
    external: { [internetId]: { id: internetId, kind: 'external', name: 'Internet' } },
    gateways: {},
    httpRoutes: {},
    adminPolicies: {},
    cniPolicies: {},
  };
}
