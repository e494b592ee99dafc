/**
 * The names kube-proxy gives each Service port and endpoint in its rules, computed exactly as
 * kube-proxy does (pkg/proxy/iptables/proxier.go `portProtoHash`/`servicePortEndpointChainName`;
 * pkg/proxy/nftables/proxier.go `hashAndTruncate`), so a user can grep a node's
 * `iptables-save -t nat` or `nft list table ip kube-proxy` for them.
 */
import type { EndpointRecord, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { sha256Base32 } from '../net/hash.ts';

/** `ns/name` plus `:port` when the port is named: kube-proxy's ServicePortName.String(). */
export function servicePortName(namespace: string, name: string, portName: string | null): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

/** `IP:port`, IPv6 bracketed (net.JoinHostPort). */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function iptablesServiceChains(portName: string, protocol: string) {
  const hash = sha256Base32(portName + protocol.toLowerCase()).slice(0, 16);
  return { service: `KUBE-SVC-${hash}`, local: `KUBE-SVL-${hash}`, external: `KUBE-EXT-${hash}`, firewall: `KUBE-FW-${hash}` };
}

export function iptablesEndpointChain(portName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${sha256Base32(portName + protocol.toLowerCase() + endpoint).slice(0, 16)}`;
}

/** nftables names: `<base32(sha256(name))[:8]>-<name>`, cut to 240 characters with "...". */
function hashAndTruncate(name: string): string {
  const full = `${sha256Base32(name).slice(0, 8)}-${name}`;
  return full.length > 240 ? `${full.slice(0, 237)}...` : full;
}

export function nftablesServiceChains(namespace: string, name: string, protocol: string, portName: string | null) {
  const base = hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName ?? ''}`);
  return { service: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}

export function nftablesEndpointChain(namespace: string, name: string, protocol: string, portName: string | null, ip: string, port: number): string {
  return `endpoint-${hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName ?? ''}__${ip.replaceAll(':', '.')}/${port}`)}`;
}

/** The endpoint's port for a Service port: the slice port of the same name (or the only one). */
function endpointPort(endpoint: EndpointRecord, port: ServicePortRecord): number | null {
  const match = endpoint.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
  return match?.port ?? null;
}

function chainsFor(topology: Topology, service: ServiceRecord, port: ServicePortRecord, endpoints: EndpointRecord[]): ServicePortRecord['kubeProxy'] {
  const mode = topology.cluster.proxyMode.value;
  if (mode !== 'iptables' && mode !== 'nftables') return null;
  const isLocal = service.internalTrafficPolicy === 'Local' || service.externalTrafficPolicy === 'Local';
  const isExternal = service.type === 'NodePort' || service.type === 'LoadBalancer' || service.externalIPs.length > 0;
  const name = servicePortName(service.namespace, service.name, port.name);
  const chains =
    mode === 'iptables' ? iptablesServiceChains(name, port.protocol) : nftablesServiceChains(service.namespace, service.name, port.protocol, port.name);
  return {
    mode,
    service: chains.service,
    local: isLocal ? chains.local : null,
    external: isExternal ? chains.external : null,
    // Only LoadBalancers with loadBalancerSourceRanges get one; the model does not read those yet.
    firewall: null,
    endpoints: endpoints.flatMap((endpoint) => {
      const target = endpointPort(endpoint, port);
      if (target === null) return [];
      const chain =
        mode === 'iptables'
          ? iptablesEndpointChain(name, port.protocol, joinHostPort(endpoint.address, target))
          : nftablesEndpointChain(service.namespace, service.name, port.protocol, port.name, endpoint.address, target);
      return [{ endpoint: endpoint.id, target: joinHostPort(endpoint.address, target), chain }];
    }),
  };
}

/** The Service with kube-proxy's chain names on each of its proxied ports. Endpoints are taken
 * in id order, so the result does not depend on the order they were derived in. */
export function withKubeProxyChains(topology: Topology, service: ServiceRecord, endpoints: EndpointRecord[]): ServiceRecord {
  if (service.isHeadless || service.type === 'ExternalName') return service;
  const sorted = [...endpoints].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...service, ports: service.ports.map((port) => ({ ...port, kubeProxy: chainsFor(topology, service, port, sorted) })) };
}

/** Adds kube-proxy's chain names to every proxied Service port (iptables and nftables modes). */
export function addKubeProxyChains(topology: Topology): void {
  const byService = new Map<string, EndpointRecord[]>();
  for (const endpoint of Object.values(topology.endpoints)) {
    const list = byService.get(endpoint.service) ?? [];
    list.push(endpoint);
    byService.set(endpoint.service, list);
  }
  for (const service of Object.values(topology.services)) {
    topology.services[service.id] = withKubeProxyChains(topology, service, byService.get(service.id) ?? []);
  }
}
