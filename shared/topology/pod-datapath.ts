/**
 * A pod's side of the datapath: the name of its veth's host end, the routes that reach it, and
 * its own default route — each inferred from the CNI's deterministic behaviour where there is
 * one, and `unknown`, with the reason and the name's shape, where there is not — or, on a node
 * whose datapath a probe read, observed.
 */
import { hostRoutesTo, matchPod, vethEvidence, type NodeDatapath, type PodKey } from '../datapath/join.ts';
import type { CniInfo } from '../model/cluster.ts';
import type { PodNetns, Provenance, VethRecord } from '../model/types.ts';
import { cidrAddress } from '../net/ip.ts';
import type { CniDetails } from './cni/detector.ts';
import { ids } from './ids.ts';
import { antreaVethPrefix, awsVethName, azureVethName, calicoVethName } from './naming.ts';
import type { NodeFacts } from './node-facts.ts';

const sandboxNote = 'the pod sandbox\'s container ID, which the Kubernetes API does not expose (status.containerStatuses[].containerID are the app containers\', not the sandbox\'s); a node probe can tell';

const fixed: Record<string, { how: string; pattern: string }> = {
  cilium: {
    how: `Cilium names it lxc + the first 12 hex digits of SHA-256 of "<sandbox ID>:eth0", keyed on ${sandboxNote}`,
    pattern: 'lxc[0-9a-f]{12}',
  },
  'ovn-kubernetes': { how: `OVN-Kubernetes names it with the first 15 characters of ${sandboxNote}`, pattern: '[0-9a-f]{15}' },
  weave: { how: `Weave Net names it vethwepl + the first 5 characters of ${sandboxNote}`, pattern: 'vethwepl[0-9a-f]{5}' },
  flannel: {
    how: 'flannel delegates to the bridge CNI plugin, which names host-side veths randomly (veth + 8 hex digits, RandomVethName); only a node probe can tell',
    pattern: 'veth[0-9a-f]{8}',
  },
  kindnet: {
    how: 'kindnet names host-side veths randomly (knet + 8 hex digits; releases that used the ptp plugin, veth + 8 hex digits); only a node probe can tell',
    pattern: '(knet|veth)[0-9a-f]{8}',
  },
};

const unknownHostEnds = new Map<string, VethRecord['hostEnd']>();

/** One record per CNI, shared by every veth of every derive: frozen, so that sharing it is safe. */
function unknownHostEnd(cniName: string): VethRecord['hostEnd'] {
  let hostEnd = unknownHostEnds.get(cniName);
  if (!hostEnd) {
    const known = fixed[cniName];
    hostEnd = Object.freeze(
      known
        ? { name: null, provenance: 'unknown' as const, how: known.how, pattern: known.pattern }
        : { name: null, provenance: 'unknown' as const, how: `the host-side name is not derivable for CNI "${cniName}"` },
    );
    unknownHostEnds.set(cniName, hostEnd);
  }
  return hostEnd;
}

/** How the host end of a pod's veth is named: inferred where the CNI names it from the pod's
 * namespace and name, otherwise unknown with the reason. */
export function vethHostEnd(namespace: string, podName: string, cni: CniInfo, details: CniDetails): VethRecord['hostEnd'] {
  switch (cni.name) {
    case 'calico':
    case 'canal': {
      const prefix = cni.vethPrefix ?? 'cali';
      return {
        name: calicoVethName(namespace, podName, prefix),
        provenance: 'inferred',
        how: `Calico names it ${prefix} + the first 11 hex digits of SHA-1 of "${namespace}.${podName}" (VethNameForWorkload${prefix === 'cali' ? '' : '; prefix from FELIX_INTERFACEPREFIX'})`,
      };
    }
    case 'aws-vpc-cni': {
      const prefix = cni.vethPrefix ?? 'eni';
      return {
        name: awsVethName(namespace, podName, prefix),
        provenance: 'inferred',
        how: `AWS VPC CNI names it ${prefix} + the first 11 hex digits of SHA-1 of "${namespace}.${podName}" (GeneratePodHostVethName${prefix === 'eni' ? '' : '; prefix from AWS_VPC_K8S_CNI_VETHPREFIX'})`,
      };
    }
    case 'azure-cni':
      return {
        name: azureVethName(namespace, podName),
        provenance: 'inferred',
        how: `Azure CNI in transparent mode names it azv + the first 11 hex digits of SHA-1 of "${namespace}.${podName}"${details.isAzureModeAssumed ? '; the mode is assumed (AKS\'s default), and in bridge mode the name comes from the sandbox ID instead' : ''}`,
      };
    case 'antrea': {
      const prefix = antreaVethPrefix(podName);
      return {
        name: null,
        provenance: 'unknown',
        how: `Antrea names it "${prefix}-" + the first 6 hex digits of SHA-1 of ${sandboxNote}`,
        pattern: `${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{6}`,
      };
    }
    default:
      return unknownHostEnd(cni.name);
  }
}

/** Routed CNIs give each pod a /32 (/128) in the root netns pointing at its host-side veth. */
export function podHostRoutes(ips: string[], cni: CniInfo): string[] {
  return cni.podAttachment === 'routed' ? ips.map((ip) => `${ip}/${ip.includes(':') ? 128 : 32}`) : [];
}

// Shared by every pod's netns, so frozen.
const loopback = Object.freeze({ name: 'lo', addresses: Object.freeze(['127.0.0.1/8']) as string[] });
const loopbackDual = Object.freeze({ name: 'lo', addresses: Object.freeze(['127.0.0.1/8', '::1/128']) as string[] });

type DefaultRoute = PodNetns['defaultRoutes'][number];

function route(via: string | null, provenance: Provenance, how: string): DefaultRoute {
  return { via, device: 'eth0', provenance: via ? provenance : 'unknown', how };
}

/** The default route a CNI gives pods on a node, per family; one object per node and family,
 * shared by all pods there (records are plain data, never mutated after derive). */
export function podDefaultRoute(cni: CniInfo, node: NodeFacts | undefined, v6: boolean): DefaultRoute {
  const own = (offset: number) => {
    const cidr = node?.cniPodCIDRs.find((c) => c.includes(':') === v6);
    return cidr ? cidrAddress(cidr, offset) : null;
  };
  switch (cni.name) {
    case 'flannel':
      return route(own(1), 'inferred', 'the bridge plugin (isDefaultGateway) routes pods via cni0\'s address, the first of the node\'s podCIDR');
    case 'calico':
    case 'canal':
      return route(
        v6 ? 'fe80::ecee:eeff:feee:eeee' : '169.254.1.1',
        'inferred',
        'Calico routes every pod via a fixed link-local next hop that the host end of its veth answers for (proxy ARP / NDP)',
      );
    case 'aws-vpc-cni':
      return v6
        ? route(null, 'unknown', 'AWS VPC CNI\'s IPv6 pod gateway is not derived')
        : route('169.254.1.1', 'inferred', 'AWS VPC CNI routes every pod via 169.254.1.1, answered by the host end of its veth');
    case 'cilium':
      return route(
        node?.gatewayIPs.find((g) => g.includes(':') === v6) ?? null,
        'inferred',
        'Cilium routes pods via the node\'s router address, held by cilium_host (annotated on the Node only when annotate-k8s-node is on)',
      );
    case 'antrea':
      return route(own(1), 'inferred', 'Antrea routes pods via antrea-gw0, the first address of the node\'s podCIDR');
    case 'ovn-kubernetes':
      return route(own(1), 'inferred', 'OVN-Kubernetes routes pods via the node switch\'s router port, the first address of the node subnet');
    case 'azure-cni':
      return route(null, 'unknown', 'Azure CNI routes pods via the VNet subnet\'s gateway (its first address); the subnet is not in the Kubernetes API');
    default:
      return route(null, 'unknown', `the pod's gateway is not derivable for CNI "${cni.name}"`);
  }
}

/** The address families of a pod's IPs: `4`, `6`, `46` (dual-stack) or `` (no IP yet). */
export function familiesOf(ips: string[]): '' | '4' | '6' | '46' {
  if (ips.length === 0) return '';
  const hasV6 = ips.some((ip) => ip.includes(':'));
  const hasV4 = ips.some((ip) => !ip.includes(':'));
  return hasV4 && hasV6 ? '46' : hasV6 ? '6' : '4';
}

/** The pod's netns: `lo`, `eth0` with the pod's IPs, and its default routes (`defaultRoutes`,
 * one per family of `ips`, shared by the pods of a node). `eth0` may be the veth's pod end,
 * the same interface. */
export function podNetns(ips: string[], defaultRoutes: DefaultRoute[], eth0 = { name: 'eth0', addresses: ips }): PodNetns {
  return { interfaces: [ips.some((ip) => ip.includes(':')) ? loopbackDual : loopback, eth0], defaultRoutes };
}

/**
 * A pod's veth with what its node's reading shows (issue 13): the host end read there, with the
 * command and how the pod was recognised as its evidence, the bridge it is a port of, and the
 * /32 routes to it. A pod the reading does not show keeps the inferred host end, and says why:
 * missing, younger than the reading, or not knowable from what was read.
 */
export function observeVeth(veth: VethRecord, pod: PodKey & { createdAt: string | null }, datapath: NodeDatapath): VethRecord {
  const match = matchPod(datapath, pod);
  if (!match) {
    const isYounger = pod.createdAt !== null && Date.parse(pod.createdAt) > Date.parse(datapath.observation.readAt);
    return { ...veth, observation: isYounger ? 'created-after-reading' : datapath.canTellVeths ? 'missing' : 'unread' };
  }
  const { hostName, bridge } = match.veth;
  return {
    ...veth,
    hostEnd: { name: hostName, provenance: 'observed', how: vethEvidence(datapath, match) },
    bridge: bridge !== null && bridge === datapath.podBridge?.name ? ids.device(datapath.observed.node, 'bridge') : null,
    hostRoutes: hostRoutesTo(datapath, hostName),
    observation: 'found',
  };
}
