/**
 * What a trace is (design §4): plain JSON data, so a trace crosses IPC, prints as `--json` and
 * compares with `toEqual`. The vocabulary follows the cloud path analyzers users know (GCP
 * Connectivity Tests, AWS Reachability Analyzer): a verdict, and a list of steps each with the
 * object or rule that decided it.
 */
import type { CniPolicyRecord } from '../model/cni-policy.ts';
import type { AdminPolicyRecord } from '../model/admin-policy.ts';
import type { Id, PolicyRecord } from '../model/types.ts';
import type { DirectionVerdict, Protocol } from '../policy/types.ts';

export type { Protocol };

/**
 * One trace request. `from` and `to` are written as a user types them (see endpoints.ts):
 * `ns/pod`, `ns/pod:container`, `svc/ns/name`, `ingress/ns/name[/path]`, `http://host/path`, an
 * IP (optionally `IP:port`), `internet`, a node (`node/name`), a DNS name as the source pod would
 * look it up (`name`, `name.ns`, `name.ns.svc.cluster.local`), or a model id (`pod:<uid>`,
 * `svc:ns/name`, `node:<name>`, …) as the UI sends for a clicked element.
 */
export interface TraceQuery {
  from: string;
  to: string;
  /** The destination port. One written in `to` (`svc/ns/name:5432`, a named port) must be the
   * same: when they differ the destination is unknown-target, saying both. */
  port?: number;
  /** TCP when absent, as in the Kubernetes API (or the protocol of a named port in `to`). */
  protocol?: Protocol;
  /** The address family to trace in (dual stack): a pod, node or Service named in `to` is reached
   * at its address of this family. Absent: the family of an address written in `to`, else of the
   * sender's primary IP. */
  family?: 4 | 6;
}

/** `unknown`: a kind the verdict rests on (NetworkPolicies, Services, EndpointSlices) could not be
 * read, so no verdict can be given; the summary names the kind and what the rest of the model says. */
export type Verdict = 'delivered' | 'policy-denied' | 'no-endpoints' | 'no-route' | 'unknown-target' | 'ambiguous' | 'unknown';

export type HopKind =
  | 'container'
  | 'lo'
  | 'pod-eth0'
  | 'veth'
  | 'bridge'
  | 'route'
  | 'tunnel'
  | 'decap'
  | 'uplink'
  | 'kube-proxy-dnat'
  | 'snat'
  | 'service'
  | 'endpoint'
  | 'load-balancer'
  | 'node-port'
  /** A container's hostPort: the CNI portmap plugin's DNAT from a node's address to the pod. */
  | 'host-port'
  | 'ingress-controller'
  | 'dns'
  | 'policy'
  | 'internet';

/** The packet as it stands after a hop. Ports are absent where nothing fixes them (a client's
 * ephemeral source port). */
export interface Packet {
  src: string;
  srcPort?: number;
  dst: string;
  dstPort?: number;
  protocol: Protocol;
  /** Between a tunnel hop and its decap hop: the outer header the packet travels in. */
  outer?: { src: string; dst: string; protocol: 'UDP' | 'IPIP' | 'WireGuard' | 'GRE'; dstPort?: number; vni?: number };
}

/** Why a hop is what it is: the object and field it was read from, and where possible a command
 * that checks it on a real cluster (run on the node named in the text, or with kubectl). */
export interface Evidence {
  text: string;
  object?: Id;
  field?: string;
  command?: string;
}

/**
 * What a hop rests on (issue 13): `observed`, the device, veth, route or kube-proxy rule it names
 * was read off the node by a probe; `inferred`, it comes from the API and the CNI's or
 * kube-proxy's known behaviour, as every hop does on a node without a reading.
 */
export type HopProvenance = 'observed' | 'inferred';

/** A rule a hop went through (kube-proxy's, or a nat rule), as a node probe read it, with its
 * packet counter. */
export interface ObservedRule {
  /** The node it was read on, and when (RFC 3339): counters are as of then. */
  node: string;
  readAt: string;
  /** The chain the rule is in (KUBE-SVC-…, KUBE-SEP-…, nftables' service-…), or null for IPVS. */
  chain: string | null;
  /** Where the rule sends the packet: the chain it jumps to, `DNAT`, or null (nftables maps, IPVS). */
  target: string | null;
  /** The rule in the words it was read in: the chain and its match, `-j` target or nftables verdict. */
  text: string;
  /** Its packet counter when read; null where the rule has none (nftables rules without `counter`). */
  packets: number | null;
}

export interface Hop {
  kind: HopKind;
  provenance: HopProvenance;
  /** The rules read on the node that this hop stands for: kube-proxy's for its hops, the nat
   * rules that masquerade the packet for a SNAT hop. */
  rules?: ObservedRule[];
  /** The model elements this hop touches, for the graph to highlight: pods, containers, veths,
   * devices, hosts, Services, endpoints, Ingresses, Gateways, policies. */
  ids: Id[];
  label: string;
  /** The node whose network stack the hop happens in, when there is one. */
  node: Id | null;
  packet: Packet;
  evidence: Evidence[];
}

/** One end of a trace, as resolved: what was asked for and what it turned out to be. */
export interface TraceEnd {
  /** The text of the query. */
  query: string;
  kind: 'pod' | 'container' | 'node' | 'service' | 'ingress' | 'gateway' | 'external' | 'internet' | 'unknown';
  /** The model element, where there is one (the pod for a container: see `container`). */
  id: Id | null;
  container: Id | null;
  /** `ns/name`, a node name, an IP, "the internet". */
  label: string;
  /** The address the trace uses for this end, where one is known. */
  ip: string | null;
  node: Id | null;
  /** How the text was read, e.g. "ClusterIP of svc shop/backend", "DNS name from shop/frontend-…". */
  how: string;
  /** For an end that names nothing, or several things: what to write instead, each a whole end
   * (`shop/frontend`, `svc/shop/db:5432`), closest first. */
  suggestions?: string[];
}

export interface PolicySummary {
  egress: DirectionVerdict | null;
  ingress: DirectionVerdict | null;
}

/** Where a Service (or a load balancer, or an Ingress controller) fans out: one way the packet
 * can go, with the rule that picks it. The whole path of a branch is `trace.hops` then its own. */
export interface Branch {
  label: string;
  /** How this branch gets picked, e.g. "iptables: -m statistic --mode random --probability
   * 0.3333333333 (rule 1 of 3): 1 in 3 new connections". */
  selection: string;
  /** The endpoint (EndpointSlice entry) it ends at, its pod and node, where there are ones. */
  endpoint: Id | null;
  pod: Id | null;
  node: Id | null;
  verdict: Exclude<Verdict, 'ambiguous' | 'unknown-target' | 'unknown'>;
  summary: string;
  hops: Hop[];
  policy: PolicySummary;
  /** What blocks the packet on this branch's own hops (`at.in` is `branch`), in path order; the
   * lookup's and the shared path's are the trace's. */
  blockers: Blocker[];
}

export type BlockerKind = 'dns-policy' | 'dns-failed' | 'egress' | 'ingress' | 'no-endpoints' | 'no-route';

/**
 * One thing on the path that stops the packet (issue 17): a trace goes on past a blocker where it
 * can, so it names them all and the user fixes them at once.
 */
export interface Blocker {
  kind: BlockerKind;
  /** The hop it happens at, by its index in the lookup's hops (`dns.hops`), the path's (`hops`)
   * or a branch's; null when the path ends before any hop. */
  at: { in: 'dns'; hop: number } | { in: 'path'; hop: number } | { in: 'branch'; branch: number; hop: number } | null;
  /** The cause in one line. A NetworkPolicy blocker's is its direction's `line`, word for word. */
  line: string;
  /** What to change, in one line, where Podpath can say: for NetworkPolicy the rule "Try a fix"
   * adds (shared/policy/fix.ts), made for all the trace's policy blockers together. */
  fix: string | null;
  /** The object the cause is about: the pod whose egress or ingress is denied, the Service with
   * no usable endpoint, the pod that is not ready. */
  subject: Id | null;
  /** For a NetworkPolicy blocker (`dns-policy`, `egress`, `ingress`): the denied direction. */
  denial: DirectionVerdict | null;
}

/** One query the resolver sends, in search-path order, and what it gets back. */
export interface DnsQuery {
  name: string;
  answer: 'NXDOMAIN' | 'forwarded' | string[];
}

export interface DnsPolicyCheck {
  protocol: 'UDP' | 'TCP';
  /** The CoreDNS endpoint the check is for, and its pod. */
  endpoint: Id;
  pod: Id | null;
  isAllowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

/**
 * The name lookup a trace to a name starts with (design §4): the pod's dnsPolicy and the
 * resolv.conf it yields, the queries the search path makes, the nameserver and its endpoints,
 * and whether NetworkPolicy lets port 53 out — the most common way a default-deny breaks a
 * namespace.
 */
export interface DnsLookup {
  name: string;
  dnsPolicy: string;
  /** `cluster`: the cluster DNS Service; `node`: the node's own resolv.conf (dnsPolicy Default,
   * or hostNetwork under ClusterFirst); `custom`: dnsConfig nameservers under dnsPolicy None. */
  resolver: 'cluster' | 'node' | 'custom';
  nameservers: string[];
  searches: string[];
  ndots: number;
  queries: DnsQuery[];
  /** What the name resolved to: a ClusterIP, pod IPs (headless), a CNAME (ExternalName). */
  answer: { type: 'A' | 'AAAA' | 'CNAME'; values: string[] } | null;
  /** The cluster DNS Service and the CoreDNS endpoints that answer. */
  service: Id | null;
  endpoints: Id[];
  policy: DnsPolicyCheck[];
  /** `unverified`: no cluster DNS Service is in the model (forbidden, or named otherwise), so the
   * lookup is not checked; the connection is traced to what CoreDNS would answer. */
  status: 'resolved' | 'nxdomain' | 'policy-denied' | 'partly-denied' | 'no-endpoints' | 'no-cluster-dns' | 'upstream' | 'unverified';
  summary: string;
  hops: Hop[];
}

export interface Trace {
  query: TraceQuery;
  from: TraceEnd;
  to: TraceEnd;
  verdict: Verdict;
  /** One or two sentences: what happens and, for a failure, what decides it. A NetworkPolicy
   * denial says it in one line per direction, on lines of their own (`DirectionVerdict.line`). */
  summary: string;
  /** The path up to where it fans out (all of it when it does not). */
  hops: Hop[];
  branches: Branch[];
  /** The policy verdicts of the path (of the first branch with the trace's verdict, or for
   * `ambiguous` the first branch not delivered); null where no pod end is under NetworkPolicy. */
  policy: PolicySummary;
  dns?: DnsLookup;
  /** Every blocker in path order: the lookup's, the path's, then those of the branch `policy` is
   * of; `delivered` has none. */
  blockers: Blocker[];
  /** The name lookup failed (`dns.status` says how) and the path is traced anyway, to the address
   * CoreDNS would have answered: "if DNS had answered". The verdict is the lookup's failure. */
  isDnsAssumed?: boolean;
}

export interface TraceOptions {
  /** Evaluate these NetworkPolicies instead of the topology's (what-if; see `withPolicies` in
   * shared/policy/evaluate.ts to add to or replace the topology's own). */
  policies?: PolicyRecord[];
  /** Evaluate these admin policies instead of the topology's (what-if; `withAdminPolicies`). */
  adminPolicies?: AdminPolicyRecord[];
  /** Evaluate these Calico and Cilium policies instead of the topology's (what-if; `withCniPolicies`). */
  cniPolicies?: CniPolicyRecord[];
}
