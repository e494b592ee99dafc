/**
 * One model record described: what `describeTopology` puts in the document and
 * `describeElement` shows in the details panel, so both say the same of an element.
 */
import { matchesSelector } from '../kube/selector.ts';
import { endpointState } from '../model/text.ts';
import { policiesByNamespace } from '../policy/isolation.ts';
import { byName, qualifiedName } from '../policy/words.ts';
import { isProgrammed } from './endpoint-use.ts';
import { serviceHealth } from './health.ts';
import { policyLines } from './policy-lines.ts';
import type {
  ContainerRecord,
  Device,
  EndpointRecord,
  Host,
  HostObservation,
  Id,
  IngressRecord,
  NamespaceRecord,
  PodRecord,
  PolicyRecord,
  PortRecord,
  ServicePortRecord,
  ServiceRecord,
  Topology,
  VethRecord,
} from '../model/types.ts';
import type {
  DescribedCluster,
  DescribedContainer,
  DescribedDevice,
  DescribedEndpoint,
  DescribedIngress,
  DescribedKubeProxy,
  DescribedNamespace,
  DescribedNode,
  DescribedNodeDatapath,
  DescribedPod,
  DescribedPolicy,
  DescribedPort,
  DescribedRoute,
  DescribedService,
  DescribedServicePort,
  DescribedVeth,
} from './types.ts';

/** A host id's node name; the name inside the id when the Node is not in the model. */
export function nodeNameOf(topology: Topology, id: Id | null): string | null {
  if (!id) return null;
  return topology.hosts[id]?.name ?? id.replace(/^node:/, '');
}

/** The cluster-wide facts: where the model came from, the CNI and proxy mode with their evidence. */
export function describeCluster(topology: Topology): DescribedCluster {
  const { cluster } = topology;
  const cni = cluster.cni;
  return {
    context: cluster.context,
    server: cluster.server,
    kubernetesVersion: cluster.kubernetesVersion,
    capturedAt: cluster.capturedAt,
    cni: {
      name: cni.value.name,
      datapath: cni.value.datapath,
      encapsulation: cni.value.encapsulation,
      bridgeDevice: cni.value.bridgeDevice,
      tunnelDevice: cni.value.tunnelDevice,
      vni: cni.value.vni,
      udpPort: cni.value.udpPort,
      podAttachment: cni.value.podAttachment ?? 'unknown',
      peerRouting: cni.value.peerRouting ?? 'unknown',
      tunnelScope: cni.value.tunnelScope ?? null,
      vethPrefix: cni.value.vethPrefix ?? null,
      ipam: cni.value.ipam ?? null,
      hostDevices: [...(cni.value.hostDevices ?? [])],
      confidence: cni.confidence,
      evidence: [...cni.evidence],
    },
    proxy: { mode: cluster.proxyMode.value, confidence: cluster.proxyMode.confidence, evidence: [...cluster.proxyMode.evidence] },
    podCIDRs: [...cluster.podCIDRs],
    unavailableKinds: cluster.unavailableKinds.map((k) => ({ ...k })),
  };
}

export function describeDevice(device: Device): DescribedDevice {
  return {
    id: device.id,
    name: device.name,
    kind: device.role ?? device.type,
    provenance: device.name ? device.nameProvenance : 'unknown',
    addresses: [...device.addresses],
    evidence: device.evidence,
    encapsulation: device.encapsulation ?? null,
    vni: device.vni ?? null,
    udpPort: device.udpPort ?? null,
  };
}

function hostEndName(veth: VethRecord): string | null {
  return veth.hostEnd.provenance !== 'unknown' ? veth.hostEnd.name : null;
}

/**
 * The routes in a node's root netns: the node's own (`Host.routes`, which the datapath implies),
 * then a routed CNI's route to each local pod's veth where the node's own do not list them.
 */
function routesOf(topology: Topology, host: Host, veths: VethRecord[]): DescribedRoute[] {
  const routes: DescribedRoute[] = (host.routes ?? []).map((r) => {
    const peer = r.peer ? topology.hosts[r.peer] : undefined;
    return {
      destination: r.destination,
      via: r.via,
      device: r.device,
      onlink: r.isOnlink,
      type: r.type,
      scope: r.scope,
      peer: r.peer ? (peer?.name ?? r.peer.replace(/^node:/, '')) : null,
      count: r.count ?? null,
      provenance: r.provenance,
      evidence: r.evidence,
      to: peer ? peer.name : null,
      toId: peer ? peer.id : null,
    };
  });
  const listed = new Set(routes.map((r) => r.destination));
  for (const veth of veths) {
    const pod = topology.pods[veth.pod];
    const device = hostEndName(veth);
    for (const destination of veth.hostRoutes) {
      if (listed.has(destination)) continue;
      routes.push({
        destination,
        via: null,
        device,
        onlink: false,
        type: 'unicast',
        scope: 'local',
        peer: null,
        count: null,
        provenance: device ? veth.hostEnd.provenance : 'unknown',
        evidence: `the CNI routes each pod IP to its veth; ${veth.hostEnd.how}`,
        to: pod ? `${pod.namespace}/${pod.name}` : null,
        toId: pod ? pod.id : null,
      });
    }
  }
  return routes;
}

export function describeNode(topology: Topology, host: Host, pods: PodRecord[], veths: VethRecord[]): DescribedNode {
  return {
    id: host.id,
    name: host.name,
    ready: host.isReady,
    zone: host.zone,
    kubeletVersion: host.kubeletVersion,
    labels: { ...host.labels },
    addresses: [
      ...host.internalIPs.map((address) => ({ type: 'InternalIP' as const, address })),
      ...host.externalIPs.map((address) => ({ type: 'ExternalIP' as const, address })),
    ],
    podCIDRs: [...host.podCIDRs],
    cniPodCIDRs: [...(host.cniPodCIDRs ?? [])],
    datapathIPs: [...(host.datapathIPs ?? [])],
    devices: host.devices.flatMap((id) => {
      const device = topology.devices[id];
      return device ? [describeDevice(device)] : [];
    }),
    routes: routesOf(topology, host, veths),
    pods: pods.map((p) => `${p.namespace}/${p.name}`).sort(),
    hostNetworkPods: pods.filter((p) => p.isHostNetwork).length,
    datapath: host.observed ? describeNodeDatapath(host.observed, veths) : null,
  };
}

function describeNodeDatapath(observed: HostObservation, veths: VethRecord[]): DescribedNodeDatapath {
  return {
    readAt: observed.readAt,
    source: observed.source,
    target: observed.target,
    unread: observed.unread.map((u) => ({ ...u })),
    veths: observed.veths.length,
    podVeths: veths.filter((v) => v.observation === 'found').length,
    kubeProxy: observed.kubeProxy.map((k) => ({ mode: k.mode, family: k.family, servicePorts: k.services.length })),
  };
}

function describePort(port: PortRecord): DescribedPort {
  return { name: port.name, port: port.port, protocol: port.protocol };
}

export function describeContainer(container: ContainerRecord): DescribedContainer {
  return {
    id: container.id,
    name: container.name,
    role: container.role,
    image: container.image,
    ready: container.isReady,
    ports: container.ports.map(describePort),
  };
}

export function describeVeth(topology: Topology, veth: VethRecord): DescribedVeth {
  const bridge = veth.bridge ? topology.devices[veth.bridge] : undefined;
  const hostName = hostEndName(veth);
  return {
    id: veth.id,
    hostName,
    provenance: hostName ? veth.hostEnd.provenance : 'unknown',
    how: veth.hostEnd.how,
    pattern: veth.hostEnd.pattern ?? null,
    podEnd: { name: veth.podEnd.name, addresses: [...veth.podEnd.addresses] },
    bridge: bridge ? { id: bridge.id, name: bridge.name, addresses: [...bridge.addresses] } : null,
    hostRoutes: [...veth.hostRoutes],
    evidence: veth.hostEnd.how,
    observation: veth.observation ?? null,
  };
}

export function describePod(topology: Topology, pod: PodRecord, endpoints: EndpointRecord[]): DescribedPod {
  const veth = pod.veth ? topology.veths[pod.veth] : undefined;
  const selecting = pod.isHostNetwork
    ? []
    : (policiesByNamespace(topology).get(pod.namespace) ?? []).filter((p) => matchesSelector(pod.labels, p.spec.podSelector)).sort(byName);
  return {
    id: pod.id,
    namespace: pod.namespace,
    name: pod.name,
    node: nodeNameOf(topology, pod.host),
    nodeId: pod.host,
    ips: [...pod.ips],
    hostNetwork: pod.isHostNetwork,
    phase: pod.phase,
    ready: pod.isReady,
    owner: pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : null,
    labels: { ...pod.labels },
    containers: pod.containers.flatMap((id) => {
      const container = topology.containers[id];
      return container ? [describeContainer(container)] : [];
    }),
    netns: pod.netns ?? null,
    veth: veth ? describeVeth(topology, veth) : null,
    services: endpoints
      .map((e) => {
        const service = topology.services[e.service];
        return {
          id: e.service,
          service: service ? `${service.namespace}/${service.name}` : e.service.replace(/^svc:/, ''),
          ip: e.address,
          state: endpointState(e),
          ports: e.ports.map(describePort),
        };
      })
      .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0)),
    policies: selecting.map((p) => ({ id: p.id, policy: qualifiedName(p), types: [...p.policyTypes] })),
    policyLines: policyLines(pod, selecting),
  };
}

export function describeEndpoint(topology: Topology, endpoint: EndpointRecord): DescribedEndpoint {
  const pod = endpoint.pod ? topology.pods[endpoint.pod] : undefined;
  return {
    id: endpoint.id,
    ip: endpoint.address,
    state: endpointState(endpoint),
    ready: endpoint.isReady,
    serving: endpoint.isServing,
    terminating: endpoint.isTerminating,
    node: endpoint.nodeName,
    zone: endpoint.zone,
    pod: pod ? `${pod.namespace}/${pod.name}` : null,
    podId: pod ? pod.id : null,
    ports: endpoint.ports.map(describePort),
    slice: endpoint.slice,
  };
}

function describeKubeProxy(topology: Topology, service: ServiceRecord, port: ServicePortRecord, endpoints: EndpointRecord[]): DescribedKubeProxy | null {
  const kubeProxy = port.kubeProxy;
  if (!kubeProxy) return null;
  return {
    mode: kubeProxy.mode,
    service: kubeProxy.service,
    local: kubeProxy.local,
    external: kubeProxy.external,
    firewall: kubeProxy.firewall,
    endpoints: kubeProxy.endpoints.map((e) => {
      const endpoint = topology.endpoints[e.endpoint];
      return {
        ip: endpoint?.address ?? e.target,
        target: e.target,
        chain: e.chain,
        state: endpoint ? endpointState(endpoint) : 'not-ready',
        programmed: endpoint ? isProgrammed(topology, service, port, endpoints, endpoint) : false,
      };
    }),
  };
}

function describeServicePort(topology: Topology, service: ServiceRecord, port: ServicePortRecord, endpoints: EndpointRecord[]): DescribedServicePort {
  const kubeProxy = describeKubeProxy(topology, service, port, endpoints);
  const chains = kubeProxy
    ? [kubeProxy.service, kubeProxy.local, kubeProxy.external, kubeProxy.firewall, ...kubeProxy.endpoints.filter((e) => e.programmed).map((e) => e.chain)]
    : [];
  return {
    name: port.name,
    port: port.port,
    protocol: port.protocol,
    targetPort: port.targetPort,
    nodePort: port.nodePort,
    kubeProxyChains: chains.filter((c): c is string => c !== null),
    kubeProxy,
  };
}

const byAddress = (a: EndpointRecord, b: EndpointRecord): number => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);

export function describeService(topology: Topology, service: ServiceRecord, endpoints: EndpointRecord[]): DescribedService {
  return {
    id: service.id,
    namespace: service.namespace,
    name: service.name,
    type: service.type,
    health: serviceHealth(topology, service, endpoints),
    clusterIPs: [...service.clusterIPs],
    headless: service.isHeadless,
    externalName: service.externalName,
    externalIPs: [...service.externalIPs],
    loadBalancerIngress: [...service.loadBalancerIngress],
    selector: service.selector ? { ...service.selector } : null,
    externalTrafficPolicy: service.externalTrafficPolicy,
    internalTrafficPolicy: service.internalTrafficPolicy,
    sessionAffinity: service.sessionAffinity,
    labels: { ...service.labels },
    ports: service.ports.map((p) => describeServicePort(topology, service, p, endpoints)),
    endpoints: [...endpoints].sort(byAddress).map((e) => describeEndpoint(topology, e)),
  };
}

export function describeIngress(topology: Topology, ingress: IngressRecord): DescribedIngress {
  return {
    id: ingress.id,
    namespace: ingress.namespace,
    name: ingress.name,
    className: ingress.className,
    controller: ingress.controller,
    addresses: [...ingress.loadBalancerIngress],
    tlsHosts: [...ingress.tlsHosts],
    rules: ingress.rules.map((r) => {
      const service = topology.services[r.service];
      return {
        host: r.host,
        path: r.path,
        pathType: r.pathType,
        service: service ? `${service.namespace}/${service.name}` : r.service.replace(/^svc:/, ''),
        serviceId: r.service,
        port: r.port,
      };
    }),
  };
}

export function describePolicy(policy: PolicyRecord): DescribedPolicy {
  return {
    id: policy.id,
    namespace: policy.namespace,
    name: policy.name,
    policyTypes: [...policy.policyTypes],
    podSelector: policy.spec.podSelector,
    ingress: policy.spec.ingress ?? [],
    egress: policy.spec.egress ?? [],
  };
}

export function describeNamespace(namespace: NamespaceRecord): DescribedNamespace {
  return { id: namespace.id, name: namespace.name, labels: { ...namespace.labels }, system: namespace.isSystem };
}
