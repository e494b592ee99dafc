/**
 * What hovering an element says (issue 11, "the first ten seconds"): its name, addresses and
 * state in a line or two, and one line of why it matters to traffic — so a glance answers what a
 * click into the details panel would. Pure: from the model and the drawn element.
 */
import { nodeNameOf } from '../../shared/describe/records.ts';
import { servicePortText } from '../../shared/model/text.ts';
import type { EndpointRecord, Topology } from '../../shared/model/types.ts';
import type { GraphElement } from './element-types.ts';

export interface HoverText {
  title: string;
  lines: string[];
  /** Why it matters to traffic, when there is something to say. */
  why: string | null;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function endpointsOf(topology: Topology, service: string): EndpointRecord[] {
  return Object.values(topology.endpoints).filter((e) => e.service === service);
}

export function hoverText(topology: Topology, element: GraphElement): HoverText | null {
  const model = element.data.model;
  const { data } = element;
  if (data.kind === 'fold' || data.kind === 'unscheduled' || data.kind === 'service-group' || data.kind === 'namespace') {
    const [title = '', ...lines] = data.label.split('\n');
    return { title, lines, why: data.kind === 'fold' ? 'Click to open it and zoom in on it.' : null };
  }
  if (!model) return data.kind === 'tunnel' ? { title: `${data.label} overlay`, lines: ['Pod traffic between nodes is encapsulated through these devices.'], why: null } : null;

  const pod = topology.pods[model];
  if (pod) {
    const node = nodeNameOf(topology, pod.host);
    const services = new Set(Object.values(topology.endpoints).filter((e) => e.pod === pod.id).map((e) => e.service));
    const state = pod.isReady ? 'ready' : 'not ready';
    let why: string | null = null;
    if (!pod.isReady && services.size > 0) why = `Not ready: ${services.size === 1 ? 'the Service it backs sends' : `the ${services.size} Services it backs send`} it no new connections.`;
    else if (services.size > 0) why = `Behind ${[...services].map((s) => topology.services[s]?.name ?? s).join(', ')}.`;
    else if (pod.isHostNetwork) why = "Host network: it shares its node's addresses and is outside NetworkPolicy.";
    return {
      title: `pod ${pod.namespace}/${pod.name}`,
      lines: [`${pod.ips.length > 0 ? pod.ips.join(', ') : 'no IP'}${node ? ` on ${node}` : ' · not scheduled'}`, `${pod.phase} · ${state}`],
      why,
    };
  }
  const container = topology.containers[model];
  if (container) {
    const ports = container.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ');
    return { title: `container ${container.name}${container.role === 'app' ? '' : ` (${container.role})`}`, lines: [container.image ?? 'image unknown', ports ? `ports ${ports}` : 'no declared ports'], why: container.isReady ? null : 'Not ready.' };
  }
  const service = topology.services[model];
  if (service) {
    const endpoints = endpointsOf(topology, service.id);
    const ready = endpoints.filter((e) => e.isReady).length;
    const address = service.isHeadless ? 'headless' : service.type === 'ExternalName' ? `ExternalName ${service.externalName ?? ''}` : service.clusterIPs.join(', ') || 'no ClusterIP';
    let why: string | null = null;
    if (service.type !== 'ExternalName') why = ready === 0 ? 'No ready endpoint: connections to it fail.' : `${ready} of ${plural(endpoints.length, 'endpoint')} ready.`;
    return { title: `Service ${service.namespace}/${service.name} · ${service.type}`, lines: [address, service.ports.map(servicePortText).join(', ') || 'no ports'], why };
  }
  const host = topology.hosts[model];
  if (host && data.kind === 'host') {
    const pods = Object.values(topology.pods).filter((p) => p.host === host.id).length;
    return {
      title: `node ${host.name} · ${host.isReady ? 'Ready' : 'NotReady'}`,
      lines: [`InternalIP ${host.internalIPs.join(', ') || 'none'}`, `podCIDR ${host.podCIDRs.join(', ') || 'none'} · ${plural(pods, 'pod')}`],
      why: host.isReady ? null : 'NotReady: its pods may be unreachable.',
    };
  }
  const veth = topology.veths[model];
  if (veth) {
    return { title: `veth ${veth.hostEnd.name ?? '(host end unknown)'} ↔ eth0`, lines: [`host end ${veth.hostEnd.provenance}: ${veth.hostEnd.how}`], why: null };
  }
  const device = topology.devices[model];
  if (device) {
    return { title: `${device.type} ${device.name ?? '(name unknown)'}`, lines: [device.addresses.join(', ') || 'no address', `name ${device.nameProvenance}: ${device.evidence}`], why: null };
  }
  if (host) return { title: `node ${host.name}: root netns routes`, lines: data.label.split('\n').slice(1), why: null };
  const endpoint = topology.endpoints[model];
  if (endpoint) {
    const state = endpoint.isTerminating ? 'terminating' : endpoint.isReady ? 'ready' : 'not ready';
    return { title: `endpoint ${endpoint.address}`, lines: [`of ${topology.services[endpoint.service]?.name ?? endpoint.service} · ${state}`], why: endpoint.isReady ? null : 'kube-proxy sends it no new connections.' };
  }
  const ingress = topology.ingresses[model];
  if (ingress) {
    return { title: `Ingress ${ingress.namespace}/${ingress.name}`, lines: [...new Set(ingress.rules.map((r) => `${r.host ?? '*'}${r.path ?? '/'}`))].slice(0, 3), why: ingress.className ? `Served by the ${ingress.className} controller.` : null };
  }
  return { title: data.label.split('\n')[0] ?? model, lines: [], why: null };
}
