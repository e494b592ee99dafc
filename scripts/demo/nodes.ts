/**
 * The demo's three nodes (one kubeadm control plane, two workers): the plan each is made from —
 * pods and EndpointSlices look nodes up here for IPs and zones — and the Node objects with
 * Flannel's VXLAN annotations.
 */
import type { KubeNode } from '../../shared/kube/objects.ts';
import { kubernetesVersion } from './facts.ts';
import { digest, meta } from './identity.ts';

export interface NodePlan {
  name: string;
  index: number;
  internalIP: string;
  externalIP: string;
  zone: string;
  isControlPlane: boolean;
}

const region = 'demo-region-1';

export const nodePlans: NodePlan[] = [
  { name: 'demo-control-plane', index: 0, internalIP: '172.18.0.2', externalIP: '203.0.113.2', zone: 'demo-region-1a', isControlPlane: true },
  { name: 'demo-worker-1', index: 1, internalIP: '172.18.0.3', externalIP: '203.0.113.3', zone: 'demo-region-1b', isControlPlane: false },
  { name: 'demo-worker-2', index: 2, internalIP: '172.18.0.4', externalIP: '203.0.113.4', zone: 'demo-region-1c', isControlPlane: false },
];

export const controlPlane = 'demo-control-plane';
export const worker1 = 'demo-worker-1';
export const worker2 = 'demo-worker-2';
export const allNodes = nodePlans.map((n) => n.name);

export function nodePlan(name: string): NodePlan {
  const plan = nodePlans.find((n) => n.name === name);
  if (!plan) throw new Error(`no node ${name}`);
  return plan;
}

function podCIDR(node: NodePlan): string {
  return `10.244.${node.index}.0/24`;
}

/** A locally administered unicast MAC, as Linux gives a new VXLAN device. */
function vtepMac(node: string): string {
  const bytes = [...digest(`mac:${node}`).subarray(0, 6)];
  bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function makeNode(plan: NodePlan): KubeNode {
  const roleLabels: Record<string, string> = plan.isControlPlane
    ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }
    : {};
  return {
    metadata: meta('Node', undefined, plan.name, plan.index * 3, {
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': plan.name,
        'kubernetes.io/os': 'linux',
        ...roleLabels,
        'topology.kubernetes.io/region': region,
        'topology.kubernetes.io/zone': plan.zone,
      },
      // What flanneld (kube-subnet-mgr) writes on each node: the VXLAN VTEP its peers program.
      annotations: {
        'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: vtepMac(plan.name) }),
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
        'flannel.alpha.coreos.com/public-ip': plan.internalIP,
      },
    }),
    spec: { podCIDR: podCIDR(plan), podCIDRs: [podCIDR(plan)] },
    status: {
      addresses: [
        { type: 'InternalIP', address: plan.internalIP },
        { type: 'ExternalIP', address: plan.externalIP },
        { type: 'Hostname', address: plan.name },
      ],
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'DiskPressure', status: 'False' },
        { type: 'PIDPressure', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      nodeInfo: {
        kubeletVersion: kubernetesVersion,
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://2.1.3',
      },
    },
  };
}
