/**
 * The `podpath` command (design §7). It only wires the shared core to the terminal: parsing,
 * opening a source, printing. Errors reach the user as one line naming the problem, never a
 * stack trace.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeTopology, formatDescribe } from '../shared/describe.ts';
import { toDot } from '../shared/export/dot.ts';
import type { KindStatus } from '../shared/ipc.ts';
import { diffReport, formatDiffReport } from '../shared/snapshot/diff-report.ts';
import { snapshotFormat, snapshotVersion, type Snapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { defaultAssetsDir, demoFileName, loadSnapshotFile, openStartupBackend } from './backend.ts';
import { exportImage } from './export-image.ts';
import { buildSnapshotFromFiles } from './kube/from-files.ts';
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
function print(text: string): Promise<void> {
  process.stdout.once('error', (error: NodeJS.ErrnoException) => {
    // EPIPE: `podpath describe | head` — the reader has what it wanted.
    if (error.code !== 'EPIPE') console.error(`podpath: cannot write the output: ${error.message}`);
    process.exit(error.code === 'EPIPE' ? 0 : 1);
  });
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
    console.error(`podpath: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (import.meta.main) await main(process.argv);
