/**
 * The graph's elements, one owner at a time: each function here draws one model record (a host
 * with its devices, a pod with its containers and veth, a Service, an Ingress, an endpoint) or
 * one canvas-only box (a group, the Internet, the tunnel chain), from the whole topology and the
 * filters' verdicts. Pure, so the full picture (elements.ts) and a delta's few changed owners
 * (element-index.ts) come out the same.
 *
 * Every element has exactly one owner, so rebuilding an owner replaces all of its elements and
 * nothing else. Edges follow shared/model/relations.ts, the table the DOT export draws from too.
 */
import { filterView, noFilters, type FilterView, type GraphFilters } from '../../shared/filter.ts';
import { backendRelations, endpointRelation, exposureRelation, vethRelation } from '../../shared/model/relations.ts';
import { endpointState } from '../../shared/model/text.ts';
import { internetId, type ContainerRecord, type Device, type EndpointRecord, type Host, type Id, type IngressRecord, type PodRecord, type ServiceRecord, type Topology } from '../../shared/model/types.ts';
import { attachmentLabel, containerLabel, deviceLabel, hostLabel, ingressLabel, podLabel, serviceLabel, vethLabel } from './element-labels.ts';
import { namespaceGroupId, routesNodeId, serviceGroupId, unscheduledGroupId, type GraphEdgeData, type GraphElement, type GraphNodeData, type Grouping, type HostSlot } from './element-types.ts';
import { leafSizes, truncate } from './geometry.ts';
import { namespaceColors } from './palette.ts';
import { isolationOf } from '../../shared/policy/isolation.ts';

/** What every builder reads. */
export interface Scene {
  /** The whole topology; `view` says what of it is shown. */
  topology: Topology;
  view: FilterView;
  grouping: Grouping;
  colors: ReadonlyMap<string, string>;
}

/** The scene the builders draw from: the topology, the filters' verdicts, the grouping. */
export function sceneOf(topology: Topology, grouping: Grouping, filters: GraphFilters = noFilters): Scene {
  return { topology, view: filterView(topology, filters), grouping, colors: namespaceColors(topology) };
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Hosts in natural order (node-2 before node-10), as people number their nodes. */
export function hostOrder(a: Host, b: Host): number {
  return naturalOrder.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The elements of one owner, nodes in parent-before-child order. */
export interface Built {
  nodes: GraphElement[];
  edges: GraphElement[];
}

const none = (): Built => ({ nodes: [], edges: [] });
/**
 * The edges that run from the Services' rows (and the Internet) into the node boxes: drawn only
 * for the hovered, selected or traced element unless the user asks for all (stylesheet.ts), so
 * that they do not cross every box.
 */
const onDemand = 'on-demand';

const nodeOf = (data: GraphNodeData, classes: string[]): GraphElement => ({ group: 'nodes', data, classes });
const edgeOf = (data: GraphEdgeData, classes: string[]): GraphElement => ({ group: 'edges', data, classes });

/** The host, when it exists and is shown. */
export function shownHost(scene: Scene, id: Id | null): Host | null {
  const host = id ? scene.topology.hosts[id] : undefined;
  return host && scene.view.host(host) ? host : null;
}

/**
 * A node's box: the host, its root-netns devices, and — by node, when some pod on it is reached
 * by routes rather than a bridge — a node standing for those routes. `hostPods` are the shown
 * pods on it (by node only; by namespace its pods live in their namespaces' boxes).
 */
export function hostElements(scene: Scene, host: Host, hostPods: readonly PodRecord[]): Built {
  const { topology, view } = scene;
  if (!view.host(host)) return none();
  const devices = host.devices.map((id) => topology.devices[id]).filter((d): d is Device => d !== undefined && d.host === host.id && view.device(d));
  const pods = scene.grouping === 'node' ? hostPods : [];
  // A host with nothing inside is drawn as a plain box of its own size.
  const emptySize = devices.length === 0 && pods.length === 0 ? { width: 200, height: 60 } : {};
  const nodes = [nodeOf({ id: host.id, kind: 'host', label: hostLabel(host), model: host.id, ...emptySize }, ['host', ...(host.isReady ? [] : ['not-ready'])])];
  for (const device of devices) {
    const slot: HostSlot = device.type === 'bridge' ? 'bridge' : device.type === 'tunnel' ? 'tunnel' : 'uplink';
    const size = device.type === 'bridge' ? leafSizes.bar : leafSizes.device;
    nodes.push(
      nodeOf({ id: device.id, kind: 'device', label: deviceLabel(device, host), model: device.id, parent: host.id, slot, ...size }, [
        'device',
        `device-${device.type}`,
        `name-${device.name ? device.nameProvenance : 'unknown'}`,
      ]),
    );
  }
  if (pods.some((pod) => vethOf(scene, pod)?.via === 'routes')) {
    nodes.push(
      nodeOf(
        { id: routesNodeId(host), kind: 'routes', label: attachmentLabel(topology.cluster.cni.value.podAttachment), model: host.id, parent: host.id, slot: 'bridge', ...leafSizes.bar },
        ['routes'],
      ),
    );
  }
  return { nodes, edges: [] };
}

/** The shown veth of a pod in its own netns on a shown host, with the relation that draws it. */
function vethOf(scene: Scene, pod: PodRecord): ReturnType<typeof vethRelation> {
  if (pod.isHostNetwork || !pod.veth) return null;
  const veth = scene.topology.veths[pod.veth];
  if (!veth || !scene.view.veth(veth) || !shownHost(scene, pod.host)) return null;
  return vethRelation(scene.topology, veth);
}

/**
 * A pod: by node, a netns box in its host (hostNetwork pods sit in the host's own netns slot),
 * or in the Unscheduled box when its node is not shown; by namespace, in its namespace's box,
 * labelled with its node. Its containers inside it, and by node the veth from its host's bridge
 * or routes node.
 */
export function podElements(scene: Scene, pod: PodRecord): Built {
  const { topology, view, grouping, colors } = scene;
  if (!view.pod(pod)) return none();
  const host = shownHost(scene, pod.host);
  const containers = pod.containers.map((id) => topology.containers[id]).filter((c): c is ContainerRecord => c !== undefined && view.container(c));
  const classes = ['pod'];
  if (pod.isHostNetwork) classes.push('host-network');
  if (!pod.isReady) classes.push('not-ready');
  if (pod.phase === 'Pending') classes.push('pending');
  if (pod.ips.length === 0) classes.push('no-ip');
  if (containers.length === 0) classes.push('empty');
  // NetworkPolicy isolation, marked on the box: what may reach it is the details' business.
  const isolation = isolationOf(topology, pod);
  if (isolation.ingress) classes.push('isolated-ingress');
  if (isolation.egress) classes.push('isolated-egress');
  const byNamespace = grouping === 'namespace';
  const parent = byNamespace ? namespaceGroupId(pod.namespace) : (host?.id ?? unscheduledGroupId);
  const slot: HostSlot | undefined = byNamespace ? 'pod' : host ? (pod.isHostNetwork ? 'hostnet' : 'pod') : undefined;
  const color = colors.get(pod.namespace);
  const nodes = [
    nodeOf(
      {
        id: pod.id,
        kind: 'pod',
        label: podLabel(pod, byNamespace ? (host?.name ?? null) : null),
        model: pod.id,
        parent,
        color,
        namespace: pod.namespace,
        ...(slot ? { slot } : {}),
        ...(containers.length === 0 ? leafSizes.emptyPod : {}),
      },
      classes,
    ),
  ];
  for (const container of containers) {
    nodes.push(
      nodeOf({ id: container.id, kind: 'container', label: containerLabel(container), model: container.id, parent: pod.id, color, ...leafSizes.container }, [
        'container',
        `role-${container.role}`,
        ...(container.isReady ? [] : ['not-ready']),
      ]),
    );
  }
  const edges: GraphElement[] = [];
  const veth = byNamespace ? null : vethOf(scene, pod);
  if (veth && host) {
    const record = topology.veths[veth.owner]!;
    edges.push(
      edgeOf({ id: veth.id, kind: 'veth', source: veth.via === 'bridge' ? veth.source : routesNodeId(host), target: pod.id, label: vethLabel(record), model: veth.id }, [
        'veth',
        `veth-${record.hostEnd.name ? record.hostEnd.provenance : 'unknown'}`,
      ]),
    );
  }
  return { nodes, edges };
}

/**
 * By node, the box for shown pods not drawn in a host. A pod can be scheduled on a node the view
 * does not hold (Nodes forbidden, or not listed yet): it must not be called unscheduled then.
 */
export function unscheduledElements(pods: readonly PodRecord[]): Built {
  if (pods.length === 0) return none();
  const onHiddenNodes = pods.filter((pod) => pod.host !== null).length;
  const where = onHiddenNodes === 0 ? 'Unscheduled' : onHiddenNodes === pods.length ? 'On nodes not shown' : 'Unscheduled or on nodes not shown';
  return { nodes: [nodeOf({ id: unscheduledGroupId, kind: 'unscheduled', label: `${where} · ${pods.length} pod${pods.length === 1 ? '' : 's'}`, model: null }, ['group', 'unscheduled'])], edges: [] };
}

/** By namespace, a namespace's box, counting its shown pods. */
export function namespaceGroupElements(scene: Scene, namespace: string, podCount: number): Built {
  const isSystem = scene.topology.namespaces[`ns:${namespace}`]?.isSystem === true;
  const label = `namespace ${namespace} · ${podCount} pod${podCount === 1 ? '' : 's'}`;
  return {
    nodes: [nodeOf({ id: namespaceGroupId(namespace), kind: 'namespace', label, model: `ns:${namespace}`, color: scene.colors.get(namespace) }, ['group', 'namespace', ...(isSystem ? ['system'] : [])])],
    edges: [],
  };
}

/** By node, the box holding a namespace's Services. */
export function serviceGroupElements(scene: Scene, namespace: string): Built {
  return {
    nodes: [nodeOf({ id: serviceGroupId(namespace), kind: 'service-group', label: `Services · ${namespace}`, model: `ns:${namespace}`, color: scene.colors.get(namespace) }, ['group', 'service-group'])],
    edges: [],
  };
}

/** A Service, in its namespace's box, and the Internet's way in when it is exposed. */
export function serviceElements(scene: Scene, service: ServiceRecord): Built {
  if (!scene.view.service(service)) return none();
  const byNamespace = scene.grouping === 'namespace';
  const nodes = [
    nodeOf(
      {
        id: service.id,
        kind: 'service',
        label: serviceLabel(service),
        model: service.id,
        parent: byNamespace ? namespaceGroupId(service.namespace) : serviceGroupId(service.namespace),
        color: scene.colors.get(service.namespace),
        ...(byNamespace ? { slot: 'service' as const } : {}),
        ...leafSizes.service,
      },
      // Without a selector its endpoints are kept by hand (often not pods): no pod edge is missing.
      ['service', `type-${service.type}`, ...(service.isHeadless ? ['headless'] : []), ...(service.selector === null ? ['no-selector'] : [])],
    ),
  ];
  const edges: GraphElement[] = [];
  // An exposed Service that is shown always brings the Internet with it (hasInternet).
  const exposure = exposureRelation(service);
  if (exposure) {
    const addresses = exposure.addresses ?? [];
    const label = addresses.length > 0 ? addresses.join(', ') : service.type === 'LoadBalancer' ? 'LB address pending' : '';
    edges.push(edgeOf({ id: exposure.id, kind: 'exposure', source: internetId, target: service.id, label: truncate(label, 28), model: service.id }, ['exposure', onDemand, ...(addresses.length === 0 ? ['pending'] : [])]));
  }
  return { nodes, edges };
}

/** The Internet, when something shown is reached from it (or the model holds it). */
export function internetElements(scene: Scene, hasInternet: boolean): Built {
  if (!hasInternet) return none();
  const record = scene.topology.external[internetId];
  const model = record && scene.view.external(record) ? internetId : null;
  return { nodes: [nodeOf({ id: internetId, kind: 'internet', label: 'Internet', model, ...leafSizes.internet }, ['internet'])], edges: [] };
}

/** An Ingress, its edges to the shown Services it routes to, and the Internet's way in. */
export function ingressElements(scene: Scene, ingress: IngressRecord): Built {
  const { topology, view } = scene;
  if (!view.ingress(ingress)) return none();
  const edges: GraphElement[] = [];
  for (const backend of backendRelations(topology, ingress)) {
    const service = topology.services[backend.target];
    if (!service || !view.service(service)) continue;
    edges.push(edgeOf({ id: backend.id, kind: 'backend', source: ingress.id, target: backend.target, label: truncate((backend.routes ?? []).join(', '), 28), model: ingress.id }, ['backend', onDemand]));
  }
  const exposure = exposureRelation(ingress)!;
  edges.push(edgeOf({ id: exposure.id, kind: 'exposure', source: internetId, target: ingress.id, label: truncate((exposure.addresses ?? []).join(', '), 28), model: ingress.id }, ['exposure']));
  return {
    nodes: [nodeOf({ id: ingress.id, kind: 'ingress', label: ingressLabel(ingress), model: ingress.id, color: scene.colors.get(ingress.namespace), ...leafSizes.ingress }, ['ingress'])],
    edges,
  };
}

/** A Service's endpoint that is a shown pod, classed by its state. */
export function endpointElements(scene: Scene, endpoint: EndpointRecord): Built {
  const { topology, view } = scene;
  if (!view.endpoint(endpoint)) return none();
  const relation = endpointRelation(topology, endpoint);
  const pod = relation ? topology.pods[relation.target] : undefined;
  if (!relation || !pod || !view.pod(pod)) return none();
  return { nodes: [], edges: [edgeOf({ id: endpoint.id, kind: 'endpoint', source: relation.source, target: relation.target, label: '', model: endpoint.id }, ['endpoint', onDemand, endpointState(endpoint)])] };
}


/**
 * The overlay. Every node's tunnel reaches every other node (a full mesh), but drawing
 * the mesh costs n(n-1)/2 edges — 12.5 million at 5,000 nodes. It is drawn as a chain through
 * the shown hosts in layout order instead: n-1 short edges that show which devices carry it.
 * Each host's routes (details panel, `podpath describe`) say which peer each tunnel route goes to.
 */
export function tunnelElements(scene: Scene, hostsInOrder: readonly Host[]): Built {
  const { topology, view } = scene;
  const tunnels: { host: Host; index: number; device: Device }[] = [];
  hostsInOrder.forEach((host, index) => {
    const device = host.devices.map((id) => topology.devices[id]).find((d) => d?.type === 'tunnel');
    if (device && view.device(device)) tunnels.push({ host, index, device });
  });
  const edges: GraphElement[] = [];
  for (let i = 0; i + 1 < tunnels.length; i++) {
    const a = tunnels[i]!;
    const b = tunnels[i + 1]!;
    edges.push(
      edgeOf(
        { id: `tunnel:${a.host.name}|${b.host.name}`, kind: 'tunnel', source: a.device.id, target: b.device.id, label: (a.device.encapsulation ?? 'tunnel').toUpperCase(), model: null, span: b.index - a.index },
        ['tunnel'],
      ),
    );
  }
  return { nodes: [], edges };
}
