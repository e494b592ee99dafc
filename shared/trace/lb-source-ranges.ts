/**
 * A LoadBalancer's `loadBalancerSourceRanges`: the client addresses it lets in. Cloud load
 * balancers that support it enforce it in their own firewall; kube-proxy enforces it again on
 * every node for packets that arrive addressed to the load balancer's IP (kubernetes
 * pkg/proxy/iptables/proxier.go: the nat chain KUBE-FW-<hash> sends `-s <range>` on to the
 * Service, and the filter chain KUBE-PROXY-FIREWALL drops the rest with the comment
 * "<ns>/<svc>:<port> traffic not accepted by KUBE-FW-<hash>").
 */
import type { ServicePortRecord, ServiceRecord } from '../model/types.ts';
import { cidrContains } from '../net/ip.ts';
import { sh } from '../text/shell.ts';
import { serviceCommand } from './commands.ts';
import { hop, serviceLabel } from './path/hop.ts';
import { internetClient } from './path/internet.ts';
import type { ProxyMode } from '../model/cluster.ts';
import type { Evidence, Hop, Packet } from './types.ts';

export interface SourceRangesCheck {
  hop: Hop;
  /** Set when the client is outside every range: the packet is dropped. */
  dropped: { line: string; fix: string } | null;
}

function proxyRule(mode: ProxyMode, service: ServiceRecord, port: ServicePortRecord, lb: string): Evidence {
  const name = `${service.namespace}/${service.name}${port.name ? `:${port.name}` : ''}`;
  const fw = port.kubeProxy?.firewall ?? 'KUBE-FW-…';
  switch (mode) {
    case 'iptables':
      return {
        text: `kube-proxy: nat ${fw} sends each allowed range on (-s <range> -j KUBE-EXT-…); filter KUBE-PROXY-FIREWALL drops the rest ("${name} traffic not accepted by ${fw}" -d ${lb} --dport ${port.port} -j DROP)`,
        command: sh`iptables-save | grep -F ${fw}`,
      };
    case 'nftables':
      return { text: 'kube-proxy (nftables): the firewall-ips map sends the load balancer address to its firewall chain, which drops sources outside the ranges', command: 'nft list map ip kube-proxy firewall-ips' };
    case 'ipvs':
      return { text: 'kube-proxy (IPVS): the ipsets KUBE-LOAD-BALANCER-FW and KUBE-LOAD-BALANCER-SOURCE-CIDR; KUBE-LOAD-BALANCER-FW marks what is not in the source ranges for drop', command: 'ipset list KUBE-LOAD-BALANCER-SOURCE-CIDR' };
    case 'ebpf':
      return { text: 'Cilium enforces loadBalancerSourceRanges in its eBPF load balancer (its LB source-range map)', command: 'kubectl -n kube-system exec ds/cilium -- cilium-dbg bpf lb source-range list' };
    default:
      return { text: 'the Service proxy\'s mode is unknown: which rule drops it on the node is not known' };
  }
}

/** The client at `packet.src` against the ranges: a hop saying so, and the drop if it is outside. */
export function checkSourceRanges(mode: ProxyMode, service: ServiceRecord, port: ServicePortRecord, packet: Packet): SourceRangesCheck | null {
  const ranges = service.loadBalancerSourceRanges ?? [];
  if (ranges.length === 0 || service.type !== 'LoadBalancer') return null;
  const client = packet.src;
  const lb = packet.dst;
  const evidence: Evidence[] = [
    { text: `spec.loadBalancerSourceRanges: ${ranges.join(', ')}`, object: service.id, field: 'spec.loadBalancerSourceRanges', command: serviceCommand(service) },
    { text: 'the cloud load balancer enforces them in its own firewall where it supports them' },
    proxyRule(mode, service, port, lb),
  ];
  if (client === internetClient) {
    return {
      hop: hop('load-balancer', `${serviceLabel(service)} lets in only ${ranges.join(', ')} (loadBalancerSourceRanges); ${internetClient} stands for any client, so whether a real one gets in depends on its address`, packet, [service.id], null, evidence),
      dropped: null,
    };
  }
  const match = ranges.find((r) => cidrContains(r, client));
  if (match) return { hop: hop('load-balancer', `${client} is in ${match}, one of ${serviceLabel(service)}'s loadBalancerSourceRanges: let in`, packet, [service.id], null, evidence), dropped: null };
  const line = `${serviceLabel(service)} drops ${client}: it is in none of its loadBalancerSourceRanges (${ranges.join(', ')}).`;
  return {
    hop: hop('load-balancer', `dropped: ${client} is in none of ${serviceLabel(service)}'s loadBalancerSourceRanges (${ranges.join(', ')})`, packet, [service.id], null, evidence),
    dropped: { line, fix: `add the client's range to spec.loadBalancerSourceRanges of ${serviceLabel(service)} (e.g. ${client.includes(':') ? `${client}/128` : `${client}/32`})` },
  };
}
