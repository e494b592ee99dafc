/**
 * Which of a Service's endpoints kube-proxy programs, as pkg/proxy/topology.go
 * CategorizeEndpoints decides (the tracer's `usableEndpoints` picks for one node the same way):
 * ready endpoints; when none is ready, the terminating ones that still serve. A Service port uses
 * the Cluster set, falling back over the whole Service, and/or the Local set, falling back per
 * node. An endpoint in neither gets no chain at all (the iptables proxier writes KUBE-SEP chains
 * only for `allLocallyReachableEndpoints`). Topology hints are not in the model.
 */
import type { EndpointRecord, Host, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
import { ids } from '../topology/ids.ts';
import { isV6 } from '../trace/path/hop.ts';
import { usableEndpoints } from '../trace/proxy.ts';

type Policies = Pick<ServiceRecord, 'type' | 'externalIPs' | 'externalTrafficPolicy' | 'internalTrafficPolicy'>;

/** kube-proxy's ExternallyAccessible: a nodePort, a load balancer or an external IP. */
function isExternallyAccessible(service: Policies): boolean {
  return service.type === 'NodePort' || service.type === 'LoadBalancer' || service.externalIPs.length > 0;
}

/** UsesClusterEndpoints: internal traffic is Cluster, or external traffic is accepted at all
 * (a Local external policy still short-circuits pods' traffic to the Cluster set). */
export function usesClusterEndpoints(service: Policies): boolean {
  return service.internalTrafficPolicy !== 'Local' || isExternallyAccessible(service);
}

/** UsesLocalEndpoints: internal traffic is Local, or external traffic is accepted and Local. */
export function usesLocalEndpoints(service: Policies): boolean {
  return service.internalTrafficPolicy === 'Local' || (service.externalTrafficPolicy === 'Local' && isExternallyAccessible(service));
}

/** Whether kube-proxy's Local set can use `endpoint` on its node: ready, or terminating and
 * still serving. */
export const isLocallyUsable = (endpoint: EndpointRecord): boolean => endpoint.isReady || (endpoint.isServing && endpoint.isTerminating);

/** The label that keeps a node out of every load balancer's backends (the cloud provider's
 * service controller honours it): the load balancer never sends to it. */
export const excludedFromLoadBalancers = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** The nodes a Local traffic policy is judged on, found once for every Service. */
export interface LocalPolicyNodes {
  /** Ready nodes, by name. */
  ready: Host[];
  /** Ready nodes that run a pod that has not finished: the clients of internalTrafficPolicy. */
  withPods: Host[];
}

const localPolicyNodesOf = new WeakMap<Topology, LocalPolicyNodes>();

/** Found once per topology (a topology is never changed in place: a change makes a new one). */
export function localPolicyNodes(topology: Topology): LocalPolicyNodes {
  const known = localPolicyNodesOf.get(topology);
  if (known) return known;
  const ready = Object.values(topology.hosts)
    .filter((h) => h.isReady)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hostsWithPods = new Set(Object.values(topology.pods).flatMap((p) => (p.host && p.phase !== 'Succeeded' && p.phase !== 'Failed' ? [p.host] : [])));
  const nodes = { ready, withPods: ready.filter((h) => hostsWithPods.has(h.id)) };
  localPolicyNodesOf.set(topology, nodes);
  return nodes;
}

/** Where a Local traffic policy leaves nodes without an endpoint to use: of the nodes it is judged
 * on (those behind the load balancer, or those with pods), the ones without, and the ones a load
 * balancer leaves out by label. */
export interface LocalGap {
  policy: 'externalTrafficPolicy' | 'internalTrafficPolicy';
  nodes: Host[];
  missing: Host[];
  excluded: Host[];
}

/**
 * The gaps of a Service's Local traffic policies (kube-proxy's CategorizeEndpoints, per node): for
 * `externalTrafficPolicy: Local` the ready nodes (less, for a LoadBalancer, those labelled out of
 * it), for `internalTrafficPolicy: Local` the ready nodes with pods; an endpoint's node is its
 * EndpointSlice's nodeName, else its pod's. Policies with no node missing are left out.
 */
export function localPolicyGaps(topology: Topology, service: ServiceRecord, endpoints: readonly EndpointRecord[], nodes: LocalPolicyNodes): LocalGap[] {
  const local = new Set(
    endpoints.filter(isLocallyUsable).flatMap((e) => {
      const host = e.pod ? topology.pods[e.pod]?.host : null;
      return e.nodeName ?? (host ? (topology.hosts[host]?.name ?? []) : []);
    }),
  );
  const gap = (policy: LocalGap['policy'], judged: Host[], excluded: Host[]): LocalGap[] => {
    const missing = judged.filter((h) => !local.has(h.name));
    return missing.length > 0 ? [{ policy, nodes: judged, missing, excluded }] : [];
  };
  const gaps: LocalGap[] = [];
  if (service.externalTrafficPolicy === 'Local' && isExternallyAccessible(service)) {
    const excluded = service.type === 'LoadBalancer' ? nodes.ready.filter((h) => Object.hasOwn(h.labels, excludedFromLoadBalancers)) : [];
    gaps.push(...gap('externalTrafficPolicy', nodes.ready.filter((h) => !excluded.includes(h)), excluded));
  }
  if (service.internalTrafficPolicy === 'Local' && !service.isHeadless) gaps.push(...gap('internalTrafficPolicy', nodes.withPods, []));
  return gaps;
}

/** Whether kube-proxy writes a chain for `endpoint` of `port` on some node: it is in the Cluster
 * set, or in the Local set of its own node. `all` is the Service's endpoints. */
export function isProgrammed(topology: Topology, service: ServiceRecord, port: ServicePortRecord, all: EndpointRecord[], endpoint: EndpointRecord): boolean {
  if (endpoint.isReady) return true;
  if (!isLocallyUsable(endpoint)) return false;
  const family = isV6(endpoint.address) ? 6 : 4;
  const isUsed = (policy: 'Cluster' | 'Local') => {
    const node = policy === 'Local' && endpoint.nodeName ? (topology.hosts[ids.host(endpoint.nodeName)] ?? null) : null;
    return usableEndpoints(all, port, family, policy, node).endpoints.includes(endpoint);
  };
  return (usesClusterEndpoints(service) && isUsed('Cluster')) || (usesLocalEndpoints(service) && isUsed('Local'));
}
