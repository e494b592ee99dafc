/**
 * A Service reached from outside the cluster: through its LoadBalancer, a node's NodePort or an
 * external IP — which nodes take it, the SNAT of externalTrafficPolicy Cluster, the endpoints.
 */
import type { Host, ServiceRecord } from '../model/types.ts';
import { parseIPStrict } from '../net/ip.ts';
import { sh } from '../text/shell.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { serviceCommand } from './commands.ts';
import { deliver, targetForAddress } from './deliver.ts';
import { entryIn, familyOf, inFamily, nodeAddressIn, type Family } from './family.ts';
import { block, end, endpointFork, maxBranches, type Ctx, type Fork, type OnArrive, type Outcome } from './outcome.ts';
import { hop, hostOf, isV6, nodeAddress, serviceLabel } from './path/hop.ts';
import { internetHop } from './path/internet.ts';
import { masqueradeAddress } from './path/nodes.ts';
import { observeSnat } from './observed-snat.ts';
import { checkSourceRanges } from './lb-source-ranges.ts';
import { resolveService, servicePortFor, usableEndpoints, whyNoEndpoint, type ServiceEntry } from './proxy.ts';
import { noPortOutcome } from './service-inside.ts';
import type { Evidence, Hop, Packet } from './types.ts';

export function isExcludedFromLB(host: Host): boolean {
  return 'node.kubernetes.io/exclude-from-external-load-balancers' in host.labels;
}

/**
 * externalTrafficPolicy Local: kube-proxy on every node serves http://<node>:<healthCheckNodePort>/healthz
 * (pkg/proxy/healthcheck/service_health.go), answering 200 while the node has a local endpoint
 * for the Service and 503 while it has none; the load balancer's health check sends only to the
 * nodes that answer 200.
 */
function healthCheckEvidence(service: ServiceRecord, pool: Host[], healthy: Host[], family: Family): Evidence {
  const port = service.healthCheckNodePort;
  const failing = pool.filter((h) => !healthy.includes(h)).map((h) => h.name);
  const probe = healthy[0] ?? pool[0];
  // The load balancer checks in its own address's family.
  const address = probe ? nodeAddressIn(probe, family) : '<node>';
  return {
    text: `health check: kube-proxy answers ${port ? `http://<node>:${port}/healthz (spec.healthCheckNodePort ${port})` : 'the healthCheckNodePort (not in the model)'} with 200 on ${healthy.map((h) => h.name).join(', ') || 'no node'} (a local endpoint) and 503 on ${failing.join(', ') || 'no node'} (none), so the load balancer sends only to the first`,
    object: service.id,
    field: 'spec.healthCheckNodePort',
    ...(port ? { command: sh`curl -si ${`http://${address.includes(':') ? `[${address}]` : address}:${port}/healthz`}` } : {}),
  };
}

/** Up to four nodes stand for many: those with endpoints first, and one without. */
function representativeNodes(nodes: Host[], endpointNodes: Set<string>): { nodes: Host[]; isAll: boolean } {
  if (nodes.length <= 4) return { nodes, isAll: true };
  const withEndpoints = nodes.filter((n) => endpointNodes.has(n.name)).slice(0, 3);
  const without = nodes.find((n) => !endpointNodes.has(n.name));
  return { nodes: without ? [...withEndpoints, without] : withEndpoints, isAll: false };
}

type Entry = { kind: 'load-balancer' | 'external-ip'; address: string } | { kind: 'node-port'; host: Host; address: string };

/**
 * The entry with its address in the trace's family: a caller's first address (a Service's first
 * load balancer address, a node's first ExternalIP) of the other family is swapped for the one of
 * the trace's; a string says why there is none. An external IP is as written, so of its family.
 */
function entryInFamily(ctx: Ctx, service: ServiceRecord, how: Entry): Entry | string {
  const family = ctx.family;
  if (how.kind === 'external-ip' || !parseIPStrict(how.address) || familyOf(how.address) === family) return how;
  if (how.kind === 'node-port') {
    const address = inFamily(how.host.externalIPs, family) ?? inFamily(how.host.internalIPs, family);
    return address ? { ...how, address } : `node ${how.host.name} has no IPv${family} address (status.addresses: ${[...how.host.internalIPs, ...how.host.externalIPs].join(', ')}): its NodePort is reached in IPv${familyOf(how.address)} only`;
  }
  const address = entryIn(service.loadBalancerIngress, family);
  return address ? { ...how, address } : `${serviceLabel(service)}'s load balancer has no IPv${family} address (status.loadBalancer.ingress: ${service.loadBalancerIngress.join(', ')})`;
}

/** An IPv6 client at an IPv4-only entry (or the reverse): nothing to connect to, and what would give one. */
function noEntryOutcome(ctx: Ctx, clientIP: string, service: ServiceRecord, how: Entry, line: string): Outcome {
  const isLB = how.kind === 'load-balancer';
  const packet: Packet = { src: clientIP, dst: isLB ? serviceLabel(service) : `node ${how.kind === 'node-port' ? how.host.name : ''}`, protocol: ctx.protocol };
  const stop = hop(isLB ? 'load-balancer' : 'node-port', line, packet, how.kind === 'node-port' ? [service.id, how.host.id] : [service.id], how.kind === 'node-port' ? how.host.id : null, [
    isLB
      ? { text: `spec.ipFamilies ${service.ipFamilies?.join(', ') ?? '(unset)'}, spec.ipFamilyPolicy ${service.ipFamilyPolicy ?? 'SingleStack'}`, object: service.id, field: 'status.loadBalancer.ingress', command: serviceCommand(service) }
      : { text: `node ${how.kind === 'node-port' ? how.host.name : ''}'s addresses`, object: how.kind === 'node-port' ? how.host.id : service.id, field: 'status.addresses' },
  ]);
  const hasFamily = service.ipFamilies?.includes(`IPv${ctx.family}`) ?? false;
  const fix = !isLB
    ? null
    : hasFamily
      ? `${serviceLabel(service)} has IPv${ctx.family} in spec.ipFamilies, but its load balancer gave no IPv${ctx.family} address: check that the load balancer implementation assigns IPv${ctx.family} (kubectl describe its events)`
      : `set spec.ipFamilyPolicy: PreferDualStack (or RequireDualStack) on ${serviceLabel(service)}, on a load balancer implementation that assigns IPv${ctx.family} addresses`;
  block(ctx, stop, { kind: 'no-route', line, fix, subject: service.id, denial: null });
  return end([stop], 'no-route', `${line}: an IPv${ctx.family} client has nothing to connect to.`);
}

/**
 * A client outside the cluster reaching a Service: through its LoadBalancer, a node's NodePort
 * or an external IP. Which nodes take it, whether kube-proxy SNATs it to the node (source lost,
 * externalTrafficPolicy Cluster) or keeps the client's address (Local), and the endpoints.
 */
export function serviceFromOutside(
  ctx: Ctx,
  clientIP: string,
  service: ServiceRecord,
  port: number | undefined,
  asked: Entry,
  onArrive?: OnArrive,
  /** The packet is already on the node (a pod's traffic to a NodePort): no internet, no wire. */
  isArrived = false,
): Outcome {
  const how = entryInFamily(ctx, service, asked);
  if (typeof how === 'string') return noEntryOutcome(ctx, clientIP, service, asked, how);
  const entry: ServiceEntry = how.kind;
  const svcPort = servicePortFor(service, port, ctx.isProtocolGiven ? ctx.protocol : undefined, entry);
  const first: Packet = { src: clientIP, dst: how.address, dstPort: svcPort ? (entry === 'node-port' ? (svcPort.nodePort ?? svcPort.port) : svcPort.port) : port, protocol: svcPort?.protocol ?? ctx.protocol };
  const hops: Hop[] = isArrived ? [] : [internetHop(first, 'in', first.dstPort ? joinHostPort(how.address, first.dstPort) : how.address)];
  if (!svcPort) return noPortOutcome(hops, service, first, how.kind === 'node-port' ? how.host.id : null, entry);
  const ranges = how.kind === 'load-balancer' ? checkSourceRanges(ctx.proxyMode, service, svcPort, first) : null;
  if (ranges) {
    hops.push(ranges.hop);
    if (ranges.dropped) {
      block(ctx, ranges.hop, { kind: 'no-route', line: ranges.dropped.line, fix: ranges.dropped.fix, subject: service.id, denial: null });
      return end(hops, 'no-route', ranges.dropped.line);
    }
  }
  const policy = service.externalTrafficPolicy ?? 'Cluster';
  const all = Object.values(ctx.topology.endpoints).filter((e) => e.service === service.id);
  const ready = Object.values(ctx.topology.hosts).filter((h) => h.isReady);

  let nodes: Host[];
  if (how.kind === 'node-port') {
    nodes = [how.host];
  } else {
    const inPool = ready.filter((h) => how.kind === 'external-ip' || !isExcludedFromLB(h));
    const eligible = policy === 'Local' ? inPool.filter((h) => usableEndpoints(all, svcPort, ctx.family, 'Local', h).endpoints.length > 0) : inPool;
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
        command: serviceCommand(service),
      },
    ];
    if (policy === 'Local' && how.kind === 'load-balancer') evidence.push(healthCheckEvidence(service, inPool, eligible, ctx.family));
    if (!picked.isAll) evidence.push({ text: `showing ${nodes.length} of ${eligible.length} nodes: those with endpoints, and one without` });
    hops.push(
      hop(
        how.kind === 'load-balancer' ? 'load-balancer' : 'route',
        how.kind === 'load-balancer' ? `LoadBalancer ${joinHostPort(how.address, svcPort.port)} → ${which}` : `external IP ${how.address}: routed to a node by the network → ${which}`,
        first,
        [service.id, ...eligible.map((h) => h.id)],
        null,
        evidence,
      ),
    );
    if (nodes.length === 0) {
      const noneAnywhere = policy === 'Local' && !usableEndpoints(all, svcPort, ctx.family, 'Cluster', null).hasAnyUsable;
      const why = noneAnywhere ? `: ${whyNoEndpoint(ctx, service, svcPort, all, ctx.family, 'Cluster', null, 'externalTrafficPolicy').text}` : '';
      const line = `${serviceLabel(service)} has no node to send to: ${policy === 'Local' ? `no node has a ready local endpoint, so every health check fails${why}` : 'no node is ready'}.`;
      const last = hops.at(-1);
      if (last) block(ctx, last, { kind: 'no-endpoints', line, fix: policy === 'Local' && !noneAnywhere ? `set externalTrafficPolicy: Cluster on ${serviceLabel(service)}, or run its endpoints on nodes the load balancer can reach` : null, subject: service.id, denial: null });
      return end(hops, 'no-endpoints', line);
    }
  }

  const forks = nodes.map((host): Fork => {
    const viaNodePort = how.kind !== 'external-ip' && svcPort.nodePort !== null;
    const dst = how.kind === 'node-port' ? how.address : viaNodePort ? nodeAddressIn(host, ctx.family) : how.address;
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
      const { hop: failed, why } = resolution.failure;
      const summary = `via node ${host.name}: ${resolution.failure.summary}.`;
      block(ctx, failed, { kind: 'no-endpoints', line: summary, fix: why.fix, subject: why.subject, denial: null });
      return { label: `via ${host.name}`, selection: how.kind === 'node-port' ? 'the node the client addressed' : `the load balancer picks node ${host.name}`, endpoint: null, pod: null, node: host.id, outcome: end([...nodeHops, failed], 'no-endpoints', summary) };
    }
    const endpointForks = resolution.choices.slice(0, Math.ceil(maxBranches / nodes.length)).map((choice): Fork => {
      const endpointPod = choice.endpoint.pod ? (ctx.topology.pods[choice.endpoint.pod] ?? null) : null;
      const branchHops: Hop[] = [choice.dnat];
      let after = choice.dnat.packet;
      const isLocalEndpoint = choice.endpoint.nodeName === host.name;
      const snats = policy === 'Cluster' && !(ctx.proxyMode === 'ebpf' && isLocalEndpoint);
      if (snats) {
        const toward = endpointPod ? hostOf(ctx, endpointPod) : null;
        const masq = ctx.proxyMode === 'ebpf' ? { address: nodeAddress(host, after.dst), device: 'the node\'s address', readName: null } : masqueradeAddress(ctx, host, toward ?? host, after.dst);
        const snatted = { ...after, src: masq.address };
        const snat = hop('snat', `node ${host.name}: SNAT ${after.src} → ${masq.address} (${masq.device}): externalTrafficPolicy Cluster, the client's address is lost`, snatted, [host.id, service.id], host.id, [
            {
              text:
                ctx.proxyMode === 'ebpf'
                  ? 'Cilium\'s BPF NodePort SNATs to the node\'s address when the backend is on another node, so the reply comes back through this node'
                  : ctx.proxyMode === 'nftables'
                    ? 'kube-proxy marks external traffic for masquerade (its external chain sets mark 0x4000) and its masquerading chain masquerades it to the address of the device it leaves by'
                    : `kube-proxy marks external traffic for masquerade (${svcPort.kubeProxy?.external ?? 'KUBE-EXT'} -j KUBE-MARK-MASQ) and KUBE-POSTROUTING masquerades it to the address of the device it leaves by`,
              object: service.id,
              field: 'spec.externalTrafficPolicy',
              command:
                ctx.proxyMode === 'ebpf'
                  ? 'kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf nat list'
                  : ctx.proxyMode === 'nftables'
                    ? sh`nft list chain ${isV6(after.dst) ? 'ip6' : 'ip'} kube-proxy masquerading`
                    : 'iptables-save -t nat | grep -E "KUBE-MARK-MASQ|KUBE-POSTROUTING"',
            },
            { text: 'NetworkPolicy on the endpoint sees this address, not the client\'s: an ipBlock for the client does not match' },
          ]);
        // Cilium's BPF NodePort SNAT is in no nat rule.
        branchHops.push(ctx.proxyMode === 'ebpf' ? snat : observeSnat(snat, host, after, 'kube-proxy', masq.readName));
        after = snatted;
      } else if (policy === 'Local') {
        branchHops.push(
          hop('service', `externalTrafficPolicy Local: no SNAT, the endpoint sees the client's address ${after.src}`, after, [service.id, host.id], host.id, [
            { text: 'with Local, kube-proxy only uses this node\'s endpoints and does not masquerade, so the source address is preserved', object: service.id, field: 'spec.externalTrafficPolicy' },
          ]),
        );
      }
      const target = targetForAddress(ctx, choice.ip, endpointPod);
      const delivered = deliver(ctx, { host, packet: after, bridgedFrom: null, isViaService: true }, null, target, onArrive);
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
