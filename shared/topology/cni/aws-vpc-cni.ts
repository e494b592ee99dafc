import type { ClusterObjects } from '../../kube/objects.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { dsName, dsNameAndImage, envOf, findDaemonSet, images } from './evidence.ts';

/** AWS VPC CNI (aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml): pod IPs are VPC addresses
 * on the node's ENIs; a /32 route per pod to its `eni` veth; the VPC carries traffic between nodes. */
export function detectAwsVpcCni(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'aws-node' || images(d).some((i) => /amazon-k8s-cni(:|@|$)/.test(i)));
  if (!ds) return null;
  const evidence = [dsNameAndImage(ds)];
  const prefix = envOf(ds, 'AWS_VPC_K8S_CNI_VETHPREFIX');
  if (prefix !== undefined) evidence.push(`${dsName(ds)} env AWS_VPC_K8S_CNI_VETHPREFIX=${prefix}`);
  const delegation = envOf(ds, 'ENABLE_PREFIX_DELEGATION');
  if (delegation !== undefined) evidence.push(`${dsName(ds)} env ENABLE_PREFIX_DELEGATION=${delegation}`);
  const onAws = objects.nodes.find((n) => n.spec?.providerID?.startsWith('aws://'));
  if (onAws) evidence.push(`Node ${onAws.metadata.name} spec.providerID ${onAws.spec?.providerID}`);
  return detected(
    { ...unknownCni, name: 'aws-vpc-cni', datapath: 'eni', podAttachment: 'routed', peerRouting: 'fabric', vethPrefix: prefix || 'eni', ipam: 'aws-vpc-cni' },
    prefix !== undefined || delegation !== undefined ? 'high' : 'medium',
    evidence,
    { source: 'AWS VPC CNI' },
  );
}
