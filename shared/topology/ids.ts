/**
 * Stable ids of model elements (design §3), derived from Kubernetes identity so that deltas can
 * name elements and layouts keep positions across updates and snapshots.
 */
import type { ObjectKind } from '../kube/objects.ts';
import type { DeviceKey, Id } from '../model/types.ts';

export const ids = {
  namespace: (name: string): Id => `ns:${name}`,
  host: (nodeName: string): Id => `node:${nodeName}`,
  /** Devices are keyed by role, not interface name: an uplink's name is unknown until probed. */
  device: (nodeName: string, key: DeviceKey): Id => `dev:${nodeName}/${key}`,
  pod: (uid: string): Id => `pod:${uid}`,
  container: (podUid: string, name: string): Id => `ctr:${podUid}/${name}`,
  veth: (podUid: string): Id => `veth:${podUid}`,
  service: (namespace: string, name: string): Id => `svc:${namespace}/${name}`,
  endpoint: (namespace: string, service: string, address: string): Id => `ep:${namespace}/${service}/${address}`,
  ingress: (namespace: string, name: string): Id => `ing:${namespace}/${name}`,
  policy: (namespace: string, name: string): Id => `netpol:${namespace}/${name}`,
  gateway: (namespace: string, name: string): Id => `gw:${namespace}/${name}`,
  httpRoute: (namespace: string, name: string): Id => `httproute:${namespace}/${name}`,
  adminNetworkPolicy: (name: string): Id => `anp:${name}`,
  baselineAdminNetworkPolicy: (name: string): Id => `banp:${name}`,
  clusterNetworkPolicy: (name: string): Id => `cnp:${name}`,
  calicoNetworkPolicy: (namespace: string, name: string): Id => `calnp:${namespace}/${name}`,
  calicoGlobalNetworkPolicy: (name: string): Id => `calgnp:${name}`,
  calicoTier: (name: string): Id => `caltier:${name}`,
  ciliumNetworkPolicy: (namespace: string, name: string): Id => `ciliumnp:${namespace}/${name}`,
  ciliumClusterwideNetworkPolicy: (name: string): Id => `ciliumccnp:${name}`,
};

const objectPrefixes: Record<ObjectKind, string> = {
  nodes: 'node',
  namespaces: 'ns',
  pods: 'pod',
  services: 'svc',
  endpointSlices: 'slice',
  networkPolicies: 'netpol',
  ingresses: 'ing',
  ingressClasses: 'ingclass',
  configMaps: 'cm',
  daemonSets: 'ds',
  gateways: 'gw',
  httpRoutes: 'httproute',
  adminNetworkPolicies: 'anp',
  baselineAdminNetworkPolicies: 'banp',
  clusterNetworkPolicies: 'cnp',
  calicoNetworkPolicies: 'calnp',
  calicoGlobalNetworkPolicies: 'calgnp',
  calicoTiers: 'caltier',
  ciliumNetworkPolicies: 'ciliumnp',
  ciliumClusterwideNetworkPolicies: 'ciliumccnp',
};

/** The id of a Kubernetes object; for the kinds that are model elements it is the element's id. */
export function objectIdOf(kind: ObjectKind, object: { metadata: { name: string; namespace?: string; uid: string } }): Id {
  const { name, namespace, uid } = object.metadata;
  if (kind === 'pods') return ids.pod(uid);
  return `${objectPrefixes[kind]}:${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * The Kubernetes object a model element comes from: a container or veth from its pod, a device
 * from its node, an endpoint from its Service. Null for elements with no object (the internet).
 */
export function objectIdForElement(id: Id): Id | null {
  const colon = id.indexOf(':');
  const prefix = id.slice(0, colon);
  const rest = id.slice(colon + 1);
  switch (prefix) {
    case 'ctr':
      return ids.pod(rest.slice(0, rest.indexOf('/')));
    case 'veth':
      return ids.pod(rest);
    case 'dev':
      return ids.host(rest.slice(0, rest.indexOf('/')));
    case 'ep': {
      const [namespace = '', service = ''] = rest.split('/');
      return ids.service(namespace, service);
    }
    case 'ext':
      return null;
    default:
      return id;
  }
}
