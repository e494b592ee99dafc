/**
 * `podpath trace`: one packet from SRC to DST, or a --batch file of them, in a snapshot, the demo
 * or a live cluster, optionally with what-if NetworkPolicies (--with-policy), or the policy change
 * that would allow a denied flow (--fix). Exit codes: 0
 * delivered, 1 another verdict, 2 no verdict — `unknown` included: a kind the verdict rests on
 * could not be read (program.ts prints them under --help).
 */
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseDocuments } from '../../shared/kube/documents.ts';
import type { CniPolicyRecord } from '../../shared/model/cni-policy.ts';
import type { AdminPolicyRecord } from '../../shared/model/admin-policy.ts';
import type { PolicyRecord } from '../../shared/model/types.ts';
import { withAdminPolicies, withCniPolicies, withPolicies } from '../../shared/policy/evaluate.ts';
import { policiesYaml, policyFix } from '../../shared/policy/fix.ts';
import { whatIfPolicies } from '../../shared/policy/what-if.ts';
import { shellQuote } from '../../shared/text/shell.ts';
import { policyDenials } from '../../shared/trace/blockers.ts';
import { formatTrace, formatTraceComparison, traceResult } from '../../shared/trace/format.ts';
import { trace } from '../../shared/trace/trace.ts';
import { parseFamily, parsePort, parseProtocol } from '../../shared/trace/query.ts';
import type { Protocol, Trace, TraceQuery, Verdict } from '../../shared/trace/types.ts';
import { fileProblem, readTextFile } from '../backend/read-text.ts';
import { ExitError, note, print, type KubeOptions } from './common.ts';
import { readTopology } from './live.ts';

export interface TraceCommandOptions extends KubeOptions {
  snapshot?: string;
  demo?: boolean;
  from?: string;
  to?: string;
  port?: number;
  protocol?: Protocol;
  family?: 4 | 6;
  json?: boolean;
  withPolicy?: string[];
  batch?: string;
  color?: boolean;
  fix?: boolean;
}

/** One line of a --batch file as a query, or what is wrong with it; never throws. */
export function parseBatchQuery(text: string): { query: TraceQuery } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON (${error instanceof Error ? error.message : String(error)}); write one object per line, e.g. {"from":"ns/pod","to":"svc/ns/name","port":80}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'expected a JSON object {"from","to","port","protocol","family"}' };
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !['from', 'to', 'port', 'protocol', 'family'].includes(k));
  if (unknown.length > 0) return { error: `unknown field ${unknown.map((k) => `"${k}"`).join(', ')}: a query has "from", "to", "port", "protocol" and "family"` };
  for (const end of ['from', 'to'] as const) {
    if (typeof fields[end] !== 'string' || fields[end].trim() === '') return { error: `"${end}" is missing: give it as a string, e.g. "ns/pod" or "svc/ns/name"` };
  }
  const query: TraceQuery = { from: fields.from as string, to: fields.to as string };
  if (fields.port !== undefined && fields.port !== null) {
    // A number or a string of digits; String([80]) would be '80', so nothing else is read.
    const port = typeof fields.port === 'number' || typeof fields.port === 'string' ? parsePort(String(fields.port)) : null;
    if (!port || 'error' in port) return { error: `"port" must be a number from 1 to 65535, not ${shown(fields.port)}` };
    query.port = port.port;
  }
  if (fields.protocol !== undefined && fields.protocol !== null) {
    const protocol = typeof fields.protocol === 'string' ? parseProtocol(fields.protocol) : null;
    if (!protocol || 'error' in protocol) return { error: `"protocol" must be TCP, UDP or SCTP, not ${shown(fields.protocol)}` };
    query.protocol = protocol.protocol;
  }
  if (fields.family !== undefined && fields.family !== null) {
    const family = typeof fields.family === 'number' || typeof fields.family === 'string' ? parseFamily(String(fields.family)) : null;
    if (!family || 'error' in family) return { error: `"family" must be 4 or 6, not ${shown(fields.family)}` };
    query.family = family.family;
  }
  return { query };
}

/** A value as the line wrote it, for an error: a string or a number, else only what it is (an
 * object may nest deeper than JSON.stringify can follow, or be a page long). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : 'an object';
}

interface WhatIfPolicy {
  /** A NetworkPolicy, or an admin policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
   * ClusterNetworkPolicy). */
  record: PolicyRecord | AdminPolicyRecord | CniPolicyRecord;
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
      text = await readTextFile(path);
    } catch (error) {
      throw new Error(`Cannot read policy file ${path}: ${fileProblem(error)}.`, { cause: error });
    }
    const read = whatIfPolicies(parseDocuments(text, path), path, namespace);
    for (const { kind, name } of read.ignored) {
      ignore(`ignored ${kind === '(none)' ? 'an object without a kind' : kind}${name ? ` ${name}` : ''} in ${path}: only policy objects count (NetworkPolicy, admin, Calico and Cilium policies)`);
    }
    const bad = read.unusable[0];
    if (bad) throw new Error(`${path}: a policy Podpath cannot use (${bad}); fix it or leave it out of --with-policy.`);
    if (read.policies.length === 0 && read.adminPolicies.length === 0 && read.cniPolicies.length === 0) {
      throw new Error(
        `${path} holds no policy: --with-policy takes networking.k8s.io/v1 NetworkPolicy manifests, policy.networking.k8s.io AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy, Calico's NetworkPolicy, GlobalNetworkPolicy and Tier, or Cilium's CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (YAML or JSON).`,
      );
    }
    for (const record of [...read.policies, ...read.adminPolicies, ...read.cniPolicies]) found.push({ record, file: path });
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

/**
 * The same command with an end that named nothing (or several things) replaced by each of its
 * suggestions, ready to run: the source's first, else the destination's.
 */
function retryCommands(options: TraceCommandOptions, result: Trace): string[] {
  const from = result.from.suggestions ?? [];
  const to = result.to.suggestions ?? [];
  const command = (src: string, dst: string) =>
    [
      'podpath trace',
      ...(options.demo ? ['--demo'] : []),
      ...(options.snapshot ? ['--snapshot', options.snapshot] : []),
      ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
      ...(options.context ? ['--context', options.context] : []),
      ...options.namespace.flatMap((ns) => ['-n', ns]),
      '--from', src,
      '--to', dst,
      ...(options.port !== undefined ? ['--port', String(options.port)] : []),
      ...(options.protocol ? ['--protocol', options.protocol] : []),
      ...(options.family ? ['--family', String(options.family)] : []),
      ...(options.withPolicy ?? []).flatMap((file) => ['--with-policy', file]),
      ...(options.json ? ['--json'] : []),
      ...(options.fix ? ['--fix'] : []),
    ]
      .map((word, i) => (i === 0 ? word : shellQuote(word)))
      .join(' ');
  if (from.length > 0) return from.map((src) => command(src, to[0] ?? result.query.to));
  return to.map((dst) => command(result.query.from, dst));
}

async function runTrace(options: TraceCommandOptions): Promise<number> {
  const isBatch = options.batch !== undefined;
  if (isBatch && (options.from !== undefined || options.to !== undefined)) throw new Error('--batch reads its queries from the file: leave out --from and --to.');
  if (isBatch && (options.port !== undefined || options.protocol !== undefined || options.family !== undefined)) throw new Error('--port, --protocol and --family are for one trace: in a --batch file give them on each line.');
  if (!isBatch && (!options.from || !options.to)) throw new Error('Say what to trace: --from SRC --to DST (or --batch FILE); see podpath trace --help.');
  const batch = options.batch !== undefined ? await openBatch(options.batch) : null;

  const whatIf = await readPolicyFiles(options.withPolicy ?? [], options.namespace[0] ?? 'default', (line) => note(`podpath: ${line}`));
  const topology = await readTopology(options, 'the trace cannot see them');
  const networkPolicies = whatIf.flatMap((p) => (p.record.kind === 'policy' ? [p.record] : []));
  const adminPolicies = whatIf.flatMap((p) => (p.record.kind === 'adminpolicy' ? [p.record] : []));
  const policies = whatIf.length > 0 ? withPolicies(topology, networkPolicies) : undefined;
  const admin = adminPolicies.length > 0 ? withAdminPolicies(topology, adminPolicies) : undefined;
  const cniPolicies = whatIf.flatMap((p) => (p.record.kind === 'cnipolicy' ? [p.record] : []));
  const cni = cniPolicies.length > 0 ? withCniPolicies(topology, cniPolicies) : undefined;
  const notes = whatIf.map(({ record, file }) => {
    const [name, isReplacing] =
      record.kind === 'policy'
        ? [`${record.namespace}/${record.name}`, topology.policies[record.id]]
        : record.kind === 'cnipolicy'
          ? [`${record.cni === 'calico' ? 'Calico ' : ''}${record.apiKind} ${'namespace' in record && record.namespace ? `${record.namespace}/` : ''}${record.name}`, topology.cniPolicies[record.id]]
          : [`${record.apiKind} ${record.name}`, topology.adminPolicies[record.id]];
    return `with ${name} from ${file}: ${isReplacing ? 'replaces the one in the cluster' : 'added'}`;
  });
  // Under --json and --batch stdout holds JSON only, under --fix YAML only: the notes go to stderr.
  if (options.json || isBatch || options.fix) for (const line of notes) note(`podpath: ${line}`);
  const traceBoth = (query: TraceQuery): { before: Trace; after: Trace | null } => ({ before: trace(topology, query), after: policies ? trace(topology, query, { policies, ...(admin ? { adminPolicies: admin } : {}), ...(cni ? { cniPolicies: cni } : {}) }) : null });

  if (!batch) {
    const query: TraceQuery = { from: options.from ?? '', to: options.to ?? '', ...(options.port !== undefined ? { port: options.port } : {}), ...(options.protocol ? { protocol: options.protocol } : {}), ...(options.family ? { family: options.family } : {}) };
    const { before, after } = traceBoth(query);
    if (options.fix) {
      const result = after ?? before;
      // Every policy blocker at once, the name lookup's included, each by its layer's rules.
      const fix = policyFix(topology, policyDenials(result.blockers), policies, { ...(admin ? { adminPolicies: admin } : {}), ...(cni ? { cniPolicies: cni } : {}) });
      if (fix && fix.policies.length > 0) await print(policiesYaml(fix.policies, fix.changes));
      // A change no policy can make (a Cilium deny): stdout stays YAML, so it is said on stderr.
      else if (fix) for (const line of fix.changes) note(`podpath: no policy to add: ${line}`);
      else note(`podpath: nothing to fix: ${result.verdict === 'delivered' ? 'the flow is delivered' : `${result.verdict} is not a policy denial`}.`);
    } else if (options.json) {
      await print(`${JSON.stringify(after ? { before, after } : before, null, 2)}\n`);
    } else if (after) {
      const format = { color: options.color ?? false };
      await print(`${notes.join('\n')}\n\n${formatTrace(after, format)}\n${formatTraceComparison(before, after, format)}`, { isStyled: format.color });
    } else {
      await print(formatTrace(before, { color: options.color ?? false }), { isStyled: options.color ?? false });
    }
    const retries = retryCommands(options, after ?? before);
    // On stderr, as git says "did you mean": stdout stays the trace (or its JSON or YAML).
    if (retries.length > 0) note(`podpath: did you mean:\n${retries.map((command) => `  ${command}`).join('\n')}`);
    return exitCodeOf((after ?? before).verdict);
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
      if (result.verdict === 'unknown') hasNoVerdict = true;
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

function exitCodeOf(verdict: Verdict): number {
  return verdict === 'delivered' ? 0 : verdict === 'unknown' ? 2 : 1;
}

/** Runs the trace; any failure before a verdict ends the command with 2, not 1. */
export async function traceCommand(options: TraceCommandOptions): Promise<void> {
  let code: number;
  try {
    code = await runTrace(options);
  } catch (error) {
    throw new ExitError(error instanceof Error ? error.message : String(error), 2, { cause: error });
  }
  process.exitCode = code;
}
