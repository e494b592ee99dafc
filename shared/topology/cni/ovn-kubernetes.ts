import type { ClusterObjects } from '../../kube/objects.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { annotationOnAnyNode, dsNameAndImage, findDaemonSet, images } from './evidence.ts';

/** OVN-Kubernetes (ovn-org/ovn-kubernetes dist/templates): pods on the OVS bridge `br-int`, the
 * host's management port `ovn-k8s-mp0` (second address of the node subnet), Geneve between nodes
 * through `genev_sys_6081`; each node's subnet in its `k8s.ovn.org/node-subnets` annotation. */
export function detectOvnKubernetes(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'ovnkube-node' || images(d).some((i) => /ovn-kube|ovn-kubernetes/.test(i)));
  if (!ds) return null;
  const evidence = [dsNameAndImage(ds)];
  const subnets = annotationOnAnyNode(objects.nodes, ['k8s.ovn.org/node-subnets']);
  if (subnets) evidence.push(`Node ${subnets.node} annotation k8s.ovn.org/node-subnets=${subnets.value}`);
  return detected(
    {
      ...unknownCni,
      name: 'ovn-kubernetes',
      datapath: 'overlay',
      encapsulation: 'geneve',
      bridgeDevice: 'br-int',
      tunnelDevice: 'genev_sys_6081',
      udpPort: 6081,
      podAttachment: 'ovs',
      peerRouting: 'single-route',
      tunnelScope: 'all',
      vethPrefix: null,
      ipam: 'ovn-kubernetes',
      hostDevices: ['br-int', 'ovn-k8s-mp0', 'genev_sys_6081'],
    },
    subnets ? 'high' : 'medium',
    evidence,
    { source: 'OVN-Kubernetes' },
  );
}
