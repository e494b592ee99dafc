/**
 * How the evaluator names policies, pods, selectors, peers and ports in its reasons.
 */
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../kube/objects.ts';
import type { PodRecord, PolicyRecord } from '../model/types.ts';
import type { PolicyEndpoint } from './types.ts';

export function qualifiedName(policy: PolicyRecord): string {
  return `${policy.namespace}/${policy.name}`;
}

export function byName(a: PolicyRecord, b: PolicyRecord): number {
  const x = qualifiedName(a);
  const y = qualifiedName(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function listNames(policies: PolicyRecord[]): string {
  const names = policies.map(qualifiedName);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export function podName(pod: PodRecord): string {
  return `${pod.namespace}/${pod.name}`;
}

export function endpointName(endpoint: PolicyEndpoint): string {
  if (!endpoint.pod) return endpoint.ip;
  return `${podName(endpoint.pod)} (${endpoint.pod.isHostNetwork ? 'hostNetwork, ' : ''}${endpoint.ip})`;
}

export function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(', ');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${String(e.operator)}`);
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}

export function describePeer(peer: NetworkPolicyPeer, policy: PolicyRecord): string {
  if (peer.ipBlock) {
    const except = peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(', ')}` : '';
    return `ipBlock ${peer.ipBlock.cidr}${except}`;
  }
  const pods = peer.podSelector ? `podSelector ${describeSelector(peer.podSelector)}` : '';
  if (!peer.namespaceSelector) return describeSelector(peer.podSelector ?? {}) === '{}' ? `${pods} (every pod in ${policy.namespace})` : pods;
  const namespaceText = describeSelector(peer.namespaceSelector);
  const namespaces = namespaceText === '{}' ? 'namespaceSelector {} (every namespace)' : `namespaceSelector ${namespaceText}`;
  return pods ? `${namespaces} and ${pods}` : namespaces;
}

export function describePort(port: NetworkPolicyPort): string {
  const protocol = port.protocol ?? 'TCP';
  if (port.port === undefined) return `every ${protocol} port`;
  if (typeof port.port === 'number' && port.endPort !== undefined) return `${port.port}-${port.endPort}/${protocol}`;
  return `${port.port}/${protocol}`;
}

/** The first requirement of `selector` that `labels` fail, e.g. `app=web` or `no label app`. */
export function labelMismatch(selector: LabelSelector, labels: Record<string, string>): string {
  const has = (key: string) => Object.hasOwn(labels, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return has(key) ? `it has ${key}=${labels[key]}, not ${key}=${value}` : `it has no label ${key}`;
  }
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values ?? [];
    const value = labels[e.key] ?? '';
    if (e.operator === 'In' && !(has(e.key) && values.includes(value))) {
      return has(e.key) ? `it has ${e.key}=${value}, not in (${values.join(', ')})` : `it has no label ${e.key}`;
    }
    if (e.operator === 'NotIn' && has(e.key) && values.includes(value)) return `it has ${e.key}=${value}`;
    if (e.operator === 'Exists' && !has(e.key)) return `it has no label ${e.key}`;
    if (e.operator === 'DoesNotExist' && has(e.key)) return `it has label ${e.key}`;
  }
  return 'its labels do not match';
}
