/**
 * The `podpath` command (design §7). It only wires the shared core to the terminal: parsing,
 * opening a source, printing. Errors reach the user as one line naming the problem, never a
 * stack trace.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import { open, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { describeTopology, formatDescribe } from '../shared/describe.ts';
import { toDot } from '../shared/export/dot.ts';
import type { KindStatus } from '../shared/ipc.ts';
import type { PolicyRecord, Topology } from '../shared/model/types.ts';
import { withPolicies } from '../shared/policy/evaluate.ts';
import { whatIfPolicies } from '../shared/policy/what-if.ts';
import { formatTrace, formatTraceComparison, traceResult } from '../shared/trace/format.ts';
import { trace } from '../shared/trace/trace.ts';
import type { Protocol, Trace, TraceQuery } from '../shared/trace/types.ts';
import { diffReport, formatDiffReport } from '../shared/snapshot/diff-report.ts';
import { snapshotFormat, snapshotVersion, type Snapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { defaultAssetsDir, demoFileName, loadSnapshotFile, openStartupBackend } from './backend.ts';
import { exportImage } from './export-image.ts';
import { buildSnapshotFromFiles, parseDocuments } from './kube/from-files.ts';
import { kindSpecs } from './kube/kinds.ts';
import { configForContext, kubeconfigPaths, loadKubeconfig } from './kube/kubeconfig.ts';
import { ensureRenderer } from './renderer-build.ts';
import { serve } from './serve.ts';
import { LiveSession } from './session.ts';
import { writeSnapshotFile } from './snapshot-file.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0: any free port).');
  return port;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`podpath: could not open a browser (${command}); open the address above yourself.`));
  child.unref();
}

/** Where the CLI remembers the last context used per kubeconfig. */
function stateFile(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'podpath', 'contexts.json');
}

const label = (kind: string) => kindSpecs.find((s) => s.kind === kind)?.label ?? kind;

/** One line per kind: `Pods 42`, `Nodes forbidden`, `Gateways absent`. */
export function kindLine(status: KindStatus): string {
  switch (status.state) {
    case 'forbidden':
      return `${label(status.kind)} forbidden`;
    case 'failed':
      return `${label(status.kind)} failed: ${status.reason ?? 'unknown error'}`;
    case 'absent':
      return `${label(status.kind)} absent`;
    default:
      return `${label(status.kind)} ${status.count}${status.scope === 'cluster' ? '' : ` (in ${status.scope.join(', ')})`}`;
  }
}

interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace: string[];
}

function addKubeOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('-n, --namespace <ns>', 'namespace to read in when a kind cannot be read cluster-wide (repeatable)', collect, []);
}

/** Writes `text` to stdout and resolves once it is flushed, so a large document survives an
 * exit that follows at once (and a closed pipe ends the command quietly). */
let isWatchingStdout = false;

function print(text: string): Promise<void> {
  // Once per process: `trace --batch` prints a line per query.
  if (!isWatchingStdout) {
    isWatchingStdout = true;
    process.stdout.once('error', (error: NodeJS.ErrnoException) => {
      // EPIPE: `podpath describe | head` — the reader has what it wanted.
      if (error.code !== 'EPIPE') console.error(`podpath: cannot write the output: ${error.message}`);
      process.exit(error.code === 'EPIPE' ? 0 : 1);
    });
  }
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

async function snapshotLive(options: KubeOptions): Promise<{ snapshot: Snapshot; kinds: KindStatus[] }> {
  const loaded = loadKubeconfig(kubeconfigPaths({ explicit: options.kubeconfig }));
  const context = options.context ?? loaded.current;
  if (!context) throw new Error(`The kubeconfig (${loaded.files.join(', ')}) has no current context: choose one with --context.`);
  const session = await LiveSession.open({ config: configForContext(loaded, context), contextName: context, namespaces: options.namespace });
  try {
    const kinds = session.kinds();
    const source = session.source();
    return {
      kinds,
      snapshot: { format: snapshotFormat, version: snapshotVersion, source, objects: session.objects() },
    };
  } finally {
    await session.close();
  }
}

/** An error that ends the command with its own exit code (the trace command's 2: no verdict). */
class ExitError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

// ——— podpath trace ———

const traceExitCodes = `
Exit codes:
  0  delivered (with --batch: every flow delivered)
  1  a verdict other than delivered: policy-denied, no-endpoints, no-route, ambiguous or
     unknown-target (with --batch: at least one flow not delivered)
  2  no verdict: a usage or input error (bad option, unreadable snapshot, policy or batch file,
     a malformed line in a --batch file) or the cluster could not be read

SRC and DST: ns/pod, ns/pod:container, svc/ns/name, ingress/ns/name[/path], gateway/ns/name,
node/name, an IP (IP:port), internet, or (DST only) a DNS name as the source pod looks it up:
name, name.ns, name.ns.svc.cluster.local.

--with-policy FILE: YAML or JSON, several documents or a List; only networking.k8s.io/v1
NetworkPolicy objects count (others are reported and ignored). One with the namespace and name
of a policy in the cluster replaces it, the others are added; a policy without a namespace goes
in the first -n, else default. The output shows the trace with them and what changed.

--batch FILE ('-' for stdin): one JSON query per line, {"from","to","port","protocol"}; blank
lines and # comments are skipped. Writes one JSON result per line: {"line","query","verdict",
"summary","from","to","policy","branches","dns"}, with "trace" (the whole trace) under --json
and "before" under --with-policy; a malformed line gives {"line","error"} and the rest go on.

Examples:
  podpath trace --demo --from shop/frontend-855456765f-rx8bk --to svc/shop/backend
  podpath trace --snapshot prod.podpath.json --from shop/frontend-855456765f-rx8bk --to shop/db-0 --port 5432 --with-policy allow-db.yaml
  podpath trace --context prod --batch flows.jsonl
`;

interface TraceCommandOptions extends KubeOptions {
  snapshot?: string;
  demo?: boolean;
  from?: string;
  to?: string;
  port?: number;
  protocol?: Protocol;
  json?: boolean;
  withPolicy?: string[];
  batch?: string;
  color?: boolean;
}

function parseTracePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError('expected a port number from 1 to 65535.');
  return port;
}

function parseProtocol(value: string): Protocol {
  const protocol = value.toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') throw new InvalidArgumentError('expected TCP, UDP or SCTP.');
  return protocol;
}

/** One line of a --batch file as a query, or what is wrong with it. */
function parseBatchQuery(text: string): { query: TraceQuery } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON (${error instanceof Error ? error.message : String(error)}); write one object per line, e.g. {"from":"ns/pod","to":"svc/ns/name","port":80}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'expected a JSON object {"from","to","port","protocol"}' };
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !['from', 'to', 'port', 'protocol'].includes(k));
  if (unknown.length > 0) return { error: `unknown field ${unknown.map((k) => `"${k}"`).join(', ')}: a query has "from", "to", "port" and "protocol"` };
  for (const end of ['from', 'to'] as const) {
    if (typeof fields[end] !== 'string' || fields[end].trim() === '') return { error: `"${end}" is missing: give it as a string, e.g. "ns/pod" or "svc/ns/name"` };
  }
  const query: TraceQuery = { from: fields.from as string, to: fields.to as string };
  if (fields.port !== undefined && fields.port !== null) {
    const port = typeof fields.port === 'string' && /^\d+$/.test(fields.port) ? Number(fields.port) : fields.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return { error: `"port" must be a number from 1 to 65535, not ${JSON.stringify(fields.port)}` };
    query.port = port;
  }
  if (fields.protocol !== undefined && fields.protocol !== null) {
    const protocol = typeof fields.protocol === 'string' ? fields.protocol.toUpperCase() : '';
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return { error: `"protocol" must be TCP, UDP or SCTP, not ${JSON.stringify(fields.protocol)}` };
    query.protocol = protocol;
  }
  return { query };
}

/** Why a file could not be read, in words: `no such file`, `permission denied`. */
function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

interface WhatIfPolicy {
  record: PolicyRecord;
  file: string;
}

/**
 * The NetworkPolicies of --with-policy files, as the model holds them. Other objects are
 * reported through `ignore`; a file without a NetworkPolicy, or with one Podpath cannot read,
 * is an error: a what-if that silently left a policy out would answer the wrong question.
 */
async function readPolicyFiles(paths: string[], namespace: string, ignore: (line: string) => void): Promise<WhatIfPolicy[]> {
  const found: WhatIfPolicy[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new Error(`Cannot read policy file ${path}: ${fileProblem(error)}.`, { cause: error });
    }
    const read = whatIfPolicies(parseDocuments(text, path), path, namespace);
    for (const { kind, name } of read.ignored) {
      ignore(`ignored ${kind === '(none)' ? 'an object without a kind' : kind}${name ? ` ${name}` : ''} in ${path}: only NetworkPolicy objects count`);
    }
    const bad = read.unusable[0];
    if (bad) throw new Error(`${path}: a NetworkPolicy Podpath cannot use (${bad}); fix it or leave it out of --with-policy.`);
    if (read.policies.length === 0) throw new Error(`${path} holds no NetworkPolicy: --with-policy takes networking.k8s.io/v1 NetworkPolicy manifests (YAML or JSON).`);
    for (const record of read.policies) found.push({ record, file: path });
  }
  return found;
}

/** The stream of a --batch file, opened before the cluster is read so a wrong path fails fast. */
async function openBatch(path: string): Promise<Readable> {
  if (path === '-') return process.stdin;
  try {
    const handle = await open(path, 'r');
    if (!(await handle.stat()).isDirectory()) return handle.createReadStream({ encoding: 'utf8' });
    await handle.close();
  } catch (error) {
    throw new Error(`Cannot read batch file ${path}: ${fileProblem(error)}.`, { cause: error });
  }
  throw new Error(`Cannot read batch file ${path}: a directory, not a file.`);
}

/** The model to trace in: a snapshot file, the demo, or a live cluster read once and closed. */
async function traceTopology(options: TraceCommandOptions): Promise<Topology> {
  if (options.snapshot || options.demo) {
    const snapshot = await loadSnapshotFile(options.snapshot ?? join(defaultAssetsDir(), demoFileName));
    return derive(snapshot.objects, snapshot.source);
  }
  const live = await snapshotLive(options);
  if (!live.kinds.some((k) => k.state === 'live')) throw new Error('Nothing could be read from the cluster (every kind was forbidden or failed).');
  // A kind the trace could not read makes it wrong without saying so (no NetworkPolicies: every
  // flow allowed), so each one is named.
  for (const status of live.kinds) if (status.state === 'forbidden' || status.state === 'failed') console.error(`podpath: ${kindLine(status)}: the trace cannot see them`);
  return derive(live.snapshot.objects, live.snapshot.source);
}

async function runTrace(options: TraceCommandOptions): Promise<number> {
  const isBatch = options.batch !== undefined;
  if (isBatch && (options.from !== undefined || options.to !== undefined)) throw new Error('--batch reads its queries from the file: leave out --from and --to.');
  if (isBatch && (options.port !== undefined || options.protocol !== undefined)) throw new Error('--port and --protocol are for one trace: in a --batch file give them on each line.');
  if (!isBatch && (!options.from || !options.to)) throw new Error('Say what to trace: --from SRC --to DST (or --batch FILE); see podpath trace --help.');
  const batch = options.batch !== undefined ? await openBatch(options.batch) : null;

  const whatIf = await readPolicyFiles(options.withPolicy ?? [], options.namespace[0] ?? 'default', (line) => console.error(`podpath: ${line}`));
  const topology = await traceTopology(options);
  const policies = whatIf.length > 0 ? withPolicies(topology, whatIf.map((p) => p.record)) : undefined;
  const notes = whatIf.map(({ record, file }) => `with ${record.namespace}/${record.name} from ${file}: ${topology.policies[record.id] ? 'replaces the one in the cluster' : 'added'}`);
  // Under --json and --batch stdout holds JSON only: the notes go to stderr.
  if (options.json || isBatch) for (const line of notes) console.error(`podpath: ${line}`);
  const traceBoth = (query: TraceQuery): { before: Trace; after: Trace | null } => ({ before: trace(topology, query), after: policies ? trace(topology, query, { policies }) : null });

  if (!batch) {
    const query: TraceQuery = { from: options.from ?? '', to: options.to ?? '', ...(options.port !== undefined ? { port: options.port } : {}), ...(options.protocol ? { protocol: options.protocol } : {}) };
    const { before, after } = traceBoth(query);
    if (options.json) {
      await print(`${JSON.stringify(after ? { before, after } : before, null, 2)}\n`);
    } else if (after) {
      const format = { color: options.color ?? false };
      await print(`${notes.join('\n')}\n\n${formatTrace(after, format)}\n${formatTraceComparison(before, after, format)}`);
    } else {
      await print(formatTrace(before, { color: options.color ?? false }));
    }
    return (after ?? before).verdict === 'delivered' ? 0 : 1;
  }

  let count = 0;
  let isAllDelivered = true;
  // A malformed line (or one the tracer fails on) has no verdict: the batch ends with 2.
  let hasNoVerdict = false;
  let lineNumber = 0;
  for await (const raw of createInterface({ input: batch, crlfDelay: Infinity })) {
    lineNumber++;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    count++;
    const parsed = parseBatchQuery(text);
    let line: object;
    try {
      if ('error' in parsed) throw new Error(parsed.error);
      const { before, after } = traceBoth(parsed.query);
      const result = after ?? before;
      if (result.verdict !== 'delivered') isAllDelivered = false;
      line = {
        line: lineNumber,
        ...traceResult(result),
        ...(after ? { before: { verdict: before.verdict, summary: before.summary, ...(options.json ? { trace: before } : {}) } } : {}),
        ...(options.json ? { trace: result } : {}),
      };
    } catch (error) {
      hasNoVerdict = true;
      line = { line: lineNumber, error: error instanceof Error ? error.message : String(error) };
    }
    await print(`${JSON.stringify(line)}\n`);
  }
  if (count === 0) throw new Error(`No queries in ${options.batch === '-' ? 'stdin' : options.batch}: write one JSON object per line, e.g. {"from":"ns/pod","to":"svc/ns/name","port":80}.`);
  return hasNoVerdict ? 2 : isAllDelivered ? 0 : 1;
}

export function buildProgram(): Command {
  const program = new Command('podpath')
    .description("See how a Kubernetes cluster's network really works.")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  addKubeOptions(
    program
      .command('snapshot')
      .description('Write a snapshot of a cluster (or of manifest files) that Podpath can open offline.')
      .requiredOption('-o, --output <file>', 'snapshot file to write')
      .option('--from-files <files...>', 'build the snapshot from Kubernetes YAML or JSON files instead of a cluster'),
  ).action(async (options: KubeOptions & { output: string; fromFiles?: string[] }) => {
    if (options.fromFiles) {
      const { snapshot, counts, skipped } = await buildSnapshotFromFiles(options.fromFiles);
      for (const spec of kindSpecs) if (counts[spec.kind]) console.log(`${spec.label} ${counts[spec.kind]}`);
      for (const skip of skipped) console.error(`podpath: skipped ${skip.kind} in ${skip.source}: ${skip.reason}`);
      await writeSnapshotFile(options.output, snapshot);
      console.log(`Wrote ${options.output}`);
      return;
    }
    const { snapshot, kinds } = await snapshotLive(options);
    for (const status of kinds) console.log(kindLine(status));
    if (!kinds.some((k) => k.state === 'live')) {
      throw new Error('Nothing could be read from the cluster (every kind was forbidden or failed); no snapshot written.');
    }
    await writeSnapshotFile(options.output, snapshot);
    console.log(`Wrote ${options.output}`);
  });

  addKubeOptions(
    program
      .command('describe')
      .description('Print the derived network model: cluster facts with their evidence, nodes with devices and pods, Services with endpoints.')
      .addOption(new Option('--snapshot <file>', 'describe a snapshot file').conflicts(['context', 'kubeconfig', 'demo']))
      .addOption(new Option('--demo', 'describe the bundled demo cluster').conflicts(['context', 'kubeconfig']))
      .option('--json', 'print the description as JSON'),
  ).action(async (options: KubeOptions & { snapshot?: string; demo?: boolean; json?: boolean }) => {
    let snapshot: Snapshot;
    if (options.snapshot || options.demo) {
      snapshot = await loadSnapshotFile(options.snapshot ?? join(defaultAssetsDir(), demoFileName));
    } else {
      const live = await snapshotLive(options);
      for (const status of live.kinds) console.error(kindLine(status));
      if (!live.kinds.some((k) => k.state === 'live')) throw new Error('Nothing could be read from the cluster (every kind was forbidden or failed).');
      snapshot = live.snapshot;
    }
    const doc = describeTopology(derive(snapshot.objects, snapshot.source));
    await print(options.json ? `${JSON.stringify(doc, null, 2)}\n` : formatDescribe(doc));
  });

  program
    .command('diff')
    .description('Report what changed between two snapshots: pods, Services, endpoints, IPs, policies and nodes added, removed or changed.')
    .argument('<before>', 'the older snapshot file')
    .argument('<after>', 'the newer snapshot file')
    .option('--json', 'print the report as JSON')
    .action(async (before: string, after: string, options: { json?: boolean }) => {
      const [a, b] = await Promise.all([loadSnapshotFile(before), loadSnapshotFile(after)]);
      const report = diffReport(derive(a.objects, a.source), derive(b.objects, b.source), { from: basename(before), to: basename(after) });
      await print(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDiffReport(report));
    });

  program
    .command('export')
    .description('Export a snapshot (or the demo) as a PNG or SVG image with its legend (drawn in headless Chromium), or as Graphviz DOT.')
    .addOption(new Option('--snapshot <file>', 'the snapshot file to export').conflicts('demo'))
    .option('--demo', 'export the bundled demo cluster')
    .addOption(new Option('--format <format>', 'image or graph format').choices(['png', 'svg', 'dot']).makeOptionMandatory())
    .requiredOption('-o, --output <file>', 'file to write')
    .addOption(new Option('--scope <scope>', 'the whole graph, or the initial fitted view').choices(['full', 'view']).default('full'))
    .action(async (options: { snapshot?: string; demo?: boolean; format: 'png' | 'svg' | 'dot'; output: string; scope: 'full' | 'view' }) => {
      if (!options.snapshot && !options.demo) throw new Error('Say what to export: --snapshot FILE or --demo.');
      const path = options.snapshot ?? join(defaultAssetsDir(), demoFileName);
      const snapshot = await loadSnapshotFile(path);
      let bytes: Buffer;
      if (options.format === 'dot') {
        bytes = Buffer.from(toDot(derive(snapshot.objects, snapshot.source), snapshot.source.context ?? basename(path)), 'utf8');
      } else {
        const source = { kind: options.demo ? 'demo' : 'snapshot', label: options.demo ? 'demo' : basename(path), note: null } as const;
        bytes = await exportImage(snapshot, source, { format: options.format, scope: options.scope, log: (line) => console.error(line) });
      }
      try {
        await writeFile(options.output, bytes);
      } catch (error) {
        throw new Error(`Cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
      }
      console.log(`Wrote ${options.output}`);
    });

  addKubeOptions(
    program
      .command('trace')
      .description('Trace a packet from SRC to DST: every hop with the rule behind it, the packet after each hop, and the NetworkPolicy verdicts.')
      .addOption(new Option('--snapshot <file>', 'trace in a snapshot file').conflicts(['context', 'kubeconfig', 'demo']))
      .addOption(new Option('--demo', 'trace in the bundled demo cluster').conflicts(['context', 'kubeconfig']))
      .option('--from <src>', 'where the packet starts (see SRC and DST below)')
      .option('--to <dst>', 'where it goes')
      .addOption(new Option('--port <n>', "destination port (default: the Service's first port, the pod's first declared port, 443 outside the cluster)").argParser(parseTracePort))
      .addOption(new Option('--protocol <protocol>', 'TCP, UDP or SCTP (default TCP)').argParser(parseProtocol))
      .option('--json', 'print the trace as JSON ({"before","after"} with --with-policy; whole traces in --batch results)')
      .option('--with-policy <file>', "trace with the NetworkPolicies in this file added to (or replacing) the cluster's, and show what changes (repeatable)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
      .option('--batch <file>', "trace one JSON query per line of the file ('-': stdin), one JSON result per line")
      .option('--color', 'colour the text output'),
  )
    .addHelpText('after', traceExitCodes)
    // Usage errors end with 2 here, not commander's 1: 1 means "not delivered" to a script.
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new CommanderError(2, error.code, error.message);
    })
    .action(async (options: TraceCommandOptions) => {
      let code: number;
      try {
        code = await runTrace(options);
      } catch (error) {
        throw new ExitError(error instanceof Error ? error.message : String(error), 2, { cause: error });
      }
      process.exitCode = code;
    });

  addKubeOptions(
    program
      .command('serve')
      .description('Serve Podpath to a browser on this machine (browser mode).')
      .addOption(new Option('--demo', 'open the bundled demo cluster').conflicts(['snapshot', 'context']))
      .addOption(new Option('--snapshot <file>', 'open a snapshot file').conflicts('context'))
      .addOption(new Option('--port <n>', 'port to listen on (0: any free port)').argParser(parsePort).default(0))
      .addOption(new Option('--host <addr>', 'address to listen on').default('127.0.0.1'))
      .option('--no-open', 'do not open a browser'),
  ).action(async (options: KubeOptions & { demo?: boolean; snapshot?: string; port: number; host: string; open: boolean }) => {
    const backend = await openStartupBackend(
      { snapshotPath: options.snapshot, isDemo: options.demo, context: options.context, namespaces: options.namespace },
      { kubeconfigPaths: kubeconfigPaths({ explicit: options.kubeconfig }), stateFile: stateFile() },
      (message) => console.error(`podpath: ${message}`),
    );
    const rendererDir = await ensureRenderer((line) => console.error(line));
    if (!isLoopback(options.host)) {
      console.error(`podpath: listening on ${options.host}, not loopback: anyone who can reach it and holds the token sees this cluster.`);
    }
    const served = await serve({ backend, rendererDir, host: options.host, port: options.port });
    console.log(`Podpath is serving at ${served.url}`);
    if (options.open) openBrowser(served.url);
    const stop = async () => {
      await served.close();
      await backend.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // Commander has printed its own message (and help) already.
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    console.error(`podpath: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof ExitError ? error.exitCode : 1;
  }
}

if (import.meta.main) await main(process.argv);
