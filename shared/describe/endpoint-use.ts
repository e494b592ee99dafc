/**
 * Which of a Service's endpoints kube-proxy programs, as pkg/proxy/topology.go
 * CategorizeEndpoints decides (the tracer's `usableEndpoints` picks for one node the same way):
 * ready endpoints; when none is ready, the terminating ones that still serve. A Service port uses
 * the Cluster set, falling back over the whole Service, and/or the Local set, falling back per
 * node. An endpoint in neither gets no chain at all (the iptables proxier writes KUBE-SEP chains
 * only for `allLocallyReachableEndpoints`). Topology hints are not in the model.
 */
import type { EndpointRecord, ServicePortRecord, ServiceRecord, Topology } from '../model/types.ts';
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

/** Whether Local traffic policy on `node` has an endpoint to use there: a ready one, or one that is
 * terminating and still serving. */
export function hasLocalEndpoint(endpoints: readonly EndpointRecord[], node: string): boolean {
  return endpoints.some((e) => e.nodeName === node && (e.isReady || (e.isServing && e.isTerminating)));
}

/** Whether kube-proxy writes a chain for `endpoint` of `port` on some node: it is in the Cluster
 * set, or in the Local set of its own node. `all` is the Service's endpoints. */
export function isProgrammed(topology: Topology, service: ServiceRecord, port: ServicePortRecord, all: EndpointRecord[], endpoint: EndpointRecord): boolean {
  if (endpoint.isReady) return true;
  if (!(endpoint.isServing && endpoint.isTerminating)) return false;
  const family = isV6(endpoint.address) ? 6 : 4;
  const isUsed = (policy: 'Cluster' | 'Local') => {
    const node = policy === 'Local' && endpoint.nodeName ? (topology.hosts[ids.host(endpoint.nodeName)] ?? null) : null;
    return usableEndpoints(all, port, family, policy, node).endpoints.includes(endpoint);
  };
  return (usesClusterEndpoints(service) && isUsed('Cluster')) || (usesLocalEndpoints(service) && isUsed('Local'));
}
