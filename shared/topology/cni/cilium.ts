import type { ClusterObjects, DaemonSet } from '../../kube/objects.ts';
import type { CniInfo, Confidence, Encapsulation } from '../../model/cluster.ts';
import { type DatapathDetection, detected, unknownCni } from './detector.ts';
import { cmName, dsNameAndImage, findConfigMap, findDaemonSet, images } from './evidence.ts';

function isCiliumAgent(d: DaemonSet): boolean {
  return d.metadata.name === 'cilium' || d.metadata.name === 'anetd' || images(d).some((i) => /(^|\/)cilium\/cilium[:@]/.test(i));
}

const policyModes = ['default', 'always', 'never'] as const;

/**
 * The agent's policy enforcement (cilium/cilium pkg/option/config.go `EnablePolicy`
 * (`enable-policy`) and `AllowLocalhost`; Documentation/security/policy/intro.rst "Policy
 * Enforcement Modes"). The chart always writes `enable-policy`, so a missing key is a ConfigMap
 * not read (or trimmed), and `default`, the agent's own default, is assumed and said.
 * `allow-localhost` is `auto` unless set, which the agent turns into `always` under Kubernetes.
 */
function policyEnforcement(enablePolicy: string | undefined, allowLocalhost: string | undefined, evidence: string[]): NonNullable<CniInfo['ciliumPolicy']> {
  const mode = policyModes.find((m) => m === enablePolicy);
  if (!mode) evidence.push(`enable-policy ${enablePolicy === undefined ? 'not read' : `"${enablePolicy}" not one of default, always, never`}: Cilium's default policy enforcement mode assumed`);
  return { mode: mode ?? 'default', isAssumed: !mode, isLocalhostAllowed: allowLocalhost !== 'policy' };
}

/**
 * Cilium (cilium/cilium install/kubernetes/cilium/templates/cilium-configmap.yaml; pkg/defaults):
 * `cilium_host`/`cilium_net` on every node; `routing-mode: tunnel` (the default) encapsulates in
 * eBPF through `cilium_vxlan` (UDP 8472) or `cilium_geneve` (UDP 6081), `native` leaves it to the
 * node's routes. GKE Dataplane V2 is Cilium as DaemonSet kube-system/anetd, in native routing.
 */
export function detectCilium(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, isCiliumAgent);
  if (!ds) return null;
  const isGke = ds.metadata.name === 'anetd' || images(ds).some((i) => i.startsWith('gke.gcr.io/'));
  const evidence = [dsNameAndImage(ds)];
  if (isGke) evidence.push('GKE Dataplane V2: Google\'s build of Cilium, run as anetd, with VPC-native (alias IP) routing');
  const cm = findConfigMap(objects, 'cilium-config', [ds.metadata.namespace ?? '', 'kube-system', 'cilium']);
  const config = cm?.data ?? {};
  const where = cm ? cmName(cm) : '';
  const setting = (key: string): string | undefined => {
    const value = config[key];
    if (value !== undefined) evidence.push(`${where} ${key}: ${value}`);
    return value;
  };
  const ciliumPolicy = policyEnforcement(setting('enable-policy'), setting('allow-localhost'), evidence);
  const chaining = setting('cni-chaining-mode');
  // Chained behind another CNI, Cilium enforces policy on that CNI's datapath.
  if (chaining && chaining !== 'none' && chaining !== 'portmap') return detected({ ...unknownCni, name: 'cilium', ciliumPolicy }, 'low', evidence, { source: `cilium-chained:${chaining}` });
  const legacyTunnel = setting('tunnel');
  const routingMode = setting('routing-mode') ?? (legacyTunnel === 'disabled' ? 'native' : legacyTunnel ? 'tunnel' : isGke ? 'native' : 'tunnel');
  const protocol = (setting('tunnel-protocol') ?? (legacyTunnel && legacyTunnel !== 'disabled' ? legacyTunnel : 'vxlan')).toLowerCase();
  const ipam = setting('ipam') ?? (isGke ? 'kubernetes' : 'cluster-pool');
  const endpointRoutes = (setting('enable-endpoint-routes') ?? (isGke ? 'true' : 'false')) === 'true';
  const autoDirect = setting('auto-direct-node-routes') === 'true';
  const wireguard = setting('enable-wireguard') === 'true';
  const port = Number(setting('tunnel-port') ?? 0) || (protocol === 'geneve' ? 6081 : 8472);
  const kpr = setting('kube-proxy-replacement');
  const confidence: Confidence = cm ? 'high' : 'medium';
  if (!cm) evidence.push(isGke ? 'cilium-config not readable: GKE\'s settings assumed (native routing, endpoint routes)' : 'cilium-config not readable: assuming Cilium\'s defaults (tunnel mode, VXLAN)');
  const isTunnel = routingMode === 'tunnel';
  const encapsulation: Encapsulation | null = isTunnel ? (protocol === 'geneve' ? 'geneve' : 'vxlan') : null;
  const tunnel = encapsulation ? `cilium_${encapsulation}` : null;
  const replaces = kpr === 'true' || kpr === 'strict';
  const detection = detected(
    {
      ...unknownCni,
      name: 'cilium',
      datapath: isTunnel ? 'overlay' : ipam === 'eni' ? 'eni' : 'routed',
      encapsulation,
      tunnelDevice: tunnel,
      udpPort: encapsulation ? port : null,
      podAttachment: endpointRoutes ? 'routed' : 'ebpf',
      peerRouting: isTunnel ? 'via-local-gateway' : autoDirect ? 'direct' : 'fabric',
      tunnelScope: isTunnel ? 'all' : null,
      vethPrefix: 'lxc',
      ipam,
      hostDevices: ['cilium_host', 'cilium_net', ...(tunnel ? [tunnel] : []), ...(wireguard ? ['cilium_wg0'] : [])],
      ciliumPolicy,
    },
    confidence,
    evidence,
    { isCiliumOnNodePodCIDRs: ipam === 'kubernetes', source: `Cilium ${isTunnel ? `tunnel mode (${protocol})` : 'native routing'}${isGke ? ' (GKE Dataplane V2)' : ''}` },
  );
  if (replaces) detection.proxyReplacement = { confidence: 'high', evidence: `${where} kube-proxy-replacement: ${kpr}: Cilium's eBPF implements Services` };
  else if (isGke && kpr === undefined) detection.proxyReplacement = { confidence: 'medium', evidence: 'GKE Dataplane V2 implements Services in eBPF (anetd) instead of kube-proxy' };
  return detection;
}
