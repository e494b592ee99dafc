/**
 * The cluster-wide facts of the model (design §3): which CNI runs and how it forwards, the
 * proxy mode, the pod CIDRs — each detected from the API with its evidence and a confidence,
 * never a guess dressed as a fact.
 */

export type Confidence = 'high' | 'medium' | 'low' | 'none';

/** A detected property of the cluster together with what it was detected from. */
export interface Detected<T> {
  value: T;
  confidence: Confidence;
  /** Human-readable facts, each naming the object and field it came from. */
  evidence: string[];
}

export type DatapathStyle = 'bridge' | 'routed' | 'overlay' | 'eni' | 'unknown';
/** How packets between nodes are wrapped. WireGuard is an encrypted L3 tunnel; GRE and STT are
 * Antrea's alternatives to Geneve. */
export type Encapsulation = 'vxlan' | 'ipip' | 'geneve' | 'wireguard' | 'gre' | 'stt';
export type ProxyMode = 'iptables' | 'ipvs' | 'nftables' | 'ebpf' | 'unknown';

export interface CniInfo {
  /** e.g. `flannel`, `calico`, `cilium`; `unknown` when nothing matched. */
  name: string;
  datapath: DatapathStyle;
  encapsulation: Encapsulation | null;
  /** The bridge pods' veths hang from (`cni0`, `weave`, `br-int`) and the tunnel device between
   * nodes (`flannel.1`, `tunl0`), by name; null where the CNI makes none. */
  bridgeDevice: string | null;
  tunnelDevice: string | null;
  /** The tunnel's VXLAN network identifier and UDP port, where known. */
  vni: number | null;
  udpPort: number | null;
  /** How the host end of a pod's veth meets the root netns: enslaved to a Linux bridge (`cni0`,
   * `weave`), a port of an Open vSwitch bridge (`br-int`), reached by a /32 route (Calico, AWS,
   * kindnet), or handed packets by eBPF programs without a route per pod (Cilium). */
  podAttachment: PodAttachment;
  /** How a node reaches another node's pods; see `PeerRouting`. */
  peerRouting: PeerRouting;
  /** Encapsulate for every peer, or only for peers in another subnet (Calico `CrossSubnet`,
   * Flannel `DirectRouting`, Antrea `hybrid`); null without a tunnel. */
  tunnelScope: 'all' | 'cross-subnet' | null;
  /** The prefix of host-side veth names (`cali`, `eni`, `lxc`, `veth`, …); null where the names
   * have none (Antrea, OVN-Kubernetes) or the CNI is unknown. */
  vethPrefix: string | null;
  /** The IPAM that hands out pod IPs, where the API says (`calico-ipam`, `host-local`,
   * `cluster-pool`, `kubernetes`, `eni`, …); it decides what a node's pod range is. */
  ipam: string | null;
  /** Every device this CNI creates in each node's root netns, by name. */
  hostDevices: string[];
  /** Cilium only: its agent's policy enforcement (`enable-policy`: `default` enforces on what a
   * policy selects, `always` on every endpoint, `never` on none; `allow-localhost: policy` stops
   * the node reaching its own pods regardless of policy); `isAssumed` when cilium-config was not
   * read and Cilium's defaults stand in. */
  ciliumPolicy?: { mode: 'default' | 'always' | 'never'; isAssumed: boolean; isLocalhostAllowed: boolean };
}

export type PodAttachment = 'bridge' | 'ovs' | 'routed' | 'ebpf' | 'unknown';

/**
 * How a node's routing table reaches another node's pods, one kind per CNI mode:
 * - `tunnel-via-pod-cidr`: `<peer podCIDR> via <its network address> dev flannel.1 onlink` (Flannel VXLAN);
 * - `tunnel-via-node`: `<peer range> via <peer node IP> dev tunl0 onlink` (Calico IPIP, Flannel IPIP);
 * - `tunnel-via-vtep`: `<peer block> via <peer's vxlan.calico address> dev vxlan.calico onlink` (Calico VXLAN);
 * - `via-local-gateway`: `<peer podCIDR> via <own cilium_host address> dev cilium_host`, eBPF encapsulates (Cilium tunnel mode);
 * - `via-peer-gateway`: `<peer podCIDR> via <peer's antrea-gw0 address> dev antrea-gw0 onlink`, OVS encapsulates (Antrea encap);
 * - `direct`: `<peer podCIDR> via <peer node IP> dev <uplink>` (Flannel host-gw, kindnet, Calico BGP, Cilium native with auto-direct-node-routes);
 * - `single-route`: one route for the whole pod network through one device (Flannel WireGuard, Weave, OVN-Kubernetes);
 * - `fabric`: no route per peer; the cloud network or BGP fabric carries pod IPs (AWS VPC CNI, Azure CNI, GKE, Cilium native without auto-direct-node-routes);
 * - `unknown`.
 */
export type PeerRouting =
  | 'tunnel-via-pod-cidr'
  | 'tunnel-via-node'
  | 'tunnel-via-vtep'
  | 'via-local-gateway'
  | 'via-peer-gateway'
  | 'direct'
  | 'single-route'
  | 'fabric'
  | 'unknown';

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
  /** NodeLocal DNSCache, where its DaemonSet runs (absent: not seen). */
  nodeLocalDns?: NodeLocalDns;
  /** kube-proxy's IPVS scheduler (`ipvs.scheduler` in its config; `rr` when empty), where
   * kube-proxy's configuration was read; absent otherwise. */
  ipvsScheduler?: Detected<string>;
}

/**
 * NodeLocal DNSCache (k8s-dns-node-cache, cluster/addons/dns/nodelocaldns): a hostNetwork
 * CoreDNS on every node, bound to a link-local address on a dummy device (`nodelocaldns`), with
 * NOTRACK rules so kube-proxy's DNAT never sees queries to it. Cluster names go on to CoreDNS
 * through a second Service (`kube-dns-upstream`), over TCP.
 */
export interface NodeLocalDns {
  /** The DaemonSet, as `namespace/name`. */
  daemonSet: string;
  /** What node-cache binds (`-localip`): the link-local address first; in kube-proxy's iptables
   * mode also the kube-dns ClusterIP, so pods that still ask it are answered locally. */
  localIPs: string[];
  /** The Service it forwards cluster names to (`-upstreamsvc`), `namespace/name`. */
  upstreamService: string | null;
  /** The Corefile forwards the cluster domain with force_tcp; null: the Corefile was not read. */
  isForceTcp: boolean | null;
  /** The nodes it runs on is every node its DaemonSet schedules to; the API says how many. */
  desired: number | null;
  ready: number | null;
  evidence: string[];
}
