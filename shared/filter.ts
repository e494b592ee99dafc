/**
 * The graph's filters (issue 5, "Finding"): which namespaces, which kinds, and "problems only".
 * A pure step between the model and the element generator: it returns a smaller Topology, so
 * the canvas draws only what passes and no edge can point at something hidden.
 *
 * - A hidden namespace takes its pods (with their containers and veths), Services (with their
 *   endpoints), Ingresses, Gateways, HTTPRoutes and NetworkPolicies with it. Hosts stay: they
 *   hold the devices, which belong to no namespace.
 * - Kinds: pods (with containers and veths), Services (with endpoints), Ingresses, devices
 *   (with the veths that hang from them, whose other end would otherwise be drawn as a route
 *   table the CNI does not have, and the tunnels between them).
 * - "Problems only" keeps, among what the other filters let through: pods not Ready, Pending or
 *   without an IP; Services without a ready endpoint (ExternalName Services have none by design
 *   and are not problems) with their endpoints and the pods behind them; Ingresses routing to
 *   such a Service; hosts not Ready; and the hosts the kept pods run on. Forbidden kinds are not
 *   graph elements: the kinds status bar shows them whatever the filters say.
 *
 * The namespace records themselves are always kept: namespace colours are assigned over the
 * names, and must not change when a filter changes.
 */
import type { ContainerRecord, Device, EndpointRecord, ExternalRecord, Host, Id, IngressRecord, PodRecord, ServiceRecord, Topology, VethRecord } from './model/types.ts';

export interface KindFilters {
  pods: boolean;
  services: boolean;
  ingresses: boolean;
  devices: boolean;
}

export interface GraphFilters {
  /** The namespaces to show; null shows every namespace, including ones that appear later. */
  namespaces: string[] | null;
  hideSystemNamespaces: boolean;
  kinds: KindFilters;
  problemsOnly: boolean;
}

export const noFilters: GraphFilters = {
  namespaces: null,
  hideSystemNamespaces: false,
  kinds: { pods: true, services: true, ingresses: true, devices: true },
  problemsOnly: false,
};

export function isFiltering(filters: GraphFilters): boolean {
  const { kinds } = filters;
  return filters.namespaces !== null || filters.hideSystemNamespaces || filters.problemsOnly || !kinds.pods || !kinds.services || !kinds.ingresses || !kinds.devices;
}

/** How many filters differ from "show everything" (the badge on the Filters button). */
export function activeFilterCount(filters: GraphFilters): number {
  const kinds = Object.values(filters.kinds).filter((shown) => !shown).length;
  return (filters.namespaces !== null ? 1 : 0) + (filters.hideSystemNamespaces ? 1 : 0) + (filters.problemsOnly ? 1 : 0) + kinds;
}

const systemNamespaceNames = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** Whether a namespace is a system one: its record says so; a name without a record (Namespaces
 * not readable) is judged by the usual `kube-` prefix. */
export function isSystemNamespace(topology: Topology, name: string): boolean {
  const record = topology.namespaces[`ns:${name}`];
  return record ? record.isSystem : systemNamespaceNames.has(name) || name.startsWith('kube-');
}

/** Every namespace the topology mentions, sorted, each with whether it is a system one. */
export function namespaceChoices(topology: Topology): { name: string; isSystem: boolean }[] {
  const names = new Set<string>();
  for (const ns of Object.values(topology.namespaces)) names.add(ns.name);
  for (const pod of Object.values(topology.pods)) names.add(pod.namespace);
  for (const svc of Object.values(topology.services)) names.add(svc.namespace);
  for (const ing of Object.values(topology.ingresses)) names.add(ing.namespace);
  return [...names].sort().map((name) => ({ name, isSystem: isSystemNamespace(topology, name) }));
}

/** Pods that are not Ready, not yet running, or have no IP. */
export function isProblemPod(pod: PodRecord): boolean {
  return !pod.isReady || pod.phase === 'Pending' || pod.ips.length === 0;
}

/** A Service none of whose endpoints is ready (ExternalName Services have no endpoints by design). */
export function isProblemService(service: ServiceRecord, readyServices: ReadonlySet<Id>): boolean {
  return service.type !== 'ExternalName' && !readyServices.has(service.id);
}

/**
 * What the filters let through, one record at a time: the per-object form of `filterTopology`,
 * for consumers that apply deltas (the graph's element index). "Problems only" needs three sets
 * over the whole topology (Services with a ready endpoint, the pods behind broken Services, the
 * hosts of kept pods); they are computed once per view and exposed so that a consumer can tell
 * which records a delta changed the verdict of.
 */
export interface FilterView {
  readonly topology: Topology;
  readonly filters: GraphFilters;
  readonly isFiltering: boolean;
  /** Present only while "problems only" is on. */
  readonly problems: { readyServices: ReadonlySet<Id>; behind: ReadonlySet<Id>; neededHosts: ReadonlySet<Id> } | null;
  namespace(name: string): boolean;
  host(host: Host): boolean;
  device(device: Device): boolean;
  pod(pod: PodRecord): boolean;
  container(container: ContainerRecord): boolean;
  veth(veth: VethRecord): boolean;
  service(service: ServiceRecord): boolean;
  endpoint(endpoint: EndpointRecord): boolean;
  ingress(ingress: IngressRecord): boolean;
  external(external: ExternalRecord): boolean;
  /** Policies, Gateways and HTTPRoutes: by namespace alone. */
  namespaced<T extends { namespace: string }>(record: T): boolean;
}

export function filterView(topology: Topology, filters: GraphFilters): FilterView {
  const chosen = filters.namespaces === null ? null : new Set(filters.namespaces);
  const systemCache = new Map<string, boolean>();
  const namespace = (name: string): boolean => {
    if (chosen && !chosen.has(name)) return false;
    if (!filters.hideSystemNamespaces) return true;
    let isSystem = systemCache.get(name);
    if (isSystem === undefined) {
      isSystem = isSystemNamespace(topology, name);
      systemCache.set(name, isSystem);
    }
    return !isSystem;
  };
  const { kinds } = filters;
  const baseService = (s: ServiceRecord): boolean => kinds.services && namespace(s.namespace);
  const basePod = (p: PodRecord): boolean => kinds.pods && namespace(p.namespace);

  let problems: FilterView['problems'] = null;
  if (filters.problemsOnly) {
    const readyServices = new Set<Id>();
    for (const endpoint of Object.values(topology.endpoints)) if (endpoint.isReady) readyServices.add(endpoint.service);
    // The pods behind a broken Service's endpoints are drawn too, or its edges would go nowhere.
    const behind = new Set<Id>();
    for (const endpoint of Object.values(topology.endpoints)) {
      const service = topology.services[endpoint.service];
      if (endpoint.pod && service && baseService(service) && isProblemService(service, readyServices)) behind.add(endpoint.pod);
    }
    const neededHosts = new Set<Id>();
    for (const pod of Object.values(topology.pods)) if (pod.host && basePod(pod) && (isProblemPod(pod) || behind.has(pod.id))) neededHosts.add(pod.host);
    problems = { readyServices, behind, neededHosts };
  }

  const service = (s: ServiceRecord): boolean => baseService(s) && (!problems || isProblemService(s, problems.readyServices));
  const pod = (p: PodRecord): boolean => basePod(p) && (!problems || isProblemPod(p) || problems.behind.has(p.id));
  const host = (h: Host): boolean => !problems || !h.isReady || problems.neededHosts.has(h.id);
  const isShownHost = (id: Id): boolean => {
    const record = topology.hosts[id];
    return record !== undefined && host(record);
  };
  const isShownPod = (id: Id): boolean => {
    const record = topology.pods[id];
    return record !== undefined && pod(record);
  };
  const isShownService = (id: Id): boolean => {
    const record = topology.services[id];
    return record !== undefined && service(record);
  };
  return {
    topology,
    filters,
    isFiltering: isFiltering(filters),
    problems,
    namespace,
    host,
    device: (d) => kinds.devices && isShownHost(d.host),
    pod,
    container: (c) => isShownPod(c.pod),
    veth: (v) => kinds.devices && isShownPod(v.pod) && isShownHost(v.host),
    service,
    endpoint: (e) => isShownService(e.service),
    ingress: (i) => kinds.ingresses && namespace(i.namespace) && (!problems || i.rules.some((rule) => isShownService(rule.service))),
    // The Internet is drawn only when something kept is exposed to it.
    external: () => !problems,
    namespaced: <T extends { namespace: string }>(r: T) => namespace(r.namespace),
  };
}

/** How many pods the filters let through (the Filters panel's "Showing N of M"), without a copy. */
export function shownPodCount(topology: Topology, filters: GraphFilters): number {
  const view = filterView(topology, filters);
  let count = 0;
  for (const pod of Object.values(topology.pods)) if (view.pod(pod)) count++;
  return count;
}

type Collection<T> = Record<Id, T>;

function keep<T>(records: Collection<T>, test: (record: T) => boolean): Collection<T> {
  const out: Collection<T> = {};
  for (const [id, record] of Object.entries(records)) if (test(record)) out[id] = record;
  return out;
}

const cache = new WeakMap<Topology, Map<string, Topology>>();

/**
 * The topology with only what the filters let through. Without any filter it is the same
 * object; otherwise the result is cached per topology and filter settings.
 */
export function filterTopology(topology: Topology, filters: GraphFilters): Topology {
  if (!isFiltering(filters)) return topology;
  const key = JSON.stringify(filters);
  let byFilters = cache.get(topology);
  const cached = byFilters?.get(key);
  if (cached) return cached;
  const view = filterView(topology, filters);
  const result: Topology = {
    cluster: topology.cluster,
    namespaces: topology.namespaces,
    hosts: keep(topology.hosts, view.host),
    devices: keep(topology.devices, view.device),
    pods: keep(topology.pods, view.pod),
    containers: keep(topology.containers, view.container),
    veths: keep(topology.veths, view.veth),
    services: keep(topology.services, view.service),
    endpoints: keep(topology.endpoints, view.endpoint),
    ingresses: keep(topology.ingresses, view.ingress),
    policies: keep(topology.policies, view.namespaced),
    external: keep(topology.external, view.external),
    gateways: keep(topology.gateways, view.namespaced),
    httpRoutes: keep(topology.httpRoutes, view.namespaced),
  };
  if (!byFilters) {
    byFilters = new Map();
    cache.set(topology, byFilters);
  }
  byFilters.set(key, result);
  return result;
}
