/**
 * The names kube-proxy gives each Service port and endpoint in its rules, computed exactly as
 * kube-proxy does (pkg/proxy/iptables/proxier.go `portProtoHash`/`servicePortEndpointChainName`;
 * pkg/proxy/nftables/proxier.go `hashAndTruncate`), so a user can grep a node's
 * `iptables-save -t nat` or `nft list table ip kube-proxy` for them.
 */
import type { EndpointRecord, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { sha256Base32Prefix } from '../net/hash.ts';

/** `ns/name` plus `:port` when the port is named: kube-proxy's ServicePortName.String(). */
export function servicePortName(namespace: string, name: string, portName: string | null): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

/** `IP:port`, IPv6 bracketed (net.JoinHostPort). */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function iptablesServiceChains(portName: string, protocol: string) {
  const hash = sha256Base32Prefix(portName + protocol.toLowerCase(), 16);
  return { service: `KUBE-SVC-${hash}`, local: `KUBE-SVL-${hash}`, external: `KUBE-EXT-${hash}`, firewall: `KUBE-FW-${hash}` };
}

export function iptablesEndpointChain(portName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${sha256Base32Prefix(portName + protocol.toLowerCase() + endpoint, 16)}`;
}

/** nftables names: `<base32(sha256(name))[:8]>-<name>`, cut to 240 characters with "...". */
function hashAndTruncate(name: string): string {
  const full = `${sha256Base32Prefix(name, 8)}-${name}`;
  return full.length > 240 ? `${full.slice(0, 237)}...` : full;
}

export function nftablesServiceChains(namespace: string, name: string, protocol: string, portName: string | null) {
  const base = hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName ?? ''}`);
  return { service: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}

export function nftablesEndpointChain(namespace: string, name: string, protocol: string, portName: string | null, ip: string, port: number): string {
  return `endpoint-${hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName ?? ''}__${ip.replaceAll(':', '.')}/${port}`)}`;
}

/**
 * Where kube-proxy's nftables mode DNATs a Service port's traffic. It changed with the release:
 *  - `endpoint-chains`: the service chain picks with `numgen random mod N vmap { i : goto
 *    endpoint-… }` and each `endpoint-` chain DNATs (`dnat to IP:port`). Every release before
 *    1.36; and, in every release, a Service with ClientIP affinity, whose endpoint chains also
 *    add the client to their `affinity-` set.
 *  - `dnat-map`: the service chain DNATs itself, `dnat ip addr . port to numgen random mod N map
 *    { i : IP . port }`, with no endpoint chains. Since v1.36.0: the 1.36 cycle moved hairpin
 *    masquerading out of the endpoint chains (kubernetes#135800, in v1.36.0-alpha.1, then
 *    kubernetes#136499, which added the `hairpin-connections` set), leaving them needed only for
 *    affinity. Read from kube-proxy v1.36.3 in the lab (test/fixtures/datapath/lab-kube-proxy-
 *    1.36-nftables); the exact commit was not pinned (the kubernetes mirror was too large to fetch).
 *  - `dnat-direct`: one endpoint, and the service chain holds a plain `dnat to IP:port`:
 *    kubernetes#140723, merged in July 2026 for 1.37 (v1.36.3 still writes `numgen random mod 1
 *    map`; the 1.37 tag was not checked).
 *  - `either`: the version is unknown, so it is one of the first two (or the third).
 * The version is the API server's; kube-proxy may lag it by up to three minor releases.
 */
export type NftablesDnatLayout = 'endpoint-chains' | 'dnat-map' | 'dnat-direct' | 'either';

/** `v1.36.3`, `v1.36.3+k3s1`, `v1.36.1-gke.100` → 36; null when unknown or a 1.36.0 pre-release
 * (alpha, beta, rc), which may predate the change. Only minor releases of 1.x are compared. */
function minorOf(version: string | null): number | null {
  const match = version ? /^v?1\.(\d+)(?:\.(\d+))?(-(?:alpha|beta|rc)\b)?/.exec(version.trim()) : null;
  if (!match) return null;
  const minor = Number(match[1]);
  if (match[3] && minor === dnatMapSince && Number(match[2] ?? 0) === 0) return null;
  return minor;
}

const dnatMapSince = 36;
const dnatDirectSince = 37;

export function nftablesDnatLayout(kubernetesVersion: string | null, sessionAffinity: ServiceRecord['sessionAffinity'], endpointCount: number): NftablesDnatLayout {
  if (sessionAffinity === 'ClientIP') return 'endpoint-chains';
  const minor = minorOf(kubernetesVersion);
  if (minor === null) return 'either';
  if (minor < dnatMapSince) return 'endpoint-chains';
  return endpointCount === 1 && minor >= dnatDirectSince ? 'dnat-direct' : 'dnat-map';
}

/** `IP . port`, as an element of the `dnat-map` layout's map reads in `nft list`. */
export function nftablesMapTarget(ip: string, port: number): string {
  return `${ip} . ${port}`;
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
  // Layouts without endpoint chains list no endpoints: there is no chain to name for them.
  const hasEndpointChains = mode === 'iptables' || ['endpoint-chains', 'either'].includes(nftablesDnatLayout(topology.cluster.kubernetesVersion, service.sessionAffinity, endpoints.length));
  let chains: ReturnType<typeof iptablesServiceChains> | null = null;
  const named = () =>
    (chains ??= mode === 'iptables' ? iptablesServiceChains(name, port.protocol) : nftablesServiceChains(service.namespace, service.name, port.protocol, port.name));
  const endpointChains = () =>
    endpoints.flatMap((endpoint) => {
      if (!hasEndpointChains) return [];
      const target = endpointPort(endpoint, port);
      if (target === null) return [];
      const chain =
        mode === 'iptables'
          ? iptablesEndpointChain(name, port.protocol, joinHostPort(endpoint.address, target))
          : nftablesEndpointChain(service.namespace, service.name, port.protocol, port.name, endpoint.address, target);
      return [{ endpoint: endpoint.id, target: joinHostPort(endpoint.address, target), chain }];
    });
  let endpointList: ReturnType<typeof endpointChains> | null = null;
  // Named when first read (issue 14): a hash per endpoint was a fifth of an offline trace on
  // 10k pods, which reads the chains of one Service, and a hash per Service port a twentieth of
  // one on 150k. Enumerable getters, so the record still copies, compares, crosses IPC and
  // serializes as plain data, the names and the list in it.
  return {
    mode,
    get service() {
      return named().service;
    },
    get local() {
      return isLocal ? named().local : null;
    },
    get external() {
      return isExternal ? named().external : null;
    },
    // Only LoadBalancers with loadBalancerSourceRanges get one; the model does not read those yet.
    firewall: null,
    get endpoints() {
      return (endpointList ??= endpointChains());
    },
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
  // By key, not Object.values: over a collection this large (a dictionary to V8), Object.values
  // sorts every entry back into insertion order first, a tenth of a second at 150k endpoints.
  for (const id in topology.endpoints) {
    const endpoint = topology.endpoints[id]!;
    const list = byService.get(endpoint.service) ?? [];
    list.push(endpoint);
    byService.set(endpoint.service, list);
  }
  for (const service of Object.values(topology.services)) {
    topology.services[service.id] = withKubeProxyChains(topology, service, byService.get(service.id) ?? []);
  }
}
