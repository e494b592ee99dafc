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
import type { Id, PodRecord, ServiceRecord, Topology } from './model/types.ts';

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

type Collection<T> = Record<Id, T>;

function keep<T>(records: Collection<T>, test: (record: T) => boolean): Collection<T> {
  const out: Collection<T> = {};
  for (const [id, record] of Object.entries(records)) if (test(record)) out[id] = record;
  return out;
}

const cache = new WeakMap<Topology, Map<string, Topology>>();

/**
 * The topology with only what the filters let through. Without any filter it is the same
 * object; otherwise the result is cached per topology and filter settings, so the element
 * generator's own cache (by topology object) keeps working.
 */
export function filterTopology(topology: Topology, filters: GraphFilters): Topology {
  if (!isFiltering(filters)) return topology;
  const key = JSON.stringify(filters);
  let byFilters = cache.get(topology);
  const cached = byFilters?.get(key);
  if (cached) return cached;
  const result = computeFiltered(topology, filters);
  if (!byFilters) {
    byFilters = new Map();
    cache.set(topology, byFilters);
  }
  byFilters.set(key, result);
  return result;
}

function computeFiltered(topology: Topology, filters: GraphFilters): Topology {
  const chosen = filters.namespaces === null ? null : new Set(filters.namespaces);
  const systemCache = new Map<string, boolean>();
  const isShownNamespace = (name: string): boolean => {
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

  let pods = kinds.pods ? keep(topology.pods, (p) => isShownNamespace(p.namespace)) : {};
  let services = kinds.services ? keep(topology.services, (s) => isShownNamespace(s.namespace)) : {};
  let endpoints = keep(topology.endpoints, (e) => services[e.service] !== undefined);
  let ingresses = kinds.ingresses ? keep(topology.ingresses, (i) => isShownNamespace(i.namespace)) : {};
  let hosts = topology.hosts;
  let external = topology.external;

  if (filters.problemsOnly) {
    const readyServices = new Set<Id>();
    for (const endpoint of Object.values(topology.endpoints)) if (endpoint.isReady) readyServices.add(endpoint.service);
    services = keep(services, (s) => isProblemService(s, readyServices));
    endpoints = keep(endpoints, (e) => services[e.service] !== undefined);
    // The pods behind a broken Service's endpoints are drawn too, or its edges would go nowhere.
    const behind = new Set<Id>();
    for (const endpoint of Object.values(endpoints)) if (endpoint.pod) behind.add(endpoint.pod);
    pods = keep(pods, (p) => isProblemPod(p) || behind.has(p.id));
    ingresses = keep(ingresses, (i) => i.rules.some((rule) => services[rule.service] !== undefined));
    const neededHosts = new Set<Id>();
    for (const pod of Object.values(pods)) if (pod.host) neededHosts.add(pod.host);
    hosts = keep(hosts, (h) => !h.isReady || neededHosts.has(h.id));
    // The Internet is drawn only when something kept is exposed to it.
    external = {};
  }

  const devices = kinds.devices ? keep(topology.devices, (d) => hosts[d.host] !== undefined) : {};
  const containers = keep(topology.containers, (c) => pods[c.pod] !== undefined);
  const veths = kinds.devices ? keep(topology.veths, (v) => pods[v.pod] !== undefined && hosts[v.host] !== undefined) : {};

  return {
    cluster: topology.cluster,
    namespaces: topology.namespaces,
    hosts,
    devices,
    pods,
    containers,
    veths,
    services,
    endpoints,
    ingresses,
    policies: keep(topology.policies, (p) => isShownNamespace(p.namespace)),
    external,
    gateways: keep(topology.gateways, (g) => isShownNamespace(g.namespace)),
    httpRoutes: keep(topology.httpRoutes, (r) => isShownNamespace(r.namespace)),
  };
}
