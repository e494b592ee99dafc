/**
 * What a node probe read (issue 13): the raw output of each command, or why it could not be
 * read. A probe never guesses around a missing or refused tool: it says so here, and the
 * parsers and the mapping (observe.ts) report it as unread. Plain JSON, so a reading can be
 * kept in a snapshot and parsed again by a newer Podpath.
 */
import { z } from 'zod';

/** Where the commands ran: a network namespace on this machine (the lab), the root namespace of
 * the machine Podpath runs on, a node-debug pod, or `docker`/`podman exec` into a kind or
 * minikube node container. */
export type ProbeSource = 'netns' | 'local' | 'debug-pod' | 'docker' | 'podman';

/** The commands read in a node's root namespace, by key. */
export const nodeCommands = {
  links: 'ip -j -d link',
  addresses: 'ip -j addr',
  routes: 'ip -j route show table all',
  neighbours: 'ip -j neigh',
  netnsIds: 'ip -j netns list-id',
  bridgeLinks: 'bridge -j link',
  fdb: 'bridge -j fdb',
  /** All tables (nat, filter, mangle, …), with `[packets:bytes]` counters per rule. */
  iptables: 'iptables-save -c',
  ip6tables: 'ip6tables-save -c',
  nftables: 'nft -j list ruleset',
  /** Text: ipvsadm has no JSON output. */
  ipvs: 'ipvsadm -Ln',
} as const;
export type NodeCommand = keyof typeof nodeCommands;

/** The commands read inside each pod's network namespace. */
export const podCommands = {
  link: 'ip -j -d link show eth0',
  addresses: 'ip -j addr show eth0',
} as const;
export type PodCommand = keyof typeof podCommands;

/**
 * One command's outcome. `missing-tool`: the binary is not there; `permission-denied`: the
 * kernel or the runtime refused (no CAP_NET_ADMIN, a seccomp profile); `unsupported`: the tool
 * ran but the kernel lacks the feature (no IPVS, no nf_tables); `failed`: anything else, with
 * the exit code and the first line of stderr.
 */
export type CommandResult =
  | { status: 'ok'; command: string; output: string }
  | { status: 'missing-tool' | 'permission-denied' | 'unsupported'; command: string; message: string }
  | { status: 'failed'; command: string; exitCode: number | null; message: string };

/** The pod a netns belongs to, when the probe knows it (from the container runtime). */
export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

/** One pod network namespace, as read from inside it. */
export interface PodNetnsReading {
  /** The namespace's id as the node's root namespace sees it (`ip netns list-id`): the
   * `link_netnsid` on the host end of its veth. Null when the root namespace has not assigned
   * one, which the kernel does only once some link or tool refers to it. */
  nsid: number | null;
  /** Its name or path: `cni-6f1c…` under /var/run/netns, or `/proc/<pid>/ns/net`. */
  netns: string;
  pod: PodRef | null;
  commands: Partial<Record<PodCommand, CommandResult>>;
}

export interface NodeReading {
  node: string;
  /** RFC 3339. */
  readAt: string;
  source: ProbeSource;
  /** Which netns, debug pod or container the commands ran in. */
  target: string;
  commands: Partial<Record<NodeCommand, CommandResult>>;
  pods: PodNetnsReading[];
}

const commandResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), command: z.string(), output: z.string() }),
  z.object({ status: z.enum(['missing-tool', 'permission-denied', 'unsupported']), command: z.string(), message: z.string() }),
  z.object({ status: z.literal('failed'), command: z.string(), exitCode: z.number().int().nullable(), message: z.string() }),
]);

const commandsSchema = <K extends string>(keys: readonly [K, ...K[]]) =>
  z.partialRecord(z.enum(keys), commandResultSchema);

const nodeCommandKeys = Object.keys(nodeCommands) as [NodeCommand, ...NodeCommand[]];
const podCommandKeys = Object.keys(podCommands) as [PodCommand, ...PodCommand[]];

/** Validates a reading that crossed a boundary (a snapshot file, IPC). */
export const nodeReadingSchema = z.object({
  node: z.string().min(1),
  readAt: z.iso.datetime({ offset: true }),
  source: z.enum(['netns', 'local', 'debug-pod', 'docker', 'podman']),
  target: z.string(),
  commands: commandsSchema(nodeCommandKeys),
  pods: z.array(
    z.object({
      nsid: z.number().int().nonnegative().nullable(),
      netns: z.string(),
      pod: z.object({ namespace: z.string(), name: z.string(), uid: z.string().optional() }).nullable(),
      commands: commandsSchema(podCommandKeys),
    }),
  ),
});

// A reading the schema accepts is a NodeReading: a drift between the two fails to compile here.
const _readingMatches: z.infer<typeof nodeReadingSchema> extends NodeReading ? true : never = true;
void _readingMatches;
