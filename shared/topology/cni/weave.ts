import type { ClusterObjects } from '../../kube/objects.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { dsName, dsNameAndImage, envOf, findDaemonSet, images } from './evidence.ts';

/** Weave Net (weaveworks/weave prog/weave-kube): the `weave` bridge, one L2 network across nodes,
 * fast datapath VXLAN through `vxlan-6784` (UDP 6784); pod range IPALLOC_RANGE, default 10.32.0.0/12. */
export function detectWeave(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'weave-net' || images(d).some((i) => /weaveworks\/weave(-kube)?(:|@|$)/.test(i)));
  if (!ds) return null;
  const evidence = [dsNameAndImage(ds)];
  const range = envOf(ds, 'IPALLOC_RANGE');
  evidence.push(range ? `${dsName(ds)} env IPALLOC_RANGE=${range}` : 'IPALLOC_RANGE not set: Weave\'s default 10.32.0.0/12');
  return detected(
    {
      ...unknownCni,
      name: 'weave',
      datapath: 'overlay',
      encapsulation: 'vxlan',
      bridgeDevice: 'weave',
      tunnelDevice: 'vxlan-6784',
      udpPort: 6784,
      podAttachment: 'bridge',
      peerRouting: 'single-route',
      tunnelScope: 'all',
      vethPrefix: 'vethwepl',
      ipam: 'weave',
      hostDevices: ['weave', 'vxlan-6784'],
    },
    range ? 'high' : 'medium',
    evidence,
    { source: 'Weave Net fast datapath' },
  );
}
