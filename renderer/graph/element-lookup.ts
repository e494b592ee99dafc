/**
 * One graph element by its id, built from its owner alone (element-builders.ts): what the details
 * panel shows for a selection and what search asks ("is it drawn?") without building the whole
 * picture at every live update. Group boxes, the Internet and the tunnel chain read the whole
 * topology (what they count or join); every other element reads its owner's record and few more.
 */
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import { isExposedService } from '../../shared/model/relations.ts';
import { internetId, type Id, type PodRecord, type Topology } from '../../shared/model/types.ts';
import { collectionHolding } from '../../shared/topology/diff.ts';
import {
  endpointElements,
  hostElements,
  ingressElements,
  internetElements,
  namespaceGroupElements,
  podElements,
  serviceElements,
  serviceGroupElements,
  shownHost,
  tunnelElements,
  unscheduledElements,
  type Built,
  type Scene,
} from './element-builders.ts';
import { unscheduledGroupId, type GraphElement, type Grouping } from './element-types.ts';
import { hostOrder, sceneOf } from './elements.ts';

const scenes = new WeakMap<Topology, Map<string, Scene>>();

/** The scene for a topology, grouping and filters, made once (namespace colours read every pod). */
export function cachedScene(topology: Topology, grouping: Grouping, filters: GraphFilters = noFilters): Scene {
  const key = `${grouping}|${JSON.stringify(filters)}`;
  let byKey = scenes.get(topology);
  if (!byKey) scenes.set(topology, (byKey = new Map()));
  let scene = byKey.get(key);
  if (!scene) byKey.set(key, (scene = sceneOf(topology, grouping, filters)));
  return scene;
}

/** The element `id` as the picture of `topology` draws it, or null when it draws none. */
export function graphElementById(topology: Topology, grouping: Grouping, id: string, filters: GraphFilters = noFilters): GraphElement | null {
  const built = buildOwnerOf(cachedScene(topology, grouping, filters), id);
  return [...built.nodes, ...built.edges].find((e) => e.data.id === id) ?? null;
}

const nothing: Built = { nodes: [], edges: [] };

const podsByHost = new WeakMap<Scene, Map<Id, PodRecord[]>>();

/** The shown pods of each shown host, indexed once per scene (a search may ask for many hosts). */
function shownPodsOn(scene: Scene, host: Id): PodRecord[] {
  let index = podsByHost.get(scene);
  if (!index) {
    index = new Map();
    for (const pod of Object.values(scene.topology.pods)) {
      if (!pod.host || !scene.view.pod(pod) || !shownHost(scene, pod.host)) continue;
      const list = index.get(pod.host);
      if (list) list.push(pod);
      else index.set(pod.host, [pod]);
    }
    podsByHost.set(scene, index);
  }
  return index.get(host) ?? [];
}

function buildOwnerOf(scene: Scene, id: string): Built {
  const { topology, view } = scene;
  const byNode = scene.grouping === 'node';
  const shownPods = (): PodRecord[] => Object.values(topology.pods).filter(view.pod);

  if (id === internetId) {
    const external = topology.external[internetId];
    const hasInternet =
      (external !== undefined && view.external(external)) || Object.values(topology.services).some((s) => view.service(s) && isExposedService(s)) || Object.values(topology.ingresses).some(view.ingress);
    return internetElements(scene, hasInternet);
  }
  if (id === unscheduledGroupId) return byNode ? unscheduledElements(shownPods().filter((p) => !shownHost(scene, p.host))) : nothing;
  if (id.startsWith('group:services/')) {
    const namespace = id.slice('group:services/'.length);
    return byNode && Object.values(topology.services).some((s) => s.namespace === namespace && view.service(s)) ? serviceGroupElements(scene, namespace) : nothing;
  }
  if (id.startsWith('group:ns/')) {
    const namespace = id.slice('group:ns/'.length);
    const pods = shownPods().filter((p) => p.namespace === namespace).length;
    const hasServices = Object.values(topology.services).some((s) => s.namespace === namespace && view.service(s));
    return !byNode && (pods > 0 || hasServices) ? namespaceGroupElements(scene, namespace, pods) : nothing;
  }
  if (id.startsWith('tunnel:')) return tunnelElements(scene, Object.values(topology.hosts).filter(view.host).sort(hostOrder));
  if (id.startsWith('routes:')) return buildOwnerOf(scene, `node:${id.slice('routes:'.length)}`);
  if (id.startsWith('backend:')) return buildOwnerOf(scene, id.slice('backend:'.length, id.indexOf('>')));
  if (id.startsWith('expose:')) return buildOwnerOf(scene, id.slice('expose:'.length));

  switch (collectionHolding(topology, id)) {
    case 'hosts': {
      const host = topology.hosts[id]!;
      return hostElements(scene, host, byNode ? shownPodsOn(scene, host.id) : []);
    }
    case 'devices':
      return buildOwnerOf(scene, topology.devices[id]!.host);
    case 'pods':
      return podElements(scene, topology.pods[id]!);
    case 'containers':
    case 'veths': {
      const pod = topology.pods[(topology.containers[id] ?? topology.veths[id])!.pod];
      return pod ? podElements(scene, pod) : nothing;
    }
    case 'services':
      return serviceElements(scene, topology.services[id]!);
    case 'endpoints':
      return endpointElements(scene, topology.endpoints[id]!);
    case 'ingresses':
      return ingressElements(scene, topology.ingresses[id]!);
    default:
      return nothing;
  }
}
