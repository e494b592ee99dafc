/**
 * The entry points of describe: the whole model as one document (`podpath describe`), one
 * element for the details panel, and the pods no node can hold.
 */
import { diagnose } from '../doctor/doctor.ts';
import { internetId, type Id, type PodRecord, type Topology } from '../model/types.ts';
import {
  describeCluster,
  describeContainer,
  describeDevice,
  describeEndpoint,
  describeIngress,
  describeNamespace,
  describeNode,
  describePod,
  describePolicy,
  describeService,
  describeVeth,
  nodeNameOf,
} from './records.ts';
import { describeAdminPolicies, describeAdminPolicy } from './admin-policy.ts';
import { describeCniPolicy } from './cni-policy.ts';
import { describeFormat, describeVersion, type DescribeDocument, type ElementDescription, type ElementRef, type PodBrief } from './types.ts';

const byName = <T extends { name: string; namespace?: string }>(a: T, b: T): number => {
  const ka = `${a.namespace ?? ''}/${a.name}`;
  const kb = `${b.namespace ?? ''}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function group<T>(items: Iterable<T>, keyOf: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null) continue;
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The whole model, described. Linear in its size: every join goes through one index. */
export function describeTopology(topology: Topology): DescribeDocument {
  const pods = Object.values(topology.pods);
  const endpoints = Object.values(topology.endpoints);
  const podsByHost = group(pods, (p) => p.host);
  const vethsByHost = group(Object.values(topology.veths), (v) => v.host);
  const endpointsByService = group(endpoints, (e) => e.service);
  const endpointsByPod = group(endpoints, (e) => e.pod);
  return {
    format: describeFormat,
    version: describeVersion,
    cluster: describeCluster(topology),
    namespaces: Object.values(topology.namespaces)
      .sort(byName)
      .map(describeNamespace),
    nodes: Object.values(topology.hosts)
      .sort(byName)
      .map((host) => describeNode(topology, host, podsByHost.get(host.id) ?? [], vethsByHost.get(host.id) ?? [])),
    pods: pods.sort(byName).map((pod) => describePod(topology, pod, endpointsByPod.get(pod.id) ?? [])),
    services: Object.values(topology.services)
      .sort(byName)
      .map((service) => describeService(topology, service, endpointsByService.get(service.id) ?? [])),
    ingresses: Object.values(topology.ingresses)
      .sort(byName)
      .map((ingress) => describeIngress(topology, ingress)),
    policies: Object.values(topology.policies).sort(byName).map(describePolicy),
    ...describeAdminPolicies(topology),
    problems: diagnose(topology),
  };
}

/**
 * The description of one element, as the details panel shows it; null when `id` names nothing.
 * A click describes one element, so this scans only the collections that element joins to.
 */
export function describeElement(topology: Topology, id: Id): ElementDescription | null {
  const pod = topology.pods[id];
  if (pod) {
    return { kind: 'pod', pod: describePod(topology, pod, Object.values(topology.endpoints).filter((e) => e.pod === id)) };
  }
  const container = topology.containers[id];
  if (container) {
    const owner = topology.pods[container.pod];
    return {
      kind: 'container',
      container: describeContainer(container),
      pod: { id: container.pod, name: owner?.name ?? container.pod, namespace: owner?.namespace, ips: owner ? [...owner.ips] : [] },
    };
  }
  const host = topology.hosts[id];
  if (host) {
    const pods = Object.values(topology.pods).filter((p) => p.host === id);
    const veths = Object.values(topology.veths).filter((v) => v.host === id);
    return { kind: 'node', node: describeNode(topology, host, pods, veths) };
  }
  const device = topology.devices[id];
  if (device) {
    const deviceHost = topology.hosts[device.host];
    return {
      kind: 'device',
      device: describeDevice(device),
      node: { id: device.host, name: nodeNameOf(topology, device.host) ?? device.host, internalIPs: deviceHost ? [...deviceHost.internalIPs] : [] },
    };
  }
  const veth = topology.veths[id];
  if (veth) {
    const owner = topology.pods[veth.pod];
    return {
      kind: 'veth',
      veth: describeVeth(topology, veth),
      pod: { id: veth.pod, name: owner?.name ?? veth.pod, namespace: owner?.namespace },
      node: { id: veth.host, name: nodeNameOf(topology, veth.host) ?? veth.host },
    };
  }
  const service = topology.services[id];
  if (service) {
    return { kind: 'service', service: describeService(topology, service, Object.values(topology.endpoints).filter((e) => e.service === id)) };
  }
  const endpoint = topology.endpoints[id];
  if (endpoint) {
    const owner = topology.services[endpoint.service];
    return {
      kind: 'endpoint',
      endpoint: describeEndpoint(topology, endpoint),
      service: { id: endpoint.service, name: owner?.name ?? endpoint.service, namespace: owner?.namespace },
    };
  }
  const ingress = topology.ingresses[id];
  if (ingress) return { kind: 'ingress', ingress: describeIngress(topology, ingress) };
  const policy = topology.policies[id];
  if (policy) return { kind: 'policy', policy: describePolicy(policy) };
  const adminPolicy = topology.adminPolicies[id];
  if (adminPolicy) return { kind: 'adminpolicy', policy: describeAdminPolicy(topology, adminPolicy) };
  const cniPolicy = topology.cniPolicies?.[id];
  if (cniPolicy) return { kind: 'cnipolicy', policy: describeCniPolicy(topology, cniPolicy) };
  const namespace = topology.namespaces[id];
  if (namespace) {
    return {
      kind: 'namespace',
      namespace: describeNamespace(namespace),
      pods: Object.values(topology.pods).filter((p) => p.namespace === namespace.name).length,
      services: Object.values(topology.services)
        .filter((s) => s.namespace === namespace.name)
        .sort(byName)
        .map((s) => ({ id: s.id, name: s.name, namespace: s.namespace, type: s.type })),
    };
  }
  const external = topology.external[id];
  if (external) {
    const exposed: (ElementRef & { via: 'service' | 'ingress'; addresses: string[] })[] =
      id !== internetId
        ? []
        : [
            ...Object.values(topology.services)
              .filter((s) => s.type === 'LoadBalancer' || s.externalIPs.length > 0)
              .sort(byName)
              .map((s) => ({ id: s.id, name: s.name, namespace: s.namespace, via: 'service' as const, addresses: [...s.loadBalancerIngress, ...s.externalIPs] })),
            ...Object.values(topology.ingresses)
              .sort(byName)
              .map((i) => ({ id: i.id, name: i.name, namespace: i.namespace, via: 'ingress' as const, addresses: [...i.loadBalancerIngress] })),
          ];
    return { kind: 'external', id, name: external.name, exposed };
  }
  return null;
}

/**
 * Pods that cannot be drawn on a node: unscheduled ones (no node yet: no netns, no veth, no IP)
 * and ones scheduled on a node whose Node object is not in the model (it could not be read).
 */
export function describeUnplacedPods(topology: Topology): { unscheduled: PodBrief[]; onMissingNodes: PodBrief[]; nodesUnavailable: string | null } {
  const brief = (p: PodRecord): PodBrief => ({ id: p.id, namespace: p.namespace, name: p.name, node: nodeNameOf(topology, p.host), ips: [...p.ips], phase: p.phase });
  const pods = Object.values(topology.pods)
    .filter((p) => !p.host || !topology.hosts[p.host])
    .sort(byName);
  const unavailable = topology.cluster.unavailableKinds.find((k) => k.kind.toLowerCase() === 'nodes');
  return {
    unscheduled: pods.filter((p) => !p.host).map(brief),
    onMissingNodes: pods.filter((p) => p.host).map(brief),
    nodesUnavailable: unavailable ? unavailable.reason : null,
  };
}
