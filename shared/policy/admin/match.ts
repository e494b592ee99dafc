/**
 * One admin rule against one side of a flow: does its subject select the pod, do its peers
 * match the far end and its ports the flow (kubernetes-sigs/network-policy-api, apis/v1alpha1
 * at v0.1.7 and apis/v1alpha2 at 0eec1b0e; the field docs are quoted where they decide):
 * - Subjects and the `namespaces`/`pods` peers never include host-networked pods ("Note that
 *   host-networked pods are not included"); such a pod is its node's address, which the
 *   `nodes` and `networks` peers match.
 * - `nodes` "selects the nodeIPs ... matching on the IPs present in the node.Status.Addresses".
 * - `networks` match any address, "cluster-internal traffic will be checked against the rule
 *   as well".
 * - `domainNames` match what the names resolve to, which is not in the API: `maybe`.
 * - A peer with no field Podpath knows fails closed: "For Allow rules ... matching no traffic.
 *   For Deny and Pass rules ... a 'Deny all' rule".
 * - No ports: every port. A named port is the destination pod's container port of that name.
 */
import type { AdminPeer, AdminSubject } from '../../kube/admin-objects.ts';
import { matchesSelector } from '../../kube/selector.ts';
import type { AdminPortRecord, AdminRuleRecord } from '../../model/admin-policy.ts';
import type { PodRecord, Topology } from '../../model/types.ts';
import { cidrContains } from '../../net/ip.ts';
import { namespaceLabels, type Side } from '../rules.ts';
import { podName } from '../words.ts';
import { describeAdminPeer, describeAdminPort } from './words.ts';

export type Match = 'yes' | 'no' | 'maybe';

export interface RuleMatch {
  match: Match;
  /** What matched (`from namespaces a=b, port 80/TCP`), or why not, or what it rests on. */
  text: string;
}

export function selectsSubject(topology: Topology, subject: AdminSubject, pod: PodRecord): boolean {
  if (pod.isHostNetwork) return false;
  const namespaceSelector = subject.namespaces ?? subject.pods?.namespaceSelector;
  if (!namespaceSelector) return false;
  if (!matchesSelector(namespaceLabels(topology, pod.namespace), namespaceSelector)) return false;
  return !subject.pods || matchesSelector(pod.labels, subject.pods.podSelector);
}

export const isAllowAction = (action: string): boolean => action === 'Allow' || action === 'Accept';

function peerMatch(side: Side, peer: AdminPeer, action: string): Match {
  const far = side.peer;
  const pod = far.pod && !far.pod.isHostNetwork ? far.pod : null;
  if (peer.namespaces) return pod && matchesSelector(namespaceLabels(side.topology, pod.namespace), peer.namespaces) ? 'yes' : 'no';
  if (peer.pods) {
    if (!pod || !matchesSelector(namespaceLabels(side.topology, pod.namespace), peer.pods.namespaceSelector)) return 'no';
    return matchesSelector(pod.labels, peer.pods.podSelector) ? 'yes' : 'no';
  }
  if (peer.nodes) {
    const selector = peer.nodes;
    const hosts = Object.values(side.topology.hosts).filter((h) => matchesSelector(h.labels, selector));
    return hosts.some((h) => h.internalIPs.includes(far.ip) || h.externalIPs.includes(far.ip)) ? 'yes' : 'no';
  }
  if (peer.networks) return peer.networks.some((cidr) => cidrContains(cidr, far.ip)) ? 'yes' : 'no';
  if (peer.domainNames) return 'maybe';
  return isAllowAction(action) ? 'no' : 'yes';
}

function portMatches(side: Side, port: AdminPortRecord): boolean {
  const { flow } = side;
  if ('protocol' in port) {
    if (port.protocol !== flow.protocol) return false;
    return port.start === undefined || (flow.port >= port.start && flow.port <= (port.end ?? port.start));
  }
  // A named port is looked up on the destination: the subject for ingress, the peer for egress.
  const destination = flow.to.pod;
  if (!destination || destination.isHostNetwork) return false;
  const ports = destination.containers.flatMap((id) => side.topology.containers[id]?.ports ?? []);
  return ports.some((p) => p.name === port.name && p.protocol === flow.protocol && p.port === flow.port);
}

/** Whether `rule` matches the far end of `side` and its port, and in what words. */
export function ruleMatches(side: Side, rule: AdminRuleRecord): RuleMatch {
  const preposition = side.direction === 'ingress' ? 'from' : 'to';
  const ports = rule.ports;
  const port = ports === null ? { ok: true, text: 'any port' } : portText(side, ports);
  const peers = rule.peers.map((peer) => ({ peer, match: peerMatch(side, peer, rule.action) }));
  const hit = peers.find((p) => p.match === 'yes') ?? peers.find((p) => p.match === 'maybe');
  if (!hit) {
    const far = side.peer.pod ? podName(side.peer.pod) : side.peer.ip;
    return { match: 'no', text: `${far} is not ${preposition === 'from' ? 'a source' : 'a destination'} it names (${rule.peers.map((p) => describeAdminPeer(p)).join('; ')})` };
  }
  const peerText = `${preposition} ${describeAdminPeer(hit.peer)}`;
  if (!port.ok) return { match: 'no', text: `${peerText} matches, but not ${side.flow.port}/${side.flow.protocol} (${port.text})` };
  if (hit.match === 'maybe') return { match: 'maybe', text: `${peerText}, ${port.text}: whether ${side.peer.ip} is one of those names is not in the API` };
  return { match: 'yes', text: `${peerText}, ${port.text}` };
}

function portText(side: Side, ports: AdminPortRecord[]): { ok: boolean; text: string } {
  const hit = ports.find((p) => portMatches(side, p));
  if (hit) return { ok: true, text: `port ${describeAdminPort(hit)}` };
  return { ok: false, text: ports.length === 0 ? 'no port Podpath can read' : `it names ${ports.map(describeAdminPort).join(', ')}` };
}
