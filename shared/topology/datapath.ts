/**
 * What the Kubernetes API reveals about the datapath: which CNI runs and how it forwards
 * (bridge, routed, overlay), and which mode kube-proxy runs in. Every answer carries the
 * evidence it was read from and a confidence; "unknown" when nothing matches — never a guess
 * dressed as a fact.
 */
import { parse as parseYaml } from 'yaml';
import type { ClusterObjects, ConfigMap, DaemonSet } from '../kube/objects.ts';
import type { CniInfo, Detected, ProxyMode } from '../model/types.ts';

const unknownCni: CniInfo = {
  name: 'unknown',
  datapath: 'unknown',
  encapsulation: null,
  bridgeDevice: null,
  tunnelDevice: null,
  vni: null,
  udpPort: null,
};

function images(ds: DaemonSet): string[] {
  return ds.spec.template.spec.containers.map((c) => c.image ?? '');
}

function findDaemonSet(objects: ClusterObjects, test: (ds: DaemonSet) => boolean): DaemonSet | undefined {
  return objects.daemonSets.find(test);
}

function findConfigMap(objects: ClusterObjects, name: string, namespaces: string[]): ConfigMap | undefined {
  return objects.configMaps.find((cm) => cm.metadata.name === name && namespaces.includes(cm.metadata.namespace ?? ''));
}

function describe(ds: DaemonSet): string {
  const image = images(ds)[0];
  return `DaemonSet ${ds.metadata.namespace}/${ds.metadata.name}${image ? ` (image ${image})` : ''}`;
}

/** Flannel: cni0 bridge on every node; the backend in net-conf.json decides how nodes connect. */
function detectFlannel(objects: ClusterObjects): Detected<CniInfo> | null {
  const ds = findDaemonSet(
    objects,
    (d) => d.metadata.name.includes('flannel') || images(d).some((i) => /\/flannel(:|@|$)|flannel\/flannel/.test(i)),
  );
  if (!ds) return null;
  const evidence = [describe(ds)];
  const cm = findConfigMap(objects, 'kube-flannel-cfg', [ds.metadata.namespace ?? '', 'kube-flannel', 'kube-system']);
  let backend: { Type?: string; VNI?: number; Port?: number } = {};
  if (cm?.data?.['net-conf.json']) {
    try {
      backend = (JSON.parse(cm.data['net-conf.json']) as { Backend?: typeof backend }).Backend ?? {};
      evidence.push(`ConfigMap ${cm.metadata.namespace}/${cm.metadata.name} net-conf.json Backend.Type=${backend.Type ?? '(unset)'}`);
    } catch {
      evidence.push(`ConfigMap ${cm.metadata.namespace}/${cm.metadata.name} has a net-conf.json that is not valid JSON`);
    }
  }
  const type = (backend.Type ?? 'vxlan').toLowerCase();
  const base = { ...unknownCni, name: 'flannel', bridgeDevice: 'cni0' };
  const confidence = cm ? 'high' : 'medium';
  if (type === 'host-gw') return { value: { ...base, datapath: 'bridge' }, confidence, evidence };
  if (type === 'vxlan') {
    // Flannel's defaults: VNI 1 and the Linux kernel's VXLAN port 8472.
    return {
      value: {
        ...base,
        datapath: 'overlay',
        encapsulation: 'vxlan',
        tunnelDevice: `flannel.${backend.VNI ?? 1}`,
        vni: backend.VNI ?? 1,
        udpPort: backend.Port ?? 8472,
      },
      confidence,
      evidence,
    };
  }
  if (type === 'ipip') {
    return { value: { ...base, datapath: 'overlay', encapsulation: 'ipip', tunnelDevice: 'flannel.ipip' }, confidence, evidence };
  }
  evidence.push(`Flannel backend "${type}" is not one Podpath models yet`);
  return { value: { ...base, datapath: 'unknown' }, confidence: 'low', evidence };
}

/** kindnet: the ptp plugin gives each pod a /32 route on its node, nodes route podCIDRs directly. */
function detectKindnet(objects: ClusterObjects): Detected<CniInfo> | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'kindnet' || images(d).some((i) => i.includes('kindnet')));
  if (!ds) return null;
  return { value: { ...unknownCni, name: 'kindnet', datapath: 'routed' }, confidence: 'high', evidence: [describe(ds)] };
}

/**
 * The first cut recognises Flannel and kindnet in full, and names the other common CNIs from
 * their DaemonSets without claiming how they forward.
 */
const namedOnly: [string, RegExp][] = [
  ['calico', /calico-node|calico\/node/],
  ['cilium', /^cilium$|cilium\/cilium/],
  ['aws-vpc-cni', /^aws-node$|amazon-k8s-cni/],
  ['azure-cni', /azure-cns|azure-vnet|azure-cni/],
  ['antrea', /antrea-agent|antrea\/antrea/],
  ['weave', /weave-net|weaveworks\/weave/],
  ['ovn-kubernetes', /ovnkube-node|ovn-kubernetes/],
];

export function detectCni(objects: ClusterObjects): Detected<CniInfo> {
  const found = detectFlannel(objects) ?? detectKindnet(objects);
  if (found) return found;
  for (const [name, pattern] of namedOnly) {
    const ds = findDaemonSet(objects, (d) => pattern.test(d.metadata.name) || images(d).some((i) => pattern.test(i)));
    if (ds) {
      return {
        value: { ...unknownCni, name },
        confidence: 'medium',
        evidence: [describe(ds), `how ${name} forwards is not derived yet`],
      };
    }
  }
  return { value: unknownCni, confidence: 'none', evidence: ['no known CNI DaemonSet found'] };
}

const proxyModes: Record<string, ProxyMode> = { iptables: 'iptables', ipvs: 'ipvs', nftables: 'nftables' };

/** kube-proxy's mode: its ConfigMap's `mode`, else its DaemonSet's `--proxy-mode` flag. An empty
 * mode means the platform default, which on Linux is iptables. */
export function detectProxyMode(objects: ClusterObjects): Detected<ProxyMode> {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'kube-proxy' || images(d).some((i) => /\/kube-proxy(:|@|$)/.test(i)));
  const cm = findConfigMap(objects, 'kube-proxy', ['kube-system']);
  const config = cm?.data?.['config.conf'];
  if (config !== undefined) {
    let mode: unknown;
    try {
      mode = (parseYaml(config) as { mode?: unknown } | null)?.mode;
    } catch {
      return { value: 'unknown', confidence: 'none', evidence: [`ConfigMap kube-system/kube-proxy config.conf is not valid YAML`] };
    }
    const where = `ConfigMap kube-system/kube-proxy config.conf`;
    if (mode === undefined || mode === null || mode === '') {
      return { value: 'iptables', confidence: 'high', evidence: [`${where} leaves mode empty: kube-proxy's default on Linux is iptables`] };
    }
    const value = proxyModes[String(mode)];
    if (value) return { value, confidence: 'high', evidence: [`${where} mode: ${String(mode)}`] };
    return { value: 'unknown', confidence: 'none', evidence: [`${where} mode: ${String(mode)} is not a mode Podpath knows`] };
  }
  if (ds) {
    const flags = ds.spec.template.spec.containers.flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]);
    const flag = flags.find((f) => f.startsWith('--proxy-mode='));
    const value = flag ? proxyModes[flag.slice('--proxy-mode='.length)] : undefined;
    if (value) return { value, confidence: 'high', evidence: [`${describe(ds)} runs with ${flag}`] };
    return {
      value: 'iptables',
      confidence: 'medium',
      evidence: [`${describe(ds)} runs without --proxy-mode and no kube-proxy ConfigMap was readable: the Linux default is iptables`],
    };
  }
  return { value: 'unknown', confidence: 'none', evidence: ['no kube-proxy DaemonSet or ConfigMap found'] };
}

/** The cluster-wide pod CIDR where the API states it (Flannel's Network, kube-proxy's clusterCIDR). */
export function detectClusterPodCIDRs(objects: ClusterObjects): string[] {
  const flannel = objects.configMaps.find((cm) => cm.metadata.name === 'kube-flannel-cfg')?.data?.['net-conf.json'];
  if (flannel) {
    try {
      const network = (JSON.parse(flannel) as { Network?: unknown }).Network;
      if (typeof network === 'string') return [network];
    } catch {
      // Reported by detectFlannel; fall through to the next source.
    }
  }
  const config = findConfigMap(objects, 'kube-proxy', ['kube-system'])?.data?.['config.conf'];
  if (config) {
    try {
      const cidr = (parseYaml(config) as { clusterCIDR?: unknown } | null)?.clusterCIDR;
      if (typeof cidr === 'string' && cidr) return cidr.split(',').map((c) => c.trim());
    } catch {
      // Reported by detectProxyMode.
    }
  }
  return [];
}
