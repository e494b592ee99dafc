import type { ClusterObjects } from '../../kube/objects.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { dsNameAndImage, findDaemonSet, images } from './evidence.ts';

/** Azure CNI (Azure/azure-container-networking): pod IPs from the VNet, a /32 route per pod to its
 * `azv` veth, the VNet carrying traffic between nodes — in transparent mode, AKS's default. Its
 * mode lives in each node's /etc/cni/net.d/10-azure.conflist, which the API does not show. */
export function detectAzureCni(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => /^azure-(cns|vnet|cni)/.test(d.metadata.name) || images(d).some((i) => /azure-cns|azure-vnet|azure-cni/.test(i)));
  if (!ds) return null;
  const evidence = [dsNameAndImage(ds), 'the mode (transparent or bridge) is in each node\'s /etc/cni/net.d/10-azure.conflist, not in the Kubernetes API: assuming transparent, AKS\'s default'];
  const onAzure = objects.nodes.find((n) => n.spec?.providerID?.startsWith('azure://'));
  if (onAzure) evidence.push(`Node ${onAzure.metadata.name} spec.providerID ${onAzure.spec?.providerID}`);
  return detected(
    { ...unknownCni, name: 'azure-cni', datapath: 'routed', podAttachment: 'routed', peerRouting: 'fabric', vethPrefix: 'azv', ipam: 'azure' },
    'medium',
    evidence,
    { isAzureModeAssumed: true, source: 'Azure CNI (transparent mode assumed)' },
  );
}
