/**
 * What changed between two snapshots, for people (`podpath diff A.json B.json`) and scripts
 * (`--json`): nodes, pods, Services, endpoints, Ingresses and NetworkPolicies added, removed or
 * changed, which fields changed, and which IP addresses appeared, disappeared or moved to
 * another owner.
 *
 * It reads the delta `diff()` gives between the two derived models and compares each touched
 * element field by field, on the facts a user reads (a pod's IPs, a Service's ClusterIPs), not
 * on raw records: a Service whose only change is a kube-proxy endpoint chain is not reported,
 * its endpoints are.
 */
import { servicePortText } from '../describe.ts';
import type { Host, Id, ModelElement, PodRecord, Topology } from '../model/types.ts';
import { diff } from '../topology/diff.ts';

export const diffReportFormat = 'podpath.diff';
export const diffReportVersion = 1;

export type DiffKind = 'node' | 'pod' | 'service' | 'endpoint' | 'ingress' | 'policy';

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

// ————————————————————————————————————————————————————————————————————————————————————————————
// The facts compared, per kind: name → value as text. A field missing on one side is ''.

type Facts = Record<string, string>;

const list = (values: readonly string[]): string => values.join(', ');
const labelsText = (labels: Record<string, string> | null): string =>
  labels === null ? '(none)' : Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(', ');

function compact(value: unknown, max = 160): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function nodeName(topology: Topology, id: Id | null): string {
  if (!id) return '';
  return topology.hosts[id]?.name ?? id.replace(/^node:/, '');
}

function podFacts(topology: Topology, pod: PodRecord): Facts {
  const veth = pod.veth ? topology.veths[pod.veth] : undefined;
  return {
    uid: pod.uid,
    IP: list(pod.ips),
    node: nodeName(topology, pod.host),
    phase: pod.phase,
    ready: String(pod.isReady),
    hostNetwork: String(pod.isHostNetwork),
    containers: list(
      pod.containers.map((id) => {
        const c = topology.containers[id];
        return c ? `${c.name}${c.role === 'app' ? '' : ` (${c.role})`} ${c.image ?? ''}`.trim() : id;
      }),
    ),
    veth: veth ? (veth.hostEnd.provenance !== 'unknown' && veth.hostEnd.name ? `${veth.hostEnd.name} (${veth.hostEnd.provenance})` : 'name unknown') : '',
    labels: labelsText(pod.labels),
  };
}

function hostFacts(topology: Topology, host: Host): Facts {
  return {
    ready: String(host.isReady),
    InternalIP: list(host.internalIPs),
    ExternalIP: list(host.externalIPs),
    podCIDRs: list(host.podCIDRs),
    devices: list(
      host.devices.map((id) => {
        const d = topology.devices[id];
        return d ? `${d.role ?? d.type} ${d.name ?? '?'}` : id;
      }),
    ),
  };
}

function factsOf(topology: Topology, kind: DiffKind, id: Id): Facts | null {
  switch (kind) {
    case 'pod': {
      const pod = topology.pods[id];
      return pod ? podFacts(topology, pod) : null;
    }
    case 'node': {
      const host = topology.hosts[id];
      return host ? hostFacts(topology, host) : null;
    }
    case 'service': {
      const s = topology.services[id];
      if (!s) return null;
      return {
        type: s.type,
        clusterIP: s.isHeadless ? 'None (headless)' : list(s.clusterIPs),
        ports: list(s.ports.map((p) => `${p.name ? `${p.name} ` : ''}${servicePortText(p)}`)),
        selector: labelsText(s.selector),
        externalIPs: list(s.externalIPs),
        loadBalancer: list(s.loadBalancerIngress),
        externalName: s.externalName ?? '',
        externalTrafficPolicy: s.externalTrafficPolicy ?? '',
        internalTrafficPolicy: s.internalTrafficPolicy,
        sessionAffinity: s.sessionAffinity,
      };
    }
    case 'endpoint': {
      const e = topology.endpoints[id];
      if (!e) return null;
      const pod = e.pod ? topology.pods[e.pod] : undefined;
      return {
        ready: String(e.isReady),
        serving: String(e.isServing),
        terminating: String(e.isTerminating),
        node: e.nodeName ?? '',
        zone: e.zone ?? '',
        pod: pod ? `${pod.namespace}/${pod.name}` : '',
        ports: list(e.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`)),
      };
    }
    case 'ingress': {
      const i = topology.ingresses[id];
      if (!i) return null;
      return {
        class: i.className ?? '',
        address: list(i.loadBalancerIngress),
        rules: list(i.rules.map((r) => `${r.host ?? '*'}${r.path ?? '/'} → ${r.service.replace(/^svc:/, '')}${r.port !== null ? `:${r.port}` : ''}`)),
        tlsHosts: list(i.tlsHosts),
      };
    }
    case 'policy': {
      const p = topology.policies[id];
      if (!p) return null;
      return {
        policyTypes: list(p.policyTypes),
        podSelector: compact(p.spec.podSelector),
        ingress: compact(p.spec.ingress ?? []),
        egress: compact(p.spec.egress ?? []),
      };
    }
  }
}

function nameOf(topology: Topology, kind: DiffKind, id: Id): string {
  switch (kind) {
    case 'pod': {
      const p = topology.pods[id];
      return p ? `${p.namespace}/${p.name}` : id;
    }
    case 'node':
      return topology.hosts[id]?.name ?? id;
    case 'endpoint': {
      const e = topology.endpoints[id];
      return e ? `${e.service.replace(/^svc:/, '')} ${e.address}` : id;
    }
    default: {
      const element = (topology[collectionOf[kind]] as Record<Id, { namespace?: string; name?: string }>)[id];
      return element?.name ? `${element.namespace ? `${element.namespace}/` : ''}${element.name}` : id;
    }
  }
}

function summaryOf(topology: Topology, kind: DiffKind, id: Id): string {
  switch (kind) {
    case 'pod': {
      const p = topology.pods[id];
      if (!p) return '';
      const where = p.host ? `on ${nodeName(topology, p.host)}` : 'unscheduled';
      return `${p.ips.length > 0 ? list(p.ips) : 'no IP'} ${where}${p.isHostNetwork ? ' (host network)' : ''}`;
    }
    case 'node': {
      const h = topology.hosts[id];
      return h ? `InternalIP ${list(h.internalIPs) || 'none'}, podCIDRs ${list(h.podCIDRs) || 'none'}` : '';
    }
    case 'service': {
      const s = topology.services[id];
      if (!s) return '';
      const address = s.type === 'ExternalName' ? `→ ${s.externalName ?? '?'}` : s.isHeadless ? 'headless' : list(s.clusterIPs) || 'no ClusterIP';
      return `${s.type} ${address}${s.ports.length > 0 ? ` ${list(s.ports.map(servicePortText))}` : ''}`;
    }
    case 'endpoint': {
      const e = topology.endpoints[id];
      if (!e) return '';
      const pod = e.pod ? topology.pods[e.pod] : undefined;
      const state = e.isTerminating ? 'terminating' : e.isReady ? 'ready' : 'not ready';
      return `${state}${pod ? `, pod ${pod.namespace}/${pod.name}` : ''}${e.nodeName ? ` on ${e.nodeName}` : ''}`;
    }
    case 'ingress': {
      const i = topology.ingresses[id];
      return i ? `${i.rules.length} rule${i.rules.length === 1 ? '' : 's'}${i.loadBalancerIngress.length > 0 ? ` at ${list(i.loadBalancerIngress)}` : ''}` : '';
    }
    case 'policy': {
      const p = topology.policies[id];
      return p ? list(p.policyTypes) : '';
    }
  }
}

const collectionOf = {
  node: 'hosts',
  pod: 'pods',
  service: 'services',
  endpoint: 'endpoints',
  ingress: 'ingresses',
  policy: 'policies',
} as const satisfies Record<DiffKind, keyof Topology>;

const kinds = Object.keys(collectionOf) as DiffKind[];

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

// ————————————————————————————————————————————————————————————————————————————————————————————
// Text

const sectionNames: [keyof Pick<DiffReport, 'nodes' | 'pods' | 'services' | 'endpoints' | 'ingresses' | 'policies'>, string, string][] = [
  ['nodes', 'node', 'nodes'],
  ['pods', 'pod', 'pods'],
  ['services', 'service', 'Services'],
  ['endpoints', 'endpoint', 'endpoints'],
  ['ingresses', 'ingress', 'Ingresses'],
  ['policies', 'policy', 'policies'],
];

function changeText(change: FieldChange): string {
  if (change.from === '') return `${change.field} ${change.to} (new)`;
  if (change.to === '') return `${change.field} ${change.from} (gone)`;
  return `${change.field} ${change.from} → ${change.to}`;
}

function sideText(side: DiffSide): string {
  const details = [side.context, side.capturedAt].filter(Boolean).join(', ');
  return `${side.label ?? side.context ?? 'snapshot'}${details ? ` (${details})` : ''}`;
}

/**
 * One line per change: `+ pod shop/web-3 10.244.1.7 on worker-1`,
 * `~ service shop/web: clusterIP 10.96.0.5 → 10.96.0.9`, `- policy shop/deny-all`, and
 * `@ 10.244.1.5: pod shop/web-1 → pod shop/web-9` for an address that changed owner.
 */
export function formatDiffReport(report: DiffReport): string {
  const out = [`${sideText(report.from)} → ${sideText(report.to)}`];
  for (const change of report.cluster) out.push(`~ cluster: ${changeText(change)}`);
  for (const [key, noun] of sectionNames) {
    const section = report[key];
    for (const e of section.added) out.push(`+ ${noun} ${e.name}${e.summary ? ` ${e.summary}` : ''}`);
    for (const e of section.removed) out.push(`- ${noun} ${e.name}${e.summary ? ` ${e.summary}` : ''}`);
    for (const e of section.changed) {
      const changes = e.changes.map((c) => (c.field === 'uid' ? `recreated (uid ${c.from} → ${c.to})` : changeText(c)));
      out.push(`~ ${noun} ${e.name}: ${changes.join('; ')}`);
    }
  }
  // Addresses that moved from one owner to another; plain arrivals and departures are already
  // told by the lines above.
  for (const ip of report.ips) if (ip.from && ip.to) out.push(`@ ${ip.ip}: ${ip.from} → ${ip.to}`);
  if (report.total === 0) out.push('No differences.');
  else {
    const counts = sectionNames
      .map(([key, noun, plural]) => {
        const n = report[key].added.length + report[key].removed.length + report[key].changed.length;
        return n > 0 ? `${n} ${n === 1 ? noun : plural}` : null;
      })
      .filter(Boolean);
    out.push(`${counts.length > 0 ? counts.join(', ') : 'no element changes'}${report.ips.length > 0 ? `; ${report.ips.length} IP address${report.ips.length === 1 ? '' : 'es'}` : ''}`);
  }
  return out.join('\n') + '\n';
}
