/**
 * A Service resolved by the rules read off the node (issue 13) instead of the EndpointSlices: the
 * Service hop names the frontend rules as read, the endpoint hop the dispatch chain's endpoints
 * with their real chances (and where they differ from what the EndpointSlices predict), and each
 * choice the dispatch rule and DNAT it goes through, with their packet counters.
 */
import type { ProxyMode } from '../model/cluster.ts';
import type { EndpointRecord, Host, Id, PodRecord, ServicePortRecord, ServiceRecord } from '../model/types.ts';
import { operands, sh } from '../text/shell.ts';
import { ids } from '../topology/ids.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { dispatchRule, dnatRule, frontendRule, ruleText, servicePortName, shareText, type ObservedServiceRules } from './observed-proxy.ts';
import { hop, isV6, serviceLabel, type PathContext } from './path/hop.ts';
import type { EndpointChoice, NoEndpointWhy, ServiceEntry, ServiceResolution } from './proxy.ts';
import type { Evidence, Hop, Packet } from './types.ts';

function readText(seen: ObservedServiceRules): string {
  return `kube-proxy's ${seen.rules.mode} rules read on node ${seen.node} at ${seen.readAt}`;
}

function rulesCommand(seen: ObservedServiceRules, chain: string | null, packet: Packet): string {
  switch (seen.rules.mode) {
    case 'iptables':
      return sh`iptables-save -c -t nat | grep ${operands(chain ?? 'KUBE-SERVICES')}`;
    case 'nftables':
      return sh`nft list chain ${isV6(packet.dst) ? 'ip6' : 'ip'} kube-proxy ${chain ?? 'services'}`;
    case 'ipvs':
      return sh`ipvsadm -Ln --stats -t ${joinHostPort(packet.dst, packet.dstPort ?? 0)}`;
  }
}

/**
 * The Service hop on a node whose kube-proxy rules were read: observed when the rules have the
 * Service port (their frontend rules, with counters, are the hop's `rules`); inferred, saying so,
 * when they lack it.
 */
export function observedServiceHop(
  seen: ObservedServiceRules,
  predicted: { label: string; evidence: Evidence[]; ids: (Id | null)[] },
  service: ServiceRecord,
  port: ServicePortRecord,
  entry: ServiceEntry,
  node: Host,
  packet: Packet,
  detected: ProxyMode,
): Hop {
  const name = servicePortName(service, port);
  if (!seen.port) {
    const evidence: Evidence[] = [...predicted.evidence, { text: `${readText(seen)} have no rule for ${name}: traffic to it is not proxied there (the doctor lists this); the hops below follow the EndpointSlices`, object: node.id, field: 'observed.kubeProxy', command: rulesCommand(seen, null, packet) }];
    return hop('service', `${predicted.label} (not in the rules read on ${node.name})`, packet, predicted.ids, node.id, evidence);
  }
  const rules = seen.frontends.map((f) => frontendRule(seen, f));
  const first = seen.rules.mode === 'iptables' ? (entry === 'node-port' ? 'KUBE-NODEPORTS' : 'KUBE-SERVICES') : seen.rules.mode === 'nftables' ? (entry === 'node-port' ? 'nodeport-ips → service-nodeports' : 'services') : null;
  const path = [...new Set([first, ...seen.frontends.map((f) => f.chain), seen.dispatch?.chain ?? null].filter((c): c is string => c !== null))];
  const address = entry === 'node-port' ? `${packet.dst}:${port.nodePort ?? '?'}` : joinHostPort(packet.dst, port.port);
  const label = `${serviceLabel(service)} ${address}/${port.protocol} (targetPort ${port.targetPort}): kube-proxy (${seen.rules.mode}) on ${node.name}, as read: ${path.join(' → ') || 'no frontend rule'}`;
  const evidence: Evidence[] = [predicted.evidence[0] ?? { text: name, object: service.id }];
  evidence.push({ text: `${readText(seen)}: ${name}`, object: node.id, field: 'observed.kubeProxy', command: rulesCommand(seen, seen.dispatch?.chain ?? null, packet) });
  for (const rule of rules) evidence.push({ text: ruleText(rule) });
  if (detected !== seen.rules.mode && detected !== 'unknown') evidence.push({ text: `the cluster's detected proxy mode is ${detected}, but node ${node.name} has ${seen.rules.mode} rules: the rules read decide` });
  return { ...hop('service', label, packet, predicted.ids, node.id, evidence, 'observed'), rules };
}

interface Inputs {
  seen: ObservedServiceRules;
  seenPort: NonNullable<ObservedServiceRules['port']>;
  service: ServiceRecord;
  port: ServicePortRecord;
  node: Host;
  packet: Packet;
  all: EndpointRecord[];
  /** What the EndpointSlices predict kube-proxy uses, and why none, when none. */
  usable: EndpointRecord[];
  why: NoEndpointWhy | null;
  epEvidence: Evidence[];
  /** The hops so far (the Service hop): the endpoint hop is appended. */
  hops: Hop[];
  isExternal: boolean;
  policy: 'Cluster' | 'Local';
  entry: ServiceEntry;
}

const targetOf = (e: EndpointRecord, port: ServicePortRecord): string | null => {
  const match = e.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
  const number = match?.port ?? (typeof port.targetPort === 'number' && e.ports.length === 0 ? port.targetPort : null);
  return number === null ? null : joinHostPort(e.address, number);
};

/** The endpoint record an observed endpoint stands for: the EndpointSlices' own, or one made for
 * an address the rules have and the slices do not (its pod found by IP, where one has it). */
function endpointFor(ctx: PathContext, service: ServiceRecord, port: ServicePortRecord, all: EndpointRecord[], ip: string, targetPort: number | null): EndpointRecord {
  const listed = all.find((e) => e.address === ip && (targetPort === null || targetOf(e, port) === joinHostPort(ip, targetPort))) ?? all.find((e) => e.address === ip);
  if (listed) return listed;
  const pod: PodRecord | undefined = Object.values(ctx.topology.pods).find((p) => !p.isHostNetwork && p.ips.includes(ip));
  const nodeName = pod?.host ? (ctx.topology.hosts[pod.host]?.name ?? null) : null;
  return {
    id: ids.endpoint(service.namespace, service.name, ip),
    kind: 'endpoint',
    service: service.id,
    slice: '',
    address: ip,
    isReady: false,
    isServing: false,
    isTerminating: false,
    nodeName,
    zone: null,
    pod: pod?.id ?? null,
    ports: targetPort === null ? [] : [{ name: port.name, port: targetPort, protocol: port.protocol }],
  };
}

export function observedResolution(ctx: PathContext, input: Inputs): ServiceResolution {
  const { seen, seenPort, service, port, node, packet, all, usable, why, epEvidence, hops } = input;
  const observed = seen.dispatch?.endpoints ?? [];
  const predicted = usable.map((e) => targetOf(e, port)).filter((t): t is string => t !== null);
  const read = observed.map((e) => e.target).filter((t): t is string => t !== null);
  const lacks = predicted.filter((t) => !read.includes(t));
  const extra = read.filter((t) => !predicted.includes(t));
  const onNode = (target: string) => {
    const e = all.find((x) => targetOf(x, port) === target);
    return e?.nodeName ? ` on ${e.nodeName}` : '';
  };
  const differences: string[] = [];
  if (lacks.length > 0) differences.push(`the rules lack ${lacks.join(', ')}, which the EndpointSlices list as usable`);
  if (extra.length > 0) differences.push(`the rules have ${extra.join(', ')}, which the EndpointSlices do not list as usable`);
  const chain = seen.dispatch?.chain ?? null;
  const listed = observed.map((e) => `${e.target ?? '?'}${e.target ? onNode(e.target) : ''} (${shareText(e.probability)})`);
  const label =
    observed.length > 0
      ? `endpoints of ${serviceLabel(service)} in ${chain ?? 'the rules'} on ${node.name}: ${listed.join(', ')}${differences.length > 0 ? ` — differs from the EndpointSlices: ${differences.join('; ')}` : ''}`
      : `endpoints of ${serviceLabel(service)} in the rules on ${node.name}: none${differences.length > 0 ? ` — differs from the EndpointSlices: ${differences.join('; ')}` : ''}`;
  const evidence: Evidence[] = [...epEvidence, { text: `${readText(seen)}: ${observed.length} endpoint${observed.length === 1 ? '' : 's'} in ${chain ?? `its ${input.policy === 'Local' ? 'local' : 'cluster'} dispatch`}${seen.dispatch?.affinitySeconds ? `, ClientIP affinity ${seen.dispatch.affinitySeconds} s` : ''}`, object: node.id, field: 'observed.kubeProxy', command: rulesCommand(seen, chain, packet) }];
  for (const difference of differences) evidence.push({ text: `observed and predicted disagree: ${difference} (a problem the doctor lists; the rules decide where the packet goes)`, object: service.id });
  const endpointRecords = observed.map((e) => endpointFor(ctx, service, port, all, e.ip ?? '', e.port));
  hops.push(hop('endpoint', label, packet, [service.id, ...endpointRecords.map((e) => e.id)], node.id, evidence, 'observed'));

  if (observed.length === 0) {
    const refusal = seenPort.noEndpoints.find((n) => (n.reason === 'no-local-endpoints') === (input.policy === 'Local' && input.isExternal)) ?? seenPort.noEndpoints[0];
    const how = refusal ? `${refusal.action === 'REJECT' || refusal.action === 'reject' ? 'rejected' : 'dropped'} by kube-proxy's rule as read (${refusal.evidence}: ${refusal.reason === 'no-endpoints' ? 'has no endpoints' : 'has no local endpoints'} -j ${refusal.action})` : `no rule on node ${node.name} takes it further: the Service port has no ${input.policy === 'Local' ? 'local ' : ''}endpoints in the rules read`;
    const cause: NoEndpointWhy = why ?? {
      text: `kube-proxy's rules on node ${node.name} have no ${input.policy === 'Local' ? 'local ' : ''}endpoint for it, though the EndpointSlices list ${predicted.join(', ')}`,
      subject: service.id,
      field: 'spec.selector',
      fix: `the rules on node ${node.name} are stale: see whether kube-proxy there is running and syncing (its log says "Syncing iptables rules" or "Syncing nftables rules")`,
    };
    const what = `${how}, as ${cause.text}`;
    const failed = hop('kube-proxy-dnat', what, packet, [service.id, node.id], node.id, [{ text: cause.text, object: cause.subject, field: cause.field }, { text: `${readText(seen)}`, object: node.id, field: 'observed.kubeProxy', command: rulesCommand(seen, null, packet) }], 'observed');
    return { hops, choices: [], failure: { hop: failed, summary: what, why: cause } };
  }

  const dispatch = seen.dispatch!;
  const choices = observed.map((e, i): EndpointChoice => {
    const endpoint = endpointRecords[i]!;
    const targetPort = e.port ?? 0;
    const target = e.target ?? joinHostPort(endpoint.address, targetPort);
    const after: Packet = { ...packet, dst: e.ip ?? endpoint.address, dstPort: targetPort };
    const jump = dispatchRule(seen, dispatch, e, i);
    const dnat = dnatRule(seen, e, port.protocol);
    const rules = [jump, ...(dnat ? [dnat] : [])];
    const evidence: Evidence[] = rules.map((r) => ({ text: ruleText(r), object: endpoint.id, command: rulesCommand(seen, r.chain, packet) }));
    const pod = endpoint.pod ? ctx.topology.pods[endpoint.pod] : undefined;
    const isListed = all.includes(endpoint);
    evidence.push({
      text: isListed
        ? `endpoint ${endpoint.address}: ${endpoint.isReady ? 'ready' : endpoint.isTerminating ? 'terminating, still serving' : 'not ready'}${pod ? `, pod ${pod.namespace}/${pod.name}` : ''}${endpoint.nodeName ? ` on ${endpoint.nodeName}` : ''}`
        : `endpoint ${target} is in the rules but in no EndpointSlice of ${serviceLabel(service)}${pod ? ` (pod ${pod.namespace}/${pod.name} has the address)` : ''}`,
      object: endpoint.id,
      field: 'endpoints[].conditions',
    });
    const dnatLabel = dnat ? `${dnat.chain ?? '?'}: DNAT to ${target} (as read)` : `${dispatch.chain ?? '?'}: dnat to ${target} (as read${seen.rules.mode === 'nftables' ? `, its numgen map's element ${i}` : ''})`;
    const affinity = dispatch.affinitySeconds ? `sessionAffinity ClientIP: a returning client goes back to its endpoint for ${dispatch.affinitySeconds} s; a new client: ` : '';
    const counter = jump.packets === null ? '' : `; ${jump.packets} packet${jump.packets === 1 ? '' : 's'} had taken it when read`;
    return {
      endpoint,
      ip: after.dst,
      port: targetPort,
      selection: `observed on node ${node.name}: ${affinity}${jump.text}: ${shareText(e.probability)}${counter}`,
      dnat: { ...hop('kube-proxy-dnat', dnatLabel, after, [service.id, endpoint.id, node.id], node.id, evidence, 'observed'), rules },
    };
  });
  return { hops, choices, failure: null };
}
