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
 *   the label", so anything that is not a pod passes it — but in a namespaced policy, without
 *   a selector or namespaceSelector beside it, only its namespace's endpoints do (rules.go
 *   getEndpointSelector scopes any selector, notSelector or serviceAccounts to it).
 * - `ports` are numbers, `"a:b"` ranges or named ports (the destination pod's container port of
 *   that name); a source port is ephemeral, not in the flow: `maybe`.
 * - Pods carry `projectcalico.org/namespace` and `projectcalico.org/orchestrator`, namespaces
 *   `projectcalico.org/name`, and a pod its service account's name as
 *   `projectcalico.org/serviceaccount` when under 63 characters (workload_endpoint_default.go);
 *   `serviceAccounts.names` matches that label (updateprocessors/rules.go).
 * - `serviceAccountSelector` and `serviceAccounts.selector` match the ServiceAccount's labels,
 *   to which Calico adds `projectcalico.org/name`, its name (k8s/conversion/conversion.go
 *   ServiceAccountToProfile, constants.go NameLabel). ServiceAccounts are not read, so only a
 *   selector the name decides is decided; one that rests on their labels is `maybe`, as is
 *   anything about a pod whose service account was not read.
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
import { evaluateCalicoSelector, evaluateCalicoSelectorPartly, parseCalicoSelector, type CalicoSelector } from './calico-selector.ts';

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
const serviceAccountNameLabel = 'projectcalico.org/name';
/** Calico leaves the service account label off a pod whose account name is longer. */
const maxServiceAccountLabel = 62;
const accountNotRead = "pods' service accounts are not read";

/** Labels a selector may read whose values Podpath does not have, and why. */
interface Unread {
  isUnread: (label: string) => boolean;
  why: string;
}

/** Whether `text` selects `labels`; `maybe` when it does not parse or rests on an `unread` label. */
export function selects(text: string, labels: Record<string, string>, unread?: Unread): MatchText {
  const selector = selectorOf(text);
  if (selector instanceof Error) return { match: 'maybe', text: `selector ${JSON.stringify(text)} does not parse (${selector.message})` };
  const value = unread ? evaluateCalicoSelectorPartly(selector, labels, unread.isUnread) : evaluateCalicoSelector(selector, labels);
  if (value === null) return { match: 'maybe', text: `${text}: ${unread!.why}` };
  return { match: value ? 'yes' : 'no', text };
}

export function calicoPodLabels(pod: PodRecord): Record<string, string> {
  const labels = { ...pod.labels, 'projectcalico.org/namespace': pod.namespace, 'projectcalico.org/orchestrator': 'k8s' };
  const account = pod.serviceAccount;
  return account !== undefined && account.length <= maxServiceAccountLabel ? { ...labels, [serviceAccountLabel]: account } : labels;
}

/** A selector on `pod`'s Calico labels: the service account label is unread when the account is. */
function podSelects(text: string, pod: PodRecord): MatchText {
  return selects(text, calicoPodLabels(pod), pod.serviceAccount === undefined ? { isUnread: (l) => l === serviceAccountLabel, why: accountNotRead } : undefined);
}

/** A service account selector against `pod`'s account: decided by its name, or `maybe`. */
function accountSelects(text: string, pod: PodRecord): MatchText {
  const account = pod.serviceAccount;
  if (account === undefined) return selects(text, {}, { isUnread: () => true, why: accountNotRead });
  const why = `it reads the labels of ServiceAccount ${pod.namespace}/${account}, and ServiceAccounts are not read`;
  return selects(text, { [serviceAccountNameLabel]: account }, { isUnread: (l) => l !== serviceAccountNameLabel, why });
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
  const parts = [podSelects(policy.selector, pod)];
  if (policy.namespaceSelector !== null) parts.push(selects(policy.namespaceSelector, calicoNamespaceLabels(topology, pod.namespace)));
  if (policy.serviceAccountSelector !== null) {
    const m = accountSelects(policy.serviceAccountSelector, pod);
    parts.push({ match: m.match, text: m.match === 'no' ? `its serviceAccountSelector ${m.text} does not select service account ${pod.serviceAccount}` : `serviceAccountSelector ${m.text}` });
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
      if (entity.selector !== undefined) sub.push(podSelects(entity.selector, pod));
      const m = all(sub);
      parts.push(m.match === 'no' ? { match: 'no', text: `${who} is not selected by ${text}` } : { match: m.match, text: m.match === 'yes' ? text : m.text });
    }
  }
  if (entity.notSelector !== undefined && pod) {
    const m = podSelects(entity.notSelector, pod);
    if (m.match !== 'no') parts.push(m.match === 'yes' ? { match: 'no', text: `${who} matches notSelector ${entity.notSelector}` } : m);
  }
  const accounts = entity.serviceAccounts && accountsMatch(entity.serviceAccounts, policy, pod, who, entity.selector === undefined && namespaceSelector === undefined);
  if (accounts) parts.push(accounts);
  // A notSelector alone in a namespaced policy is scoped to its namespace too (rules.go
  // getEndpointSelector): other namespaces' pods do not pass it.
  if (entity.notSelector !== undefined && entity.selector === undefined && namespaceSelector === undefined && !accounts && policy.namespace !== null) {
    if (!pod) parts.push({ match: 'maybe', text: `${who} is not a pod: whether it is in a NetworkSet of namespace ${policy.namespace} is not read` });
    else if (pod.namespace !== policy.namespace) parts.push({ match: 'no', text: `${who} is not in namespace ${policy.namespace}` });
  }
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

/**
 * A rule's `serviceAccounts`: `names` and `selector` both, on pods only. Alone in a namespaced
 * policy's rule they are scoped to its namespace, as a `selector` is (`isScoped`).
 */
function accountsMatch(accounts: NonNullable<CalicoEntityRule['serviceAccounts']>, policy: CalicoPolicyRecord, pod: PodRecord | null, who: string, isScoped: boolean): MatchText | null {
  const names = accounts.names ?? [];
  const selector = accounts.selector?.trim() ? accounts.selector : undefined;
  if (names.length === 0 && selector === undefined) return null;
  if (!pod) return { match: 'no', text: `${who} is not a pod, and serviceAccounts match pods` };
  const parts: MatchText[] = [];
  if (isScoped && policy.namespace !== null && pod.namespace !== policy.namespace) parts.push({ match: 'no', text: `${who} is not in namespace ${policy.namespace}` });
  const account = pod.serviceAccount;
  if (names.length > 0) {
    if (account === undefined) parts.push({ match: 'maybe', text: `serviceAccounts ${names.join(', ')}: the service account of ${who} is not read` });
    else if (account.length > maxServiceAccountLabel) parts.push({ match: 'no', text: `service account ${account} of ${who} is too long for Calico's ${serviceAccountLabel} label, which serviceAccounts names match` });
    else parts.push(names.includes(account) ? { match: 'yes', text: `service account ${account}` } : { match: 'no', text: `${who} runs as service account ${account}, not ${names.join(', ')}` });
  }
  if (selector !== undefined) {
    const m = accountSelects(selector, pod);
    parts.push(m.match === 'no' ? { match: 'no', text: `service account ${account} of ${who} is not selected by ${selector}` } : { match: m.match, text: `service accounts ${m.text}` });
  }
  return all(parts);
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
