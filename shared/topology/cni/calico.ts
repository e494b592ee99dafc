import type { ClusterObjects, DaemonSet } from '../../kube/objects.ts';
import type { Confidence } from '../../model/cluster.ts';
import { calicoInterfacePrefix } from '../naming.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { annotationOnAnyNode, cmName, dsName, dsNameAndImage, envOf, findConfigMap, findDaemonSet, images } from './evidence.ts';

/** The IPIP/VXLAN mode values of CALICO_IPV4POOL_IPIP/VXLAN (Calico's IPPool ipipMode/vxlanMode). */
function poolMode(value: string | undefined): 'always' | 'cross-subnet' | 'never' | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'always' || v === 'true' || v === 'on') return 'always';
  if (v === 'crosssubnet' || v === 'cross-subnet') return 'cross-subnet';
  if (v === 'never' || v === 'off' || v === 'false' || v === '') return 'never';
  return undefined;
}

/**
 * Calico (projectcalico/calico manifests/calico.yaml; felix/dataplane/linux): no bridge, a /32
 * route per pod to its `cali` veth, and between nodes IPIP through `tunl0`, VXLAN through
 * `vxlan.calico` (VNI 4096, UDP 4789) or plain BGP-learned routes. The IP pool's mode is read
 * from calico-node's CALICO_IPV4POOL_IPIP/_VXLAN (they create the default pool), else from the
 * tunnel addresses calico-node writes on each Node; IPPools themselves are not read.
 */
export function detectCalico(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'calico-node' || images(d).some((i) => /calico\/node(:|@|$)/.test(i)));
  if (!ds) return null;
  const detection = calicoDatapath(objects, ds);
  detection.proxyReplacement = ebpfDataplane(ds);
  return detection;
}

function calicoDatapath(objects: ClusterObjects, ds: DaemonSet): DatapathDetection {
  const evidence = [dsNameAndImage(ds)];
  const cm = findConfigMap(objects, 'calico-config', [ds.metadata.namespace ?? '', 'kube-system']);
  const backendEnv = envOf(ds, 'CALICO_NETWORKING_BACKEND');
  const backend = backendEnv ?? cm?.data?.calico_backend;
  const configRead = backend !== undefined;
  if (backendEnv !== undefined) evidence.push(`${dsName(ds)} env CALICO_NETWORKING_BACKEND=${backendEnv}`);
  else if (cm && backend !== undefined) evidence.push(`${cmName(cm)} calico_backend: ${backend}`);
  if (backend === 'none') {
    evidence.push('calico_backend none: Calico enforces policy only; another CNI provides the network');
    return detected({ ...unknownCni, name: 'calico' }, 'low', evidence, { source: 'Calico policy-only' });
  }
  const ipamType = /"type"\s*:\s*"host-local"/.test(cm?.data?.cni_network_config ?? '') ? 'host-local' : 'calico-ipam';
  if (cm?.data?.cni_network_config) evidence.push(`${cmName(cm)} cni_network_config ipam.type=${ipamType}`);
  const felixPrefix = envOf(ds, 'FELIX_INTERFACEPREFIX');
  const prefix = calicoInterfacePrefix(felixPrefix);
  if (felixPrefix) evidence.push(`${dsName(ds)} env FELIX_INTERFACEPREFIX=${felixPrefix}: host-side veths are named ${prefix}…`);

  const ipipEnv = poolMode(envOf(ds, 'CALICO_IPV4POOL_IPIP'));
  const vxlanEnv = poolMode(envOf(ds, 'CALICO_IPV4POOL_VXLAN'));
  for (const name of ['CALICO_IPV4POOL_IPIP', 'CALICO_IPV4POOL_VXLAN'] as const) {
    const value = envOf(ds, name);
    if (value !== undefined) evidence.push(`${dsName(ds)} env ${name}=${value} (sets the default IPPool when Calico first starts)`);
  }
  const vxlanNode = annotationOnAnyNode(objects.nodes, ['projectcalico.org/IPv4VXLANTunnelAddr', 'projectcalico.org/IPv6VXLANTunnelAddr']);
  const ipipNode = annotationOnAnyNode(objects.nodes, ['projectcalico.org/IPv4IPIPTunnelAddr']);
  const wireguardNode = annotationOnAnyNode(objects.nodes, ['projectcalico.org/IPv4WireguardInterfaceAddr']);

  let encapsulation: 'vxlan' | 'ipip' | null;
  let scope: 'all' | 'cross-subnet' | null = null;
  if (vxlanEnv === 'always' || vxlanEnv === 'cross-subnet') {
    encapsulation = 'vxlan';
    scope = vxlanEnv === 'always' ? 'all' : 'cross-subnet';
  } else if (ipipEnv === 'always' || ipipEnv === 'cross-subnet') {
    encapsulation = 'ipip';
    scope = ipipEnv === 'always' ? 'all' : 'cross-subnet';
  } else if (ipipEnv === 'never' || vxlanEnv === 'never') {
    encapsulation = null;
  } else {
    encapsulation = vxlanNode ? 'vxlan' : ipipNode ? 'ipip' : backend === 'vxlan' ? 'vxlan' : null;
    scope = encapsulation ? 'all' : null;
  }
  // calico-node writes the tunnel addresses from the pools as they are now; the env only seeded
  // the first pool. Where they disagree, the annotations win (the scope, CrossSubnet or not,
  // is then unknown and assumed to be Always).
  const fromNodes = vxlanNode ? 'vxlan' : ipipNode ? 'ipip' : null;
  if (fromNodes !== null && encapsulation !== fromNodes && !(encapsulation === 'vxlan' && vxlanNode) && !(encapsulation === 'ipip' && ipipNode)) {
    const node = (fromNodes === 'vxlan' ? vxlanNode : ipipNode) ?? { node: '', key: '' };
    evidence.push(`Node ${node.node} has ${node.key} but calico-node's env says ${encapsulation ?? 'no encapsulation'}: the pool has changed since, and now uses ${fromNodes.toUpperCase()}`);
    encapsulation = fromNodes;
    scope = 'all';
  }
  const seen = encapsulation === 'vxlan' ? vxlanNode : encapsulation === 'ipip' ? ipipNode : null;
  if (seen) evidence.push(`Node ${seen.node} annotation ${seen.key}=${seen.value}`);
  if (encapsulation === null) evidence.push('no IPIP or VXLAN on the default pool: BGP-learned routes carry pod traffic between nodes (native routing)');
  else if (scope === 'cross-subnet') evidence.push(`${encapsulation.toUpperCase()} CrossSubnet: encapsulated only to nodes in another subnet`);
  if (wireguardNode) evidence.push(`Node ${wireguardNode.node} annotation ${wireguardNode.key}: WireGuard encrypts node-to-node pod traffic through wireguard.cali`);
  const confidence: Confidence = configRead || ipipEnv !== undefined || vxlanEnv !== undefined || seen !== null ? 'high' : 'medium';
  if (confidence === 'medium') evidence.push('no Calico configuration or node annotation readable: assuming BGP without encapsulation');

  const blockV4 = Number(envOf(ds, 'CALICO_IPV4POOL_BLOCK_SIZE') ?? 26);
  const blockV6 = Number(envOf(ds, 'CALICO_IPV6POOL_BLOCK_SIZE') ?? 122);
  const blockSource = envOf(ds, 'CALICO_IPV4POOL_BLOCK_SIZE') ? `${dsName(ds)} env CALICO_IPV4POOL_BLOCK_SIZE` : 'Calico\'s default IPPool blockSize (/26 IPv4, /122 IPv6; IPPools are not read)';
  const tunnel = encapsulation === 'vxlan' ? 'vxlan.calico' : encapsulation === 'ipip' ? 'tunl0' : null;
  const hostDevices = [
    ...(tunnel ? [tunnel] : []),
    ...(encapsulation === 'vxlan' && annotationOnAnyNode(objects.nodes, ['projectcalico.org/IPv6VXLANTunnelAddr']) ? ['vxlan-v6.calico'] : []),
    ...(wireguardNode ? ['wireguard.cali'] : []),
  ];
  return detected(
    {
      ...unknownCni,
      name: 'calico',
      datapath: encapsulation ? 'overlay' : 'routed',
      encapsulation,
      tunnelDevice: tunnel,
      // Felix's defaults: FELIX_VXLANVNI 4096, FELIX_VXLANPORT 4789.
      vni: encapsulation === 'vxlan' ? 4096 : null,
      udpPort: encapsulation === 'vxlan' ? 4789 : null,
      podAttachment: 'routed',
      peerRouting: encapsulation === 'vxlan' ? 'tunnel-via-vtep' : encapsulation === 'ipip' ? 'tunnel-via-node' : 'direct',
      tunnelScope: scope,
      vethPrefix: prefix,
      ipam: ipamType,
      hostDevices,
    },
    confidence,
    evidence,
    {
      calicoBlockSize: Number.isInteger(blockV4) && Number.isInteger(blockV6) ? { v4: blockV4, v6: blockV6, source: blockSource } : null,
      source: `Calico ${encapsulation ? `${encapsulation.toUpperCase()}${scope === 'cross-subnet' ? ' CrossSubnet' : ''}` : 'BGP'}`,
    },
  );
}

/** Calico's eBPF dataplane replaces kube-proxy, in policy-only mode too. */
function ebpfDataplane(ds: DaemonSet): DatapathDetection['proxyReplacement'] {
  if (envOf(ds, 'FELIX_BPFENABLED')?.toLowerCase() !== 'true') return null;
  return { confidence: 'high', evidence: `${dsName(ds)} env FELIX_BPFENABLED=true: Calico's eBPF dataplane implements Services` };
}
