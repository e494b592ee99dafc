import { parseYaml } from '../../kube/nesting.ts';
import type { ClusterObjects } from '../../kube/objects.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { cmName, dsNameAndImage, findConfigMap, findDaemonSet, images } from './evidence.ts';

interface AntreaAgentConf {
  trafficEncapMode?: string;
  tunnelType?: string;
  tunnelPort?: number;
  trafficEncryptionMode?: string;
}

/**
 * Antrea (antrea-io/antrea build/yamls/antrea.yml; pkg/agent/route): pods' veths are ports of the
 * OVS bridge `br-int`; `antrea-gw0` holds the first address of the node's podCIDR; in `encap`
 * mode (the default) OVS tunnels to peers through `antrea-tun0`, Geneve on UDP 6081 by default.
 */
export function detectAntrea(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'antrea-agent' || images(d).some((i) => /antrea\/antrea-(agent|ubuntu)/.test(i)));
  if (!ds) return null;
  const evidence = [dsNameAndImage(ds)];
  const cm = findConfigMap(objects, 'antrea-config', [ds.metadata.namespace ?? '', 'kube-system']);
  let conf: AntreaAgentConf = {};
  const text = cm?.data?.['antrea-agent.conf'];
  if (cm && text !== undefined) {
    try {
      conf = (parseYaml(text) as AntreaAgentConf | null) ?? {};
      evidence.push(`${cmName(cm)} antrea-agent.conf trafficEncapMode: ${conf.trafficEncapMode ?? '(unset: encap)'}, tunnelType: ${conf.tunnelType ?? '(unset: geneve)'}`);
    } catch {
      evidence.push(`${cmName(cm)} antrea-agent.conf is not valid YAML`);
    }
  } else {
    evidence.push('antrea-config not readable: assuming Antrea\'s defaults (encap, Geneve)');
  }
  const mode = (conf.trafficEncapMode ?? 'encap').toLowerCase();
  if (mode === 'networkpolicyonly') {
    evidence.push('trafficEncapMode networkPolicyOnly: Antrea enforces policy only; another CNI provides the network');
    return detected({ ...unknownCni, name: 'antrea' }, 'low', evidence, { source: 'Antrea policy-only' });
  }
  const tunnelType = (conf.tunnelType ?? 'geneve').toLowerCase() as 'geneve' | 'vxlan' | 'gre' | 'stt';
  const defaultPorts: Record<string, number | null> = { geneve: 6081, vxlan: 4789, stt: 7471, gre: null };
  const encap = mode !== 'noencap';
  const wireguard = conf.trafficEncryptionMode?.toLowerCase() === 'wireguard';
  return detected(
    {
      ...unknownCni,
      name: 'antrea',
      datapath: encap ? 'overlay' : 'routed',
      encapsulation: encap ? tunnelType : null,
      bridgeDevice: 'br-int',
      tunnelDevice: encap ? 'antrea-tun0' : null,
      udpPort: encap ? (conf.tunnelPort || defaultPorts[tunnelType] || null) : null,
      podAttachment: 'ovs',
      peerRouting: encap ? 'via-peer-gateway' : 'direct',
      tunnelScope: !encap ? null : mode === 'hybrid' ? 'cross-subnet' : 'all',
      vethPrefix: null,
      ipam: 'host-local',
      hostDevices: ['br-int', 'antrea-gw0', ...(encap ? ['antrea-tun0'] : []), ...(wireguard ? ['antrea-wg0'] : [])],
    },
    cm && text !== undefined ? 'high' : 'medium',
    evidence,
    { source: `Antrea ${mode}${encap ? ` (${tunnelType})` : ''}` },
  );
}
