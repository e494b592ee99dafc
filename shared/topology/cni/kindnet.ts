import type { ClusterObjects } from '../../kube/objects.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { dsNameAndImage, findDaemonSet, images } from './evidence.ts';

/** kindnet (kubernetes-sigs/kind, aojea/kindnet): a /32 route per pod to its veth (`knet` +
 * random hex; older releases used the ptp plugin's `veth` + random hex), and a route to each other
 * node's podCIDR via that node's InternalIP. No overlay. */
export function detectKindnet(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'kindnet' || images(d).some((i) => i.includes('kindnet')));
  if (!ds) return null;
  const bothMatch = ds.metadata.name === 'kindnet' && images(ds).some((i) => i.includes('kindnetd'));
  return detected(
    { ...unknownCni, name: 'kindnet', datapath: 'routed', podAttachment: 'routed', peerRouting: 'direct', vethPrefix: null, ipam: 'host-local' },
    bothMatch ? 'high' : 'medium',
    [dsNameAndImage(ds)],
    { source: 'kindnet' },
  );
}
