/**
 * Every host-side veth to its pod netns, by the two numbers the kernel keeps on both ends: the
 * host end's `link_netnsid` is the pod netns's id as the root namespace sees it, and its
 * `link_index` is the pod end's ifindex in there; the pod end's `link_index` is the host end's
 * ifindex. Then the pod's IP is checked against the root namespace's tables: a /32 route to the
 * veth (routed CNIs: Calico, Cilium, kindnet, ptp), or the neighbour and FDB entries of the
 * bridge (bridge CNIs: flannel, bridge).
 */
import { cidrContains } from '../net/ip.ts';
import type { PodNetnsReading } from './reading.ts';
import { routeFor } from './routes.ts';
import type { DatapathConflict, FdbEntry, IpCheck, Link, LinkAddresses, Neighbour, ObservedVeth, Route } from './types.ts';

/** A pod netns's eth0 as its own reading says; null where it could not be read. */
export interface PodEnd {
  reading: PodNetnsReading;
  link: Link | null;
  addresses: LinkAddresses | null;
}

interface Tables {
  routes: Route[];
  neighbours: Neighbour[];
  fdb: FdbEntry[];
  /** Addresses of root-namespace links by name (the bridge's gateway address). */
  addressesOf: (name: string) => string[];
}

const podRef = (pod: PodNetnsReading) => (pod.pod ? `pod/${pod.pod.namespace}/${pod.pod.name}` : `netns/${pod.netns}`);
const bare = (cidr: string) => cidr.split('/')[0] as string;

/** Maps pod-side veths (links whose peer is in another namespace) to the pods read. */
export function mapVeths(hostVeths: Link[], pods: PodEnd[], tables: Tables): { veths: ObservedVeth[]; conflicts: DatapathConflict[] } {
  const conflicts: DatapathConflict[] = [];
  const veths: ObservedVeth[] = [];
  const claimed = new Set<PodEnd>();
  for (const host of hostVeths) {
    const peer = host.peer as { ifindex: number | null; netnsid: number };
    // By nsid; or, for a pod read without an nsid, by the pod end pointing at this ifindex.
    const pod =
      pods.find((p) => p.reading.nsid !== null && p.reading.nsid === peer.netnsid) ??
      pods.find((p) => p.reading.nsid === null && p.link?.peer?.ifindex === host.ifindex && p.link.ifindex === peer.ifindex);
    const veth: ObservedVeth = {
      hostName: host.name,
      hostIfindex: host.ifindex,
      peer: { ifindex: peer.ifindex ?? -1, netnsid: peer.netnsid },
      netns: pod?.reading.netns ?? null,
      pod: pod?.reading.pod ?? null,
      podAddresses: (pod?.addresses?.addresses ?? []).filter((a) => a.scope !== 'link' && a.scope !== 'host').map((a) => a.cidr),
      podMac: pod?.link?.address ?? pod?.addresses?.macAddress ?? null,
      bridge: host.master,
      ipCheck: { status: 'unconfirmed', evidence: [] },
      evidence: `${host.name} (ifindex ${host.ifindex}) link_netnsid ${peer.netnsid} link_index ${peer.ifindex ?? '?'}`,
    };
    veths.push(veth);
    if (!pod) {
      conflicts.push({
        kind: 'veth-without-pod',
        subject: `veth/${host.name}`,
        message: `${host.name}'s other end is in netns id ${peer.netnsid}, which is not one of the pod namespaces read on this node.`,
      });
      continue;
    }
    claimed.add(pod);
    veth.evidence += pod.reading.nsid === null ? `; matched by ${pod.reading.netns}'s eth0 link_index ${host.ifindex}` : `; netns ${pod.reading.netns} has nsid ${peer.netnsid}`;
    const podIndex = pod.link?.ifindex ?? pod.addresses?.ifindex;
    const podPeer = pod.link?.peer ?? pod.addresses?.peer;
    if ((podIndex !== undefined && peer.ifindex !== null && podIndex !== peer.ifindex) || (podPeer?.ifindex != null && podPeer.ifindex !== host.ifindex)) {
      conflicts.push({
        kind: 'veth-peer-mismatch',
        subject: `veth/${host.name}`,
        message: `${host.name} (ifindex ${host.ifindex}) points at ifindex ${peer.ifindex} in ${pod.reading.netns}, whose eth0 is ifindex ${podIndex ?? '?'} with its peer at ifindex ${podPeer?.ifindex ?? '?'}.`,
      });
    }
    veth.ipCheck = checkIP(veth, tables);
    if (veth.ipCheck.status === 'contradicted') {
      conflicts.push({ kind: 'pod-ip-contradicted', subject: podRef(pod.reading), message: `${veth.podAddresses.join(', ')} on ${host.name}: ${veth.ipCheck.evidence.join('; ')}.` });
    }
  }
  for (const pod of pods) {
    if (claimed.has(pod)) continue;
    conflicts.push({
      kind: 'pod-netns-without-veth',
      subject: podRef(pod.reading),
      message: `No veth in the root namespace leads to ${pod.reading.netns}${pod.reading.nsid === null ? '' : ` (nsid ${pod.reading.nsid})`}${pod.link ? `, whose eth0 says its peer is ifindex ${pod.link.peer?.ifindex ?? '?'}` : ''}.`,
    });
  }
  return { veths, conflicts };
}

function checkIP(veth: ObservedVeth, tables: Tables): IpCheck {
  const confirmed: string[] = [];
  const contradicted: string[] = [];
  const mac = veth.podMac?.toLowerCase() ?? null;
  for (const cidr of veth.podAddresses) {
    const ip = bare(cidr);
    const route = routeFor(tables.routes, ip);
    if (route?.dev === veth.hostName) confirmed.push(`route ${route.dst} dev ${route.dev}`);
    else if (route) contradicted.push(`route ${route.dst} goes to ${route.dev ?? route.gateway ?? route.type}, not ${veth.hostName}`);
    const expectedDev = veth.bridge ?? veth.hostName;
    for (const n of tables.neighbours.filter((e) => e.dst === ip && e.lladdr)) {
      const lladdr = (n.lladdr as string).toLowerCase();
      if (n.dev === expectedDev && lladdr === mac) confirmed.push(`neighbour ${ip} lladdr ${lladdr} dev ${n.dev}`);
      else if (mac && lladdr !== mac) contradicted.push(`neighbour ${ip} on ${n.dev} is ${lladdr}, the pod's eth0 is ${mac}`);
      else if (n.dev !== expectedDev) contradicted.push(`neighbour ${ip} is on ${n.dev}, not ${expectedDev}`);
    }
    if (veth.bridge) {
      const gateways = tables.addressesOf(veth.bridge).filter((a) => a.includes(':') === ip.includes(':'));
      if (gateways.length > 0 && !gateways.some((g) => cidrContains(g, ip))) contradicted.push(`${ip} is outside ${veth.bridge}'s ${gateways.join(', ')}`);
    }
  }
  if (veth.bridge && mac) {
    for (const f of tables.fdb.filter((e) => e.mac === mac && e.master === veth.bridge)) {
      if (f.dev === veth.hostName) confirmed.push(`fdb ${mac} dev ${f.dev} master ${veth.bridge}`);
      else contradicted.push(`fdb ${mac} is learned on ${f.dev}, not ${veth.hostName}`);
    }
  }
  if (contradicted.length > 0) return { status: 'contradicted', evidence: contradicted };
  return confirmed.length > 0 ? { status: 'confirmed', evidence: confirmed } : { status: 'unconfirmed', evidence: [] };
}
