/**
 * Reading one node's datapath (issue 13): every command of shared/datapath/reading.ts's
 * `nodeCommands` in the node's root network namespace, then `podCommands` in each pod netns it
 * names, through whatever runs commands there (runner.ts; sources.ts and debug-pod.ts make
 * them). Each command has a timeout and so has the whole node; a command that could not be read
 * says why (classify.ts), and nothing is guessed around it.
 *
 * Pod netns are the named namespaces the root namespace has an id for (`ip -j netns list-id`):
 * the kernel gives one to every namespace a veth of the node leads into, and iproute2 names it
 * from /var/run/netns, where CNI runtimes (containerd, CRI-O) keep their pod namespaces. Which
 * pod a netns belongs to only the runtime knows; the reading leaves `pod: null` and the join
 * with the API goes by IP.
 */
import { z } from 'zod';
import { parseNetnsIds } from '../../../shared/datapath/ip-neigh.ts';
import { DatapathParseError } from '../../../shared/datapath/parse-error.ts';
import {
  nodeCommands,
  podCommands,
  type CommandResult,
  type NodeCommand,
  type NodeReading,
  type PodCommand,
  type PodNetnsReading,
  type ProbeSource,
} from '../../../shared/datapath/reading.ts';
import { classify, formatSeconds } from './classify.ts';
import { defaultNodeTimeoutMs } from './defaults.ts';
import type { Runner } from './runner.ts';

/** Where a node's commands run. */
export interface ProbeTarget {
  /** The Node's name in the API. */
  node: string;
  source: ProbeSource;
  /** The netns, container or debug pod, as the reading records it. */
  target: string;
  /** Runs one command in the node's root network namespace. */
  run: Runner;
}

export interface ProbeOptions {
  /** Each command's limit; default 10 s. */
  commandTimeoutMs?: number;
  /** The whole node's; what is not run by then is recorded as not run. Default 60 s. */
  nodeTimeoutMs?: number;
  /** Commands run at once (each is a process, or an exec through the API). Default 4. */
  concurrency?: number;
  signal?: AbortSignal;
}

export const defaultCommandTimeoutMs = 10_000;

/** The fixed commands are written with single spaces and no quoting: their argv is the split. */
const argvOf = (command: string) => command.split(' ');

/** Runs `tasks` with at most `limit` at once, keeping their order in the result. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export async function probeNode(target: ProbeTarget, options: ProbeOptions = {}): Promise<NodeReading> {
  const commandTimeoutMs = options.commandTimeoutMs ?? defaultCommandTimeoutMs;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? defaultNodeTimeoutMs;
  const concurrency = options.concurrency ?? 4;
  const readAt = new Date();
  const deadline = readAt.getTime() + nodeTimeoutMs;

  // Once the way in fails (the API's exec), the other commands are not tried: they would fail alike.
  let brokenWay: string | null = null;
  const run = async (command: string, argv: string[]): Promise<CommandResult> => {
    const left = deadline - Date.now();
    if (options.signal?.aborted) return { status: 'failed', command, exitCode: null, message: 'Not run: the probe was cancelled.' };
    if (brokenWay !== null) return { status: 'failed', command, exitCode: null, message: `Not run: ${brokenWay}` };
    if (left <= 0) return { status: 'failed', command, exitCode: null, message: `Not run: the node's probe ran out of its ${formatSeconds(nodeTimeoutMs)}.` };
    const timeoutMs = Math.min(commandTimeoutMs, left);
    const outcome = await target.run(argv, { timeoutMs, signal: options.signal });
    const result = classify(command, outcome);
    if (outcome.kind === 'transport-error' && result.status === 'failed') brokenWay ??= result.message;
    return result;
  };

  const readNode = (key: NodeCommand) => run(nodeCommands[key], argvOf(nodeCommands[key]));
  // `ip -j -d link` first: listing a veth whose peer is in a namespace without an id makes the
  // kernel assign one, so `ip netns list-id` after it sees every pod netns.
  const commands: NodeReading['commands'] = { links: await readNode('links') };
  const rest = (Object.keys(nodeCommands) as NodeCommand[]).filter((key) => key !== 'links');
  const results = await pool(
    rest.map((key) => () => readNode(key)),
    concurrency,
  );
  rest.forEach((key, i) => (commands[key] = results[i]));

  const netns = await podNamespaces(commands.netnsIds, run);
  const podKeys = Object.keys(podCommands) as PodCommand[];
  const podResults = await pool(
    netns.flatMap(({ name }) => podKeys.map((key) => () => run(podCommands[key], podArgv(name, podCommands[key])))),
    concurrency,
  );
  const pods: PodNetnsReading[] = netns.map(({ nsid, name }, i) => ({
    nsid,
    netns: name,
    pod: null,
    commands: Object.fromEntries(podKeys.map((key, k) => [key, podResults[i * podKeys.length + k]])),
  }));

  return { node: target.node, readAt: readAt.toISOString(), source: target.source, target: target.target, commands, pods };
}

/** `ip -j -d link show eth0` in netns NAME: `ip -n NAME -j -d link show eth0`. */
export function podArgv(netns: string, command: string): string[] {
  const [ip, ...args] = argvOf(command);
  return [ip as string, '-n', netns, ...args];
}

const netnsListSchema = z.array(z.object({ name: z.string(), id: z.number().int().nonnegative().optional() }));

/**
 * The pod namespaces, by id and name. iproute2 names each id of `list-id` by the /var/run/netns
 * entry it matches; an older one that does not is asked `ip -j netns list`, whose entries carry
 * the same id. An id no name matches (a Docker container's netns, a process's own) is left out:
 * it cannot be entered by name, and its veth shows as leading to no pod read.
 */
async function podNamespaces(
  listIds: CommandResult | undefined,
  run: (command: string, argv: string[]) => Promise<CommandResult>,
): Promise<{ nsid: number; name: string }[]> {
  if (listIds?.status !== 'ok') return [];
  let ids;
  try {
    ids = parseNetnsIds(listIds.output, listIds.command);
  } catch (error) {
    // observeNode reports the unparsable output; there is nothing to read the pods by.
    if (error instanceof DatapathParseError) return [];
    throw error;
  }
  if (ids.some((id) => id.name === null)) {
    const listed = await run('ip -j netns list', ['ip', '-j', 'netns', 'list']);
    if (listed.status === 'ok') {
      const byId = namesById(listed.output);
      ids = ids.map((id) => ({ nsid: id.nsid, name: id.name ?? byId.get(id.nsid) ?? null }));
    }
  }
  return ids.flatMap((id) => (id.name === null ? [] : [{ nsid: id.nsid, name: id.name }]));
}

function namesById(output: string): Map<number, string> {
  let data: unknown;
  try {
    data = JSON.parse(output.trim() || '[]');
  } catch {
    return new Map();
  }
  const parsed = netnsListSchema.safeParse(data);
  return new Map(parsed.success ? parsed.data.flatMap((n) => (n.id === undefined ? [] : [[n.id, n.name] as const])) : []);
}
