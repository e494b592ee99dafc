/**
 * A Service's virtual address rewritten to one endpoint on the node that handles the packet
 * (design §1, problem 3): which endpoints kube-proxy (or Cilium's eBPF) can pick, and how it
 * picks among them, in each proxy mode's own terms — iptables chains and their probabilities,
 * IPVS virtual and real servers, nftables numgen maps, Cilium's service map.
 *
 * Which endpoints are usable follows kube-proxy's CategorizeEndpoints (pkg/proxy/topology.go):
 * ready ones, else serving-and-terminating ones, per traffic policy; `Local` keeps those on the
 * node. kube-proxy orders them by "IP:port" as strings, and so do the chains.
 */
import type { Detected, ProxyMode } from '../model/cluster.ts';
import type { EndpointRecord, Host, Id, ServicePortRecord, ServiceRecord } from '../model/types.ts';
import { operands, sh } from '../text/shell.ts';
import { joinHostPort, nftablesDnatLayout, nftablesEndpointChain, nftablesMapTarget, type NftablesDnatLayout } from '../topology/kube-proxy.ts';
import { ids } from '../topology/ids.ts';
import { describeCommand, endpointSlicesCommand, serviceCommand } from './commands.ts';
import { observedResolution, observedServiceHop } from './observed-resolution.ts';
import { observedServiceRules } from './observed-proxy.ts';
import { hop, isV6, serviceLabel, type PathContext } from './path/hop.ts';
import { affinityText, ipvsSelection } from './proxy-choice.ts';
import { isAvailableForTopology, topologyModeFromHints, type TopologyChoice } from './topology-hints.ts';
import type { Evidence, Hop, Packet } from './types.ts';

export interface EndpointChoice {
  endpoint: EndpointRecord;
  ip: string;
  port: number;
  /** How this one gets picked, in the proxy's own terms. */
  selection: string;
  /** The DNAT, with the packet after it. */
  dnat: Hop;
}

export interface ServiceResolution {
  /** The Service hop and the EndpointSlice lookup, before the fan-out. */
  hops: Hop[];
  choices: EndpointChoice[];
  /** When no endpoint can be picked: the reject or drop, and why. */
  failure: { hop: Hop; summary: string; why: NoEndpointWhy } | null;
}

/** Where the packet meets the Service: its ClusterIP from inside, or from outside through a
 * NodePort, a LoadBalancer address or an external IP. */
export type ServiceEntry = 'cluster-ip' | 'node-port' | 'load-balancer' | 'external-ip';

/** The Service port a query means: the one with that port number (and protocol), else — no port
 * given — the only or first one. */
export function servicePortFor(service: ServiceRecord, port: number | undefined, protocol: string | undefined, entry: ServiceEntry): ServicePortRecord | null {
  const byProtocol = service.ports.filter((p) => protocol === undefined || p.protocol === protocol);
  if (port === undefined) return byProtocol[0] ?? null;
  const number = (p: ServicePortRecord) => (entry === 'node-port' ? p.nodePort : p.port);
  return byProtocol.find((p) => number(p) === port) ?? null;
}

/** The endpoint's port for a Service port: the slice port of the same name and protocol. */
export function endpointPort(endpoint: EndpointRecord, port: ServicePortRecord): number | null {
  const match = endpoint.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
  if (match) return match.port;
  if (typeof port.targetPort === 'number' && endpoint.ports.length === 0) return port.targetPort;
  return null;
}

/**
 * The endpoints kube-proxy programs for traffic under `policy`, on `node`. With `hints` (the
 * Service and the Kubernetes version), a Cluster policy's endpoints are filtered by topology
 * hints as the kube-proxy on `node` filters them (topology-hints.ts).
 */
export function usableEndpoints(
  all: EndpointRecord[],
  port: ServicePortRecord,
  family: 4 | 6,
  policy: 'Cluster' | 'Local',
  node: Host | null,
  hints?: { service: ServiceRecord; version: string | null },
): { endpoints: EndpointRecord[]; isTerminatingFallback: boolean; hasAnyUsable: boolean; topology?: TopologyChoice } {
  const candidates = all.filter((e) => isV6(e.address) === (family === 6) && endpointPort(e, port) !== null);
  const ready = candidates.filter((e) => e.isReady);
  const terminating = candidates.filter((e) => e.isServing && e.isTerminating);
  const hasAnyUsable = ready.length > 0 || terminating.length > 0;
  const topology = hints && node && policy === 'Cluster' ? topologyModeFromHints(hints.service, candidates, node, hints.version) : undefined;
  const withTopology = topology?.why ? { topology } : {};
  const pick = (list: EndpointRecord[]) => (policy === 'Local' ? list.filter((e) => node !== null && e.nodeName === node.name) : topology && node ? list.filter((e) => isAvailableForTopology(e, topology.mode, node)) : list);
  const readyHere = pick(ready);
  if (readyHere.length > 0) return { endpoints: sortForProxy(readyHere, port), isTerminatingFallback: false, hasAnyUsable, ...withTopology };
  // The terminating fallback ignores hints: topologyModeFromHints already chose none without ready endpoints.
  return { endpoints: sortForProxy(policy === 'Local' ? pick(terminating) : terminating, port), isTerminatingFallback: true, hasAnyUsable, ...withTopology };
}

/** Why a Service has no endpoint to use for a port: in a few words, the object that says so (and
 * its field), and what to change. */
export interface NoEndpointWhy {
  text: string;
  subject: Id;
  field: string;
  fix: string;
}

function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * Why `usableEndpoints` found none, checked in the order kube-proxy filters: no endpoint at all
 * (the selector matches no pod, or a selector-less Service has no EndpointSlice of its own); none
 * of the packet's family; none with a port of the Service port's name and protocol (the
 * EndpointSlice controller leaves out a port a pod does not expose); none ready or serving; and
 * under a Local traffic policy, none on `node`. A null `port` or `family` is any (a headless
 * Service's name answers with its ready endpoints, whatever their ports).
 */
export function whyNoEndpoint(ctx: PathContext, service: ServiceRecord, port: ServicePortRecord | null, all: EndpointRecord[], family: 4 | 6 | null, policy: 'Cluster' | 'Local', node: Host | null, policyWord: string): NoEndpointWhy {
  const name = serviceLabel(service);
  if (all.length === 0) {
    const selector = service.selector && Object.keys(service.selector).length > 0 ? selectorText(service.selector) : null;
    return selector
      ? { text: `no EndpointSlice lists an endpoint for it: selector ${selector} matches no pod with an IP in ${service.namespace}`, subject: service.id, field: 'spec.selector', fix: `give the pods the labels ${selector}, or change ${name}'s selector` }
      : { text: `no EndpointSlice lists an endpoint for it: it has no selector, and none of its own (label kubernetes.io/service-name=${service.name}) lists one`, subject: service.id, field: 'spec.selector', fix: `create an EndpointSlice for ${name}, or give it a selector` };
  }
  const inFamily = family === null ? all : all.filter((e) => isV6(e.address) === (family === 6));
  if (inFamily.length === 0) return { text: `its ${all.length} endpoint${all.length === 1 ? ' is' : 's are'} IPv${family === 6 ? 4 : 6} and the packet is IPv${family}`, subject: service.id, field: 'spec.ipFamilies', fix: `add IPv${family} to ${name}'s ipFamilies` };
  const withPort = port === null ? inFamily : inFamily.filter((e) => endpointPort(e, port) !== null);
  if (port !== null && withPort.length === 0) {
    const listed = [...new Set(inFamily.flatMap((e) => e.ports.map((p) => `${p.name ? `"${p.name}" ` : ''}${p.port}/${p.protocol}`)))];
    const wanted = `${port.name ? `named "${port.name}" ` : 'without a name '}over ${port.protocol}`;
    const text =
      listed.length === 0 && typeof port.targetPort === 'string'
        ? `targetPort "${port.targetPort}" names no containerPort of its pods, so its EndpointSlices list no port for it`
        : `port-name or protocol mismatch: no endpoint has a port ${wanted} (its EndpointSlices list ${listed.join(', ') || 'no port'})`;
    const fix = typeof port.targetPort === 'string' ? `name a containerPort "${port.targetPort}" (${port.protocol}) in the pods, or set targetPort to its number` : `name the EndpointSlice port "${port.name ?? ''}" over ${port.protocol}, as ${name}'s port is`;
    return { text, subject: service.id, field: 'spec.ports', fix };
  }
  const usable = withPort.filter((e) => e.isReady || (e.isServing && e.isTerminating));
  if (usable.length === 0) {
    const pods = withPort.flatMap((e) => (e.pod ? [ctx.topology.pods[e.pod]] : [])).filter((p) => p !== undefined);
    const names = pods.slice(0, 3).map((p) => `${p.namespace}/${p.name}`);
    const first = pods[0];
    const count = withPort.length;
    return {
      text: `its ${count} endpoint${count === 1 ? ' is' : 's are'} not ready${names.length > 0 ? ` (${names.join(', ')}${pods.length > names.length ? ', …' : ''})` : ''}`,
      subject: first?.id ?? withPort[0]?.id ?? service.id,
      field: 'status.conditions',
      fix: first ? `find why ${first.namespace}/${first.name} is not ready: ${describeCommand('pod', first)}` : `find why ${name}'s endpoints are not ready`,
    };
  }
  const nodes = [...new Set(usable.flatMap((e) => (e.nodeName ? [e.nodeName] : [])))].sort();
  return {
    text: `${policyWord} Local and no usable endpoint on node ${node?.name ?? '?'}${nodes.length > 0 ? ` (its ready ones are on ${nodes.join(', ')})` : ''}`,
    subject: service.id,
    field: `spec.${policyWord}`,
    fix: `set ${policyWord}: Cluster on ${name}, or run a ready endpoint on ${node?.name ?? 'the node'}`,
  };
}

function sortForProxy(endpoints: EndpointRecord[], port: ServicePortRecord): EndpointRecord[] {
  const key = (e: EndpointRecord) => joinHostPort(e.address, endpointPort(e, port) ?? 0);
  return [...endpoints].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function chainOf(port: ServicePortRecord, endpoint: EndpointRecord): string | null {
  return port.kubeProxy?.endpoints.find((e) => e.endpoint === endpoint.id)?.chain ?? null;
}

/** The endpoint chain kube-proxy's nftables mode would DNAT in, whether or not the record lists
 * it (the record lists none for the layouts without endpoint chains). */
function nftablesChainOf(service: ServiceRecord, port: ServicePortRecord, endpoint: EndpointRecord, targetPort: number): string {
  return chainOf(port, endpoint) ?? nftablesEndpointChain(service.namespace, service.name, port.protocol, port.name, endpoint.address, targetPort);
}

/** What a layout means, with the version it was read from, for the Service hop's evidence. */
function nftablesLayoutText(layout: NftablesDnatLayout, version: string | null, chain: string): string {
  const seen = version ? `Kubernetes ${version}` : 'the Kubernetes version is unknown';
  switch (layout) {
    case 'endpoint-chains':
      return `${seen}: ${chain} picks an endpoint- chain with a numgen vmap, and that chain DNATs (kube-proxy before 1.36, and sessionAffinity ClientIP in every release)`;
    case 'dnat-map':
      return `${seen} (kube-proxy 1.36 and later): ${chain} DNATs itself through a numgen map; there are no endpoint- chains`;
    case 'dnat-direct':
      return `${seen} (kube-proxy 1.37 and later, kubernetes#140723): ${chain} DNATs its only endpoint with a plain dnat, no map`;
    case 'either':
      return `${seen}: kube-proxy 1.36 and later DNAT in ${chain} itself (a numgen map; one endpoint: a plain dnat from 1.37), earlier releases in one endpoint- chain per endpoint`;
  }
}

function proxyName(mode: ProxyMode): string {
  switch (mode) {
    case 'iptables':
      return 'kube-proxy (iptables)';
    case 'ipvs':
      return 'kube-proxy (IPVS)';
    case 'nftables':
      return 'kube-proxy (nftables)';
    case 'ebpf':
      return 'eBPF (kube-proxy replacement)';
    default:
      return 'the Service proxy (mode unknown)';
  }
}

/** The rule that picks endpoint `i` of `n`, per proxy mode. */
function selectionText(mode: ProxyMode, i: number, n: number, service: ServiceRecord, chain: string | null, serviceChain: string | null, isExternalNodeLocal: boolean, nft: { layout: NftablesDnatLayout; element: string; target: string; scheduler?: Detected<string> }): string {
  const share = n === 1 ? 'every new connection' : `1 in ${n} new connections`;
  let rule: string;
  switch (mode) {
    case 'iptables':
      if (n === 1) rule = `${serviceChain ?? 'KUBE-SVC'} jumps to ${chain ?? 'its KUBE-SEP chain'} unconditionally (the only endpoint)`;
      else if (i < n - 1) rule = `${serviceChain ?? 'KUBE-SVC'} rule ${i + 1} of ${n}: -m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)} -j ${chain ?? 'KUBE-SEP'}: ${share}`;
      else rule = `${serviceChain ?? 'KUBE-SVC'} rule ${n} of ${n}: no condition, takes what the earlier rules left -j ${chain ?? 'KUBE-SEP'}: ${share}`;
      break;
    case 'nftables': {
      const from = serviceChain ?? 'the service chain';
      const vmap = `numgen random mod ${n} vmap { ${i} : goto ${chain ?? 'endpoint-…'} }`;
      const map = `dnat ip addr . port to numgen random mod ${n} map { ${i} : ${nft.element} }`;
      const only = n === 1 ? ' (the only endpoint)' : `: ${share}`;
      if (nft.layout === 'endpoint-chains') rule = `${from}: ${vmap}${only}`;
      else if (nft.layout === 'dnat-map') rule = `${from}: ${map}${only}`;
      else if (nft.layout === 'dnat-direct') rule = `${from}: dnat to ${nft.target} (the only endpoint, no map: kubernetes#140723)`;
      else rule = `${from}, by kube-proxy's release (the Kubernetes version is unknown): ${map} from 1.36${n === 1 ? `, dnat to ${nft.target} from 1.37` : ''}; ${vmap} before 1.36${only}`;
      break;
    }
    case 'ipvs':
      rule = ipvsSelection(nft.scheduler, n);
      break;
    case 'ebpf':
      rule = n === 1 ? 'the only backend in Cilium\'s service map' : `Cilium's eBPF service map picks a backend per new connection (bpf-lb-algorithm random by default, maglev when set): ${share}`;
      break;
    default:
      rule = `picked by the node's Service proxy (its mode is unknown): ${share} if it balances evenly`;
  }
  if (isExternalNodeLocal) rule += '; externalTrafficPolicy Local: only this node\'s endpoints';
  if (service.sessionAffinity === 'ClientIP') rule = `${affinityText(mode, service, chain)}; a new client: ${rule}`;
  return rule;
}

function serviceHopText(mode: ProxyMode, service: ServiceRecord, port: ServicePortRecord, vip: string, entry: ServiceEntry, policy: 'Cluster' | 'Local', node: Host, nft: { layout: NftablesDnatLayout; version: string | null }): { label: string; evidence: Evidence[]; ids: (Id | null)[] } {
  const address = entry === 'node-port' ? (port.nodePort ? joinHostPort(vip, port.nodePort) : `${vip}:?`) : joinHostPort(vip, port.port);
  const target = `targetPort ${port.targetPort}`;
  const base = `${serviceLabel(service)} ${address}/${port.protocol} (${target})`;
  const kp = port.kubeProxy;
  const evidence: Evidence[] = [{ text: `${serviceLabel(service)} port ${port.name ?? port.port}: ${port.port}/${port.protocol} → ${target}${port.nodePort ? `, nodePort ${port.nodePort}` : ''}`, object: service.id, field: 'spec.ports', command: serviceCommand(service) }];
  const useLocal = policy === 'Local';
  const entryChain = entry === 'cluster-ip' ? null : (kp?.external ?? null);
  const chain = useLocal ? (kp?.local ?? kp?.service ?? null) : (kp?.service ?? null);
  const hopIds: (Id | null)[] = [service.id, node.id];
  switch (mode) {
    case 'iptables': {
      const first = entry === 'node-port' ? 'KUBE-NODEPORTS' : 'KUBE-SERVICES';
      const path = [first, entryChain, chain].filter((c) => c !== null).join(' → ');
      evidence.push({ text: `${path}${useLocal ? ` (${entry === 'cluster-ip' ? 'internal' : 'external'}TrafficPolicy Local: the KUBE-SVL chain holds only this node's endpoints)` : ''}`, command: sh`iptables-save -t nat | grep ${operands(chain ?? 'KUBE-SVC')}` });
      return { label: `${base}: kube-proxy on ${node.name} matches it, ${path}`, evidence, ids: hopIds };
    }
    case 'nftables': {
      evidence.push({ text: `table ip kube-proxy: ${entry === 'node-port' ? 'nodeport-ips/service-nodeports' : 'service-ips'} map → ${[entryChain, chain].filter((c) => c !== null).join(' → ')}`, command: sh`nft list chain ${isV6(vip) ? 'ip6' : 'ip'} kube-proxy ${chain ?? 'services'}` });
      if (chain) evidence.push({ text: nftablesLayoutText(nft.layout, nft.version, chain) });
      return { label: `${base}: kube-proxy (nftables) on ${node.name}, chain ${chain ?? '?'}`, evidence, ids: hopIds };
    }
    case 'ipvs': {
      const ipvs = node.devices.find((d) => d === ids.device(node.name, 'dummy')) ?? null;
      const flag = port.protocol === 'UDP' ? '-u' : port.protocol === 'SCTP' ? '--sctp-service' : '-t';
      evidence.push({
        text: `kube-proxy (IPVS) binds ${entry === 'node-port' ? 'no address for NodePorts: every node address gets a virtual server' : `${vip} to kube-ipvs0`} on every node and makes a virtual server for it`,
        object: ipvs ?? node.id,
        command: sh`ipvsadm -Ln ${flag} ${address}`,
      });
      hopIds.push(ipvs);
      return { label: `${base}: IPVS virtual server ${address} on ${node.name}${entry === 'cluster-ip' ? ' (kube-ipvs0)' : ''}`, evidence, ids: hopIds };
    }
    case 'ebpf': {
      evidence.push({ text: 'Cilium\'s kube-proxy replacement keeps Services in eBPF maps; there are no iptables rules for them', command: 'kubectl -n kube-system exec ds/cilium -- cilium-dbg service list' });
      const where = entry === 'cluster-ip' ? 'socket LB: connect() is rewritten inside the sender\'s netns, before a packet exists' : 'BPF NodePort on the node\'s device';
      return { label: `${base}: Cilium eBPF on ${node.name} (${where})`, evidence, ids: hopIds };
    }
    default:
      evidence.push({ text: 'kube-proxy\'s mode was not detected (see the cluster\'s proxy mode evidence): which rules do this is unknown' });
      return { label: `${base}: the Service proxy on ${node.name}`, evidence, ids: hopIds };
  }
}

/**
 * The node's Service proxy on `node`: the Service hop, the endpoints it can use, and one choice
 * per endpoint with its DNAT. `packet` is as it arrives (its dst the Service address).
 */
export function resolveService(
  ctx: PathContext & { proxyMode: ProxyMode },
  service: ServiceRecord,
  port: ServicePortRecord,
  node: Host,
  packet: Packet,
  entry: ServiceEntry,
): ServiceResolution {
  const isExternal = entry !== 'cluster-ip';
  const policy = isExternal ? (service.externalTrafficPolicy ?? 'Cluster') : service.internalTrafficPolicy;
  const vip = packet.dst;
  const family = isV6(vip) ? 6 : 4;
  // The rules read off the node, where a probe read them: they decide over the EndpointSlices.
  // (Cilium's eBPF takes Service traffic before any kube-proxy rule a node may also have.)
  const seen = ctx.proxyMode === 'ebpf' ? null : observedServiceRules(node, service, port, vip, entry, policy);
  const mode: ProxyMode = seen?.rules.mode ?? ctx.proxyMode;
  // By key, not Object.values, which sorts a collection this large (150k endpoints) back into
  // insertion order first (issue 14).
  const all: EndpointRecord[] = [];
  for (const id in ctx.topology.endpoints) if (ctx.topology.endpoints[id]!.service === service.id) all.push(ctx.topology.endpoints[id]!);
  const usable = usableEndpoints(all, port, family, policy, node, { service, version: ctx.topology.cluster.kubernetesVersion });
  const version = ctx.topology.cluster.kubernetesVersion;
  // Per chain: a Local policy's chain holds only this node's endpoints, and 1.37 drops the map for one.
  const layout = nftablesDnatLayout(version, service.sessionAffinity, usable.endpoints.length);
  const predictedHop = serviceHopText(mode, service, port, vip, entry, policy, node, { layout, version });
  const hops: Hop[] = [seen ? observedServiceHop(seen, predictedHop, service, port, entry, node, packet, ctx.proxyMode) : hop('service', predictedHop.label, packet, predictedHop.ids, node.id, predictedHop.evidence)];

  const ready = all.filter((e) => e.isReady).length;
  const listed = usable.endpoints.map((e) => `${joinHostPort(e.address, endpointPort(e, port) ?? 0)}${e.nodeName ? ` on ${e.nodeName}` : ''}`);
  const policyWord = isExternal ? 'externalTrafficPolicy' : 'internalTrafficPolicy';
  const why = usable.endpoints.length === 0 ? whyNoEndpoint(ctx, service, port, all, family, policy, node, policyWord) : null;
  const epEvidence: Evidence[] = [{ text: `${all.length} endpoint${all.length === 1 ? '' : 's'} in the EndpointSlices, ${ready} ready`, object: service.id, command: endpointSlicesCommand(service) }];
  if (policy === 'Local') epEvidence.push({ text: `${policyWord} Local: only endpoints on node ${node.name} are used`, object: service.id, field: `spec.${policyWord}` });
  if (why) epEvidence.push({ text: why.text, object: why.subject, field: why.field });
  if (usable.topology?.why) epEvidence.push({ text: `topology hints: ${usable.topology.why}`, object: service.id, ...(service.trafficDistribution ? { field: 'spec.trafficDistribution' } : {}), command: sh`kubectl get endpointslices -n ${service.namespace} -l ${`kubernetes.io/service-name=${service.name}`} -o jsonpath='{.items[*].endpoints[*].hints}'` });
  if (usable.isTerminatingFallback && usable.endpoints.length > 0) epEvidence.push({ text: 'no endpoint is ready: kube-proxy falls back to the serving endpoints that are terminating (ProxyTerminatingEndpoints)' });
  if (seen?.port) return observedResolution(ctx, { seen, seenPort: seen.port, service, port, node, packet, all, usable: usable.endpoints, why, epEvidence, hops, isExternal, policy, entry });
  hops.push(
    hop(
      'endpoint',
      usable.endpoints.length > 0 ? `endpoints of ${serviceLabel(service)}: ${listed.join(', ')}${usable.isTerminatingFallback ? ' (terminating, serving)' : ''}${topologyNote(usable.topology, node)}` : `endpoints of ${serviceLabel(service)}: none usable — ${why?.text ?? ''}`,
      packet,
      [service.id, ...usable.endpoints.map((e) => e.id)],
      node.id,
      epEvidence,
    ),
  );

  if (why) {
    const noneAnywhere = !usable.hasAnyUsable;
    const chain = port.kubeProxy?.service ?? null;
    const what = noneAnywhere
      ? mode === 'iptables'
        ? `rejected by kube-proxy: ${chain ?? 'the Service'} has no endpoints, as ${why.text} (filter table KUBE-SERVICES: "${service.namespace}/${service.name}${port.name ? `:${port.name}` : ''} has no endpoints" -j REJECT, an ICMP port unreachable)`
        : mode === 'nftables'
          ? `rejected by kube-proxy: ${service.namespace}/${service.name} is in the no-endpoint-services map (reject), as ${why.text}`
          : mode === 'ipvs'
            ? `the IPVS virtual server has no real servers, as ${why.text}: nothing answers for it (the address is local on kube-ipvs0, so TCP gets a reset)`
            : mode === 'ebpf'
              ? `Cilium has no backend for it, as ${why.text}: the packet is dropped or rejected (service-no-backend-response)`
              : `the Service has no usable endpoint, as ${why.text}: the connection fails`
      : `dropped: ${why.text}${mode === 'iptables' ? ` (kube-proxy: "has no local endpoints" -j DROP)` : ''}`;
    const noEndpointEvidence: Evidence[] = [{ text: why.text, object: why.subject, field: why.field, command: endpointSlicesCommand(service) }];
    if (mode === 'iptables' && noneAnywhere) noEndpointEvidence.push({ text: 'the reject rule', command: sh`iptables-save -t filter | grep ${operands(`${service.namespace}/${service.name}`)}` });
    return { hops, choices: [], failure: { hop: hop('kube-proxy-dnat', what, packet, [service.id, node.id], node.id, noEndpointEvidence), summary: what, why } };
  }

  const serviceChain = policy === 'Local' ? (port.kubeProxy?.local ?? port.kubeProxy?.service ?? null) : (port.kubeProxy?.service ?? null);
  const choices = usable.endpoints.map((endpoint, i): EndpointChoice => {
    const targetPort = endpointPort(endpoint, port) ?? 0;
    const after: Packet = { ...packet, dst: endpoint.address, dstPort: targetPort };
    const chain = mode === 'nftables' ? nftablesChainOf(service, port, endpoint, targetPort) : chainOf(port, endpoint);
    const target = joinHostPort(endpoint.address, targetPort);
    const element = nftablesMapTarget(endpoint.address, targetPort);
    const dnatEvidence: Evidence[] = [];
    let dnatLabel: string;
    switch (mode) {
      case 'iptables':
        dnatLabel = `${chain ?? 'KUBE-SEP'}: DNAT to ${target}`;
        dnatEvidence.push({ text: `${chain ?? 'the endpoint chain'} -p ${port.protocol.toLowerCase()} -j DNAT --to-destination ${target}`, object: endpoint.id, command: sh`iptables-save -t nat | grep ${operands(chain ?? 'KUBE-SEP')}` });
        break;
      case 'nftables': {
        const table = isV6(vip) ? 'ip6' : 'ip';
        const l4 = `meta l4proto ${port.protocol.toLowerCase()}`;
        const inEndpointChain = { text: `${chain}: ${l4} dnat to ${target}`, object: endpoint.id, command: sh`nft list chain ${table} kube-proxy ${chain ?? 'endpoint-…'}` };
        const dispatch = serviceChain ?? 'the service chain';
        const inMap = { text: `${dispatch}: ${l4} dnat ip addr . port to numgen random mod ${usable.endpoints.length} map { …, ${i} : ${element}, … }`, object: endpoint.id, command: sh`nft list chain ${table} kube-proxy ${serviceChain ?? 'services'} | grep -F ${operands(element)}` };
        const direct = { text: `${dispatch}: ${l4} dnat to ${target}`, object: endpoint.id, command: sh`nft list chain ${table} kube-proxy ${serviceChain ?? 'services'}` };
        if (layout === 'endpoint-chains') {
          dnatLabel = `${chain}: dnat to ${target}`;
          dnatEvidence.push(inEndpointChain);
        } else if (layout === 'dnat-map') {
          dnatLabel = `${dispatch}: dnat to ${target} (its numgen map, element ${i} : ${element})`;
          dnatEvidence.push(inMap);
        } else if (layout === 'dnat-direct') {
          dnatLabel = `${dispatch}: dnat to ${target}`;
          dnatEvidence.push(direct);
        } else {
          dnatLabel = `dnat to ${target}: in ${dispatch} from kube-proxy 1.36, in ${chain} before (the Kubernetes version is unknown)`;
          dnatEvidence.push({ ...inMap, text: `kube-proxy 1.36 and later: ${inMap.text}` }, { ...inEndpointChain, text: `before 1.36: ${inEndpointChain.text}` });
        }
        break;
      }
      case 'ipvs':
        dnatLabel = `IPVS: real server ${target} (masquerading forward: DNAT)`;
        dnatEvidence.push({ text: `real server ${target} of the virtual server, forwarding method Masq`, object: endpoint.id, command: sh`ipvsadm -Ln ${port.protocol === 'UDP' ? '-u' : '-t'} ${entry === 'node-port' ? `${vip}:${port.nodePort ?? ''}` : joinHostPort(vip, port.port)}` });
        break;
      case 'ebpf':
        dnatLabel = entry === 'cluster-ip' ? `Cilium socket LB: connect() to ${joinHostPort(vip, port.port)} rewritten to backend ${target}` : `Cilium BPF NodePort: DNAT to backend ${target}`;
        dnatEvidence.push({ text: `backend ${target} in Cilium's service map`, object: endpoint.id, command: 'kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf lb list' });
        break;
      default:
        dnatLabel = `DNAT to ${target}`;
        dnatEvidence.push({ text: `endpoint ${target} (the rule that rewrites it is not known)`, object: endpoint.id });
    }
    const describedPod = endpoint.pod ? ctx.topology.pods[endpoint.pod] : undefined;
    dnatEvidence.push({ text: `endpoint ${endpoint.address}: ${endpoint.isReady ? 'ready' : endpoint.isTerminating ? 'terminating, still serving' : 'not ready'}${describedPod ? `, pod ${describedPod.namespace}/${describedPod.name}` : ''}${endpoint.nodeName ? ` on ${endpoint.nodeName}` : ''}`, object: endpoint.id, field: 'endpoints[].conditions' });
    return {
      endpoint,
      ip: endpoint.address,
      port: targetPort,
      selection: selectionText(mode, i, usable.endpoints.length, service, chain, serviceChain, isExternal && policy === 'Local', { layout, element, target, ...(ctx.topology.cluster.ipvsScheduler ? { scheduler: ctx.topology.cluster.ipvsScheduler } : {}) }),
      dnat: hop('kube-proxy-dnat', dnatLabel, after, [service.id, endpoint.id, node.id], node.id, dnatEvidence),
    };
  });
  return { hops, choices, failure: null };
}

/** The endpoint hop's note on topology: which hints narrowed the endpoints, if any did. */
function topologyNote(topology: TopologyChoice | undefined, node: Host): string {
  if (topology?.mode === 'PreferSameNode') return ` (topology hints: those for node ${node.name})`;
  if (topology?.mode === 'PreferSameZone') return ` (topology hints: those for zone ${node.zone ?? '?'})`;
  return '';
}

export { proxyName };
