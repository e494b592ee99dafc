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
 *   - tunnel edges join the tunnel devices of every pair of hosts (overlay CNIs);
 *   - Services sit outside the hosts, grouped by namespace, with an edge to every endpoint pod;
 *     Ingresses point at their backend Services; the Internet points at Ingresses and at
 *     LoadBalancer Services.
 *
 * Canvas-only elements (group boxes, routes nodes, tunnel and exposure edges) carry
 * `model: null` or the model element they stand for, so the details panel can explain them.
 */
import {
  internetId,
  type ContainerRecord,
  type Device,
  type EndpointRecord,
  type Host,
  type Id,
  type IngressRecord,
  type PodAttachment,
  type PodRecord,
  type ServicePortRecord,
  type ServiceRecord,
  type Topology,
  type VethRecord,
} from '../../shared/model/types.ts';
import { charsThatFit, gaps, leafSizes, padding, text, truncate } from './geometry.ts';
import { namespaceColors } from './palette.ts';

export type GraphNodeKind =
  | 'host'
  | 'device'
  | 'routes'
  | 'pod'
  | 'container'
  | 'unscheduled'
  | 'service-group'
  /** By-namespace grouping: a namespace's pods and Services. */
  | 'namespace'
  | 'service'
  | 'ingress'
  | 'internet'
  /** A folded part of the graph drawn as one box (detail.ts). */
  | 'fold';

export type GraphEdgeKind = 'veth' | 'tunnel' | 'endpoint' | 'backend' | 'exposure';

/** Where a node sits inside its host box; the layout arranges a host by these slots. */
export type HostSlot = 'uplink' | 'hostnet' | 'pod' | 'bridge' | 'tunnel' | 'service';

/**
 * The two pictures a user switches between: by node (each node a box with its devices and pods,
 * the veths joining them — where the datapath lives) and by namespace (each namespace a box with
 * its pods and Services; nodes drawn with their devices only, each pod labelled with its node).
 */
export type Grouping = 'node' | 'namespace';

export interface GraphNodeData {
  id: string;
  kind: GraphNodeKind;
  /** Lines separated by `\n`, already truncated to fit the node. */
  label: string;
  /** The model element this node draws; null for boxes that exist only on the canvas. */
  model: Id | null;
  parent?: string;
  /** Namespace colour of namespaced elements. */
  color?: string;
  /** Size of leaf nodes; compound nodes are sized by their children. */
  width?: number;
  height?: number;
  slot?: HostSlot;
  /** Folds: a label font size that fills the box, so that it reads at the zoom it is drawn at. */
  fontSize?: number;
  /** Folds: the host, Unscheduled box or Service group whose contents this box stands for. */
  folds?: string;
}

export interface GraphEdgeData {
  id: string;
  kind: GraphEdgeKind;
  source: string;
  target: string;
  label: string;
  model: Id | null;
  /** Tunnel edges: how many hosts apart the two ends are drawn (1 = neighbours). */
  span?: number;
}

export type GraphElement =
  | { group: 'nodes'; data: GraphNodeData; classes: string[] }
  | { group: 'edges'; data: GraphEdgeData; classes: string[] };

export const unscheduledGroupId = 'group:unscheduled';
export const serviceGroupId = (namespace: string): string => `group:services/${namespace}`;
export const namespaceGroupId = (namespace: string): string => `group:ns/${namespace}`;
export const routesNodeId = (host: Host): string => `routes:${host.name}`;

const byNamespacedName = <T extends { name: string; namespace: string }>(a: T, b: T): number =>
  compare(a.namespace, b.namespace) || compare(a.name, b.name);

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function toGraphElements(topology: Topology, grouping: Grouping = 'node'): GraphElement[] {
  const byNamespace = grouping === 'namespace';
  const colors = namespaceColors(topology);
  const nodes: GraphElement[] = [];
  const edges: GraphElement[] = [];
  const node = (data: GraphNodeData, classes: string[]): void => void nodes.push({ group: 'nodes', data, classes });
  const edge = (data: GraphEdgeData, classes: string[]): void => void edges.push({ group: 'edges', data, classes });

  // Natural order (node-2 before node-10), as people number their nodes.
  const hosts = Object.values(topology.hosts).sort((a, b) => naturalOrder.compare(a.name, b.name) || compare(a.name, b.name));
  const pods = Object.values(topology.pods).sort(byNamespacedName);
  const podsByHost = new Map<Id, PodRecord[]>();
  const unscheduled: PodRecord[] = [];
  for (const pod of pods) {
    if (pod.host && topology.hosts[pod.host]) {
      const list = podsByHost.get(pod.host) ?? [];
      list.push(pod);
      podsByHost.set(pod.host, list);
    } else {
      unscheduled.push(pod);
    }
  }

  for (const host of hosts) {
    const devices = host.devices.map((id) => topology.devices[id]).filter((d): d is Device => d !== undefined && d.host === host.id);
    const hostPods = byNamespace ? [] : (podsByHost.get(host.id) ?? []);
    // A host with nothing inside is drawn as a plain box of its own size.
    const emptySize = devices.length === 0 && hostPods.length === 0 ? { width: 200, height: 60 } : {};
    node({ id: host.id, kind: 'host', label: hostLabel(host), model: host.id, ...emptySize }, ['host', ...(host.isReady ? [] : ['not-ready'])]);
    for (const device of devices) addDevice(device, host);

    const isRoutedHere = hostPods.some((pod) => {
      const veth = podVeth(topology, pod);
      return veth !== null && !bridgeOf(topology, veth, host);
    });
    if (isRoutedHere) {
      node(
        {
          id: routesNodeId(host),
          kind: 'routes',
          label: attachmentLabel(topology.cluster.cni.value.podAttachment),
          model: host.id,
          parent: host.id,
          slot: 'bridge',
          ...leafSizes.bar,
        },
        ['routes'],
      );
    }
    for (const pod of hostPods) addPod(pod, host.id, pod.isHostNetwork ? 'hostnet' : 'pod');
  }

  if (byNamespace) {
    const services = Object.values(topology.services);
    const namespaces = [...new Set([...pods.map((p) => p.namespace), ...services.map((s) => s.namespace)])].sort(compare);
    for (const namespace of namespaces) {
      const podCount = pods.filter((p) => p.namespace === namespace).length;
      node(
        { id: namespaceGroupId(namespace), kind: 'namespace', label: `namespace ${namespace} · ${podCount} pod${podCount === 1 ? '' : 's'}`, model: `ns:${namespace}`, color: colors.get(namespace) },
        ['group', 'namespace', ...(topology.namespaces[`ns:${namespace}`]?.isSystem ? ['system'] : [])],
      );
    }
    for (const pod of pods) addPod(pod, namespaceGroupId(pod.namespace), 'pod');
  } else if (unscheduled.length > 0) {
    // A pod can be scheduled on a node the view does not hold (Nodes forbidden, or not listed
    // yet): it is not drawn inside a host then, but must not be called unscheduled either.
    const onHiddenNodes = unscheduled.filter((pod) => pod.host !== null).length;
    const where = onHiddenNodes === 0 ? 'Unscheduled' : onHiddenNodes === unscheduled.length ? 'On nodes not shown' : 'Unscheduled or on nodes not shown';
    node({ id: unscheduledGroupId, kind: 'unscheduled', label: `${where} · ${unscheduled.length} pod${unscheduled.length === 1 ? '' : 's'}`, model: null }, [
      'group',
      'unscheduled',
    ]);
    for (const pod of unscheduled) addPod(pod, unscheduledGroupId, undefined);
  }

  const services = Object.values(topology.services).sort(byNamespacedName);
  for (const namespace of byNamespace ? [] : [...new Set(services.map((s) => s.namespace))]) {
    node({ id: serviceGroupId(namespace), kind: 'service-group', label: `Services · ${namespace}`, model: `ns:${namespace}`, color: colors.get(namespace) }, [
      'group',
      'service-group',
    ]);
  }
  for (const service of services) {
    node(
      {
        id: service.id,
        kind: 'service',
        label: serviceLabel(service),
        model: service.id,
        parent: byNamespace ? namespaceGroupId(service.namespace) : serviceGroupId(service.namespace),
        color: colors.get(service.namespace),
        ...(byNamespace ? { slot: 'service' as const } : {}),
        ...leafSizes.service,
      },
      ['service', `type-${service.type}`, ...(service.isHeadless ? ['headless'] : [])],
    );
  }

  const exposed = services.filter((s) => s.type === 'LoadBalancer' || s.externalIPs.length > 0);
  const hasInternet = topology.external[internetId] !== undefined || exposed.length > 0 || Object.keys(topology.ingresses).length > 0;
  if (hasInternet) {
    node({ id: internetId, kind: 'internet', label: 'Internet', model: topology.external[internetId] ? internetId : null, ...leafSizes.internet }, ['internet']);
  }

  const ingresses = Object.values(topology.ingresses).sort(byNamespacedName);
  for (const ingress of ingresses) {
    node(
      { id: ingress.id, kind: 'ingress', label: ingressLabel(ingress), model: ingress.id, color: colors.get(ingress.namespace), ...leafSizes.ingress },
      ['ingress'],
    );
  }

  // Edges, each kind in a deterministic order.
  for (const host of byNamespace ? [] : hosts) {
    for (const pod of podsByHost.get(host.id) ?? []) {
      const veth = podVeth(topology, pod);
      if (!veth) continue;
      const bridge = bridgeOf(topology, veth, host);
      edge(
        { id: veth.id, kind: 'veth', source: bridge?.id ?? routesNodeId(host), target: pod.id, label: vethLabel(veth), model: veth.id },
        ['veth', `veth-${veth.hostEnd.name ? veth.hostEnd.provenance : 'unknown'}`],
      );
    }
  }

  const tunnels = hosts
    .map((host, index) => ({ host, index, device: host.devices.map((id) => topology.devices[id]).find((d) => d?.type === 'tunnel') }))
    .filter((t): t is { host: Host; index: number; device: Device } => t.device !== undefined);
  // Every node's tunnel reaches every other node (a full mesh), but drawing the mesh costs
  // n(n-1)/2 edges — 12.5 million at 5,000 nodes. The overlay is drawn as a chain through the
  // hosts in layout order instead: n-1 short edges that show which devices carry it. Each host's
  // routes (details panel, `podpath describe`) say which peer each tunnel route goes to.
  for (let i = 0; i + 1 < tunnels.length; i++) {
    const a = tunnels[i]!;
    const b = tunnels[i + 1]!;
    edge(
      {
        id: `tunnel:${a.host.name}|${b.host.name}`,
        kind: 'tunnel',
        source: a.device.id,
        target: b.device.id,
        label: (a.device.encapsulation ?? 'tunnel').toUpperCase(),
        model: null,
        span: b.index - a.index,
      },
      ['tunnel'],
    );
  }

  const endpoints = Object.values(topology.endpoints).sort((a, b) => compare(a.id, b.id));
  for (const endpoint of endpoints) {
    if (!endpoint.pod || !topology.pods[endpoint.pod] || !topology.services[endpoint.service]) continue;
    edge(
      { id: endpoint.id, kind: 'endpoint', source: endpoint.service, target: endpoint.pod, label: '', model: endpoint.id },
      ['endpoint', endpointState(endpoint)],
    );
  }

  for (const ingress of ingresses) {
    const paths = new Map<Id, string[]>();
    for (const rule of ingress.rules) {
      if (!topology.services[rule.service]) continue;
      const list = paths.get(rule.service) ?? [];
      list.push(`${rule.host ?? '*'}${rule.path ?? '/'}`);
      paths.set(rule.service, list);
    }
    for (const [service, routes] of [...paths].sort(([a], [b]) => compare(a, b))) {
      edge(
        { id: `backend:${ingress.id}>${service}`, kind: 'backend', source: ingress.id, target: service, label: truncate([...new Set(routes)].join(', '), 28), model: ingress.id },
        ['backend'],
      );
    }
  }

  if (hasInternet) {
    for (const ingress of ingresses) {
      edge(
        { id: `expose:${ingress.id}`, kind: 'exposure', source: internetId, target: ingress.id, label: truncate(ingress.loadBalancerIngress.join(', '), 28), model: ingress.id },
        ['exposure'],
      );
    }
    for (const service of exposed) {
      const addresses = [...service.loadBalancerIngress, ...service.externalIPs];
      const label = addresses.length > 0 ? addresses.join(', ') : service.type === 'LoadBalancer' ? 'LB address pending' : '';
      edge({ id: `expose:${service.id}`, kind: 'exposure', source: internetId, target: service.id, label: truncate(label, 28), model: service.id }, [
        'exposure',
        ...(addresses.length === 0 ? ['pending'] : []),
      ]);
    }
  }

  return [...nodes, ...edges];

  function addDevice(device: Device, host: Host): void {
    const slot: HostSlot = device.type === 'bridge' ? 'bridge' : device.type === 'tunnel' ? 'tunnel' : 'uplink';
    const size = device.type === 'bridge' ? leafSizes.bar : leafSizes.device;
    node({ id: device.id, kind: 'device', label: deviceLabel(device, host), model: device.id, parent: host.id, slot, ...size }, [
      'device',
      `device-${device.type}`,
      `name-${device.name ? device.nameProvenance : 'unknown'}`,
    ]);
  }

  function addPod(pod: PodRecord, parent: string, slot: HostSlot | undefined): void {
    const containers = pod.containers.map((id) => topology.containers[id]).filter((c): c is ContainerRecord => c !== undefined);
    const classes = ['pod'];
    if (pod.isHostNetwork) classes.push('host-network');
    if (!pod.isReady) classes.push('not-ready');
    if (pod.ips.length === 0) classes.push('no-ip');
    if (containers.length === 0) classes.push('empty');
    node(
      {
        id: pod.id,
        kind: 'pod',
        label: podLabel(pod, byNamespace ? (topology.hosts[pod.host ?? '']?.name ?? null) : null),
        model: pod.id,
        parent,
        color: colors.get(pod.namespace),
        ...(slot ? { slot } : {}),
        ...(containers.length === 0 ? leafSizes.emptyPod : {}),
      },
      classes,
    );
    for (const container of containers) {
      node(
        { id: container.id, kind: 'container', label: containerLabel(container), model: container.id, parent: pod.id, color: colors.get(pod.namespace), ...leafSizes.container },
        ['container', `role-${container.role}`, ...(container.isReady ? [] : ['not-ready'])],
      );
    }
  }
}

/** The pod's veth, when it is drawn: scheduled on a drawn host, in its own netns. */
function podVeth(topology: Topology, pod: PodRecord): VethRecord | null {
  if (pod.isHostNetwork || !pod.veth) return null;
  return topology.veths[pod.veth] ?? null;
}

function bridgeOf(topology: Topology, veth: VethRecord, host: Host): Device | null {
  const bridge = veth.bridge ? topology.devices[veth.bridge] : undefined;
  return bridge && bridge.host === host.id ? bridge : null;
}

export function endpointState(endpoint: EndpointRecord): 'terminating' | 'ready' | 'not-ready' {
  if (endpoint.isTerminating) return 'terminating';
  return endpoint.isReady ? 'ready' : 'not-ready';
}

export function vethLabel(veth: VethRecord): string {
  return veth.hostEnd.name && veth.hostEnd.provenance !== 'unknown' ? veth.hostEnd.name : 'veth?';
}

const hostChars = charsThatFit(300);

function hostLabel(host: Host): string {
  const lines = [`${host.name}${host.isReady ? '' : ' · NotReady'}`];
  lines.push(host.internalIPs.length > 0 ? `InternalIP ${host.internalIPs.join(', ')}` : 'no InternalIP');
  if (host.externalIPs.length > 0) lines.push(`ExternalIP ${host.externalIPs.join(', ')}`);
  lines.push(host.podCIDRs.length > 0 ? `podCIDR ${host.podCIDRs.join(', ')}` : 'no podCIDR');
  return lines.map((line) => truncate(line, hostChars)).join('\n');
}

const deviceChars = charsThatFit(leafSizes.device.width - 10);

/** How a routed or eBPF CNI reaches its pods from the node's root netns; never a guess. */
function attachmentLabel(attachment: PodAttachment): string {
  switch (attachment) {
    case 'routed':
      return 'root netns routes\none /32 per pod → its host-end veth';
    case 'ebpf':
      return 'root netns\neBPF programs on each host-end veth';
    case 'ovs':
      return 'root netns\nOVS bridge ports';
    default:
      return 'root netns\nhow pods attach is unknown (CNI not detected)';
  }
}

function deviceLabel(device: Device, host: Host): string {
  switch (device.type) {
    case 'uplink': {
      const addresses = device.addresses.length > 0 ? device.addresses : host.internalIPs;
      return [`uplink${device.name ? ` ${device.name}` : ''}`, addresses.join(', ') || 'no address'].map((l) => truncate(l, deviceChars)).join('\n');
    }
    case 'bridge':
      // Gateway devices (cilium_host, antrea-gw0, ovn-k8s-mp0) are stored as bridges with their role.
      return [`${device.name ?? 'bridge'} ${device.addresses.join(', ')}`.trim(), device.role ?? 'bridge'].map((l) => truncate(l, deviceChars)).join('\n');
    case 'tunnel': {
      const encapsulation = device.encapsulation ? device.encapsulation.toUpperCase() : 'tunnel';
      const vni = device.vni != null ? ` VNI ${device.vni}` : '';
      const port = device.udpPort != null ? ` · UDP ${device.udpPort}` : '';
      return [`${device.name ?? 'tunnel'} ${encapsulation}${vni}`, `tunnel${port}`].map((l) => truncate(l, deviceChars)).join('\n');
    }
    case 'dummy':
      return [device.name ?? 'dummy', device.role === 'ipvs' ? 'IPVS: holds the Service IPs' : 'dummy'].map((l) => truncate(l, deviceChars)).join('\n');
  }
}

const podChars = charsThatFit(leafSizes.container.width + 2 * padding.pod + gaps.column / 2);

/** `node`: the pod's node, named when the pod is not drawn inside it (by-namespace grouping). */
function podLabel(pod: PodRecord, node: string | null): string {
  const ips = pod.ips.length > 0 ? pod.ips.join(', ') : 'no IP';
  const phase = pod.phase === 'Running' ? '' : ` · ${pod.phase}`;
  const where = node ? ` · ${node}` : '';
  const second = pod.isHostNetwork ? `host network · ${ips}${where}${phase}` : `${ips}${where}${phase}`;
  return [truncate(pod.name, podChars), truncate(second, podChars)].join('\n');
}

const containerChars = charsThatFit(leafSizes.container.width - 10, text.smallSize);

function containerLabel(container: ContainerRecord): string {
  const name = container.role === 'app' ? container.name : `${container.role}: ${container.name}`;
  const ports = container.ports.map((p) => `:${p.port}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}`).join(' ');
  return truncate(ports ? `${name}  ${ports}` : name, containerChars);
}

const serviceChars = charsThatFit(leafSizes.service.width - 12);

export function servicePortText(port: ServicePortRecord): string {
  const target = String(port.targetPort) === String(port.port) ? '' : `→${port.targetPort}`;
  const nodePort = port.nodePort ? ` :${port.nodePort}` : '';
  return `${port.port}${target}/${port.protocol}${nodePort}`;
}

function serviceLabel(service: ServiceRecord): string {
  let address: string;
  if (service.type === 'ExternalName') address = `ExternalName ${service.externalName ?? ''}`;
  else if (service.isHeadless) address = 'headless';
  else address = service.clusterIPs.length > 0 ? service.clusterIPs.join(', ') : 'no ClusterIP';
  if (service.type === 'NodePort' || service.type === 'LoadBalancer') address = `${service.type} · ${address}`;
  const ports = service.ports.length > 0 ? service.ports.map(servicePortText).join(', ') : 'no ports';
  return [service.name, address, ports].map((line) => truncate(line, serviceChars)).join('\n');
}

const ingressChars = charsThatFit(leafSizes.ingress.width - 12);

function ingressLabel(ingress: IngressRecord): string {
  const hosts = [...new Set(ingress.rules.map((r) => r.host ?? '*'))];
  const hostLine = hosts.length === 0 ? 'no rules' : hosts.length === 1 ? hosts[0]! : `${hosts[0]} +${hosts.length - 1}`;
  return [`ingress ${ingress.name}`, hostLine, ingress.className ? `class ${ingress.className}` : 'default class']
    .map((line) => truncate(line, ingressChars))
    .join('\n');
}
