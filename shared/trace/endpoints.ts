/**
 * The ends of a trace as users write them, read against the model. The same text means the same
 * element in the CLI, the app's trace panel and a batch file:
 *
 *   ns/pod  ns/pod:container  pod/ns/name      a pod (and one of its containers)
 *   svc/ns/name                                a Service, looked up by DNS from a pod source
 *   ingress/ns/name[/path]  http://host/path   an Ingress rule (or a Gateway API HTTPRoute)
 *   gateway/ns/name[/path]                     a Gateway
 *   node/name                                  a node's root network namespace
 *   10.96.0.10  10.96.0.10:53  [fd00::1]:80    whatever owns the address, or an outside address
 *   internet                                   anywhere outside the cluster
 *   name  name.ns  name.ns.svc.cluster.local   a DNS name, resolved from the source pod
 *   pod:<uid>  svc:ns/name  node:<name> …      a model id, as the graph sends for a clicked element
 *
 * One job, reading an end, kept whole: the forms fall back on one another (a URL's host to an
 * address, `ns/name` to a Service), so they read best side by side. Suggestions are in suggest.ts.
 */
import type { ContainerRecord, GatewayRecord, Host, HTTPRouteRecord, Id, IngressRecord, IngressRuleRecord, PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import { internetId } from '../model/types.ts';
import { cidrContains, parseIPStrict } from '../net/ip.ts';
import { suggestionsFor } from './suggest.ts';

/** The cluster domain. The kubelet's `clusterDomain` is not in the Kubernetes API; every
 * distribution Podpath knows keeps the default. */
export const clusterDomain = 'cluster.local';

export type Endpoint =
  | { kind: 'pod'; pod: PodRecord; container: ContainerRecord | null; how: string; port?: number }
  | { kind: 'node'; host: Host; ip: string; how: string; port?: number }
  | {
      kind: 'service';
      service: ServiceRecord;
      /** How the address was given: by the Service's name (looked up by DNS from a pod), its
       * model id (no lookup), or one of its addresses. */
      via: 'name' | 'id' | 'cluster-ip' | 'external-ip' | 'load-balancer';
      ip: string | null;
      how: string;
      port?: number;
    }
  | { kind: 'ingress'; ingress: IngressRecord; rule: IngressRuleRecord | null; host: string | null; path: string; how: string; port?: number }
  | { kind: 'gateway'; gateway: GatewayRecord; route: HTTPRouteRecord | null; ruleIndex: number; host: string | null; path: string; how: string; port?: number }
  /** A DNS name the source's resolver must look up: its meaning depends on the source pod. */
  | { kind: 'name'; name: string; how: string; port?: number }
  /** Outside the cluster: a given address, or (ip null) anywhere on the internet. */
  | { kind: 'external'; ip: string | null; how: string; port?: number }
  /** In the cluster's pod ranges, but no pod has it. */
  | { kind: 'unowned'; ip: string; how: string; port?: number }
  | { kind: 'unknown'; message: string };

const modelPrefixes = new Set(['pod', 'ctr', 'svc', 'node', 'ing', 'gw', 'ep', 'veth', 'dev', 'ext', 'httproute']);

/** The first pod that matches, preferring one that is not finished: a terminated pod's IP may
 * already belong to another. */
function findPod(topology: Topology, test: (pod: PodRecord) => boolean): PodRecord | undefined {
  let done: PodRecord | undefined;
  for (const pod of Object.values(topology.pods)) {
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
  if (!a.includes(':') || !b.includes(':')) return a.split('/')[0] === b.split('/')[0];
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

function podEndpoint(topology: Topology, pod: PodRecord, containerName: string | null, how: string): Endpoint {
  if (containerName === null) return { kind: 'pod', pod, container: null, how };
  const container = pod.containers.map((id) => topology.containers[id]).find((c) => c?.name === containerName);
  if (!container) {
    const names = pod.containers.map((id) => topology.containers[id]?.name).filter((n) => n !== undefined);
    return { kind: 'unknown', message: `pod ${pod.namespace}/${pod.name} has no container "${containerName}"; its containers are ${names.join(', ') || 'none'}` };
  }
  return { kind: 'pod', pod, container, how };
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

function firstPath(path: string | undefined): string {
  return path?.split(' ')[1] ?? '/';
}

/** Prefix matching by path elements, as Ingress `Prefix` does: `/api` matches `/api/x`, not `/apix`. */
function pathMatches(rulePath: string | null, pathType: string | null, path: string): number {
  const rule = rulePath ?? '/';
  if (pathType === 'Exact') return rule === path ? rule.length + 1 : -1;
  if (rule === '/' || path === rule || path.startsWith(rule.endsWith('/') ? rule : `${rule}/`)) return rule.length;
  return -1;
}

function hostMatches(ruleHost: string | null, host: string | null): boolean {
  if (ruleHost === null || host === null) return true;
  if (ruleHost.startsWith('*.')) {
    const suffix = ruleHost.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
  }
  return ruleHost.toLowerCase() === host.toLowerCase();
}

/** The Ingress rule a request takes: matching host, then the longest matching path. */
export function ingressRuleFor(ingress: IngressRecord, host: string | null, path: string): IngressRuleRecord | null {
  let best: IngressRuleRecord | null = null;
  let bestScore = -1;
  for (const rule of ingress.rules) {
    if (!hostMatches(rule.host, host)) continue;
    // A rule for this exact host beats the default backend and wildcards.
    const score = pathMatches(rule.path, rule.pathType, path) + (rule.host !== null && host !== null && !rule.host.startsWith('*') ? 10_000 : 0);
    if (pathMatches(rule.path, rule.pathType, path) >= 0 && score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

function ingressEndpoint(ingress: IngressRecord, host: string | null, path: string, how: string, port?: number): Endpoint {
  const rule = ingressRuleFor(ingress, host, path);
  return { kind: 'ingress', ingress, rule, host: host ?? rule?.host ?? null, path, how, ...(port === undefined ? {} : { port }) };
}

function gatewayEndpoint(topology: Topology, gateway: GatewayRecord, host: string | null, path: string, how: string, port?: number): Endpoint {
  const routes = Object.values(topology.httpRoutes).filter((r) => r.parents.includes(gateway.id));
  for (const route of routes) {
    if (host !== null && route.hostnames.length > 0 && !route.hostnames.some((h) => hostMatches(h, host))) continue;
    const index = route.rules.findIndex((rule) => rule.paths.length === 0 || rule.paths.some((p) => pathMatches(firstPath(p), p.startsWith('Exact') ? 'Exact' : 'Prefix', path) >= 0));
    if (index >= 0) return { kind: 'gateway', gateway, route, ruleIndex: index, host: host ?? route.hostnames[0] ?? null, path, how, ...(port === undefined ? {} : { port }) };
  }
  return { kind: 'gateway', gateway, route: null, ruleIndex: 0, host, path, how, ...(port === undefined ? {} : { port }) };
}

/** `http(s)://host[:port]/path`: the Ingress rule or HTTPRoute that serves it. */
function endpointForURL(topology: Topology, text: string): Endpoint | null {
  const match = /^(https?):\/\/([^/:[\]]+|\[[^\]]+\])(?::(\d{1,5}))?(\/[^?#]*)?/i.exec(text);
  if (!match?.[2]) return null;
  const scheme = (match[1] ?? 'http').toLowerCase();
  const host = match[2].replace(/^\[|\]$/g, '');
  const port = match[3] ? Number(match[3]) : scheme === 'https' ? 443 : 80;
  const path = match[4] ?? '/';
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

/**
 * A model element as a trace end, in the words a user would type and `parseEndpoint` reads
 * (`shop/frontend-1`, `svc/shop/backend`, …); null for elements a trace cannot start or end at.
 */
export function endpointTextFor(topology: Topology, id: string): string | null {
  const pod = topology.pods[id];
  if (pod) return `${pod.namespace}/${pod.name}`;
  const container = topology.containers[id];
  if (container) {
    const owner = topology.pods[container.pod];
    return owner ? `${owner.namespace}/${owner.name}:${container.name}` : null;
  }
  const service = topology.services[id];
  if (service) return `svc/${service.namespace}/${service.name}`;
  const ingress = topology.ingresses[id];
  if (ingress) return `ingress/${ingress.namespace}/${ingress.name}`;
  const host = topology.hosts[id];
  if (host) return `node/${host.name}`;
  if (topology.external[id]) return 'internet';
  const endpoint = topology.endpoints[id];
  if (endpoint) return endpoint.address;
  return null;
}

/**
 * Reads one end of a trace. `role` matters only for bare words: a destination `backend` is a
 * DNS name (resolved later, from the source pod), a source `backend` must name a pod or node.
 */
export function parseEndpoint(topology: Topology, input: string, role: 'from' | 'to'): Endpoint {
  const text = input.trim();
  if (text === '') return { kind: 'unknown', message: `no ${role === 'from' ? 'source' : 'destination'} given` };
  if (/^(internet|the internet|0\.0\.0\.0\/0)$/i.test(text)) return { kind: 'external', ip: null, how: 'the internet' };
  if (/^https?:\/\//i.test(text)) return endpointForURL(topology, text) ?? unknownEndpoint(topology, text);

  const byId = endpointForId(topology, text);
  if (byId) return byId;

  const hostPort = splitHostPort(text);
  if (hostPort) return endpointForIP(topology, hostPort.ip, hostPort.port);

  const parts = text.split('/');
  const [head = '', ...rest] = parts;
  const kindWord = head.toLowerCase();
  if (['svc', 'service', 'services'].includes(kindWord) && rest.length === 2) {
    const [namespace = '', name = ''] = rest;
    const service = serviceByName(topology, namespace, name);
    return service
      ? { kind: 'service', service, via: 'name', ip: service.clusterIPs[0] ?? null, how: `svc ${namespace}/${name}, looked up as ${name}.${namespace}.svc.${clusterDomain}` }
      : unknownEndpoint(topology, text);
  }
  if (['ingress', 'ing', 'ingresses'].includes(kindWord) && rest.length >= 2) {
    const [namespace = '', name = '', ...pathParts] = rest;
    const ingress = topology.ingresses[`ing:${namespace}/${name}`];
    const path = `/${pathParts.join('/')}`;
    return ingress ? ingressEndpoint(ingress, null, path, `ingress ${namespace}/${name}${pathParts.length > 0 ? `, path ${path}` : ''}`) : unknownEndpoint(topology, text);
  }
  if (['gateway', 'gw', 'gateways'].includes(kindWord) && rest.length >= 2) {
    const [namespace = '', name = '', ...pathParts] = rest;
    const gateway = topology.gateways[`gw:${namespace}/${name}`];
    const path = `/${pathParts.join('/')}`;
    return gateway ? gatewayEndpoint(topology, gateway, null, path, `gateway ${namespace}/${name}`) : unknownEndpoint(topology, text);
  }
  if (['node', 'nodes', 'no'].includes(kindWord) && rest.length === 1) {
    const host = hostByName(topology, rest[0] ?? '');
    return host ? { kind: 'node', host, ip: host.internalIPs[0] ?? '', how: `node ${host.name}` } : unknownEndpoint(topology, text);
  }
  if (['pod', 'pods', 'po'].includes(kindWord) && rest.length === 2) return parseEndpoint(topology, rest.join('/'), role);

  if (parts.length === 2) {
    const [namespace = '', podAndContainer = ''] = parts;
    const [podName = '', containerName] = podAndContainer.split(':') as [string, string?];
    const pod = podByName(topology, namespace, podName);
    if (pod) return podEndpoint(topology, pod, containerName ?? null, `pod ${namespace}/${podName}${containerName ? `, container ${containerName}` : ''}`);
    const service = serviceByName(topology, namespace, podName);
    if (service && containerName === undefined) {
      return { kind: 'service', service, via: 'name', ip: service.clusterIPs[0] ?? null, how: `no pod ${namespace}/${podName}: svc ${namespace}/${podName}, looked up as ${podName}.${namespace}.svc.${clusterDomain}` };
    }
    return unknownEndpoint(topology, text);
  }

  if (parts.length === 1) {
    const host = hostByName(topology, text);
    if (host) return { kind: 'node', host, ip: host.internalIPs[0] ?? '', how: `node ${host.name}` };
    if (role === 'to' && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(text)) {
      return { kind: 'name', name: text.toLowerCase(), how: `DNS name ${text}` };
    }
    const pods = Object.values(topology.pods).filter((p) => p.name === text && !isDone(p));
    if (pods.length === 1 && pods[0]) return { kind: 'pod', pod: pods[0], container: null, how: `pod ${pods[0].namespace}/${pods[0].name}` };
    if (pods.length > 1) return { kind: 'unknown', message: `"${text}" names pods in several namespaces (${pods.map((p) => p.namespace).join(', ')}); write namespace/${text}` };
  }
  return unknownEndpoint(topology, text);
}

function unknownEndpoint(topology: Topology, text: string): Endpoint {
  const suggestions = suggestionsFor(topology, text);
  const tried = 'tried: a model id, an IP, ns/pod[:container], svc/ns/name, ingress/ns/name, gateway/ns/name, node/name, http://host/path, a DNS name';
  return {
    kind: 'unknown',
    message: `"${text}" matches nothing in the cluster (${tried})${suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : ''}`,
  };
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
