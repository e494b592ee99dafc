/**
 * Ingress and Gateway API paths: to the controller through its own Service, then from the
 * controller pod to the backend Service's endpoints.
 */
import type { Host, HTTPRouteRecord, Id, IngressRecord, PodRecord, ServicePortRecord, ServiceRecord } from '../model/types.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import { describeCommand, endpointSlicesCommand } from './commands.ts';
import { deliver, targetForAddress } from './deliver.ts';
import type { Endpoint } from './endpoints.ts';
import { end, podLabel, type Ctx, type Fork, type OnArrive, type Outcome, type Sender } from './outcome.ts';
import { clusterIPIn, entryIn, familyOf, familyProbe, inFamily, nodeAddressIn } from './family.ts';
import { hop, podAddress, serviceLabel } from './path/hop.ts';
import { leavePod } from './path/pod.ts';
import { endpointPort, servicePortFor, usableEndpoints, whyNoEndpoint } from './proxy.ts';
import { serviceFromInside } from './service-inside.ts';
import { serviceFromOutside } from './service-outside.ts';
import type { Evidence, Hop, Packet } from './types.ts';

function controllerName(ingress: IngressRecord): string {
  if (ingress.controller === 'k8s.io/ingress-nginx') return 'ingress-nginx';
  return ingress.controller ?? 'the ingress controller';
}

/** The Service port an Ingress or HTTPRoute backend names (by number or name). */
function backendPort(service: ServiceRecord, port: number | string | null): ServicePortRecord | null {
  if (port === null) return service.ports[0] ?? null;
  return service.ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port)) ?? null;
}

/**
 * At the controller pod: it matches the request to a backend Service and opens a new connection,
 * from its own address, straight to one of the Service's endpoints (ingress-nginx, Traefik,
 * Contour and Gateway implementations balance over the EndpointSlices themselves; kube-proxy is
 * not involved). `backends` is one or more weighted Services (HTTPRoute rules can split).
 */
function proxyToBackends(ctx: Ctx, controller: PodRecord, host: Host, label: string, hopIds: Id[], evidence: Evidence[], backends: { service: ServiceRecord; port: ServicePortRecord; weight: number }[], who: string): Outcome {
  const first = backends[0];
  // The trace's family where the controller has it, else the controller's own (a single-stack controller).
  const family = inFamily(controller.ips, ctx.family) ? ctx.family : familyOf(podAddress(controller));
  const upstream: Packet = { src: podAddress(controller, familyProbe(family)), dst: (first && clusterIPIn(first.service, family)) ?? first?.service.clusterIPs[0] ?? first?.service.name ?? '?', dstPort: first?.port.port ?? 0, protocol: 'TCP' };
  const isDualStack = inFamily(controller.ips, family === 4 ? 6 : 4) !== undefined;
  const familyEvidence: Evidence[] = isDualStack ? [{ text: `${who} opens its own connection to the backend: a dual-stack controller may do so in either family; traced in IPv${family}, the client's` }] : [];
  const hops: Hop[] = [hop('ingress-controller', label, upstream, [controller.id, ...hopIds, ...backends.map((b) => b.service.id)], host.id, [...evidence, ...familyEvidence])];
  const total = backends.reduce((sum, b) => sum + b.weight, 0);
  const forks: Fork[] = [];
  for (const backend of backends) {
    const all = Object.values(ctx.topology.endpoints).filter((e) => e.service === backend.service.id);
    const usable = usableEndpoints(all, backend.port, family, 'Cluster', null);
    const weightText = backends.length > 1 ? `weight ${backend.weight} of ${total}; ` : '';
    if (usable.endpoints.length === 0) {
      const why = whyNoEndpoint(ctx, backend.service, backend.port, all, family, 'Cluster', null, 'internalTrafficPolicy');
      forks.push({ label: serviceLabel(backend.service), selection: `${weightText}the rule's backend`, endpoint: null, pod: null, node: null, outcome: end([], 'no-endpoints', `${who} answers 503: ${serviceLabel(backend.service)} has no ready endpoint, as ${why.text}.`) });
      continue;
    }
    for (const [i, endpoint] of usable.endpoints.entries()) {
      const port = endpointPort(endpoint, backend.port) ?? 0;
      const packet: Packet = { src: podAddress(controller, endpoint.address), dst: endpoint.address, dstPort: port, protocol: 'TCP' };
      const pod = endpoint.pod ? (ctx.topology.pods[endpoint.pod] ?? null) : null;
      const pick = hop('endpoint', `${who} picks endpoint ${joinHostPort(endpoint.address, port)} of ${serviceLabel(backend.service)}`, packet, [backend.service.id, endpoint.id, controller.id], host.id, [
        { text: `${who} reads the Service's EndpointSlices and connects to a pod directly, not through the ClusterIP`, object: backend.service.id, command: endpointSlicesCommand(backend.service) },
      ]);
      const left = leavePod(ctx, controller, null, packet);
      const bridged = ctx.cni.podAttachment === 'bridge' || ctx.cni.podAttachment === 'ovs' ? controller : null;
      const delivered = deliver(ctx, { host, packet, bridgedFrom: controller.isHostNetwork ? null : bridged }, controller, targetForAddress(ctx, endpoint.address, pod));
      forks.push({
        label: `${serviceLabel(backend.service)} → ${joinHostPort(endpoint.address, port)}${pod ? ` (${podLabel(pod)})` : ''}`,
        selection: `${weightText}${who} balances over the ${usable.endpoints.length} ready endpoint${usable.endpoints.length === 1 ? '' : 's'} itself${who === 'ingress-nginx' ? ' (load-balance: round_robin by default)' : ''}, endpoint ${i + 1} of ${usable.endpoints.length}`,
        endpoint: endpoint.id,
        pod: pod?.id ?? null,
        node: pod?.host ?? null,
        outcome: { ...delivered, hops: [pick, ...left, ...delivered.hops] },
      });
    }
  }
  return { hops, forks };
}

/** Reaches the controller (from outside through its Service's LoadBalancer or NodePort, from
 * inside through its ClusterIP) and goes on from its pods. */
function throughController(ctx: Ctx, sender: Sender, controllerService: ServiceRecord, port: number, prefix: Hop[], onArrive: OnArrive, entryAddress: string | null): Outcome {
  if (sender.kind === 'external') {
    // An address of the trace's family; one of the other only is for serviceFromOutside to refuse.
    const lb = entryAddress ?? entryIn(controllerService.loadBalancerIngress, ctx.family) ?? controllerService.loadBalancerIngress[0] ?? null;
    if (lb) {
      const outcome = serviceFromOutside(ctx, sender.ip, controllerService, port, { kind: 'load-balancer', address: lb }, onArrive);
      return { ...outcome, hops: [...prefix, ...outcome.hops] };
    }
    const host = Object.values(ctx.topology.hosts).find((h) => h.isReady);
    const svcPort = servicePortFor(controllerService, port, undefined, 'cluster-ip');
    if (host && svcPort?.nodePort) {
      const address = inFamily(host.externalIPs, ctx.family) ?? nodeAddressIn(host, ctx.family);
      const outcome = serviceFromOutside(ctx, sender.ip, controllerService, svcPort.nodePort, { kind: 'node-port', host, address }, onArrive);
      return { ...outcome, hops: [...prefix, ...outcome.hops] };
    }
    return end(prefix, 'no-route', `${serviceLabel(controllerService)} (the controller's Service) has no LoadBalancer address or NodePort: nothing brings outside traffic to it.`);
  }
  return serviceFromInside(ctx, sender, controllerService, port, null, prefix, null, onArrive);
}

export function ingressFlow(ctx: Ctx, sender: Sender, to: Extract<Endpoint, { kind: 'ingress' }>, port: number | undefined, prefix: Hop[]): Outcome {
  const { ingress, rule } = to;
  const requestPort = port ?? (to.host !== null && ingress.tlsHosts.includes(to.host) && to.port === 443 ? 443 : 80);
  if (!rule) return end(prefix, 'no-route', `No rule of ingress ${ingress.namespace}/${ingress.name} matches ${to.host ?? '*'}${to.path}: the controller answers from its default backend (404).`);
  const backend = ctx.topology.services[rule.service];
  if (!backend) return end(prefix, 'no-route', `Ingress ${ingress.namespace}/${ingress.name} sends ${rule.host ?? '*'}${rule.path ?? '/'} to ${rule.service.slice(4)}, which does not exist.`);
  const backendSvcPort = backendPort(backend, rule.port);
  if (!backendSvcPort) return end(prefix, 'no-route', `Ingress ${ingress.namespace}/${ingress.name} names port ${rule.port ?? '?'} of ${serviceLabel(backend)}, which has no such port.`);
  const join = ingress.controllerJoin;
  const pods = (join?.pods ?? []).map((id) => ctx.topology.pods[id]).filter((p): p is PodRecord => p !== undefined && p.ips.length > 0);
  const services = (join?.services ?? []).map((id) => ctx.topology.services[id]).filter((s): s is ServiceRecord => s !== undefined);
  const controllerService =
    services.find((s) => s.type === 'LoadBalancer' && s.ports.some((p) => p.port === requestPort)) ??
    services.find((s) => s.type === 'NodePort' && s.ports.some((p) => p.port === requestPort)) ??
    services.find((s) => s.ports.some((p) => p.port === requestPort)) ??
    null;
  if (pods.length === 0 || !controllerService) {
    return end(prefix, 'no-route', `The controller of ingress ${ingress.namespace}/${ingress.name} (class ${ingress.className ?? 'none'}) is not found in the cluster: ${join?.evidence ?? 'no IngressClass join'}${pods.length > 0 ? '; none of its Services serves port ' + requestPort : ''}.`);
  }
  const who = controllerName(ingress);
  const onArrive: OnArrive = (controller, host) =>
    proxyToBackends(
      ctx,
      controller,
      host,
      `${who} in ${podLabel(controller)}: ${rule.host ?? '*'} ${rule.path ?? '/'} (${rule.pathType ?? 'default backend'}) of ingress ${ingress.namespace}/${ingress.name} → ${serviceLabel(backend)}:${backendSvcPort.port}`,
      [ingress.id],
      [
        { text: `ingress ${ingress.namespace}/${ingress.name}: host ${rule.host ?? '(any)'}, path ${rule.path ?? '(default backend)'} ${rule.pathType ?? ''} → ${rule.service.slice(4)} port ${rule.port ?? ''}`, object: ingress.id, field: 'spec.rules', command: describeCommand('ingress', ingress) },
        { text: join?.evidence ?? '', object: ingress.id },
        ...(to.host && ingress.tlsHosts.includes(to.host) && requestPort === 443 ? [{ text: `TLS for ${to.host} ends here: the controller decrypts, then opens a plain connection to the backend` }] : []),
      ],
      [{ service: backend, port: backendSvcPort, weight: 1 }],
      who,
    );
  return throughController(ctx, sender, controllerService, requestPort, prefix, onArrive, sender.kind === 'external' ? (entryIn(to.ingress.loadBalancerIngress, ctx.family) ?? null) : null);
}

export function gatewayFlow(ctx: Ctx, sender: Sender, to: Extract<Endpoint, { kind: 'gateway' }>, port: number | undefined, prefix: Hop[]): Outcome {
  const { gateway } = to;
  const route: HTTPRouteRecord | null = to.route;
  const rule = route?.rules[to.ruleIndex];
  if (!route || !rule) return end(prefix, 'no-route', `No HTTPRoute attached to gateway ${gateway.namespace}/${gateway.name} matches ${to.host ?? '*'}${to.path}: the gateway answers 404.`);
  const backends = rule.backends
    .map((b) => {
      const service = ctx.topology.services[b.service];
      const svcPort = service ? backendPort(service, b.port) : null;
      return service && svcPort ? { service, port: svcPort, weight: b.weight } : null;
    })
    .filter((b): b is NonNullable<typeof b> => b !== null && b.weight > 0);
  if (backends.length === 0) return end(prefix, 'no-route', `HTTPRoute ${route.namespace}/${route.name} rule ${to.ruleIndex} has no backend Service that exists.`);
  const service = gateway.service ? ctx.topology.services[gateway.service] : undefined;
  if (!service) return end(prefix, 'no-route', `gateway ${gateway.namespace}/${gateway.name} has no Service in the cluster: ${gateway.evidence}`);
  const requestPort = port ?? gateway.listeners.find((l) => l.protocol === 'HTTP')?.port ?? 80;
  const who = `gateway ${gateway.namespace}/${gateway.name} (${gateway.className})`;
  const onArrive: OnArrive = (proxy, host) =>
    proxyToBackends(
      ctx,
      proxy,
      host,
      `${who} in ${podLabel(proxy)}: HTTPRoute ${route.namespace}/${route.name} rule ${to.ruleIndex} (${rule.paths.join(', ') || 'any path'}) → ${backends.map((b) => serviceLabel(b.service)).join(', ')}`,
      [gateway.id, route.id],
      [{ text: `HTTPRoute ${route.namespace}/${route.name}: hostnames ${route.hostnames.join(', ') || '(any)'}, rule ${to.ruleIndex}`, object: route.id, field: 'spec.rules', command: describeCommand('httproute', route) }, { text: gateway.evidence, object: gateway.id }],
      backends,
      `gateway ${gateway.name}`,
    );
  return throughController(ctx, sender, service, requestPort, prefix, onArrive, sender.kind === 'external' ? (entryIn(gateway.addresses, ctx.family) ?? null) : null);
}
