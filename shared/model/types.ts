/**
 * The network model (design §3): plain, JSON-only records keyed by stable ids.
 *
 * Ids come from Kubernetes identity, so a delta can name an element and a layout can keep its
 * position across live updates and across snapshots:
 *   ns:<name>  node:<name>  dev:<node>/<device>  pod:<uid>  ctr:<pod uid>/<container>
 *   veth:<pod uid>  svc:<ns>/<name>  ep:<svc ns>/<svc name>/<address>  ing:<ns>/<name>
 *   netpol:<ns>/<name>  ext:internet
 *
 * Every fact that is a guess says so (`Provenance`, `Detected`): a user must never mistake an
 * inferred veth name or a guessed proxy mode for an observed one.
 */
import type { NetworkPolicy } from '../kube/objects.ts';

export type Id = string;

/** Where a fact came from: read off a node, derived from a deterministic rule, or not knowable. */
export type Provenance = 'observed' | 'inferred' | 'unknown';

export type Confidence = 'high' | 'medium' | 'low' | 'none';

/** A detected property of the cluster together with what it was detected from. */
export interface Detected<T> {
  value: T;
  confidence: Confidence;
  /** Human-readable facts, each naming the object and field it came from. */
  evidence: string[];
}

export type DatapathStyle = 'bridge' | 'routed' | 'overlay' | 'eni' | 'unknown';
export type Encapsulation = 'vxlan' | 'ipip' | 'geneve';
export type ProxyMode = 'iptables' | 'ipvs' | 'nftables' | 'ebpf' | 'unknown';

export interface CniInfo {
  /** e.g. `flannel`, `calico`, `cilium`; `unknown` when nothing matched. */
  name: string;
  datapath: DatapathStyle;
  encapsulation: Encapsulation | null;
  /** Names of the host devices this CNI creates on every node, e.g. `cni0`, `flannel.1`. */
  bridgeDevice: string | null;
  tunnelDevice: string | null;
  /** VXLAN network identifier and UDP port, where known. */
  vni: number | null;
  udpPort: number | null;
}

export interface ClusterInfo {
  context: string | null;
  /** Server host only (scheme, host, port) — never credentials or paths with tokens. */
  server: string | null;
  kubernetesVersion: string | null;
  capturedAt: string | null;
  cni: Detected<CniInfo>;
  proxyMode: Detected<ProxyMode>;
  podCIDRs: string[];
  /** Kinds the source could not read (RBAC, errors): shown as such, never as empty. */
  unavailableKinds: { kind: string; reason: string }[];
}

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
}

export type DeviceType = 'uplink' | 'bridge' | 'tunnel';

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
}

export type ContainerRole = 'app' | 'init' | 'sidecar';

export interface PortRecord {
  name: string | null;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
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
}

export interface VethRecord {
  id: Id;
  kind: 'veth';
  pod: Id;
  host: Id;
  /** The pod end is always `eth0` inside the pod's netns. */
  podEnd: { name: string; addresses: string[] };
  hostEnd: { name: string | null; provenance: Provenance; how: string };
  /** The bridge device the host end is enslaved to (bridge and overlay CNIs). */
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
  };
}
