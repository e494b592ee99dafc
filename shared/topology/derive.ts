/**
 * derive(objects) → Topology: a pure function from trimmed Kubernetes objects to the network
 * model of design §3. No I/O and no clock, so the same objects always give the same model.
 *
 * It is composed of per-object functions (derive-records.ts), each pure over a `DeriveContext`
 * of cluster-wide facts (derive-context.ts), then the joins that need every record (kube-proxy
 * chains, Ingress controllers, Gateway API). An incremental derive re-runs only the functions
 * of the objects that changed, and all of them when the context does.
 */
import type { NodeReading } from '../datapath/reading.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { ClusterInfo } from '../model/cluster.ts';
import type { Snapshot } from '../snapshot/format.ts';
import { emptyTopology, type Topology } from '../model/types.ts';
import { addAdminPolicies } from './derive-admin.ts';
import { addCniPolicies } from './derive-cni-policy.ts';
import { deriveContext, type DeriveContext } from './derive-context.ts';
import { deriveEndpoints, deriveHost, deriveIngress, deriveNamespace, derivePod, derivePolicy, deriveService } from './derive-records.ts';
import { ids } from './ids.ts';
import { addGatewayApi, joinIngressControllers } from './ingress.ts';
import { addKubeProxyChains } from './kube-proxy.ts';

export interface DeriveSource {
  context?: string | null;
  server?: string | null;
  kubernetesVersion?: string | null;
  capturedAt?: string | null;
  unavailableKinds?: { kind: string; reason: string }[];
  /** Node datapath readings (issue 13): on the nodes they cover, observed veth names, devices and
   * routes replace the inferred ones, and `Host.observed` keeps them for the doctor. */
  datapath?: readonly NodeReading[];
}

export function derive(objects: ClusterObjects, source: DeriveSource = {}): Topology {
  return deriveWith(objects, source, deriveContext(objects, source.datapath));
}

/** `derive` over a context already built from these objects (the incremental derive keeps it). */
export function deriveWith(objects: ClusterObjects, source: DeriveSource, ctx: DeriveContext): Topology {
  const cluster: ClusterInfo = {
    context: source.context ?? null,
    server: source.server ?? null,
    kubernetesVersion: source.kubernetesVersion ?? null,
    capturedAt: source.capturedAt ?? null,
    cni: ctx.cni,
    proxyMode: ctx.proxyMode,
    podCIDRs: ctx.clusterPodCIDRs,
    unavailableKinds: source.unavailableKinds ?? [],
    ...(ctx.nodeLocalDns ? { nodeLocalDns: ctx.nodeLocalDns } : {}),
    ...(ctx.ipvsScheduler ? { ipvsScheduler: ctx.ipvsScheduler } : {}),
  };
  const topology = emptyTopology(cluster);
  // The names already ensured, so that each pod does not build and look up its namespace's id.
  const ensured = new Set<string>();
  // Namespaces named only by the objects in them get a record with the label the API server
  // sets on every namespace; listed Namespaces (with their labels) win.
  const ensureNamespace = (name: string) => {
    if (ensured.has(name)) return;
    ensured.add(name);
    const id = ids.namespace(name);
    if (!topology.namespaces[id]) topology.namespaces[id] = deriveNamespace({ metadata: { name, uid: '' } }, ctx);
  };

  for (const ns of objects.namespaces) {
    const record = deriveNamespace(ns, ctx);
    topology.namespaces[record.id] = record;
  }
  for (const node of objects.nodes) {
    const { host, devices } = deriveHost(node, ctx);
    topology.hosts[host.id] = host;
    for (const device of devices) topology.devices[device.id] = device;
  }
  for (const pod of objects.pods) {
    const { pod: record, containers, veth } = derivePod(pod, ctx);
    topology.pods[record.id] = record;
    for (const container of containers) topology.containers[container.id] = container;
    if (veth) topology.veths[veth.id] = veth;
    ensureNamespace(record.namespace);
  }
  for (const service of objects.services) {
    const record = deriveService(service, ctx);
    topology.services[record.id] = record;
    ensureNamespace(record.namespace);
  }
  for (const slice of objects.endpointSlices) {
    for (const record of deriveEndpoints(slice, ctx)) {
      // During a rollout an address can appear in two slices; the ready entry wins.
      const existing = topology.endpoints[record.id];
      if (!existing || (!existing.isReady && record.isReady)) topology.endpoints[record.id] = record;
    }
  }
  for (const ingress of objects.ingresses) {
    const record = deriveIngress(ingress, ctx);
    topology.ingresses[record.id] = record;
    ensureNamespace(record.namespace);
  }
  for (const policy of objects.networkPolicies) {
    const record = derivePolicy(policy, ctx);
    topology.policies[record.id] = record;
    ensureNamespace(record.namespace);
  }
  addKubeProxyChains(topology);
  joinIngressControllers(topology);
  addGatewayApi(topology, objects);
  addAdminPolicies(topology, objects);
  addCniPolicies(topology, objects);
  return topology;
}

/** A snapshot's model: its objects, where they came from, and its node readings, if any. */
export function deriveSnapshot(snapshot: Pick<Snapshot, 'objects' | 'source' | 'datapath'>): Topology {
  return derive(snapshot.objects, snapshot.datapath ? { ...snapshot.source, datapath: snapshot.datapath } : snapshot.source);
}
