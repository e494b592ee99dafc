/**
 * A Service reached from inside the cluster, once its address is known: ExternalName, headless,
 * or a ClusterIP (also its LoadBalancer or external IP, which kube-proxy takes like one) that the
 * sending node's Service proxy fans out to its endpoints.
 */
import type { Id, ServiceRecord } from '../model/types.ts';
import { kubectlObject, operands, sh } from '../text/shell.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { serviceCommand } from './commands.ts';
import { deliver, depart, senderIP, senderPodOf, targetForAddress } from './deliver.ts';
import type { Endpoint } from './endpoints.ts';
import { clusterIPIn, familyOf, familyProbe, noClusterIPOutcome } from './family.ts';
import { block, end, endpointFork, maxBranches, podLabel, withPort, type Ctx, type Fork, type OnArrive, type Outcome, type Sender } from './outcome.ts';
import { observedKubeProxy } from './observed-proxy.ts';
import { hop, serviceLabel } from './path/hop.ts';
import { internetClient } from './path/internet.ts';
import { masqueradeAddress } from './path/nodes.ts';
import { observeSnat } from './observed-snat.ts';
import { containerFor, containerHop, intoHostStack, podEth0Hop, vethHop } from './path/pod.ts';
import { endpointPort, proxyName, resolveService, servicePortFor, whyNoEndpoint, type ServiceEntry } from './proxy.ts';
import type { Hop, Packet } from './types.ts';

/** Whether the sending node's Service proxy DNATs in netfilter (iptables, nftables), as read off
 * the node where it was, else as detected. */
function isBridgeDnat(ctx: Ctx, sender: Exclude<Sender, { kind: 'external' }>, dst: string): boolean {
  const mode = observedKubeProxy(sender.host, dst.includes(':') ? 6 : 4)?.mode ?? ctx.proxyMode;
  return (mode === 'iptables' || mode === 'nftables') && (ctx.cni.podAttachment === 'bridge');
}

/** A Service without the port asked for: the path ends at the Service, which says which it has. */
export function noPortOutcome(hops: Hop[], service: ServiceRecord, packet: Packet, node: Id | null, entry: ServiceEntry): Outcome {
  const ports = service.ports.map((p) => `${entry === 'node-port' ? (p.nodePort ?? '-') : p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ');
  const asked = `${entry === 'node-port' ? 'nodePort' : 'port'} ${packet.dstPort ?? ''}/${packet.protocol}`;
  const stop = hop('service', `${serviceLabel(service)}: no ${asked}`, packet, [service.id], node, [
    { text: `its ports: ${ports || 'none'}`, object: service.id, field: 'spec.ports', command: sh`kubectl get ${kubectlObject('svc', service.name, service.namespace)} -o jsonpath='{.spec.ports}'` },
  ]);
  return end([...hops, stop], 'no-route', `${serviceLabel(service)} has no ${asked}: nothing on the node matches it (its ports: ${ports || 'none'}).`);
}

/**
 * A Service reached from inside the cluster (a pod, a hostNetwork pod, a node): the node's
 * Service proxy picks an endpoint, and each pick is delivered as pod-to-pod traffic.
 */
export function serviceFromInside(ctx: Ctx, sender: Exclude<Sender, { kind: 'external' }>, service: ServiceRecord, port: number | undefined, vip: string | null, prefix: Hop[], entryNote: string | null, onArrive?: OnArrive): Outcome {
  const svcPort = servicePortFor(service, port, ctx.isProtocolGiven ? ctx.protocol : undefined, 'cluster-ip');
  // The ClusterIP of the trace's family (dual stack); a Service without one says so, with the fix.
  const address = vip ?? clusterIPIn(service, ctx.family);
  if (!address && service.clusterIPs.length > 0) return noClusterIPOutcome(ctx, sender.host.id, service, prefix, withPort({ src: senderIP(sender, familyProbe(ctx.family)), dst: service.name, protocol: ctx.protocol }, port));
  if (!svcPort) return noPortOutcome(prefix, service, withPort({ src: senderIP(sender, address ?? undefined), dst: address ?? service.name, protocol: ctx.protocol }, port), sender.host.id, 'cluster-ip');
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
    const { hop: failed, why } = resolution.failure;
    const summary = `${serviceLabel(service)} ${joinHostPort(address, svcPort.port)}/${svcPort.protocol}: ${resolution.failure.summary}.`;
    hops.push(failed);
    block(ctx, failed, { kind: 'no-endpoints', line: summary, fix: why.fix, subject: why.subject, denial: null });
    return end(hops, 'no-endpoints', summary);
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
      const snat = hop('snat', `hairpin: kube-proxy masquerades ${after.src} → ${masq.address} (${masq.device}), since the pod reaches itself`, snatted, [sender.host.id, service.id], sender.host.id, [
        { text: 'kube-proxy marks traffic from an endpoint to its own Service for masquerade (KUBE-SEP: -s <endpoint> -j KUBE-MARK-MASQ), so the reply comes back through the node', command: sh`iptables-save -t nat | grep ${operands(choice.endpoint.address)}` },
      ]);
      branchHops.push(observeSnat(snat, sender.host, after, 'kube-proxy', masq.readName));
      after = snatted;
    }
    const target = targetForAddress(ctx, choice.ip, endpointPod);
    // kube-proxy's DNAT runs in the bridge's own netfilter hook (br_netfilter, which bridge CNIs
    // need: bridge-nf-call-iptables=1): a frame DNATed to a pod on the sender's bridge is switched
    // to that pod's port there and never routed through the node. IPVS DNATs in the IP stack.
    const isSwitched = after === choice.dnat.packet && isBridgeDnat(ctx, sender, after.dst) && senderPod !== null && !senderPod.isHostNetwork && endpointPod !== null && endpointPod.host === senderPod.host;
    const delivered = deliver(ctx, { host: sender.host, packet: after, bridgedFrom: isSwitched ? senderPod : null, isViaService: true }, senderPod, target, onArrive);
    return endpointFork(choice, endpointPod, branchHops, delivered);
  });
  return { hops, forks };
}

/** A headless Service: DNS hands out the pods' addresses and the client connects to one. */
function headlessFromInside(ctx: Ctx, sender: Exclude<Sender, { kind: 'external' }>, service: ServiceRecord, port: number | undefined, prefix: Hop[]): Outcome {
  const svcPort = servicePortFor(service, port, ctx.isProtocolGiven ? ctx.protocol : undefined, 'cluster-ip') ?? (port === undefined ? null : { name: null, port, protocol: ctx.protocol, targetPort: port, nodePort: null });
  const all = Object.values(ctx.topology.endpoints).filter((e) => e.service === service.id);
  // DNS answers the query of the trace's family (A or AAAA) with the endpoints of that family.
  const endpoints = all.filter((e) => e.isReady && familyOf(e.address) === ctx.family).sort((a, b) => (a.address < b.address ? -1 : 1));
  const hops = [...prefix];
  if (endpoints.length === 0 && all.some((e) => e.isReady)) {
    return end(hops, 'no-endpoints', `${serviceLabel(service)} is headless and none of its ready endpoints is IPv${ctx.family}: its name has no ${ctx.family === 6 ? 'AAAA' : 'A'} record to connect to.`);
  }
  if (endpoints.length === 0) {
    const why = whyNoEndpoint(ctx, service, null, all, null, 'Cluster', null, 'internalTrafficPolicy');
    return end(hops, 'no-endpoints', `${serviceLabel(service)} is headless and has no ready endpoint (${why.text}): its name has no address to connect to.`);
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

/** A Service, once its address is known, by what kind of Service it is. */
export function serviceByKind(ctx: Ctx, sender: Exclude<Sender, { kind: 'external' }>, service: ServiceRecord, port: number | undefined, vip: string | null, prefix: Hop[], via: Extract<Endpoint, { kind: 'service' }>['via']): Outcome {
  const senderPod = senderPodOf(sender);
  if (service.type === 'ExternalName') {
    const name = service.externalName ?? '?';
    const packet = withPort({ src: senderIP(sender), dst: internetClient, protocol: ctx.protocol }, port ?? service.ports[0]?.port ?? 443);
    const left = depart(ctx, sender, packet);
    const note = hop('service', `${serviceLabel(service)} is type ExternalName: DNS answers CNAME ${name}, and the client connects to whatever that resolves to (no ClusterIP, no kube-proxy)`, packet, [service.id], sender.host.id, [
      { text: `spec.externalName ${name}`, object: service.id, field: 'spec.externalName', command: serviceCommand(service) },
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
