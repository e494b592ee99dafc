/**
 * The `podpath` command line: every command with its options and help. Each command runs from a
 * module of its own (snapshot.ts, trace.ts, …), imported only when that command runs, so
 * `podpath --help` loads neither the Kubernetes client nor Playwright.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseFamily, parseProtocol, parsePort as parseTracePort } from '../../shared/trace/query.ts';
import { printable } from '../../shared/text/printable.ts';
import type { Protocol } from '../../shared/trace/types.ts';
import { defaultNodeTimeoutMs, defaultProbeImage } from '../backend/probe/defaults.ts';
import { parsePublicHost } from '../serve/hosts.ts';
import { addKubeOptions } from './common.ts';
import type { DescribeOptions } from './describe.ts';
import type { DiffOptions } from './diff.ts';
import type { DoctorOptions } from './doctor.ts';
import type { ExportOptions } from './export.ts';
import type { ServeCommandOptions } from './serve.ts';
import type { SnapshotOptions } from './snapshot.ts';
import type { TraceCommandOptions } from './trace.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0: any free port).');
  return port;
}

function netnsPair(value: string, previous: { node: string; netns: string }[] | undefined): { node: string; netns: string }[] {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) throw new InvalidArgumentError('expected NODE=NETNS: the Node\'s name and a network namespace of this machine (ip netns list).');
  return [...(previous ?? []), { node: value.slice(0, at), netns: value.slice(at + 1) }];
}

function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0) throw new InvalidArgumentError('expected a number of seconds greater than 0.');
  return seconds;
}

function publicHost(value: string): string {
  const parsed = parsePublicHost(value);
  if (parsed instanceof Error) throw new InvalidArgumentError(parsed.message);
  return value;
}

function tracePort(value: string): number {
  const result = parseTracePort(value);
  if ('error' in result) throw new InvalidArgumentError(result.error);
  return result.port;
}

function traceFamily(value: string): 4 | 6 {
  const result = parseFamily(value);
  if ('error' in result) throw new InvalidArgumentError(result.error);
  return result.family;
}

function traceProtocol(value: string): Protocol {
  const result = parseProtocol(value);
  if ('error' in result) throw new InvalidArgumentError(result.error);
  return result.protocol;
}

const traceExitCodes = `
Exit codes:
  0  delivered (with --batch: every flow delivered)
  1  a verdict other than delivered: policy-denied, no-endpoints, no-route, ambiguous or
     unknown-target (with --batch: at least one flow not delivered)
  2  no verdict: a usage or input error (bad option, unreadable snapshot, policy or batch file,
     a malformed line in a --batch file), the cluster could not be read, or the verdict is
     unknown: NetworkPolicies, Services or EndpointSlices it depends on could not be read

SRC and DST: ns/pod, ns/pod:container, svc/ns/name, ingress/ns/name[/path], gateway/ns/name,
node/name, an IP (IP:port), internet, or (DST only) a DNS name as the source pod looks it up:
name, name.ns, name.ns.svc.cluster.local (from a node or the internet, a Service's name is the
Service itself). ns/deployment (or StatefulSet, DaemonSet, any controller) or the start of a pod
name picks one pod, Running and Ready first, then by name, and says which; for DST a Service of
that name comes first. After the colon of ns/pod:X or svc/ns/name:X, digits are a port and a name
is a container (pods), else a named port (a container's, or the Service's). A port written in DST
and a different --port is an error, not a guess. An end that names nothing, or several things,
is answered with commands to run instead (on stderr).

--with-policy FILE: YAML or JSON, several documents or a List of policies of any layer:
NetworkPolicies, admin policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
ClusterNetworkPolicy), Calico's and Cilium's (other objects are reported and ignored). One with the namespace and name
of a policy in the cluster replaces it, the others are added; a policy without a namespace goes
in the first -n, else default. The output shows the trace with them and what changed.

--fix: the policies to change, whole, as YAML on stdout (what changed in comments at the top):
for a denied egress a rule added to the sender's isolating policy that selects the fewest pods,
for a denied ingress likewise on the receiver's, each allowing just the other end on the port.
Where another layer denied: an admin-tier Deny gets an admin policy of its kind at a priority
ahead of it; a baseline Deny a new NetworkPolicy (which isolates the pod); a Calico Deny a policy
ordered before it in its tier; Cilium's default deny a CiliumNetworkPolicy. A Cilium deny rule
cannot be overridden: what to narrow is said on stderr.
Try it with --with-policy FILE, or apply it with kubectl apply -f -. The exit code is the trace's.

--family 4|6: on a dual-stack cluster, trace to a pod, node or Service named in DST at its
IPv4 or IPv6 address. Without it, an address written in DST decides, else the source's primary
IP (the summary then names the other family where both ends have it).

--batch FILE ('-' for stdin): one JSON query per line, {"from","to","port","protocol","family"}; blank
lines and # comments are skipped. Writes one JSON result per line: {"line","query","verdict",
"summary","from","to","policy","branches","dns"}, with "trace" (the whole trace) under --json
and "before" under --with-policy; a malformed line gives {"line","error"} and the rest go on.

Examples:
  podpath trace --demo --from shop/frontend-855456765f-rx8bk --to svc/shop/backend
  podpath trace --demo --from shop/frontend --to svc/shop/db:5432
  podpath trace --snapshot prod.podpath.json.gz --from shop/frontend-855456765f-rx8bk --to shop/db-0 --port 5432 --with-policy allow-db.yaml
  podpath trace --context prod --batch flows.jsonl
  podpath trace --demo --from shop/frontend-855456765f-rx8bk --to shop/db-0 --port 5432 --fix > allow-db.yaml
`;

const doctorExitCodes = `
Exit codes:
  0  no error-level problem (warnings and info may be listed)
  1  at least one error-level problem
  2  nothing examined: a usage error, an unreadable snapshot, or a cluster that could not be read

Examples:
  podpath doctor --demo
  podpath doctor --context prod --json | jq '.problems[] | select(.severity == "error")'
`;

export function buildProgram(): Command {
  const program = new Command('podpath')
    .description("See how a Kubernetes cluster's network really works.")
    .showHelpAfterError()
    // Commander's errors repeat the arguments given: escaped like everything else printed.
    .configureOutput({ outputError: (text, write) => write(text), writeErr: (text) => process.stderr.write(printable(text, 'layout')) });

  addKubeOptions(
    program
      .command('snapshot')
      .description('Write a snapshot of a cluster (or of manifest files) that Podpath can open offline.')
      .requiredOption('-o, --output <file>', 'snapshot file to write: gzipped when the name ends in .gz (cluster.podpath.json.gz, the usual name), plain JSON otherwise; every command reads both')
      .option('--from-files <files...>', 'build the snapshot from Kubernetes YAML or JSON files instead of a cluster')
      .addOption(new Option('--kubelet-config', "read each node's kubelet DNS settings (clusterDNS, clusterDomain) from its configz, so traces stop assuming them (one request per node; needs get on nodes/proxy)").conflicts('fromFiles'))
      .option('--probe-netns <node=netns>', "attach the datapath of node NODE, read in the network namespace NETNS of this machine (repeatable)", netnsPair)
      .option('--probe-local <node>', "attach the datapath of node NODE, read in this machine's own network namespace (Podpath runs on the node)")
      .addOption(new Option('--probe-node <name>', "attach node NAME's datapath, read through its kind/minikube container or a debug pod (asks first; repeatable)").argParser(repeatable).conflicts('fromFiles'))
      .addOption(new Option('--probe-all-nodes', "attach every node's datapath, as --probe-node does").conflicts(['fromFiles', 'probeNode']))
      .option('--probe-image <image>', `the debug pod's image: it needs ip, bridge, iptables-save, nft and ipvsadm (default ${defaultProbeImage})`)
      .option('--probe-namespace <ns>', "where debug pods are created (default: the context's namespace, else default)")
      .addOption(new Option('--probe-timeout <seconds>', 'the limit for reading one node, a debug pod starting included').argParser(positiveSeconds).default(defaultNodeTimeoutMs / 1000))
      .option('--yes', 'create debug pods without asking (the consent text is still printed)'),
  ).action(async (options: SnapshotOptions) => (await import('./snapshot.ts')).snapshotCommand(options));

  addKubeOptions(
    program
      .command('describe')
      .description('Print the derived network model: cluster facts with their evidence, nodes with devices and pods, Services with endpoints.')
      .addOption(new Option('--snapshot <file>', 'describe a snapshot file').conflicts(['context', 'kubeconfig', 'demo']))
      .addOption(new Option('--demo', 'describe the bundled demo cluster').conflicts(['context', 'kubeconfig']))
      .option('--json', 'print the description as JSON'),
  ).action(async (options: DescribeOptions) => (await import('./describe.ts')).describeCommand(options));

  addKubeOptions(
    program
      .command('doctor')
      .description('List the network problems: Services that reach no ready pod, ports and endpoints that do not line up, policies that select nothing or block DNS, and more, each with its evidence and fix.')
      .addOption(new Option('--snapshot <file>', 'examine a snapshot file').conflicts(['context', 'kubeconfig', 'demo']))
      .addOption(new Option('--demo', 'examine the bundled demo cluster').conflicts(['context', 'kubeconfig']))
      .option('--json', 'print {"problems","counts"} as JSON'),
  )
    .addHelpText('after', doctorExitCodes)
    // Usage errors end with 2 here, not commander's 1: 1 means "an error-level problem" to CI.
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new CommanderError(2, error.code, error.message);
    })
    .action(async (options: DoctorOptions) => (await import('./doctor.ts')).doctorCommand(options));

  program
    .command('diff')
    .description('Report what changed between two snapshots: pods, Services, endpoints, IPs, policies and nodes added, removed or changed.')
    .argument('<before>', 'the older snapshot file')
    .argument('<after>', 'the newer snapshot file')
    .option('--json', 'print the report as JSON')
    .action(async (before: string, after: string, options: DiffOptions) => (await import('./diff.ts')).diffCommand(before, after, options));

  program
    .command('export')
    .description('Export a snapshot (or the demo) as a PNG or SVG image with its legend (drawn in headless Chromium), or as Graphviz DOT.')
    .addOption(new Option('--snapshot <file>', 'the snapshot file to export').conflicts('demo'))
    .option('--demo', 'export the bundled demo cluster')
    .addOption(new Option('--format <format>', 'image or graph format').choices(['png', 'svg', 'dot']).makeOptionMandatory())
    .requiredOption('-o, --output <file>', 'file to write')
    .addOption(new Option('--scope <scope>', 'the whole graph, or the initial fitted view').choices(['full', 'view']).default('full'))
    .action(async (options: ExportOptions) => (await import('./export.ts')).exportCommand(options));

  addKubeOptions(
    program
      .command('trace')
      .description('Trace a packet from SRC to DST: every hop with the rule behind it, the packet after each hop, and the NetworkPolicy verdicts.')
      .addOption(new Option('--snapshot <file>', 'trace in a snapshot file').conflicts(['context', 'kubeconfig', 'demo']))
      .addOption(new Option('--demo', 'trace in the bundled demo cluster').conflicts(['context', 'kubeconfig']))
      .option('--from <src>', 'where the packet starts (see SRC and DST below)')
      .option('--to <dst>', 'where it goes')
      .addOption(new Option('--port <n>', "destination port (default: the one written in DST, the Service's first port, the pod's first declared port, 443 outside the cluster)").argParser(tracePort))
      .addOption(new Option('--protocol <protocol>', 'TCP, UDP or SCTP (default TCP)').argParser(traceProtocol))
      .addOption(new Option('--family <family>', "IP family, 4 or 6, for a dual-stack pod, node or Service in DST (default: that of an address written in DST, else of the source's primary IP)").argParser(traceFamily))
      .option('--json', 'print the trace as JSON ({"before","after"} with --with-policy; whole traces in --batch results)')
      .option('--with-policy <file>', "trace with the NetworkPolicies in this file added to (or replacing) the cluster's, and show what changes (repeatable)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
      .option('--batch <file>', "trace one JSON query per line of the file ('-': stdin), one JSON result per line")
      .addOption(new Option('--fix', 'print, instead of the trace, the smallest policy change that would allow a denied flow (YAML)').conflicts(['json', 'batch']))
      .option('--color', 'colour the text output'),
  )
    .addHelpText('after', traceExitCodes)
    // Usage errors end with 2 here, not commander's 1: 1 means "not delivered" to a script.
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new CommanderError(2, error.code, error.message);
    })
    .action(async (options: TraceCommandOptions) => (await import('./trace.ts')).traceCommand(options));

  addKubeOptions(
    program
      .command('serve')
      .description('Serve Podpath to a browser on this machine (browser mode).')
      .addOption(new Option('--demo', 'open the bundled demo cluster').conflicts(['snapshot', 'context']))
      .addOption(new Option('--snapshot <file>', 'open a snapshot file').conflicts('context'))
      .addOption(new Option('--port <n>', 'port to listen on (0: any free port)').argParser(parsePort).default(0))
      .addOption(new Option('--host <addr>', "address to listen on (0.0.0.0 or '::': every address of this machine)").default('127.0.0.1'))
      .addOption(new Option('--public-host <name>', 'the name (NAME or NAME:PORT) browsers use to reach it; then only that name is answered').argParser(publicHost))
      .option('--no-open', 'do not open a browser'),
  ).action(async (options: ServeCommandOptions) => (await import('./serve.ts')).serveCommand(options));

  return program;
}
