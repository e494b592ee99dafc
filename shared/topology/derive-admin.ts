/**
 * network-policy-api's admin policies as model records (AdminPolicyRecord): the three kinds in
 * one shape, so the evaluator (shared/policy/admin/) reads one thing. Pure, per object; the
 * selectors stay selectors, matched at evaluation time against the labels of the moment.
 *
 * What each kind says (kubernetes-sigs/network-policy-api, apis/v1alpha1 at v0.1.7 and
 * apis/v1alpha2 at 0eec1b0e):
 * - AdminNetworkPolicy: the admin tier, `priority` 0–1000, actions Allow, Deny, Pass;
 *   `ports` of `portNumber` / `portRange` (protocol defaulting to TCP) or `namedPort`.
 * - BaselineAdminNetworkPolicy: the baseline tier, one object named `default`, no priority,
 *   actions Allow and Deny.
 * - ClusterNetworkPolicy: `tier` Admin or Baseline, `priority`, actions Accept, Deny, Pass;
 *   `protocols` of `tcp` / `udp` / `sctp` with an optional `destinationPort` (a number or a
 *   range; absent, every port of the protocol) or `destinationNamedPort`.
 */
import type { AdminNetworkPolicy, AdminPort, AdminRule, BaselineAdminNetworkPolicy, ClusterNetworkPolicy, ClusterPolicyProtocol, ClusterPolicyRule } from '../kube/admin-objects.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { AdminPolicyRecord, AdminPortRecord, AdminRuleRecord } from '../model/admin-policy.ts';
import type { Topology } from '../model/types.ts';
import { ids } from './ids.ts';

type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Null for a protocol other than the three a flow can have: such a port matches no flow. */
function protocolOf(value: string | undefined): Protocol | null {
  const protocol = value ?? 'TCP';
  return protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP' ? protocol : null;
}

function adminPort(port: AdminPort): AdminPortRecord | null {
  if (port.portNumber) {
    const protocol = protocolOf(port.portNumber.protocol);
    return protocol && { protocol, start: port.portNumber.port, end: port.portNumber.port };
  }
  if (port.portRange) {
    const protocol = protocolOf(port.portRange.protocol);
    return protocol && { protocol, start: port.portRange.start, end: port.portRange.end };
  }
  return port.namedPort === undefined ? null : { name: port.namedPort };
}

function clusterPort(protocol: ClusterPolicyProtocol): AdminPortRecord | null {
  if (protocol.destinationNamedPort !== undefined) return { name: protocol.destinationNamedPort };
  const entries: [Protocol, ClusterPolicyProtocol['tcp']][] = [
    ['TCP', protocol.tcp],
    ['UDP', protocol.udp],
    ['SCTP', protocol.sctp],
  ];
  for (const [name, match] of entries) {
    if (!match) continue;
    const port = match.destinationPort;
    if (port?.range) return { protocol: name, start: port.range.start, end: port.range.end };
    if (port?.number !== undefined) return { protocol: name, start: port.number, end: port.number };
    return { protocol: name };
  }
  return null;
}

/** A port entry Podpath cannot read (an unknown protocol, no field set) matches nothing, and
 * is dropped; a list left empty that way still filters, and so matches nothing. */
function ruleRecord(rule: AdminRule | ClusterPolicyRule, direction: 'ingress' | 'egress'): AdminRuleRecord {
  const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
  const written = 'protocols' in rule ? rule.protocols?.map(clusterPort) : (rule as AdminRule).ports?.map(adminPort);
  return {
    name: rule.name ?? null,
    action: rule.action,
    peers,
    ports: written === undefined ? null : written.filter((p): p is AdminPortRecord => p !== null),
  };
}

function rules(spec: { ingress?: (AdminRule | ClusterPolicyRule)[]; egress?: (AdminRule | ClusterPolicyRule)[] }): Pick<AdminPolicyRecord, 'ingress' | 'egress'> {
  return { ingress: (spec.ingress ?? []).map((r) => ruleRecord(r, 'ingress')), egress: (spec.egress ?? []).map((r) => ruleRecord(r, 'egress')) };
}

export function deriveAdminNetworkPolicy(policy: AdminNetworkPolicy): AdminPolicyRecord {
  const { name } = policy.metadata;
  return { id: ids.adminNetworkPolicy(name), kind: 'adminpolicy', name, apiKind: 'AdminNetworkPolicy', tier: 'admin', priority: policy.spec.priority, subject: policy.spec.subject, ...rules(policy.spec) };
}

export function deriveBaselineAdminNetworkPolicy(policy: BaselineAdminNetworkPolicy): AdminPolicyRecord {
  const { name } = policy.metadata;
  return { id: ids.baselineAdminNetworkPolicy(name), kind: 'adminpolicy', name, apiKind: 'BaselineAdminNetworkPolicy', tier: 'baseline', priority: null, subject: policy.spec.subject, ...rules(policy.spec) };
}

/** A tier other than Admin and Baseline is not one the API has; such a policy is left out. */
export function deriveClusterNetworkPolicy(policy: ClusterNetworkPolicy): AdminPolicyRecord | null {
  const tier = policy.spec.tier === 'Admin' ? 'admin' : policy.spec.tier === 'Baseline' ? 'baseline' : null;
  if (!tier) return null;
  const { name } = policy.metadata;
  return { id: ids.clusterNetworkPolicy(name), kind: 'adminpolicy', name, apiKind: 'ClusterNetworkPolicy', tier, priority: policy.spec.priority, subject: policy.spec.subject, ...rules(policy.spec) };
}

/** Every admin policy of `objects`, as records. */
export function deriveAdminPolicies(objects: Pick<ClusterObjects, 'adminNetworkPolicies' | 'baselineAdminNetworkPolicies' | 'clusterNetworkPolicies'>): AdminPolicyRecord[] {
  return [
    ...objects.adminNetworkPolicies.map(deriveAdminNetworkPolicy),
    ...objects.baselineAdminNetworkPolicies.map(deriveBaselineAdminNetworkPolicy),
    ...objects.clusterNetworkPolicies.flatMap((p) => deriveClusterNetworkPolicy(p) ?? []),
  ];
}

export function addAdminPolicies(topology: Topology, objects: Parameters<typeof deriveAdminPolicies>[0]): void {
  for (const record of deriveAdminPolicies(objects)) topology.adminPolicies[record.id] = record;
}
