/**
 * Who carries Ingress and Gateway API traffic in the cluster: each Ingress joined to its
 * controller's pods and Service (found from the IngressClass's controller name and the labels
 * each well-known controller's manifests put on its pods), and each Gateway to the Service its
 * implementation made for it and to the HTTPRoutes attached to it. These joins are inferred from
 * labels, so each carries its evidence.
 */
import type { ClusterObjects, Gateway, HTTPRoute } from '../kube/objects.ts';
import type { GatewayRecord, HTTPRouteRecord, Id, IngressRecord, PodRecord, Topology } from '../model/types.ts';
import { ids } from './ids.ts';

/** Controller name (IngressClass spec.controller) → the labels its upstream manifests give its pods. */
const ingressControllers: { controller: RegExp; labels: Record<string, string>; name: string }[] = [
  { controller: /^k8s\.io\/ingress-nginx$/, labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, name: 'ingress-nginx' },
  { controller: /^nginx\.org\/ingress-controller$/, labels: { 'app.kubernetes.io/name': 'nginx-ingress' }, name: 'NGINX Ingress Controller' },
  { controller: /^traefik\.io\/ingress-controller$/, labels: { 'app.kubernetes.io/name': 'traefik' }, name: 'Traefik' },
  { controller: /^haproxy-ingress\.github\.io\/controller$|^haproxy\.org\/ingress-controller/, labels: { 'app.kubernetes.io/name': 'kubernetes-ingress' }, name: 'HAProxy' },
  { controller: /^projectcontour\.io\//, labels: { 'app.kubernetes.io/name': 'contour', 'app.kubernetes.io/component': 'envoy' }, name: 'Contour' },
];

/** Labels that Gateway API implementations put on the Service they create for a Gateway. */
const gatewayServiceLabels = ['gateway.networking.k8s.io/gateway-name', 'gateway.envoyproxy.io/owning-gateway-name', 'io.cilium.gateway/owning-gateway', 'istio.io/gateway-name'];

function matches(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** Services with an endpoint on one of these pods. */
function servicesOf(topology: Topology, pods: Set<Id>): Id[] {
  const services = new Set<Id>();
  for (const endpoint of Object.values(topology.endpoints)) if (endpoint.pod && pods.has(endpoint.pod)) services.add(endpoint.service);
  return [...services].sort();
}

export function joinIngressControllers(topology: Topology): void {
  const byController = new Map<string, IngressRecord['controllerJoin']>();
  for (const ingress of Object.values(topology.ingresses)) {
    if (!ingress.controller) {
      ingress.controllerJoin = { pods: [], services: [], evidence: `no IngressClass names the controller of class ${ingress.className ?? '(none)'}` };
      continue;
    }
    let join = byController.get(ingress.controller);
    if (!join) {
      const known = ingressControllers.find((c) => c.controller.test(ingress.controller ?? ''));
      if (!known) {
        join = { pods: [], services: [], evidence: `controller ${ingress.controller} is not one Podpath knows the pods of` };
      } else {
        const pods = Object.values(topology.pods).filter((p: PodRecord) => matches(p.labels, known.labels));
        const podIds = new Set(pods.map((p) => p.id));
        join = {
          pods: [...podIds].sort(),
          services: servicesOf(topology, podIds),
          evidence: `IngressClass controller ${ingress.controller} is ${known.name}; its pods carry ${Object.entries(known.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        };
      }
      byController.set(ingress.controller, join);
    }
    ingress.controllerJoin = join;
  }
}

function gatewayRecord(gateway: Gateway, topology: Topology): GatewayRecord {
  const { name, namespace = '' } = gateway.metadata;
  const service = Object.values(topology.services).find(
    (s) => s.namespace === namespace && gatewayServiceLabels.some((label) => s.labels[label] === name),
  );
  const pods = service
    ? [...new Set(Object.values(topology.endpoints).filter((e) => e.service === service.id && e.pod).map((e) => e.pod as Id))].sort()
    : [];
  return {
    id: ids.gateway(namespace, name),
    kind: 'gateway',
    name,
    namespace,
    className: gateway.spec.gatewayClassName,
    listeners: (gateway.spec.listeners ?? []).map((l) => ({ name: l.name, hostname: l.hostname ?? null, port: l.port, protocol: l.protocol })),
    addresses: (gateway.status?.addresses ?? []).map((a) => a.value),
    service: service?.id ?? null,
    pods,
    evidence: service
      ? `Service ${service.namespace}/${service.name} is labelled as this Gateway's (${gatewayServiceLabels.find((l) => service.labels[l] === name)})`
      : 'no Service labelled as this Gateway\'s was found (the implementation may run outside the cluster)',
  };
}

function routeRecord(route: HTTPRoute): HTTPRouteRecord {
  const { name, namespace = '' } = route.metadata;
  return {
    id: ids.httpRoute(namespace, name),
    kind: 'httproute',
    name,
    namespace,
    parents: (route.spec.parentRefs ?? [])
      .filter((p) => (p.kind ?? 'Gateway') === 'Gateway')
      .map((p) => ids.gateway(p.namespace ?? namespace, p.name)),
    hostnames: route.spec.hostnames ?? [],
    rules: (route.spec.rules ?? []).map((rule) => ({
      paths: (rule.matches ?? []).map((m) => `${m.path?.type ?? 'PathPrefix'} ${m.path?.value ?? '/'}`),
      backends: (rule.backendRefs ?? [])
        .filter((b) => (b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '')
        .map((b) => ({ service: ids.service(b.namespace ?? namespace, b.name), port: b.port ?? null, weight: b.weight ?? 1 })),
    })),
  };
}

export function addGatewayApi(topology: Topology, objects: Pick<ClusterObjects, 'gateways' | 'httpRoutes'>): void {
  for (const gateway of objects.gateways) {
    const record = gatewayRecord(gateway, topology);
    topology.gateways[record.id] = record;
  }
  for (const route of objects.httpRoutes) {
    const record = routeRecord(route);
    topology.httpRoutes[record.id] = record;
  }
}
