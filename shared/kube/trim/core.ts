/**
 * core/v1: Nodes, Namespaces, Pods, Services, and the ConfigMaps that reveal the datapath.
 */
import { stringify as stringifyYaml } from 'yaml';
import { parseYaml } from '../nesting.ts';
import type { ConfigMap, Container, ContainerPort, KubeNode, Namespace, NodeAddress, ObjectMeta, Pod, PodDNSConfig, Service, ServicePort } from '../objects.ts';
import { bool, compact, type Data, intOrString, isRecord, list, nonEmpty, num, oneOf, record, str, stringMap, strings } from './read.ts';

/**
 * The only ConfigMaps kept, and within them only these data keys: kube-proxy's and the CNI's
 * configuration, which say how packets are forwarded. kube-proxy's `kubeconfig.conf`, for
 * instance, is dropped (it names a token file).
 */
export const configMapAllowlist: readonly { name: string; namespaces: readonly string[]; keys: readonly string[] }[] = [
  { name: 'kube-proxy', namespaces: ['kube-system'], keys: ['config.conf'] },
  // NodeLocal DNSCache: which zones it forwards where, and whether over TCP.
  { name: 'node-local-dns', namespaces: ['kube-system'], keys: ['Corefile'] },
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
      // Policy enforcement: which endpoints Cilium's policies apply to, and whether the node reaches its own pods.
      'enable-policy',
      'allow-localhost',
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

export function trimNamespace(o: Data, metadata: ObjectMeta): Namespace {
  return compact({ metadata, status: nonEmpty({ phase: str(record(o.status).phase) }) });
}

const addressTypes = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'] as const;

export function trimNode(o: Data, metadata: ObjectMeta): KubeNode {
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
    kubeletConfig: trimKubeletDns(o.kubeletConfig),
  });
}

/**
 * The kubelet's DNS settings and nothing else of its configuration: from a node object that
 * carries them (a snapshot), or from the kubelet's configz answer (`{kubeletconfig: {...}}`).
 */
export function trimKubeletDns(raw: unknown): KubeNode['kubeletConfig'] {
  const config = isRecord(raw) && isRecord(raw.kubeletconfig) ? raw.kubeletconfig : record(raw);
  return nonEmpty({ clusterDNS: strings(config.clusterDNS), clusterDomain: str(config.clusterDomain) });
}

/** core/v1 Protocol; NetworkPolicy ports use it too. */
export const protocols = ['TCP', 'UDP', 'SCTP'] as const;
const trafficPolicies = ['Cluster', 'Local'] as const;

function trimContainerPort(p: Data): ContainerPort | undefined {
  const containerPort = num(p.containerPort);
  if (containerPort === undefined) return undefined;
  return compact({ name: str(p.name), containerPort, protocol: oneOf(p.protocol, protocols), hostPort: num(p.hostPort), hostIP: str(p.hostIP) });
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

export function trimPod(o: Data, metadata: ObjectMeta): Pod {
  const spec = record(o.spec);
  const status = record(o.status);
  return compact({
    metadata,
    spec: compact({
      nodeName: str(spec.nodeName),
      hostNetwork: bool(spec.hostNetwork),
      dnsPolicy: str(spec.dnsPolicy),
      dnsConfig: trimDNSConfig(spec.dnsConfig),
      serviceAccountName: str(spec.serviceAccountName),
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

/** A LoadBalancer's ingress points: a Service's, and an Ingress's of the same shape. */
export function loadBalancerIngress(status: Data): { ingress?: { ip?: string; hostname?: string }[] } | undefined {
  const loadBalancer = record(status.loadBalancer);
  return nonEmpty({
    ingress: list(loadBalancer.ingress, (i) => nonEmpty({ ip: str(i.ip), hostname: str(i.hostname) })),
  });
}

export function trimService(o: Data, metadata: ObjectMeta): Service {
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
      sessionAffinityConfig: nonEmpty({ clientIP: nonEmpty({ timeoutSeconds: num(record(record(spec.sessionAffinityConfig).clientIP).timeoutSeconds) }) }),
      loadBalancerClass: str(spec.loadBalancerClass),
      loadBalancerSourceRanges: strings(spec.loadBalancerSourceRanges),
      healthCheckNodePort: num(spec.healthCheckNodePort),
      ipFamilyPolicy: oneOf(spec.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack'] as const),
      trafficDistribution: str(spec.trafficDistribution),
      publishNotReadyAddresses: bool(spec.publishNotReadyAddresses),
    }),
    status: nonEmpty({ loadBalancer: loadBalancerIngress(record(o.status)) }),
  });
}


/** Only ConfigMaps on the allowlist, and only their allowlisted keys. */
export function trimConfigMap(o: Data, metadata: ObjectMeta): ConfigMap | null {
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
