/**
 * Pods, made as the controllers and the kubelet would make them: names and labels per controller
 * kind, IPs from each node's podCIDR in creation order, status from the planned state.
 *
 * Holds the one mutable state of the demo — the per-node IP counters and the StatefulSet pods'
 * hostnames — which buildDemoSnapshot resets before it makes any pod.
 */
import type { Container, Pod } from '../../shared/kube/objects.ts';
import { capturedMinute } from './facts.ts';
import { at, meta, safeString, templateHashOf, uid } from './identity.ts';
import { controlPlane, nodePlan } from './nodes.ts';
import type { NodePlan } from './nodes.ts';

type PodState = 'ready' | 'notReady' | 'terminating' | 'pending';

interface PodPlan {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  owner: { kind: string; name: string };
  /** Absent for a pod the scheduler could not place. */
  node?: string;
  hostNetwork?: boolean;
  dnsPolicy: string;
  containers: Container[];
  initContainers?: Container[];
  created: number;
  state: PodState;
  restartCount?: number;
  /** The StatefulSet pod's stable DNS name under its governing headless Service. */
  hostname?: string;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  namespace: string;
  name: string;
  /** The pod template's labels; the selector is these. */
  labels: Record<string, string>;
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  dnsPolicy?: string;
  /** The node of each replica in creation order; `null` for one the scheduler could not place. */
  nodes: (string | null)[];
  created: number;
  state?: PodState;
  restartCount?: number;
  /** Salt for the pod-template hash: a rollout changes the template, so the hash. */
  revision?: string;
}

/** IPs are handed out per node in pod creation order, as host-local IPAM does: .1 is cni0. */
const nextHostOctet = new Map<string, number>();

function allocatePodIP(node: NodePlan): string {
  const octet = nextHostOctet.get(node.name) ?? 2;
  nextHostOctet.set(node.name, octet + 1);
  return `10.244.${node.index}.${octet}`;
}

function conditions(state: PodState): { type: string; status: string }[] {
  if (state === 'pending') return [{ type: 'PodScheduled', status: 'False' }];
  const ready = state === 'notReady' ? 'False' : 'True';
  return [
    { type: 'PodReadyToStartContainers', status: 'True' },
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', status: ready },
    { type: 'ContainersReady', status: ready },
    { type: 'PodScheduled', status: 'True' },
  ];
}

/** The stable hostname of each StatefulSet pod (`namespace/name` → hostname), for its slice. */
const podHostnames = new Map<string, string>();

/** Forgets every IP handed out and every hostname, so a new build starts from each node's .2. */
export function resetPodAllocations(): void {
  nextHostOctet.clear();
  podHostnames.clear();
}

/** The hostname makePod recorded for a StatefulSet pod; undefined for any other pod. */
export function podHostname(namespace: string, name: string): string | undefined {
  return podHostnames.get(`${namespace}/${name}`);
}

function makePod(plan: PodPlan): Pod {
  const ownerUid = plan.owner.kind === 'Node' ? uid('Node', undefined, plan.owner.name) : uid(plan.owner.kind, plan.namespace, plan.owner.name);
  const metadata = meta('Pod', plan.namespace, plan.name, plan.created, {
    labels: plan.labels,
    ownerReferences: [{ kind: plan.owner.kind, name: plan.owner.name, uid: ownerUid, controller: true }],
  });
  if (plan.state === 'terminating') {
    // Deleted a few seconds before the capture with the default 30 s grace period.
    metadata.deletionTimestamp = at(capturedMinute, 27);
  }
  if (plan.hostname) podHostnames.set(`${plan.namespace}/${plan.name}`, plan.hostname);
  const spec: Pod['spec'] = {
    ...(plan.node ? { nodeName: plan.node } : {}),
    ...(plan.hostNetwork ? { hostNetwork: true } : {}),
    dnsPolicy: plan.dnsPolicy,
    containers: plan.containers,
    ...(plan.initContainers ? { initContainers: plan.initContainers } : {}),
  };
  if (plan.state === 'pending' || !plan.node) {
    return { metadata, spec, status: { phase: 'Pending', conditions: conditions('pending') } };
  }
  const node = nodePlan(plan.node);
  const podIP = plan.hostNetwork ? node.internalIP : allocatePodIP(node);
  const isReady = plan.state !== 'notReady';
  return {
    metadata,
    spec,
    status: {
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      hostIP: node.internalIP,
      conditions: conditions(plan.state),
      containerStatuses: plan.containers.map((c) => ({ name: c.name, ready: isReady, restartCount: plan.restartCount ?? 0 })),
      // A completed init container reports ready, as does a started native sidecar.
      ...(plan.initContainers
        ? { initContainerStatuses: plan.initContainers.map((c) => ({ name: c.name, ready: true, restartCount: 0 })) }
        : {}),
    },
  };
}

/** The pods a controller would have made for `workload`, named as that controller names them. */
export function workloadPods(w: Workload): Pod[] {
  const templateHash = templateHashOf(`${w.namespace}/${w.name}/${w.revision ?? '1'}`);
  return w.nodes.map((node, i) => {
    const base = {
      namespace: w.namespace,
      dnsPolicy: w.dnsPolicy ?? (w.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst'),
      containers: w.containers,
      ...(w.initContainers ? { initContainers: w.initContainers } : {}),
      ...(w.hostNetwork ? { hostNetwork: true } : {}),
      ...(node ? { node } : {}),
      created: w.created + i,
      state: node ? (w.state ?? 'ready') : ('pending' as const),
      ...(w.restartCount ? { restartCount: w.restartCount } : {}),
    };
    switch (w.kind) {
      case 'Deployment': {
        const replicaSet = `${w.name}-${templateHash}`;
        return makePod({
          ...base,
          name: `${replicaSet}-${safeString(`pod:${w.namespace}/${replicaSet}/${i}`, 5)}`,
          labels: { ...w.labels, 'pod-template-hash': templateHash },
          owner: { kind: 'ReplicaSet', name: replicaSet },
        });
      }
      case 'StatefulSet': {
        const name = `${w.name}-${i}`;
        return makePod({
          ...base,
          name,
          hostname: name,
          labels: {
            ...w.labels,
            'apps.kubernetes.io/pod-index': String(i),
            'controller-revision-hash': `${w.name}-${templateHash}`,
            'statefulset.kubernetes.io/pod-name': name,
          },
          owner: { kind: 'StatefulSet', name: w.name },
        });
      }
      case 'DaemonSet':
        return makePod({
          ...base,
          name: `${w.name}-${safeString(`pod:${w.namespace}/${w.name}/${node ?? i}`, 5)}`,
          labels: { ...w.labels, 'controller-revision-hash': templateHash, 'pod-template-generation': '1' },
          owner: { kind: 'DaemonSet', name: w.name },
        });
    }
  });
}

/** A kubeadm static pod: the kubelet runs it from a manifest; its mirror pod is owned by the Node. */
export function staticPod(component: string, image: string): Pod {
  return makePod({
    namespace: 'kube-system',
    name: `${component}-${controlPlane}`,
    labels: { component, tier: 'control-plane' },
    owner: { kind: 'Node', name: controlPlane },
    node: controlPlane,
    hostNetwork: true,
    dnsPolicy: 'ClusterFirst',
    containers: [{ name: component, image }],
    created: 1,
    state: 'ready',
  });
}
