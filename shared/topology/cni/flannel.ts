/** Flannel, and Canal (Calico's CNI plugin over Flannel's network): one module, because both
 * build their datapath from Flannel's net-conf.json. */
import type { ClusterObjects, ConfigMap } from '../../kube/objects.ts';
import type { CniInfo, Confidence } from '../../model/cluster.ts';
import { calicoInterfacePrefix } from '../naming.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { cmName, dsNameAndImage, envOf, findConfigMap, findDaemonSet, images } from './evidence.ts';

interface FlannelBackend {
  Type?: string;
  VNI?: number;
  Port?: number;
  DirectRouting?: boolean;
  Mode?: string;
}

export interface FlannelNetConf {
  Network?: string;
  IPv6Network?: string;
  EnableIPv6?: boolean;
  EnableIPv4?: boolean;
  Backend?: FlannelBackend;
}

function parseNetConf(cm: ConfigMap | undefined, evidence: string[]): FlannelNetConf | null {
  const text = cm?.data?.['net-conf.json'];
  if (!cm || text === undefined) return null;
  try {
    const conf = JSON.parse(text) as FlannelNetConf;
    evidence.push(`${cmName(cm)} net-conf.json Backend.Type=${conf.Backend?.Type ?? '(unset)'}`);
    return conf;
  } catch {
    evidence.push(`${cmName(cm)} has a net-conf.json that is not valid JSON`);
    return null;
  }
}

/**
 * Flannel (flannel-io/flannel pkg/backend): `cni0` bridge on every node (the bridge plugin's
 * default name), and the backend in net-conf.json decides how nodes connect: `vxlan` (default)
 * through `flannel.<VNI>` on UDP 8472, `host-gw` by plain routes, `ipip` through `flannel.ipip`,
 * `wireguard` through `flannel-wg`.
 */
export function detectFlannel(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(
    objects,
    (d) => d.metadata.name.includes('flannel') || images(d).some((i) => /\/flannel(:|@|$)|flannel\/flannel/.test(i)),
  );
  if (!ds) return null;
  const evidence = [dsNameAndImage(ds)];
  const cm = findConfigMap(objects, 'kube-flannel-cfg', [ds.metadata.namespace ?? '', 'kube-flannel', 'kube-system']);
  const conf = parseNetConf(cm, evidence);
  const confidence: Confidence = conf ? 'high' : 'medium';
  if (!conf) evidence.push('net-conf.json not readable: assuming Flannel\'s default backend, vxlan');
  return flannelDatapath('flannel', conf ?? {}, confidence, evidence, { bridge: 'cni0', vethPrefix: 'veth', podAttachment: 'bridge' });
}

function flannelDatapath(
  name: string,
  conf: FlannelNetConf,
  confidence: Confidence,
  evidence: string[],
  attach: { bridge: string | null; vethPrefix: string; podAttachment: CniInfo['podAttachment']; ipam?: string },
): DatapathDetection {
  const backend = conf.Backend ?? {};
  const type = (backend.Type ?? 'vxlan').toLowerCase();
  const hasV6 = conf.EnableIPv6 === true;
  const base: CniInfo = {
    ...unknownCni,
    name,
    bridgeDevice: attach.bridge,
    podAttachment: attach.podAttachment,
    vethPrefix: attach.vethPrefix,
    ipam: attach.ipam ?? 'host-local',
  };
  const source = `Flannel backend ${type} (${confidence === 'high' ? 'net-conf.json' : 'default'})`;
  const bridges = attach.bridge ? [attach.bridge] : [];
  const scope = backend.DirectRouting === true ? ('cross-subnet' as const) : ('all' as const);
  if (backend.DirectRouting === true) evidence.push('Backend.DirectRouting=true: peers on the same subnet are routed directly, without the tunnel');
  if (type === 'host-gw') {
    return detected({ ...base, datapath: 'bridge', peerRouting: 'direct', hostDevices: bridges }, confidence, evidence, { source });
  }
  if (type === 'vxlan') {
    // Flannel's defaults: VNI 1; Port 0 leaves the kernel's VXLAN port, 8472.
    const vni = backend.VNI ?? 1;
    const tunnel = `flannel.${vni}`;
    return detected(
      {
        ...base,
        datapath: 'overlay',
        encapsulation: 'vxlan',
        tunnelDevice: tunnel,
        vni,
        udpPort: backend.Port || 8472,
        peerRouting: 'tunnel-via-pod-cidr',
        tunnelScope: scope,
        hostDevices: [...bridges, tunnel, ...(hasV6 ? [`flannel-v6.${vni}`] : [])],
      },
      confidence,
      evidence,
      { source },
    );
  }
  if (type === 'ipip') {
    return detected(
      { ...base, datapath: 'overlay', encapsulation: 'ipip', tunnelDevice: 'flannel.ipip', peerRouting: 'tunnel-via-node', tunnelScope: scope, hostDevices: [...bridges, 'flannel.ipip'] },
      confidence,
      evidence,
      { source },
    );
  }
  if (type === 'wireguard') {
    // Mode "separate" (the default) makes one device per family; the others share flannel-wg.
    const separate = (backend.Mode ?? 'separate') === 'separate';
    return detected(
      {
        ...base,
        datapath: 'overlay',
        encapsulation: 'wireguard',
        tunnelDevice: 'flannel-wg',
        udpPort: backend.Port ?? 51820,
        peerRouting: 'single-route',
        tunnelScope: 'all',
        hostDevices: [...bridges, 'flannel-wg', ...(hasV6 && separate ? ['flannel-wg-v6'] : [])],
      },
      confidence,
      evidence,
      { source },
    );
  }
  evidence.push(`Flannel backend "${type}" is not one Podpath models`);
  return detected({ ...base, hostDevices: bridges }, 'low', evidence, { source });
}

/** Canal: Calico's CNI plugin (cali veths, /32 routes) over Flannel's network (flannel.1). */
export function detectCanal(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(
    objects,
    (d) => d.metadata.name === 'canal' || (images(d).some((i) => /calico\/node/.test(i)) && images(d).some((i) => /flannel/.test(i))),
  );
  if (!ds) return null;
  const evidence = [dsNameAndImage(ds), 'Canal: Calico\'s CNI plugin attaches pods, Flannel connects nodes'];
  const cm = findConfigMap(objects, 'canal-config', [ds.metadata.namespace ?? '', 'kube-system']);
  const conf = parseNetConf(cm, evidence);
  const prefix = calicoInterfacePrefix(envOf(ds, 'FELIX_INTERFACEPREFIX'));
  return flannelDatapath('canal', conf ?? {}, conf ? 'high' : 'medium', evidence, { bridge: null, vethPrefix: prefix, podAttachment: 'routed' });
}
