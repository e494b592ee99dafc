/**
 * The ends of a trace as users write them, read against the model. The same text means the same
 * element in the CLI, the app's trace panel, a batch file and the search box:
 *
 *   ns/pod  ns/pod:container  pod/ns/name      a pod (and one of its containers)
 *   ns/pod:5432  ns/pod:port-name              a pod, and the port to trace (a container first)
 *   ns/deployment  ns/frontend-85              one pod of a workload, or of pods named so (pick.ts)
 *   svc/ns/name[:5432|:port-name]              a Service, looked up by DNS from a pod source
 *   ingress/ns/name[/path]  http://host/path   an Ingress rule (or a Gateway API HTTPRoute)
 *   gateway/ns/name[/path]                     a Gateway
 *   node/name[:port]                           a node's root network namespace
 *   10.96.0.10  10.96.0.10:53  [fd00::1]:80    whatever owns the address, or an outside address
 *   internet                                   anywhere outside the cluster
 *   name  name.ns  name.ns.svc.cluster.local   a DNS name, resolved from the source pod (from a
 *                                              node or the internet, a Service's is the Service)
 *   pod:<uid>  svc:ns/name  node:<name> …      a model id, as the graph sends for a clicked element
 *
 * One job, reading an end, kept whole: the forms fall back on one another (a URL's host to an
 * address, `ns/name` to a Service or a workload), so they read best side by side. Suggestions
 * are in suggest.ts.
 */
import type { ContainerRecord, GatewayRecord, Host, HTTPRouteRecord, Id, IngressRecord, IngressRuleRecord, PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import { internetId } from '../model/types.ts';
import { bareAddress, cidrContains, parseIPStrict } from '../net/ip.ts';
import { pickPod } from './pick.ts';
import { parsePortOrName } from './query.ts';
import { suggestionsFor } from './suggest.ts';
import type { Protocol } from './types.ts';
import { firstPath, gatewayRouteFor, hostMatches, ingressRuleFor } from './http-routing.ts';

/** The cluster domain. The kubelet's `clusterDomain` is not in the Kubernetes API; every
 * distribution Podpath knows keeps the default. */
export const clusterDomain = 'cluster.local';

/** An end as read. `port` and `protocol`, where present, were written in the text (`IP:port`,
 * `svc/ns/name:5432`, a named port) or follow from it (a URL's scheme); `how` says in words how
 * the text was read, and becomes the trace's `TraceEnd.how`. */
export type Endpoint =
  | { kind: 'pod'; pod: PodRecord; container: ContainerRecord | null; how: string; port?: number; protocol?: Protocol }
  | { kind: 'node'; host: Host; ip: string; how: string; port?: number; protocol?: Protocol }
  | {
      kind: 'service';
      service: ServiceRecord;
      /** How the address was given: by the Service's name (looked up by DNS from a pod), its
       * model id (no lookup), or one of its addresses. */
      via: 'name' | 'id' | 'cluster-ip' | 'external-ip' | 'load-balancer';
      ip: string | null;
      how: string;
      port?: number;
      protocol?: Protocol;
    }
  | { kind: 'ingress'; ingress: IngressRecord; rule: IngressRuleRecord | null; host: string | null; path: string; how: string; port?: number; protocol?: Protocol }
  | { kind: 'gateway'; gateway: GatewayRecord; route: HTTPRouteRecord | null; ruleIndex: number; host: string | null; path: string; how: string; port?: number; protocol?: Protocol }
  /** A DNS name the source's resolver must look up: its meaning depends on the source pod. */
  | { kind: 'name'; name: string; how: string; port?: number; protocol?: Protocol }
  /** Outside the cluster: a given address, or (ip null) anywhere on the internet. */
  | { kind: 'external'; ip: string | null; how: string; port?: number; protocol?: Protocol }
  /** In the cluster's pod ranges, but no pod has it. */
  | { kind: 'unowned'; ip: string; how: string; port?: number; protocol?: Protocol }
  /** Nothing, or more than one thing, matches: why, and what to write instead (ready to use as
   * the same end, in the order to offer them). */
  | { kind: 'unknown'; message: string; suggestions?: string[] };

const modelPrefixes = new Set(['pod', 'ctr', 'svc', 'node', 'ing', 'gw', 'ep', 'veth', 'dev', 'ext', 'httproute']);

/** The first pod that matches, preferring one that is not finished: a terminated pod's IP may
 * already belong to another. */
function findPod(topology: Topology, test: (pod: PodRecord) => boolean): PodRecord | undefined {
  let done: PodRecord | undefined;
  // By key, not Object.values: on 150k pods (a dictionary to V8) Object.values sorts them all
  // back into insertion order before the first is tested, a tenth of a second per lookup.
  for (const id in topology.pods) {
    const pod = topology.pods[id]!;
    if (!test(pod)) continue;
    if (!isDone(pod)) return pod;
    done ??= pod;
  }
  return done;
}

function isDone(pod: PodRecord): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

/** `IP:port` and `[v6]:port` → the address and port; anything else → null. */
function splitHostPort(text: string): { ip: string; port?: number } | null {
  if (parseIPStrict(text)) return { ip: parseIPStrict(text)!.toString() };
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  if (bracketed?.[1] && parseIPStrict(bracketed[1])) return { ip: parseIPStrict(bracketed[1])!.toString(), port: Number(bracketed[2]) };
  const v4 = /^([\d.]+):(\d{1,5})$/.exec(text);
  if (v4?.[1] && parseIPStrict(v4[1])) return { ip: v4[1], port: Number(v4[2]) };
  return null;
}

function sameIP(a: string, b: string): boolean {
  if (a === b) return true;
  // The API writes IPv4 addresses canonically; only IPv6 has several spellings of one address.
  if (!a.includes(':') || !b.includes(':')) return bareAddress(a) === bareAddress(b);
  const x = parseIPStrict(a.split('/')[0] ?? a);
  const y = parseIPStrict(b.split('/')[0] ?? b);
  return x !== null && y !== null && x.kind() === y.kind() && x.toString() === y.toString();
}

/** Whatever owns an address: a pod, a Service address, a node, an Ingress or Gateway address; an
 * unowned address in a pod range; or an address outside the cluster. */
export function endpointForIP(topology: Topology, ip: string, port?: number): Endpoint {
  const withPort = port === undefined ? {} : { port };
  const pod = findPod(topology, (p) => !p.isHostNetwork && p.ips.some((a) => sameIP(a, ip)));
  if (pod) return { kind: 'pod', pod, container: null, how: `pod IP of ${pod.namespace}/${pod.name}`, ...withPort };
  for (const service of Object.values(topology.services)) {
    if (service.clusterIPs.some((a) => sameIP(a, ip))) return { kind: 'service', service, via: 'cluster-ip', ip, how: `ClusterIP of svc ${service.namespace}/${service.name}`, ...withPort };
  }
  for (const host of Object.values(topology.hosts)) {
    if ([...host.internalIPs, ...host.externalIPs].some((a) => sameIP(a, ip))) {
      const external = host.externalIPs.some((a) => sameIP(a, ip));
      return { kind: 'node', host, ip, how: `${external ? 'ExternalIP' : 'InternalIP'} of node ${host.name}`, ...withPort };
    }
  }
  for (const service of Object.values(topology.services)) {
    if (service.externalIPs.some((a) => sameIP(a, ip))) return { kind: 'service', service, via: 'external-ip', ip, how: `external IP of svc ${service.namespace}/${service.name} (spec.externalIPs)`, ...withPort };
    if (service.loadBalancerIngress.some((a) => sameIP(a, ip))) {
      return { kind: 'service', service, via: 'load-balancer', ip, how: `LoadBalancer address of svc ${service.namespace}/${service.name}`, ...withPort };
    }
  }
  for (const ingress of Object.values(topology.ingresses)) {
    if (ingress.loadBalancerIngress.some((a) => sameIP(a, ip))) {
      return { kind: 'ingress', ingress, rule: ingress.rules[0] ?? null, host: ingress.rules[0]?.host ?? null, path: ingress.rules[0]?.path ?? '/', how: `address of ingress ${ingress.namespace}/${ingress.name}`, ...withPort };
    }
  }
  for (const gateway of Object.values(topology.gateways)) {
    if (gateway.addresses.some((a) => sameIP(a, ip))) return { kind: 'gateway', gateway, route: null, ruleIndex: 0, host: null, path: '/', how: `address of gateway ${gateway.namespace}/${gateway.name}`, ...withPort };
  }
  for (const device of Object.values(topology.devices)) {
    const host = topology.hosts[device.host];
    if (host && device.addresses.some((a) => sameIP(a, ip))) return { kind: 'node', host, ip, how: `address of ${device.name ?? device.type} on node ${host.name}`, ...withPort };
  }
  const podRange = [...Object.values(topology.hosts).flatMap((h) => [...h.cniPodCIDRs, ...h.podCIDRs]), ...topology.cluster.podCIDRs].find((c) => cidrContains(c, ip));
  if (podRange) return { kind: 'unowned', ip, how: `in the pod range ${podRange}, but no pod has it`, ...withPort };
  return { kind: 'external', ip, how: 'an address outside the cluster', ...withPort };
}

function podByName(topology: Topology, namespace: string, name: string): PodRecord | undefined {
  return findPod(topology, (p) => p.namespace === namespace && p.name === name);
}

function serviceByName(topology: Topology, namespace: string, name: string): ServiceRecord | undefined {
  return topology.services[`svc:${namespace}/${name}`];
}

/** The model element an id names, as a trace end. */
function endpointForId(topology: Topology, text: string): Endpoint | null {
  const colon = text.indexOf(':');
  const prefix = text.slice(0, colon);
  if (colon <= 0 || !modelPrefixes.has(prefix)) return null;
  const missing = (): Endpoint => ({ kind: 'unknown', message: `no element with id ${text} in the model` });
  switch (prefix) {
    case 'pod': {
      const pod = topology.pods[text];
      return pod ? { kind: 'pod', pod, container: null, how: `pod ${pod.namespace}/${pod.name}` } : missing();
    }
    case 'ctr': {
      const container = topology.containers[text];
      const pod = container ? topology.pods[container.pod] : undefined;
      return container && pod ? { kind: 'pod', pod, container, how: `container ${container.name} of pod ${pod.namespace}/${pod.name}` } : missing();
    }
    case 'veth': {
      const veth = topology.veths[text];
      const pod = veth ? topology.pods[veth.pod] : undefined;
      return pod ? { kind: 'pod', pod, container: null, how: `the pod of ${text}` } : missing();
    }
    case 'svc': {
      const service = topology.services[text];
      return service ? { kind: 'service', service, via: 'id', ip: service.clusterIPs[0] ?? null, how: `svc ${service.namespace}/${service.name}` } : missing();
    }
    case 'node': {
      const host = topology.hosts[text];
      return host ? { kind: 'node', host, ip: host.internalIPs[0] ?? '', how: `node ${host.name}` } : missing();
    }
    case 'dev': {
      const device = topology.devices[text];
      const host = device ? topology.hosts[device.host] : undefined;
      return host ? { kind: 'node', host, ip: host.internalIPs[0] ?? '', how: `node ${host.name} (its ${device?.name ?? 'device'})` } : missing();
    }
    case 'ing': {
      const ingress = topology.ingresses[text];
      return ingress ? ingressEndpoint(ingress, null, '/', `ingress ${ingress.namespace}/${ingress.name}`) : missing();
    }
    case 'gw': {
      const gateway = topology.gateways[text];
      return gateway ? gatewayEndpoint(topology, gateway, null, '/', `gateway ${gateway.namespace}/${gateway.name}`) : missing();
    }
    case 'httproute': {
      const route = topology.httpRoutes[text];
      const gateway = route?.parents.map((id) => topology.gateways[id]).find((g) => g !== undefined);
      if (!route) return missing();
      if (!gateway) return { kind: 'unknown', message: `HTTPRoute ${route.namespace}/${route.name} is attached to no Gateway in the model` };
      return { kind: 'gateway', gateway, route, ruleIndex: 0, host: route.hostnames[0] ?? null, path: firstPath(route.rules[0]?.paths[0]), how: `HTTPRoute ${route.namespace}/${route.name}` };
    }
    case 'ep': {
      const endpoint = topology.endpoints[text];
      const pod = endpoint?.pod ? topology.pods[endpoint.pod] : undefined;
      if (pod) return { kind: 'pod', pod, container: null, how: `endpoint ${endpoint?.address} (pod ${pod.namespace}/${pod.name})` };
      return endpoint ? endpointForIP(topology, endpoint.address) : missing();
    }
    case 'ext':
      return text === internetId ? { kind: 'external', ip: null, how: 'the internet' } : missing();
    default:
      return null;
  }
}

function ingressEndpoint(ingress: IngressRecord, host: string | null, path: string, how: string, port?: number): Endpoint {
  const rule = ingressRuleFor(ingress, host, path);
  return { kind: 'ingress', ingress, rule, host: host ?? rule?.host ?? null, path, how, ...(port === undefined ? {} : { port }) };
}

function gatewayEndpoint(topology: Topology, gateway: GatewayRecord, host: string | null, path: string, how: string, port?: number): Endpoint {
  const found = gatewayRouteFor(topology, gateway, host, path);
  const at = found ? { route: found.route, ruleIndex: found.ruleIndex, host: host ?? found.route.hostnames[0] ?? null } : { route: null, ruleIndex: 0, host };
  return { kind: 'gateway', gateway, ...at, path, how, ...(port === undefined ? {} : { port }) };
}

/** `http(s)://host[:port]/path`: the Ingress rule or HTTPRoute that serves it. */
function endpointForURL(reading: Reading): Endpoint | null {
  const { topology, text } = reading;
  const match = /^(https?):\/\/([^/:[\]]+|\[[^\]]+\])(?::(\d{1,5}))?(\/[^?#]*)?/i.exec(text);
  if (!match?.[2]) return null;
  const scheme = (match[1] ?? 'http').toLowerCase();
  const host = match[2].replace(/^\[|\]$/g, '');
  const port = match[3] ? Number(match[3]) : scheme === 'https' ? 443 : 80;
  const path = match[4] ?? '/';
  const conflict = match[3] ? portConflict(reading, port) : null;
  if (conflict) return conflict;
  if (parseIPStrict(host)) {
    const found = endpointForIP(topology, host, port);
    if (found.kind === 'ingress') return ingressEndpoint(found.ingress, null, path, found.how, port);
    if (found.kind === 'gateway') return gatewayEndpoint(topology, found.gateway, null, path, found.how, port);
    return found;
  }
  const ingresses = Object.values(topology.ingresses).filter((i) => i.rules.some((r) => r.host !== null && hostMatches(r.host, host)));
  for (const ingress of ingresses) {
    const found = ingressEndpoint(ingress, host, path, `${scheme}://${host}${path} → ingress ${ingress.namespace}/${ingress.name}`, port);
    if (found.kind === 'ingress' && found.rule) return found;
  }
  for (const route of Object.values(topology.httpRoutes)) {
    if (!route.hostnames.some((h) => hostMatches(h, host))) continue;
    for (const parent of route.parents) {
      const gateway = topology.gateways[parent];
      if (gateway) return gatewayEndpoint(topology, gateway, host, path, `${scheme}://${host}${path} → HTTPRoute ${route.namespace}/${route.name} on gateway ${gateway.namespace}/${gateway.name}`, port);
    }
  }
  return { kind: 'name', name: host, how: `${scheme}://${host}${path}: no Ingress or HTTPRoute serves host ${host}`, port };
}

function hostByName(topology: Topology, name: string): Host | undefined {
  return topology.hosts[`node:${name}`];
}

/** What else a trace knows when it reads an end. */
export interface EndContext {
  /** For a destination: the source, as read. From a node or the internet a Service's name is the
   * Service itself — only pods resolve cluster names, and the user means the Service. */
  from?: Endpoint;
  /** The port and protocol given apart from the text (`--port`, the panel's Port field). A port
   * written in the text (`svc/shop/db:5432`) must agree with them: when they differ the end is
   * an error that says so, rather than one of them silently winning. */
  port?: number;
  protocol?: Protocol;
  /** False where nobody reads suggestions for what matches nothing (the search box). */
  isSuggesting?: boolean;
}

/** What is being read, carried to the helpers that read its parts. */
interface Reading {
  topology: Topology;
  /** The whole text, as the user wrote it (trimmed). */
  text: string;
  role: 'from' | 'to';
  context: EndContext;
}

/**
 * Reads one end of a trace. `role` matters for bare words (a destination `backend` is a DNS
 * name, resolved later from the source pod; a source `backend` must name a pod, a workload or a
 * node), for `ns/name` naming both a Service and a workload (a destination is the Service, a
 * source a pod of the workload), and for a port after the colon (a source's is ignored: a
 * connection leaves from an ephemeral port).
 *
 * After the colon of `ns/pod:x`, `ns/workload:x` or `svc/ns/name:x`: digits are a port; a name is
 * a container of the pod, else a port name (a container port's name for a pod, the Service
 * port's name for a Service), which brings its protocol along.
 */
export function parseEndpoint(topology: Topology, input: string, role: 'from' | 'to', context: EndContext = {}): Endpoint {
  const reading: Reading = { topology, text: input.trim(), role, context };
  return readEnd(reading, reading.text) ?? unmatched(reading);
}

/** `name:suffix` → the name and what follows its colon (one colon, after the last slash). */
function splitSuffix(text: string): { name: string; suffix: string | null } {
  const match = /^([^:]*):([^:/]+)$/.exec(text);
  return match ? { name: match[1] ?? '', suffix: match[2] ?? '' } : { name: text, suffix: null };
}

function readEnd(reading: Reading, text: string): Endpoint | null {
  const { topology, role } = reading;
  if (text === '') return { kind: 'unknown', message: `no ${role === 'from' ? 'source' : 'destination'} given` };
  if (/^(internet|the internet|0\.0\.0\.0\/0)$/i.test(text)) return { kind: 'external', ip: null, how: 'the internet' };
  if (/^https?:\/\//i.test(text)) return endpointForURL(reading);

  const byId = endpointForId(topology, text);
  if (byId) return byId;

  const hostPort = splitHostPort(text);
  if (hostPort) return hostPort.port === undefined ? endpointForIP(topology, hostPort.ip) : withGivenPort(reading, endpointForIP(topology, hostPort.ip), `port ${hostPort.port}`, hostPort.port);

  const parts = text.split('/');
  const [head = '', ...rest] = parts;
  const kindWord = head.toLowerCase();
  if (['svc', 'service', 'services'].includes(kindWord) && rest.length === 2) {
    const [namespace = '', nameAndPort = ''] = rest;
    const { name, suffix } = splitSuffix(nameAndPort);
    const service = serviceByName(topology, namespace, name);
    return service ? withServiceSuffix(reading, namedService(reading, service, `svc ${namespace}/${name}`), suffix) : null;
  }
  if (['ingress', 'ing', 'ingresses'].includes(kindWord) && rest.length >= 2) {
    const [namespace = '', name = '', ...pathParts] = rest;
    const ingress = topology.ingresses[`ing:${namespace}/${name}`];
    const path = `/${pathParts.join('/')}`;
    return ingress ? ingressEndpoint(ingress, null, path, `ingress ${namespace}/${name}${pathParts.length > 0 ? `, path ${path}` : ''}`) : null;
  }
  if (['gateway', 'gw', 'gateways'].includes(kindWord) && rest.length >= 2) {
    const [namespace = '', name = '', ...pathParts] = rest;
    const gateway = topology.gateways[`gw:${namespace}/${name}`];
    const path = `/${pathParts.join('/')}`;
    return gateway ? gatewayEndpoint(topology, gateway, null, path, `gateway ${namespace}/${name}`) : null;
  }
  if (['node', 'nodes', 'no'].includes(kindWord) && rest.length === 1) {
    const { name, suffix } = splitSuffix(rest[0] ?? '');
    const host = hostByName(topology, name);
    return host ? withNumberSuffix(reading, { kind: 'node', host, ip: host.internalIPs[0] ?? '', how: `node ${host.name}` }, suffix) : null;
  }
  if (['pod', 'pods', 'po'].includes(kindWord) && rest.length === 2) return readEnd(reading, rest.join('/'));

  if (parts.length === 2) {
    const [namespace = '', nameAndSuffix = ''] = parts;
    const { name, suffix } = splitSuffix(nameAndSuffix);
    const pod = podByName(topology, namespace, name);
    if (pod) return withPodSuffix(reading, { kind: 'pod', pod, container: null, how: `pod ${namespace}/${name}` }, suffix);
    const service = serviceByName(topology, namespace, name);
    // What a client connects to is the Service; what sends is a pod of the workload.
    if (service && role === 'to') return withServiceSuffix(reading, namedService(reading, service, `no pod ${namespace}/${name}: svc ${namespace}/${name}`), suffix);
    const picked = pickPod(topology, namespace, name, `${namespace}/${name}`);
    if (picked?.kind === 'pod') return withPodSuffix(reading, { kind: 'pod', pod: picked.pod, container: null, how: picked.how }, suffix);
    if (picked?.kind === 'ambiguous') return { kind: 'unknown', message: picked.message, suggestions: withSuffix(picked.choices, suffix) };
    if (service) return withServiceSuffix(reading, namedService(reading, service, `no pod ${namespace}/${name}: svc ${namespace}/${name}`), suffix);
    return null;
  }

  if (parts.length === 1) {
    const { name, suffix } = splitSuffix(text);
    const host = hostByName(topology, name);
    if (host) return withNumberSuffix(reading, { kind: 'node', host, ip: host.internalIPs[0] ?? '', how: `node ${host.name}` }, suffix);
    if (role === 'to' && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(name)) {
      return withNumberSuffix(reading, dnsName(reading, name.toLowerCase()), suffix);
    }
    const pods = Object.values(topology.pods).filter((p) => p.name === name && !isDone(p));
    if (pods.length === 1 && pods[0]) return withPodSuffix(reading, { kind: 'pod', pod: pods[0], container: null, how: `pod ${pods[0].namespace}/${pods[0].name}` }, suffix);
    if (pods.length > 1) {
      return { kind: 'unknown', message: `"${name}" names pods in several namespaces (${pods.map((p) => p.namespace).join(', ')}); write namespace/${name}`, suggestions: withSuffix(pods.map((p) => `${p.namespace}/${p.name}`), suffix) };
    }
    const picked = pickPod(topology, null, name, name);
    if (picked?.kind === 'pod') return withPodSuffix(reading, { kind: 'pod', pod: picked.pod, container: null, how: picked.how }, suffix);
    if (picked?.kind === 'ambiguous') return { kind: 'unknown', message: picked.message, suggestions: withSuffix(picked.choices, suffix) };
  }
  return null;
}

/** A Service the user named. From a pod its name is looked up by DNS, as the pod's resolver
 * would; from a node or the internet it is the Service itself, and `how` says why. */
function namedService({ context }: Reading, service: ServiceRecord, how: string): Endpoint {
  const ip = service.clusterIPs[0] ?? null;
  const source = context.from?.kind;
  if (source === 'node' || source === 'external') {
    const why = source === 'node' ? "a node's resolver does not serve cluster names" : 'cluster names do not resolve outside the cluster';
    return { kind: 'service', service, via: 'id', ip, how: `${how}, taken as the Service itself, not looked up (${why})` };
  }
  return { kind: 'service', service, via: 'name', ip, how: `${how}, looked up as ${service.name}.${service.namespace}.svc.${clusterDomain}` };
}

/** A DNS name for a destination. From a node or the internet, a name of a Service's
 * (`name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`) is that Service: see namedService. */
function dnsName(reading: Reading, name: string): Endpoint {
  const source = reading.context.from?.kind;
  const match = new RegExp(`^([a-z0-9-]+)\\.([a-z0-9-]+)(\\.svc(\\.${clusterDomain.replace('.', '\\.')})?)?\\.?$`).exec(name);
  const service = match ? serviceByName(reading.topology, match[2] ?? '', match[1] ?? '') : undefined;
  if (service && (source === 'node' || source === 'external')) return namedService(reading, service, `${name} → svc ${service.namespace}/${service.name}`);
  return { kind: 'name', name, how: `DNS name ${name}` };
}

/** The suffix of `ns/pod:x` on a pod: a port (digits), a container, else a named port. */
function withPodSuffix(reading: Reading, endpoint: Extract<Endpoint, { kind: 'pod' }>, suffix: string | null): Endpoint {
  const read = suffix === null ? null : parsePortOrName(suffix);
  if (read === null || !('name' in read)) return withNumberSuffix(reading, endpoint, suffix);
  const { topology } = reading;
  const pod = endpoint.pod;
  const containers = pod.containers.map((id) => topology.containers[id]).filter((c) => c !== undefined);
  const container = containers.find((c) => c.name === read.name);
  if (container) return { ...endpoint, container, how: `${endpoint.how}, container ${container.name}` };
  const named = containers.flatMap((c) => c.ports.filter((p) => p.name === read.name).map((port) => ({ port, container: c })))[0];
  if (named) return withGivenPort(reading, endpoint, `port ${named.port.port}/${named.port.protocol} (port "${read.name}" of container ${named.container.name})`, named.port.port, named.port.protocol);
  const ports = containers.flatMap((c) => c.ports.filter((p) => p.name !== null).map((p) => `${p.name} (${p.port}/${p.protocol})`));
  return {
    kind: 'unknown',
    message: `pod ${pod.namespace}/${pod.name} has no container or port named "${read.name}"; its containers are ${containers.map((c) => c.name).join(', ') || 'none'}${ports.length > 0 ? `, its named ports ${ports.join(', ')}` : ''}`,
  };
}

/** The suffix of `svc/ns/name:x`: a port (digits), else the name of one of the Service's ports. */
function withServiceSuffix(reading: Reading, endpoint: Endpoint, suffix: string | null): Endpoint {
  const read = suffix === null ? null : parsePortOrName(suffix);
  if (endpoint.kind !== 'service' || read === null || !('name' in read)) return withNumberSuffix(reading, endpoint, suffix);
  const service = endpoint.service;
  const port = service.ports.find((p) => p.name === read.name);
  if (port) return withGivenPort(reading, endpoint, `port ${port.port}/${port.protocol} (port "${read.name}")`, port.port, port.protocol);
  const names = service.ports.map((p) => `${p.name ?? '(unnamed)'} (${p.port}/${p.protocol})`);
  return { kind: 'unknown', message: `svc ${service.namespace}/${service.name} has no port named "${read.name}"; its ports are ${names.join(', ') || 'none'}` };
}

/** A suffix that can only be a port number (a node, a DNS name, an address; any end once its
 * names were tried). */
function withNumberSuffix(reading: Reading, endpoint: Endpoint, suffix: string | null): Endpoint {
  if (suffix === null || endpoint.kind === 'unknown') return endpoint;
  const read = parsePortOrName(suffix);
  if (!('port' in read)) return { kind: 'unknown', message: `"${reading.text}": ":${suffix}" is no port (${'error' in read ? read.error.replace(/\.$/, '') : 'only a port number can follow it'})` };
  return withGivenPort(reading, endpoint, `port ${read.port}`, read.port);
}

/** A port written in a destination's text that differs from the port (or protocol) given apart:
 * neither wins — the end is an error that asks for one. */
function portConflict({ context, text, role }: Reading, port: number, protocol?: Protocol): Extract<Endpoint, { kind: 'unknown' }> | null {
  if (role === 'from') return null;
  if (context.port !== undefined && context.port !== port) return { kind: 'unknown', message: `"${text}" says port ${port}, but port ${context.port} is given too: give the port once, or the same in both` };
  if (protocol && context.protocol && protocol !== context.protocol) return { kind: 'unknown', message: `"${text}" is port ${port}/${protocol}, but the protocol given is ${context.protocol}: give ${protocol}, or a ${context.protocol} port` };
  return null;
}

/** An end with a port written in its text (and the protocol a named port has), `said` in `how`.
 * A source's port is noted and ignored: a connection leaves its source from an ephemeral port. */
function withGivenPort(reading: Reading, endpoint: Endpoint, said: string, port: number, protocol?: Protocol): Endpoint {
  if (endpoint.kind === 'unknown') return endpoint;
  if (reading.role === 'from') return { ...endpoint, how: `${endpoint.how}, ${said} ignored: a connection leaves its source from an ephemeral port` };
  return portConflict(reading, port, protocol) ?? { ...endpoint, how: `${endpoint.how}, ${said}`, port, ...(protocol ? { protocol } : {}) };
}

/** A suffix the user wrote, kept on the ends suggested instead of theirs. */
function withSuffix(texts: string[], suffix: string | null): string[] {
  return suffix === null ? texts : texts.map((t) => `${t}:${suffix}`);
}

const tried = 'tried: a model id, an IP, ns/pod[:container|:port], ns/workload, svc/ns/name[:port], ingress/ns/name, gateway/ns/name, node/name, http://host/path, a DNS name';

/** An end that matches nothing: what was tried, and the close matches, with the suffix the user
 * wrote where it can go (a port on any end but the internet, a container or port name only on a
 * pod, a workload or a Service). */
function unmatched({ topology, text, role, context }: Reading): Endpoint {
  const message = `"${text}" matches nothing in the cluster (${tried})`;
  if (context.isSuggesting === false) return { kind: 'unknown', message };
  const { name, suffix } = /^https?:\/\//i.test(text) ? { name: text, suffix: null } : splitSuffix(text);
  const suggestions = suggestionsFor(topology, name, role).map((s) => {
    if (suffix === null || s === 'internet') return s;
    const isPodOrService = /^[^/.]+\/[^/]+$/.test(s) || s.startsWith('svc/');
    return /^\d+$/.test(suffix) || isPodOrService ? `${s}:${suffix}` : s;
  });
  return { kind: 'unknown', message: `${message}${suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : ''}`, suggestions };
}

/** The model ids an end touches, for messages and highlighting. */
export function endpointIds(endpoint: Endpoint): Id[] {
  switch (endpoint.kind) {
    case 'pod':
      return endpoint.container ? [endpoint.pod.id, endpoint.container.id] : [endpoint.pod.id];
    case 'node':
      return [endpoint.host.id];
    case 'service':
      return [endpoint.service.id];
    case 'ingress':
      return [endpoint.ingress.id];
    case 'gateway':
      return endpoint.route ? [endpoint.gateway.id, endpoint.route.id] : [endpoint.gateway.id];
    case 'external':
      return [internetId];
    default:
      return [];
  }
}
