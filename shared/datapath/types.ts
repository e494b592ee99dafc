/**
 * What the datapath parsers make of a node reading (reading.ts), and what the mapping
 * (observe.ts) makes of those: plain JSON-only records, in the network's own words. Field names
 * follow the tools' where a reader would look them up (`ifindex`, `nsid`, `lladdr`).
 */

import type { NftMasquerade } from './nat.ts';

export interface Counters {
  packets: number;
  bytes: number;
}

/** VXLAN, Geneve and IP-in-IP settings from `ip -d link`'s `linkinfo.info_data`. */
export interface TunnelInfo {
  /** VNI (VXLAN, Geneve); null for IP-in-IP, GRE, WireGuard. */
  vni: number | null;
  /** The underlay address the tunnel sends from. */
  local: string | null;
  /** A fixed remote (point-to-point tunnels, or a VXLAN with `remote`); null when the remote is
   * per peer, from the FDB (flannel, Cilium, Calico VXLAN). */
  remote: string | null;
  /** Multicast group, for VXLANs that flood to one. */
  group: string | null;
  /** UDP destination port (VXLAN: 8472 for flannel and Cilium, 4789 IANA). */
  port: number | null;
  /** The underlay device it is bound to (`dev eth0`). */
  device: string | null;
  /** VXLAN only: whether it learns remote MACs from traffic (flannel turns it off). */
  isLearning: boolean | null;
}

export interface Link {
  ifindex: number;
  name: string;
  /** `linkinfo.info_kind`: veth, bridge, vxlan, geneve, ipip, wireguard, dummy, vlan, bond, …
   * Null when there is no linkinfo: a physical NIC, or links read without `-d`. */
  kind: string | null;
  /** What this link is enslaved as (`info_slave_kind`): bridge, bond, openvswitch. */
  slaveKind: string | null;
  /** The bridge (or bond) it is a port of. */
  master: string | null;
  flags: string[];
  isUp: boolean;
  mtu: number | null;
  operstate: string | null;
  /** MAC address (null for links without one: ipip, wireguard). */
  address: string | null;
  /**
   * IFLA_LINK: for a veth its other end, for a VLAN or macvlan its parent. `netnsid` is the
   * other end's namespace as this one sees it (`link_netnsid`), and `ifindex` is the index in
   * *that* namespace (`link_index`); when the other end is here, `netnsid` is null and `name`
   * is given. Null when the link has no such relation.
   */
  peer: { ifindex: number | null; netnsid: number | null; name: string | null } | null;
  tunnel: TunnelInfo | null;
  /** Bridge port state (forwarding, blocking, …) from `info_slave_data`, for bridge ports. */
  portState: string | null;
}

export interface Address {
  family: 'inet' | 'inet6';
  /** The address itself. */
  local: string;
  prefixlen: number;
  /** `local/prefixlen`. */
  cidr: string;
  scope: string | null;
  /** Point-to-point peer (`peer 10.0.0.2`), when set. */
  peer: string | null;
}

export interface LinkAddresses {
  ifindex: number;
  name: string;
  /** Present in `ip addr` too: lets a pod's eth0 reading carry its peer without `ip link`. */
  peer: Link['peer'];
  macAddress: string | null;
  addresses: Address[];
}

export interface Route {
  /** `main` when the tool printed none. */
  table: string;
  /** `unicast` when the tool printed none; local, broadcast, multicast, blackhole, … */
  type: string;
  family: 'inet' | 'inet6' | null;
  /** A prefix with its length (`10.244.0.9/32`: the tool prints host routes bare), or
   * `default`. */
  dst: string;
  gateway: string | null;
  dev: string | null;
  protocol: string | null;
  scope: string | null;
  prefsrc: string | null;
  metric: number | null;
  flags: string[];
  isOnlink: boolean;
  /** Multipath routes' next hops; empty for single-path ones. */
  nexthops: { gateway: string | null; dev: string | null; weight: number | null; flags: string[] }[];
}

export interface Neighbour {
  dst: string;
  dev: string;
  /** Null for entries still resolving or failed. */
  lladdr: string | null;
  /** NUD states: REACHABLE, STALE, PERMANENT, NOARP, FAILED, … */
  state: string[];
  isRouter: boolean;
}

export interface NetnsId {
  nsid: number;
  /** The name under /var/run/netns, when there is one. */
  name: string | null;
}

export interface BridgePort {
  ifindex: number;
  name: string;
  master: string | null;
  state: string | null;
  flags: string[];
}

export interface FdbEntry {
  mac: string;
  dev: string;
  /** For tunnel devices (VXLAN): the remote underlay address this MAC lives behind. */
  dst: string | null;
  /** The bridge that learned it, for bridge-port entries. */
  master: string | null;
  vlan: number | null;
  vni: number | null;
  /** permanent, static, or null for entries the bridge learned from traffic. */
  state: string | null;
  /** `self` (the device's own table), `master`, `extern_learn`, … */
  flags: string[];
}

export interface IptablesRule {
  table: string;
  chain: string;
  /** 1-based line in the iptables-save output, for evidence. */
  line: number;
  /** The rule's words after `-A <chain>`, unquoted (`--comment`'s text is one word). */
  args: string[];
  /** `-j`/`-g` target; null for rules without one (counting rules). */
  target: string | null;
  isGoto: boolean;
  /** `-m comment --comment` texts, in order. */
  comments: string[];
  /** `[packets:bytes]`, when saved with `-c`. */
  counters: Counters | null;
}

export interface IptablesChain {
  name: string;
  /** Built-in chains' policy (ACCEPT, DROP); null for user chains (`-`). */
  policy: string | null;
  counters: Counters | null;
  rules: IptablesRule[];
}

export interface IptablesTable {
  name: string;
  chains: IptablesChain[];
}

export interface IptablesSave {
  tables: IptablesTable[];
}

export interface IpvsRealServer {
  ip: string;
  port: number;
  /** Masq, Route, Tunnel, Local. */
  forward: string;
  weight: number;
  activeConnections: number;
  inactiveConnections: number;
}

export interface IpvsVirtualService {
  protocol: 'tcp' | 'udp' | 'sctp' | 'fwmark';
  /** Null for firewall-mark services. */
  ip: string | null;
  port: number | null;
  fwmark: number | null;
  scheduler: string;
  /** `persistent <seconds>`: kube-proxy's ClientIP session affinity. */
  persistentSeconds: number | null;
  flags: string[];
  realServers: IpvsRealServer[];
}

export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';

/** How traffic reaches a Service port: its ClusterIP, an external or load-balancer IP (nftables
 * does not say which: `external`), a node port, or an IPVS virtual service, which may be any of
 * those (IPVS does not say: join with the API by address and port). */
export interface Frontend {
  kind: 'cluster-ip' | 'external-ip' | 'load-balancer' | 'external' | 'node-port' | 'virtual-service';
  /** Null for node ports (any local address, or those in nftables' nodeport-ips). */
  ip: string | null;
  port: number | null;
  protocol: string;
  /** The chain (or nftables verdict target) it leads to. */
  chain: string | null;
  counters: Counters | null;
  /** Where it was read: `nat KUBE-SERVICES line 31`, `map service-ips`. */
  evidence: string;
}

export interface ObservedEndpoint {
  /** `IP:port` after DNAT (IPv6 bracketed); null when the endpoint chain has no DNAT rule. */
  target: string | null;
  ip: string | null;
  port: number | null;
  /** KUBE-SEP-… or endpoint-…; null in IPVS mode, and in nftables mode where the service chain
   * DNATs itself (kube-proxy 1.36 without ClientIP affinity writes no endpoint chains). */
  chain: string | null;
  /** The chance a new connection that reaches this dispatch picks this endpoint: iptables'
   * cascade of `--probability` values, nftables' `numgen random mod N` (1/N each), IPVS rr/wrr
   * weights. Null where it depends on load (IPVS lc, sh, …). */
  probability: number | null;
  /** The raw value it was computed from: `--probability 0.5000000000`, `numgen mod 2`,
   * `weight 1`, or `last rule` for the fall-through jump. */
  how: string;
  /** The dispatch rule's counters (the jump to the endpoint chain) and the DNAT rule's. */
  counters: Counters | null;
  dnatCounters: Counters | null;
}

/** One dispatch chain: KUBE-SVC (all endpoints) or KUBE-SVL (node-local ones, for Local
 * traffic policies), nftables' service-/local- chains, or one IPVS virtual service. */
export interface Dispatch {
  chain: string | null;
  scope: 'cluster' | 'local';
  endpoints: ObservedEndpoint[];
  /** ClientIP affinity: iptables `-m recent --rcheck --seconds`, an nftables affinity set's
   * timeout, IPVS `persistent`. */
  affinitySeconds: number | null;
}

export interface ObservedServicePort {
  /** kube-proxy's ServicePortName: `ns/name:port` (`:port` only for named ports); null in IPVS
   * mode, whose rules do not name Services — join by frontend address instead. */
  servicePortName: string | null;
  namespace: string | null;
  name: string | null;
  portName: string | null;
  protocol: string | null;
  frontends: Frontend[];
  dispatches: Dispatch[];
  /** Rules for a port without (local) endpoints: filter `has no endpoints` REJECTs, `has no
   * local endpoints` DROPs, nftables' no-endpoint maps. */
  noEndpoints: { reason: 'no-endpoints' | 'no-local-endpoints'; action: string; ip: string | null; port: number | null; evidence: string }[];
  /** Whether a dispatch marks traffic for SNAT (KUBE-MARK-MASQ / mark-for-masquerade). */
  isMasqueraded: boolean;
}

export interface KubeProxyRules {
  mode: ProxyMode;
  family: 'inet' | 'inet6';
  services: ObservedServicePort[];
}

export interface ObservedDevice {
  ifindex: number;
  name: string;
  kind: string | null;
  master: string | null;
  mtu: number | null;
  operstate: string | null;
  macAddress: string | null;
  addresses: string[];
  tunnel: TunnelInfo | null;
  /** What the mapping takes it for (see observe.ts): the node's way out, a bridge pods hang
   * from, a tunnel, a pod's host end, or anything else. */
  role: 'uplink' | 'bridge' | 'tunnel' | 'pod-veth' | 'loopback' | 'other';
}

/** How a veth's pod IP was cross-checked against the root namespace's tables. */
export interface IpCheck {
  /** `confirmed`: a /32 route to this veth, or a neighbour/FDB entry matching the pod's MAC;
   * `unconfirmed`: nothing says otherwise, nothing confirms (bridge CNIs' neighbour and FDB
   * entries age out); `contradicted`: a table points the pod's IP or MAC elsewhere. */
  status: 'confirmed' | 'unconfirmed' | 'contradicted';
  evidence: string[];
}

export interface ObservedVeth {
  hostName: string;
  hostIfindex: number;
  /** The pod end, as the root namespace's link says. */
  peer: { ifindex: number; netnsid: number };
  /** The pod netns read with that id, or null when none was (a conflict). */
  netns: string | null;
  pod: { namespace: string; name: string; uid?: string } | null;
  /** The pod end's addresses (`10.244.0.2/24`) and MAC, from its own reading. */
  podAddresses: string[];
  podMac: string | null;
  bridge: string | null;
  ipCheck: IpCheck;
  evidence: string;
}

export interface TunnelPeer {
  /** The peer's pod range, from a route through the tunnel. */
  podCIDR: string | null;
  /** The route's gateway: flannel's peer `10.244.1.0`, Calico's peer tunnel address. */
  gateway: string | null;
  /** The gateway's MAC (VXLAN: the peer VTEP's), from the neighbour table. */
  mac: string | null;
  /** The peer's underlay address, from the FDB (VXLAN) or the tunnel's own remote. */
  remote: string | null;
  /** What was missing for a VXLAN peer: the neighbour or the FDB entry. */
  missing: ('neighbour' | 'fdb')[];
}

export interface ObservedTunnel {
  name: string;
  kind: string | null;
  info: TunnelInfo;
  peers: TunnelPeer[];
}

export interface DatapathConflict {
  kind: 'veth-without-pod' | 'pod-netns-without-veth' | 'veth-peer-mismatch' | 'pod-ip-contradicted' | 'tunnel-peer-incomplete';
  /** What it is about: `veth/vethc0ffee01`, `netns/cni-…`, `pod/shop/web-0`, `tunnel/flannel.1`. */
  subject: string;
  message: string;
}

/** A command that could not be read or parsed, and why. */
export interface Unread {
  command: string;
  /** The pod netns it ran in, for pod commands. */
  netns?: string;
  status: 'missing-tool' | 'permission-denied' | 'unsupported' | 'failed' | 'not-read' | 'unparsable';
  message: string;
}

export interface ObservedNat {
  iptables: { family: 'inet' | 'inet6'; chains: IptablesChain[] }[];
  nftables: NftMasquerade[];
}

export interface ObservedNode {
  node: string;
  readAt: string;
  source: string;
  target: string;
  devices: ObservedDevice[];
  veths: ObservedVeth[];
  bridges: { name: string; ports: string[]; addresses: string[] }[];
  tunnels: ObservedTunnel[];
  routes: Route[];
  neighbours: Neighbour[];
  fdb: FdbEntry[];
  /** One per mode whose rules were found (normally one; two while a node changes mode). */
  kubeProxy: KubeProxyRules[];
  /** The source NAT a packet leaving the node meets (nat.ts): iptables' nat chains reachable from
   * POSTROUTING, per family, and kube-proxy's nftables masquerade rules. */
  nat: ObservedNat;
  conflicts: DatapathConflict[];
  unread: Unread[];
}
