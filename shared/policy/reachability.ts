/**
 * A pod's NetworkPolicy neighbourhood: which pods may open a connection to it, and which it may
 * open one to, on the ports the receiving pod's containers declare (a pod that declares none has
 * nothing to check and is counted apart, never guessed). Every verdict is evaluate.ts's, so this
 * agrees with a trace by construction.
 */
import type { Id, PodRecord, PortRecord, Topology } from '../model/types.ts';
import { evaluatePolicy } from './evaluate.ts';
import { isolationOf, type Isolation } from './isolation.ts';

export interface Peer {
  pod: Id;
  /** `ns/name`. */
  name: string;
  /** The receiving pod's ports the connection is allowed on, as `port/PROTOCOL`. */
  ports: string[];
}

export interface Reach {
  /** Peers allowed on at least one port. */
  allowed: Peer[];
  /** Peers denied on every port checked. */
  denied: number;
  /** Peers not checked: the receiving pod declares no port. */
  unchecked: number;
}

export interface Reachability {
  isolation: Isolation;
  /** Who may reach the pod, on its ports. */
  from: Reach;
  /** Whom the pod may reach, on their ports. */
  to: Reach;
  /** Peers looked at (pods with an IP, other than this one), and whether that was all of them. */
  checked: number;
  isComplete: boolean;
}

/** Past this many peers the answer is for the first ones only (by namespace and name), and says so. */
export const peerLimit = 5000;

const portsOf = (topology: Topology, pod: PodRecord): PortRecord[] => {
  const seen = new Map<string, PortRecord>();
  for (const id of pod.containers) for (const p of topology.containers[id]?.ports ?? []) seen.set(`${p.port}/${p.protocol}`, p);
  return [...seen.values()];
};

const qualified = (pod: PodRecord): string => `${pod.namespace}/${pod.name}`;

export function reachabilityOf(topology: Topology, podId: Id): Reachability | null {
  const pod = topology.pods[podId];
  const ip = pod?.ips[0];
  if (!pod || !ip) return null;
  const peers = Object.values(topology.pods)
    .filter((p) => p.id !== pod.id && p.ips.length > 0)
    .sort((a, b) => (qualified(a) < qualified(b) ? -1 : qualified(a) > qualified(b) ? 1 : 0));
  const looked = peers.slice(0, peerLimit);
  const ownPorts = portsOf(topology, pod);
  const from: Reach = { allowed: [], denied: 0, unchecked: 0 };
  const to: Reach = { allowed: [], denied: 0, unchecked: 0 };
  const tally = (reach: Reach, peer: PodRecord, ports: PortRecord[], allows: (port: PortRecord) => boolean): void => {
    if (ports.length === 0) return void reach.unchecked++;
    const open = ports.filter(allows).map((p) => `${p.port}/${p.protocol}`);
    if (open.length > 0) reach.allowed.push({ pod: peer.id, name: qualified(peer), ports: open });
    else reach.denied++;
  };
  for (const peer of looked) {
    const there = { pod: peer, ip: peer.ips[0]! };
    const here = { pod, ip };
    tally(from, peer, ownPorts, (p) => evaluatePolicy(topology, { from: there, to: here, port: p.port, protocol: p.protocol }).isAllowed);
    tally(to, peer, portsOf(topology, peer), (p) => evaluatePolicy(topology, { from: here, to: there, port: p.port, protocol: p.protocol }).isAllowed);
  }
  return { isolation: isolationOf(topology, pod), from, to, checked: looked.length, isComplete: looked.length === peers.length };
}
