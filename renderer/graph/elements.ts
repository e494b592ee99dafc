/**
 * The model (shared/model) as cytoscape element definitions: a pure function with no DOM, so
 * the same input always gives the same elements, in the same order.
 *
 * What is drawn (design §1, §3):
 *   - a Host is a compound box holding its root-netns devices and its pods; hostNetwork pods sit
 *     in the host box directly (they share the root netns), other pods are netns boxes holding
 *     their containers; unscheduled pods go in an "Unscheduled" box;
 *   - a veth edge joins each pod that has a veth to its host's bridge, or, for routed CNIs, to a
 *     "routes" node standing for the /32 routes in the root netns;
 *   - tunnel edges join the tunnel devices of the hosts (overlay CNIs);
 *   - Services sit outside the hosts, grouped by namespace, with an edge to every endpoint pod;
 *     Ingresses point at their backend Services; the Internet points at Ingresses and at
 *     LoadBalancer Services.
 * Each element is built by its owner's function in element-builders.ts.
 */
import { filterView, noFilters, type GraphFilters } from '../../shared/filter.ts';
import { isExposedService } from '../../shared/model/relations.ts';
import { internetId, type Host, type Id, type PodRecord, type Topology } from '../../shared/model/types.ts';
import {
  endpointElements,
  hostElements,
  ingressElements,
  internetElements,
  namespaceGroupElements,
  podElements,
  serviceElements,
  serviceGroupElements,
  tunnelElements,
  unscheduledElements,
  type Built,
  type Scene,
} from './element-builders.ts';
import { namespaceGroupId, serviceGroupId, tunnelsOwner, unscheduledGroupId, type GraphElement, type Grouping } from './element-types.ts';
import { namespaceColors } from './palette.ts';

/** Hosts in natural order (node-2 before node-10), as people number their nodes. */
export function hostOrder(a: Host, b: Host): number {
  return naturalOrder.compare(a.name, b.name) || compare(a.name, b.name);
}

const byNamespacedName = <T extends { name: string; namespace: string }>(a: T, b: T): number =>
  compare(a.namespace, b.namespace) || compare(a.name, b.name);

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The scene the builders draw from: the topology, the filters' verdicts, the grouping. */
export function sceneOf(topology: Topology, grouping: Grouping, filters: GraphFilters = noFilters): Scene {
  return { topology, view: filterView(topology, filters), grouping, colors: namespaceColors(topology) };
}

/**
 * The whole picture, every owner built once, in a deterministic order whatever the order of the
 * input: hosts with their devices and pods, then the group boxes, Services, the Internet and
 * Ingresses; then edges by kind (veths, tunnels, endpoints, backends, exposures). Used for a new
 * picture; live updates go through element-index.ts, which builds only what a delta touches.
 */
export function toGraphElements(topology: Topology, grouping: Grouping = 'node', filters: GraphFilters = noFilters): GraphElement[] {
  return buildAll(sceneOf(topology, grouping, filters));
}

/**
 * Builds every owner of the scene; `own` hears each owner with what it built (the element index
 * keeps them), in the order the picture lists them.
 */
export function buildAll(scene: Scene, own?: (owner: string, built: Built) => void): GraphElement[] {
  const { topology, view, grouping } = scene;
  const byNamespace = grouping === 'namespace';
  const nodes: GraphElement[] = [];
  const edges = { veth: [] as GraphElement[], endpoint: [] as GraphElement[], backend: [] as GraphElement[], ingressExposure: [] as GraphElement[], serviceExposure: [] as GraphElement[] };
  const take = (owner: string, built: Built, into: GraphElement[] = edges.veth): void => {
    own?.(owner, built);
    nodes.push(...built.nodes);
    into.push(...built.edges);
  };

  const hosts = Object.values(topology.hosts).filter(view.host).sort(hostOrder);
  const shownHosts = new Set(hosts.map((h) => h.id));
  const pods = Object.values(topology.pods).filter(view.pod).sort(byNamespacedName);
  const podsByHost = new Map<Id, PodRecord[]>();
  const unscheduled: PodRecord[] = [];
  for (const pod of pods) {
    if (pod.host && shownHosts.has(pod.host)) {
      const list = podsByHost.get(pod.host);
      if (list) list.push(pod);
      else podsByHost.set(pod.host, [pod]);
    } else {
      unscheduled.push(pod);
    }
  }

  for (const host of hosts) {
    const hostPods = podsByHost.get(host.id) ?? [];
    take(host.id, hostElements(scene, host, hostPods));
    if (!byNamespace) for (const pod of hostPods) take(pod.id, podElements(scene, pod));
  }
  const services = Object.values(topology.services).filter(view.service).sort(byNamespacedName);
  if (byNamespace) {
    const namespaces = [...new Set([...pods.map((p) => p.namespace), ...services.map((s) => s.namespace)])].sort(compare);
    const podCounts = new Map<string, number>();
    for (const pod of pods) podCounts.set(pod.namespace, (podCounts.get(pod.namespace) ?? 0) + 1);
    for (const namespace of namespaces) take(namespaceGroupId(namespace), namespaceGroupElements(scene, namespace, podCounts.get(namespace) ?? 0));
    for (const pod of pods) take(pod.id, podElements(scene, pod));
  } else {
    take(unscheduledGroupId, unscheduledElements(unscheduled));
    for (const pod of unscheduled) take(pod.id, podElements(scene, pod));
    for (const namespace of new Set(services.map((s) => s.namespace))) take(serviceGroupId(namespace), serviceGroupElements(scene, namespace));
  }
  for (const service of services) take(service.id, serviceElements(scene, service), edges.serviceExposure);

  const ingresses = Object.values(topology.ingresses).filter(view.ingress).sort(byNamespacedName);
  const external = topology.external[internetId];
  take(internetId, internetElements(scene, (external !== undefined && view.external(external)) || services.some(isExposedService) || ingresses.length > 0));
  for (const ingress of ingresses) {
    const built = ingressElements(scene, ingress);
    own?.(ingress.id, built);
    nodes.push(...built.nodes);
    for (const edge of built.edges) (edge.data.kind === 'backend' ? edges.backend : edges.ingressExposure).push(edge);
  }
  const endpoints = Object.values(topology.endpoints).sort((a, b) => compare(a.id, b.id));
  for (const endpoint of endpoints) take(endpoint.id, endpointElements(scene, endpoint), edges.endpoint);
  const tunnels = tunnelElements(scene, hosts);
  own?.(tunnelsOwner, tunnels);
  return [...nodes, ...edges.veth, ...tunnels.edges, ...edges.endpoint, ...edges.backend, ...edges.ingressExposure, ...edges.serviceExposure];
}
