/**
 * The network model as a Graphviz digraph (DOT), for `podpath export --format dot`: a cluster
 * box per node holding its root-netns devices and its pods, each pod a cluster holding its
 * containers; Services, Ingresses and the Internet outside; veth, endpoint, Ingress→Service
 * and Internet→LoadBalancer edges. Pure and deterministic: the same topology gives the same text.
 */
import { allRelations, isExposedService, type Relation, type RelationKind } from '../model/relations.ts';
import { internetId, type Device, type EndpointRecord, type Host, type Id, type PodRecord, type Topology } from '../model/types.ts';

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks as centred `\n`. */
export function dotString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n/g, '\\n');
  // Other control characters would end the string in some parsers.
  const printable = [...escaped].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('');
  return `"${printable}"`;
}

/** A cluster subgraph's name: DOT requires the `cluster` prefix; the rest is quoted. */
function clusterName(id: Id): string {
  return dotString(`cluster_${id}`);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function endpointStyle(endpoint: EndpointRecord): { state: string; attrs: string } {
  if (endpoint.isTerminating) return { state: 'terminating', attrs: 'color="#e07912", style=dotted' };
  if (endpoint.isReady) return { state: 'ready', attrs: 'color="#2f8f5b", style=solid' };
  return { state: 'not ready', attrs: 'color="#d1342b", style=dashed' };
}

/** How each relation (shared/model/relations.ts) is written. */
const edgeStyles: Record<RelationKind, { attrs(topology: Topology, relation: Relation): string; isReversed?: boolean }> = {
  veth: {
    attrs: (topology, relation) => {
      const veth = topology.veths[relation.owner]!;
      const name = veth.hostEnd.name && veth.hostEnd.provenance !== 'unknown' ? veth.hostEnd.name : 'veth?';
      return `label=${dotString(name)}, dir=both, arrowhead=none, arrowtail=none, color="#6d7a8c"`;
    },
    // Written pod -> bridge: with rankdir=LR each pod then sits left of its node's bridge.
    isReversed: true,
  },
  endpoint: {
    attrs: (topology, relation) => {
      const endpoint = topology.endpoints[relation.owner]!;
      const { state, attrs } = endpointStyle(endpoint);
      return `${attrs}, tooltip=${dotString(`${endpoint.address} ${state}`)}`;
    },
  },
  backend: { attrs: (_, relation) => `label=${dotString((relation.routes ?? []).join(', '))}, color="#2f6fde"` },
  exposure: {
    attrs: (_, relation) =>
      relation.owner.startsWith('ing:')
        ? 'color="#2f6fde", penwidth=1.5'
        : `label=${dotString((relation.addresses ?? []).join(', ') || 'LB address pending')}, color="#2f6fde", penwidth=1.5`,
  },
};

function deviceLabel(device: Device): string {
  const name = device.name ?? device.type;
  return [name, device.type === name ? '' : device.type, device.addresses.join(', ')].filter(Boolean).join('\n');
}

function hostLabel(host: Host): string {
  return [host.name, host.internalIPs.length > 0 ? `InternalIP ${host.internalIPs.join(', ')}` : '', host.podCIDRs.length > 0 ? `podCIDR ${host.podCIDRs.join(', ')}` : '']
    .filter(Boolean)
    .join('\n');
}

function podLabel(pod: PodRecord): string {
  return `${pod.namespace}/${pod.name}\n${pod.ips.length > 0 ? pod.ips.join(', ') : 'no IP'}${pod.isHostNetwork ? ' (host network)' : ''}`;
}

export function toDot(topology: Topology, title = topology.cluster.context ?? 'cluster'): string {
  const lines: string[] = [];
  const declared = new Set<Id>();
  const out = (depth: number, line: string) => lines.push(`${'  '.repeat(depth)}${line}`);
  const declare = (depth: number, id: Id, attrs: string) => {
    declared.add(id);
    out(depth, `${dotString(id)} [${attrs}];`);
  };

  out(0, `digraph ${dotString(`podpath ${title}`)} {`);
  out(1, 'graph [rankdir=LR, compound=true, fontname="DejaVu Sans", fontsize=11, newrank=true];');
  out(1, 'node [fontname="DejaVu Sans", fontsize=10, shape=box, style="rounded"];');
  out(1, 'edge [fontname="DejaVu Sans", fontsize=9];');
  out(1, `label=${dotString(`Podpath: ${title}`)};`);
  out(1, 'labelloc=t;');

  const pods = Object.values(topology.pods).sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  const hosts = Object.values(topology.hosts).sort((a, b) => compare(a.name, b.name));
  const podsOf = (host: Id | null) => pods.filter((p) => p.host === host);

  const writePod = (depth: number, pod: PodRecord) => {
    const containers = pod.containers.map((id) => topology.containers[id]).filter((c) => c !== undefined);
    out(depth, `subgraph ${clusterName(pod.id)} {`);
    out(depth + 1, `label=${dotString(podLabel(pod))};`);
    out(depth + 1, `style=${pod.isHostNetwork ? '"rounded,dashed"' : 'rounded'};`);
    out(depth + 1, `color=${pod.isReady ? '"#3f7fd0"' : '"#d1342b"'};`);
    // The pod's own node: what veths and endpoints point at (an edge cannot end on a cluster).
    declare(depth + 1, pod.id, `label=${dotString(pod.isHostNetwork ? 'host netns' : 'eth0')}, shape=point, width=0.12, xlabel=${dotString(pod.ips.join(', '))}`);
    for (const container of containers) {
      const role = container.role === 'app' ? '' : `${container.role}: `;
      const ports = container.ports.map((p) => `:${p.port}`).join(' ');
      declare(depth + 1, container.id, `label=${dotString(`${role}${container.name}${ports ? `\n${ports}` : ''}`)}, style=${container.role === 'init' ? '"rounded,dashed"' : 'rounded'}`);
    }
    out(depth, '}');
  };

  for (const host of hosts) {
    out(1, `subgraph ${clusterName(host.id)} {`);
    out(2, `label=${dotString(hostLabel(host))};`);
    out(2, `style=${host.isReady ? 'solid' : 'dashed'};`);
    for (const id of host.devices) {
      const device = topology.devices[id];
      if (!device || device.host !== host.id) continue;
      declare(2, device.id, `label=${dotString(deviceLabel(device))}, shape=${device.type === 'bridge' ? 'box' : 'box3d'}, style=filled, fillcolor="#eef1f5"`);
    }
    for (const pod of podsOf(host.id)) writePod(2, pod);
    out(1, '}');
  }
  const unscheduled = pods.filter((p) => !p.host || !topology.hosts[p.host]);
  if (unscheduled.length > 0) {
    out(1, `subgraph ${clusterName('unscheduled')} {`);
    out(2, `label=${dotString('Unscheduled or on nodes not shown')};`);
    out(2, 'style=dashed;');
    for (const pod of unscheduled) writePod(2, pod);
    out(1, '}');
  }

  const services = Object.values(topology.services).sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  for (const service of services) {
    const address = service.isHeadless ? 'headless' : service.clusterIPs.join(', ') || service.externalName || 'no ClusterIP';
    const ports = service.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
    declare(1, service.id, `label=${dotString(`svc ${service.namespace}/${service.name}\n${service.type} · ${address}${ports ? `\n${ports}` : ''}`)}, shape=cds`);
  }
  const ingresses = Object.values(topology.ingresses).sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  for (const ingress of ingresses) {
    const hostsLine = [...new Set(ingress.rules.map((r) => r.host ?? '*'))].join(', ');
    declare(1, ingress.id, `label=${dotString(`ingress ${ingress.namespace}/${ingress.name}${hostsLine ? `\n${hostsLine}` : ''}`)}, shape=house, color="#2f6fde"`);
  }
  if (topology.external[internetId] || services.some(isExposedService) || ingresses.length > 0) {
    declare(1, internetId, 'label="Internet", shape=ellipse, style=filled, fillcolor="#dce7fa", color="#2f6fde"');
  }

  const edge = (from: Id, to: Id, attrs: string) => {
    if (declared.has(from) && declared.has(to)) out(1, `${dotString(from)} -> ${dotString(to)} [${attrs}];`);
  };
  for (const relation of allRelations(topology)) {
    const style = edgeStyles[relation.kind];
    const [from, to] = style.isReversed ? [relation.target, relation.source] : [relation.source, relation.target];
    edge(from, to, style.attrs(topology, relation));
  }
  out(0, '}');
  return `${lines.join('\n')}\n`;
}
