/**
 * The one description of the model (issue 4, "Describe"): `podpath describe` prints it, as JSON
 * or as text, and the app's details panel draws each element from the same records
 * (`describeElement`), so what the model says about a pod, a node or a Service is written down
 * in one place.
 *
 * Records are plain JSON, and the JSON is a public contract: a script may read any field.
 * Cross-references carry both the readable name (`namespace/name`, a node's name) and the model
 * id, so a script can join them and the panel can link them. Every guessed fact keeps its
 * provenance, confidence and evidence.
 *
 * Each record takes its fields from the model's (`Pick<Host, …>`) and adds what the model keeps
 * elsewhere or names differently. The JSON keeps the Kubernetes-style names of the API and of
 * `ip route` (`ready`, `hostNetwork`, `serving`, `terminating`, `onlink`, `headless`), where the
 * model's booleans read as questions (`isReady`, `isHostNetwork`): deliberately, so the JSON a
 * script reads did not change when the model's names did.
 */
import type { Problem } from '../doctor/types.ts';
import type { ClusterInfo, CniInfo, Detected, ProxyMode } from '../model/cluster.ts';
import type { CniPolicyRecord } from '../model/cni-policy.ts';
import type { EndpointState } from '../model/text.ts';
import type { AdminPolicyRecord } from '../model/admin-policy.ts';
import type { ContainerRecord, Device, EndpointRecord, Host, HostObservation, HostRoute, Id, IngressRecord, IngressRuleRecord, NamespaceRecord, PodRecord, PolicyRecord, PortRecord, Provenance, ServicePortRecord, ServiceRecord, VethRecord } from '../model/types.ts';

export const describeFormat = 'podpath.describe';
export const describeVersion = 1;

/** The detected CNI with the confidence and evidence of its detection. */
export type DescribedCni = CniInfo & Omit<Detected<CniInfo>, 'value'>;

export interface DescribedCluster extends Pick<ClusterInfo, 'context' | 'server' | 'kubernetesVersion' | 'capturedAt' | 'podCIDRs' | 'unavailableKinds'> {
  cni: DescribedCni;
  proxy: { mode: ProxyMode } & Omit<Detected<ProxyMode>, 'value'>;
}

export interface DescribedAddress {
  type: 'InternalIP' | 'ExternalIP';
  address: string;
}

export interface DescribedDevice extends Pick<Device, 'id' | 'name' | 'addresses' | 'evidence'> {
  /** What the device is: its role (uplink, bridge, ovs-bridge, tunnel, gateway, gateway-peer,
   * ipvs), or its type where a hand-made record has no role. */
  kind: NonNullable<Device['role']> | Device['type'];
  /** Of the name: observed on the node, inferred from the CNI, or unknown. */
  provenance: Provenance;
  encapsulation: Device['encapsulation'] | null;
  vni: number | null;
  udpPort: number | null;
}

export interface DescribedRoute extends Pick<HostRoute, 'destination' | 'via' | 'device' | 'type' | 'scope' | 'provenance' | 'evidence'> {
  onlink: boolean;
  /** The node a `peer` route leads to, by name. */
  peer: string | null;
  count: number | null;
  /** What the route leads to, e.g. a pod's `namespace/name` or a node's name, for links. */
  to: string | null;
  toId: Id | null;
}

export interface DescribedNode extends Pick<Host, 'id' | 'name' | 'zone' | 'kubeletVersion' | 'labels' | 'podCIDRs' | 'cniPodCIDRs' | 'datapathIPs'> {
  ready: boolean;
  addresses: DescribedAddress[];
  /** Root-namespace devices, in display order. */
  devices: DescribedDevice[];
  /** Routes in the root netns that the datapath implies. */
  routes: DescribedRoute[];
  /** `namespace/name` of the pods scheduled here. */
  pods: string[];
  /** How many of them share the node's root netns (hostNetwork). */
  hostNetworkPods: number;
  /** The node probe's reading (issue 13): when, from where, and what could not be read and why;
   * null when the node was not read and every datapath fact is inferred. */
  datapath: DescribedNodeDatapath | null;
}

export interface DescribedNodeDatapath extends Pick<HostObservation, 'readAt' | 'source' | 'target' | 'unread'> {
  /** Host-side veths read, and how many of them belong to a pod the API places on the node. */
  veths: number;
  podVeths: number;
  /** kube-proxy rule sets read (mode and family) and how many Service ports each holds. */
  kubeProxy: { mode: string; family: string; servicePorts: number }[];
}

export type DescribedPort = PortRecord;

export interface DescribedContainer extends Pick<ContainerRecord, 'id' | 'name' | 'role' | 'image' | 'ports'> {
  ready: boolean;
}

export interface DescribedVeth extends Pick<VethRecord, 'id' | 'podEnd' | 'hostRoutes'>, Pick<VethRecord['hostEnd'], 'provenance' | 'how'> {
  /** Host end's name; null when unknown (random names are only known from a node probe). */
  hostName: string | null;
  /** When the name is unknown but its shape is not: a regular expression to search a node's
   * `ip -o link` output with. */
  pattern: string | null;
  /** The bridge the host end is attached to (bridge and overlay CNIs). */
  bridge: { id: Id; name: string | null; addresses: string[] } | null;
  /** What the host end's name rests on: for an observed one the command, node, source and time
   * of the reading and how the pod was recognised; else how it is inferred, or why unknown. */
  evidence: string;
  /** On a node a probe read: whether the reading shows this veth (`found`), lacks it
   * (`missing`), predates the pod, or could not tell (`unread`); null on nodes without a reading. */
  observation: NonNullable<VethRecord['observation']> | null;
}

export interface DescribedPod extends Pick<PodRecord, 'id' | 'namespace' | 'name' | 'ips' | 'phase' | 'labels' | 'netns'> {
  /** The node's name; null while unscheduled. */
  node: string | null;
  nodeId: Id | null;
  hostNetwork: boolean;
  ready: boolean;
  /** `Kind/name` of the controller, e.g. `ReplicaSet/web-7d4b9c8f6d`. */
  owner: string | null;
  containers: DescribedContainer[];
  /** The pod's veth pair; null when it has none (hostNetwork, or no IP yet). */
  veth: DescribedVeth | null;
  /** Services with an endpoint on this pod. */
  services: { id: Id; service: string; ip: string; state: EndpointState; ports: DescribedPort[] }[];
  /** NetworkPolicies whose podSelector selects this pod, with the directions they isolate.
   * hostNetwork pods are outside NetworkPolicy, so none select them. */
  policies: { id: Id; policy: string; types: PolicyRecord['policyTypes'] }[];
  /** Who may reach the pod (ingress) and whom it may reach (egress), by policy, one line each. */
  policyLines: { ingress: DescribedPolicyLine; egress: DescribedPolicyLine };
}

/** One direction of a pod under NetworkPolicy, concluded (policy-lines.ts). */
export interface DescribedPolicyLine {
  /** Whether some policy that selects the pod lists this direction in its policyTypes. */
  isolated: boolean;
  /** Those policies, sorted by name. */
  isolatedBy: { id: Id; policy: string }[];
  /** What their rules allow together, e.g. `only from app=backend, app=db on 5432/TCP`; or what
   * not being isolated means. */
  allows: string;
  /** The whole line: `Ingress: isolated by shop/db-allow — only from app=backend, app=db on 5432/TCP`. */
  line: string;
}

type KubeProxyChains = NonNullable<ServicePortRecord['kubeProxy']>;

export interface DescribedKubeProxy extends Omit<KubeProxyChains, 'endpoints'> {
  /** One per endpoint: its address, its `IP:port` after DNAT, its chain, its state, and whether
   * kube-proxy writes that chain at all (endpoint-use.ts): not for an endpoint that is not ready,
   * nor for a terminating one while the Service has a ready endpoint to use instead. */
  endpoints: { ip: string; target: string; chain: string; state: EndpointState; programmed: boolean }[];
}

export interface DescribedServicePort extends Omit<ServicePortRecord, 'kubeProxy'> {
  /** Every chain kube-proxy makes for this port (service, local, external, firewall, then one
   * per programmed endpoint), to grep a node's rules for; empty where kube-proxy makes none
   * (IPVS, eBPF). */
  kubeProxyChains: string[];
  /** The same chains by role, with the endpoint each endpoint chain DNATs to. */
  kubeProxy: DescribedKubeProxy | null;
}

export interface DescribedEndpoint extends Pick<EndpointRecord, 'id' | 'zone' | 'ports' | 'slice'> {
  ip: string;
  state: EndpointState;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  node: string | null;
  /** The pod behind the address as `namespace/name`, when the slice names one that exists. */
  pod: string | null;
  podId: Id | null;
}

export interface DescribedService
  extends Pick<
    ServiceRecord,
    | 'id'
    | 'namespace'
    | 'name'
    | 'type'
    | 'clusterIPs'
    | 'externalName'
    | 'externalIPs'
    | 'loadBalancerIngress'
    | 'selector'
    | 'externalTrafficPolicy'
    | 'internalTrafficPolicy'
    | 'sessionAffinity'
    | 'labels'
  > {
  /** The Service's health in one line, the conclusion first (health.ts). */
  health: ServiceHealth;
  headless: boolean;
  ports: DescribedServicePort[];
  /** Sorted by address. */
  endpoints: DescribedEndpoint[];
}

/** `ok`: traffic reaches ready endpoints as meant; `info`: a fact worth knowing (some endpoints
 * not ready, an ExternalName); `warning`: some traffic drops or waits; `error`: none gets through. */
export interface ServiceHealth {
  level: 'ok' | 'info' | 'warning' | 'error';
  line: string;
}

export interface DescribedIngress extends Pick<IngressRecord, 'id' | 'namespace' | 'name' | 'className' | 'controller' | 'tlsHosts'> {
  addresses: string[];
  /** Each rule's Service by `namespace/name`, and by id. */
  rules: (Omit<IngressRuleRecord, 'service'> & { service: string; serviceId: Id })[];
}

export interface DescribedPolicy extends Pick<PolicyRecord, 'id' | 'namespace' | 'name' | 'policyTypes'> {
  podSelector: PolicyRecord['spec']['podSelector'];
  ingress: NonNullable<PolicyRecord['spec']['ingress']>;
  egress: NonNullable<PolicyRecord['spec']['egress']>;
}

/** An admin policy (describe/admin-policy.ts): its place in the order, its subject, its rules. */
export interface DescribedAdminPolicy extends Pick<AdminPolicyRecord, 'id' | 'name' | 'apiKind' | 'tier' | 'priority'> {
  /** Where its tier stands against NetworkPolicy, and what its actions mean there. */
  order: string;
  /** Whom it selects, in words: `pods in namespaces team=a`. */
  subject: string;
  /** The pods it selects now (host-networked pods never are), by namespace and name. */
  pods: ElementRef[];
  ingress: DescribedAdminRule[];
  egress: DescribedAdminRule[];
}

export interface DescribedAdminRule {
  /** Its index in `spec.ingress` or `spec.egress`. */
  index: number;
  name: string | null;
  action: string;
  /** Each peer in words (`namespaces team=b`); the rule matches a flow from or to any of them. */
  peers: string[];
  /** `any port`, or the ports in words (`80/TCP, named port web`). */
  ports: string;
}

/** A Calico or Cilium policy, or a Calico tier (describe/cni-policy.ts). */
export interface DescribedCniPolicy {
  id: Id;
  cni: 'calico' | 'cilium';
  apiKind: CniPolicyRecord['apiKind'];
  name: string;
  namespace: string | null;
  /** `Calico GlobalNetworkPolicy security.deny-dev`, `Calico tier security`. */
  title: string;
  /** Where it stands: `tier security (order 100) · order 10 · types Ingress`, `cluster-wide`. */
  place: string;
  /** How its plugin decides, in one sentence. */
  order: string;
  /** Whom it selects, as written. */
  selects: string;
  /** A Calico policy's Tier object, when the cluster has one. */
  tierId?: Id | null;
  /** In the order tried (Cilium: deny rules first). */
  rules: DescribedCniRule[];
  /** The pods it selects now (host-networked pods never are). */
  pods: ElementRef[];
  /** A tier's policies, in order. */
  members?: ElementRef[];
}

export interface DescribedCniRule {
  direction: 'ingress' | 'egress';
  section: 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';
  /** Its index in its section. */
  index: number;
  /** Cilium: the index in `spec` + `specs`. */
  spec?: number;
  action: string;
  /** `from selector app == "client" · to ports 443`. */
  text: string;
  /** What Podpath does not evaluate in it (HTTP, L7). */
  note?: string;
}

export interface DescribedNamespace extends Pick<NamespaceRecord, 'id' | 'name' | 'labels'> {
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
  /** The admin policies, in the order they are tried (admin tier by priority, then baseline);
   * absent when the cluster has none, so a document without them reads as before. */
  adminPolicies?: DescribedAdminPolicy[];
  /** The network doctor's problems (shared/doctor: `podpath doctor`), errors first; on nodes a
   * probe read, the conflicts between the API and the observed datapath among them. */
  problems: DescribedProblem[];
}

/** A doctor problem as describe gives it: the doctor's own record. */
export type DescribedProblem = Problem;

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
  | { kind: 'adminpolicy'; policy: DescribedAdminPolicy }
  | { kind: 'cnipolicy'; policy: DescribedCniPolicy }
  | { kind: 'namespace'; namespace: DescribedNamespace; pods: number; services: (ElementRef & { type: string })[] }
  | { kind: 'external'; id: Id; name: string; exposed: (ElementRef & { via: 'service' | 'ingress'; addresses: string[] })[] };

/** A pod that cannot be drawn on a node (see `describeUnplacedPods`). */
export interface PodBrief extends Pick<PodRecord, 'id' | 'namespace' | 'name' | 'ips' | 'phase'> {
  node: string | null;
}
