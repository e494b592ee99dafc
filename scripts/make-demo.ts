/**
 * Generates the bundled demo cluster, `assets/demo-cluster.podpath.json`: the snapshot Podpath
 * opens when no cluster is reachable, so a new user sees a real picture at once.
 *
 * The demo is a small kubeadm cluster (one control plane, two workers) with Flannel VXLAN and
 * kube-proxy in iptables mode, an ingress-nginx controller, a three-tier shop behind
 * NetworkPolicies, and the awkward cases a real cluster has: a NodePort, a Service whose pods
 * are not ready, one that selects nothing, an ExternalName, a pod with a native sidecar, a
 * terminating endpoint from a rollout and a pod that cannot be scheduled.
 *
 * Everything is derived, as the cluster itself would derive it: pod IPs are handed out in
 * order from each node's podCIDR, EndpointSlices are computed from the Services' selectors and
 * the pods' readiness as the EndpointSlice controller does, names and uids come from a hash of
 * the object's identity. No randomness and no clock, so re-running gives a byte-identical file;
 * `test/demo-cluster.test.ts` checks that the committed file is this script's output.
 *
 * The parts live in scripts/demo/, one kind of object each; this file puts them together in the
 * order the cluster would have made them, and writes the file.
 *
 * Run: `node scripts/make-demo.ts` (or `npm run make:demo`).
 */
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../electron/backend/atomic-write.ts';
import { emptyObjects, type ClusterObjects, type ObjectMeta, type Pod } from '../shared/kube/objects.ts';
import { serializeSnapshot, snapshotFormat, snapshotVersion } from '../shared/snapshot/format.ts';
import type { Snapshot } from '../shared/snapshot/format.ts';
import { configMaps } from './demo/config-maps.ts';
import { daemonSets } from './demo/daemon-sets.ts';
import { capturedAt, kubeDnsIP, kubernetesServiceIP, kubernetesVersion } from './demo/facts.ts';
import { ingressClasses, ingresses } from './demo/ingress.ts';
import { makeNamespace, namespaceLabels } from './demo/namespaces.ts';
import { networkPolicies } from './demo/network-policies.ts';
import { makeNode, nodePlans } from './demo/nodes.ts';
import { resetPodAllocations, staticPod, workloadPods } from './demo/pods.ts';
import type { Workload } from './demo/pods.ts';
import { kubernetesEndpointSlice, makeEndpointSlice, makeService, servicePlans } from './demo/services.ts';
import {
  coredns,
  echo,
  flannelDaemonSet,
  frontendRetiring,
  ingressController,
  kubeProxyDaemonSet,
  metricsServer,
  monitoringWorkloads,
  paymentsWorkloads,
  registry,
  shopWorkloads,
} from './demo/workloads.ts';

export const demoSnapshotPath = fileURLToPath(new URL('../assets/demo-cluster.podpath.json', import.meta.url));

function byIdentity<T extends { metadata: ObjectMeta }>(a: T, b: T): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Builds the demo snapshot. Pure apart from the pod IP counters (scripts/demo/pods.ts), which it resets. */
export function buildDemoSnapshot(): Snapshot {
  resetPodAllocations();

  // Creation order matters: it is the order host-local IPAM hands out each node's pod IPs.
  const pods: Pod[] = [
    staticPod('etcd', `${registry}/etcd:3.5.21-0`),
    staticPod('kube-apiserver', `${registry}/kube-apiserver:${kubernetesVersion}`),
    staticPod('kube-controller-manager', `${registry}/kube-controller-manager:${kubernetesVersion}`),
    staticPod('kube-scheduler', `${registry}/kube-scheduler:${kubernetesVersion}`),
    ...workloadPods(kubeProxyDaemonSet),
    ...workloadPods(flannelDaemonSet),
    ...workloadPods(coredns),
    ...workloadPods(metricsServer),
    ...workloadPods(ingressController),
    ...monitoringWorkloads.flatMap(workloadPods),
    ...workloadPods(shopWorkloads[0] as Workload),
    ...workloadPods(shopWorkloads[1] as Workload),
    ...workloadPods(frontendRetiring),
    ...paymentsWorkloads.flatMap(workloadPods),
    ...workloadPods(echo),
    ...shopWorkloads.slice(2).flatMap(workloadPods),
  ];

  const takenIPs = new Set<string>([kubernetesServiceIP, kubeDnsIP]);
  const services = servicePlans().map((plan) => makeService(plan, takenIPs));
  const endpointSlices = services
    .filter((s) => s.spec.type !== 'ExternalName' && s.spec.selector)
    .map((s) => makeEndpointSlice(s, pods));
  endpointSlices.push(kubernetesEndpointSlice());

  const objects: ClusterObjects = {
    // Gateway API and the policy CRDs: none in the demo.
    ...emptyObjects(),
    nodes: nodePlans.map(makeNode),
    namespaces: Object.keys(namespaceLabels).map(makeNamespace),
    pods,
    services,
    endpointSlices,
    networkPolicies: networkPolicies(),
    ingresses: ingresses(),
    ingressClasses: ingressClasses(),
    configMaps: configMaps(),
    daemonSets: daemonSets(),
  };
  // Lists come back from the API server sorted by namespace and name.
  for (const list of Object.values(objects) as { metadata: ObjectMeta }[][]) list.sort(byIdentity);

  return {
    format: snapshotFormat,
    version: snapshotVersion,
    source: {
      context: 'demo',
      server: null,
      kubernetesVersion,
      capturedAt,
      description:
        "Podpath's bundled demo cluster: a made-up three-node kubeadm cluster with Flannel (VXLAN), kube-proxy in iptables mode, ingress-nginx and a small shop behind NetworkPolicies. Open it when no cluster is reachable.",
    },
    objects,
  };
}

if (import.meta.main) {
  const text = serializeSnapshot(buildDemoSnapshot(), { isReadable: true });
  writeFileAtomicSync(demoSnapshotPath, text);
  console.log(`wrote ${demoSnapshotPath} (${text.length} bytes)`);
}
