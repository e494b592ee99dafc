/**
 * The facts a diff report compares, per kind of element: name → value as text, as a user reads
 * them (a pod's IPs, a Service's ClusterIPs), not the raw records. A field missing on one side
 * is ''. Also each element's name and one-line summary, as the report shows them.
 */
import { servicePortText } from '../model/text.ts';
import type { Host, Id, PodRecord, Topology } from '../model/types.ts';

export type DiffKind = 'node' | 'pod' | 'service' | 'endpoint' | 'ingress' | 'policy';

export type Facts = Record<string, string>;

export const list = (values: readonly string[]): string => values.join(', ');
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

export function factsOf(topology: Topology, kind: DiffKind, id: Id): Facts | null {
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

export function nameOf(topology: Topology, kind: DiffKind, id: Id): string {
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

export function summaryOf(topology: Topology, kind: DiffKind, id: Id): string {
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

export const kinds = Object.keys(collectionOf) as DiffKind[];
