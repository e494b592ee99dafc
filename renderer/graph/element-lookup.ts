/**
 * One graph element by its id, built from its owner alone (element-owners.ts): what the details
 * panel shows for a selection and what search asks ("is it drawn?") without building the whole
 * picture at every live update. The facts an aggregate owner needs are found by looking through
 * the topology, once per scene.
 */
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import { isExposedService } from '../../shared/model/relations.ts';
import type { Id, PodRecord, Topology } from '../../shared/model/types.ts';
import { sceneOf, shownHost, type Scene } from './element-builders.ts';
import { buildOwner, ownerOfElement, type OwnerFacts } from './element-owners.ts';
import type { GraphElement, Grouping } from './element-types.ts';

const scenes = new WeakMap<Topology, Map<string, { scene: Scene; facts: OwnerFacts }>>();

/** The scene for a topology, grouping and filters, with its facts, made once each. */
function cached(topology: Topology, grouping: Grouping, filters: GraphFilters): { scene: Scene; facts: OwnerFacts } {
  const key = `${grouping}|${JSON.stringify(filters)}`;
  let byKey = scenes.get(topology);
  if (!byKey) scenes.set(topology, (byKey = new Map()));
  let entry = byKey.get(key);
  if (!entry) {
    const scene = sceneOf(topology, grouping, filters);
    byKey.set(key, (entry = { scene, facts: scannedFacts(scene) }));
  }
  return entry;
}

/** The element `id` as the picture of `topology` draws it, or null when it draws none. */
export function graphElementById(topology: Topology, grouping: Grouping, id: string, filters: GraphFilters = noFilters): GraphElement | null {
  const owner = ownerOfElement(topology, id);
  if (owner === null) return null;
  const { scene, facts } = cached(topology, grouping, filters);
  const built = buildOwner(scene, owner, facts);
  return [...built.nodes, ...built.edges].find((e) => e.data.id === id) ?? null;
}

/** Each fact found by one pass over the topology, the first time it is asked. */
function scannedFacts(scene: Scene): OwnerFacts {
  const { topology, view } = scene;
  const memo = <T>(compute: () => T): (() => T) => {
    let value: { v: T } | null = null;
    return () => (value ??= { v: compute() }).v;
  };
  const shownPods = memo(() => Object.values(topology.pods).filter(view.pod));
  const byHost = memo(() => {
    const index = new Map<Id, PodRecord[]>();
    for (const pod of shownPods()) {
      if (!pod.host || !shownHost(scene, pod.host)) continue;
      const list = index.get(pod.host);
      if (list) list.push(pod);
      else index.set(pod.host, [pod]);
    }
    return index;
  });
  const byNamespace = memo(() => {
    const index = new Map<string, { pods: number; hasServices: boolean }>();
    const entry = (namespace: string) => index.get(namespace) ?? index.set(namespace, { pods: 0, hasServices: false }).get(namespace)!;
    for (const pod of shownPods()) entry(pod.namespace).pods++;
    for (const service of Object.values(topology.services)) if (view.service(service)) entry(service.namespace).hasServices = true;
    return index;
  });
  return {
    podsOn: (host) => byHost().get(host.id) ?? [],
    unscheduledPods: memo(() => shownPods().filter((pod) => !shownHost(scene, pod.host))),
    namespaceContents: (namespace) => byNamespace().get(namespace) ?? { pods: 0, hasServices: false },
    hasInternet: memo(() => Object.values(topology.services).some((s) => view.service(s) && isExposedService(s)) || Object.values(topology.ingresses).some(view.ingress)),
  };
}
