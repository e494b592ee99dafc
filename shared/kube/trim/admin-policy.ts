/**
 * network-policy-api's admin policies (admin-objects.ts): AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy (v1alpha1), ClusterNetworkPolicy (v1alpha2). Status is dropped.
 */
import type {
  AdminNetworkPolicy,
  AdminPeer,
  AdminPort,
  AdminRule,
  AdminSubject,
  BaselineAdminNetworkPolicy,
  ClusterNetworkPolicy,
  ClusterPolicyPort,
  ClusterPolicyProtocol,
  ClusterPolicyRule,
  NamespacedPod,
} from '../admin-objects.ts';
import type { ObjectMeta } from '../objects.ts';
import { trimSelector } from './networking.ts';
import { compact, type Data, isRecord, list, num, record, str, strings } from './read.ts';

function trimNamespacedPod(raw: unknown): NamespacedPod | undefined {
  if (!isRecord(raw)) return undefined;
  // Both selectors are required; an absent one is the empty selector (all), as the API reads it.
  return { namespaceSelector: trimSelector(raw.namespaceSelector) ?? {}, podSelector: trimSelector(raw.podSelector) ?? {} };
}

function trimSubject(raw: unknown): AdminSubject {
  const s = record(raw);
  return compact({ namespaces: trimSelector(s.namespaces), pods: trimNamespacedPod(s.pods) });
}

/** Kept even when empty: an empty peer fails closed (admin-objects.ts). */
function trimPeer(p: Data): AdminPeer {
  return compact({
    namespaces: trimSelector(p.namespaces),
    pods: trimNamespacedPod(p.pods),
    nodes: trimSelector(p.nodes),
    networks: strings(p.networks),
    domainNames: strings(p.domainNames),
  });
}

function trimAdminPort(p: Data): AdminPort | undefined {
  const number = isRecord(p.portNumber) ? p.portNumber : undefined;
  const range = isRecord(p.portRange) ? p.portRange : undefined;
  const port = number ? num(number.port) : undefined;
  const start = range ? num(range.start) : undefined;
  const end = range ? num(range.end) : undefined;
  const trimmed = compact({
    portNumber: number && port !== undefined ? compact({ protocol: str(number.protocol), port }) : undefined,
    namedPort: str(p.namedPort),
    portRange: range && start !== undefined && end !== undefined ? compact({ protocol: str(range.protocol), start, end }) : undefined,
  });
  return Object.keys(trimmed).length > 0 ? trimmed : undefined;
}

function trimAdminRule(r: Data): AdminRule | undefined {
  const action = str(r.action);
  if (!action) return undefined;
  return compact({ name: str(r.name), action, from: list(r.from, trimPeer), to: list(r.to, trimPeer), ports: list(r.ports, trimAdminPort) });
}

export function trimAdminNetworkPolicy(o: Data, metadata: ObjectMeta): AdminNetworkPolicy | null {
  const spec = record(o.spec);
  const priority = num(spec.priority);
  if (priority === undefined) return null;
  return {
    metadata,
    spec: compact({ priority, subject: trimSubject(spec.subject), ingress: list(spec.ingress, trimAdminRule), egress: list(spec.egress, trimAdminRule) }),
  };
}

export function trimBaselineAdminNetworkPolicy(o: Data, metadata: ObjectMeta): BaselineAdminNetworkPolicy {
  const spec = record(o.spec);
  return { metadata, spec: compact({ subject: trimSubject(spec.subject), ingress: list(spec.ingress, trimAdminRule), egress: list(spec.egress, trimAdminRule) }) };
}

function trimClusterPort(raw: unknown): ClusterPolicyPort | undefined {
  if (!isRecord(raw)) return undefined;
  const range = isRecord(raw.range) ? raw.range : undefined;
  const start = range ? num(range.start) : undefined;
  const end = range ? num(range.end) : undefined;
  return compact({ number: num(raw.number), range: start !== undefined && end !== undefined ? { start, end } : undefined });
}

function trimProtocol(p: Data): ClusterPolicyProtocol | undefined {
  const each = (raw: unknown) => (isRecord(raw) ? compact({ destinationPort: trimClusterPort(raw.destinationPort) }) : undefined);
  const trimmed = compact({ tcp: each(p.tcp), udp: each(p.udp), sctp: each(p.sctp), destinationNamedPort: str(p.destinationNamedPort) });
  return Object.keys(trimmed).length > 0 ? trimmed : undefined;
}

function trimClusterRule(r: Data): ClusterPolicyRule | undefined {
  const action = str(r.action);
  if (!action) return undefined;
  return compact({ name: str(r.name), action, from: list(r.from, trimPeer), to: list(r.to, trimPeer), protocols: list(r.protocols, trimProtocol) });
}

export function trimClusterNetworkPolicy(o: Data, metadata: ObjectMeta): ClusterNetworkPolicy | null {
  const spec = record(o.spec);
  const priority = num(spec.priority);
  const tier = str(spec.tier);
  if (priority === undefined || !tier) return null;
  return {
    metadata,
    spec: compact({ tier, priority, subject: trimSubject(spec.subject), ingress: list(spec.ingress, trimClusterRule), egress: list(spec.egress, trimClusterRule) }),
  };
}
