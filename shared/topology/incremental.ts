/**
 * Incremental derive: a live session's model kept up to date object by object, so that a pod's
 * status change touches that pod's records (and, when its IPs change, the endpoints of its
 * namespace) rather than the whole graph — and the delta comes out of the update itself instead
 * of a diff of two full models.
 *
 * Objects whose change alters cluster-wide facts (Nodes, the datapath's DaemonSets and
 * ConfigMaps, IngressClasses, Namespaces), a new node datapath reading or a relist fall back to a
 * full derive and a diff. Pods are matched to a reading's veths per pod (derivePod), so a pod
 * that comes or goes between readings is joined with the reading the context holds.
 * Invariant, checked by its tests: after any sequence of updates the model equals
 * `derive(objects)`.
 */
import { readingsKey } from '../datapath/join.ts';
import { objectKinds, type ClusterObjects, type EndpointSlice, type Ingress, type NetworkPolicy, type ObjectKind, type Pod, type Service } from '../kube/objects.ts';
import type { ClusterInfo } from '../model/cluster.ts';
import type { TopologyDelta } from '../model/delta.ts';
import type { EndpointRecord, Id, ModelElement, Topology } from '../model/types.ts';
import { addAdminPolicies } from './derive-admin.ts';
import { addCniPolicies } from './derive-cni-policy.ts';
import { deriveContext, type DeriveContext } from './derive-context.ts';
import { deriveEndpoints, deriveIngress, deriveNamespace, derivePod, derivePolicy, deriveService } from './derive-records.ts';
import { deriveWith, type DeriveSource } from './derive.ts';
import { diff, isEqual } from './diff.ts';
import { ids } from './ids.ts';
import { addGatewayApi, joinIngressControllers } from './ingress.ts';
import { withKubeProxyChains } from './kube-proxy.ts';

/** One object added, changed (object set) or deleted (object null), by uid. */
export interface ObjectChange {
  kind: ObjectKind;
  uid: string;
  object: unknown;
}

/** Kinds whose change redoes the whole derive: they decide cluster-wide facts (the CNI, the proxy
 * mode, node routes and addresses, Ingress controllers). Every other kind updates in place. */
const fullDeriveKinds = new Set<ObjectKind>(['nodes', 'namespaces', 'ingressClasses', 'configMaps', 'daemonSets']);
const incrementalKinds = new Set<ObjectKind>(objectKinds.filter((kind) => !fullDeriveKinds.has(kind)));

type Collection = Exclude<keyof Topology, 'cluster'>;

/** Remembers each touched element as it was before the update, to emit the delta at the end. */
class Recorder {
  private readonly before = new Map<Id, { collection: Collection; element: ModelElement | undefined }>();
  private readonly topology: Topology;

  constructor(topology: Topology) {
    this.topology = topology;
  }

  set(collection: Collection, element: ModelElement): void {
    this.touch(collection, element.id);
    (this.topology[collection] as Record<Id, ModelElement>)[element.id] = element;
  }

  remove(collection: Collection, id: Id): void {
    this.touch(collection, id);
    delete (this.topology[collection] as Record<Id, ModelElement>)[id];
  }

  private touch(collection: Collection, id: Id): void {
    if (!this.before.has(id)) this.before.set(id, { collection, element: (this.topology[collection] as Record<Id, ModelElement>)[id] });
  }

  delta(seq: number, cluster: ClusterInfo | undefined): TopologyDelta {
    const delta: TopologyDelta = { seq, added: [], updated: [], removed: [] };
    for (const [id, { collection, element: was }] of this.before) {
      const now = (this.topology[collection] as Record<Id, ModelElement>)[id];
      if (now && !was) delta.added.push(now);
      else if (!now && was) delta.removed.push(id);
      else if (now && was && !isEqual(now, was)) delta.updated.push(now);
    }
    if (cluster) delta.cluster = cluster;
    return delta;
  }
}

/** An address in a namespace (`ns/ip`), or a pod's uid (namespace null), as endpoints resolve their pod by. */
function refKey(namespace: string | null, addressOrUid: string): string {
  return namespace === null ? `uid:${addressOrUid}` : `${namespace}/${addressOrUid}`;
}

export class IncrementalDerive {
  topology: Topology;
  private ctx: DeriveContext;
  /** Each pod's records, to remove them when it changes. */
  private podRecords = new Map<string, { ids: Id[]; veth: Id | null; namespace: string; ips: string[] }>();

  /** Which node readings the context was built with (readingsKey). */
  private readings: string;

  constructor(objects: ClusterObjects, source: DeriveSource = {}) {
    this.ctx = deriveContext(objects, source.datapath);
    this.readings = readingsKey(source.datapath);
    this.topology = deriveWith(objects, source, this.ctx);
    this.indexPods(objects);
  }

  /** A full derive, as the delta from the current model. */
  reset(objects: ClusterObjects, source: DeriveSource, seq: number): TopologyDelta {
    this.ctx = deriveContext(objects, source.datapath);
    this.readings = readingsKey(source.datapath);
    const next = deriveWith(objects, source, this.ctx);
    const delta = diff(this.topology, next, seq);
    this.topology = next;
    this.indexPods(objects);
    return delta;
  }

  /**
   * Applies these changes (the objects already reflect them) and returns the delta. Kinds that
   * change cluster-wide facts fall back to a full derive.
   */
  update(changes: ObjectChange[], objects: ClusterObjects, source: DeriveSource, seq: number): TopologyDelta {
    // A node reading changes devices, routes and veths across the node: rare, so a full derive.
    if (changes.some((c) => !incrementalKinds.has(c.kind)) || readingsKey(source.datapath) !== this.readings) return this.reset(objects, source, seq);
    const latest = new Map<string, ObjectChange>();
    for (const change of changes) latest.set(`${change.kind}/${change.uid}`, change);
    const t = this.topology;
    const record = new Recorder(t);
    const podsByIP = this.ctx.podsByIP as Map<string, Id>;
    const podIds = this.ctx.podIds as Set<Id>;
    const touchedServices = new Set<Id>();
    /** What pods' churn changed of what endpoints resolve their pod by: addresses and pod uids (refKey). */
    const churned = new Set<string>();

    for (const change of latest.values()) {
      if (change.kind === 'pods') this.updatePod(change, record, podsByIP, podIds, churned);
      else if (change.kind === 'services') {
        const old = Object.values(t.services).find((s) => this.serviceUids.get(s.id) === change.uid);
        if (old) {
          record.remove('services', old.id);
          this.serviceUids.delete(old.id);
          touchedServices.add(old.id);
        }
        if (change.object) {
          const service = deriveService(change.object as Service, this.ctx);
          record.set('services', service);
          this.serviceUids.set(service.id, change.uid);
          touchedServices.add(service.id);
          this.ensureNamespace(service.namespace, record);
        }
      } else if (change.kind === 'endpointSlices') {
        const slice = change.object as EndpointSlice | null;
        const previous = this.sliceServices.get(change.uid);
        if (previous) touchedServices.add(previous);
        const name = slice?.metadata.labels?.['kubernetes.io/service-name'];
        if (slice && name) {
          const service = ids.service(slice.metadata.namespace ?? '', name);
          this.sliceServices.set(change.uid, service);
          touchedServices.add(service);
        } else this.sliceServices.delete(change.uid);
      } else if (change.kind === 'networkPolicies') {
        const old = Object.values(t.policies).find((p) => this.policyUids.get(p.id) === change.uid);
        if (old) record.remove('policies', old.id);
        if (change.object) {
          const policy = derivePolicy(change.object as NetworkPolicy, this.ctx);
          record.set('policies', policy);
          this.policyUids.set(policy.id, change.uid);
          this.ensureNamespace(policy.namespace, record);
        }
      }
      // Ingresses, Gateways and HTTPRoutes are few: they are re-derived whole below.
    }

    // A pod that came, went or changed IPs may be the pod behind an endpoint naming its address or uid.
    for (const key of churned) for (const service of this.refs.get(key) ?? []) touchedServices.add(service);
    if (touchedServices.size > 0) {
      const slices = this.slicesByService(objects, touchedServices);
      for (const service of touchedServices) this.rebuildEndpoints(service, slices.get(service) ?? [], record);
    }
    for (const service of touchedServices) {
      const current = t.services[service];
      if (current) record.set('services', withKubeProxyChains(t, current, this.endpointsOf(service)));
    }

    // Small collections, re-derived whole: Ingresses (their controller joins follow pod labels),
    // Gateways, HTTPRoutes, the cluster-scoped admin policies and the CNI plugins' policies.
    const ingresses = objects.ingresses.map((i: Ingress) => deriveIngress(i, this.ctx));
    const scratch: Topology = { ...t, ingresses: Object.fromEntries(ingresses.map((i) => [i.id, i])), gateways: {}, httpRoutes: {}, adminPolicies: {}, cniPolicies: {} };
    joinIngressControllers(scratch);
    addGatewayApi(scratch, objects);
    addAdminPolicies(scratch, objects);
    addCniPolicies(scratch, objects);
    for (const collection of ['ingresses', 'gateways', 'httpRoutes', 'adminPolicies', 'cniPolicies'] as const) {
      for (const id of Object.keys(t[collection])) if (!scratch[collection][id]) record.remove(collection, id);
      for (const element of Object.values(scratch[collection])) record.set(collection, element as ModelElement);
    }
    for (const ingress of ingresses) this.ensureNamespace(ingress.namespace, record);

    const unavailableKinds = source.unavailableKinds ?? [];
    let cluster: ClusterInfo | undefined;
    if (!isEqual(unavailableKinds, t.cluster.unavailableKinds)) {
      cluster = { ...t.cluster, unavailableKinds };
      t.cluster = cluster;
    }
    return record.delta(seq, cluster);
  }

  private readonly serviceUids = new Map<Id, string>();
  private readonly policyUids = new Map<Id, string>();
  /** EndpointSlice uid → the Service it belongs to. */
  private readonly sliceServices = new Map<string, Id>();
  /** Each Service's endpoint ids (endpointsOf without a scan of every endpoint). */
  private readonly endpointIds = new Map<Id, Set<Id>>();
  /**
   * refKey → the Services whose slices name it: an endpoint's pod is found by its address
   * (podsByIP) or its targetRef's uid (podIds), so a pod's churn changes only these Services'
   * endpoints. With the keys each Service was indexed under, to take them back.
   */
  private readonly refs = new Map<string, Set<Id>>();
  private readonly serviceRefs = new Map<Id, string[]>();

  private indexPods(objects: ClusterObjects): void {
    this.podRecords.clear();
    for (const pod of objects.pods) {
      const record = this.topology.pods[ids.pod(pod.metadata.uid)];
      if (record) this.podRecords.set(pod.metadata.uid, { ids: [record.id, ...record.containers], veth: record.veth, namespace: record.namespace, ips: record.ips });
    }
    this.serviceUids.clear();
    for (const service of objects.services) this.serviceUids.set(ids.service(service.metadata.namespace ?? '', service.metadata.name), service.metadata.uid);
    this.policyUids.clear();
    for (const policy of objects.networkPolicies) this.policyUids.set(ids.policy(policy.metadata.namespace ?? '', policy.metadata.name), policy.metadata.uid);
    this.sliceServices.clear();
    for (const slice of objects.endpointSlices) {
      const name = slice.metadata.labels?.['kubernetes.io/service-name'];
      if (name) this.sliceServices.set(slice.metadata.uid, ids.service(slice.metadata.namespace ?? '', name));
    }
    this.endpointIds.clear();
    for (const endpoint of Object.values(this.topology.endpoints)) {
      const set = this.endpointIds.get(endpoint.service);
      if (set) set.add(endpoint.id);
      else this.endpointIds.set(endpoint.service, new Set([endpoint.id]));
    }
    this.refs.clear();
    this.serviceRefs.clear();
    for (const [service, slices] of this.slicesByService(objects, null)) this.indexRefs(service, slices);
  }

  /** The slices of each Service (of `only`, when given), in list order: one pass over them all. */
  private slicesByService(objects: ClusterObjects, only: ReadonlySet<Id> | null): Map<Id, EndpointSlice[]> {
    const out = new Map<Id, EndpointSlice[]>();
    for (const slice of objects.endpointSlices) {
      const service = this.sliceServices.get(slice.metadata.uid);
      if (!service || (only && !only.has(service))) continue;
      const list = out.get(service);
      if (list) list.push(slice);
      else out.set(service, [slice]);
    }
    return out;
  }

  private indexRefs(service: Id, slices: readonly EndpointSlice[]): void {
    for (const key of this.serviceRefs.get(service) ?? []) this.refs.get(key)?.delete(service);
    const keys = new Set<string>();
    for (const slice of slices) {
      const namespace = slice.metadata.namespace ?? '';
      for (const endpoint of slice.endpoints ?? []) {
        for (const address of endpoint.addresses) keys.add(refKey(namespace, address));
        if (endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.uid) keys.add(refKey(null, endpoint.targetRef.uid));
      }
    }
    for (const key of keys) {
      const set = this.refs.get(key);
      if (set) set.add(service);
      else this.refs.set(key, new Set([service]));
    }
    if (keys.size > 0) this.serviceRefs.set(service, [...keys]);
    else this.serviceRefs.delete(service);
  }

  private updatePod(change: ObjectChange, record: Recorder, podsByIP: Map<string, Id>, podIds: Set<Id>, churn: Set<string>): void {
    const old = this.podRecords.get(change.uid);
    const pod = change.object as Pod | null;
    const id = ids.pod(change.uid);
    if (old) {
      for (const element of old.ids) record.remove(element.startsWith('ctr:') ? 'containers' : 'pods', element);
      if (old.veth) record.remove('veths', old.veth);
      for (const ip of old.ips) if (podsByIP.get(`${old.namespace}/${ip}`) === id) podsByIP.delete(`${old.namespace}/${ip}`);
      this.podRecords.delete(change.uid);
    }
    if (!pod) {
      podIds.delete(id);
      if (old) for (const key of [refKey(null, change.uid), ...old.ips.map((ip) => refKey(old.namespace, ip))]) churn.add(key);
      return;
    }
    podIds.add(id);
    const derived = derivePod(pod, this.ctx);
    record.set('pods', derived.pod);
    for (const container of derived.containers) record.set('containers', container);
    if (derived.veth) record.set('veths', derived.veth);
    if (!derived.pod.isHostNetwork) for (const ip of derived.pod.ips) podsByIP.set(`${derived.pod.namespace}/${ip}`, id);
    this.podRecords.set(change.uid, { ids: [id, ...derived.pod.containers], veth: derived.pod.veth, namespace: derived.pod.namespace, ips: derived.pod.ips });
    if (!old || !isEqual(old.ips, derived.pod.ips)) {
      for (const key of [refKey(null, change.uid), ...(old?.ips ?? []).map((ip) => refKey(old!.namespace, ip)), ...derived.pod.ips.map((ip) => refKey(derived.pod.namespace, ip))]) churn.add(key);
    }
    this.ensureNamespace(derived.pod.namespace, record);
  }

  private endpointsOf(service: Id): EndpointRecord[] {
    return [...(this.endpointIds.get(service) ?? [])].flatMap((id) => this.topology.endpoints[id] ?? []);
  }

  /** A Service's endpoints from its slices (in list order), the ready entry winning duplicates. */
  private rebuildEndpoints(service: Id, slices: readonly EndpointSlice[], record: Recorder): void {
    const next = new Map<Id, EndpointRecord>();
    for (const slice of slices) {
      for (const endpoint of deriveEndpoints(slice, this.ctx)) {
        const existing = next.get(endpoint.id);
        if (!existing || (!existing.isReady && endpoint.isReady)) next.set(endpoint.id, endpoint);
      }
    }
    for (const id of this.endpointIds.get(service) ?? []) if (!next.has(id)) record.remove('endpoints', id);
    for (const endpoint of next.values()) record.set('endpoints', endpoint);
    if (next.size > 0) this.endpointIds.set(service, new Set(next.keys()));
    else this.endpointIds.delete(service);
    this.indexRefs(service, slices);
  }

  private ensureNamespace(name: string, record: Recorder): void {
    if (!this.topology.namespaces[ids.namespace(name)]) record.set('namespaces', deriveNamespace({ metadata: { name, uid: '' } }, this.ctx));
  }
}
