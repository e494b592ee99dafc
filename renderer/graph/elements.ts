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
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import { isExposedService } from '../../shared/model/relations.ts';
import { internetId, type Id, type PodRecord, type Topology } from '../../shared/model/types.ts';
import { hostOrder, sceneOf, type Built, type Scene } from './element-builders.ts';
import { buildOwner, type OwnerFacts } from './element-owners.ts';
import { namespaceGroupId, serviceGroupId, tunnelsOwner, unscheduledGroupId, type GraphElement, type Grouping } from './element-types.ts';

const byNamespacedName = <T extends { name: string; namespace: string }>(a: T, b: T): number =>
  compare(a.namespace, b.namespace) || compare(a.name, b.name);

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
  const hosts = Object.values(topology.hosts).filter(view.host).sort(hostOrder);
  const shownHosts = new Set(hosts.map((h) => h.id));
  const pods = Object.values(topology.pods).filter(view.pod).sort(byNamespacedName);
  const services = Object.values(topology.services).filter(view.service).sort(byNamespacedName);
  const ingresses = Object.values(topology.ingresses).filter(view.ingress).sort(byNamespacedName);
  const podsByHost = new Map<Id, PodRecord[]>();
  const unscheduled: PodRecord[] = [];
  const contents = new Map<string, { pods: number; hasServices: boolean }>();
  const contentsOf = (namespace: string) => contents.get(namespace) ?? contents.set(namespace, { pods: 0, hasServices: false }).get(namespace)!;
  for (const pod of pods) {
    contentsOf(pod.namespace).pods++;
    if (pod.host && shownHosts.has(pod.host)) {
      const list = podsByHost.get(pod.host);
      if (list) list.push(pod);
      else podsByHost.set(pod.host, [pod]);
    } else {
      unscheduled.push(pod);
    }
  }
  for (const service of services) contentsOf(service.namespace).hasServices = true;
  const hasInternet = services.some(isExposedService) || ingresses.length > 0;
  const facts: OwnerFacts = {
    podsOn: (host) => podsByHost.get(host.id) ?? [],
    unscheduledPods: () => unscheduled,
    namespaceContents: (namespace) => contents.get(namespace) ?? { pods: 0, hasServices: false },
    hasInternet: () => hasInternet,
  };

  const nodes: GraphElement[] = [];
  const edges = { veth: [] as GraphElement[], endpoint: [] as GraphElement[], backend: [] as GraphElement[], ingressExposure: [] as GraphElement[], serviceExposure: [] as GraphElement[] };
  const take = (owner: string, into: (edge: GraphElement) => GraphElement[] = () => edges.veth): void => {
    const built = buildOwner(scene, owner, facts);
    own?.(owner, built);
    nodes.push(...built.nodes);
    for (const edge of built.edges) into(edge).push(edge);
  };
  for (const host of hosts) {
    take(host.id);
    if (!byNamespace) for (const pod of podsByHost.get(host.id) ?? []) take(pod.id);
  }
  if (byNamespace) {
    for (const namespace of [...contents.keys()].sort(compare)) take(namespaceGroupId(namespace));
    for (const pod of pods) take(pod.id);
  } else {
    take(unscheduledGroupId);
    for (const pod of unscheduled) take(pod.id);
    for (const namespace of new Set(services.map((s) => s.namespace))) take(serviceGroupId(namespace));
  }
  for (const service of services) take(service.id, () => edges.serviceExposure);
  take(internetId);
  for (const ingress of ingresses) take(ingress.id, (edge) => (edge.data.kind === 'backend' ? edges.backend : edges.ingressExposure));
  for (const endpoint of Object.values(topology.endpoints).sort((a, b) => compare(a.id, b.id))) take(endpoint.id, () => edges.endpoint);
  const tunnels: GraphElement[] = [];
  take(tunnelsOwner, () => tunnels);
  return [...nodes, ...edges.veth, ...tunnels, ...edges.endpoint, ...edges.backend, ...edges.ingressExposure, ...edges.serviceExposure];
}
