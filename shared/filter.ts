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
 * - Nodes (issue 11, "Show only this node"): the chosen nodes with their devices, the pods on
 *   them, the Services with an endpoint among those pods and the Ingresses routing to them.
 * - A search (issue 11, "Show only these"): what the search box matches (shared/search: names,
 *   `namespace/name`, label selectors, IPs, CIDRs), asked afresh of every topology so that a pod
 *   that comes and matches is shown, with the nodes the matching pods and devices are on.
 *
 * The namespace records themselves are always kept: namespace colours are assigned over the
 * names, and must not change when a filter changes.
 */
import type { ContainerRecord, Device, EndpointRecord, ExternalRecord, Host, Id, IngressRecord, PodRecord, ServiceRecord, Topology, VethRecord } from './model/types.ts';
import { search } from './search/search.ts';

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
  /** The nodes to show, by name; null shows every node. */
  nodes: string[] | null;
  /** Only what this search query matches; null: no search filter. */
  search: string | null;
}

export const noFilters: GraphFilters = {
  namespaces: null,
  hideSystemNamespaces: false,
  kinds: { pods: true, services: true, ingresses: true, devices: true },
  problemsOnly: false,
  nodes: null,
  search: null,
};

export function isFiltering(filters: GraphFilters): boolean {
  const { kinds } = filters;
  return (
    filters.namespaces !== null ||
    filters.hideSystemNamespaces ||
    filters.problemsOnly ||
    filters.nodes !== null ||
    filters.search !== null ||
    !kinds.pods ||
    !kinds.services ||
    !kinds.ingresses ||
    !kinds.devices
  );
}

/** How many filters differ from "show everything" (the badge on the Filters button). */
export function activeFilterCount(filters: GraphFilters): number {
  const kinds = Object.values(filters.kinds).filter((shown) => !shown).length;
  const flags = [filters.namespaces !== null, filters.hideSystemNamespaces, filters.problemsOnly, filters.nodes !== null, filters.search !== null];
  return flags.filter(Boolean).length + kinds;
}

const systemNamespaceNames = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** Whether a namespace is a system one: its record says so; a name without a record (Namespaces
 * not readable) is judged by the usual `kube-` prefix. */
export function isSystemNamespace(topology: Topology, name: string): boolean {
  const record = topology.namespaces[`ns:${name}`];
  return record ? record.isSystem : systemNamespaceNames.has(name) || name.startsWith('kube-');
}

/** Whether the namespace filters show a namespace: chosen, and not hidden as a system one. */
export function isNamespaceShown(filters: GraphFilters, name: string, isSystem: boolean): boolean {
  return (filters.namespaces === null || filters.namespaces.includes(name)) && !(isSystem && filters.hideSystemNamespaces);
}

/**
 * The filters after ticking or unticking one namespace of the list (`choices`, from
 * namespaceChoices), so that every box reads as what is shown. Ticking a system namespace while
 * system namespaces are hidden shows it and keeps the others as they were shown: hiding system
 * namespaces is turned off and the namespaces shown are listed instead. The list is null again
 * when every namespace is chosen.
 */
export function toggleNamespace(filters: GraphFilters, choices: readonly { name: string; isSystem: boolean }[], name: string): GraphFilters {
  const choice = choices.find((c) => c.name === name);
  if (!choice) return filters;
  const isShowing = !isNamespaceShown(filters, name, choice.isSystem);
  const hideSystemNamespaces = filters.hideSystemNamespaces && !(isShowing && choice.isSystem);
  // With the system flag lifted, the list names what was shown; else it stays the list it was.
  const wasChosen = (c: { name: string; isSystem: boolean }): boolean =>
    hideSystemNamespaces === filters.hideSystemNamespaces ? filters.namespaces === null || filters.namespaces.includes(c.name) : isNamespaceShown(filters, c.name, c.isSystem);
  const chosen = new Set(choices.filter(wasChosen).map((c) => c.name));
  if (isShowing) chosen.add(name);
  else chosen.delete(name);
  const namespaces = choices.every((c) => chosen.has(c.name)) ? null : choices.filter((c) => chosen.has(c.name)).map((c) => c.name);
  return { ...filters, hideSystemNamespaces, namespaces };
}

/** The model ids a search query matches, unlimited: what "Highlight all" marks and a search filter keeps. */
export function searchMatches(topology: Topology, query: string): Set<Id> {
  const ids = new Set<Id>();
  for (const result of search(topology, query, { limit: Infinity })) if (result.kind !== 'ip' && result.kind !== 'invalid') ids.add(result.id);
  return ids;
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
 * for consumers that apply deltas (the graph's element index). Some verdicts read sets over the
 * whole topology ("problems only": Services with a ready endpoint, the pods behind broken
 * Services, the hosts of kept pods; nodes: the Services with an endpoint on them; a search: what
 * it matches and the hosts of the matches); they are computed once per view and exposed so that a
 * consumer can tell which records a delta changed the verdict of.
 */
export interface FilterView {
  readonly topology: Topology;
  readonly filters: GraphFilters;
  readonly isFiltering: boolean;
  /** The sets over the whole topology the verdicts read, in an order the filters fix: two views
   * with the same filters list the same sets, so a consumer compares them pairwise. */
  readonly wholeSets: readonly ReadonlySet<Id>[];
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
  const wholeSets: ReadonlySet<Id>[] = [];

  const chosenNodes = filters.nodes === null ? null : new Set(filters.nodes);
  const onChosenNode = (host: Id | null): boolean => !chosenNodes || (host !== null && chosenNodes.has(topology.hosts[host]?.name ?? ''));
  let servedHere: Set<Id> | null = null;
  if (chosenNodes) {
    servedHere = new Set();
    for (const endpoint of Object.values(topology.endpoints)) {
      const behind = endpoint.pod ? topology.pods[endpoint.pod] : undefined;
      if (behind && onChosenNode(behind.host)) servedHere.add(endpoint.service);
    }
    wholeSets.push(servedHere);
  }
  const matched = filters.search === null ? null : searchMatches(topology, filters.search);
  if (matched) wholeSets.push(matched);
  const isMatch = (id: Id): boolean => !matched || matched.has(id);

  const { kinds } = filters;
  const baseService = (s: ServiceRecord): boolean => kinds.services && namespace(s.namespace) && isMatch(s.id) && (!servedHere || servedHere.has(s.id));
  const basePod = (p: PodRecord): boolean => kinds.pods && namespace(p.namespace) && onChosenNode(p.host) && isMatch(p.id);

  // A search keeps the nodes its matching pods and devices are on, or they would have no box.
  const matchHosts = new Set<Id>();
  if (matched) {
    for (const id of matched) {
      const record = topology.pods[id] ?? topology.devices[id];
      if (record?.kind === 'pod' && record.host && basePod(record)) matchHosts.add(record.host);
      if (record?.kind === 'device') matchHosts.add(record.host);
    }
    wholeSets.push(matchHosts);
  }

  let problems: { readyServices: ReadonlySet<Id>; behind: ReadonlySet<Id>; neededHosts: ReadonlySet<Id> } | null = null;
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
    wholeSets.push(readyServices, behind, neededHosts);
  }

  const service = (s: ServiceRecord): boolean => baseService(s) && (!problems || isProblemService(s, problems.readyServices));
  const pod = (p: PodRecord): boolean => basePod(p) && (!problems || isProblemPod(p) || problems.behind.has(p.id));
  const host = (h: Host): boolean =>
    onChosenNode(h.id) && (!problems || !h.isReady || problems.neededHosts.has(h.id)) && (isMatch(h.id) || matchHosts.has(h.id));
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
  // Ingresses follow the Services they route to when the filters pick Services by what is behind them.
  const isPickingServices = problems !== null || chosenNodes !== null;
  return {
    topology,
    filters,
    isFiltering: isFiltering(filters),
    wholeSets,
    namespace,
    host,
    device: (d) => kinds.devices && isShownHost(d.host),
    pod,
    container: (c) => isShownPod(c.pod),
    veth: (v) => kinds.devices && isShownPod(v.pod) && isShownHost(v.host),
    service,
    endpoint: (e) => isShownService(e.service),
    ingress: (i) => kinds.ingresses && namespace(i.namespace) && isMatch(i.id) && (!isPickingServices || i.rules.some((rule) => isShownService(rule.service))),
    // The Internet is drawn only when something kept is exposed to it.
    external: () => !problems && !chosenNodes && !matched,
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
    // Cluster-scoped: no namespace to filter by.
    adminPolicies: topology.adminPolicies,
    // The CNI policies are kept whole too: a GlobalNetworkPolicy or a clusterwide policy decides
    // flows in every namespace.
    cniPolicies: topology.cniPolicies,
  };
  if (!byFilters) {
    byFilters = new Map();
    cache.set(topology, byFilters);
  }
  byFilters.set(key, result);
  return result;
}
