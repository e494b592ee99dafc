/**
 * Full Kubernetes objects, as the API server returns them, cut down to the fields of
 * `objects.ts` and nothing more (design §5): what is kept is listed field by field, so a field
 * the API adds tomorrow — or an `env` value, a volume, `managedFields`, a last-applied
 * annotation — never reaches the model or a snapshot. Input is `unknown` and read defensively
 * (trim/read.ts): a field of the wrong type is dropped rather than trusted.
 *
 * This file names the kinds read, trims every object's metadata and hands the rest to its
 * kind's trimmer, in trim/ by API group (core, apps, networking).
 */
import type { ClusterObjects, ObjectKind, ObjectMeta } from './objects.ts';
import { trimAdminNetworkPolicy, trimBaselineAdminNetworkPolicy, trimClusterNetworkPolicy } from './trim/admin-policy.ts';
import { trimDaemonSet } from './trim/apps.ts';
import { trimCalicoGlobalNetworkPolicy, trimCalicoNetworkPolicy, trimCalicoTier, trimCiliumClusterwideNetworkPolicy, trimCiliumNetworkPolicy } from './trim/cni-policy.ts';
import { trimConfigMap, trimNamespace, trimNode, trimPod, trimService } from './trim/core.ts';
import { trimEndpointSlice, trimGateway, trimHTTPRoute, trimIngress, trimIngressClass, trimNetworkPolicy } from './trim/networking.ts';
import { isRecord, record, str, bool, timestamp, stringMap, list, compact, type Data } from './trim/read.ts';

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
  ['policy.networking.k8s.io/v1alpha1/AdminNetworkPolicy', 'adminNetworkPolicies'],
  ['policy.networking.k8s.io/v1alpha1/BaselineAdminNetworkPolicy', 'baselineAdminNetworkPolicies'],
  ['policy.networking.k8s.io/v1alpha2/ClusterNetworkPolicy', 'clusterNetworkPolicies'],
  // Calico's API server serves projectcalico.org/v3; without it the same specs are the CRDs of
  // crd.projectcalico.org/v1.
  ['projectcalico.org/v3/NetworkPolicy', 'calicoNetworkPolicies'],
  ['projectcalico.org/v3/GlobalNetworkPolicy', 'calicoGlobalNetworkPolicies'],
  ['projectcalico.org/v3/Tier', 'calicoTiers'],
  ['crd.projectcalico.org/v1/NetworkPolicy', 'calicoNetworkPolicies'],
  ['crd.projectcalico.org/v1/GlobalNetworkPolicy', 'calicoGlobalNetworkPolicies'],
  ['crd.projectcalico.org/v1/Tier', 'calicoTiers'],
  ['cilium.io/v2/CiliumNetworkPolicy', 'ciliumNetworkPolicies'],
  ['cilium.io/v2/CiliumClusterwideNetworkPolicy', 'ciliumClusterwideNetworkPolicies'],
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
  namespaces: trimNamespace,
  pods: trimPod,
  services: trimService,
  endpointSlices: trimEndpointSlice,
  networkPolicies: trimNetworkPolicy,
  ingresses: trimIngress,
  ingressClasses: trimIngressClass,
  configMaps: trimConfigMap,
  daemonSets: trimDaemonSet,
  gateways: trimGateway,
  httpRoutes: trimHTTPRoute,
  adminNetworkPolicies: trimAdminNetworkPolicy,
  baselineAdminNetworkPolicies: trimBaselineAdminNetworkPolicy,
  clusterNetworkPolicies: trimClusterNetworkPolicy,
  calicoNetworkPolicies: trimCalicoNetworkPolicy,
  calicoGlobalNetworkPolicies: trimCalicoGlobalNetworkPolicy,
  calicoTiers: trimCalicoTier,
  ciliumNetworkPolicies: trimCiliumNetworkPolicy,
  ciliumClusterwideNetworkPolicies: trimCiliumClusterwideNetworkPolicy,
};

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
