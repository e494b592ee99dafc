/**
 * Full Kubernetes objects, as the API server returns them, cut down to the fields of
 * `objects.ts` and nothing more (design §5): what is kept is listed field by field, so a field
 * the API adds tomorrow — or an `env` value, a volume, `managedFields`, a last-applied
 * annotation — never reaches the model or a snapshot. Input is `unknown` and read defensively:
 * a field of the wrong type is dropped rather than trusted.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type {
  ClusterObjects,
  ConfigMap,
  Container,
  ContainerPort,
  DaemonSet,
  EndpointSlice,
  Gateway,
  HTTPRoute,
  Ingress,
  IngressBackend,
  IngressClass,
  KubeNode,
  LabelSelector,
  Namespace,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NodeAddress,
  ObjectKind,
  ObjectMeta,
  Pod,
  PodDNSConfig,
  Service,
  ServicePort,
} from './objects.ts';

/**
 * The only annotations kept: each reveals something about the datapath. Everything else —
 * notably `kubectl.kubernetes.io/last-applied-configuration`, which repeats the whole object
 * including any `env` values — is dropped.
 */
export const annotationAllowlist: readonly string[] = [
  // Ingress: the class, before spec.ingressClassName existed.
  'kubernetes.io/ingress.class',
  // ingress-nginx proxies to the Service's ClusterIP instead of its endpoints.
  'nginx.ingress.kubernetes.io/service-upstream',
  // Service: handled by a proxy other than kube-proxy; topology-aware routing.
  'service.kubernetes.io/service-proxy-name',
  'service.kubernetes.io/topology-mode',
  // Flannel, on Nodes: the backend, its VTEP data (VNI, VtepMAC) and the node's public IP.
  'flannel.alpha.coreos.com/backend-type',
  'flannel.alpha.coreos.com/backend-data',
  'flannel.alpha.coreos.com/backend-v6-data',
  'flannel.alpha.coreos.com/public-ip',
  'flannel.alpha.coreos.com/public-ipv6',
  'flannel.alpha.coreos.com/kube-subnet-manager',
  // Calico, on Nodes: the node address it peers on and its tunnel devices' addresses.
  'projectcalico.org/IPv4Address',
  'projectcalico.org/IPv6Address',
  'projectcalico.org/IPv4IPIPTunnelAddr',
  'projectcalico.org/IPv4VXLANTunnelAddr',
  'projectcalico.org/IPv6VXLANTunnelAddr',
  'projectcalico.org/IPv4WireguardInterfaceAddr',
  // Cilium, on Nodes: the cilium_host address, the health endpoint, the node's pod CIDR
  // (older releases use the io.cilium prefix, newer ones network.cilium.io).
  'io.cilium.network.ipv4-cilium-host',
  'io.cilium.network.ipv6-cilium-host',
  'io.cilium.network.ipv4-health-ip',
  'io.cilium.network.ipv4-pod-cidr',
  'io.cilium.network.ipv6-pod-cidr',
  'network.cilium.io/ipv4-cilium-host',
  'network.cilium.io/ipv6-cilium-host',
  'network.cilium.io/ipv4-health-ip',
  'network.cilium.io/ipv4-pod-cidr',
  'network.cilium.io/ipv6-pod-cidr',
  // OVN-Kubernetes, on Nodes: the node's pod subnet(s), its primary address and its gateway
  // (mode, bridge, addresses and next hops).
  'k8s.ovn.org/node-subnets',
  'k8s.ovn.org/node-primary-ifaddr',
  'k8s.ovn.org/l3-gateway-config',
  // Multus, on Pods: the extra networks asked for and the interfaces the pod really got.
  'k8s.v1.cni.cncf.io/networks',
  'k8s.v1.cni.cncf.io/network-status',
];

/**
 * The only ConfigMaps kept, and within them only these data keys: kube-proxy's and the CNI's
 * configuration, which say how packets are forwarded. kube-proxy's `kubeconfig.conf`, for
 * instance, is dropped (it names a token file).
 */
export const configMapAllowlist: readonly { name: string; namespaces: readonly string[]; keys: readonly string[] }[] = [
  { name: 'kube-proxy', namespaces: ['kube-system'], keys: ['config.conf'] },
  { name: 'kube-flannel-cfg', namespaces: ['kube-flannel', 'kube-system'], keys: ['net-conf.json', 'cni-conf.json'] },
  // Canal: Flannel's network config beside Calico's.
  { name: 'canal-config', namespaces: ['kube-system'], keys: ['net-conf.json'] },
  {
    name: 'cilium-config',
    namespaces: ['kube-system', 'cilium'],
    keys: [
      'tunnel-protocol',
      'tunnel',
      'tunnel-port',
      'routing-mode',
      'kube-proxy-replacement',
      'ipam',
      'cluster-pool-ipv4-cidr',
      'cluster-pool-ipv4-mask-size',
      'cluster-pool-ipv6-cidr',
      'ipv4-native-routing-cidr',
      'auto-direct-node-routes',
      'enable-ipv4',
      'enable-ipv6',
      'enable-bpf-masquerade',
      'enable-endpoint-routes',
      'datapath-mode',
      'bpf-lb-mode',
      'cni-chaining-mode',
      'enable-wireguard',
      'ipv6-native-routing-cidr',
      'enable-local-node-route',
    ],
  },
  { name: 'calico-config', namespaces: ['kube-system'], keys: ['calico_backend', 'veth_mtu', 'cni_network_config'] },
  // Antrea's agent configuration is one YAML document; only its datapath settings are kept
  // (`yamlSettings`), re-serialised, so a setting added tomorrow is not kept by accident.
  { name: 'antrea-config', namespaces: ['kube-system'], keys: ['antrea-agent.conf'] },
  // OVN-Kubernetes: the cluster network (`10.128.0.0/14/23`: CIDR and per-node subnet size) and
  // the Service network. Its `k8s_apiserver` key is not kept.
  { name: 'ovn-config', namespaces: ['ovn-kubernetes'], keys: ['net_cidr', 'svc_cidr'] },
];

/** For ConfigMap keys that hold a whole YAML document: the top-level settings kept from it. */
export const configMapYamlSettings: Readonly<Record<string, readonly string[]>> = {
  'antrea-agent.conf': ['trafficEncapMode', 'tunnelType', 'tunnelPort', 'trafficEncryptionMode', 'noSNAT'],
};

const cidrs = /^[0-9a-fA-F.:]+\/\d{1,3}(,[0-9a-fA-F.:]+\/\d{1,3})*$/;
const onOff = /^(true|false|Always|Never|CrossSubnet)$/i;

/**
 * The only DaemonSet environment variables kept: datapath switches that are in no ConfigMap,
 * each with the shape its value must have. Only a literal `value` matching that shape is kept
 * (never a `valueFrom` reference, never free text), so no secret can ride along even if someone
 * put one in such a variable.
 */
const datapathEnvShapes: Readonly<Record<string, RegExp>> = {
  // Calico's calico-node: the default IP pool's encapsulation, CIDR and block size, the
  // networking backend and the host-side veth prefix.
  CALICO_IPV4POOL_IPIP: onOff,
  CALICO_IPV4POOL_VXLAN: onOff,
  CALICO_IPV6POOL_VXLAN: onOff,
  CALICO_IPV4POOL_CIDR: cidrs,
  CALICO_IPV6POOL_CIDR: cidrs,
  CALICO_IPV4POOL_BLOCK_SIZE: /^\d{1,3}$/,
  CALICO_IPV6POOL_BLOCK_SIZE: /^\d{1,3}$/,
  CALICO_NETWORKING_BACKEND: /^(bird|vxlan|none)$/,
  FELIX_INTERFACEPREFIX: /^[a-z]{1,12}(,[a-z]{1,12})*$/,
  FELIX_BPFENABLED: onOff,
  // AWS VPC CNI's aws-node: the host-side veth prefix, prefix delegation and IPv6.
  AWS_VPC_K8S_CNI_VETHPREFIX: /^[a-z]{1,12}$/,
  ENABLE_PREFIX_DELEGATION: onOff,
  ENABLE_IPv6: onOff,
  // Weave Net: the pod address range.
  IPALLOC_RANGE: cidrs,
  // kindnet: the cluster's pod CIDR.
  POD_SUBNET: cidrs,
};

export const datapathEnvAllowlist: readonly string[] = Object.keys(datapathEnvShapes);

const annotationsKept = new Set(annotationAllowlist);

/** The API kinds read, keyed `apiVersion/Kind`. Secrets are never a kind. The v1beta1
 * Ingresses are old captures' shape; their `serviceName`/`servicePort` backends are translated. */
const apiKinds = new Map<string, ObjectKind>([
  ['v1/Node', 'nodes'],
  ['v1/Namespace', 'namespaces'],
  ['v1/Pod', 'pods'],
  ['v1/Service', 'services'],
  ['v1/ConfigMap', 'configMaps'],
  ['apps/v1/DaemonSet', 'daemonSets'],
  ['discovery.k8s.io/v1/EndpointSlice', 'endpointSlices'],
  ['networking.k8s.io/v1/NetworkPolicy', 'networkPolicies'],
  ['networking.k8s.io/v1/Ingress', 'ingresses'],
  ['networking.k8s.io/v1beta1/Ingress', 'ingresses'],
  ['extensions/v1beta1/Ingress', 'ingresses'],
  ['networking.k8s.io/v1/IngressClass', 'ingressClasses'],
  ['gateway.networking.k8s.io/v1/Gateway', 'gateways'],
  ['gateway.networking.k8s.io/v1beta1/Gateway', 'gateways'],
  ['gateway.networking.k8s.io/v1/HTTPRoute', 'httpRoutes'],
  ['gateway.networking.k8s.io/v1beta1/HTTPRoute', 'httpRoutes'],
]);

/** The collection an API object belongs to, or null for a kind Podpath does not read. */
export function kindOf(apiVersion: string, kind: string): ObjectKind | null {
  return apiKinds.get(`${apiVersion}/${kind}`) ?? null;
}

/** What a trimmed object of each collection looks like. */
export type TrimmedObject<K extends ObjectKind> = ClusterObjects[K][number];

/**
 * The object with only the fields `objects.ts` declares; null when it has no metadata.name or
 * metadata.uid, or is a ConfigMap not on `configMapAllowlist`, or lacks a field its kind
 * cannot do without (an EndpointSlice's addressType).
 */
export function trimObject<K extends ObjectKind>(kind: K, raw: unknown): TrimmedObject<K> | null {
  if (!isRecord(raw)) return null;
  const metadata = trimMetadata(raw.metadata);
  if (!metadata) return null;
  const trim = trimmers[kind] as (object: Data, metadata: ObjectMeta) => TrimmedObject<K> | null;
  return trim(raw, metadata);
}

const trimmers: { [K in ObjectKind]: (object: Data, metadata: ObjectMeta) => TrimmedObject<K> | null } = {
  nodes: trimNode,
  namespaces: (o, metadata): Namespace => compact({ metadata, status: nonEmpty({ phase: str(record(o.status).phase) }) }),
  pods: trimPod,
  services: trimService,
  endpointSlices: trimEndpointSlice,
  networkPolicies: trimNetworkPolicy,
  ingresses: trimIngress,
  ingressClasses: (o, metadata): IngressClass => ({ metadata, spec: compact({ controller: str(record(o.spec).controller) }) }),
  configMaps: trimConfigMap,
  daemonSets: trimDaemonSet,
  gateways: trimGateway,
  httpRoutes: trimHTTPRoute,
};

// ——— metadata ———

function trimMetadata(raw: unknown): ObjectMeta | null {
  const m = record(raw);
  const name = str(m.name);
  const uid = str(m.uid);
  if (!name || !uid) return null;
  return compact({
    name,
    namespace: str(m.namespace) || undefined,
    uid,
    labels: stringMap(m.labels),
    annotations: allowedAnnotations(m.annotations),
    ownerReferences: list(m.ownerReferences, (o) => {
      const kind = str(o.kind);
      const name = str(o.name);
      return kind && name ? compact({ kind, name, uid: str(o.uid), controller: bool(o.controller) }) : undefined;
    }),
    creationTimestamp: timestamp(m.creationTimestamp),
    deletionTimestamp: timestamp(m.deletionTimestamp),
  });
}

function allowedAnnotations(raw: unknown): Record<string, string> | undefined {
  if (!isRecord(raw)) return undefined;
  const kept: Record<string, string> = {};
  let any = false;
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (annotationsKept.has(key) && typeof value === 'string') {
      kept[key] = value;
      any = true;
    }
  }
  return any ? kept : undefined;
}

// ——— core/v1 ———

const addressTypes = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'] as const;

function trimNode(o: Data, metadata: ObjectMeta): KubeNode {
  const spec = record(o.spec);
  const status = record(o.status);
  const nodeInfo = record(status.nodeInfo);
  return compact({
    metadata,
    spec: nonEmpty({
      podCIDR: str(spec.podCIDR),
      podCIDRs: strings(spec.podCIDRs),
      providerID: str(spec.providerID),
      unschedulable: bool(spec.unschedulable),
    }),
    status: nonEmpty({
      addresses: list(status.addresses, (a): NodeAddress | undefined => {
        const type = oneOf(a.type, addressTypes);
        const address = str(a.address);
        return type && address !== undefined ? { type, address } : undefined;
      }),
      conditions: conditions(status.conditions),
      nodeInfo: nonEmpty({
        kubeletVersion: str(nodeInfo.kubeletVersion),
        kubeProxyVersion: str(nodeInfo.kubeProxyVersion),
        osImage: str(nodeInfo.osImage),
        containerRuntimeVersion: str(nodeInfo.containerRuntimeVersion),
      }),
    }),
  });
}

const protocols = ['TCP', 'UDP', 'SCTP'] as const;
const trafficPolicies = ['Cluster', 'Local'] as const;

function trimContainerPort(p: Data): ContainerPort | undefined {
  const containerPort = num(p.containerPort);
  if (containerPort === undefined) return undefined;
  return compact({ name: str(p.name), containerPort, protocol: oneOf(p.protocol, protocols), hostPort: num(p.hostPort) });
}

/** A pod's container: its name, image and ports. Never env, envFrom, volumeMounts or command. */
function trimContainer(c: Data): Container | undefined {
  const name = str(c.name);
  if (!name) return undefined;
  return compact({ name, image: str(c.image), ports: list(c.ports, trimContainerPort), restartPolicy: str(c.restartPolicy) });
}

function containerStatuses(raw: unknown): { name: string; ready: boolean; restartCount?: number }[] | undefined {
  return list(raw, (s) => {
    const name = str(s.name);
    return name ? compact({ name, ready: s.ready === true, restartCount: num(s.restartCount) }) : undefined;
  });
}

function conditions(raw: unknown): { type: string; status: string }[] | undefined {
  return list(raw, (c) => {
    const type = str(c.type);
    const status = str(c.status);
    return type && status ? { type, status } : undefined;
  });
}

/** resolv.conf settings: nameservers, search domains and options (ndots, timeout, …). */
function trimDNSConfig(raw: unknown): PodDNSConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const config = record(raw);
  return nonEmpty({
    nameservers: strings(config.nameservers),
    searches: strings(config.searches),
    options: list(config.options, (o) => {
      const name = str(o.name);
      return name ? compact({ name, value: str(o.value) }) : undefined;
    }),
  });
}

function trimPod(o: Data, metadata: ObjectMeta): Pod {
  const spec = record(o.spec);
  const status = record(o.status);
  return compact({
    metadata,
    spec: compact({
      nodeName: str(spec.nodeName),
      hostNetwork: bool(spec.hostNetwork),
      dnsPolicy: str(spec.dnsPolicy),
      dnsConfig: trimDNSConfig(spec.dnsConfig),
      containers: list(spec.containers, trimContainer) ?? [],
      initContainers: list(spec.initContainers, trimContainer),
    }),
    status: nonEmpty({
      phase: str(status.phase),
      podIP: str(status.podIP),
      podIPs: list(status.podIPs, (p) => {
        const ip = str(p.ip);
        return ip ? { ip } : undefined;
      }),
      hostIP: str(status.hostIP),
      conditions: conditions(status.conditions),
      containerStatuses: containerStatuses(status.containerStatuses),
      initContainerStatuses: containerStatuses(status.initContainerStatuses),
    }),
  });
}

function loadBalancerIngress(status: Data): { ingress?: { ip?: string; hostname?: string }[] } | undefined {
  const loadBalancer = record(status.loadBalancer);
  return nonEmpty({
    ingress: list(loadBalancer.ingress, (i) => nonEmpty({ ip: str(i.ip), hostname: str(i.hostname) })),
  });
}

function trimService(o: Data, metadata: ObjectMeta): Service {
  const spec = record(o.spec);
  return compact({
    metadata,
    spec: compact({
      type: oneOf(spec.type, ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const),
      clusterIP: str(spec.clusterIP),
      clusterIPs: strings(spec.clusterIPs),
      ipFamilies: strings(spec.ipFamilies),
      ports: list(spec.ports, (p): ServicePort | undefined => {
        const port = num(p.port);
        if (port === undefined) return undefined;
        return compact({
          name: str(p.name),
          protocol: oneOf(p.protocol, protocols),
          port,
          targetPort: intOrString(p.targetPort),
          nodePort: num(p.nodePort),
          appProtocol: str(p.appProtocol),
        });
      }),
      selector: stringMap(spec.selector),
      externalIPs: strings(spec.externalIPs),
      externalName: str(spec.externalName),
      externalTrafficPolicy: oneOf(spec.externalTrafficPolicy, trafficPolicies),
      internalTrafficPolicy: oneOf(spec.internalTrafficPolicy, trafficPolicies),
      sessionAffinity: oneOf(spec.sessionAffinity, ['None', 'ClientIP'] as const),
      loadBalancerClass: str(spec.loadBalancerClass),
      publishNotReadyAddresses: bool(spec.publishNotReadyAddresses),
    }),
    status: nonEmpty({ loadBalancer: loadBalancerIngress(record(o.status)) }),
  });
}


/** Only ConfigMaps on the allowlist, and only their allowlisted keys. */
function trimConfigMap(o: Data, metadata: ObjectMeta): ConfigMap | null {
  const entry = configMapAllowlist.find((e) => e.name === metadata.name && e.namespaces.includes(metadata.namespace ?? ''));
  if (!entry) return null;
  const data = record(o.data);
  const kept: Record<string, string> = {};
  for (const key of entry.keys) {
    const value = data[key];
    if (typeof value !== 'string') continue;
    const settings = configMapYamlSettings[key];
    if (!settings) {
      kept[key] = value;
      continue;
    }
    const reduced = yamlSettings(value, settings);
    if (reduced !== null) kept[key] = reduced;
  }
  return { metadata, data: kept };
}

/** A YAML document cut down to the given top-level settings with scalar values, re-serialised;
 * null when it does not parse to a mapping. */
function yamlSettings(text: string, settings: readonly string[]): string | null {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    return null;
  }
  if (!isRecord(parsed)) return null;
  const kept: Record<string, string | number | boolean> = {};
  for (const key of settings) {
    const value = parsed[key];
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) kept[key] = value;
  }
  return stringifyYaml(kept);
}

// ——— apps/v1 ———

const redacted = '<redacted>';
const credentialWord = String.raw`(?:token|passw(?:or)?d|pwd|secret|credential|api[-_]?key|private[-_]?key|access[-_]?key|bearer)`;
/** A value: quoted, or bare up to whitespace or a shell separator (`;`, `&`, `|`). */
const quotedOrBare = String.raw`(?:"[^"]*"|'[^']*'|[^\s"';&|]+)`;
/** `--password=x`, `DB_PASSWORD=x`, `--client-secret="x y"`: keep the name, drop the value. */
const credentialAssignment = new RegExp(String.raw`([\w.-]*${credentialWord}[\w.-]*=)${quotedOrBare}`, 'gi');
/** `--token x` inside a shell script string (`sh -c "… --token x"`). */
const credentialFlagThenValue = new RegExp(String.raw`(-{1,2}[\w.-]*${credentialWord}[\w.-]*\s+)(?!-)${quotedOrBare}`, 'gi');
/** A flag that is itself a credential name, whose value is the next argument (`--token`, `x`). */
const credentialFlag = new RegExp(String.raw`^-{1,2}[\w.-]*${credentialWord}[\w.-]*$`, 'i');
/** `https://user:password@host`. */
const urlUserInfo = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi;

/**
 * A DaemonSet's command or args with every value that looks like a credential replaced by
 * `<redacted>`; flag names stay, so `--proxy-mode=ipvs` and the shape of the command remain.
 * Redacting a harmless value (`--token-ttl=24h`) costs nothing; missing a real one would leak it.
 */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let isValueOfCredentialFlag = false;
  for (const arg of args) {
    if (isValueOfCredentialFlag && !arg.startsWith('-')) {
      out.push(redacted);
      isValueOfCredentialFlag = false;
      continue;
    }
    isValueOfCredentialFlag = credentialFlag.test(arg);
    out.push(
      arg
        .replace(credentialAssignment, `$1${redacted}`)
        .replace(credentialFlagThenValue, `$1${redacted}`)
        .replace(urlUserInfo, `$1${redacted}@`),
    );
  }
  return out;
}

/** The allowlisted variables with a literal value; undefined when none is left. */
function datapathEnv(raw: unknown): { name: string; value: string }[] | undefined {
  const kept = list(raw, (e) => {
    const name = str(e.name);
    const value = str(e.value);
    return name && value !== undefined && datapathEnvShapes[name]?.test(value) ? { name, value } : undefined;
  });
  return kept && kept.length > 0 ? kept : undefined;
}

function trimDaemonSet(o: Data, metadata: ObjectMeta): DaemonSet {
  const podSpec = record(record(record(o.spec).template).spec);
  const status = record(o.status);
  const command = (raw: unknown) => {
    const values = strings(raw);
    return values ? redactArgs(values) : undefined;
  };
  return compact({
    metadata,
    spec: {
      template: {
        spec: compact({
          hostNetwork: bool(podSpec.hostNetwork),
          containers:
            list(podSpec.containers, (c) => {
              const name = str(c.name);
              if (!name) return undefined;
              return compact({ name, image: str(c.image), command: command(c.command), args: command(c.args), env: datapathEnv(c.env) });
            }) ?? [],
        }),
      },
    },
    status: nonEmpty({ desiredNumberScheduled: num(status.desiredNumberScheduled), numberReady: num(status.numberReady) }),
  });
}

// ——— discovery.k8s.io/v1 ———

function trimEndpointSlice(o: Data, metadata: ObjectMeta): EndpointSlice | null {
  const addressType = oneOf(o.addressType, ['IPv4', 'IPv6', 'FQDN'] as const);
  if (!addressType) return null;
  return compact({
    metadata,
    addressType,
    endpoints: list(o.endpoints, (e) => {
      const addresses = strings(e.addresses);
      if (!addresses) return undefined;
      const conditions = record(e.conditions);
      const ref = isRecord(e.targetRef) ? e.targetRef : undefined;
      return compact({
        addresses,
        conditions: isRecord(e.conditions)
          ? compact({ ready: bool(conditions.ready), serving: bool(conditions.serving), terminating: bool(conditions.terminating) })
          : undefined,
        nodeName: str(e.nodeName),
        zone: str(e.zone),
        hostname: str(e.hostname),
        targetRef: ref ? compact({ kind: str(ref.kind), name: str(ref.name), namespace: str(ref.namespace), uid: str(ref.uid) }) : undefined,
      });
    }),
    ports: list(o.ports, (p) => compact({ name: str(p.name), port: num(p.port), protocol: str(p.protocol), appProtocol: str(p.appProtocol) })),
  });
}

// ——— networking.k8s.io/v1 ———

function trimSelector(raw: unknown): LabelSelector | undefined {
  if (!isRecord(raw)) return undefined;
  return compact({
    matchLabels: stringMap(raw.matchLabels),
    matchExpressions: list(raw.matchExpressions, (e) => {
      const key = str(e.key);
      const operator = oneOf(e.operator, ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
      return key && operator ? compact({ key, operator, values: strings(e.values) }) : undefined;
    }),
  });
}

function trimPeer(p: Data): NetworkPolicyPeer {
  const ipBlock = isRecord(p.ipBlock) ? p.ipBlock : undefined;
  const cidr = ipBlock ? str(ipBlock.cidr) : undefined;
  return compact({
    podSelector: trimSelector(p.podSelector),
    namespaceSelector: trimSelector(p.namespaceSelector),
    ipBlock: ipBlock && cidr ? compact({ cidr, except: strings(ipBlock.except) }) : undefined,
  });
}

function trimPolicyPort(p: Data): NetworkPolicyPort {
  return compact({ protocol: oneOf(p.protocol, protocols), port: intOrString(p.port), endPort: num(p.endPort) });
}

function trimNetworkPolicy(o: Data, metadata: ObjectMeta): NetworkPolicy {
  const spec = record(o.spec);
  const policyTypes = strings(spec.policyTypes)?.filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  return {
    metadata,
    spec: compact({
      // An absent podSelector would select nothing in our model but everything in Kubernetes;
      // the API server always fills it in, so `{}` (all pods) is the faithful reading.
      podSelector: trimSelector(spec.podSelector) ?? {},
      policyTypes,
      ingress: list(spec.ingress, (r) => compact({ from: list(r.from, trimPeer), ports: list(r.ports, trimPolicyPort) })),
      egress: list(spec.egress, (r) => compact({ to: list(r.to, trimPeer), ports: list(r.ports, trimPolicyPort) })),
    }),
  };
}

/** A v1 backend, or a v1beta1 one (`serviceName`, `servicePort`) translated to the v1 shape. */
function trimIngressBackend(raw: unknown): IngressBackend | undefined {
  if (!isRecord(raw)) return undefined;
  const service = isRecord(raw.service) ? raw.service : undefined;
  if (service) {
    const name = str(service.name);
    const port = record(service.port);
    return name ? { service: { name, port: compact({ number: num(port.number), name: str(port.name) }) } } : {};
  }
  const legacyName = str(raw.serviceName);
  if (legacyName) {
    const legacyPort = intOrString(raw.servicePort);
    return { service: { name: legacyName, port: typeof legacyPort === 'number' ? { number: legacyPort } : compact({ name: legacyPort }) } };
  }
  // A resource backend (an object in another API group): no Service to route to.
  return {};
}

function trimIngress(o: Data, metadata: ObjectMeta): Ingress {
  const spec = record(o.spec);
  return compact({
    metadata,
    spec: compact({
      ingressClassName: str(spec.ingressClassName),
      defaultBackend: trimIngressBackend(spec.defaultBackend ?? spec.backend),
      // Only the hosts: secretName names the certificate's Secret, which is not ours to keep.
      tls: list(spec.tls, (t) => compact({ hosts: strings(t.hosts) })),
      rules: list(spec.rules, (r) => {
        const http = isRecord(r.http) ? r.http : undefined;
        return compact({
          host: str(r.host),
          http: http
            ? {
                paths:
                  list(http.paths, (p) => compact({ path: str(p.path), pathType: str(p.pathType), backend: trimIngressBackend(p.backend) ?? {} })) ??
                  [],
              }
            : undefined,
        });
      }),
    }),
    status: nonEmpty({ loadBalancer: loadBalancerIngress(record(o.status)) }),
  });
}

// ——— gateway.networking.k8s.io ———

function trimGateway(o: Data, metadata: ObjectMeta): Gateway {
  const spec = record(o.spec);
  const status = record(o.status);
  return compact({
    metadata,
    spec: compact({
      gatewayClassName: str(spec.gatewayClassName) ?? '',
      listeners: list(spec.listeners, (l) => {
        const name = str(l.name);
        const port = num(l.port);
        const protocol = str(l.protocol);
        return name && port !== undefined && protocol ? compact({ name, hostname: str(l.hostname), port, protocol }) : undefined;
      }),
    }),
    status: nonEmpty({
      addresses: list(status.addresses, (a) => {
        const value = str(a.value);
        return value ? compact({ type: str(a.type), value }) : undefined;
      }),
    }),
  });
}

function trimHTTPRoute(o: Data, metadata: ObjectMeta): HTTPRoute {
  const spec = record(o.spec);
  const ref = (r: Data) => ({ name: str(r.name), namespace: str(r.namespace), kind: str(r.kind), group: str(r.group) });
  return {
    metadata,
    spec: compact({
      parentRefs: list(spec.parentRefs, (p) => {
        const { name, ...rest } = ref(p);
        return name ? compact({ name, ...rest, sectionName: str(p.sectionName) }) : undefined;
      }),
      hostnames: strings(spec.hostnames),
      rules: list(spec.rules, (r) =>
        compact({
          matches: list(r.matches, (m) => {
            const path = isRecord(m.path) ? m.path : undefined;
            return compact({ path: path ? compact({ type: str(path.type), value: str(path.value) }) : undefined });
          }),
          backendRefs: list(r.backendRefs, (b) => {
            const { name, ...rest } = ref(b);
            return name ? compact({ name, ...rest, port: num(b.port), weight: num(b.weight) }) : undefined;
          }),
        }),
      ),
    }),
  };
}

// ——— reading unknown JSON ———

type Data = Record<string, unknown>;

function isRecord(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown): Data {
  return isRecord(value) ? value : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function intOrString(value: unknown): number | string | undefined {
  return num(value) ?? str(value);
}

/** A timestamp as the API sends it; client libraries that revive dates hand us a Date. */
function timestamp(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().replace('.000Z', 'Z');
  return str(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** The array's object items, each mapped; items that are not objects or map to undefined are
 * dropped. Undefined when the value is not an array, so an absent list stays absent. */
function list<T>(value: unknown, each: (item: Data) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const mapped = each(item);
    if (mapped !== undefined) out.push(mapped);
  }
  return out;
}

/** The object without its undefined fields, so a trimmed object holds only what was there. */
function compact<T extends object>(value: T): T {
  const out = value as Record<string, unknown>;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return value;
}

/** Like `compact`, and undefined when nothing is left: an optional block with no known field. */
function nonEmpty<T extends object>(value: T): T | undefined {
  compact(value);
  return Object.keys(value).length > 0 ? value : undefined;
}
