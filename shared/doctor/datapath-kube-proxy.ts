/**
 * kube-proxy's rules as read off a node (iptables, nftables or IPVS; shared/datapath) against
 * the EndpointSlices as the API has them now: a Service port whose rules send traffic to an
 * address no slice lists (an endpoint that is gone), or that leave out an endpoint that is ready.
 * Both mean kube-proxy on that node has stopped following the API.
 *
 * kube-proxy programs the ready endpoints (or, while none is ready, the serving terminating
 * ones), and for a Service whose traffic stays local only that node's: so a terminating endpoint
 * in the rules is not gone, and a node without a cluster-wide dispatch chain is expected to list
 * only its own. Only Service ports found in the rules are checked: a Service created after the
 * reading is not in them.
 */
import { whereRead } from '../datapath/join.ts';
import type { KubeProxyRules, ObservedEndpoint, ObservedServicePort } from '../datapath/types.ts';
import type { EndpointRecord, Host, HostObservation, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { ids } from '../topology/ids.ts';
import type { Problem } from './types.ts';
import { listed, serviceSubject } from './words.ts';

const sameProtocol = (a: string | null, b: string) => a === null || a.toLowerCase() === b.toLowerCase();
const familyOf = (ip: string): 'inet' | 'inet6' => (ip.includes(':') ? 'inet6' : 'inet');
const target = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

type ApiPort = { service: ServiceRecord; port: ServicePortRecord };

/** Service ports by `protocol ip:port` and `protocol node-port:port`, for IPVS, whose rules
 * name no Service. */
function portsByFrontend(topology: Topology): Map<string, ApiPort> {
  const index = new Map<string, ApiPort>();
  for (const service of Object.values(topology.services)) {
    for (const port of service.ports) {
      const protocol = port.protocol.toLowerCase();
      for (const ip of [...service.clusterIPs, ...service.externalIPs, ...service.loadBalancerIngress]) index.set(`${protocol} ${target(ip, port.port)}`, { service, port });
      if (port.nodePort !== null) index.set(`${protocol} node-port:${port.nodePort}`, { service, port });
    }
  }
  return index;
}

/** The API's Service and port a rule group is for: by its ServicePortName, or (IPVS) by a
 * frontend's address and port. */
function apiPortOf(topology: Topology, observed: ObservedServicePort, byFrontend: () => Map<string, ApiPort>): ApiPort | null {
  if (observed.namespace !== null && observed.name !== null) {
    const service = topology.services[ids.service(observed.namespace, observed.name)];
    const port = service?.ports.find((p) => (p.name ?? '') === (observed.portName ?? '') && sameProtocol(observed.protocol, p.protocol));
    return service && port ? { service, port } : null;
  }
  for (const frontend of observed.frontends) {
    const protocol = frontend.protocol.toLowerCase();
    // An IPVS virtual service on a node's own address is a node port.
    const keys = [frontend.ip !== null && frontend.port !== null && frontend.kind !== 'node-port' ? `${protocol} ${target(frontend.ip, frontend.port)}` : null, `${protocol} node-port:${frontend.port}`];
    const found = keys.flatMap((key) => (key ? (byFrontend().get(key) ?? []) : []))[0];
    if (found) return found;
  }
  return null;
}

/** The port an endpoint serves a Service port on, from its slice's ports (matched by name). */
function endpointPort(endpoint: EndpointRecord, port: ServicePortRecord): number | null {
  return endpoint.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol)?.port ?? null;
}

/** `KUBE-SEP-… → 10.180.0.4:80 (--probability 0.5; 4 packets)`. IPVS has no chains, and
 * nftables may DNAT in the service chain itself. */
function evidenceOf(endpoint: ObservedEndpoint, chain: string | null): string {
  const counters = endpoint.dnatCounters ?? endpoint.counters;
  return `${endpoint.chain ?? chain ?? 'virtual service'} → ${endpoint.target ?? '?'} (${endpoint.how}${counters ? `; ${counters.packets} packets` : ''})`;
}

interface Index {
  endpointsOf(service: string): EndpointRecord[];
  byFrontend(): Map<string, ApiPort>;
}

function portProblems(topology: Topology, host: Host & { observed: HostObservation }, rules: KubeProxyRules, observed: ObservedServicePort, index: Index): Problem[] {
  const found = apiPortOf(topology, observed, index.byFrontend);
  if (!found) return [];
  const { service, port } = found;
  const where = `read ${whereRead(host.name, host.observed)} (kube-proxy ${rules.mode} rules)`;
  const name = `${service.namespace}/${service.name}${port.name ? `:${port.name}` : ''}`;
  const inRules = observed.dispatches.flatMap((d) => d.endpoints.filter((e) => e.ip !== null && e.port !== null).map((e) => ({ ...e, evidence: evidenceOf(e, d.chain) })));
  const endpoints = index.endpointsOf(service.id).filter((e) => familyOf(e.address) === rules.family);
  const listedTargets = new Set(endpoints.flatMap((e) => {
    const p = endpointPort(e, port);
    return p === null ? [] : [target(e.address, p)];
  }));
  const ruleTargets = new Set(inRules.map((e) => target(e.ip as string, e.port as number)));
  const gone = inRules.filter((e, i) => !listedTargets.has(target(e.ip as string, e.port as number)) && inRules.findIndex((o) => o.target === e.target) === i);
  // Without a cluster-wide dispatch, kube-proxy sends this port's traffic to local endpoints only.
  const isLocalOnly = observed.dispatches.length > 0 && observed.dispatches.every((d) => d.scope === 'local');
  const expected = endpoints.filter((e) => e.isReady && (!isLocalOnly || e.nodeName === host.name));
  const missing = expected.filter((e) => {
    const p = endpointPort(e, port);
    return p !== null && !ruleTargets.has(target(e.address, p));
  });
  const problems: Problem[] = [];
  const fix = `kube-proxy on ${host.name} no longer follows the EndpointSlices: read its log, and restart it there (kubectl -n kube-system delete pod -l k8s-app=kube-proxy --field-selector spec.nodeName=${host.name})`;
  const endpointIds = (list: EndpointRecord[]) => list.flatMap((e) => [e.id, ...(e.pod ? [e.pod] : [])]);
  if (gone.length > 0) {
    problems.push({
      kind: 'datapath-endpoint-gone',
      severity: 'error',
      subject: serviceSubject(service),
      subjectId: service.id,
      message: `kube-proxy on ${host.name} sends ${name} to ${listed(gone.map((e) => e.target ?? '?'), 3)}, which no EndpointSlice of the Service lists: those connections fail, or reach whatever holds the address now`,
      why: [where, ...gone.map((e) => e.evidence), `EndpointSlices of ${service.namespace}/${service.name}: ${listed([...listedTargets].sort(), 5) || 'no endpoint for this port'}`],
      fix,
      related: [host.id],
    });
  }
  if (missing.length > 0) {
    const isNone = ruleTargets.size === 0;
    problems.push({
      kind: 'datapath-endpoint-missing',
      severity: isNone ? 'error' : 'warning',
      subject: serviceSubject(service),
      subjectId: service.id,
      message: `kube-proxy on ${host.name} leaves out ${listed(missing.map((e) => e.address), 3)}, ready in the Service's EndpointSlices: ${isNone ? `${name} from ${host.name} reaches no endpoint` : `${host.name} spreads ${name} over the others only`}`,
      why: [
        where,
        inRules.length > 0 ? `rules for ${name}: ${inRules.map((e) => e.evidence).join('; ')}` : `rules for ${name}: no endpoint${observed.noEndpoints.length > 0 ? ` (${observed.noEndpoints.map((n) => `${n.action}, ${n.reason}: ${n.evidence}`).join('; ')})` : ''}`,
        ...missing.map((e) => `EndpointSlice ${e.slice}: ${e.address} ready${e.nodeName ? ` on ${e.nodeName}` : ''}`),
      ],
      fix,
      related: [host.id, ...endpointIds(missing)],
    });
  }
  return problems;
}

export function checkKubeProxyRules(topology: Topology, host: Host & { observed: HostObservation }): Problem[] {
  if (host.observed.kubeProxy.length === 0) return [];
  const byService = new Map<string, EndpointRecord[]>();
  for (const endpoint of Object.values(topology.endpoints)) {
    const list = byService.get(endpoint.service);
    if (list) list.push(endpoint);
    else byService.set(endpoint.service, [endpoint]);
  }
  let byFrontend: Map<string, ApiPort> | undefined;
  const index: Index = { endpointsOf: (service) => byService.get(service) ?? [], byFrontend: () => (byFrontend ??= portsByFrontend(topology)) };
  return host.observed.kubeProxy.flatMap((rules) => rules.services.flatMap((observed) => portProblems(topology, host, rules, observed, index)));
}
