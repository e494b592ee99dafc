/**
 * A lookup through NodeLocal DNSCache (kubernetes cluster/addons/dns/nodelocaldns, the KEP
 * "NodeLocal DNS Cache"): node-cache, a hostNetwork CoreDNS on every node, binds its `-localip`
 * addresses (169.254.20.10, and in kube-proxy's iptables mode the kube-dns ClusterIP too) on a
 * dummy device, `nodelocaldns`, and installs raw-table NOTRACK rules for them, so a query to
 * either never reaches kube-proxy's DNAT: it stays on the pod's own node. node-cache answers from
 * its cache, forwards cluster names to CoreDNS through the `kube-dns-upstream` Service (over TCP:
 * `force_tcp` in its Corefile), and everything else to the node's own resolvers.
 *
 * NetworkPolicy sees the query addressed to the listener, not to a CoreDNS pod: an egress rule
 * that allows the kube-dns pods does not allow it (the documented fix is an ipBlock for the
 * link-local address).
 */
import type { NodeLocalDns } from '../model/cluster.ts';
import type { Host, Id, PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import type { PolicyVerdict } from '../policy/types.ts';
import { sh } from '../text/shell.ts';
import { policyCommand } from './commands.ts';
import type { DnsContext } from './dns.ts';
import { hop, nodeAddress, serviceLabel } from './path/hop.ts';
import { resolveService, type NoEndpointWhy } from './proxy.ts';
import type { DnsLookup, DnsPolicyCheck, Evidence, Hop, Packet } from './types.ts';

export interface NodeLocalListener {
  nodeLocal: NodeLocalDns;
  /** The address the pod asks, which node-cache binds. */
  ip: string;
  /** The node-cache pod on the pod's node; null when pods of its DaemonSet are not in the model. */
  pod: PodRecord | null;
  /** The address is the kube-dns ClusterIP, which node-cache binds beside the link-local one. */
  isClusterIP: boolean;
}

function nodeCachePods(topology: Topology, nodeLocal: NodeLocalDns): PodRecord[] {
  const [namespace, name] = nodeLocal.daemonSet.split('/');
  return Object.values(topology.pods).filter((p) => p.namespace === namespace && p.owner?.kind === 'DaemonSet' && p.owner.name === name);
}

/**
 * Whether a query to `nameserver` from a pod on `host` is answered by node-cache there. A
 * ClusterIP query on a node without a node-cache pod goes to kube-proxy as usual (there is no
 * NOTRACK rule); a link-local one finds nothing (`pod` null and `isMissing`).
 */
export function nodeLocalListener(topology: Topology, host: Host | null, nameserver: string | undefined, kubeDnsIPs: string[]): (NodeLocalListener & { isMissing: boolean }) | null {
  const nodeLocal = topology.cluster.nodeLocalDns;
  if (!nodeLocal || !host || nameserver === undefined || !nodeLocal.localIPs.includes(nameserver)) return null;
  const pods = nodeCachePods(topology, nodeLocal);
  const here = pods.find((p) => p.host === host.id) ?? null;
  const isClusterIP = kubeDnsIPs.includes(nameserver);
  const isMissing = pods.length > 0 && here === null;
  if (isMissing && isClusterIP) return null;
  return { nodeLocal, ip: nameserver, pod: here, isClusterIP, isMissing };
}

export interface NodeLocalPath {
  hops: Hop[];
  policy: DnsPolicyCheck[];
  endpoints: Id[];
  /** The Service node-cache forwards cluster names to, where it is in the model. */
  upstream: ServiceRecord | null;
  failure: { status: DnsLookup['status']; summary: string; why?: NoEndpointWhy } | null;
  /** Set when the upstream leg cannot be checked: the lookup is `unverified`, said why. */
  unverified: string | null;
}

function check(protocol: 'UDP' | 'TCP', host: Host, listener: NodeLocalListener, verdict: PolicyVerdict): DnsPolicyCheck {
  return { protocol, endpoint: host.id, pod: listener.pod?.id ?? null, isAllowed: verdict.isAllowed, egress: verdict.egress, ingress: verdict.ingress };
}

/** The query's way through node-cache on `host`: the local listener, the pod's egress policy to
 * it and, for a cluster name, node-cache's own query to CoreDNS. */
export function nodeLocalPath(ctx: DnsContext, source: { pod: PodRecord | null; host: Host }, query: Packet, listener: NodeLocalListener & { isMissing: boolean }, kubeDns: ServiceRecord | null, isClusterName: boolean): NodeLocalPath {
  const { topology } = ctx;
  const { host, pod } = source;
  const { nodeLocal, ip } = listener;
  const result: NodeLocalPath = { hops: [], policy: [], endpoints: [], upstream: null, failure: null, unverified: null };
  const evidence: Evidence[] = [
    ...nodeLocal.evidence.map((text) => ({ text })),
    { text: `node-cache binds ${nodeLocal.localIPs.join(' and ')} on the dummy device nodelocaldns`, command: 'ip addr show nodelocaldns' },
    { text: `raw-table NOTRACK rules for ${ip} port 53 keep the query out of conntrack, so kube-proxy's nat rules never DNAT it${listener.isClusterIP ? ' (this is the kube-dns ClusterIP, which node-cache binds too: the query never reaches CoreDNS through kube-proxy)' : ''}`, command: sh`iptables-save -t raw | grep -F ${ip}` },
  ];
  if (listener.isMissing) {
    const label = `no ${nodeLocal.daemonSet} pod runs on node ${host.name}: nothing there answers ${ip}`;
    result.hops.push(hop('dns', label, query, [host.id], host.id, evidence));
    result.failure = { status: 'no-cluster-dns', summary: `the name lookup fails: ${label} (its DaemonSet has ${nodeLocal.ready ?? '?'} of ${nodeLocal.desired ?? '?'} pods ready)` };
    return result;
  }
  const where = listener.pod ? `node-cache ${listener.pod.namespace}/${listener.pod.name}` : `node-cache (${nodeLocal.daemonSet}; its pod on ${host.name} is not in the model, assumed running)`;
  result.hops.push(hop('dns', `${ip}:53 is NodeLocal DNSCache on node ${host.name}: ${where}, hostNetwork — no kube-proxy DNAT`, query, [listener.pod?.id, host.id], host.id, evidence));

  // The pod's egress to the listener: its address is the link-local one (or the ClusterIP, not DNATed).
  const from = { pod, ip: query.src };
  const udp = ctx.evaluate({ from, to: { pod: null, ip }, port: 53, protocol: 'UDP' });
  const tcp = ctx.evaluate({ from, to: { pod: null, ip }, port: 53, protocol: 'TCP' });
  result.policy = [check('UDP', host, listener, udp), check('TCP', host, listener, tcp)];
  const isolating = [udp, tcp].some((v) => v.egress.verdict === 'allowed' || v.egress.verdict === 'denied');
  if (isolating) {
    const state = (v: PolicyVerdict) => (v.isAllowed ? 'allowed' : 'denied');
    const deciding = !udp.isAllowed ? udp : tcp;
    const ids = deciding.egress.isolatedBy;
    result.hops.push(
      hop('policy', `NetworkPolicy for DNS to ${ip} from ${pod ? `${pod.namespace}/${pod.name}` : host.name}: UDP 53 ${state(udp)}, TCP 53 ${state(tcp)}`, query, [pod?.id, ...ids], host.id, [
        { text: deciding.egress.line, ...(ids[0] ? { object: ids[0], command: policyCommand(topology, ids[0]) } : {}) },
        { text: `the destination is ${ip}, node-cache's own address: an egress rule for the CoreDNS pods does not match it; allow ipBlock ${ip}/32 on port 53` },
      ]),
    );
  }
  if (!udp.isAllowed) {
    result.failure = { status: 'policy-denied', summary: `the name lookup is blocked: ${udp.egress.line} (UDP 53 to NodeLocal DNSCache ${ip}); without DNS the connection never starts. Allow egress to ipBlock ${ip}/32 on port 53` };
    return result;
  }
  if (!isClusterName) {
    result.hops.push(hop('dns', `node-cache forwards names outside the cluster to node ${host.name}'s own resolvers (its Corefile's . block), not to CoreDNS`, query, [host.id], host.id, [{ text: 'node-cache runs with dnsPolicy Default: its upstream servers are the node\'s /etc/resolv.conf' }]));
    return result;
  }

  // node-cache's own query to CoreDNS: from the node, through kube-proxy, to kube-dns-upstream.
  const upstreamId = nodeLocal.upstreamService ? `svc:${nodeLocal.upstreamService}` : null;
  const upstream = (upstreamId ? topology.services[upstreamId] : undefined) ?? (nodeLocal.upstreamService ? null : kubeDns);
  result.upstream = upstream;
  const upstreamIP = upstream?.clusterIPs[0];
  if (!upstream || !upstreamIP) {
    result.unverified = `node-cache forwards cluster names to ${nodeLocal.upstreamService ?? 'the kube-dns Service'}, which is not in the model with a ClusterIP: its way to CoreDNS is not checked`;
    return result;
  }
  const protocol = nodeLocal.isForceTcp === false ? 'UDP' : 'TCP';
  const port = upstream.ports.find((p) => p.port === 53 && p.protocol === protocol) ?? upstream.ports.find((p) => p.protocol === protocol);
  const forwarded: Packet = { src: nodeAddress(host, upstreamIP), dst: upstreamIP, dstPort: 53, protocol };
  const tcpNote = nodeLocal.isForceTcp === null ? 'force_tcp assumed, as in the upstream manifest (its Corefile was not read)' : nodeLocal.isForceTcp ? 'its Corefile says force_tcp' : 'its Corefile does not force TCP';
  result.hops.push(hop('dns', `cache miss: node-cache forwards over ${protocol} (${tcpNote}) to ${serviceLabel(upstream)} ${upstreamIP}:53, from the node`, forwarded, [upstream.id, host.id], host.id, [
    { text: `${serviceLabel(upstream)} selects the CoreDNS pods under a second name, so node-cache's own queries do not loop back to it`, object: upstream.id, field: 'spec.selector' },
  ]));
  if (!port) {
    result.failure = { status: 'no-cluster-dns', summary: `the name lookup fails: ${serviceLabel(upstream)} has no ${protocol} port 53 for node-cache to forward to` };
    return result;
  }
  const resolution = resolveService(ctx, upstream, port, host, forwarded, 'cluster-ip');
  result.hops.push(...resolution.hops);
  result.endpoints = resolution.choices.map((c) => c.endpoint.id);
  if (resolution.failure) {
    result.hops.push(resolution.failure.hop);
    result.failure = { status: 'no-endpoints', summary: `the name lookup fails: node-cache's upstream ${serviceLabel(upstream)} — ${resolution.failure.summary}`, why: resolution.failure.why };
    return result;
  }
  // CoreDNS's ingress policy sees the node's address: a rule that admits only pods denies it.
  const denied = resolution.choices.filter((c) => !ctx.evaluate({ from: { pod: null, ip: forwarded.src }, to: { pod: c.endpoint.pod ? (topology.pods[c.endpoint.pod] ?? null) : null, ip: c.endpoint.address }, port: c.port, protocol }).isAllowed);
  if (denied.length > 0 && denied.length === resolution.choices.length) {
    const text = `NetworkPolicy on the CoreDNS pods denies node-cache's queries from node ${host.name} (${forwarded.src})`;
    result.failure = { status: 'no-endpoints', summary: `the name lookup fails on a cache miss: ${text}`, why: { text, subject: upstream.id, field: 'spec.selector', fix: `allow ingress to CoreDNS on ${protocol} 53 from the nodes' addresses (ipBlock), where node-cache runs` } };
  }
  return result;
}
