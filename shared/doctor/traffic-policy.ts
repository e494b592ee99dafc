/**
 * Traffic policies that keep traffic on the node it arrived at (kube-proxy's CategorizeEndpoints,
 * pkg/proxy/topology.go): a node uses only its own endpoints — ready ones, else serving ones
 * that are terminating — and one with none drops the traffic.
 *
 * - `externalTrafficPolicy: Local` (NodePort, LoadBalancer): a node without a local endpoint drops
 *   what arrives at its NodePort, and fails the load balancer's health check (healthCheckNodePort),
 *   which is how the load balancer learns to avoid it — by design, so for a LoadBalancer that is a
 *   fact (info); for a bare NodePort, whose clients pick the node themselves, a warning. Nodes
 *   labelled node.kubernetes.io/exclude-from-external-load-balancers are not behind the load
 *   balancer (the cloud service controller leaves them out).
 * - `internalTrafficPolicy: Local`: a pod on a node without a local endpoint cannot reach the
 *   Service at all.
 *
 * Which nodes miss one is endpoint-use.ts's `localPolicyGaps`, which the Service panel's health
 * line reads too.
 */
import { excludedFromLoadBalancers, isLocallyUsable, localPolicyGaps, localPolicyNodes, type LocalGap } from '../describe/endpoint-use.ts';
import type { Host, ServiceRecord } from '../model/types.ts';
import type { ServiceCheck } from './facts.ts';
import type { Problem, Severity } from './types.ts';
import { listed, patchCommand, serviceSubject } from './words.ts';

function problem(service: ServiceRecord, severity: Severity, message: string, why: string[], fix: string | null, missing: Host[]): Problem {
  return { kind: 'traffic-policy-local-no-endpoint', severity, subject: serviceSubject(service), subjectId: service.id, message, why, fix, related: missing.map((h) => h.id) };
}

const hostNames = (hosts: Host[]): string[] => hosts.map((h) => h.name).sort();
const withEndpoint = (gap: LocalGap): Host[] => gap.nodes.filter((h) => !gap.missing.includes(h));

function external(service: ServiceRecord, gap: LocalGap): Problem {
  const isLoadBalancer = service.type === 'LoadBalancer';
  const { nodes, missing, excluded } = gap;
  const nodePorts = service.ports.flatMap((p) => p.nodePort ?? []);
  const portWords = nodePorts.length > 0 ? `NodePort${nodePorts.length === 1 ? '' : 's'} ${nodePorts.join(', ')}` : 'NodePorts';
  const why = [
    'spec.externalTrafficPolicy: Local',
    `ready local endpoint on: ${listed(hostNames(withEndpoint(gap)), 5) || 'no node'}`,
    `none on: ${listed(hostNames(missing), 5)}`,
    ...(excluded.length > 0 ? [`not behind the load balancer (label ${excludedFromLoadBalancers}): ${listed(hostNames(excluded), 5)}`] : []),
  ];
  const toCluster = `set externalTrafficPolicy: Cluster if the client source IP need not be kept: ${patchCommand('service', service.namespace, service.name, 'merge', { spec: { externalTrafficPolicy: 'Cluster' } })}`;
  if (missing.length === nodes.length) {
    return problem(service, 'error', `externalTrafficPolicy Local, but no node${isLoadBalancer ? ' behind the load balancer' : ''} has a ready local endpoint: every node drops traffic to its ${portWords}`, why, toCluster, missing);
  }
  const count = `${missing.length} of ${nodes.length} nodes${isLoadBalancer ? ' behind the load balancer' : ''} have no ready local endpoint (${listed(hostNames(missing), 3)})`;
  return isLoadBalancer
    ? problem(service, 'info', `externalTrafficPolicy Local: ${count}; they fail its health check, so the load balancer sends them nothing, and drop traffic to their ${portWords}`, why, null, missing)
    : problem(service, 'warning', `externalTrafficPolicy Local: ${count}, so they drop traffic to their ${portWords}`, why, `run a ready pod on each node clients use (a DaemonSet, or spread the replicas), or ${toCluster}`, missing);
}

function internal(service: ServiceRecord, gap: LocalGap): Problem {
  const { nodes, missing } = gap;
  const why = ['spec.internalTrafficPolicy: Local', `ready local endpoint on: ${listed(hostNames(withEndpoint(gap)), 5) || 'no node'}`, `nodes with pods but no local endpoint: ${listed(hostNames(missing), 5)}`];
  const toCluster = `set internalTrafficPolicy: Cluster: ${patchCommand('service', service.namespace, service.name, 'merge', { spec: { internalTrafficPolicy: 'Cluster' } })}`;
  if (missing.length === nodes.length) {
    return problem(service, 'error', 'internalTrafficPolicy Local, but no node with pods has a ready local endpoint: no pod can reach it', why, toCluster, missing);
  }
  return problem(
    service,
    'warning',
    `internalTrafficPolicy Local: ${missing.length} of ${nodes.length} nodes with pods have no ready local endpoint (${listed(hostNames(missing), 3)}), so pods there cannot reach it`,
    why,
    `run a ready pod on every node (a DaemonSet), or ${toCluster}`,
    missing,
  );
}

export const checkTrafficPolicies: ServiceCheck = (topology, facts) => {
  if (!facts.canRead('endpointSlices') || !facts.canRead('nodes')) return [];
  const services = Object.values(topology.services).filter((s) => s.type !== 'ExternalName' && (s.externalTrafficPolicy === 'Local' || s.internalTrafficPolicy === 'Local'));
  if (services.length === 0) return [];
  const nodes = localPolicyNodes(topology);
  return services.flatMap((service) => {
    const endpoints = facts.endpointsOf(service.id);
    // A Service with no usable endpoint at all is the selector checks' to report.
    if (!endpoints.some(isLocallyUsable)) return [];
    return localPolicyGaps(topology, service, endpoints, nodes).map((gap) => (gap.policy === 'externalTrafficPolicy' ? external(service, gap) : internal(service, gap)));
  });
};
