/**
 * trace(topology, query) → Trace (design §4): the path a packet takes from one end to the
 * other, hop by hop, with the object or rule behind each hop, the packet as it stands after it
 * (so DNAT and SNAT show where they happen), and NetworkPolicy evaluated where the packet meets
 * a pod — with the source it actually carries there.
 *
 * A path is built as an `Outcome`: hops, then either an end (a verdict) or a fan-out into
 * `Fork`s, each an Outcome of its own (a Service's endpoints, a load balancer's nodes, an Ingress
 * controller's upstreams). Nested fan-outs are flattened into the trace's branches at the end.
 * Pure: no I/O, no clock, no randomness — the same model and query give the same trace.
 */
import type { ContainerRecord, Host, HTTPRouteRecord, Id, IngressRecord, PodRecord, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { evaluatePolicy } from '../policy/evaluate.ts';
import type { DirectionVerdict, Flow, PolicyVerdict, Protocol } from '../policy/types.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { lookupName, dnsSummaryHop, type DnsContext, type DnsResult } from './dns.ts';
import { clusterDomain, endpointIds, parseEndpoint, suggestionsFor, type Endpoint } from './endpoints.ts';
import {
  containerFor,
  containerHop,
  crossNodes,
  enterPod,
  hop,
  hostOf,
  internetClient,
  internetHop,
  intoHostStack,
  leavePod,
  localDeliveryHop,
  loHop,
  masqueradeAddress,
  masqueradesTo,
  nodeAddress,
  podAddress,
  podEth0Hop,
  serviceLabel,
  toInternet,
  toPodOnNode,
  vethHop,
} from './path.ts';
import { endpointPort, proxyName, resolveService, servicePortFor, usableEndpoints, type EndpointChoice, type ServiceEntry } from './proxy.ts';
import type { Branch, Evidence, Hop, Packet, PolicySummary, Trace, TraceEnd, TraceOptions, TraceQuery, Verdict } from './types.ts';

/** Inside a path, a name that resolves to nothing ends it too (`unknown-target`). */
type EndVerdict = Branch['verdict'] | 'unknown-target';

interface Outcome {
  hops: Hop[];
  end?: { verdict: EndVerdict; summary: string; policy: PolicySummary };
  forks?: Fork[];
}

interface Fork {
  label: string;
  selection: string;
  endpoint: Id | null;
  pod: Id | null;
  node: Id | null;
  outcome: Outcome;
}

/** The way on through one endpoint a Service picked: the hops to it, then what happens there. */
function endpointFork(choice: EndpointChoice, endpointPod: PodRecord | null, branchHops: Hop[], delivered: Outcome): Fork {
  const where = endpointPod ? ` (${podLabel(endpointPod)}${choice.endpoint.nodeName ? ` on ${choice.endpoint.nodeName}` : ''})` : '';
  return {
    label: `${joinHostPort(choice.ip, choice.port)}${where}`,
    selection: choice.selection,
    endpoint: choice.endpoint.id,
    pod: endpointPod?.id ?? null,
    node: endpointPod?.host ?? null,
    outcome: { ...delivered, hops: [...branchHops, ...delivered.hops] },
  };
}

interface Ctx extends DnsContext {
  protocol: Protocol;
  /** Whether the query named the protocol (a Service's port then must match it). */
  isProtocolGiven: boolean;
}

/** Who sends: a pod (in its netns or the node's), a node, or a client outside the cluster. */
type Sender = { kind: 'pod'; pod: PodRecord; container: ContainerRecord | null; host: Host } | { kind: 'node'; host: Host } | { kind: 'external'; ip: string };

/** Where a delivery ends: a pod, a node's own address, or outside the cluster. */
type Target = { kind: 'pod'; pod: PodRecord; container: ContainerRecord | null; host: Host } | { kind: 'node'; host: Host; what: string } | { kind: 'external'; what: string };

/** What happens on arrival at a pod, for paths that go on from there (an Ingress controller). */
type OnArrive = (pod: PodRecord, host: Host, packet: Packet) => Outcome;

const noPolicy: PolicySummary = { egress: null, ingress: null };
const maxBranches = 64;

const end = (hops: Hop[], verdict: EndVerdict, summary: string, policy: PolicySummary = noPolicy): Outcome => ({ hops, end: { verdict, summary, policy } });

function podLabel(pod: PodRecord): string {
  return `${pod.namespace}/${pod.name}`;
}

function withPort(packet: Packet, port: number | undefined): Packet {
  const { dstPort: _unused, ...rest } = packet;
  return port === undefined ? rest : { ...rest, dstPort: port };
}

// ——— NetworkPolicy ———

function isDeciding(verdict: DirectionVerdict | null): verdict is DirectionVerdict {
  return verdict !== null && (verdict.verdict === 'allowed' || verdict.verdict === 'denied');
}

function policyCommand(id: Id): string {
  const [namespace = '', name = ''] = id.slice('netpol:'.length).split('/');
  return `kubectl get networkpolicy -n ${namespace} ${name} -o yaml`;
}

function policyHop(verdict: DirectionVerdict, packet: Packet, node: Id | null, pod: PodRecord | null): Hop {
  const rules = verdict.allowedBy.map((r) => `${r.name} ${r.direction}[${r.rule}]`);
  const label =
    verdict.verdict === 'allowed'
      ? `NetworkPolicy ${verdict.direction} of ${pod ? podLabel(pod) : '?'}: allowed${rules.length > 0 ? ` by ${rules.join(', ')}` : verdict.exemption ? ` (${verdict.exemption === 'self' ? 'a pod\'s traffic to itself' : 'its own node'})` : ''}`
      : `NetworkPolicy ${verdict.direction} of ${pod ? podLabel(pod) : '?'}: denied (isolated by ${verdict.isolatedBy.map((id) => id.slice('netpol:'.length)).join(', ')})`;
  const evidence: Evidence[] = [{ text: verdict.reason }];
  for (const id of verdict.allowedBy.length > 0 ? [...new Set(verdict.allowedBy.map((r) => r.policy))] : verdict.isolatedBy) evidence.push({ text: `policy ${id.slice('netpol:'.length)}`, object: id, field: `spec.${verdict.direction}`, command: policyCommand(id) });
  return hop('policy', label, packet, [pod?.id, ...verdict.isolatedBy, ...verdict.allowedBy.map((r) => r.policy)], node, evidence);
}

// ——— delivery: from a node's IP stack to the target ———

interface At {
  host: Host;
  packet: Packet;
  /** The pod the packet just left, while it is still on that pod's bridge (not yet routed). */
  bridgedFrom: PodRecord | null;
}

function sameBridge(ctx: Ctx, a: PodRecord, b: PodRecord): boolean {
  const va = a.veth ? ctx.topology.veths[a.veth] : undefined;
  const vb = b.veth ? ctx.topology.veths[b.veth] : undefined;
  return va?.bridge !== null && va?.bridge !== undefined && va.bridge === vb?.bridge;
}

/**
 * From `at` to the target, with the sender's egress policy before the packet goes anywhere and
 * the receiver's ingress policy before it enters the pod. `senderPod` is the pod the policy
 * sees as the source (null once SNAT has hidden it, or when the sender is not a pod).
 */
function deliver(ctx: Ctx, at: At, senderPod: PodRecord | null, target: Target, onArrive?: OnArrive): Outcome {
  const hops: Hop[] = [];
  let packet = at.packet;
  const targetPod = target.kind === 'pod' ? target.pod : null;
  let policy: PolicySummary = noPolicy;
  let verdict: PolicyVerdict | null = null;
  if (senderPod !== null || targetPod !== null) {
    const flow: Flow = { from: { pod: senderPod, ip: packet.src }, to: { pod: targetPod, ip: packet.dst }, port: packet.dstPort ?? 0, protocol: packet.protocol };
    verdict = ctx.evaluate(flow);
    policy = { egress: senderPod ? verdict.egress : null, ingress: targetPod ? verdict.ingress : null };
  }
  if (verdict && senderPod && isDeciding(verdict.egress)) {
    hops.push(policyHop(verdict.egress, packet, at.host.id, senderPod));
    if (verdict.egress.verdict === 'denied') return end(hops, 'policy-denied', `Denied by NetworkPolicy on egress from ${podLabel(senderPod)}: ${verdict.egress.reason}`, policy);
  }

  const leaveBridge = () => (at.bridgedFrom ? intoHostStack(ctx, at.bridgedFrom, packet) : []);
  switch (target.kind) {
    case 'pod': {
      const { pod, host } = target;
      if (pod.isHostNetwork) {
        if (host.id !== at.host.id) packet = toOtherNode(ctx, at, senderPod, host, hops);
        hops.push(localDeliveryHop(host, packet, `hostNetwork pod ${podLabel(pod)} listens in the node's netns`));
      } else if (host.id === at.host.id && at.bridgedFrom && sameBridge(ctx, at.bridgedFrom, pod)) {
        hops.push(...toPodOnNode(ctx, host, pod, packet, true));
      } else {
        hops.push(...leaveBridge(), ...crossNodes(ctx, at.host, host, packet), ...toPodOnNode(ctx, host, pod, packet));
      }
      if (verdict && isDeciding(verdict.ingress)) {
        hops.push(policyHop(verdict.ingress, packet, host.id, pod));
        if (verdict.ingress.verdict === 'denied') return end(hops, 'policy-denied', `Denied by NetworkPolicy on ingress to ${podLabel(pod)}: ${verdict.ingress.reason}`, policy);
      }
      if (onArrive) {
        const then = onArrive(pod, host, packet);
        return { ...then, hops: [...hops, ...enterPod(ctx, pod, target.container, packet), ...then.hops] };
      }
      hops.push(...enterPod(ctx, pod, target.container, packet));
      return end(hops, 'delivered', `Delivered to ${podLabel(pod)} at ${joinHostPort(packet.dst, packet.dstPort ?? 0).replace(/:0$/, '')}${packet.src !== at.packet.src ? `, from ${packet.src}` : ''}.`, policy);
    }
    case 'node': {
      const { host } = target;
      if (host.id !== at.host.id) packet = toOtherNode(ctx, at, senderPod, host, hops);
      hops.push(localDeliveryHop(host, packet, target.what));
      return end(hops, 'delivered', `Delivered to node ${host.name}'s root netns (${target.what}).`, policy);
    }
    case 'external': {
      hops.push(...leaveBridge(), ...toInternet(ctx, at.host, packet, senderPod !== null && !senderPod.isHostNetwork, target.what));
      const last = hops.at(-1)?.packet ?? packet;
      return end(hops, 'delivered', `Leaves the cluster from node ${at.host.name} as ${last.src} → ${last.dst}${last.dstPort ? `:${last.dstPort}` : ''}; what happens beyond the node's uplink is outside the model.`, policy);
    }
  }
}


/**
 * To another node's own address: off the bridge, masqueraded where the CNI masquerades pod
 * traffic to nodes, across the node network. Appends the hops; returns the packet as it arrives.
 */
function toOtherNode(ctx: Ctx, at: At, senderPod: PodRecord | null, to: Host, hops: Hop[]): Packet {
  let packet = at.packet;
  if (at.bridgedFrom) hops.push(...intoHostStack(ctx, at.bridgedFrom, packet));
  const isFromPodAddress = senderPod !== null && !senderPod.isHostNetwork && packet.src === podAddress(senderPod, packet.dst);
  const masq = masqueradesTo(ctx.cni, 'node');
  if (isFromPodAddress && masq.isMasqueraded) {
    const before = packet.src;
    packet = { ...packet, src: nodeAddress(at.host, packet.dst) };
    hops.push(
      hop('snat', `node ${at.host.name}: masquerade ${before} → ${packet.src} (to node ${to.name}, outside the pod network)`, packet, [at.host.id], at.host.id, [
        { text: masq.why, object: at.host.id },
        { text: `on node ${at.host.name}`, command: 'iptables-save -t nat | grep -i masq' },
      ]),
    );
  }
  hops.push(...crossNodes(ctx, at.host, to, packet, true));
  return packet;
}

// ——— leaving the source ———

function depart(ctx: Ctx, sender: Sender, packet: Packet): { hops: Hop[]; at: At | null } {
  switch (sender.kind) {
    case 'pod': {
      const hops = leavePod(ctx, sender.pod, sender.container, packet);
      const bridged = !sender.pod.isHostNetwork && (ctx.cni.podAttachment === 'bridge' || ctx.cni.podAttachment === 'ovs') ? sender.pod : null;
      return { hops, at: { host: sender.host, packet, bridgedFrom: bridged } };
    }
    case 'node':
      return { hops: [], at: { host: sender.host, packet, bridgedFrom: null } };
    case 'external':
      return { hops: [internetHop(packet, 'in')], at: null };
  }
}

function senderIP(sender: Sender, dst?: string): string {
  switch (sender.kind) {
    case 'pod':
      return podAddress(sender.pod, dst);
    case 'node':
      return nodeAddress(sender.host, dst);
    case 'external':
      return sender.ip;
  }
}

function senderPodOf(sender: Sender): PodRecord | null {
  return sender.kind === 'pod' ? sender.pod : null;
}

/** Where the endpoint of a Service is, as a delivery target. */
function targetForAddress(ctx: Ctx, address: string, pod: PodRecord | null): Target {
  const host = pod ? hostOf(ctx, pod) : null;
  if (pod && host) return { kind: 'pod', pod, container: null, host };
  const node = Object.values(ctx.topology.hosts).find((h) => h.internalIPs.includes(address) || h.externalIPs.includes(address));
  if (node) return { kind: 'node', host: node, what: `${address} is the node's own address` };
  return { kind: 'external', what: `endpoint ${address}, outside the pod network` };
}

// ——— Services from inside the cluster ———

function noPortOutcome(hops: Hop[], service: ServiceRecord, port: number | undefined, protocol: string, entry: ServiceEntry): Outcome {
  const ports = service.ports.map((p) => `${entry === 'node-port' ? (p.nodePort ?? '-') : p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ');
  return end(hops, 'no-route', `${serviceLabel(service)} has no ${entry === 'node-port' ? 'nodePort' : 'port'} ${port ?? ''}/${protocol}: nothing on the node matches it (its ports: ${ports || 'none'}).`);
}

/**
 * A Service reached from inside the cluster (a pod, a hostNetwork pod, a node): the node's
 * Service proxy picks an endpoint, and each pick is delivered as pod-to-pod traffic.
 */
function serviceFromInside(ctx: Ctx, sender: Exclude<Sender, { kind: 'external' }>, service: ServiceRecord, port: number | undefined, vip: string | null, prefix: Hop[], entryNote: string | null, onArrive?: OnArrive): Outcome {
  const svcPort = servicePortFor(service, port, ctx.isProtocolGiven ? ctx.protocol : undefined, 'cluster-ip');
  const address = vip ?? service.clusterIPs[0] ?? null;
  if (!svcPort) return noPortOutcome(prefix, service, port, ctx.protocol, 'cluster-ip');
  if (!address) return end(prefix, 'no-route', `${serviceLabel(service)} has no ClusterIP.`);
  const packet: Packet = { src: senderIP(sender, address), dst: address, dstPort: svcPort.port, protocol: svcPort.protocol };
  const senderPod = senderPodOf(sender);
  const isSocketLB = ctx.proxyMode === 'ebpf';
  const hops = [...prefix];
  // Cilium's socket LB translates at connect(), in the sender's netns: the packet leaves eth0
  // already addressed to the backend.
  if (isSocketLB && sender.kind === 'pod' && !sender.pod.isHostNetwork) {
    const { container, evidence } = containerFor(ctx, sender.pod, sender.container, undefined, packet.protocol);
    hops.push(containerHop(ctx, sender.pod, container, packet, evidence, 'out'));
  } else {
    const left = depart(ctx, sender, packet);
    hops.push(...left.hops);
    if (left.at?.bridgedFrom) hops.push(...intoHostStack(ctx, left.at.bridgedFrom, packet));
  }
  if (entryNote) hops.push(hop('service', entryNote, packet, [service.id, sender.host.id], sender.host.id, [{ text: entryNote, object: service.id }]));
  const resolution = resolveService(ctx, service, svcPort, sender.host, packet, 'cluster-ip');
  hops.push(...resolution.hops);
  if (resolution.failure) {
    hops.push(resolution.failure.hop);
    return end(hops, 'no-endpoints', `${serviceLabel(service)} ${joinHostPort(address, svcPort.port)}/${svcPort.protocol}: ${resolution.failure.summary}.`);
  }
  const forks = resolution.choices.slice(0, maxBranches).map((choice): Fork => {
    const endpointPod = choice.endpoint.pod ? (ctx.topology.pods[choice.endpoint.pod] ?? null) : null;
    const branchHops: Hop[] = [choice.dnat];
    let after = choice.dnat.packet;
    if (isSocketLB && sender.kind === 'pod' && !sender.pod.isHostNetwork) branchHops.push(podEth0Hop(ctx, sender.pod, after, 'out'), vethHop(ctx, sender.pod, after, 'out'));
    // Hairpin: a pod reaching itself through its own Service is masqueraded by kube-proxy (the
    // KUBE-SEP chain marks traffic from the endpoint's own address), or the reply would bypass it.
    if (endpointPod && senderPod && endpointPod.id === senderPod.id && !senderPod.isHostNetwork && ctx.proxyMode !== 'ebpf') {
      const masq = masqueradeAddress(ctx, sender.host, sender.host, after.dst);
      const snatted = { ...after, src: masq.address };
      branchHops.push(
        hop('snat', `hairpin: kube-proxy masquerades ${after.src} → ${masq.address} (${masq.device}), since the pod reaches itself`, snatted, [sender.host.id, service.id], sender.host.id, [
          { text: 'kube-proxy marks traffic from an endpoint to its own Service for masquerade (KUBE-SEP: -s <endpoint> -j KUBE-MARK-MASQ), so the reply comes back through the node', command: `iptables-save -t nat | grep ${choice.endpoint.address}` },
        ]),
      );
      after = snatted;
    }
    const target = targetForAddress(ctx, choice.ip, endpointPod);
    const delivered = deliver(ctx, { host: sender.host, packet: after, bridgedFrom: null }, senderPod, target, onArrive);
    return endpointFork(choice, endpointPod, branchHops, delivered);
  });
  return { hops, forks };
}

/** Carries the first leg's egress verdict to the ends of a path whose last leg has none (its
 * sender was hidden by SNAT on the way). */
function withEgress(outcome: Outcome, egress: DirectionVerdict | null): Outcome {
  if (egress === null) return outcome;
  return {
    ...outcome,
    ...(outcome.end ? { end: { ...outcome.end, policy: { ...outcome.end.policy, egress: outcome.end.policy.egress ?? egress } } } : {}),
    ...(outcome.forks ? { forks: outcome.forks.map((f) => ({ ...f, outcome: withEgress(f.outcome, egress) })) } : {}),
  };
}

/** A headless Service: DNS hands out the pods' addresses and the client connects to one. */
function headlessFromInside(ctx: Ctx, sender: Exclude<Sender, { kind: 'external' }>, service: ServiceRecord, port: number | undefined, prefix: Hop[]): Outcome {
  const svcPort = servicePortFor(service, port, ctx.isProtocolGiven ? ctx.protocol : undefined, 'cluster-ip') ?? (port === undefined ? null : { name: null, port, protocol: ctx.protocol, targetPort: port, nodePort: null });
  const endpoints = Object.values(ctx.topology.endpoints)
    .filter((e) => e.service === service.id && e.isReady)
    .sort((a, b) => (a.address < b.address ? -1 : 1));
  const hops = [...prefix];
  if (endpoints.length === 0) {
    return end(hops, 'no-endpoints', `${serviceLabel(service)} is headless and has no ready endpoint: its name has no address to connect to.`);
  }
  const forks = endpoints.map((endpoint, i): Fork => {
    const targetPort = svcPort ? (endpointPort(endpoint, svcPort) ?? (typeof svcPort.targetPort === 'number' ? svcPort.targetPort : undefined)) : port;
    const packet = withPort({ src: senderIP(sender, endpoint.address), dst: endpoint.address, protocol: svcPort?.protocol ?? ctx.protocol }, targetPort);
    const left = depart(ctx, sender, packet);
    const pod = endpoint.pod ? (ctx.topology.pods[endpoint.pod] ?? null) : null;
    const delivered = left.at ? deliver(ctx, left.at, senderPodOf(sender), targetForAddress(ctx, endpoint.address, pod)) : end([], 'no-route', 'no source');
    return {
      label: `${endpoint.address}${pod ? ` (${podLabel(pod)})` : ''}`,
      selection: `headless: the DNS answer lists ${endpoints.length} address${endpoints.length === 1 ? '' : 'es'} and the client connects to one itself (most take the first; CoreDNS shuffles their order) — no kube-proxy; address ${i + 1} of ${endpoints.length}`,
      endpoint: endpoint.id,
      pod: pod?.id ?? null,
      node: pod?.host ?? null,
      outcome: { ...delivered, hops: [...left.hops, ...delivered.hops] },
    };
  });
  return { hops, forks };
}

// ——— from outside the cluster ———

function isExcludedFromLB(host: Host): boolean {
  return 'node.kubernetes.io/exclude-from-external-load-balancers' in host.labels;
}

/** Up to four nodes stand for many: those with endpoints first, and one without. */
function representativeNodes(nodes: Host[], endpointNodes: Set<string>): { nodes: Host[]; isAll: boolean } {
  if (nodes.length <= 4) return { nodes, isAll: true };
  const withEndpoints = nodes.filter((n) => endpointNodes.has(n.name)).slice(0, 3);
  const without = nodes.find((n) => !endpointNodes.has(n.name));
  return { nodes: without ? [...withEndpoints, without] : withEndpoints, isAll: false };
}

/**
 * A client outside the cluster reaching a Service: through its LoadBalancer, a node's NodePort
 * or an external IP. Which nodes take it, whether kube-proxy SNATs it to the node (source lost,
 * externalTrafficPolicy Cluster) or keeps the client's address (Local), and the endpoints.
 */
function serviceFromOutside(
  ctx: Ctx,
  clientIP: string,
  service: ServiceRecord,
  port: number | undefined,
  how: { kind: 'load-balancer' | 'external-ip'; address: string } | { kind: 'node-port'; host: Host; address: string },
  onArrive?: OnArrive,
  /** The packet is already on the node (a pod's traffic to a NodePort): no internet, no wire. */
  isArrived = false,
): Outcome {
  const entry: ServiceEntry = how.kind;
  const svcPort = servicePortFor(service, port, ctx.isProtocolGiven ? ctx.protocol : undefined, entry);
  const first: Packet = { src: clientIP, dst: how.address, dstPort: svcPort ? (entry === 'node-port' ? (svcPort.nodePort ?? svcPort.port) : svcPort.port) : port, protocol: svcPort?.protocol ?? ctx.protocol };
  const hops: Hop[] = isArrived ? [] : [internetHop(first, 'in', `${how.address}${first.dstPort ? `:${first.dstPort}` : ''}`)];
  if (!svcPort) return noPortOutcome(hops, service, port, ctx.protocol, entry);
  const policy = service.externalTrafficPolicy ?? 'Cluster';
  const all = Object.values(ctx.topology.endpoints).filter((e) => e.service === service.id);
  const ready = Object.values(ctx.topology.hosts).filter((h) => h.isReady);

  let nodes: Host[];
  if (how.kind === 'node-port') {
    nodes = [how.host];
  } else {
    const eligible =
      policy === 'Local'
        ? ready.filter((h) => usableEndpoints(all, svcPort, how.address.includes(':') ? 6 : 4, 'Local', h).endpoints.length > 0)
        : ready.filter((h) => how.kind === 'external-ip' || !isExcludedFromLB(h));
    const endpointNodes = new Set(all.flatMap((e) => (e.nodeName ? [e.nodeName] : [])));
    const picked = representativeNodes(eligible, endpointNodes);
    nodes = picked.nodes;
    const which =
      policy === 'Local'
        ? `only nodes with a ready local endpoint (externalTrafficPolicy Local: kube-proxy's health check on the healthCheckNodePort fails on the others, so the load balancer leaves them out): ${eligible.map((h) => h.name).join(', ') || 'none'}`
        : `any ready node (externalTrafficPolicy Cluster): ${eligible.map((h) => h.name).join(', ')}${ready.some(isExcludedFromLB) && how.kind === 'load-balancer' ? ' (nodes labelled node.kubernetes.io/exclude-from-external-load-balancers are left out)' : ''}`;
    const evidence: Evidence[] = [
      { text: `${serviceLabel(service)} externalTrafficPolicy ${policy}`, object: service.id, field: 'spec.externalTrafficPolicy' },
      {
        text:
          how.kind === 'load-balancer'
            ? `the load balancer's address is in the Service's status; it sends to ${svcPort.nodePort ? `each node's NodePort ${svcPort.nodePort}` : 'the nodes (no NodePort: the address itself must reach the node)'}`
            : 'spec.externalIPs: Kubernetes does not route these; the network must bring the address to a node, where kube-proxy takes it',
        object: service.id,
        field: how.kind === 'load-balancer' ? 'status.loadBalancer.ingress' : 'spec.externalIPs',
        command: `kubectl get svc -n ${service.namespace} ${service.name} -o wide`,
      },
    ];
    if (!picked.isAll) evidence.push({ text: `showing ${nodes.length} of ${eligible.length} nodes: those with endpoints, and one without` });
    hops.push(
      hop(
        how.kind === 'load-balancer' ? 'load-balancer' : 'route',
        how.kind === 'load-balancer' ? `LoadBalancer ${how.address}:${svcPort.port} → ${which}` : `external IP ${how.address}: routed to a node by the network → ${which}`,
        first,
        [service.id, ...eligible.map((h) => h.id)],
        null,
        evidence,
      ),
    );
    if (nodes.length === 0) {
      return end(hops, 'no-endpoints', `${serviceLabel(service)} has no node to send to: ${policy === 'Local' ? 'no node has a ready local endpoint, so every health check fails' : 'no node is ready'}.`);
    }
  }

  const forks = nodes.map((host): Fork => {
    const viaNodePort = how.kind !== 'external-ip' && svcPort.nodePort !== null;
    const dst = how.kind === 'node-port' ? how.address : viaNodePort ? nodeAddress(host, how.address) : how.address;
    const arriving: Packet = { ...first, dst, dstPort: viaNodePort ? (svcPort.nodePort ?? svcPort.port) : svcPort.port };
    const uplink = host.devices.find((id) => ctx.topology.devices[id]?.role === 'uplink' || ctx.topology.devices[id]?.type === 'uplink');
    const nodeHops: Hop[] = isArrived
      ? []
      : [
          hop('uplink', `into node ${host.name} at ${joinHostPort(arriving.dst, arriving.dstPort ?? 0)}`, arriving, [uplink, host.id], host.id, [
            { text: `${arriving.dst} is ${host.internalIPs.includes(arriving.dst) ? 'the node\'s InternalIP' : host.externalIPs.includes(arriving.dst) ? 'the node\'s ExternalIP' : 'the Service\'s address, brought to this node'}`, object: host.id, field: 'status.addresses' },
          ]),
        ];
    const resolution = resolveService(ctx, service, svcPort, host, arriving, viaNodePort ? 'node-port' : entry);
    if (viaNodePort && resolution.hops[0]) resolution.hops[0] = { ...resolution.hops[0], kind: 'node-port' };
    nodeHops.push(...resolution.hops);
    if (resolution.failure) {
      return { label: `via ${host.name}`, selection: how.kind === 'node-port' ? 'the node the client addressed' : `the load balancer picks node ${host.name}`, endpoint: null, pod: null, node: host.id, outcome: end([...nodeHops, resolution.failure.hop], 'no-endpoints', `via node ${host.name}: ${resolution.failure.summary}.`) };
    }
    const endpointForks = resolution.choices.slice(0, Math.ceil(maxBranches / nodes.length)).map((choice): Fork => {
      const endpointPod = choice.endpoint.pod ? (ctx.topology.pods[choice.endpoint.pod] ?? null) : null;
      const branchHops: Hop[] = [choice.dnat];
      let after = choice.dnat.packet;
      const isLocalEndpoint = choice.endpoint.nodeName === host.name;
      const snats = policy === 'Cluster' && !(ctx.proxyMode === 'ebpf' && isLocalEndpoint);
      if (snats) {
        const toward = endpointPod ? hostOf(ctx, endpointPod) : null;
        const masq = ctx.proxyMode === 'ebpf' ? { address: nodeAddress(host, after.dst), device: 'the node\'s address' } : masqueradeAddress(ctx, host, toward ?? host, after.dst);
        const snatted = { ...after, src: masq.address };
        branchHops.push(
          hop('snat', `node ${host.name}: SNAT ${after.src} → ${masq.address} (${masq.device}): externalTrafficPolicy Cluster, the client's address is lost`, snatted, [host.id, service.id], host.id, [
            {
              text:
                ctx.proxyMode === 'ebpf'
                  ? 'Cilium\'s BPF NodePort SNATs to the node\'s address when the backend is on another node, so the reply comes back through this node'
                  : `kube-proxy marks external traffic for masquerade (${svcPort.kubeProxy?.external ?? 'KUBE-EXT'} -j KUBE-MARK-MASQ) and KUBE-POSTROUTING masquerades it to the address of the device it leaves by`,
              object: service.id,
              field: 'spec.externalTrafficPolicy',
              command: ctx.proxyMode === 'ebpf' ? 'kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf nat list' : 'iptables-save -t nat | grep -E "KUBE-MARK-MASQ|KUBE-POSTROUTING"',
            },
            { text: 'NetworkPolicy on the endpoint sees this address, not the client\'s: an ipBlock for the client does not match' },
          ]),
        );
        after = snatted;
      } else if (policy === 'Local') {
        branchHops.push(
          hop('service', `externalTrafficPolicy Local: no SNAT, the endpoint sees the client's address ${after.src}`, after, [service.id, host.id], host.id, [
            { text: 'with Local, kube-proxy only uses this node\'s endpoints and does not masquerade, so the source address is preserved', object: service.id, field: 'spec.externalTrafficPolicy' },
          ]),
        );
      }
      const target = targetForAddress(ctx, choice.ip, endpointPod);
      const delivered = deliver(ctx, { host, packet: after, bridgedFrom: null }, null, target, onArrive);
      return endpointFork(choice, endpointPod, branchHops, delivered);
    });
    return {
      label: `via ${host.name}`,
      selection: how.kind === 'node-port' ? 'the node the client addressed' : `the ${how.kind === 'load-balancer' ? 'load balancer' : 'network'} sends it to node ${host.name}`,
      endpoint: null,
      pod: null,
      node: host.id,
      outcome: { hops: nodeHops, forks: endpointForks },
    };
  });
  if (how.kind === 'node-port' && forks[0]) {
    // One entry node: no fan-out of its own.
    return { hops: [...hops, ...forks[0].outcome.hops], ...(forks[0].outcome.forks ? { forks: forks[0].outcome.forks } : {}), ...(forks[0].outcome.end ? { end: forks[0].outcome.end } : {}) };
  }
  return { hops, forks };
}

// ——— Ingress and Gateway ———

function controllerName(ingress: IngressRecord): string {
  if (ingress.controller === 'k8s.io/ingress-nginx') return 'ingress-nginx';
  return ingress.controller ?? 'the ingress controller';
}

/** The Service port an Ingress or HTTPRoute backend names (by number or name). */
function backendPort(service: ServiceRecord, port: number | string | null): ServicePortRecord | null {
  if (port === null) return service.ports[0] ?? null;
  return service.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port)) ?? null;
}

/**
 * At the controller pod: it matches the request to a backend Service and opens a new connection,
 * from its own address, straight to one of the Service's endpoints (ingress-nginx, Traefik,
 * Contour and Gateway implementations balance over the EndpointSlices themselves; kube-proxy is
 * not involved). `backends` is one or more weighted Services (HTTPRoute rules can split).
 */
function proxyToBackends(ctx: Ctx, controller: PodRecord, host: Host, label: string, hopIds: Id[], evidence: Evidence[], backends: { service: ServiceRecord; port: ServicePortRecord; weight: number }[], who: string): Outcome {
  const first = backends[0];
  const upstream: Packet = { src: podAddress(controller), dst: first?.service.clusterIPs[0] ?? first?.service.name ?? '?', dstPort: first?.port.port ?? 0, protocol: 'TCP' };
  const hops: Hop[] = [hop('ingress-controller', label, upstream, [controller.id, ...hopIds, ...backends.map((b) => b.service.id)], host.id, evidence)];
  const total = backends.reduce((sum, b) => sum + b.weight, 0);
  const forks: Fork[] = [];
  for (const backend of backends) {
    const family = podAddress(controller).includes(':') ? 6 : 4;
    const usable = usableEndpoints(Object.values(ctx.topology.endpoints).filter((e) => e.service === backend.service.id), backend.port, family, 'Cluster', null);
    const weightText = backends.length > 1 ? `weight ${backend.weight} of ${total}; ` : '';
    if (usable.endpoints.length === 0) {
      forks.push({ label: serviceLabel(backend.service), selection: `${weightText}the rule's backend`, endpoint: null, pod: null, node: null, outcome: end([], 'no-endpoints', `${who} answers 503: ${serviceLabel(backend.service)} has no ready endpoint.`) });
      continue;
    }
    for (const [i, endpoint] of usable.endpoints.entries()) {
      const port = endpointPort(endpoint, backend.port) ?? 0;
      const packet: Packet = { src: podAddress(controller, endpoint.address), dst: endpoint.address, dstPort: port, protocol: 'TCP' };
      const pod = endpoint.pod ? (ctx.topology.pods[endpoint.pod] ?? null) : null;
      const pick = hop('endpoint', `${who} picks endpoint ${joinHostPort(endpoint.address, port)} of ${serviceLabel(backend.service)}`, packet, [backend.service.id, endpoint.id, controller.id], host.id, [
        { text: `${who} reads the Service's EndpointSlices and connects to a pod directly, not through the ClusterIP`, object: backend.service.id, command: `kubectl get endpointslices -n ${backend.service.namespace} -l kubernetes.io/service-name=${backend.service.name} -o wide` },
      ]);
      const left = leavePod(ctx, controller, null, packet);
      const bridged = ctx.cni.podAttachment === 'bridge' || ctx.cni.podAttachment === 'ovs' ? controller : null;
      const delivered = deliver(ctx, { host, packet, bridgedFrom: controller.isHostNetwork ? null : bridged }, controller, targetForAddress(ctx, endpoint.address, pod));
      forks.push({
        label: `${serviceLabel(backend.service)} → ${joinHostPort(endpoint.address, port)}${pod ? ` (${podLabel(pod)})` : ''}`,
        selection: `${weightText}${who} balances over the ${usable.endpoints.length} ready endpoint${usable.endpoints.length === 1 ? '' : 's'} itself${who === 'ingress-nginx' ? ' (load-balance: round_robin by default)' : ''}, endpoint ${i + 1} of ${usable.endpoints.length}`,
        endpoint: endpoint.id,
        pod: pod?.id ?? null,
        node: pod?.host ?? null,
        outcome: { ...delivered, hops: [pick, ...left, ...delivered.hops] },
      });
    }
  }
  return { hops, forks };
}

/** Reaches the controller (from outside through its Service's LoadBalancer or NodePort, from
 * inside through its ClusterIP) and goes on from its pods. */
function throughController(ctx: Ctx, sender: Sender, controllerService: ServiceRecord, port: number, prefix: Hop[], onArrive: OnArrive, entryAddress: string | null): Outcome {
  if (sender.kind === 'external') {
    const lb = entryAddress ?? controllerService.loadBalancerIngress[0] ?? null;
    if (lb) {
      const outcome = serviceFromOutside(ctx, sender.ip, controllerService, port, { kind: 'load-balancer', address: lb }, onArrive);
      return { ...outcome, hops: [...prefix, ...outcome.hops] };
    }
    const host = Object.values(ctx.topology.hosts).find((h) => h.isReady);
    const svcPort = servicePortFor(controllerService, port, undefined, 'cluster-ip');
    if (host && svcPort?.nodePort) {
      const address = host.externalIPs[0] ?? nodeAddress(host);
      const outcome = serviceFromOutside(ctx, sender.ip, controllerService, svcPort.nodePort, { kind: 'node-port', host, address }, onArrive);
      return { ...outcome, hops: [...prefix, ...outcome.hops] };
    }
    return end(prefix, 'no-route', `${serviceLabel(controllerService)} (the controller's Service) has no LoadBalancer address or NodePort: nothing brings outside traffic to it.`);
  }
  return serviceFromInside(ctx, sender, controllerService, port, null, prefix, null, onArrive);
}

function ingressFlow(ctx: Ctx, sender: Sender, to: Extract<Endpoint, { kind: 'ingress' }>, port: number | undefined, prefix: Hop[]): Outcome {
  const { ingress, rule } = to;
  const requestPort = port ?? (to.host !== null && ingress.tlsHosts.includes(to.host) && to.port === 443 ? 443 : 80);
  if (!rule) return end(prefix, 'no-route', `No rule of ingress ${ingress.namespace}/${ingress.name} matches ${to.host ?? '*'}${to.path}: the controller answers from its default backend (404).`);
  const backend = ctx.topology.services[rule.service];
  if (!backend) return end(prefix, 'no-route', `Ingress ${ingress.namespace}/${ingress.name} sends ${rule.host ?? '*'}${rule.path ?? '/'} to ${rule.service.slice(4)}, which does not exist.`);
  const backendSvcPort = backendPort(backend, rule.port);
  if (!backendSvcPort) return end(prefix, 'no-route', `Ingress ${ingress.namespace}/${ingress.name} names port ${rule.port ?? '?'} of ${serviceLabel(backend)}, which has no such port.`);
  const join = ingress.controllerJoin;
  const pods = (join?.pods ?? []).map((id) => ctx.topology.pods[id]).filter((p): p is PodRecord => p !== undefined && p.ips.length > 0);
  const services = (join?.services ?? []).map((id) => ctx.topology.services[id]).filter((s): s is ServiceRecord => s !== undefined);
  const controllerService =
    services.find((s) => s.type === 'LoadBalancer' && s.ports.some((p) => p.port === requestPort)) ??
    services.find((s) => s.type === 'NodePort' && s.ports.some((p) => p.port === requestPort)) ??
    services.find((s) => s.ports.some((p) => p.port === requestPort)) ??
    null;
  if (pods.length === 0 || !controllerService) {
    return end(prefix, 'no-route', `The controller of ingress ${ingress.namespace}/${ingress.name} (class ${ingress.className ?? 'none'}) is not found in the cluster: ${join?.evidence ?? 'no IngressClass join'}${pods.length > 0 ? '; none of its Services serves port ' + requestPort : ''}.`);
  }
  const who = controllerName(ingress);
  const onArrive: OnArrive = (controller, host) =>
    proxyToBackends(
      ctx,
      controller,
      host,
      `${who} in ${podLabel(controller)}: ${rule.host ?? '*'} ${rule.path ?? '/'} (${rule.pathType ?? 'default backend'}) of ingress ${ingress.namespace}/${ingress.name} → ${serviceLabel(backend)}:${backendSvcPort.port}`,
      [ingress.id],
      [
        { text: `ingress ${ingress.namespace}/${ingress.name}: host ${rule.host ?? '(any)'}, path ${rule.path ?? '(default backend)'} ${rule.pathType ?? ''} → ${rule.service.slice(4)} port ${rule.port ?? ''}`, object: ingress.id, field: 'spec.rules', command: `kubectl describe ingress -n ${ingress.namespace} ${ingress.name}` },
        { text: join?.evidence ?? '', object: ingress.id },
        ...(to.host && ingress.tlsHosts.includes(to.host) && requestPort === 443 ? [{ text: `TLS for ${to.host} ends here: the controller decrypts, then opens a plain connection to the backend` }] : []),
      ],
      [{ service: backend, port: backendSvcPort, weight: 1 }],
      who,
    );
  return throughController(ctx, sender, controllerService, requestPort, prefix, onArrive, sender.kind === 'external' ? (to.ingress.loadBalancerIngress[0] ?? null) : null);
}

function gatewayFlow(ctx: Ctx, sender: Sender, to: Extract<Endpoint, { kind: 'gateway' }>, port: number | undefined, prefix: Hop[]): Outcome {
  const { gateway } = to;
  const route: HTTPRouteRecord | null = to.route;
  const rule = route?.rules[to.ruleIndex];
  if (!route || !rule) return end(prefix, 'no-route', `No HTTPRoute attached to gateway ${gateway.namespace}/${gateway.name} matches ${to.host ?? '*'}${to.path}: the gateway answers 404.`);
  const backends = rule.backends
    .map((b) => {
      const service = ctx.topology.services[b.service];
      const svcPort = service ? backendPort(service, b.port) : null;
      return service && svcPort ? { service, port: svcPort, weight: b.weight } : null;
    })
    .filter((b): b is NonNullable<typeof b> => b !== null && b.weight > 0);
  if (backends.length === 0) return end(prefix, 'no-route', `HTTPRoute ${route.namespace}/${route.name} rule ${to.ruleIndex} has no backend Service that exists.`);
  const service = gateway.service ? ctx.topology.services[gateway.service] : undefined;
  if (!service) return end(prefix, 'no-route', `gateway ${gateway.namespace}/${gateway.name} has no Service in the cluster: ${gateway.evidence}`);
  const requestPort = port ?? gateway.listeners.find((l) => l.protocol === 'HTTP')?.port ?? 80;
  const who = `gateway ${gateway.namespace}/${gateway.name} (${gateway.className})`;
  const onArrive: OnArrive = (proxy, host) =>
    proxyToBackends(
      ctx,
      proxy,
      host,
      `${who} in ${podLabel(proxy)}: HTTPRoute ${route.namespace}/${route.name} rule ${to.ruleIndex} (${rule.paths.join(', ') || 'any path'}) → ${backends.map((b) => serviceLabel(b.service)).join(', ')}`,
      [gateway.id, route.id],
      [{ text: `HTTPRoute ${route.namespace}/${route.name}: hostnames ${route.hostnames.join(', ') || '(any)'}, rule ${to.ruleIndex}`, object: route.id, field: 'spec.rules', command: `kubectl describe httproute -n ${route.namespace} ${route.name}` }, { text: gateway.evidence, object: gateway.id }],
      backends,
      `gateway ${gateway.name}`,
    );
  return throughController(ctx, sender, service, requestPort, prefix, onArrive, sender.kind === 'external' ? (gateway.addresses[0] ?? null) : null);
}

// ——— assembling the trace ———

function flatten(fork: Fork): Branch[] {
  const outcome = fork.outcome;
  if (outcome.forks && outcome.forks.length > 0) {
    return outcome.forks.flatMap(flatten).map((b) => ({
      ...b,
      label: `${fork.label} → ${b.label}`,
      selection: `${fork.selection}; then ${b.selection}`,
      node: b.node ?? fork.node,
      hops: [...outcome.hops, ...b.hops],
    }));
  }
  const finished = outcome.end ?? { verdict: 'no-route' as const, summary: 'the path ends here', policy: noPolicy };
  const verdict = finished.verdict === 'unknown-target' ? 'no-route' : finished.verdict;
  return [{ label: fork.label, selection: fork.selection, endpoint: fork.endpoint, pod: fork.pod, node: fork.node, verdict, summary: finished.summary, hops: outcome.hops, policy: finished.policy }];
}

function combine(branches: Branch[]): { verdict: Verdict; summary: string; policy: PolicySummary } {
  const verdicts = [...new Set(branches.map((b) => b.verdict))];
  const first = branches[0];
  if (!first) return { verdict: 'no-route', summary: 'no path', policy: noPolicy };
  if (branches.length === 1) return { verdict: first.verdict, summary: first.summary, policy: first.policy };
  if (verdicts.length === 1) {
    const shown = branches.slice(0, 4).map((b) => b.label);
    const list = `${shown.join('; ')}${branches.length > shown.length ? `; and ${branches.length - shown.length} more` : ''}`;
    const summary = first.verdict === 'delivered' ? `Delivered on all ${branches.length} paths: ${list}.` : `${first.verdict} on all ${branches.length} paths. ${first.summary}`;
    return { verdict: first.verdict, summary, policy: first.policy };
  }
  const counts = verdicts.map((v) => `${branches.filter((b) => b.verdict === v).length} ${v}`).join(', ');
  const failing = branches.find((b) => b.verdict !== 'delivered') ?? first;
  return { verdict: 'ambiguous', summary: `The paths disagree (${counts}): it depends on which one is picked. ${failing.label}: ${failing.summary}`, policy: failing.policy };
}

function traceEnd(query: string, endpoint: Endpoint): TraceEnd {
  const base = { query, container: null, node: null, ip: null } as const;
  switch (endpoint.kind) {
    case 'pod':
      return { ...base, kind: endpoint.container ? 'container' : 'pod', id: endpoint.pod.id, container: endpoint.container?.id ?? null, label: `${podLabel(endpoint.pod)}${endpoint.container ? `:${endpoint.container.name}` : ''}`, ip: endpoint.pod.ips[0] ?? null, node: endpoint.pod.host, how: endpoint.how };
    case 'node':
      return { ...base, kind: 'node', id: endpoint.host.id, label: endpoint.host.name, ip: endpoint.ip || null, node: endpoint.host.id, how: endpoint.how };
    case 'service':
      return { ...base, kind: 'service', id: endpoint.service.id, label: `${endpoint.service.namespace}/${endpoint.service.name}`, ip: endpoint.ip, how: endpoint.how };
    case 'ingress':
      return { ...base, kind: 'ingress', id: endpoint.ingress.id, label: `${endpoint.ingress.namespace}/${endpoint.ingress.name}${endpoint.host ? ` ${endpoint.host}` : ''}${endpoint.path}`, ip: endpoint.ingress.loadBalancerIngress[0] ?? null, how: endpoint.how };
    case 'gateway':
      return { ...base, kind: 'gateway', id: endpoint.gateway.id, label: `${endpoint.gateway.namespace}/${endpoint.gateway.name}${endpoint.host ? ` ${endpoint.host}` : ''}${endpoint.path}`, ip: endpoint.gateway.addresses[0] ?? null, how: endpoint.how };
    case 'name':
      return { ...base, kind: 'service', id: null, label: endpoint.name, how: endpoint.how };
    case 'external':
      return { ...base, kind: endpoint.ip ? 'external' : 'internet', id: endpointIds(endpoint)[0] ?? null, label: endpoint.ip ?? 'the internet', ip: endpoint.ip, how: endpoint.how };
    case 'unowned':
      return { ...base, kind: 'unknown', id: null, label: endpoint.ip, ip: endpoint.ip, how: endpoint.how };
    case 'unknown':
      return { ...base, kind: 'unknown', id: null, label: query, how: endpoint.message };
  }
}

function firstDeclaredPort(ctx: Ctx, pod: PodRecord, container: ContainerRecord | null): number | undefined {
  const containers = container ? [container] : pod.containers.map((id) => ctx.topology.containers[id]).filter((c): c is ContainerRecord => c !== undefined && c.role !== 'init');
  return containers.flatMap((c) => c.ports.filter((p) => p.protocol === ctx.protocol))[0]?.port;
}

function senderFor(ctx: Ctx, endpoint: Endpoint): Sender | string {
  switch (endpoint.kind) {
    case 'pod': {
      const host = hostOf(ctx, endpoint.pod);
      if (!host) return `${podLabel(endpoint.pod)} is ${endpoint.pod.phase} and not on a node: it has no network namespace to send from.`;
      if (endpoint.pod.ips.length === 0) return `${podLabel(endpoint.pod)} has no IP yet (${endpoint.pod.phase}): it cannot send.`;
      return { kind: 'pod', pod: endpoint.pod, container: endpoint.container, host };
    }
    case 'node':
      return { kind: 'node', host: endpoint.host };
    case 'external':
      return { kind: 'external', ip: endpoint.ip ?? internetClient };
    case 'service':
      return `a Service does not send traffic: trace from one of its pods${podsOf(ctx, endpoint.service.id)}.`;
    case 'ingress':
    case 'gateway':
      return 'an Ingress or Gateway does not send traffic: trace from its controller\'s pods, or from the internet to it.';
    case 'name':
      return `"${endpoint.name}" is a name to look up, not a sender: trace from a pod, a node or the internet.`;
    case 'unowned':
      return `no pod has ${endpoint.ip} (${endpoint.how}).`;
    case 'unknown':
      return endpoint.message;
  }
}

function podsOf(ctx: Ctx, service: Id): string {
  const pods = Object.values(ctx.topology.endpoints)
    .filter((e) => e.service === service && e.pod)
    .map((e) => ctx.topology.pods[e.pod ?? ''])
    .filter((p): p is PodRecord => p !== undefined)
    .slice(0, 3);
  return pods.length > 0 ? ` (${pods.map(podLabel).join(', ')})` : '';
}

/** A pod that sends to itself, or between its own containers: lo, no policy. */
function withinPod(ctx: Ctx, sender: Extract<Sender, { kind: 'pod' }>, to: Extract<Endpoint, { kind: 'pod' }>, port: number | undefined): Outcome {
  const pod = sender.pod;
  const dst = pod.isHostNetwork ? '127.0.0.1' : podAddress(pod);
  const packet = withPort({ src: dst, dst, protocol: ctx.protocol }, port);
  const from = containerFor(ctx, pod, sender.container, undefined, ctx.protocol);
  const into = containerFor(ctx, pod, to.container, port, ctx.protocol);
  const hops = [containerHop(ctx, pod, from.container, packet, from.evidence, 'out'), loHop(pod, packet), containerHop(ctx, pod, into.container, packet, into.evidence, 'in')];
  return end(hops, 'delivered', `Within ${podLabel(pod)}: ${from.container?.name ?? 'a container'} → ${into.container?.name ?? 'a container'} over lo${port ? ` port ${port}` : ''}; containers of one pod share its netns, so no veth, no node and no NetworkPolicy is involved.`);
}

/** The trace to whatever `to` names, from a sender inside or outside the cluster. */
function route(ctx: Ctx, sender: Sender, to: Endpoint, port: number | undefined): { outcome: Outcome; dns?: DnsResult } {
  const senderPod = senderPodOf(sender);
  switch (to.kind) {
    case 'unknown':
      return { outcome: end([], 'no-route', to.message) };
    case 'unowned': {
      const packet = withPort({ src: senderIP(sender, to.ip), dst: to.ip, protocol: ctx.protocol }, port);
      const left = depart(ctx, sender, packet);
      return { outcome: end(left.hops, 'no-route', `No pod has ${to.ip} (${to.how}): the packet is routed toward that range and nothing answers.`) };
    }
    case 'pod': {
      const host = hostOf(ctx, to.pod);
      if (sender.kind === 'pod' && sender.pod.id === to.pod.id) return { outcome: withinPod(ctx, sender, to, port ?? firstDeclaredPort(ctx, to.pod, to.container)) };
      if (!host || to.pod.ips.length === 0) return { outcome: end([], 'no-route', `${podLabel(to.pod)} is ${to.pod.phase}${host ? '' : ' and not scheduled'}: it has no IP to reach.`) };
      const dstPort = port ?? firstDeclaredPort(ctx, to.pod, to.container);
      if (sender.kind === 'external') {
        const packet = withPort({ src: sender.ip, dst: podAddress(to.pod), protocol: ctx.protocol }, dstPort);
        const why = ctx.cni.peerRouting === 'fabric' ? 'pod IPs are addresses of the cloud network: routable inside it, not from the internet' : 'pod IPs are private to the cluster: nothing outside routes to them';
        return { outcome: end([internetHop(packet, 'in')], 'no-route', `${podLabel(to.pod)} (${packet.dst}) is not reachable from outside the cluster: ${why}. Use a Service of type LoadBalancer or NodePort, or an Ingress.`) };
      }
      // A node (or hostNetwork pod) sends from the address of the device its route leaves by.
      const inHostNetns = sender.kind === 'node' || sender.pod.isHostNetwork;
      const source = inHostNetns && !to.pod.isHostNetwork ? masqueradeAddress(ctx, sender.host, host, podAddress(to.pod)) : null;
      const packet = withPort({ src: source?.address ?? senderIP(sender, podAddress(to.pod)), dst: podAddress(to.pod, senderIP(sender)), protocol: ctx.protocol }, dstPort);
      const left = depart(ctx, sender, packet);
      const delivered = left.at ? deliver(ctx, left.at, senderPod, { kind: 'pod', pod: to.pod, container: to.container, host }) : end([], 'no-route', 'no source');
      const fromDevice = source && source.address !== nodeAddress(sender.host) ? ` The node sends from ${source.address}, ${source.device}'s address: the kernel's source for that route.` : '';
      const notReady = (!to.pod.isReady ? ` Note: ${podLabel(to.pod)} is not Ready — a direct connection still reaches it, but Services leave it out.` : '') + fromDevice;
      return { outcome: { ...delivered, hops: [...left.hops, ...delivered.hops], ...(delivered.end ? { end: { ...delivered.end, summary: delivered.end.summary + notReady } } : {}) } };
    }
    case 'node': {
      const host = to.host;
      const address = to.ip || nodeAddress(host);
      const nodePortService = port !== undefined ? Object.values(ctx.topology.services).find((s) => s.ports.some((p) => p.nodePort === port && (!ctx.isProtocolGiven || p.protocol === ctx.protocol))) : undefined;
      if (nodePortService && port !== undefined) {
        if (sender.kind === 'external') return { outcome: serviceFromOutside(ctx, sender.ip, nodePortService, port, { kind: 'node-port', host, address }) };
        // From inside: to the node first (masqueraded where the CNI does that), then its kube-proxy.
        const packet: Packet = { src: senderIP(sender, address), dst: address, dstPort: port, protocol: ctx.protocol };
        const left = depart(ctx, sender, packet);
        if (!left.at) return { outcome: end(left.hops, 'no-route', 'no source') };
        const toNode = deliver(ctx, left.at, senderPod, { kind: 'node', host, what: `NodePort ${port} of ${serviceLabel(nodePortService)}` });
        const reached = toNode.hops.at(-1)?.packet ?? packet;
        if (toNode.end?.verdict !== 'delivered') return { outcome: { ...toNode, hops: [...left.hops, ...toNode.hops] } };
        const atNode = serviceFromOutside(ctx, reached.src, nodePortService, port, { kind: 'node-port', host, address }, undefined, true);
        return { outcome: withEgress({ ...atNode, hops: [...left.hops, ...toNode.hops.slice(0, -1), ...atNode.hops] }, toNode.end.policy.egress) };
      }
      const listener =
        port !== undefined
          ? Object.values(ctx.topology.pods).find((p) => p.isHostNetwork && p.host === host.id && p.containers.some((id) => ctx.topology.containers[id]?.ports.some((cp) => cp.port === port && cp.protocol === ctx.protocol)))
          : undefined;
      const target: Target = listener ? { kind: 'pod', pod: listener, container: null, host } : { kind: 'node', host, what: `${address} is the node's own address` };
      const packet = withPort({ src: senderIP(sender, address), dst: address, protocol: ctx.protocol }, port);
      const left = depart(ctx, sender, packet);
      if (!left.at) {
        const uplink = host.devices.find((id) => ctx.topology.devices[id]?.role === 'uplink');
        const hops = [...left.hops, hop('uplink', `into node ${host.name} at ${address}`, packet, [uplink, host.id], host.id, [{ text: to.how, object: host.id, field: 'status.addresses' }])];
        if (listener) {
          const into = containerFor(ctx, listener, null, port, ctx.protocol);
          hops.push(containerHop(ctx, listener, into.container, packet, into.evidence, 'in'));
          return { outcome: end(hops, 'delivered', `Delivered to hostNetwork pod ${podLabel(listener)} on node ${host.name} (${address}:${port}); NetworkPolicy does not apply to hostNetwork pods.`) };
        }
        hops.push(localDeliveryHop(host, packet, `${address} is the node's own address`));
        return { outcome: end(hops, 'delivered', `Delivered to node ${host.name}'s root netns (${address}${port ? `:${port}` : ''}), if the node's own firewall lets it in.`) };
      }
      const delivered = deliver(ctx, left.at, senderPod, target);
      return { outcome: { ...delivered, hops: [...left.hops, ...delivered.hops] } };
    }
    case 'service': {
      const service = to.service;
      if (sender.kind === 'external') {
        // Named (not addressed by its ClusterIP): the way in from outside is whatever the Service offers.
        const isNamed = to.via === 'name' || to.via === 'id';
        if (to.via === 'load-balancer' || (isNamed && service.type === 'LoadBalancer' && service.loadBalancerIngress[0])) {
          return { outcome: serviceFromOutside(ctx, sender.ip, service, port, { kind: 'load-balancer', address: to.via === 'load-balancer' && to.ip ? to.ip : (service.loadBalancerIngress[0] ?? '') }) };
        }
        if (to.via === 'external-ip' && to.ip) return { outcome: serviceFromOutside(ctx, sender.ip, service, port, { kind: 'external-ip', address: to.ip }) };
        if (isNamed && (service.type === 'NodePort' || service.type === 'LoadBalancer')) {
          const host = Object.values(ctx.topology.hosts).find((h) => h.isReady && !isExcludedFromLB(h)) ?? Object.values(ctx.topology.hosts)[0];
          const svcPort = servicePortFor(service, port, ctx.isProtocolGiven ? ctx.protocol : undefined, 'cluster-ip');
          if (host && svcPort?.nodePort) return { outcome: serviceFromOutside(ctx, sender.ip, service, svcPort.nodePort, { kind: 'node-port', host, address: host.externalIPs[0] ?? nodeAddress(host) }) };
        }
        const packet = withPort({ src: sender.ip, dst: to.ip ?? service.name, protocol: ctx.protocol }, port);
        return { outcome: end([internetHop(packet, 'in')], 'no-route', `${serviceLabel(service)} is type ${service.type}${service.type === 'ExternalName' ? '' : ` (ClusterIP ${service.clusterIPs[0] ?? 'none'})`}: only reachable from inside the cluster. Make it a LoadBalancer or NodePort, or put an Ingress in front.`) };
      }
      let prefix: Hop[] = [];
      let dns: DnsResult | undefined;
      if (to.via === 'name') {
        dns = lookupName(ctx, { pod: senderPod, host: sender.host }, `${service.name}.${service.namespace}.svc.${clusterDomain}`);
        prefix = [dnsSummaryHop(dns, sender.host, senderPod)];
        if (dns.isFailed) return { outcome: dnsFailure(dns, prefix), dns };
      }
      return { outcome: serviceByKind(ctx, sender, service, port, to.via === 'external-ip' || to.via === 'load-balancer' ? to.ip : null, prefix, to.via), ...(dns ? { dns } : {}) };
    }
    case 'ingress':
      return { outcome: ingressFlow(ctx, sender, to, port ?? to.port, []) };
    case 'gateway':
      return { outcome: gatewayFlow(ctx, sender, to, port ?? to.port, []) };
    case 'name': {
      if (sender.kind === 'external') {
        return { outcome: end([], 'unknown-target', `"${to.name}" is not a name the cluster serves to the internet: no Ingress or HTTPRoute has that host, and cluster DNS names do not resolve outside the cluster.`) };
      }
      const dns = lookupName(ctx, { pod: senderPod, host: sender.host }, to.name);
      const prefix = [dnsSummaryHop(dns, sender.host, senderPod)];
      if (dns.isFailed) return { outcome: dnsFailure(dns, prefix), dns };
      const target = dns.target;
      if (!target) return { outcome: end(prefix, 'unknown-target', dns.lookup.summary), dns };
      if (target.kind === 'upstream') {
        const packet = withPort({ src: senderIP(sender), dst: internetClient, protocol: ctx.protocol }, port ?? 443);
        const left = depart(ctx, sender, packet);
        const delivered = left.at ? deliver(ctx, left.at, senderPod, { kind: 'external', what: `${target.name}; ${internetClient} stands for whatever it resolves to` }) : end([], 'no-route', 'no source');
        return { outcome: { ...delivered, hops: [...prefix, ...left.hops, ...delivered.hops] }, dns };
      }
      return { outcome: serviceByKind(ctx, sender, target.service, port, null, prefix, 'name'), dns };
    }
    case 'external': {
      if (sender.kind === 'external') return { outcome: end([], 'no-route', 'Both ends are outside the cluster.') };
      const packet = withPort({ src: senderIP(sender), dst: to.ip ?? internetClient, protocol: ctx.protocol }, port ?? 443);
      const left = depart(ctx, sender, packet);
      const delivered = left.at ? deliver(ctx, left.at, senderPod, { kind: 'external', what: to.ip ? 'outside the cluster' : 'the internet' }) : end([], 'no-route', 'no source');
      const assumed = port === undefined ? ' (no port given: 443/TCP assumed)' : '';
      return { outcome: { ...delivered, hops: [...left.hops, ...delivered.hops], ...(delivered.end ? { end: { ...delivered.end, summary: delivered.end.summary + assumed } } : {}) } };
    }
  }
}

function dnsFailure(dns: DnsResult, prefix: Hop[]): Outcome {
  const status = dns.lookup.status;
  const verdict: EndVerdict = status === 'policy-denied' ? 'policy-denied' : status === 'no-endpoints' ? 'no-endpoints' : 'no-route';
  const deciding = dns.lookup.policy.find((c) => !c.isAllowed);
  const policy: PolicySummary = deciding ? { egress: deciding.egress, ingress: deciding.ingress } : noPolicy;
  return end([...prefix], verdict, `DNS: ${dns.lookup.summary}`, policy);
}

/** A Service, once its address is known, by what kind of Service it is. */
function serviceByKind(ctx: Ctx, sender: Exclude<Sender, { kind: 'external' }>, service: ServiceRecord, port: number | undefined, vip: string | null, prefix: Hop[], via: Extract<Endpoint, { kind: 'service' }>['via']): Outcome {
  const senderPod = senderPodOf(sender);
  if (service.type === 'ExternalName') {
    const name = service.externalName ?? '?';
    const packet = withPort({ src: senderIP(sender), dst: internetClient, protocol: ctx.protocol }, port ?? service.ports[0]?.port ?? 443);
    const left = depart(ctx, sender, packet);
    const note = hop('service', `${serviceLabel(service)} is type ExternalName: DNS answers CNAME ${name}, and the client connects to whatever that resolves to (no ClusterIP, no kube-proxy)`, packet, [service.id], sender.host.id, [
      { text: `spec.externalName ${name}`, object: service.id, field: 'spec.externalName', command: `kubectl get svc -n ${service.namespace} ${service.name} -o wide` },
    ]);
    const delivered = left.at ? deliver(ctx, left.at, senderPod, { kind: 'external', what: `${name}; ${internetClient} stands for its address` }) : end([], 'no-route', 'no source');
    return { ...delivered, hops: [...prefix, note, ...left.hops, ...delivered.hops] };
  }
  if (service.isHeadless) return headlessFromInside(ctx, sender, service, port, prefix);
  const entryNote =
    via === 'load-balancer'
      ? `${vip ?? ''} is ${serviceLabel(service)}'s LoadBalancer address: ${proxyName(ctx.proxyMode)} on the sending node takes it like the ClusterIP, so it never goes out to the load balancer`
      : via === 'external-ip'
        ? `${vip ?? ''} is an external IP of ${serviceLabel(service)}: ${proxyName(ctx.proxyMode)} on the sending node takes it like the ClusterIP`
        : null;
  return serviceFromInside(ctx, sender, service, port, vip, prefix, entryNote);
}

function evaluator(topology: Topology, options: TraceOptions): (flow: Flow) => PolicyVerdict {
  return (flow) => evaluatePolicy(topology, flow, options.policies ? { policies: options.policies } : {});
}

/**
 * Traces `query` through `topology`. With `options.policies`, NetworkPolicy is evaluated with
 * those policies instead of the topology's (what-if).
 */
export function trace(topology: Topology, query: TraceQuery, options: TraceOptions = {}): Trace {
  const ctx: Ctx = {
    topology,
    cni: topology.cluster.cni.value,
    proxyMode: topology.cluster.proxyMode.value,
    evaluate: evaluator(topology, options),
    protocol: query.protocol ?? 'TCP',
    isProtocolGiven: query.protocol !== undefined,
  };
  const from = parseEndpoint(topology, query.from, 'from');
  const to = parseEndpoint(topology, query.to, 'to');
  const result = (verdict: Verdict, summary: string, extra: Partial<Trace> = {}): Trace => ({
    query,
    from: traceEnd(query.from, from),
    to: traceEnd(query.to, to),
    verdict,
    summary,
    hops: [],
    branches: [],
    policy: noPolicy,
    ...extra,
  });
  if (from.kind === 'unknown') return result('unknown-target', `Source: ${from.message}`);
  if (to.kind === 'unknown') return result('unknown-target', `Destination: ${to.message}`);
  const sender = senderFor(ctx, from);
  if (typeof sender === 'string') return result(from.kind === 'unowned' || from.kind === 'pod' ? 'no-route' : 'unknown-target', `Source: ${sender}`);

  const { outcome, dns } = route(ctx, sender, to, query.port ?? ('port' in to ? to.port : undefined));
  const extra: Partial<Trace> = dns ? { dns: dns.lookup, to: resolvedEnd(traceEnd(query.to, to), dns) } : {};
  if (dns && !dns.isFailed && dns.target === null) return result('unknown-target', dns.lookup.summary, { ...extra, hops: outcome.hops });
  if (dns?.lookup.status === 'nxdomain' || (dns?.isFailed && dns.lookup.status === 'no-cluster-dns' && to.kind === 'name' && dns.target === null)) {
    return result('unknown-target', `${dns.lookup.summary}${suggestionText(topology, to)}`, { ...extra, hops: outcome.hops });
  }
  if (outcome.forks && outcome.forks.length > 0) {
    let branches = outcome.forks.flatMap(flatten);
    const total = branches.length;
    if (branches.length > maxBranches) branches = branches.slice(0, maxBranches);
    const combined = combine(branches);
    const dnsNote = dns?.lookup.status === 'partly-denied' ? ` ${dns.lookup.summary}` : '';
    const verdict = dnsNote && combined.verdict === 'delivered' ? 'ambiguous' : combined.verdict;
    const cut = total > branches.length ? ` (${branches.length} of ${total} paths shown)` : '';
    return result(verdict, `${combined.summary}${dnsNote}${unverifiedNote(dns)}${cut}`, { ...extra, hops: outcome.hops, branches, policy: combined.policy });
  }
  const finished = outcome.end ?? { verdict: 'no-route' as const, summary: 'the path ends without a verdict', policy: noPolicy };
  const dnsNote = dns?.lookup.status === 'partly-denied' ? ` ${dns.lookup.summary}` : '';
  const verdict: Verdict = dnsNote && finished.verdict === 'delivered' ? 'ambiguous' : finished.verdict;
  const unknownTarget = to.kind === 'name' && finished.verdict === 'no-route' && dns?.target === null;
  return result(unknownTarget ? 'unknown-target' : verdict, `${finished.summary}${dnsNote}${unverifiedNote(dns)}`, { ...extra, hops: outcome.hops, policy: finished.policy });
}

/** For a lookup Podpath could not check (no cluster DNS Service in the model). */
function unverifiedNote(dns: DnsResult | undefined): string {
  return dns?.lookup.status === 'unverified' ? ' The name lookup is not checked: no cluster DNS Service (kube-system/kube-dns) is in the model.' : '';
}

/** A destination given by name, once DNS has said what it is. */
function resolvedEnd(end: TraceEnd, dns: DnsResult): TraceEnd {
  const target = dns.target;
  if (!target || target.kind === 'upstream' || end.id !== null) return end;
  const ip = target.kind === 'service' ? target.ip : target.kind === 'headless' ? (target.ips[0] ?? null) : null;
  return { ...end, kind: 'service', id: target.service.id, ip, how: `${end.how} → svc ${target.service.namespace}/${target.service.name}` };
}

function suggestionText(topology: Topology, to: Endpoint): string {
  if (to.kind !== 'name') return '';
  const suggestions = suggestionsFor(topology, to.name);
  return suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '';
}
