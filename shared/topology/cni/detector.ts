/**
 * What a CNI detector returns, and how it says it: the model's `CniInfo` with a confidence —
 * `medium` when only a DaemonSet's name and image say it, `high` when its configuration was
 * read too, `low` for a CNI that only enforces policy or is chained — and the evidence, each line
 * naming the object and field it was read from.
 */
import type { ClusterObjects } from '../../kube/objects.ts';
import type { CniInfo, Confidence, Detected } from '../../model/cluster.ts';

/** What detection found beyond the model's `CniInfo`: settings the per-node derivation needs. */
export interface CniDetails {
  /** Calico's IPAM block size per family (IPPool `blockSize`), and where it came from. */
  calicoBlockSize: { v4: number; v6: number; source: string } | null;
  /** Whether Cilium takes pod IPs from node.spec.podCIDRs (`ipam: kubernetes`); its other IPAMs
   * allocate from their own pools. True for every other CNI. */
  isCiliumOnNodePodCIDRs: boolean;
  /** Whether Azure CNI's mode was assumed: it is in each node's CNI config file, which the API
   * does not show. */
  isAzureModeAssumed: boolean;
  /** The config evidence the per-node facts cite (e.g. `ConfigMap kube-flannel/kube-flannel-cfg Backend.Type=vxlan`). */
  source: string;
}

export interface DatapathDetection {
  cni: Detected<CniInfo>;
  details: CniDetails;
  /** A CNI that replaces kube-proxy when it runs alone, with its evidence. */
  proxyReplacement: { confidence: Confidence; evidence: string } | null;
}

/** Looks for one CNI in the cluster's objects: null when it is not there. */
export type CniDetector = (objects: ClusterObjects) => DatapathDetection | null;

/** Every field unknown: what a detector spreads its findings over. */
export const unknownCni: CniInfo = {
  name: 'unknown',
  datapath: 'unknown',
  encapsulation: null,
  bridgeDevice: null,
  tunnelDevice: null,
  vni: null,
  udpPort: null,
  podAttachment: 'unknown',
  peerRouting: 'unknown',
  tunnelScope: null,
  vethPrefix: null,
  ipam: null,
  hostDevices: [],
};

export const noDetails: CniDetails = { calicoBlockSize: null, isCiliumOnNodePodCIDRs: true, isAzureModeAssumed: false, source: '' };

export function detected(value: CniInfo, confidence: Confidence, evidence: string[], details: Partial<CniDetails> = {}): DatapathDetection {
  return { cni: { value, confidence, evidence }, details: { ...noDetails, ...details }, proxyReplacement: null };
}
