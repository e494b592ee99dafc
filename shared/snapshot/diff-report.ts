/**
 * What changed between two snapshots, for `podpath diff A.json B.json` (diff-text.ts writes it
 * for people; `--json` prints it as is): nodes, pods, Services, endpoints, Ingresses and
 * NetworkPolicies added, removed or changed, which fields changed, and which IP addresses
 * appeared, disappeared or moved to another owner.
 *
 * It reads the delta `diff()` gives between the two derived models and compares each touched
 * element field by field, on the facts a user reads (diff-facts.ts), not on raw records: a
 * Service whose only change is a kube-proxy endpoint chain is not reported, its endpoints are.
 */
import type { Id, ModelElement, Topology } from '../model/types.ts';
import { diff } from '../topology/diff.ts';
import { factsOf, kinds, list, nameOf, summaryOf, type DiffKind, type Facts } from './diff-facts.ts';

export const diffReportFormat = 'podpath.diff';
export const diffReportVersion = 1;

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface DiffEntry {
  id: Id;
  /** `namespace/name`; a node's name; an endpoint as `namespace/service address`. */
  name: string;
  /** The element's main facts in a few words, e.g. `10.244.1.7 on worker-1`. */
  summary: string;
}

export interface ChangedEntry extends DiffEntry {
  changes: FieldChange[];
}

export interface DiffSection {
  added: DiffEntry[];
  removed: DiffEntry[];
  changed: ChangedEntry[];
}

export interface IpOwnerChange {
  ip: string;
  /** e.g. `pod shop/web-3`, `service shop/web`, `node worker-1`. */
  from: string | null;
  to: string | null;
}

export interface DiffSide {
  /** The file name or other label the caller gave. */
  label: string | null;
  context: string | null;
  capturedAt: string | null;
}

export interface DiffReport {
  format: typeof diffReportFormat;
  version: typeof diffReportVersion;
  from: DiffSide;
  to: DiffSide;
  /** CNI, proxy mode, pod CIDRs, Kubernetes version. */
  cluster: FieldChange[];
  nodes: DiffSection;
  pods: DiffSection;
  services: DiffSection;
  endpoints: DiffSection;
  ingresses: DiffSection;
  policies: DiffSection;
  /** Addresses that appeared (`from` null), disappeared (`to` null) or changed owner. */
  ips: IpOwnerChange[];
  /** How many entries there are in all, IPs included; 0 when the models are the same. */
  total: number;
}

/** The reported element an element of the delta belongs to: a container or veth to its pod, a
 * device to its node. Null for elements not reported (namespaces, the internet). */
function reportedOwner(id: Id): { kind: DiffKind; id: Id } | null {
  const colon = id.indexOf(':');
  const prefix = id.slice(0, colon);
  const rest = id.slice(colon + 1);
  switch (prefix) {
    case 'pod':
      return { kind: 'pod', id };
    case 'ctr':
      return { kind: 'pod', id: `pod:${rest.slice(0, rest.indexOf('/'))}` };
    case 'veth':
      return { kind: 'pod', id: `pod:${rest}` };
    case 'node':
      return { kind: 'node', id };
    case 'dev':
      return { kind: 'node', id: `node:${rest.slice(0, rest.indexOf('/'))}` };
    case 'svc':
      return { kind: 'service', id };
    case 'ep':
      return { kind: 'endpoint', id };
    case 'ing':
      return { kind: 'ingress', id };
    case 'netpol':
      return { kind: 'policy', id };
    default:
      return null;
  }
}

function changesBetween(before: Facts, after: Facts): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[field] ?? '';
    const to = after[field] ?? '';
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}

/** Every address an element holds in the model, with its owner in words. */
function ipOwners(topology: Topology): Map<string, string> {
  const owners = new Map<string, string[]>();
  const add = (ip: string, owner: string) => {
    const list = owners.get(ip);
    if (list) list.push(owner);
    else owners.set(ip, [owner]);
  };
  for (const host of Object.values(topology.hosts)) for (const ip of [...host.internalIPs, ...host.externalIPs]) add(ip, `node ${host.name}`);
  // A hostNetwork pod holds its node's address, not one of its own.
  for (const pod of Object.values(topology.pods)) if (!pod.isHostNetwork) for (const ip of pod.ips) add(ip, `pod ${pod.namespace}/${pod.name}`);
  for (const s of Object.values(topology.services)) {
    for (const ip of s.clusterIPs) add(ip, `service ${s.namespace}/${s.name}`);
    for (const ip of s.loadBalancerIngress) add(ip, `service ${s.namespace}/${s.name} (LoadBalancer)`);
  }
  return new Map([...owners].map(([ip, list]) => [ip, [...new Set(list)].sort().join(', ')]));
}

function compareIps(a: Topology, b: Topology): IpOwnerChange[] {
  const before = ipOwners(a);
  const after = ipOwners(b);
  const changes: IpOwnerChange[] = [];
  for (const ip of new Set([...before.keys(), ...after.keys()])) {
    const from = before.get(ip) ?? null;
    const to = after.get(ip) ?? null;
    if (from !== to) changes.push({ ip, from, to });
  }
  return changes.sort((x, y) => compareIp(x.ip, y.ip));
}

/** Numeric order for IPv4, then text order (IPv6, hostnames). */
function compareIp(a: string, b: string): number {
  const pa = /^\d+\.\d+\.\d+\.\d+$/.test(a) ? a.split('.').map(Number) : null;
  const pb = /^\d+\.\d+\.\d+\.\d+$/.test(b) ? b.split('.').map(Number) : null;
  if (pa && pb) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function clusterChanges(a: Topology, b: Topology): FieldChange[] {
  const facts = (t: Topology): Facts => {
    const cni = t.cluster.cni.value;
    return {
      CNI: `${cni.name}${cni.datapath !== 'unknown' ? ` · ${cni.datapath}` : ''}${cni.encapsulation ? ` ${cni.encapsulation.toUpperCase()}` : ''}`,
      'proxy mode': t.cluster.proxyMode.value,
      'pod CIDRs': list(t.cluster.podCIDRs),
      Kubernetes: t.cluster.kubernetesVersion ?? '',
    };
  };
  return changesBetween(facts(a), facts(b));
}

const byName = (x: DiffEntry, y: DiffEntry): number => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.id < y.id ? -1 : 1);

/** The report of what changed from model `a` to model `b`. */
export function diffReport(a: Topology, b: Topology, labels: { from?: string | null; to?: string | null } = {}): DiffReport {
  const delta = diff(a, b, 0);
  const touched = new Map<DiffKind, Set<Id>>(kinds.map((k) => [k, new Set<Id>()]));
  const touch = (id: Id) => {
    const owner = reportedOwner(id);
    if (owner) touched.get(owner.kind)?.add(owner.id);
  };
  for (const element of [...delta.added, ...delta.updated] as ModelElement[]) touch(element.id);
  for (const id of delta.removed) touch(id);

  const sections = {} as Record<DiffKind, DiffSection>;
  for (const kind of kinds) {
    const section: DiffSection = { added: [], removed: [], changed: [] };
    for (const id of touched.get(kind) ?? []) {
      const before = factsOf(a, kind, id);
      const after = factsOf(b, kind, id);
      if (!before && after) section.added.push({ id, name: nameOf(b, kind, id), summary: summaryOf(b, kind, id) });
      else if (before && !after) section.removed.push({ id, name: nameOf(a, kind, id), summary: summaryOf(a, kind, id) });
      else if (before && after) {
        const changes = changesBetween(before, after).filter((c) => c.field !== 'uid');
        if (changes.length > 0) section.changed.push({ id, name: nameOf(b, kind, id), summary: summaryOf(b, kind, id), changes });
      }
    }
    if (kind === 'pod') pairRecreatedPods(a, b, section);
    section.added.sort(byName);
    section.removed.sort(byName);
    section.changed.sort(byName);
    sections[kind] = section;
  }

  const cluster = clusterChanges(a, b);
  const ips = compareIps(a, b);
  let total = cluster.length + ips.length;
  for (const kind of kinds) total += sections[kind].added.length + sections[kind].removed.length + sections[kind].changed.length;
  const side = (t: Topology, label: string | null | undefined): DiffSide => ({
    label: label ?? null,
    context: t.cluster.context,
    capturedAt: t.cluster.capturedAt,
  });
  return {
    format: diffReportFormat,
    version: diffReportVersion,
    from: side(a, labels.from),
    to: side(b, labels.to),
    cluster,
    nodes: sections.node,
    pods: sections.pod,
    services: sections.service,
    endpoints: sections.endpoint,
    ingresses: sections.ingress,
    policies: sections.policy,
    ips,
    total,
  };
}

/**
 * A pod deleted and created again under the same name (a StatefulSet replica, a static pod) has
 * a new uid, so the delta has it removed and added; a user sees the same pod with, say, a new
 * IP. Such pairs are reported as one changed pod, with the uid among its changes.
 */
function pairRecreatedPods(a: Topology, b: Topology, section: DiffSection): void {
  const removedByName = new Map(section.removed.map((entry) => [entry.name, entry]));
  const added: DiffEntry[] = [];
  for (const entry of section.added) {
    const old = removedByName.get(entry.name);
    const before = old ? factsOf(a, 'pod', old.id) : null;
    const after = factsOf(b, 'pod', entry.id);
    if (!old || !before || !after) {
      added.push(entry);
      continue;
    }
    removedByName.delete(entry.name);
    section.changed.push({ ...entry, changes: changesBetween(before, after) });
  }
  section.added = added;
  section.removed = [...removedByName.values()];
}
