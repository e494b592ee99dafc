/**
 * The path to whatever the destination names, from a sender inside or outside the cluster: the
 * DNS lookup a name needs, then the way to a pod, a node, a Service, an Ingress or Gateway, or
 * out of the cluster.
 */
import type { ContainerRecord, PodRecord } from '../model/types.ts';
import { isTracedPastLookup, lookupBlockers } from './blockers.ts';
import { deliver, depart, senderIP, senderPodOf } from './deliver.ts';
import { dnsSummaryHop, lookupName, type DnsResult } from './dns.ts';
import { clusterDomain, type Endpoint } from './endpoints.ts';
import { familyOf, familyProbe, nodeAddressIn, podLacksFamily } from './family.ts';
import { gatewayFlow, ingressFlow } from './ingress.ts';
import { hostPortPath, publishedOn, unpublishedNote } from './host-port.ts';
import { block, deniedBefore, end, noPolicy, podLabel, withEgress, withPort, type Ctx, type EndVerdict, type Outcome, type Sender, type Target } from './outcome.ts';
import { hop, hostOf, nodeAddress, podAddress, serviceLabel } from './path/hop.ts';
import { internetClient, internetHop } from './path/internet.ts';
import { localDeliveryHop, masqueradeAddress } from './path/nodes.ts';
import { containerFor, containerHop, loHop } from './path/pod.ts';
import { servicePortFor } from './proxy.ts';
import { serviceByKind } from './service-inside.ts';
import { isExcludedFromLB, serviceFromOutside } from './service-outside.ts';
import type { Hop, Packet, PolicySummary } from './types.ts';

function firstDeclaredPort(ctx: Ctx, pod: PodRecord, container: ContainerRecord | null): number | undefined {
  const containers = container ? [container] : pod.containers.map((id) => ctx.topology.containers[id]).filter((c): c is ContainerRecord => c !== undefined && c.role !== 'init');
  return containers.flatMap((c) => c.ports.filter((p) => p.protocol === ctx.protocol))[0]?.port;
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
export function route(ctx: Ctx, sender: Sender, to: Endpoint, port: number | undefined): { outcome: Outcome; dns?: DnsResult } {
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
      const lacking = podLacksFamily(to.pod, ctx.family, 'destination');
      if (lacking) return { outcome: end([], 'no-route', `${lacking}: nothing to reach it at in IPv${ctx.family}.`) };
      // The pod's address in the trace's family (dual stack).
      const dst = podAddress(to.pod, familyProbe(ctx.family));
      const dstPort = port ?? firstDeclaredPort(ctx, to.pod, to.container);
      if (sender.kind === 'external') {
        const packet = withPort({ src: sender.ip, dst, protocol: ctx.protocol }, dstPort);
        const why = ctx.cni.peerRouting === 'fabric' ? 'pod IPs are addresses of the cloud network: routable inside it, not from the internet' : 'pod IPs are private to the cluster: nothing outside routes to them';
        return { outcome: end([internetHop(packet, 'in')], 'no-route', `${podLabel(to.pod)} (${packet.dst}) is not reachable from outside the cluster: ${why}. Use a Service of type LoadBalancer or NodePort, or an Ingress.`) };
      }
      // A node (or hostNetwork pod) sends from the address of the device its route leaves by.
      const inHostNetns = sender.kind === 'node' || sender.pod.isHostNetwork;
      const source = inHostNetns && !to.pod.isHostNetwork ? masqueradeAddress(ctx, sender.host, host, dst) : null;
      const packet = withPort({ src: source?.address ?? senderIP(sender, dst), dst, protocol: ctx.protocol }, dstPort);
      const left = depart(ctx, sender, packet);
      const delivered = left.at ? deliver(ctx, left.at, senderPod, { kind: 'pod', pod: to.pod, container: to.container, host }) : end([], 'no-route', 'no source');
      const fromDevice = source && source.address !== nodeAddress(sender.host) ? ` The node sends from ${source.address}, ${source.device}'s address: the kernel's source for that route.` : '';
      const notReady = (!to.pod.isReady ? ` Note: ${podLabel(to.pod)} is not Ready — a direct connection still reaches it, but Services leave it out.` : '') + fromDevice;
      return { outcome: { ...delivered, hops: [...left.hops, ...delivered.hops], ...(delivered.end ? { end: { ...delivered.end, summary: delivered.end.summary + notReady } } : {}) } };
    }
    case 'node': {
      const host = to.host;
      // A node named is reached at its InternalIP of the trace's family; an address written, at that address.
      const address = to.ip && familyOf(to.ip) === ctx.family ? to.ip : nodeAddressIn(host, ctx.family) || to.ip || nodeAddress(host);
      const nodePortService = port !== undefined ? Object.values(ctx.topology.services).find((s) => s.ports.some((p) => p.nodePort === port && (!ctx.isProtocolGiven || p.protocol === ctx.protocol))) : undefined;
      if (nodePortService && port !== undefined) {
        if (sender.kind === 'external') return { outcome: serviceFromOutside(ctx, sender.ip, nodePortService, port, { kind: 'node-port', host, address }) };
        // From inside: to the node first (masqueraded where the CNI does that), then its kube-proxy.
        const packet: Packet = { src: senderIP(sender, address), dst: address, dstPort: port, protocol: ctx.protocol };
        const left = depart(ctx, sender, packet);
        if (!left.at) return { outcome: end(left.hops, 'no-route', 'no source') };
        const toNode = deliver(ctx, left.at, senderPod, { kind: 'node', host, what: `NodePort ${port} of ${serviceLabel(nodePortService)}` });
        const reached = toNode.hops.at(-1)?.packet ?? packet;
        // A denied egress does not end it: the node's kube-proxy and the endpoint's ingress are traced on.
        const egress = toNode.end?.policy.egress ?? null;
        const isEgressDenied = toNode.end?.verdict === 'policy-denied' && egress?.verdict === 'denied';
        if (toNode.end?.verdict !== 'delivered' && !isEgressDenied) return { outcome: { ...toNode, hops: [...left.hops, ...toNode.hops] } };
        const atNode = serviceFromOutside(ctx, reached.src, nodePortService, port, { kind: 'node-port', host, address }, undefined, true);
        const onward: Outcome = { ...atNode, hops: [...left.hops, ...toNode.hops.slice(0, -1), ...atNode.hops] };
        return { outcome: isEgressDenied && egress ? deniedBefore(onward, egress) : withEgress(onward, egress) };
      }
      const published = port !== undefined ? publishedOn(ctx, host, address, port) : null;
      if (published) return { outcome: hostPortPath(ctx, sender, host, address, published) };
      const listener =
        port !== undefined
          ? Object.values(ctx.topology.pods).find((p) => p.isHostNetwork && p.host === host.id && p.containers.some((id) => ctx.topology.containers[id]?.ports.some((cp) => cp.port === port && cp.protocol === ctx.protocol)))
          : undefined;
      // The same port published elsewhere (another node, hostIP, protocol or family) is said, since it is likely what was meant.
      const unpublished = port !== undefined && !listener ? unpublishedNote(ctx, host, address, port) : '';
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
        hops.push(localDeliveryHop(ctx, host, packet, `${address} is the node's own address`));
        return { outcome: end(hops, 'delivered', `Delivered to node ${host.name}'s root netns (${address}${port ? `:${port}` : ''}), if the node's own firewall lets it in.${unpublished}`) };
      }
      const delivered = deliver(ctx, left.at, senderPod, target);
      return { outcome: { ...delivered, hops: [...left.hops, ...delivered.hops], ...(delivered.end && !listener ? { end: { ...delivered.end, summary: delivered.end.summary + unpublished } } : {}) } };
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
        noteLookup(ctx, dns, senderPod);
        if (dns.isFailed && !isTracedPastLookup(dns)) return { outcome: dnsFailure(dns, prefix), dns };
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
      noteLookup(ctx, dns, senderPod);
      if (dns.isFailed && !isTracedPastLookup(dns)) return { outcome: dnsFailure(dns, prefix), dns };
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

/** Notes what blocks the lookup at its last hop, where it is decided. A failed lookup that still
 * says where the connection would go is traced on from there, as if DNS had answered, so what
 * would block the connection next is found too. */
function noteLookup(ctx: Ctx, dns: DnsResult, pod: PodRecord | null): void {
  const last = dns.lookup.hops.at(-1);
  if (last) for (const blocker of lookupBlockers(dns, pod)) block(ctx, last, blocker);
}

function dnsFailure(dns: DnsResult, prefix: Hop[]): Outcome {
  const status = dns.lookup.status;
  const verdict: EndVerdict = status === 'policy-denied' ? 'policy-denied' : status === 'no-endpoints' ? 'no-endpoints' : 'no-route';
  const deciding = dns.lookup.policy.find((c) => !c.isAllowed);
  const policy: PolicySummary = deciding ? { egress: deciding.egress, ingress: deciding.ingress } : noPolicy;
  return end([...prefix], verdict, `DNS: ${dns.lookup.summary}`, policy);
}
