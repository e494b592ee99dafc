/**
 * An Ingress backend that leads nowhere: a Service, or a Service port (by number: the Service's
 * `port`, not its targetPort; by name: the port's name), that does not exist — the controller
 * answers 503 or drops the rule — or a Service with no ready endpoint to send the request to.
 */
import type { IngressRecord, IngressRuleRecord, ServiceRecord, Topology } from '../model/types.ts';
import { isClose } from './near-miss.ts';
import type { ServiceCheck, ServiceFacts } from './facts.ts';
import type { Problem } from './types.ts';
import { listed, portText, serviceSubject } from './words.ts';

const routeText = (rule: IngressRuleRecord): string => `${rule.host ?? '*'}${rule.path ?? '/'}`;

/** `svc:ns/name` → `name`. */
const serviceName = (id: string): string => id.slice(id.indexOf('/') + 1);

function problem(ingress: IngressRecord, kind: Problem['kind'], message: string, why: string[], fix: string | null, related: string[]): Problem {
  return { kind, severity: 'error', subject: `ingress/${ingress.namespace}/${ingress.name}`, subjectId: ingress.id, message, why, fix, related };
}

function missingService(ingress: IngressRecord, rules: IngressRuleRecord[], topology: Topology): Problem {
  const name = serviceName(rules[0]?.service ?? '');
  const others = Object.values(topology.services).filter((s) => s.namespace === ingress.namespace);
  const close = others.filter((s) => isClose(name, s.name)).map((s) => s.name);
  return problem(
    ingress,
    'ingress-backend-missing',
    `routes ${listed(rules.map(routeText), 2)} to Service ${name}, which does not exist in ${ingress.namespace}${close.length > 0 ? ` (did you mean ${listed(close, 2)}?)` : ''}`,
    [`backend.service.name: ${name}`, `Services in ${ingress.namespace}: ${listed(others.map((s) => s.name).sort(), 8) || 'none'}`],
    close.length === 1 ? `set backend.service.name: ${close[0]}` : `create Service ${name} in ${ingress.namespace}, or point the rule at an existing Service`,
    [],
  );
}

function missingPort(ingress: IngressRecord, rules: IngressRuleRecord[], service: ServiceRecord, port: number | string): Problem {
  const isNumber = typeof port === 'number';
  // Ingress controllers speak HTTP: only a TCP port can be the one meant.
  const tcp = service.ports.filter((p) => p.protocol === 'TCP');
  const only = tcp.length === 1 ? tcp[0] : undefined;
  return problem(
    ingress,
    'ingress-backend-missing',
    `routes ${listed(rules.map(routeText), 2)} to Service ${service.name} port ${isNumber ? port : `"${port}"`}, which it does not have (its ports: ${service.ports.map(portText).join(', ') || 'none'})`,
    [`backend.service.port.${isNumber ? 'number' : 'name'}: ${port}`, ...service.ports.map((p, i) => `${serviceSubject(service)} spec.ports[${i}]: ${portText(p)}, targetPort ${p.targetPort}`)],
    only ? (isNumber || !only.name ? `set backend.service.port.number: ${only.port}` : `set backend.service.port.name: ${only.name}`) : null,
    [service.id],
  );
}

function noEndpoints(ingress: IngressRecord, rules: IngressRuleRecord[], service: ServiceRecord, facts: ServiceFacts): Problem {
  const endpoints = facts.endpointsOf(service.id);
  return problem(
    ingress,
    'ingress-backend-no-endpoints',
    `routes ${listed(rules.map(routeText), 2)} to Service ${service.name}, which has no ready endpoint: requests get 503`,
    [`backend.service.name: ${service.name}`, `${serviceSubject(service)}: ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}, none ready`],
    `see ${serviceSubject(service)}`,
    [service.id],
  );
}

function problemsOf(ingress: IngressRecord, topology: Topology, facts: ServiceFacts): Problem[] {
  // One problem per backend, however many rules route to it.
  const byBackend = new Map<string, IngressRuleRecord[]>();
  for (const rule of ingress.rules) {
    const key = `${rule.service} ${rule.port ?? ''}`;
    byBackend.set(key, [...(byBackend.get(key) ?? []), rule]);
  }
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (const rules of byBackend.values()) {
    const rule = rules[0];
    if (!rule) continue;
    const service = topology.services[rule.service];
    if (!service) {
      if (!reported.has(rule.service)) problems.push(missingService(ingress, ingress.rules.filter((r) => r.service === rule.service), topology));
      reported.add(rule.service);
      continue;
    }
    const hasPort = rule.port === null || service.ports.some((p) => (typeof rule.port === 'number' ? p.port === rule.port : p.name === rule.port));
    if (!hasPort && rule.port !== null) problems.push(missingPort(ingress, rules, service, rule.port));
    // An ExternalName Service has no endpoints: the controller resolves its name.
    else if (service.type !== 'ExternalName' && !facts.hasReadyBackend(service) && !reported.has(service.id)) {
      if (facts.canTellReadiness(service)) problems.push(noEndpoints(ingress, ingress.rules.filter((r) => r.service === rule.service), service, facts));
      reported.add(service.id);
    }
  }
  return problems;
}

export const checkIngresses: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('services')) return [];
  return Object.values(topology.ingresses).flatMap((ingress) => problemsOf(ingress, topology, facts));
};
