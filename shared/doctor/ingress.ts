/**
 * A route into the cluster that leads nowhere, for an Ingress and for a Gateway API HTTPRoute:
 * a backend naming a Service, or a Service port, that does not exist (an Ingress port by number is
 * the Service's `port`, not its targetPort, by name the port's name; an HTTPRoute's backendRef
 * port is the Service's port number) — the controller answers 503, or 500 for an HTTPRoute's
 * invalid backendRef (ResolvedRefs False, BackendNotFound) — or a Service with no ready endpoint to
 * send the request to. An HTTPRoute whose parent Gateway does not exist is attached to nothing.
 * Cross-namespace backendRefs also need a ReferenceGrant, which the model does not read.
 */
import type { HTTPRouteRecord, Id, IngressRecord, ServiceRecord, Topology } from '../model/types.ts';
import { isClose } from './near-miss.ts';
import type { ServiceCheck, ServiceFacts } from './facts.ts';
import type { Problem } from './types.ts';
import { listed, portText, serviceSubject } from './words.ts';

/** An Ingress or HTTPRoute, and the words for its fields. */
interface Router {
  subject: string;
  subjectId: Id;
  namespace: string;
  kinds: { missing: Problem['kind']; noEndpoints: Problem['kind'] };
  /** The field naming a backend's Service, and its port by number or name. */
  field: { name: string; number: string; portName: string | null };
}

/** One backend (a Service and port) and the routes (host and path) that send to it. */
interface Backend {
  service: Id;
  port: number | string | null;
  routes: string[];
}

const ingressRouter = (ingress: IngressRecord): Router => ({
  subject: `ingress/${ingress.namespace}/${ingress.name}`,
  subjectId: ingress.id,
  namespace: ingress.namespace,
  kinds: { missing: 'ingress-backend-missing', noEndpoints: 'ingress-backend-no-endpoints' },
  field: { name: 'backend.service.name', number: 'backend.service.port.number', portName: 'backend.service.port.name' },
});

const routeRouter = (route: HTTPRouteRecord): Router => ({
  subject: `httproute/${route.namespace}/${route.name}`,
  subjectId: route.id,
  namespace: route.namespace,
  kinds: { missing: 'httproute-backend-missing', noEndpoints: 'httproute-backend-no-endpoints' },
  field: { name: 'backendRefs[].name', number: 'backendRefs[].port', portName: null },
});

/** `svc:ns/name` → `name`; `ns/name` when another namespace than `from`. */
function serviceName(id: Id, from: string): string {
  const [namespace = '', name = ''] = id.slice(id.indexOf(':') + 1).split('/');
  return namespace === from ? name : `${namespace}/${name}`;
}

function problem(router: Router, kind: Problem['kind'], message: string, why: string[], fix: string | null, related: Id[]): Problem {
  return { kind, severity: 'error', subject: router.subject, subjectId: router.subjectId, message, why, fix, related };
}

function missingService(router: Router, backend: Backend, topology: Topology): Problem {
  const name = serviceName(backend.service, router.namespace);
  const namespace = backend.service.slice(4, backend.service.indexOf('/'));
  const others = Object.values(topology.services).filter((s) => s.namespace === namespace);
  const close = others.filter((s) => isClose(name, s.name)).map((s) => s.name);
  return problem(
    router,
    router.kinds.missing,
    `routes ${listed(backend.routes, 2)} to Service ${name}, which does not exist in ${namespace}${close.length > 0 ? ` (did you mean ${listed(close, 2)}?)` : ''}`,
    [`${router.field.name}: ${name}`, `Services in ${namespace}: ${listed(others.map((s) => s.name).sort(), 8) || 'none'}`],
    close.length === 1 ? `set ${router.field.name}: ${close[0]}` : `create Service ${name} in ${namespace}, or point the rule at an existing Service`,
    [],
  );
}

function missingPort(router: Router, backend: Backend, service: ServiceRecord): Problem {
  const port = backend.port;
  const isNumber = typeof port === 'number';
  // Ingress controllers and Gateways speak HTTP here: only a TCP port can be the one meant.
  const tcp = service.ports.filter((p) => p.protocol === 'TCP');
  const only = tcp.length === 1 ? tcp[0] : undefined;
  const given = port === null ? 'no port' : `port ${isNumber ? port : `"${port}"`}`;
  const fix = !only ? null : isNumber || port === null || !only.name || !router.field.portName ? `set ${router.field.number}: ${only.port}` : `set ${router.field.portName}: ${only.name}`;
  return problem(
    router,
    router.kinds.missing,
    port === null
      ? `routes ${listed(backend.routes, 2)} to Service ${service.name} without a port, which a Service backend must name (its ports: ${service.ports.map(portText).join(', ') || 'none'})`
      : `routes ${listed(backend.routes, 2)} to Service ${service.name} ${given}, which it does not have (its ports: ${service.ports.map(portText).join(', ') || 'none'})`,
    [`${isNumber || port === null || !router.field.portName ? router.field.number : router.field.portName}: ${port ?? '(none)'}`, ...service.ports.map((p, i) => `${serviceSubject(service)} spec.ports[${i}]: ${portText(p)}, targetPort ${p.targetPort}`)],
    fix,
    [service.id],
  );
}

function noEndpoints(router: Router, backend: Backend, service: ServiceRecord, facts: ServiceFacts): Problem {
  const endpoints = facts.endpointsOf(service.id);
  return problem(
    router,
    router.kinds.noEndpoints,
    `routes ${listed(backend.routes, 2)} to Service ${service.name}, which has no ready endpoint: requests get 503`,
    [`${router.field.name}: ${service.name}`, `${serviceSubject(service)}: ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}, none ready`],
    `see ${serviceSubject(service)}`,
    [service.id],
  );
}

/** One problem per backend, however many routes send to it; one per missing Service. */
function backendProblems(router: Router, backends: Backend[], topology: Topology, facts: ServiceFacts, isPortRequired: boolean): Problem[] {
  const merged = new Map<string, Backend>();
  for (const b of backends) {
    const key = `${b.service} ${b.port ?? ''}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, routes: [...new Set([...seen.routes, ...b.routes])] } : b);
  }
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (const backend of merged.values()) {
    const service = topology.services[backend.service];
    if (!service) {
      if (!reported.has(backend.service)) {
        const routes = [...new Set(backends.filter((b) => b.service === backend.service).flatMap((b) => b.routes))];
        problems.push(missingService(router, { ...backend, routes }, topology));
      }
      reported.add(backend.service);
      continue;
    }
    // An ExternalName Service has no ports to match, nor endpoints: the controller resolves its name.
    if (service.type === 'ExternalName') continue;
    const { port } = backend;
    const hasPort = port === null ? !isPortRequired : service.ports.some((p) => (typeof port === 'number' ? p.port === port : p.name === port));
    if (!hasPort) problems.push(missingPort(router, backend, service));
    else if (!facts.hasReadyBackend(service) && !reported.has(service.id)) {
      if (facts.canTellReadiness(service)) {
        const routes = [...new Set(backends.filter((b) => b.service === backend.service).flatMap((b) => b.routes))];
        problems.push(noEndpoints(router, { ...backend, routes }, service, facts));
      }
      reported.add(service.id);
    }
  }
  return problems;
}

function ingressProblems(ingress: IngressRecord, topology: Topology, facts: ServiceFacts): Problem[] {
  const backends = ingress.rules.map((rule) => ({ service: rule.service, port: rule.port, routes: [`${rule.host ?? '*'}${rule.path ?? '/'}`] }));
  return backendProblems(ingressRouter(ingress), backends, topology, facts, false);
}

function routeProblems(route: HTTPRouteRecord, topology: Topology, facts: ServiceFacts): Problem[] {
  const router = routeRouter(route);
  const hosts = route.hostnames.length > 0 ? route.hostnames : ['*'];
  // A backend with weight 0 gets no requests: nothing to report about it.
  const backends = route.rules.flatMap((rule) => {
    const paths = rule.paths.length > 0 ? rule.paths.map((p) => p.slice(p.indexOf(' ') + 1)) : ['/'];
    const routes = hosts.flatMap((h) => paths.map((p) => `${h}${p}`));
    return rule.backends.filter((b) => b.weight > 0).map((b) => ({ service: b.service, port: b.port, routes }));
  });
  const problems = backendProblems(router, backends, topology, facts, true);
  const orphaned = facts.canRead('gateways') && route.parents.length > 0 && route.parents.every((id) => !topology.gateways[id]);
  if (orphaned) {
    const names = route.parents.map((id) => serviceName(id, route.namespace));
    problems.push({
      kind: 'httproute-parent-missing',
      severity: 'error',
      subject: router.subject,
      subjectId: route.id,
      message: `attaches to Gateway ${listed(names, 2)}, which does not exist: the route serves nothing`,
      why: [`parentRefs: ${names.join(', ')}`, `Gateways: ${listed(Object.values(topology.gateways).map((g) => `${g.namespace}/${g.name}`).sort(), 5) || 'none'}`],
      fix: `set parentRefs to an existing Gateway, or create Gateway ${names[0]}`,
      related: [],
    });
  }
  return problems;
}

export const checkIngresses: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('services')) return [];
  return [
    ...Object.values(topology.ingresses).flatMap((ingress) => ingressProblems(ingress, topology, facts)),
    ...(facts.canRead('httpRoutes') ? Object.values(topology.httpRoutes).flatMap((route) => routeProblems(route, topology, facts)) : []),
  ];
};
