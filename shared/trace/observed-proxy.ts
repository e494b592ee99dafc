/**
 * kube-proxy's rules as a node probe read them (issue 13), for the Service hops of a trace: the
 * Service port's frontends, the dispatch chain and its endpoints with their real chances, each
 * rule with its packet counter. Where a node has such a reading, a trace follows it rather than
 * the EndpointSlices, and says where the two disagree (the doctor lists those as problems).
 */
import type { Dispatch, Frontend, KubeProxyRules, ObservedEndpoint, ObservedServicePort } from '../datapath/types.ts';
import type { Host, ServicePortRecord, ServiceRecord } from '../model/types.ts';
import type { ObservedRule } from './types.ts';

export interface ObservedServiceRules {
  rules: KubeProxyRules;
  /** The Service port's rules; null when the node's rules do not have it at all. */
  port: ObservedServicePort | null;
  /** The dispatch chain traffic of this entry and traffic policy goes through, when there is one. */
  dispatch: Dispatch | null;
  /** The rules in KUBE-SERVICES / KUBE-NODEPORTS (or the nftables maps) that lead to it. */
  frontends: Frontend[];
  node: string;
  readAt: string;
}

/** The kube-proxy rules read on `node` for a packet's family, in the first mode found. */
export function observedKubeProxy(node: Host, family: 4 | 6): KubeProxyRules | null {
  const wanted = family === 6 ? 'inet6' : 'inet';
  return node.observed?.kubeProxy.find((r) => r.family === wanted && r.services.length > 0) ?? null;
}

/** kube-proxy's ServicePortName: `ns/name`, with `:port` for a named port. */
export function servicePortName(service: ServiceRecord, port: ServicePortRecord): string {
  return `${service.namespace}/${service.name}${port.name ? `:${port.name}` : ''}`;
}

const frontendKinds: Record<'cluster-ip' | 'node-port' | 'load-balancer' | 'external-ip', Frontend['kind'][]> = {
  'cluster-ip': ['cluster-ip', 'virtual-service'],
  'node-port': ['node-port', 'virtual-service'],
  'load-balancer': ['load-balancer', 'external', 'virtual-service'],
  'external-ip': ['external-ip', 'external', 'virtual-service'],
};

/**
 * The rules `node`'s kube-proxy has for this Service port, reached at `address` through `entry`;
 * null when the node has no kube-proxy reading for the family. IPVS rules name no Service: they
 * are joined by the virtual server's address and port.
 */
export function observedServiceRules(
  node: Host,
  service: ServiceRecord,
  port: ServicePortRecord,
  address: string,
  entry: keyof typeof frontendKinds,
  policy: 'Cluster' | 'Local',
): ObservedServiceRules | null {
  const rules = observedKubeProxy(node, address.includes(':') ? 6 : 4);
  const observation = node.observed;
  if (!rules || !observation) return null;
  const number = entry === 'node-port' ? port.nodePort : port.port;
  const isFrontend = (f: Frontend) => frontendKinds[entry].includes(f.kind) && (f.port === null || f.port === number) && (f.kind === 'node-port' || f.ip === null || f.ip === address);
  const name = servicePortName(service, port);
  const sameProtocol = (p: ObservedServicePort) => p.protocol === null || p.protocol.toLowerCase() === port.protocol.toLowerCase();
  const found =
    rules.mode === 'ipvs'
      ? (rules.services.find((p) => p.frontends.some(isFrontend)) ?? null)
      : (rules.services.find((p) => p.servicePortName === name && sameProtocol(p)) ?? null);
  const scope = policy === 'Local' ? 'local' : 'cluster';
  const dispatch = found ? (found.dispatches.find((d) => d.scope === scope) ?? (rules.mode === 'ipvs' ? (found.dispatches[0] ?? null) : null)) : null;
  return { rules, port: found, dispatch, frontends: found?.frontends.filter(isFrontend) ?? [], node: node.name, readAt: observation.readAt };
}

const packetsText = (packets: number | null) => (packets === null ? '' : ` [${packets} packet${packets === 1 ? '' : 's'} when read]`);

/** `nat KUBE-SERVICES line 31: 10.96.0.10:80/tcp -j KUBE-SVC-…`: a frontend rule in the words it was read in. */
export function frontendRule(seen: ObservedServiceRules, frontend: Frontend): ObservedRule {
  const where = frontend.kind === 'node-port' ? `node port ${frontend.port ?? '?'}${frontend.ip ? ` on ${frontend.ip}` : ''}` : `${frontend.ip ?? '*'}:${frontend.port ?? '?'}`;
  const verb = seen.rules.mode === 'iptables' ? '-j' : seen.rules.mode === 'nftables' ? 'goto' : '→';
  const text = `${frontend.evidence}: ${where}/${frontend.protocol} ${verb} ${frontend.chain ?? 'its real servers'}`;
  const chain = seen.rules.mode === 'iptables' ? (frontend.evidence.split(' ')[1] ?? null) : null;
  return { node: seen.node, readAt: seen.readAt, chain, target: frontend.chain, text, packets: frontend.counters?.packets ?? null };
}

/** The dispatch rule that picks `endpoint`: the jump from KUBE-SVC, the numgen map's element, the real server. */
export function dispatchRule(seen: ObservedServiceRules, dispatch: Dispatch, endpoint: ObservedEndpoint, index: number): ObservedRule {
  const count = dispatch.endpoints.length;
  let text: string;
  switch (seen.rules.mode) {
    case 'iptables':
      text =
        endpoint.how === 'last rule'
          ? `${dispatch.chain ?? '?'} rule ${index + 1} of ${count}: -j ${endpoint.chain ?? '?'} (no condition: takes what the earlier rules left)`
          : `${dispatch.chain ?? '?'} rule ${index + 1} of ${count}: -m statistic --mode random ${endpoint.how} -j ${endpoint.chain ?? '?'}`;
      break;
    case 'nftables':
      text = endpoint.chain
        ? `${dispatch.chain ?? '?'}: ${endpoint.how} vmap { …, ${index} : goto ${endpoint.chain}, … }`
        : `${dispatch.chain ?? '?'}: dnat ip addr . port to ${endpoint.how} map { …, ${index} : ${endpoint.ip ?? '?'} . ${endpoint.port ?? '?'}, … }`;
      break;
    case 'ipvs':
      text = `virtual server → real server ${endpoint.target ?? '?'} (${endpoint.how})`;
      break;
  }
  // Without an endpoint chain the dispatch rule is the DNAT itself, and its counter is the DNAT's.
  const packets = endpoint.counters?.packets ?? (endpoint.chain === null ? (endpoint.dnatCounters?.packets ?? null) : null);
  return { node: seen.node, readAt: seen.readAt, chain: dispatch.chain, target: endpoint.chain ?? (seen.rules.mode === 'nftables' ? 'dnat' : null), text, packets };
}

/** The endpoint chain's DNAT, where there is one. */
export function dnatRule(seen: ObservedServiceRules, endpoint: ObservedEndpoint, protocol: string): ObservedRule | null {
  if (endpoint.chain === null) return null;
  const text =
    seen.rules.mode === 'iptables'
      ? `${endpoint.chain}: -p ${protocol.toLowerCase()} -j DNAT --to-destination ${endpoint.target ?? '?'}`
      : `${endpoint.chain}: meta l4proto ${protocol.toLowerCase()} dnat to ${endpoint.target ?? '?'}`;
  return { node: seen.node, readAt: seen.readAt, chain: endpoint.chain, target: seen.rules.mode === 'iptables' ? 'DNAT' : 'dnat', text, packets: endpoint.dnatCounters?.packets ?? null };
}

/** A rule with its counter, for a hop's evidence. */
export function ruleText(rule: ObservedRule): string {
  return `${rule.text}${packetsText(rule.packets)}`;
}

/** `1 in 2 new connections (50%)`, from the chance the rules give. */
export function shareText(probability: number | null): string {
  if (probability === null) return 'a share that depends on load';
  if (probability >= 0.9995) return 'every new connection';
  const n = Math.round(1 / probability);
  const percent = `${(probability * 100).toFixed(probability * 100 < 10 ? 1 : 0)}%`;
  return Math.abs(1 / n - probability) < 0.0005 ? `1 in ${n} new connections (${percent})` : `${percent} of new connections`;
}
