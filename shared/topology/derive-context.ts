/**
 * The cluster-wide facts every per-object derivation (derive-records.ts) reads, built once per
 * derive from all the objects, in O(objects).
 */
import { indexReadings, type NodeDatapath } from '../datapath/join.ts';
import type { NodeReading } from '../datapath/reading.ts';
import type { ClusterObjects, Pod } from '../kube/objects.ts';
import type { CniInfo, Detected, NodeLocalDns, ProxyMode } from '../model/cluster.ts';
import type { Id, PodNetns } from '../model/types.ts';
import { detectDatapath } from './cni/detect.ts';
import type { CniDetails } from './cni/detector.ts';
import { detectClusterPodCIDRs } from './cni/pod-cidrs.ts';
import { ids } from './ids.ts';
import { nodeFacts, type NodeFacts } from './node-facts.ts';
import { detectProxyMode, withObservedProxyMode } from './proxy-mode.ts';
import { detectIpvsScheduler, detectNodeLocalDns } from './service-facts.ts';

export interface DeriveContext {
  readonly cni: Detected<CniInfo>;
  readonly cniDetails: CniDetails;
  readonly proxyMode: Detected<ProxyMode>;
  readonly clusterPodCIDRs: string[];
  /** Every node's datapath facts, by node name, and in the order the nodes were listed. */
  readonly nodes: ReadonlyMap<string, NodeFacts>;
  readonly nodeList: readonly NodeFacts[];
  /** Pod ids by `<namespace>/<ip>`, for pods in their own netns (hostNetwork pods share node IPs). */
  readonly podsByIP: ReadonlyMap<string, Id>;
  readonly podIds: ReadonlySet<Id>;
  /** IngressClass name → its controller. */
  readonly ingressControllers: ReadonlyMap<string, string | null>;
  /** Memo of pods' default routes per node and address families (one shared list each). */
  readonly defaultRoutes: Map<string, PodNetns['defaultRoutes']>;
  /** The nodes whose datapath a probe read (issue 13), by node name: their observed facts
   * replace the inferred ones. Nodes without a reading keep the inferred ones. */
  readonly observed: ReadonlyMap<string, NodeDatapath>;
  /** NodeLocal DNSCache and kube-proxy's IPVS scheduler, where the API shows them. */
  readonly nodeLocalDns: NodeLocalDns | null;
  readonly ipvsScheduler: Detected<string> | null;
}

export function deriveContext(objects: ClusterObjects, readings?: readonly NodeReading[]): DeriveContext {
  const datapath = detectDatapath(objects);
  const cni = datapath.cni.value;
  const nodes = new Map<string, NodeFacts>();
  for (const node of objects.nodes) nodes.set(node.metadata.name, nodeFacts(node, cni, datapath.details));
  const podIds = new Set<Id>();
  for (const pod of objects.pods) podIds.add(ids.pod(pod.metadata.uid));
  // Built when first read (issue 14): only an endpoint without a pod's uid in its targetRef looks
  // its pod up by address, and a 150k-pod derive spent a tenth of its time building it unread.
  // The pods are those listed now; a reader that changes them (the incremental derive) takes
  // the map once it has read it, and keeps it.
  const pods = objects.pods;
  let podsByIP: Map<string, Id> | null = null;
  const observed = indexReadings(readings);
  const proxyMode = withObservedProxyMode(detectProxyMode(objects, datapath), observed);
  return {
    cni: datapath.cni,
    cniDetails: datapath.details,
    proxyMode,
    clusterPodCIDRs: detectClusterPodCIDRs(objects),
    nodes,
    nodeList: [...nodes.values()],
    get podsByIP() {
      return (podsByIP ??= podsByAddress(pods));
    },
    podIds,
    ingressControllers: new Map(objects.ingressClasses.map((c) => [c.metadata.name, c.spec.controller ?? null])),
    defaultRoutes: new Map(),
    observed,
    nodeLocalDns: detectNodeLocalDns(objects),
    ipvsScheduler: proxyMode.value === 'ipvs' ? detectIpvsScheduler(objects) : null,
  };
}

/** Pod ids by `<namespace>/<ip>`, for pods in their own netns. */
function podsByAddress(pods: readonly Pod[]): Map<string, Id> {
  const byIP = new Map<string, Id>();
  for (const pod of pods) {
    if (pod.spec.hostNetwork === true) continue;
    const id = ids.pod(pod.metadata.uid);
    for (const ip of podIPs(pod)) byIP.set(`${pod.metadata.namespace ?? ''}/${ip}`, id);
  }
  return byIP;
}

/** status.podIPs, or the single podIP of older API servers; empty before the pod has one. */
export function podIPs(pod: Pod): string[] {
  return pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
}
