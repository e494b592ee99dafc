/**
 * The other direction of endpoints.ts: a model element written as a trace end, as a user would
 * type it, for the panels that offer "trace from here" and name a blocker's subject.
 */
import type { Topology } from '../model/types.ts';

/**
 * A model element as a trace end, in the words a user would type and `parseEndpoint` reads
 * (`shop/frontend-1`, `svc/shop/backend`, …); null for elements a trace cannot start or end at.
 */
export function endpointTextFor(topology: Topology, id: string): string | null {
  const pod = topology.pods[id];
  if (pod) return `${pod.namespace}/${pod.name}`;
  const container = topology.containers[id];
  if (container) {
    const owner = topology.pods[container.pod];
    return owner ? `${owner.namespace}/${owner.name}:${container.name}` : null;
  }
  const service = topology.services[id];
  if (service) return `svc/${service.namespace}/${service.name}`;
  const ingress = topology.ingresses[id];
  if (ingress) return `ingress/${ingress.namespace}/${ingress.name}`;
  const host = topology.hosts[id];
  if (host) return `node/${host.name}`;
  if (topology.external[id]) return 'internet';
  const endpoint = topology.endpoints[id];
  if (endpoint) return endpoint.address;
  return null;
}
