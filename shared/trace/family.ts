/**
 * The address family a trace runs in (issue 15, dual stack). A destination written as an address
 * is in its own family; a pod, node or Service named is traced in the family asked for
 * (`podpath trace --family 4|6`), else in the family of the sender's primary IP — as a client
 * that connects to the first address it has would — with a note naming the other family where
 * both ends have it. Every address the path picks from a record (a pod's `ips`, a Service's
 * `clusterIPs`, a node's InternalIPs) is then the one of that family, and so are the rules shown:
 * ip6tables and nftables' `ip6` table for IPv6.
 */
import type { Host, Id, PodRecord, ServiceRecord, Topology } from '../model/types.ts';
import { parseIPStrict } from '../net/ip.ts';
import { kubectlObject, sh } from '../text/shell.ts';
import { parseEndpoint, type Endpoint } from './endpoints.ts';
import { block, end, type Ctx, type Outcome } from './outcome.ts';
import { hop, serviceLabel } from './path/hop.ts';
import type { Hop, Packet, Trace, TraceEnd } from './types.ts';

export type Family = 4 | 6;

export const familyOf = (address: string): Family => (address.includes(':') ? 6 : 4);

/** An address standing for the family, for the helpers that pick "the address of `dst`'s family". */
export const familyProbe = (family: Family): string => (family === 6 ? '::' : '0.0.0.0');

export function inFamily(addresses: readonly string[], family: Family): string | undefined {
  return addresses.find((a) => familyOf(a) === family);
}

/** A load balancer's address to enter by in `family`: the first of the family, or a hostname (a
 * cloud load balancer's DNS name answers in the families it has), else none. */
export function entryIn(addresses: readonly string[], family: Family): string | undefined {
  return addresses.find((a) => !parseIPStrict(a) || familyOf(a) === family);
}

/** The address a destination's text is written as (`IP`, `IP:port`, `[v6]:port`, a URL's host), if it is one. */
export function writtenAddress(text: string): string | null {
  const trimmed = text.trim();
  const host = /^https?:\/\/(\[[^\]]+\]|[^/:]+)/i.exec(trimmed)?.[1] ?? /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed)?.[1] ?? /^([\d.]+)(?::\d+)?$/.exec(trimmed)?.[1] ?? trimmed;
  const bare = host.replace(/^\[|\]$/g, '');
  return parseIPStrict(bare) ? bare : null;
}

/** The Service a DNS name in the destination means, read as the sender's resolver would for the
 * usual forms (`name` in the sender's namespace, `name.ns`, `name.ns.svc[.cluster.local]`). */
function serviceNamed(topology: Topology, from: Endpoint, name: string): ServiceRecord | undefined {
  const labels = name.replace(/\.$/, '').split('.');
  const namespace = labels.length === 1 ? (from.kind === 'pod' ? from.pod.namespace : null) : labels[1];
  const isServiceName = labels.length <= 2 || labels[2] === 'svc';
  return namespace && isServiceName ? topology.services[`svc:${namespace}/${labels[0] ?? ''}`] : undefined;
}

/** The addresses a destination is reached at from `from`: from outside the cluster, a Service's
 * or Ingress's load balancer (where it has one), from inside its ClusterIPs. */
function addressesOf(topology: Topology, from: Endpoint, to: Endpoint): readonly string[] {
  switch (to.kind) {
    case 'pod':
      return to.pod.ips;
    case 'node':
      return to.host.internalIPs;
    case 'service':
      return from.kind === 'external' && to.service.loadBalancerIngress.length > 0 ? to.service.loadBalancerIngress : to.service.clusterIPs;
    case 'ingress':
      return to.ingress.loadBalancerIngress;
    case 'gateway':
      return to.gateway.addresses;
    case 'name':
      return serviceNamed(topology, from, to.name)?.clusterIPs ?? [];
    default:
      return [];
  }
}

/** The families a destination has addresses in (none: the internet, a name outside the cluster). */
function familiesOf(topology: Topology, from: Endpoint, to: Endpoint): Family[] {
  return [...new Set(addressesOf(topology, from, to).filter((a) => parseIPStrict(a)).map(familyOf))];
}

/** Whether the sender (a pod or node) or the destination written has addresses of both families:
 * only then is there a family to choose (the trace panel's IPv4 / IPv6 control). */
export function isEitherEndDualStack(topology: Topology, fromText: string, toText: string): boolean {
  const from = parseEndpoint(topology, fromText, 'from');
  const to = parseEndpoint(topology, toText, 'to', { from });
  const sender = from.kind === 'pod' ? from.pod.ips : from.kind === 'node' ? from.host.internalIPs : [];
  return [sender, addressesOf(topology, from, to)].some((addresses) => new Set(addresses.filter((a) => parseIPStrict(a)).map(familyOf)).size === 2);
}

/** The sender's primary IP: the first of the pod's `ips` (status.podIPs[0]), the node's first InternalIP. */
function primaryAddress(from: Endpoint): string | null {
  if (from.kind === 'pod') return from.pod.ips[0] ?? null;
  if (from.kind === 'node') return from.host.internalIPs[0] ?? null;
  if (from.kind === 'external') return from.ip;
  return null;
}

export type FamilyChoice = { family: Family; note: string } | { error: string };

/**
 * The family of a trace from `from` to `to` (the destination written as `toText`), `asked` the
 * family the user gave. An address written with the other family than asked is an error.
 */
export function traceFamily(topology: Topology, from: Endpoint, to: Endpoint, toText: string, asked: Family | undefined): FamilyChoice {
  const written = writtenAddress(toText);
  if (written) {
    const family = familyOf(written);
    if (asked !== undefined && asked !== family) return { error: `"${toText}" is an IPv${family} address, but IPv${asked} is asked for: give an IPv${asked} address, or leave the family out` };
    return { family, note: '' };
  }
  if (asked !== undefined) return { family: asked, note: '' };
  const primary = primaryAddress(from);
  const family = primary ? familyOf(primary) : 4;
  const other: Family = family === 4 ? 6 : 4;
  const senderHasOther = from.kind !== 'pod' || from.pod.ips.some((ip) => familyOf(ip) === other);
  const families = familiesOf(topology, from, to);
  const who = from.kind === 'pod' ? `${from.pod.namespace}/${from.pod.name}` : from.kind === 'node' ? `node ${from.host.name}` : 'the sender';
  // The internet has no primary IP: IPv4, as most clients still are.
  const why = primary ? `the family of ${who}'s primary IP ${primary}` : 'as most clients on the internet are';
  // A destination with addresses of the other family only is reached in it, where the sender has it
  // too: a dual-stack client resolving a single-stack IPv6 Service gets AAAA records only.
  if (families.length === 1 && families[0] === other && senderHasOther) return { family: other, note: `Traced in IPv${other}: the destination has IPv${other} addresses only.` };
  const hasOther = families.includes(other) && senderHasOther;
  const whoHas = primary ? 'both ends have' : 'the destination has';
  return { family, note: hasOther ? `Traced in IPv${family}, ${why}; ${whoHas} IPv${other} too (--family ${other}).` : '' };
}

/** A trace's summary without the family note traceFamily added to it (its last line), and the note. */
export function splitFamilyNote(summary: string): { summary: string; note: string | null } {
  const at = summary.lastIndexOf('\nTraced in IPv');
  return at < 0 ? { summary, note: null } : { summary: summary.slice(0, at), note: summary.slice(at + 1) };
}

/** Why `pod` cannot take part in a trace in `family`, or null when it has an address of it. */
export function podLacksFamily(pod: PodRecord, family: Family, role: 'sender' | 'destination'): string | null {
  if (pod.ips.length === 0 || inFamily(pod.ips, family)) return null;
  const stack = `its IPs are ${pod.ips.join(', ')}: the pod is single-stack IPv${family === 6 ? 4 : 6}`;
  return role === 'sender' ? `${pod.namespace}/${pod.name} has no IPv${family} address to send from (${stack})` : `${pod.namespace}/${pod.name} has no IPv${family} address (${stack})`;
}

/** The ClusterIP of `service` in `family`, or null. */
export function clusterIPIn(service: ServiceRecord, family: Family): string | null {
  return inFamily(service.clusterIPs, family) ?? null;
}

/** A Service with ClusterIPs, none of them in `family`: why, and the fix (its ipFamilyPolicy). */
export function noClusterIPIn(service: ServiceRecord, family: Family): { summary: string; fix: string } {
  const policy = service.ipFamilyPolicy ?? 'SingleStack';
  const families = service.ipFamilies?.length ? service.ipFamilies.join(', ') : `IPv${familyOf(service.clusterIPs[0] ?? '')}`;
  const name = serviceLabel(service);
  const fix =
    policy === 'SingleStack'
      ? `set spec.ipFamilyPolicy: PreferDualStack (or RequireDualStack) on ${name}, so it gets an IPv${family} ClusterIP too (the cluster must be dual-stack: an IPv${family} service-cluster-ip-range)`
      : `${name} is ${policy} but got no IPv${family} ClusterIP: the cluster has no IPv${family} service-cluster-ip-range; add one to the API server's --service-cluster-ip-range, then recreate the Service`;
  return { summary: `${name} has no IPv${family} ClusterIP: ipFamilyPolicy ${policy}, ipFamilies ${families}, ClusterIPs ${service.clusterIPs.join(', ')}`, fix };
}

/** The path to a Service that has no ClusterIP of the trace's family ends at the Service, blocked
 * there with the fix. `packet` is addressed to the Service's name: it has no address to go to. */
export function noClusterIPOutcome(ctx: Ctx, node: Id, service: ServiceRecord, prefix: Hop[], packet: Packet): Outcome {
  const why = noClusterIPIn(service, ctx.family);
  const stop = hop('service', why.summary, packet, [service.id], node, [
    { text: `spec.ipFamilyPolicy ${service.ipFamilyPolicy ?? 'SingleStack'}, spec.ipFamilies ${service.ipFamilies?.join(', ') ?? '(unset)'}`, object: service.id, field: 'spec.ipFamilyPolicy', command: sh`kubectl get ${kubectlObject('svc', service.name, service.namespace)} -o jsonpath='{.spec.ipFamilyPolicy} {.spec.ipFamilies} {.spec.clusterIPs}'` },
  ]);
  block(ctx, stop, { kind: 'no-route', line: why.summary, fix: why.fix, subject: service.id, denial: null });
  return end([...prefix, stop], 'no-route', `${why.summary}: an IPv${ctx.family} client has nothing to connect to.`);
}

/** The node's address in `family` (its first InternalIP of it), else its first. */
export function nodeAddressIn(host: Host, family: Family): string {
  return inFamily(host.internalIPs, family) ?? host.internalIPs[0] ?? '';
}

/** An end as the result names it, with the address of the trace's family where its record has one. */
export function endInFamily(end: TraceEnd, endpoint: Endpoint, family: Family): TraceEnd {
  if (end.ip === null || familyOf(end.ip) === family) return end;
  const addresses = endpoint.kind === 'pod' ? endpoint.pod.ips : endpoint.kind === 'node' ? endpoint.host.internalIPs : endpoint.kind === 'service' ? endpoint.service.clusterIPs : endpoint.kind === 'ingress' ? endpoint.ingress.loadBalancerIngress : endpoint.kind === 'gateway' ? endpoint.gateway.addresses : [];
  const ip = inFamily(addresses, family);
  return ip ? { ...end, ip } : end;
}

/** iptables-save in a command becomes ip6tables-save for a hop whose packet is IPv6: kube-proxy,
 * portmap and the CNIs write their IPv6 rules with ip6tables. */
function hopInFamily(hop: Hop): Hop {
  if (familyOf(hop.packet.dst) !== 6 || !hop.evidence.some((e) => e.command?.includes('iptables-save'))) return hop;
  return { ...hop, evidence: hop.evidence.map((e) => (e.command ? { ...e, command: e.command.replace(/(^|[^6])iptables-save/g, '$1ip6tables-save') } : e)) };
}

/** A trace whose evidence commands read the rules of each hop's family. */
export function withFamilyCommands(trace: Trace): Trace {
  return {
    ...trace,
    hops: trace.hops.map(hopInFamily),
    branches: trace.branches.map((b) => ({ ...b, hops: b.hops.map(hopInFamily) })),
    ...(trace.dns ? { dns: { ...trace.dns, hops: trace.dns.hops.map(hopInFamily) } } : {}),
  };
}
