/**
 * What the Kubernetes API reveals about the datapath: which CNI runs and how it forwards, and
 * which mode kube-proxy runs in (or what replaces it). Every answer carries the evidence it was
 * read from and a confidence — `medium` when only a DaemonSet's name and image say it, `high`
 * when its configuration was read too — and "unknown" when nothing matches: never a guess
 * dressed as a fact.
 *
 * Each CNI's facts (device names, ports, defaults) are from its own code and manifests; the
 * fixtures in test/fixtures/cni/ are modelled on those manifests and name them.
 */
import { parse as parseYaml } from 'yaml';
import type { ClusterObjects, ConfigMap, DaemonSet, KubeNode } from '../kube/objects.ts';
import type { CniInfo, Confidence, Detected, Encapsulation, ProxyMode } from '../model/types.ts';
import { calicoInterfacePrefix } from './naming.ts';

/** What detection found beyond the model's `CniInfo`: settings the per-node derivation needs. */
export interface CniDetails {
  /** Calico's IPAM block size per family (IPPool `blockSize`), and where it came from. */
  calicoBlockSize: { v4: number; v6: number; source: string } | null;
  /** Cilium without `ipam: kubernetes` allocates from its own pool, not node.spec.podCIDRs. */
  ciliumUsesNodePodCIDRs: boolean;
  /** Azure CNI's mode is in each node's CNI config file, which the API does not show. */
  azureModeAssumed: boolean;
  /** The config evidence the per-node facts cite (e.g. `ConfigMap kube-flannel/kube-flannel-cfg Backend.Type=vxlan`). */
  source: string;
}

export interface DatapathDetection {
  cni: Detected<CniInfo>;
  details: CniDetails;
  /** A CNI that replaces kube-proxy when it runs alone, with its evidence. */
  proxyReplacement: { confidence: Confidence; evidence: string } | null;
}

const unknownCni: CniInfo = {
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

const noDetails: CniDetails = { calicoBlockSize: null, ciliumUsesNodePodCIDRs: true, azureModeAssumed: false, source: '' };

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

/** Shorter, for evidence lines that follow one naming the image. */
function dsName(ds: DaemonSet): string {
  return `DaemonSet ${ds.metadata.namespace}/${ds.metadata.name}`;
}

function cmName(cm: ConfigMap): string {
  return `ConfigMap ${cm.metadata.namespace}/${cm.metadata.name}`;
}

/** A literal env value of the DaemonSet's containers (only allowlisted ones survive trimming). */
function envOf(ds: DaemonSet, name: string): string | undefined {
  for (const container of ds.spec.template.spec.containers) {
    const found = container.env?.find((e) => e.name === name);
    if (found) return found.value;
  }
  return undefined;
}

function annotationOnAnyNode(nodes: KubeNode[], keys: string[]): { node: string; key: string; value: string } | null {
  for (const node of nodes) {
    for (const key of keys) {
      const value = node.metadata.annotations?.[key];
      if (value !== undefined) return { node: node.metadata.name, key, value };
    }
  }
  return null;
}

function detected(value: CniInfo, confidence: Confidence, evidence: string[], details: Partial<CniDetails> = {}): DatapathDetection {
  return { cni: { value, confidence, evidence }, details: { ...noDetails, ...details }, proxyReplacement: null };
}

// ——— Flannel (and Canal, which is Flannel's network with Calico's CNI plugin) ———

interface FlannelBackend {
  Type?: string;
  VNI?: number;
  Port?: number;
  DirectRouting?: boolean;
  Mode?: string;
}

interface FlannelNetConf {
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
function detectFlannel(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(
    objects,
    (d) => d.metadata.name.includes('flannel') || images(d).some((i) => /\/flannel(:|@|$)|flannel\/flannel/.test(i)),
  );
  if (!ds) return null;
  const evidence = [describe(ds)];
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
function detectCanal(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(
    objects,
    (d) => d.metadata.name === 'canal' || (images(d).some((i) => /calico\/node/.test(i)) && images(d).some((i) => /flannel/.test(i))),
  );
  if (!ds) return null;
  const evidence = [describe(ds), 'Canal: Calico\'s CNI plugin attaches pods, Flannel connects nodes'];
  const cm = findConfigMap(objects, 'canal-config', [ds.metadata.namespace ?? '', 'kube-system']);
  const conf = parseNetConf(cm, evidence);
  const prefix = calicoInterfacePrefix(envOf(ds, 'FELIX_INTERFACEPREFIX'));
  return flannelDatapath('canal', conf ?? {}, conf ? 'high' : 'medium', evidence, { bridge: null, vethPrefix: prefix, podAttachment: 'routed' });
}

// ——— Calico ———

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
function detectCalico(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'calico-node' || images(d).some((i) => /calico\/node(:|@|$)/.test(i)));
  if (!ds) return null;
  const evidence = [describe(ds)];
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

function calicoEbpf(objects: ClusterObjects): DatapathDetection['proxyReplacement'] {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'calico-node' || images(d).some((i) => /calico\/node(:|@|$)/.test(i)));
  if (!ds || envOf(ds, 'FELIX_BPFENABLED')?.toLowerCase() !== 'true') return null;
  return { confidence: 'high', evidence: `${dsName(ds)} env FELIX_BPFENABLED=true: Calico's eBPF dataplane implements Services` };
}

// ——— Cilium (and GKE Dataplane V2, which is Cilium) ———

function isCiliumAgent(d: DaemonSet): boolean {
  return d.metadata.name === 'cilium' || d.metadata.name === 'anetd' || images(d).some((i) => /(^|\/)cilium\/cilium[:@]/.test(i));
}

/**
 * Cilium (cilium/cilium install/kubernetes/cilium/templates/cilium-configmap.yaml; pkg/defaults):
 * `cilium_host`/`cilium_net` on every node; `routing-mode: tunnel` (the default) encapsulates in
 * eBPF through `cilium_vxlan` (UDP 8472) or `cilium_geneve` (UDP 6081), `native` leaves it to the
 * node's routes. GKE Dataplane V2 is Cilium as DaemonSet kube-system/anetd, in native routing.
 */
function detectCilium(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, isCiliumAgent);
  if (!ds) return null;
  const isGke = ds.metadata.name === 'anetd' || images(ds).some((i) => i.startsWith('gke.gcr.io/'));
  const evidence = [describe(ds)];
  if (isGke) evidence.push('GKE Dataplane V2: Google\'s build of Cilium, run as anetd, with VPC-native (alias IP) routing');
  const cm = findConfigMap(objects, 'cilium-config', [ds.metadata.namespace ?? '', 'kube-system', 'cilium']);
  const config = cm?.data ?? {};
  const where = cm ? cmName(cm) : '';
  const setting = (key: string): string | undefined => {
    const value = config[key];
    if (value !== undefined) evidence.push(`${where} ${key}: ${value}`);
    return value;
  };
  const chaining = setting('cni-chaining-mode');
  // Chained behind another CNI, Cilium enforces policy on that CNI's datapath.
  if (chaining && chaining !== 'none' && chaining !== 'portmap') return detected({ ...unknownCni, name: 'cilium' }, 'low', evidence, { source: `cilium-chained:${chaining}` });
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
    },
    confidence,
    evidence,
    { ciliumUsesNodePodCIDRs: ipam === 'kubernetes', source: `Cilium ${isTunnel ? `tunnel mode (${protocol})` : 'native routing'}${isGke ? ' (GKE Dataplane V2)' : ''}` },
  );
  if (replaces) detection.proxyReplacement = { confidence: 'high', evidence: `${where} kube-proxy-replacement: ${kpr}: Cilium's eBPF implements Services` };
  else if (isGke && kpr === undefined) detection.proxyReplacement = { confidence: 'medium', evidence: 'GKE Dataplane V2 implements Services in eBPF (anetd) instead of kube-proxy' };
  return detection;
}

// ——— Antrea ———

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
function detectAntrea(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'antrea-agent' || images(d).some((i) => /antrea\/antrea-(agent|ubuntu)/.test(i)));
  if (!ds) return null;
  const evidence = [describe(ds)];
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

// ——— Weave Net, OVN-Kubernetes, AWS VPC CNI, Azure CNI, kindnet ———

/** Weave Net (weaveworks/weave prog/weave-kube): the `weave` bridge, one L2 network across nodes,
 * fast datapath VXLAN through `vxlan-6784` (UDP 6784); pod range IPALLOC_RANGE, default 10.32.0.0/12. */
function detectWeave(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'weave-net' || images(d).some((i) => /weaveworks\/weave(-kube)?(:|@|$)/.test(i)));
  if (!ds) return null;
  const evidence = [describe(ds)];
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

/** OVN-Kubernetes (ovn-org/ovn-kubernetes dist/templates): pods on the OVS bridge `br-int`, the
 * host's management port `ovn-k8s-mp0` (second address of the node subnet), Geneve between nodes
 * through `genev_sys_6081`; each node's subnet in its `k8s.ovn.org/node-subnets` annotation. */
function detectOvnKubernetes(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'ovnkube-node' || images(d).some((i) => /ovn-kube|ovn-kubernetes/.test(i)));
  if (!ds) return null;
  const evidence = [describe(ds)];
  const subnets = annotationOnAnyNode(objects.nodes, ['k8s.ovn.org/node-subnets']);
  if (subnets) evidence.push(`Node ${subnets.node} annotation k8s.ovn.org/node-subnets=${subnets.value}`);
  return detected(
    {
      ...unknownCni,
      name: 'ovn-kubernetes',
      datapath: 'overlay',
      encapsulation: 'geneve',
      bridgeDevice: 'br-int',
      tunnelDevice: 'genev_sys_6081',
      udpPort: 6081,
      podAttachment: 'ovs',
      peerRouting: 'single-route',
      tunnelScope: 'all',
      vethPrefix: null,
      ipam: 'ovn-kubernetes',
      hostDevices: ['br-int', 'ovn-k8s-mp0', 'genev_sys_6081'],
    },
    subnets ? 'high' : 'medium',
    evidence,
    { source: 'OVN-Kubernetes' },
  );
}

/** AWS VPC CNI (aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml): pod IPs are VPC addresses
 * on the node's ENIs; a /32 route per pod to its `eni` veth; the VPC carries traffic between nodes. */
function detectAwsVpcCni(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'aws-node' || images(d).some((i) => /amazon-k8s-cni(:|@|$)/.test(i)));
  if (!ds) return null;
  const evidence = [describe(ds)];
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

/** Azure CNI (Azure/azure-container-networking): pod IPs from the VNet, a /32 route per pod to its
 * `azv` veth, the VNet carrying traffic between nodes — in transparent mode, AKS's default. Its
 * mode lives in each node's /etc/cni/net.d/10-azure.conflist, which the API does not show. */
function detectAzureCni(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => /^azure-(cns|vnet|cni)/.test(d.metadata.name) || images(d).some((i) => /azure-cns|azure-vnet|azure-cni/.test(i)));
  if (!ds) return null;
  const evidence = [describe(ds), 'the mode (transparent or bridge) is in each node\'s /etc/cni/net.d/10-azure.conflist, not in the Kubernetes API: assuming transparent, AKS\'s default'];
  const onAzure = objects.nodes.find((n) => n.spec?.providerID?.startsWith('azure://'));
  if (onAzure) evidence.push(`Node ${onAzure.metadata.name} spec.providerID ${onAzure.spec?.providerID}`);
  return detected(
    { ...unknownCni, name: 'azure-cni', datapath: 'routed', podAttachment: 'routed', peerRouting: 'fabric', vethPrefix: 'azv', ipam: 'azure' },
    'medium',
    evidence,
    { azureModeAssumed: true, source: 'Azure CNI (transparent mode assumed)' },
  );
}

/** kindnet (kubernetes-sigs/kind, aojea/kindnet): a /32 route per pod to its veth (`knet` +
 * random hex; older releases used the ptp plugin's `veth` + random hex), and a route to each other
 * node's podCIDR via that node's InternalIP. No overlay. */
function detectKindnet(objects: ClusterObjects): DatapathDetection | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'kindnet' || images(d).some((i) => i.includes('kindnet')));
  if (!ds) return null;
  const bothMatch = ds.metadata.name === 'kindnet' && images(ds).some((i) => i.includes('kindnetd'));
  return detected(
    { ...unknownCni, name: 'kindnet', datapath: 'routed', podAttachment: 'routed', peerRouting: 'direct', vethPrefix: null, ipam: 'host-local' },
    bothMatch ? 'high' : 'medium',
    [describe(ds)],
    { source: 'kindnet' },
  );
}

/** In order of precedence: a CNI that only enforces policy or is chained (`low`) yields to one
 * that provides the network, and is named in the evidence. */
const detectors: ((objects: ClusterObjects) => DatapathDetection | null)[] = [
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
  return {
    ...primary,
    cni: { ...primary.cni, evidence },
    proxyReplacement: primary.proxyReplacement ?? (primary.cni.value.name === 'calico' ? calicoEbpf(objects) : null),
  };
}

export function detectCni(objects: ClusterObjects): Detected<CniInfo> {
  return detectDatapath(objects).cni;
}

// ——— kube-proxy ———

const proxyModes: Record<string, ProxyMode> = { iptables: 'iptables', ipvs: 'ipvs', nftables: 'nftables' };

function kubeProxyMode(objects: ClusterObjects): Detected<ProxyMode> | null {
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
  // Some platforms (GKE Standard, kubeadm-less installs) run kube-proxy as static pods.
  const staticPod = objects.pods.find(
    (p) =>
      p.metadata.namespace === 'kube-system' &&
      (p.metadata.labels?.component === 'kube-proxy' ||
        p.metadata.labels?.['k8s-app'] === 'kube-proxy' ||
        (p.metadata.name.startsWith('kube-proxy-') && p.spec.containers.some((c) => /kube-proxy/.test(c.image ?? '')))),
  );
  if (staticPod) {
    return {
      value: 'iptables',
      confidence: 'medium',
      evidence: [`Pod kube-system/${staticPod.metadata.name} runs kube-proxy (a static pod; its flags are not read): the Linux default is iptables`],
    };
  }
  return null;
}

/**
 * kube-proxy's mode: its ConfigMap's `mode`, else its DaemonSet's `--proxy-mode` flag, else its
 * static pods (the Linux default, iptables). With no kube-proxy at all, a CNI that implements
 * Services itself (Cilium's kube-proxy replacement, GKE Dataplane V2, Calico's eBPF dataplane)
 * makes it `ebpf`; where kube-proxy still runs beside one, kube-proxy's mode stays, with less
 * confidence, because eBPF takes the Service traffic it sees first.
 */
export function detectProxyMode(objects: ClusterObjects, datapath: DatapathDetection = detectDatapath(objects)): Detected<ProxyMode> {
  const kubeProxy = kubeProxyMode(objects);
  const replacement = datapath.proxyReplacement;
  if (!kubeProxy) {
    if (replacement) {
      return { value: 'ebpf', confidence: replacement.confidence, evidence: [replacement.evidence, 'no kube-proxy DaemonSet, ConfigMap or static pod found'] };
    }
    return { value: 'unknown', confidence: 'none', evidence: ['no kube-proxy DaemonSet, ConfigMap or static pod found'] };
  }
  if (replacement && kubeProxy.value !== 'unknown') {
    return {
      value: kubeProxy.value,
      confidence: 'medium',
      evidence: [...kubeProxy.evidence, `${replacement.evidence}, yet kube-proxy runs too: Service traffic the eBPF programs handle never reaches its rules`],
    };
  }
  return kubeProxy;
}

/** The cluster-wide pod CIDR(s) where the API states them: the CNI's own configuration first
 * (Flannel's Network, Calico's default pool, Cilium's cluster pool, Weave's range, kindnet's
 * POD_SUBNET), then kube-proxy's clusterCIDR. */
export function detectClusterPodCIDRs(objects: ClusterObjects): string[] {
  const flannel = objects.configMaps.find((cm) => cm.metadata.name === 'kube-flannel-cfg' || cm.metadata.name === 'canal-config')?.data?.['net-conf.json'];
  if (flannel) {
    try {
      const conf = JSON.parse(flannel) as FlannelNetConf;
      const networks = [conf.EnableIPv4 === false ? undefined : conf.Network, conf.EnableIPv6 ? conf.IPv6Network : undefined].filter(
        (n): n is string => typeof n === 'string' && n !== '',
      );
      if (networks.length > 0) return networks;
    } catch {
      // Reported by detectFlannel; fall through to the next source.
    }
  }
  for (const ds of objects.daemonSets) {
    const values = ['CALICO_IPV4POOL_CIDR', 'CALICO_IPV6POOL_CIDR', 'POD_SUBNET', 'IPALLOC_RANGE'].flatMap((name) => envOf(ds, name)?.split(',') ?? []);
    if (values.length > 0) return values.map((v) => v.trim());
  }
  const cilium = findConfigMap(objects, 'cilium-config', ['kube-system', 'cilium'])?.data;
  if (cilium?.['cluster-pool-ipv4-cidr'] && (cilium.ipam ?? 'cluster-pool') === 'cluster-pool') {
    return [...cilium['cluster-pool-ipv4-cidr'].split(/[\s,]+/), ...(cilium['cluster-pool-ipv6-cidr']?.split(/[\s,]+/) ?? [])].filter((c) => c !== '');
  }
  const ovn = findConfigMap(objects, 'ovn-config', ['ovn-kubernetes'])?.data?.net_cidr;
  if (ovn) {
    // `10.128.0.0/14/23`: the cluster network and the size of each node's subnet.
    const networks = ovn.split(',').flatMap((entry) => /^\s*([^/\s]+\/\d+)/.exec(entry)?.[1] ?? []);
    if (networks.length > 0) return networks;
  }
  if (findDaemonSet(objects, (d) => d.metadata.name === 'weave-net')) return ['10.32.0.0/12'];
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
