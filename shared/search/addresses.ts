/**
 * The address forms of a search: an IP finds every element that owns it (or says where an
 * address nothing owns falls), a CIDR every element with an address in it, and a partly typed
 * address the addresses that start with it.
 */
import ipaddr from 'ipaddr.js';
import type { Topology } from '../model/types.ts';
import { parseCIDR } from '../net/ip.ts';
import { gatewayResult, ingressResult, nodeResult, podResult, serviceResult, type Ranked, type SearchOptions, type SearchResult } from './results.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Every address an element owns, with the words that say what the address is to it. */
interface Owned {
  address: string;
  /** Lower is a better answer to "what is this?": a pod before the hostNetwork pods sharing a node's IP. */
  score: number;
  reason: string;
  result: (reason: string) => SearchResult;
}

function* ownedAddresses(topology: Topology): Generator<Owned> {
  for (const pod of Object.values(topology.pods)) {
    for (const ip of pod.ips) {
      yield pod.isHostNetwork
        ? { address: ip, score: 3, reason: 'pod IP (hostNetwork: the node’s own address)', result: (r) => podResult(pod, topology, r) }
        : { address: ip, score: 0, reason: 'pod IP', result: (r) => podResult(pod, topology, r) };
    }
  }
  for (const service of Object.values(topology.services)) {
    const name = `svc ${service.namespace}/${service.name}`;
    for (const ip of service.clusterIPs) yield { address: ip, score: 0, reason: `ClusterIP of ${name}`, result: (r) => serviceResult(service, r) };
    for (const ip of service.externalIPs) yield { address: ip, score: 0, reason: `external IP of ${name}`, result: (r) => serviceResult(service, r) };
    for (const ip of service.loadBalancerIngress) yield { address: ip, score: 0, reason: `LoadBalancer address of ${name}`, result: (r) => serviceResult(service, r) };
  }
  for (const host of Object.values(topology.hosts)) {
    for (const ip of host.internalIPs) yield { address: ip, score: 1, reason: 'node InternalIP', result: (r) => nodeResult(host, r) };
    for (const ip of host.externalIPs) yield { address: ip, score: 1, reason: 'node ExternalIP', result: (r) => nodeResult(host, r) };
  }
  for (const ingress of Object.values(topology.ingresses)) {
    for (const ip of ingress.loadBalancerIngress) yield { address: ip, score: 1, reason: `LoadBalancer address of ingress ${ingress.namespace}/${ingress.name}`, result: (r) => ingressResult(ingress, r) };
  }
  for (const gateway of Object.values(topology.gateways)) {
    for (const ip of gateway.addresses) yield { address: ip, score: 1, reason: `address of gateway ${gateway.namespace}/${gateway.name}`, result: (r) => gatewayResult(gateway, r) };
  }
  for (const device of Object.values(topology.devices)) {
    const host = topology.hosts[device.host];
    const name = device.name ?? device.type;
    const result = (reason: string): SearchResult => ({
      id: device.id,
      kind: 'device',
      title: `${name} on ${host?.name ?? device.host}`,
      subtitle: `device · ${device.role ?? device.type} · ${device.addresses.join(', ') || 'no address'}`,
      reason,
    });
    for (const address of device.addresses) {
      const ip = address.split('/')[0] ?? '';
      yield { address: ip, score: 2, reason: `address of ${name} on node ${host?.name ?? device.host}`, result };
    }
  }
}

function parseAddress(text: string): Address | null {
  try {
    return ipaddr.parse(text);
  } catch {
    return null;
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

function inRange(address: Address, cidr: string): boolean {
  const parsed = parseCIDR(cidr);
  return parsed !== null && parsed[0].kind() === address.kind() && address.match(parsed);
}

export function searchIP(topology: Topology, address: Address, options: SearchOptions): Ranked[] {
  const out: Ranked[] = [];
  for (const owned of ownedAddresses(topology)) {
    const parsed = parseAddress(owned.address);
    if (parsed && sameAddress(parsed, address)) out.push({ score: owned.score, result: owned.result(owned.reason) });
  }
  if (out.length === 0) out.push({ score: 0, result: { id: `ip:${address.toString()}`, kind: 'ip', title: address.toString(), subtitle: 'no element of the cluster has this address', reason: whereAddressFalls(topology, address, options) } });
  return out;
}

/** Where an address nothing owns falls, most specific range first. */
export function whereAddressFalls(topology: Topology, address: Address, options: SearchOptions = {}): string {
  for (const host of Object.values(topology.hosts)) {
    const range = [...host.cniPodCIDRs, ...host.podCIDRs].find((cidr) => inRange(address, cidr));
    if (range) return `in ${range} (pod range of node ${host.name}) but no pod has it`;
  }
  const podCIDR = topology.cluster.podCIDRs.find((cidr) => inRange(address, cidr));
  if (podCIDR) return `in ${podCIDR} (cluster pod CIDR) but no pod has it`;
  const serviceCIDR = (options.serviceCIDRs ?? []).find((cidr) => inRange(address, cidr));
  if (serviceCIDR) return `in ${serviceCIDR} (Service CIDR) but no Service has it`;
  for (const device of Object.values(topology.devices)) {
    if (device.type !== 'uplink') continue;
    const subnet = device.addresses.find((a) => a.includes('/') && !/\/(32|128)$/.test(a) && inRange(address, a));
    if (subnet) return `in the nodes’ network (${subnet} on ${topology.hosts[device.host]?.name ?? device.host}) but no node has it`;
  }
  const range = address.range();
  const kindOfAddress: Record<string, string> = {
    private: 'a private address',
    uniqueLocal: 'a unique local address',
    loopback: 'a loopback address',
    linkLocal: 'a link-local address',
    carrierGradeNat: 'a carrier-grade NAT address',
    multicast: 'a multicast address',
    unspecified: 'the unspecified address',
  };
  const what = kindOfAddress[range];
  return what ? `outside the cluster (${what}, not in any pod, node or Service range)` : 'outside the cluster (no pod, node or Service has it)';
}

export function searchCIDR(topology: Topology, cidr: [Address, number]): Ranked[] {
  const text = `${cidr[0].toString()}/${cidr[1]}`;
  const out: Ranked[] = [];
  for (const owned of ownedAddresses(topology)) {
    const parsed = parseAddress(owned.address);
    if (parsed && parsed.kind() === cidr[0].kind() && parsed.match(cidr)) {
      out.push({ score: owned.score, result: owned.result(`${owned.reason} ${parsed.toString()} is in ${text}`) });
    }
  }
  if (out.length === 0) out.push({ score: 0, result: { id: `ip:${text}`, kind: 'ip', title: text, subtitle: 'no element of the cluster has an address in this range', reason: 'nothing in the cluster has an address in it' } });
  return out;
}

/** A partly typed address (`10.244.1.`): the addresses that start with it, ranked after names. */
export function searchAddressPrefix(topology: Topology, text: string): Ranked[] {
  if (!/^[0-9a-f.:]+$/.test(text) || !/[.:]/.test(text)) return [];
  const out: Ranked[] = [];
  for (const owned of ownedAddresses(topology)) {
    if (owned.address.toLowerCase().startsWith(text)) out.push({ score: 5 + owned.score, result: owned.result(`${owned.reason} ${owned.address}`) });
  }
  return out;
}
