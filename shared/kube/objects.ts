/**
 * The trimmed Kubernetes objects Podpath derives its model from.
 *
 * These are the fields the model needs and nothing else: a full Pod is 2–13 KB of JSON, its
 * trimmed form a few hundred bytes. They are also what a snapshot stores, so nothing here may
 * carry a credential, a Secret, an environment value or a last-applied annotation.
 * Field names follow the Kubernetes API exactly, so a captured object trims without renaming.
 */
import type { AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy } from './admin-objects.ts';
import type { CalicoGlobalNetworkPolicy, CalicoNetworkPolicy, CalicoTier, CiliumClusterwideNetworkPolicy, CiliumNetworkPolicy } from './cni-policy-objects.ts';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  labels?: Record<string, string>;
  /** Only annotations on the allowlist in `trim.ts`. */
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid?: string; controller?: boolean }[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface NodeAddress {
  type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';
  address: string;
}

export interface KubeNode {
  metadata: ObjectMeta;
  spec?: { podCIDR?: string; podCIDRs?: string[]; providerID?: string; unschedulable?: boolean };
  status?: {
    addresses?: NodeAddress[];
    conditions?: { type: string; status: string }[];
    nodeInfo?: { kubeletVersion?: string; kubeProxyVersion?: string; osImage?: string; containerRuntimeVersion?: string };
  };
  /** Not an API field: the kubelet's DNS settings, read from the node's configz
   * (`/api/v1/nodes/NAME/proxy/configz`, which needs nodes/proxy) where the reader may. Only
   * these two fields of the kubelet's configuration are ever kept. */
  kubeletConfig?: { clusterDNS?: string[]; clusterDomain?: string };
}

export interface Namespace {
  metadata: ObjectMeta;
  status?: { phase?: string };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  hostPort?: number;
  hostIP?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  /** `Always` on an init container makes it a native sidecar (Kubernetes 1.29+). */
  restartPolicy?: string;
}

export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export interface Pod {
  metadata: ObjectMeta;
  spec: {
    nodeName?: string;
    hostNetwork?: boolean;
    /** `ClusterFirst` (the API's default), `ClusterFirstWithHostNet`, `Default` or `None`. */
    dnsPolicy?: string;
    /** Merged into the resolv.conf the kubelet writes; the whole of it under dnsPolicy `None`. */
    dnsConfig?: PodDNSConfig;
    /** The pod's ServiceAccount; the API server sets `default` when a manifest names none. */
    serviceAccountName?: string;
    containers: Container[];
    initContainers?: Container[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    hostIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount?: number }[];
    initContainerStatuses?: { name: string; ready: boolean; restartCount?: number }[];
  };
}

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface Service {
  metadata: ObjectMeta;
  spec: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    ports?: ServicePort[];
    selector?: Record<string, string>;
    externalIPs?: string[];
    externalName?: string;
    externalTrafficPolicy?: 'Cluster' | 'Local';
    internalTrafficPolicy?: 'Cluster' | 'Local';
    sessionAffinity?: 'None' | 'ClientIP';
    /** How long ClientIP affinity lasts (the API defaults it to 10800 s). */
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    loadBalancerClass?: string;
    /** Client ranges the load balancer (and kube-proxy's firewall chain) lets in. */
    loadBalancerSourceRanges?: string[];
    /** The node port a LoadBalancer with externalTrafficPolicy Local answers health checks on. */
    healthCheckNodePort?: number;
    ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
    /** `PreferClose` (1.31+), `PreferSameZone`, `PreferSameNode` (1.33+): the hints the
     * EndpointSlice controller writes; kube-proxy reads the hints, not this field. */
    trafficDistribution?: string;
    publishNotReadyAddresses?: boolean;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface EndpointSlice {
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    nodeName?: string;
    zone?: string;
    hostname?: string;
    targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
    /** Topology hints: the zones (and, 1.33+, nodes) whose kube-proxies should use it. */
    hints?: { forZones?: { name: string }[]; forNodes?: { name: string }[] };
  }[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicy {
  metadata: ObjectMeta;
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface IngressBackend {
  service?: { name: string; port: { number?: number; name?: string } };
}

export interface Ingress {
  metadata: ObjectMeta;
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: { hosts?: string[] }[];
    rules?: { host?: string; http?: { paths: { path?: string; pathType?: string; backend: IngressBackend }[] } }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface IngressClass {
  metadata: ObjectMeta;
  spec: { controller?: string };
}

/** Only the ConfigMaps that reveal the datapath (kube-proxy's, the CNI's), never any other. */
export interface ConfigMap {
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

export interface DaemonSet {
  metadata: ObjectMeta;
  spec: {
    template: {
      spec: {
        hostNetwork?: boolean;
        /** `env` holds only literal values of the datapath settings on `datapathEnvAllowlist`
         * (trim/apps.ts), e.g. Calico's `CALICO_IPV4POOL_IPIP`; every other variable is dropped. */
        containers: { name: string; image?: string; command?: string[]; args?: string[]; env?: { name: string; value: string }[] }[];
      };
    };
  };
  status?: { desiredNumberScheduled?: number; numberReady?: number };
}

/** Gateway API (gateway.networking.k8s.io/v1), read where its CRDs are installed. */
export interface Gateway {
  metadata: ObjectMeta;
  spec: {
    gatewayClassName: string;
    listeners?: { name: string; hostname?: string; port: number; protocol: string }[];
  };
  status?: { addresses?: { type?: string; value: string }[] };
}

export interface HTTPRoute {
  metadata: ObjectMeta;
  spec: {
    parentRefs?: { name: string; namespace?: string; sectionName?: string; kind?: string; group?: string }[];
    hostnames?: string[];
    rules?: {
      matches?: { path?: { type?: string; value?: string } }[];
      backendRefs?: { name: string; namespace?: string; port?: number; kind?: string; group?: string; weight?: number }[];
    }[];
  };
}

/** Every kind Podpath reads, as lists. A kind the user may not read is an empty list here and
 * is named in the source's `unavailableKinds`, so the UI can say so rather than show nothing. */
export interface ClusterObjects {
  nodes: KubeNode[];
  namespaces: Namespace[];
  pods: Pod[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  networkPolicies: NetworkPolicy[];
  ingresses: Ingress[];
  ingressClasses: IngressClass[];
  configMaps: ConfigMap[];
  daemonSets: DaemonSet[];
  gateways: Gateway[];
  httpRoutes: HTTPRoute[];
  /** network-policy-api's admin policies (admin-objects.ts), read where their CRDs are installed. */
  adminNetworkPolicies: AdminNetworkPolicy[];
  baselineAdminNetworkPolicies: BaselineAdminNetworkPolicy[];
  clusterNetworkPolicies: ClusterNetworkPolicy[];
  /** The CNI plugins' own policies (cni-policy-objects.ts), read where their CRDs are installed. */
  calicoNetworkPolicies: CalicoNetworkPolicy[];
  calicoGlobalNetworkPolicies: CalicoGlobalNetworkPolicy[];
  calicoTiers: CalicoTier[];
  ciliumNetworkPolicies: CiliumNetworkPolicy[];
  ciliumClusterwideNetworkPolicies: CiliumClusterwideNetworkPolicy[];
}

export type ObjectKind = keyof ClusterObjects;

export const objectKinds: readonly ObjectKind[] = [
  'nodes',
  'namespaces',
  'pods',
  'services',
  'endpointSlices',
  'networkPolicies',
  'ingresses',
  'ingressClasses',
  'configMaps',
  'daemonSets',
  'gateways',
  'httpRoutes',
  'adminNetworkPolicies',
  'baselineAdminNetworkPolicies',
  'clusterNetworkPolicies',
  'calicoNetworkPolicies',
  'calicoGlobalNetworkPolicies',
  'calicoTiers',
  'ciliumNetworkPolicies',
  'ciliumClusterwideNetworkPolicies',
];

export function emptyObjects(): ClusterObjects {
  return Object.fromEntries(objectKinds.map((kind) => [kind, []])) as unknown as ClusterObjects;
}
