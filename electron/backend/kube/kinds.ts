/** The kinds Podpath reads from the API, and where each lives. */
import type { ObjectKind } from '../../../shared/kube/objects.ts';

export interface KindSpec {
  kind: ObjectKind;
  /** How the CLI and UI name it: `Pods 42`, `Nodes forbidden`. */
  label: string;
  /** API group path prefix: `/api/v1` or `/apis/<group>/<version>`. */
  prefix: string;
  resource: string;
  isNamespaced: boolean;
  /** Read only in these namespaces (the datapath's ConfigMaps), never cluster-wide. */
  namespaces?: string[];
  /** An API group that may not be installed (Gateway API CRDs): absent is not an error. */
  isOptional?: boolean;
}

export const kindSpecs: readonly KindSpec[] = [
  { kind: 'nodes', label: 'Nodes', prefix: '/api/v1', resource: 'nodes', isNamespaced: false },
  { kind: 'namespaces', label: 'Namespaces', prefix: '/api/v1', resource: 'namespaces', isNamespaced: false },
  { kind: 'pods', label: 'Pods', prefix: '/api/v1', resource: 'pods', isNamespaced: true },
  { kind: 'services', label: 'Services', prefix: '/api/v1', resource: 'services', isNamespaced: true },
  { kind: 'endpointSlices', label: 'EndpointSlices', prefix: '/apis/discovery.k8s.io/v1', resource: 'endpointslices', isNamespaced: true },
  { kind: 'networkPolicies', label: 'NetworkPolicies', prefix: '/apis/networking.k8s.io/v1', resource: 'networkpolicies', isNamespaced: true },
  { kind: 'ingresses', label: 'Ingresses', prefix: '/apis/networking.k8s.io/v1', resource: 'ingresses', isNamespaced: true },
  { kind: 'ingressClasses', label: 'IngressClasses', prefix: '/apis/networking.k8s.io/v1', resource: 'ingressclasses', isNamespaced: false },
  // Only the ConfigMaps that reveal the datapath (kube-proxy's, the CNI's); trim drops the rest.
  { kind: 'configMaps', label: 'ConfigMaps', prefix: '/api/v1', resource: 'configmaps', isNamespaced: true, namespaces: ['kube-system', 'kube-flannel'] },
  { kind: 'daemonSets', label: 'DaemonSets', prefix: '/apis/apps/v1', resource: 'daemonsets', isNamespaced: true },
  { kind: 'gateways', label: 'Gateways', prefix: '/apis/gateway.networking.k8s.io/v1', resource: 'gateways', isNamespaced: true, isOptional: true },
  { kind: 'httpRoutes', label: 'HTTPRoutes', prefix: '/apis/gateway.networking.k8s.io/v1', resource: 'httproutes', isNamespaced: true, isOptional: true },
  // network-policy-api's cluster-scoped admin policies: v1alpha1 up to its release v0.1.7, then
  // v1alpha2's ClusterNetworkPolicy. A cluster serves one, both or neither.
  { kind: 'adminNetworkPolicies', label: 'AdminNetworkPolicies', prefix: '/apis/policy.networking.k8s.io/v1alpha1', resource: 'adminnetworkpolicies', isNamespaced: false, isOptional: true },
  { kind: 'baselineAdminNetworkPolicies', label: 'BaselineAdminNetworkPolicies', prefix: '/apis/policy.networking.k8s.io/v1alpha1', resource: 'baselineadminnetworkpolicies', isNamespaced: false, isOptional: true },
  { kind: 'clusterNetworkPolicies', label: 'ClusterNetworkPolicies', prefix: '/apis/policy.networking.k8s.io/v1alpha2', resource: 'clusternetworkpolicies', isNamespaced: false, isOptional: true },
  // The CNI plugins' own policies, where their CRDs are installed: which layers a verdict passes
  // is read from what the cluster serves (shared/policy/cni/). Calico's through its API server.
  { kind: 'calicoTiers', label: 'Calico Tiers', prefix: '/apis/projectcalico.org/v3', resource: 'tiers', isNamespaced: false, isOptional: true },
  { kind: 'calicoNetworkPolicies', label: 'Calico NetworkPolicies', prefix: '/apis/projectcalico.org/v3', resource: 'networkpolicies', isNamespaced: true, isOptional: true },
  { kind: 'calicoGlobalNetworkPolicies', label: 'Calico GlobalNetworkPolicies', prefix: '/apis/projectcalico.org/v3', resource: 'globalnetworkpolicies', isNamespaced: false, isOptional: true },
  { kind: 'ciliumNetworkPolicies', label: 'CiliumNetworkPolicies', prefix: '/apis/cilium.io/v2', resource: 'ciliumnetworkpolicies', isNamespaced: true, isOptional: true },
  { kind: 'ciliumClusterwideNetworkPolicies', label: 'CiliumClusterwideNetworkPolicies', prefix: '/apis/cilium.io/v2', resource: 'ciliumclusterwidenetworkpolicies', isNamespaced: false, isOptional: true },
];

export function pathOf(spec: KindSpec, namespace?: string): string {
  return namespace ? `${spec.prefix}/namespaces/${encodeURIComponent(namespace)}/${spec.resource}` : `${spec.prefix}/${spec.resource}`;
}
