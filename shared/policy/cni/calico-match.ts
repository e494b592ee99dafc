/**
 * One Calico rule, and one Calico policy's selection, against one side of a flow (projectcalico/
 * calico api/pkg/apis/projectcalico/v3 policy_common.go, networkpolicy.go, globalnetworkpolicy.go
 * at 87c15906; the field docs are quoted where they decide):
 * - A rule's `source` matches the flow's sender and `destination` its receiver, in both
 *   directions; every field set must match, and a rule's `protocol`, `notProtocol` and
 *   `ipVersion` too ("All the match criteria within a rule must be satisfied").
 * - `nets`/`notNets` match any address, pods' included.
 * - `selector` picks Calico endpoints: for a NetworkPolicy without `namespaceSelector`, "only
 *   workload endpoints in the same namespace as the NetworkPolicy"; for a GlobalNetworkPolicy,
 *   all namespaces; `global()` as namespaceSelector only non-namespaced endpoints (never a pod).
 *   A selector can also match NetworkSets, GlobalNetworkSets and HostEndpoints, which Podpath
 *   does not read: for an address that is not a pod such a match is `maybe`.
 * - `notSelector` "matches packets that are not from Calico-controlled endpoints that do have
 *   the label", so anything that is not a pod passes it.
 * - `ports` are numbers, `"a:b"` ranges or named ports (the destination pod's container port of
 *   that name); a source port is ephemeral, not in the flow: `maybe`.
 * - Pods carry `projectcalico.org/namespace` and `projectcalico.org/orchestrator`, namespaces
 *   `projectcalico.org/name`; a pod's service account is not read, so `serviceAccounts`,
 *   `serviceAccountSelector` and the `projectcalico.org/serviceaccount` label are `maybe`.
 * - `services` matches a Service's endpoints: not evaluated here (`maybe`).
 * - An `http` match decides per request (application layer policy): `maybe`, said so.
 */
import type { CalicoEntityRule, CalicoRule } from '../../kube/cni-policy-objects.ts';
import type { CalicoPolicyRecord } from '../../model/cni-policy.ts';
import type { PodRecord, Topology } from '../../model/types.ts';
import { cidrContains } from '../../net/ip.ts';
import { namespaceLabels, type Side } from '../rules.ts';
import type { PolicyEndpoint } from '../types.ts';
import { podName } from '../words.ts';
import { evaluateCalicoSelector, parseCalicoSelector, type CalicoSelector } from './calico-selector.ts';

export type Match = 'yes' | 'no' | 'maybe';

export interface MatchText {
  match: Match;
  /** What matched, why not, or what it rests on. */
  text: string;
}

const parsed = new Map<string, CalicoSelector | Error>();

function selectorOf(text: string): CalicoSelector | Error {
  let selector = parsed.get(text);
  if (!selector) {
    try {
      selector = parseCalicoSelector(text);
    } catch (error) {
      selector = error as Error;
    }
    parsed.set(text, selector);
  }
  return selector;
}

const serviceAccountLabel = 'projectcalico.org/serviceaccount';

/** Whether `text` selects `labels`; `maybe` when it does not parse or reads a label Podpath lacks. */
export function selects(text: string, labels: Record<string, string>): MatchText {
  const selector = selectorOf(text);
  if (selector instanceof Error) return { match: 'maybe', text: `selector ${JSON.stringify(text)} does not parse (${selector.message})` };
  if (text.includes(serviceAccountLabel)) return { match: 'maybe', text: `${text}: pods' service accounts are not read` };
  return { match: evaluateCalicoSelector(selector, labels) ? 'yes' : 'no', text };
}

export function calicoPodLabels(pod: PodRecord): Record<string, string> {
  return { ...pod.labels, 'projectcalico.org/namespace': pod.namespace, 'projectcalico.org/orchestrator': 'k8s' };
}

export function calicoNamespaceLabels(topology: Topology, namespace: string): Record<string, string> {
  return { ...namespaceLabels(topology, namespace), 'projectcalico.org/name': namespace };
}

/** All of `parts`: `no` if any is, else `maybe` if any is, else `yes`. */
function all(parts: MatchText[]): MatchText {
  const no = parts.find((p) => p.match === 'no');
  if (no) return no;
  const maybe = parts.filter((p) => p.match === 'maybe');
  if (maybe.length > 0) return { match: 'maybe', text: maybe.map((p) => p.text).join('; ') };
  return { match: 'yes', text: parts.map((p) => p.text).join(', ') };
}

/** Whether `policy` applies to `pod` (its own end) for `direction`. */
export function appliesTo(topology: Topology, policy: CalicoPolicyRecord, pod: PodRecord, direction: 'ingress' | 'egress'): MatchText {
  if (policy.isHostOnly) return { match: 'no', text: 'a preDNAT or doNotTrack policy applies to host endpoints only' };
  if (!policy.types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) return { match: 'no', text: `its types are ${policy.types.join(', ')}` };
  if (pod.isHostNetwork) return { match: 'no', text: 'a hostNetwork pod is its node, not a Calico workload endpoint' };
  if (policy.namespace !== null && policy.namespace !== pod.namespace) return { match: 'no', text: `it is in namespace ${policy.namespace}` };
  const parts = [selects(policy.selector, calicoPodLabels(pod))];
  if (policy.namespaceSelector !== null) parts.push(selects(policy.namespaceSelector, calicoNamespaceLabels(topology, pod.namespace)));
  if (policy.serviceAccountSelector !== null && policy.serviceAccountSelector.trim() !== 'all()') {
    parts.push({ match: 'maybe', text: `serviceAccountSelector ${policy.serviceAccountSelector}: pods' service accounts are not read` });
  }
  return all(parts);
}

/** A port as `80/TCP`-like words, and whether it matches `port` on `pod` (named ports). */
function portMatches(topology: Topology, written: number | string, port: number, protocol: string, pod: PodRecord | null): boolean {
  if (typeof written === 'number') return written === port;
  const range = /^(\d+):(\d+)$/.exec(written);
  if (range) return port >= Number(range[1]) && port <= Number(range[2]);
  if (/^\d+$/.test(written)) return Number(written) === port;
  if (!pod || pod.isHostNetwork) return false;
  return pod.containers.flatMap((id) => topology.containers[id]?.ports ?? []).some((p) => p.name === written && p.port === port && p.protocol === protocol);
}

const protocolNumbers: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };

function protocolIs(written: string | number, protocol: string): boolean {
  return typeof written === 'number' ? written === protocolNumbers[protocol] : written.toUpperCase() === protocol;
}

/** One `source` or `destination` against the end it names; `isDestination` for ports. */
function entityMatch(side: Side, policy: CalicoPolicyRecord, entity: CalicoEntityRule, end: PolicyEndpoint, isDestination: boolean): MatchText {
  const { topology, flow } = side;
  const parts: MatchText[] = [];
  const who = end.pod ? podName(end.pod) : end.ip;
  if (entity.nets) parts.push(entity.nets.some((n) => cidrContains(n, end.ip)) ? { match: 'yes', text: `nets ${entity.nets.join(', ')}` } : { match: 'no', text: `${end.ip} is not in nets ${entity.nets.join(', ')}` });
  if (entity.notNets?.some((n) => cidrContains(n, end.ip))) parts.push({ match: 'no', text: `${end.ip} is in notNets ${entity.notNets.join(', ')}` });

  const pod = end.pod && !end.pod.isHostNetwork ? end.pod : null;
  const namespaceSelector = entity.namespaceSelector?.trim() ? entity.namespaceSelector : undefined;
  if (entity.selector !== undefined || namespaceSelector !== undefined) {
    const text = [entity.selector !== undefined ? `selector ${entity.selector}` : '', namespaceSelector !== undefined ? `namespaceSelector ${namespaceSelector}` : ''].filter(Boolean).join(' in ');
    if (namespaceSelector?.replace(/\s/g, '') === 'global()') {
      parts.push(pod ? { match: 'no', text: `${who} is a pod, and global() selects only non-namespaced endpoints` } : { match: 'maybe', text: `whether ${end.ip} is in a GlobalNetworkSet or HostEndpoint that ${text} matches is not read` });
    } else if (!pod) {
      parts.push({ match: 'maybe', text: `${who} is not a pod: whether it is in a NetworkSet, GlobalNetworkSet or HostEndpoint that ${text} matches is not read` });
    } else {
      const sub: MatchText[] = [];
      if (namespaceSelector !== undefined) sub.push(selects(namespaceSelector, calicoNamespaceLabels(topology, pod.namespace)));
      else if (policy.namespace !== null && pod.namespace !== policy.namespace) sub.push({ match: 'no', text: `${who} is not in namespace ${policy.namespace}` });
      if (entity.selector !== undefined) sub.push(selects(entity.selector, calicoPodLabels(pod)));
      const m = all(sub);
      parts.push(m.match === 'no' ? { match: 'no', text: `${who} is not selected by ${text}` } : { match: m.match, text: m.match === 'yes' ? text : m.text });
    }
  }
  if (entity.notSelector !== undefined && pod) {
    const m = selects(entity.notSelector, calicoPodLabels(pod));
    if (m.match !== 'no') parts.push(m.match === 'yes' ? { match: 'no', text: `${who} matches notSelector ${entity.notSelector}` } : m);
  }
  if (entity.serviceAccounts) parts.push(pod ? { match: 'maybe', text: `serviceAccounts: the service account of ${who} is not read` } : { match: 'no', text: `${who} is not a pod, and serviceAccounts match pods` });
  if (entity.services) parts.push({ match: 'maybe', text: `services ${entity.services.namespace ?? policy.namespace ?? ''}/${entity.services.name}: not evaluated` });

  const portsText = (ports: (number | string)[]) => ports.join(', ');
  if (entity.ports) {
    if (!isDestination) parts.push({ match: 'maybe', text: `source ports ${portsText(entity.ports)}: the source port is not in the flow` });
    else parts.push(entity.ports.some((p) => portMatches(topology, p, flow.port, flow.protocol, end.pod)) ? { match: 'yes', text: `port ${flow.port}/${flow.protocol}` } : { match: 'no', text: `${flow.port}/${flow.protocol} is not in ports ${portsText(entity.ports)}` });
  }
  if (entity.notPorts) {
    if (!isDestination) parts.push({ match: 'maybe', text: `source notPorts ${portsText(entity.notPorts)}: the source port is not in the flow` });
    else if (entity.notPorts.some((p) => portMatches(topology, p, flow.port, flow.protocol, end.pod))) parts.push({ match: 'no', text: `${flow.port}/${flow.protocol} is in notPorts ${portsText(entity.notPorts)}` });
  }
  return parts.length === 0 ? { match: 'yes', text: '' } : all(parts);
}

/** Whether `rule` matches the flow, and in what words. */
export function calicoRuleMatches(side: Side, policy: CalicoPolicyRecord, rule: CalicoRule): MatchText {
  const { flow } = side;
  const parts: MatchText[] = [];
  const isV6 = flow.to.ip.includes(':');
  if (rule.ipVersion !== undefined && rule.ipVersion !== (isV6 ? 6 : 4)) parts.push({ match: 'no', text: `the flow is IPv${isV6 ? 6 : 4}, the rule IPv${rule.ipVersion}` });
  if (rule.protocol !== undefined) parts.push(protocolIs(rule.protocol, flow.protocol) ? { match: 'yes', text: `protocol ${flow.protocol}` } : { match: 'no', text: `the flow is ${flow.protocol}, the rule ${rule.protocol}` });
  if (rule.notProtocol !== undefined && protocolIs(rule.notProtocol, flow.protocol)) parts.push({ match: 'no', text: `notProtocol ${rule.notProtocol}` });
  if (rule.hasIcmp) parts.push({ match: 'no', text: 'its ICMP match never matches a TCP, UDP or SCTP flow' });
  const source = entityMatch(side, policy, rule.source ?? {}, flow.from, false);
  const destination = entityMatch(side, policy, rule.destination ?? {}, flow.to, true);
  if (source.text) parts.push({ ...source, text: source.match === 'yes' ? `from ${source.text}` : source.text });
  if (destination.text) parts.push({ ...destination, text: destination.match === 'yes' ? `to ${destination.text}` : destination.text });
  if (rule.hasHttp) parts.push({ match: 'maybe', text: 'its HTTP match decides per request — not evaluated' });
  const result = all(parts);
  return result.match === 'yes' && result.text === '' ? { match: 'yes', text: 'every flow' } : result;
}
