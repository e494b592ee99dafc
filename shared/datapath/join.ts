/**
 * The join between what the Kubernetes API says and what a node's datapath shows (issue 13):
 * which veth is which pod's, which bridge and tunnel are the ones the CNI is known to make, and
 * the words every observed fact carries ("`ip -j -d link` on node lab-1 via netns/…, read at
 * …"). Derive (shared/topology) puts the results on the model; the doctor (doctor/datapath.ts)
 * joins the model's `Host.observed` with the objects as they are now.
 *
 * A pod is matched to its veth by the pod its netns reading names (the probe knows it from the
 * container runtime), else by its IP: the eth0 address read in its netns, a /32 route to the
 * veth (routed CNIs), or the bridge's neighbour entry for the IP and FDB entry for that MAC
 * (bridge CNIs). A veth whose netns names another pod, or holds other addresses, is never given
 * to this one on the strength of a table entry.
 */
import type { HostObservation } from '../model/types.ts';
import { bareAddress } from '../net/ip.ts';
import { parseIpAddr } from './ip-addr.ts';
import { observeNode } from './observe.ts';
import { DatapathParseError } from './parse-error.ts';
import { nodeCommands, type CommandResult, type NodeCommand, type NodeReading, type PodNetnsReading } from './reading.ts';
import { routeFor } from './routes.ts';
import type { ObservedDevice, ObservedNode, ObservedVeth, Unread } from './types.ts';

/** One node's reading, observed and indexed for derive. Built once per full derive. */
export interface NodeDatapath {
  observed: ObservedNode;
  /** What the model keeps of it (`Host.observed`). */
  observation: HostObservation;
  /** `on node lab-1 via netns/pp-lab-node, read at 2026-01-01T00:00:00Z`. */
  where: string;
  /** The bridge most pod veths hang from: the one the model draws as the node's bridge. */
  podBridge: ObservedDevice | null;
  /** Whether the reading can tell that a pod has no veth: the root netns's links were read, and
   * no pod netns that might be the pod's went unread. */
  canTellVeths: boolean;
}

export interface VethMatch {
  veth: ObservedVeth;
  /** How the pod was recognised, for the evidence: `the pod netns's pod shop/web-0`. */
  by: string;
}

/** The pod fields the join reads (a trimmed Pod's, or a PodRecord's). */
export interface PodKey {
  namespace: string;
  name: string;
  uid: string;
  ips: string[];
}

// observeNode parses every command; a reading is immutable, so a full derive that sees the same
// reading again (a Node changed, a relist) reuses the result.
const observedCache = new WeakMap<NodeReading, ObservedNode>();

function observed(reading: NodeReading): ObservedNode {
  let node = observedCache.get(reading);
  if (!node) {
    node = observeNode(reading);
    observedCache.set(reading, node);
  }
  return node;
}

const bare = (cidr: string) => cidr.split('/')[0] as string;

/** Whether a root-namespace command was read (and parsed). */
export function wasRead(observation: Pick<HostObservation, 'read'>, key: NodeCommand): boolean {
  return observation.read.includes(key);
}

/** Whether a command ran and its output parsed (observeNode lists the ones that did not, by the
 * command the probe ran, which may be spelled otherwise than `nodeCommands`). */
function isParsed(result: CommandResult | undefined, unread: Unread[], netns?: string): boolean {
  return result?.status === 'ok' && !unread.some((u) => u.status === 'unparsable' && u.command === result.command && u.netns === netns);
}

/** `on node X via <source>/<target>, read at <time>`. */
export function whereRead(node: string, observation: Pick<HostObservation, 'source' | 'target' | 'readAt'>): string {
  return `on node ${node} via ${observation.source}/${observation.target}, read at ${observation.readAt}`;
}

/** The command whose output named the links: `ip -j -d link`, or `ip -j addr` without it. */
export function linkCommand(observation: Pick<HostObservation, 'read'>): string {
  return wasRead(observation, 'links') ? nodeCommands.links : nodeCommands.addresses;
}

export function indexReading(reading: NodeReading): NodeDatapath {
  const node = observed(reading);
  const netnsWithVeth = new Set(node.veths.flatMap((v) => (v.netns === null ? [] : [v.netns])));
  const unread = [...node.unread];
  const podVeths = node.devices.filter((d) => d.role === 'pod-veth');
  // A probe that entered no pod netns on a node with pod veths cannot say whose they are; say so.
  if (reading.pods.length === 0 && podVeths.length > 0) {
    unread.push({ command: 'pod network namespaces', status: 'not-read', message: `No pod netns was read, though ${podVeths.length} veths lead into some.` });
  }
  const observation: HostObservation = {
    readAt: node.readAt,
    source: reading.source,
    target: node.target,
    read: (Object.keys(nodeCommands) as NodeCommand[]).filter((key) => isParsed(reading.commands[key], node.unread)),
    unread,
    veths: node.veths,
    strayNetns: reading.pods
      .filter((p) => !netnsWithVeth.has(p.netns))
      .map((p) => ({ netns: p.netns, nsid: p.nsid, pod: p.pod, addresses: eth0Addresses(p) })),
    routes: node.routes.filter((r) => r.table === 'main'),
    tunnels: node.tunnels,
    kubeProxy: node.kubeProxy,
    nat: node.nat,
    localAddresses: [...new Set(node.devices.flatMap((d) => d.addresses.map(bareAddress)))],
    // Veths and netns without their other half are joined with the API by the doctor instead.
    conflicts: node.conflicts.filter((c) => c.kind !== 'veth-without-pod' && c.kind !== 'pod-netns-without-veth'),
  };
  const portsOf = (bridge: string) => podVeths.filter((v) => v.master === bridge).length;
  const podBridge =
    node.devices
      .filter((d) => d.role === 'bridge' && portsOf(d.name) > 0)
      .sort((a, b) => portsOf(b.name) - portsOf(a.name))[0] ?? null;
  const linksRead = wasRead(observation, 'links') || wasRead(observation, 'addresses');
  // A pod netns read without its pod and without its addresses could be any pod's.
  const anonymousUnread = reading.pods.some((p) => p.pod === null && !isParsed(p.commands.addresses, node.unread, p.netns));
  return {
    observed: node,
    observation,
    where: whereRead(reading.node, observation),
    podBridge,
    canTellVeths: linksRead && !anonymousUnread && !(reading.pods.length === 0 && podVeths.length > 0),
  };
}

/** The eth0 addresses read in a pod netns that no veth leads to (observeNode keeps only the veths'
 * pod ends); none when they were not read or do not parse (observeNode lists that as unread). */
function eth0Addresses(pod: PodNetnsReading): string[] {
  const result = pod.commands.addresses;
  if (result?.status !== 'ok') return [];
  try {
    return (parseIpAddr(result.output, result.command)[0]?.addresses ?? []).filter((a) => a.scope !== 'link' && a.scope !== 'host').map((a) => a.cidr);
  } catch (error) {
    if (error instanceof DatapathParseError) return [];
    throw error;
  }
}

/** Indexes every reading by node; the latest reading of a node wins. */
export function indexReadings(readings: readonly NodeReading[] | undefined): Map<string, NodeDatapath> {
  const latest = new Map<string, NodeReading>();
  for (const reading of readings ?? []) {
    const seen = latest.get(reading.node);
    if (!seen || seen.readAt < reading.readAt) latest.set(reading.node, reading);
  }
  return new Map([...latest].map(([name, reading]) => [name, indexReading(reading)]));
}

/** A key that changes when the readings do: readings are immutable, so which node was read
 * when, from where, is enough. */
export function readingsKey(readings: readonly NodeReading[] | undefined): string {
  return (readings ?? []).map((r) => `${r.node}\0${r.readAt}\0${r.source}\0${r.target}`).join('\n');
}

const refText = (ref: { namespace: string; name: string }) => `${ref.namespace}/${ref.name}`;

/** Whether this veth's pod netns speaks for another pod: named for one, or holding addresses. */
function isSomeoneElses(veth: ObservedVeth, pod: PodKey): boolean {
  if (veth.pod) return !(veth.pod.namespace === pod.namespace && veth.pod.name === pod.name && (!veth.pod.uid || veth.pod.uid === pod.uid));
  return veth.podAddresses.length > 0 && !veth.podAddresses.some((a) => pod.ips.includes(bare(a)));
}

/** The veth of this pod on this node, and how it was recognised; null when the reading has none. */
export function matchPod(datapath: NodeDatapath, pod: PodKey): VethMatch | null {
  const { veths, routes, neighbours, fdb } = datapath.observed;
  const byRef = veths.find((v) => v.pod && v.pod.namespace === pod.namespace && v.pod.name === pod.name && (!v.pod.uid || v.pod.uid === pod.uid));
  if (byRef) return { veth: byRef, by: `its netns ${byRef.netns ?? '?'} is pod ${refText(pod)}'s` };
  for (const ip of pod.ips) {
    const byAddress = veths.find((v) => v.podAddresses.some((a) => bare(a) === ip) && !isSomeoneElses(v, pod));
    if (byAddress) return { veth: byAddress, by: `eth0 in its netns ${byAddress.netns ?? '?'} holds ${ip}` };
  }
  // Through the root netns's tables, for veths whose pod netns was not read.
  const unread = (name: string) => veths.find((v) => v.hostName === name && v.pod === null && v.podAddresses.length === 0);
  for (const ip of pod.ips) {
    const route = routeFor(routes, ip);
    const viaRoute = route?.dev ? unread(route.dev) : undefined;
    if (viaRoute) return { veth: viaRoute, by: `route ${route?.dst} dev ${viaRoute.hostName}` };
    for (const neighbour of neighbours.filter((n) => n.dst === ip && n.lladdr)) {
      const mac = (neighbour.lladdr as string).toLowerCase();
      const entry = fdb.find((f) => f.mac === mac && f.master === neighbour.dev && unread(f.dev));
      if (entry) return { veth: unread(entry.dev) as ObservedVeth, by: `neighbour ${ip} lladdr ${mac} dev ${neighbour.dev}, fdb ${mac} dev ${entry.dev} master ${neighbour.dev}` };
    }
  }
  return null;
}

/** The sentence a matched veth's host end carries as its evidence. */
export function vethEvidence(datapath: NodeDatapath, match: VethMatch): string {
  return `${linkCommand(datapath.observation)} ${datapath.where}: ${match.veth.evidence}; ${match.by}`;
}

/** The /32 (/128) routes in the main table that point at this host end (routed CNIs). */
export function hostRoutesTo(datapath: NodeDatapath, hostName: string): string[] {
  return datapath.observation.routes.filter((r) => r.dev === hostName && r.type === 'unicast' && /\/(32|128)$/.test(r.dst)).map((r) => r.dst);
}
