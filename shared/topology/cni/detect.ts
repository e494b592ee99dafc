/**
 * Which CNI runs, from the API alone: every detector (one module per CNI) looks, and the one
 * that provides the network wins; the others are named in its evidence. "unknown" when none
 * matches: never a guess dressed as a fact.
 *
 * Each CNI's facts (device names, ports, defaults) are from its own code and manifests; the
 * fixtures in test/fixtures/cni/ are modelled on those manifests and name them.
 */
import type { ClusterObjects } from '../../kube/objects.ts';
import { detectAntrea } from './antrea.ts';
import { detectAwsVpcCni } from './aws-vpc-cni.ts';
import { detectAzureCni } from './azure-cni.ts';
import { detectCalico } from './calico.ts';
import { detectCilium } from './cilium.ts';
import { type CniDetector, type DatapathDetection, noDetails, unknownCni } from './detector.ts';
import { detectCanal, detectFlannel } from './flannel.ts';
import { detectKindnet } from './kindnet.ts';
import { detectOvnKubernetes } from './ovn-kubernetes.ts';
import { detectWeave } from './weave.ts';

/** In order of precedence: a CNI that only enforces policy or is chained (`low`) yields to one
 * that provides the network, and is named in the evidence. */
const detectors: readonly CniDetector[] = [
  detectCilium,
  detectCanal,
  detectCalico,
  detectAntrea,
  detectOvnKubernetes,
  detectWeave,
  detectAwsVpcCni,
  detectAzureCni,
  detectKindnet,
  detectFlannel,
];

export function detectDatapath(objects: ClusterObjects): DatapathDetection {
  const found = detectors.map((detect) => detect(objects)).filter((d): d is DatapathDetection => d !== null);
  const primary = found.find((d) => d.cni.confidence !== 'low' || d.cni.value.datapath !== 'unknown') ?? found[0];
  if (!primary) return { cni: { value: unknownCni, confidence: 'none', evidence: ['no known CNI DaemonSet found'] }, details: noDetails, proxyReplacement: null };
  // A detector's first evidence line names its DaemonSet: Canal's also matches Calico's and
  // Flannel's detectors, which must not be reported as further CNIs.
  const others = found.filter((d) => d !== primary && d.cni.evidence[0] !== primary.cni.evidence[0]);
  const evidence = [...primary.cni.evidence];
  for (const other of others) {
    const chained = other.details.source.startsWith('cilium-chained:');
    evidence.push(
      chained
        ? `Cilium also runs, chained (cni-chaining-mode ${other.details.source.slice('cilium-chained:'.length)}): it enforces policy on ${primary.cni.value.name}'s datapath`
        : `${other.cni.value.name} also runs (${other.cni.evidence[0] ?? ''})${other.cni.confidence === 'low' ? ', for policy only' : ''}`,
    );
  }
  return { ...primary, cni: { ...primary.cni, evidence } };
}
