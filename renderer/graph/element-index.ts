/**
 * The graph's elements kept current by model deltas (design §6, style.md "Deltas all the way
 * down"): a `{added, updated, removed}` topology delta names the records that changed; the index
 * finds every owner whose elements may depend on them (element-builders.ts), rebuilds those
 * owners alone and answers with the element delta — so a one-pod change costs a handful of
 * elements whatever the size of the cluster. Elements whose owner was not rebuilt, or was rebuilt
 * to the same thing, keep their identity, which the adapter relies on to skip them.
 *
 * What an owner's elements read beyond its own record is indexed here, over the whole topology
 * (not only what the filters show): a host's pods, a namespace's pods and Services, the endpoints
 * of a pod and of a Service, the Ingresses routing to a Service. Some filters also depend on sets
 * over the whole topology (filter.ts's `wholeSets`); a delta that changes one of them counts as a
 * change to the records that entered or left it.
 *
 * A delta that changes what colours every namespace (the set of namespace names), whether a
 * namespace counts as a system one, or the cluster's facts (the CNI, which every routes label
 * reads) is answered with null: the caller builds the picture afresh. So are filter and grouping
 * changes, which are a new index.
 */
import { filterView, noFilters, type GraphFilters } from '../../shared/filter.ts';
import type { TopologyDelta } from '../../shared/model/delta.ts';
import { isExposedService } from '../../shared/model/relations.ts';
import { internetId, type Host, type Id, type ModelElement, type PodRecord, type Topology } from '../../shared/model/types.ts';
import { collectionHolding } from '../../shared/topology/diff.ts';
import { sceneOf, shownHost, type Built, type Scene } from './element-builders.ts';
import { buildOwner, type OwnerFacts } from './element-owners.ts';
import { namespaceGroupId, serviceGroupId, tunnelsOwner, unscheduledGroupId, type GraphElement, type Grouping } from './element-types.ts';
import { buildAll } from './elements.ts';

export interface ElementDelta {
  /** New elements, nodes before edges and parents before their children. */
  added: GraphElement[];
  updated: GraphElement[];
  removed: string[];
  /** The updated and removed elements as they were. */
  before: Map<string, GraphElement>;
}

/** A multimap that forgets empty keys. */
class Index {
  private readonly map = new Map<string, Set<Id>>();
  add(key: string | null | undefined, id: Id): void {
    if (key == null) return;
    const set = this.map.get(key);
    if (set) set.add(id);
    else this.map.set(key, new Set([id]));
  }
  delete(key: string | null | undefined, id: Id): void {
    if (key == null) return;
    const set = this.map.get(key);
    if (set?.delete(id) && set.size === 0) this.map.delete(key);
  }
  get(key: string | null | undefined): ReadonlySet<Id> {
    return (key != null && this.map.get(key)) || empty;
  }
}
const empty: ReadonlySet<Id> = new Set();

export class GraphElementIndex implements OwnerFacts {
  private scene: Scene;
  /** Every element, in the order of the last whole build, then in the order they came. */
  private readonly elements = new Map<string, GraphElement>();
  private readonly owned = new Map<string, GraphElement[]>();
  private listCache: GraphElement[] | null = null;
  /** How many namespaces, pods, Services and Ingresses name each namespace: the colours are
   * assigned over the names, so a name's first or last holder calls for a new picture. */
  private readonly namespaceHolders = new Map<string, number>();
  /** Names whose holder count went to or from zero since the last look. */
  private readonly namespacesChanged = new Set<string>();

  private readonly podsByHost = new Index();
  private readonly podsByNamespace = new Index();
  private readonly servicesByNamespace = new Index();
  private readonly endpointsByPod = new Index();
  private readonly endpointsByService = new Index();
  private readonly ingressesByService = new Index();
  /** Shown pods drawn in no host (by node), shown exposed Services, shown Ingresses. */
  private readonly unscheduled = new Set<Id>();
  private readonly exposed = new Set<Id>();
  private readonly ingresses = new Set<Id>();

  constructor(topology: Topology, grouping: Grouping, filters: GraphFilters = noFilters) {
    this.scene = sceneOf(topology, grouping, filters);
    const list = buildAll(this.scene, (owner, built) => {
      this.owned.set(owner, [...built.nodes, ...built.edges]);
      this.noteMembership(owner, built);
    });
    for (const element of list) this.elements.set(element.data.id, element);
    this.listCache = list;
    for (const collection of ['namespaces', 'pods', 'services', 'endpoints', 'ingresses'] as const) {
      for (const record of Object.values(topology[collection])) this.indexRecord(record, true);
    }
    this.namespacesChanged.clear();
  }

  get topology(): Topology {
    return this.scene.topology;
  }
  get grouping(): Grouping {
    return this.scene.grouping;
  }
  get filters(): GraphFilters {
    return this.scene.view.filters;
  }

  /** Every element, parents before children for every element added since the last whole build. */
  get list(): GraphElement[] {
    this.listCache ??= [...this.elements.values()];
    return this.listCache;
  }

  get byId(): ReadonlyMap<string, GraphElement> {
    return this.elements;
  }

  /**
   * Moves to `next`, which is `delta` applied to the current topology; the elements that changed,
   * or null when the change calls for a whole new picture (see the top of this file).
   */
  update(next: Topology, delta: TopologyDelta): ElementDelta | null {
    const before = this.scene;
    if (delta.cluster !== undefined) return null;
    const records = changedRecords(before.topology, next, delta);
    for (const { old, new: record } of records) {
      if (old?.kind === 'namespace' && record?.kind === 'namespace' && old.isSystem !== record.isSystem) return null;
      if (old) this.indexRecord(old, false);
      if (record) this.indexRecord(record, true);
    }
    if (this.hasNewNamespaceNames) return null;
    const view = filterView(next, before.view.filters);
    this.scene = { topology: next, view, grouping: before.grouping, colors: before.colors };

    const owners = new Set<string>();
    const touch = (owner: string | null | undefined): void => void (owner && owners.add(owner));
    for (const { old, new: record } of records) {
      for (const r of [old, record]) if (r) this.dependents(r, before.topology, next, touch);
    }
    // Records whose verdict changed with the sets the whole topology decides (filter.ts).
    const dependentsOf = (id: Id): void => {
      for (const topology of [before.topology, next]) {
        const record = recordOf(topology, id);
        if (record) this.dependents(record, before.topology, next, touch);
      }
    };
    before.view.wholeSets.forEach((a, i) => {
      const b = view.wholeSets[i]!;
      for (const id of a) if (!b.has(id)) dependentsOf(id);
      for (const id of b) if (!a.has(id)) dependentsOf(id);
    });
    return this.rebuild(owners);
  }

  /** The owners whose elements may read `record`. */
  private dependents(record: ModelElement, before: Topology, next: Topology, touch: (owner: string | null | undefined) => void): void {
    const byNode = this.scene.grouping === 'node';
    const podOwners = (ids: Iterable<Id>): void => {
      for (const id of ids) touch(id);
    };
    switch (record.kind) {
      case 'host':
        touch(record.id);
        touch(tunnelsOwner);
        podOwners(this.podsByHost.get(record.id));
        touch(unscheduledGroupId);
        break;
      case 'device':
        touch(record.host);
        touch(tunnelsOwner);
        podOwners(this.podsByHost.get(record.host));
        break;
      case 'pod':
        touch(record.id);
        touch(record.host);
        touch(byNode ? unscheduledGroupId : namespaceGroupId(record.namespace));
        for (const endpoint of this.endpointsByPod.get(record.id)) touch(endpoint);
        break;
      case 'container':
        touch(record.pod);
        break;
      case 'veth':
        touch(record.pod);
        touch(record.host);
        for (const topology of [before, next]) touch(topology.pods[record.pod]?.host);
        break;
      case 'service':
        touch(record.id);
        touch(byNode ? serviceGroupId(record.namespace) : namespaceGroupId(record.namespace));
        touch(internetId);
        for (const id of this.endpointsByService.get(record.id)) touch(id);
        for (const id of this.ingressesByService.get(record.id)) touch(id);
        break;
      case 'endpoint':
        touch(record.id);
        break;
      case 'ingress':
        touch(record.id);
        touch(internetId);
        break;
      case 'external':
        touch(internetId);
        break;
      case 'policy':
        // A pod's box is marked with the directions policies isolate (element-builders.ts).
        podOwners(this.podsByNamespace.get(record.namespace));
        break;
      default:
        // Namespaces (handled in update), Gateways and HTTPRoutes are not drawn.
        break;
    }
  }

  private indexRecord(record: ModelElement, isAdding: boolean): void {
    const op = (index: Index, key: string | null | undefined, id: Id): void => (isAdding ? index.add(key, id) : index.delete(key, id));
    const namespace = record.kind === 'namespace' ? record.name : record.kind === 'pod' || record.kind === 'service' || record.kind === 'ingress' ? record.namespace : null;
    if (namespace !== null) {
      const count = (this.namespaceHolders.get(namespace) ?? 0) + (isAdding ? 1 : -1);
      if (count === 0 || (count === 1 && isAdding)) this.namespacesChanged.add(namespace);
      if (count === 0) this.namespaceHolders.delete(namespace);
      else this.namespaceHolders.set(namespace, count);
    }
    switch (record.kind) {
      case 'pod':
        op(this.podsByHost, record.host, record.id);
        op(this.podsByNamespace, record.namespace, record.id);
        break;
      case 'service':
        op(this.servicesByNamespace, record.namespace, record.id);
        break;
      case 'endpoint':
        op(this.endpointsByService, record.service, record.id);
        op(this.endpointsByPod, record.pod, record.id);
        break;
      case 'ingress':
        for (const rule of record.rules) op(this.ingressesByService, rule.service, record.id);
        break;
      default:
        break;
    }
  }

  /** Whether a namespace name appeared or disappeared: a name removed and added back by the same
   * delta (a pod replaced) counts as unchanged. */
  private get hasNewNamespaceNames(): boolean {
    const changed = [...this.namespacesChanged].some((name) => (this.namespaceHolders.get(name) ?? 0) > 0 !== this.scene.colors.has(name));
    this.namespacesChanged.clear();
    return changed;
  }

  /**
   * Rebuilds the owners and applies the difference. Records first, since the group boxes and the
   * Internet count what they hold; then the changes are listed parents' owners first.
   */
  private rebuild(owners: ReadonlySet<string>): ElementDelta {
    const byRecordsFirst = [...owners].sort((a, b) => Number(isAggregate(a)) - Number(isAggregate(b)));
    const builds = new Map<string, Built>();
    for (const owner of byRecordsFirst) {
      const built = this.build(owner);
      this.noteMembership(owner, built);
      builds.set(owner, built);
    }
    const delta: ElementDelta = { added: [], updated: [], removed: [], before: new Map() };
    const addedEdges: GraphElement[] = [];
    for (const owner of [...owners].sort((a, b) => rank(a) - rank(b))) {
      const built = builds.get(owner)!;
      const kept = new Set<string>();
      const mine: GraphElement[] = [];
      for (const element of [...built.nodes, ...built.edges]) {
        const id = element.data.id;
        kept.add(id);
        const old = this.elements.get(id);
        if (old && sameElement(old, element)) {
          mine.push(old);
          continue;
        }
        if (old) {
          delta.updated.push(element);
          delta.before.set(id, old);
        } else (element.group === 'nodes' ? delta.added : addedEdges).push(element);
        this.elements.set(id, element);
        mine.push(element);
      }
      for (const old of this.owned.get(owner) ?? []) {
        if (kept.has(old.data.id)) continue;
        delta.removed.push(old.data.id);
        delta.before.set(old.data.id, old);
        this.elements.delete(old.data.id);
      }
      if (mine.length > 0) this.owned.set(owner, mine);
      else this.owned.delete(owner);
    }
    delta.added.push(...addedEdges);
    if (delta.added.length + delta.updated.length + delta.removed.length > 0) this.listCache = null;
    return delta;
  }

  /** What the aggregate owners count: shown pods drawn in no host, shown exposed Services and Ingresses. */
  private noteMembership(owner: string, built: Built): void {
    const record = recordOf(this.scene.topology, owner);
    const isDrawn = built.nodes.length > 0;
    const mark = (set: Set<Id>, is: boolean): void => void (is ? set.add(owner) : set.delete(owner));
    if (owner.startsWith('pod:')) mark(this.unscheduled, isDrawn && record?.kind === 'pod' && !shownHost(this.scene, record.host));
    else if (owner.startsWith('svc:')) mark(this.exposed, isDrawn && record?.kind === 'service' && isExposedService(record));
    else if (owner.startsWith('ing:')) mark(this.ingresses, isDrawn);
  }

  private build(owner: string): Built {
    return buildOwner(this.scene, owner, this);
  }

  // OwnerFacts, answered from the indexes.

  podsOn(host: Host): readonly PodRecord[] {
    const { topology, view } = this.scene;
    return [...this.podsByHost.get(host.id)].map((id) => topology.pods[id]!).filter(view.pod);
  }

  unscheduledPods(): readonly PodRecord[] {
    return [...this.unscheduled].map((id) => this.scene.topology.pods[id]).filter((pod) => pod !== undefined);
  }

  namespaceContents(namespace: string): { pods: number; hasServices: boolean } {
    const { topology, view } = this.scene;
    let pods = 0;
    for (const id of this.podsByNamespace.get(namespace)) if (view.pod(topology.pods[id]!)) pods++;
    const hasServices = [...this.servicesByNamespace.get(namespace)].some((id) => view.service(topology.services[id]!));
    return { pods, hasServices };
  }

  hasInternet(): boolean {
    return this.exposed.size > 0 || this.ingresses.size > 0;
  }
}

const isAggregate = (owner: string): boolean => owner.startsWith('group:') || owner === internetId || owner === tunnelsOwner;

function recordOf(topology: Topology, id: Id): ModelElement | undefined {
  const collection = collectionHolding(topology, id);
  return collection ? (topology[collection][id] as ModelElement) : undefined;
}

/** Owners whose nodes are parents of others' come first: hosts and group boxes, then the rest. */
function rank(owner: string): number {
  if (owner.startsWith('node:')) return 0;
  if (owner.startsWith('group:')) return 1;
  if (owner === internetId) return 2;
  if (owner.startsWith('pod:') || owner.startsWith('svc:') || owner.startsWith('ing:')) return 3;
  return 4;
}

function sameElement(a: GraphElement, b: GraphElement): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface ChangedRecord {
  old: ModelElement | undefined;
  new: ModelElement | undefined;
}

/** Each record the delta names, as it was and as it is. */
function changedRecords(before: Topology, next: Topology, delta: TopologyDelta): ChangedRecord[] {
  const out: ChangedRecord[] = [];
  for (const element of [...delta.added, ...delta.updated]) out.push({ old: recordOf(before, element.id), new: recordOf(next, element.id) ?? element });
  for (const id of delta.removed) out.push({ old: recordOf(before, id), new: recordOf(next, id) });
  return out;
}

