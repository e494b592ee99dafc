/**
 * A trace as text a user reads in a terminal (`podpath trace`): like a traceroute, one numbered
 * line per hop with the packet as it stands after it, and under each hop the reason it is there —
 * the evidence, and a command to check it prefixed `$ `. Pure: the CLI only prints it.
 */
import type { Id } from '../model/types.ts';
import { ruleTitle } from '../policy/admin/words.ts';
import { cniRuleTitle } from '../policy/cni/words.ts';
import type { AdminRuleRef, CniRuleRef, DirectionVerdict, RuleRef } from '../policy/types.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import type { Blocker, Branch, DnsLookup, Hop, Packet, PolicySummary, Trace, TraceEnd, TraceQuery, Verdict } from './types.ts';

export interface FormatOptions {
  /** ANSI colours (verdicts, commands, dimmed evidence). Off unless asked for. */
  color?: boolean;
}

type Style = 'bold' | 'dim' | 'good' | 'bad' | 'warn' | 'command';

const ansi: Record<Style, [string, string]> = {
  bold: ['\x1b[1m', '\x1b[22m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  good: ['\x1b[32m', '\x1b[39m'],
  bad: ['\x1b[31m', '\x1b[39m'],
  warn: ['\x1b[33m', '\x1b[39m'],
  command: ['\x1b[36m', '\x1b[39m'],
};

type Paint = (style: Style, text: string) => string;

function painter(options: FormatOptions): Paint {
  return options.color ? (style, text) => `${ansi[style][0]}${text}${ansi[style][1]}` : (_style, text) => text;
}

function verdictStyle(verdict: Verdict | DirectionVerdict['verdict'] | 'unchanged'): Style {
  switch (verdict) {
    case 'delivered':
    case 'allowed':
      return 'good';
    case 'ambiguous':
    case 'unknown':
      return 'warn';
    case 'not-isolated':
    case 'not-applicable':
    case 'unchanged':
      return 'dim';
    default:
      return 'bad';
  }
}

/** `netpol:shop/db-allow` → `shop/db-allow`; `node:demo-worker-1` → `demo-worker-1`. */
function nameOf(id: Id): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(colon + 1);
}

// ——— packets ———

function address(ip: string, port: number | undefined): string {
  return port === undefined ? ip : joinHostPort(ip, port);
}

export function formatPacket(packet: Packet): string {
  const inner = `${address(packet.src, packet.srcPort)} → ${address(packet.dst, packet.dstPort)} ${packet.protocol}`;
  const outer = packet.outer;
  if (!outer) return inner;
  const vni = outer.vni === undefined ? '' : ` VNI ${outer.vni}`;
  return `${inner} [outer ${outer.src} → ${address(outer.dst, outer.dstPort)} ${outer.protocol}${vni}]`;
}

/** What a hop did to the packet's addresses, when it changed them: DNAT where the destination
 * moves, SNAT where the source does, a new connection where a proxy opens one of its own. */
function packetChange(hop: Hop, before: Packet | null): string | null {
  if (!before) return null;
  const after = hop.packet;
  const isSrcChanged = before.src !== after.src || before.srcPort !== after.srcPort;
  const isDstChanged = before.dst !== after.dst || before.dstPort !== after.dstPort;
  if (!isSrcChanged && !isDstChanged && before.protocol === after.protocol) return null;
  const src = `${address(before.src, before.srcPort)} → ${address(after.src, after.srcPort)}`;
  const dst = `${address(before.dst, before.dstPort)} → ${address(after.dst, after.dstPort)}`;
  if (hop.kind === 'ingress-controller' || (isSrcChanged && isDstChanged)) return `new connection: ${formatPacket({ ...after, outer: undefined })}`;
  if (isDstChanged) return `DNAT ${dst}`;
  if (isSrcChanged) return `SNAT ${src}`;
  return `protocol ${before.protocol} → ${after.protocol}`;
}

// ——— policy words ———

function ruleRef(ref: RuleRef): string {
  return `${ref.name} ${ref.direction}[${ref.rule}]`;
}

/** An admin rule in a few words: `Deny by ClusterNetworkPolicy x ingress[0]`. */
function adminRef(ref: AdminRuleRef): string {
  return `${ref.action} by ${ref.apiKind} ${ref.name} ${ref.direction}[${ref.rule}]`;
}

/** A Calico or Cilium rule in a few words: `Deny by Calico GlobalNetworkPolicy x ingress[0] (tier security)`. */
function cniRef(ref: CniRuleRef): string {
  if (ref.section === 'end-of-tier') return `${ref.action} at the end of Calico tier ${ref.name}`;
  // Decided by the agent (enable-policy, allow-localhost), not by a policy.
  if (ref.cni === 'cilium' && ref.policy === '') return ref.section === 'default-deny' ? `Deny by Cilium's default deny (${ref.name})` : `${ref.action} by Cilium's ${ref.name}`;
  if (ref.section === 'default-deny') return `Deny by Cilium's default deny (${ref.apiKind} ${ref.name})`;
  const spec = ref.cni === 'cilium' && ref.spec ? ` specs[${ref.spec - 1}]` : '';
  return `${ref.action} by ${ref.cni === 'calico' ? 'Calico ' : ''}${ref.apiKind} ${ref.name}${spec} ${ref.section}[${ref.rule}]${ref.tier ? ` (tier ${ref.tier})` : ''}`;
}

/** A direction's verdict in a few words: `allowed by shop/x egress[0]`, `denied (isolated by …)`. */
function directionShort(verdict: DirectionVerdict | null): string {
  if (!verdict) return 'not evaluated';
  if (verdict.decidedBy && verdict.verdict !== 'unknown') return `${verdict.verdict} (${verdict.layer} tier: ${adminRef(verdict.decidedBy)})`;
  if (verdict.cniRule && verdict.verdict !== 'unknown') return `${verdict.verdict} (${verdict.layer}: ${cniRef(verdict.cniRule)})`;
  switch (verdict.verdict) {
    case 'allowed':
      if (verdict.allowedBy.length > 0) return `allowed by ${verdict.allowedBy.map(ruleRef).join(', ')}`;
      return `allowed (${verdict.exemption === 'self' ? "a pod's traffic to itself" : verdict.exemption === 'local-node' ? 'its own node' : 'exemption'})`;
    case 'denied':
      return `denied (isolated by ${verdict.isolatedBy.map(nameOf).join(', ')})`;
    case 'not-isolated':
      return 'not isolated';
    case 'not-applicable':
      return 'not applicable';
    case 'unknown':
      return 'unknown (admin policies leave it open)';
  }
}

/** A direction's line (shared/policy/line.ts) under its verdict word, and for a denial each
 * isolating policy's closest miss beneath it. */
function directionLines(verdict: DirectionVerdict | null, paint: Paint, indent: string): string[] {
  if (!verdict) return [];
  const isDecided = verdict.verdict === 'allowed' || verdict.verdict === 'denied' || verdict.verdict === 'unknown';
  const pad = ' '.repeat(indent.length + 15);
  // Which layer decided, when admin policies had a say: the rule that decided or passed it on.
  const layers: string[] = [];
  if (verdict.decidedBy && verdict.verdict !== 'unknown') layers.push(`${verdict.layer} tier: ${ruleTitle(verdict.decidedBy)}: ${verdict.decidedBy.action} (${verdict.decidedBy.text})`);
  if (verdict.passedBy) layers.push(`admin tier: ${ruleTitle(verdict.passedBy)}: Pass (${verdict.passedBy.text}); then ${verdict.layer === 'networkpolicy' ? 'NetworkPolicy' : verdict.layer} decides`);
  if (verdict.cniRule && verdict.verdict !== 'unknown') layers.push(`${verdict.layer}: ${cniRuleTitle(verdict.cniRule)}: ${verdict.cniRule.action} (${verdict.cniRule.text})${verdict.cniRule.notEvaluated ? `; ${verdict.cniRule.notEvaluated}` : ''}`);
  for (const pass of verdict.cniPassedBy ?? []) layers.push(`${cniRuleTitle(pass)}: Pass (${pass.text})`);
  if (verdict.verdict === 'unknown') layers.push(verdict.reason);
  else if (verdict.adminPolicies && !verdict.decidedBy && !verdict.passedBy) layers.push(`no admin or baseline rule matches; ${verdict.layer === 'networkpolicy' ? 'NetworkPolicy decides' : 'the default allows it'}`);
  return [
    `${indent}${paint(verdictStyle(verdict.verdict), verdict.verdict.padEnd(14))} ${isDecided ? verdict.line : paint('dim', verdict.line)}`,
    ...layers.map((text) => `${pad}${paint('dim', '·')} ${text}`),
    ...verdict.misses.map((miss) => `${pad}${paint('dim', '·')} ${miss.name}: ${miss.text}`),
  ];
}

/** A summary of several lines (a denial's, one per direction) with the lines after the first
 * under it, `width` columns in. */
function hanging(text: string, width: number): string {
  return text.replaceAll('\n', `\n${' '.repeat(width)}`);
}

function policyLines(policy: PolicySummary, paint: Paint, indent: string): string[] {
  if (!policy.egress && !policy.ingress) return [`${indent}${paint('dim', 'none evaluated: the path ends before NetworkPolicy is checked, or neither end is a pod')}`];
  return [...directionLines(policy.egress, paint, indent), ...directionLines(policy.ingress, paint, indent)];
}

// ——— ends and header ———

/** The destination port the trace used: the query's, or the first connection packet's. */
function portOf(trace: Trace): number | undefined {
  if (trace.query.port !== undefined) return trace.query.port;
  const first = [...trace.hops, ...(trace.branches[0]?.hops ?? [])].find((h) => h.kind !== 'dns');
  return first?.packet.dstPort;
}

function protocolOf(trace: Trace): string {
  const first = [...trace.hops, ...(trace.branches[0]?.hops ?? [])].find((h) => h.kind !== 'dns');
  return trace.query.protocol ?? first?.packet.protocol ?? 'TCP';
}

/** `svc/shop/backend:80/TCP` — the destination as asked, with the port and protocol traced. */
export function describeFlow(trace: Trace): string {
  const port = portOf(trace);
  const to = trace.query.to;
  const hasPort = /:\d+$/.test(to) && !/^https?:\/\//i.test(to);
  if (hasPort) return `${trace.query.from} → ${to}/${protocolOf(trace)}`;
  return `${trace.query.from} → ${to}${port === undefined ? ` (${protocolOf(trace)})` : `:${port}/${protocolOf(trace)}`}`;
}

function endLine(role: 'from' | 'to', end: TraceEnd, trace: Trace, paint: Paint): string {
  const where = [end.ip, end.node ? `on ${nameOf(end.node)}` : null].filter(Boolean).join(' ');
  const isUnknown = end.kind === 'unknown' && trace.verdict === 'unknown-target';
  const how = isUnknown ? `${end.query}: not found (see the verdict)` : end.how;
  return `  ${role.padEnd(5)} ${how}${where ? `  ${paint('dim', `· ${where}`)}` : ''}`;
}

// ——— DNS ———

function dnsLines(dns: DnsLookup, paint: Paint): string[] {
  const answer = dns.answer ? `${dns.answer.type} ${dns.answer.values.join(', ')}` : dns.status;
  const lines = [`${paint('bold', 'DNS')}  ${dns.name} → ${answer}  ${paint(dns.status === 'resolved' || dns.status === 'upstream' ? 'good' : 'bad', `(${dns.status})`)}`];
  const resolver = dns.resolver === 'cluster' ? 'cluster DNS' : dns.resolver === 'node' ? "the node's resolv.conf" : 'dnsConfig nameservers';
  const via = dns.service ? ` (svc ${nameOf(dns.service)})` : '';
  lines.push(`     resolver   ${resolver} ${dns.nameservers.join(', ') || '(none)'}${via}, dnsPolicy ${dns.dnsPolicy}, search ${dns.searches.join(' ') || '(none)'}, ndots:${dns.ndots}`);
  for (const [i, query] of dns.queries.entries()) {
    const result = Array.isArray(query.answer) ? query.answer.join(', ') : query.answer;
    lines.push(`     ${i === 0 ? 'queries   ' : '          '} ${query.name} → ${result}`);
  }
  if (dns.endpoints.length > 0) lines.push(`     endpoints  ${dns.endpoints.map((id) => id.slice(id.lastIndexOf('/') + 1)).join(', ')}`);
  for (const protocol of ['UDP', 'TCP'] as const) {
    const checks = dns.policy.filter((c) => c.protocol === protocol);
    if (checks.length === 0) continue;
    const allowed = checks.filter((c) => c.isAllowed).length;
    const word = allowed === checks.length ? 'allowed' : allowed === 0 ? 'denied' : `partly denied (${checks.length - allowed} of ${checks.length} endpoints)`;
    const deciding = checks.find((c) => !c.isAllowed) ?? checks[0];
    let why = '';
    if (deciding) {
      const blocked = deciding.egress.verdict === 'denied' ? deciding.egress : deciding.ingress.verdict === 'denied' ? deciding.ingress : null;
      why = blocked ? blocked.line : deciding.egress.line;
    }
    lines.push(`     port 53    ${protocol} ${paint(allowed === checks.length ? 'good' : 'bad', word)}${why ? `: ${why}` : ''}`);
  }
  if (dns.status !== 'resolved') lines.push(`     ${paint('bad', dns.summary)}`);
  return lines;
}

// ——— hops ———

/** `observed` and `inferred` are both this long. */
const provenanceWidth = 8;

/** What the hops' second column means, under the heading. */
export const provenanceLegend = 'observed: read off the node by a probe (device, veth, route, kube-proxy rule); inferred: from the API and how the CNI and kube-proxy work';

interface Layout {
  numberWidth: number;
  kindWidth: number;
}

function hopLines(hop: Hop, n: number, previous: Packet | null, layout: Layout, indent: string, paint: Paint): string[] {
  const number = String(n).padStart(layout.numberWidth);
  const kind = hop.kind.padEnd(layout.kindWidth);
  const provenance = paint(hop.provenance === 'observed' ? 'good' : 'dim', hop.provenance.padEnd(provenanceWidth));
  const lines = [`${indent}${number}  ${kind}  ${provenance}  ${hop.label}   ${paint('bold', formatPacket(hop.packet))}`];
  const under = ' '.repeat(indent.length + layout.numberWidth + 2 + layout.kindWidth + 2 + provenanceWidth + 2);
  const change = packetChange(hop, previous);
  if (change) lines.push(`${under}${paint('warn', change)}`);
  for (const evidence of hop.evidence) {
    const field = evidence.field && !evidence.text.includes(evidence.field) ? ` (${evidence.field})` : '';
    if (evidence.text) lines.push(`${under}${paint('dim', `· ${evidence.text}${field}`)}`);
    if (evidence.command) lines.push(`${under}${paint('command', `$ ${evidence.command}`)}`);
  }
  return lines;
}

/** The packet a hop's change is measured against: DNS hops carry the lookup's packet, not the
 * connection's, so they neither start nor continue the comparison. */
function connectionPacket(hops: Hop[], start: Packet | null): Packet | null {
  let last = start;
  for (const hop of hops) if (hop.kind !== 'dns') last = hop.packet;
  return last;
}

function hopsLines(hops: Hop[], firstNumber: number, start: Packet | null, layout: Layout, indent: string, paint: Paint): string[] {
  const lines: string[] = [];
  let previous = start;
  for (const [i, hop] of hops.entries()) {
    lines.push(...hopLines(hop, firstNumber + i, hop.kind === 'dns' ? null : previous, layout, indent, paint));
    if (hop.kind !== 'dns') previous = hop.packet;
  }
  return lines;
}

function branchLines(branch: Branch, index: number, count: number, trunk: Hop[], layout: Layout, paint: Paint): string[] {
  const lines = [`  ${paint('bold', `branch ${index + 1} of ${count}`)}  ${branch.label}: ${paint(verdictStyle(branch.verdict), branch.verdict)}`];
  lines.push(`      ${paint('dim', 'picked')}  ${branch.selection}`);
  lines.push(...hopsLines(branch.hops, trunk.length + 1, connectionPacket(trunk, null), layout, '    ', paint));
  lines.push(`      ${paint(verdictStyle(branch.verdict), `→ ${branch.verdict}`)}: ${hanging(branch.summary, 10 + branch.verdict.length)}`);
  return lines;
}

// ——— blockers ———

/** Where a blocker is, by the numbers the hops are printed with (the lookup's are not numbered). */
function blockerPlace(blocker: Blocker, trace: Trace): string {
  const at = blocker.at;
  if (!at) return 'the end';
  if (at.in === 'dns') return 'DNS';
  if (at.in === 'path') return `hop ${at.hop + 1}`;
  return `branch ${at.branch + 1}, hop ${trace.hops.length + at.hop + 1}`;
}

/** Every blocker in path order, each with its fix under it. */
function blockerLines(trace: Trace, paint: Paint): string[] {
  const places = trace.blockers.map((b) => blockerPlace(b, trace));
  const width = Math.max(...places.map((p) => p.length));
  const branch = trace.blockers.find((b) => b.at?.in === 'branch')?.at;
  const heading = `blockers ${paint('dim', `(${trace.blockers.length}, in path order${branch?.in === 'branch' && trace.branches.length > 1 ? `, on branch ${branch.branch + 1}` : ''})`)}`;
  return [
    paint('bold', heading),
    ...trace.blockers.flatMap((b, i) => [
      `  ${i + 1}. ${paint('bad', places[i]!.padEnd(width))}  ${b.line}`,
      ...(b.fix ? [`     ${' '.repeat(width)}  ${paint('dim', 'fix:')} ${b.fix}`] : []),
    ]),
  ];
}

/**
 * The trace as text: the flow and its two ends, the DNS lookup if there is one, the numbered
 * hops with their evidence (DNAT and SNAT shown where the packet changes), each branch of a
 * fan-out with how it is picked and its own verdict, every blocker in path order with its fix,
 * the NetworkPolicy verdicts, and last the verdict with the summary.
 */
export function formatTrace(trace: Trace, options: FormatOptions = {}): string {
  const paint = painter(options);
  const lines = [paint('bold', `trace ${describeFlow(trace)}`), endLine('from', trace.from, trace, paint), endLine('to', trace.to, trace, paint)];
  if (trace.dns) lines.push('', ...dnsLines(trace.dns, paint));

  const allHops = [...trace.hops, ...trace.branches.flatMap((b) => b.hops)];
  const longest = trace.hops.length + Math.max(0, ...trace.branches.map((b) => b.hops.length));
  const layout: Layout = { numberWidth: String(Math.max(longest, 1)).length + 1, kindWidth: Math.max(0, ...allHops.map((h) => h.kind.length)) };
  const hopsHeading = trace.isDnsAssumed ? `hops ${paint('warn', '(if DNS had answered: traced on to what CoreDNS would answer)')}` : 'hops';
  if (allHops.length > 0) lines.push('', paint('bold', hopsHeading), paint('dim', `  (${provenanceLegend})`));
  if (trace.hops.length > 0) lines.push(...hopsLines(trace.hops, 1, null, layout, '', paint));
  for (const [i, branch] of trace.branches.entries()) lines.push('', ...branchLines(branch, i, trace.branches.length, trace.hops, layout, paint));
  if (trace.blockers.length > 0) lines.push('', ...blockerLines(trace, paint));

  const policyHeading = trace.branches.length > 1 ? `policy ${paint('dim', `(of ${trace.verdict === 'ambiguous' ? 'the first path that fails' : 'the first path'}; each branch shows its own above)`)}` : 'policy';
  lines.push('', paint('bold', policyHeading), ...policyLines(trace.policy, paint, '  '));
  lines.push('', `${paint('bold', 'verdict:')} ${paint(verdictStyle(trace.verdict), trace.verdict)} — ${hanging(trace.summary, 12 + trace.verdict.length)}`);
  return `${lines.join('\n')}\n`;
}

// ——— what-if ———

function isSameDirection(a: DirectionVerdict | null, b: DirectionVerdict | null): boolean {
  if (!a || !b) return a === b;
  const admin = (v: DirectionVerdict) => [...[v.decidedBy, v.passedBy].map((r) => (r ? adminRef(r) : '')), v.cniRule ? cniRef(v.cniRule) : ''].join();
  return a.verdict === b.verdict && a.exemption === b.exemption && a.isolatedBy.join() === b.isolatedBy.join() && a.allowedBy.map(ruleRef).join() === b.allowedBy.map(ruleRef).join() && admin(a) === admin(b);
}

function dnsPolicyWord(dns: DnsLookup | undefined): string | null {
  if (!dns || dns.policy.length === 0) return null;
  const allowed = dns.policy.filter((c) => c.isAllowed).length;
  return allowed === dns.policy.length ? 'allowed' : allowed === 0 ? 'denied' : 'partly denied';
}

/**
 * What a what-if changes: the verdict before → after, each NetworkPolicy verdict (egress,
 * ingress, port 53 for the lookup) that changed, and the branches whose verdict changed.
 */
export function formatTraceComparison(before: Trace, after: Trace, options: FormatOptions = {}): string {
  const paint = painter(options);
  const lines = [paint('bold', `what-if ${describeFlow(after)}`)];
  const isVerdictChanged = before.verdict !== after.verdict;
  lines.push(
    isVerdictChanged
      ? `  verdict  ${paint(verdictStyle(before.verdict), before.verdict)} → ${paint(verdictStyle(after.verdict), after.verdict)}`
      : `  verdict  ${paint(verdictStyle(after.verdict), after.verdict)} ${paint('dim', '(unchanged)')}`,
  );
  let changes = 0;
  for (const direction of ['egress', 'ingress'] as const) {
    const was = before.policy[direction];
    const now = after.policy[direction];
    if (isSameDirection(was, now)) continue;
    changes++;
    lines.push(`  ${direction.padEnd(8)} ${directionShort(was)} → ${paint(verdictStyle(now?.verdict ?? 'unchanged'), directionShort(now))}`);
    if (now?.verdict === 'denied') lines.push(`           ${now.line}`, ...now.misses.map((miss) => `           ${paint('dim', '·')} ${miss.name}: ${miss.text}`));
  }
  const dnsBefore = dnsPolicyWord(before.dns);
  const dnsAfter = dnsPolicyWord(after.dns);
  if (dnsBefore !== dnsAfter) {
    changes++;
    lines.push(`  port 53  DNS ${dnsBefore ?? 'not looked up'} → ${dnsAfter ?? 'not looked up'}`);
  }
  const beforeBranches = new Map(before.branches.map((b) => [b.label, b]));
  for (const branch of after.branches) {
    const was = beforeBranches.get(branch.label);
    if (!was || was.verdict === branch.verdict) continue;
    changes++;
    lines.push(`  branch   ${branch.label}: ${was.verdict} → ${paint(verdictStyle(branch.verdict), branch.verdict)}`);
  }
  if (changes === 0) lines.push(`  ${paint('dim', isVerdictChanged ? 'no NetworkPolicy verdict changed' : 'no NetworkPolicy verdict on this path changed')}`);
  if (isVerdictChanged) lines.push(`  now: ${hanging(after.summary, 7)}`);
  return `${lines.join('\n')}\n`;
}

// ——— one line of a batch ———

export interface CompactDirection {
  verdict: DirectionVerdict['verdict'];
  /** `ns/name egress[0]` for each allowing rule. */
  allowedBy?: string[];
  isolatedBy?: string[];
  /** The verdict in one line, e.g. `frontend egress: no rule allows shop/db-0:5432/TCP`. */
  line: string;
  /** For a denial: why, with each isolating policy's closest miss; for `unknown`, what it depends on. */
  reason?: string;
  /** Only when admin policies select the pod: which layer decided (admin, networkpolicy,
   * baseline, default), the admin or baseline rule that did, the admin rule that passed it on. */
  layer?: DirectionVerdict['layer'];
  decidedBy?: string;
  passedBy?: string;
  /** Only when Calico or Cilium policies apply: the CNI rule that decided (or a Calico tier's
   * end, Cilium's default deny), what it left unevaluated (L7), and the Calico Pass rules before. */
  cniRule?: string;
  notEvaluated?: string;
  cniPassedBy?: string[];
}

/** A trace in a few fields, for one line of `podpath trace --batch`: enough to check a flow in
 * a script and to see which policy decided it, without the hops. */
export interface TraceResult {
  query: TraceQuery;
  verdict: Verdict;
  summary: string;
  from: string;
  to: string;
  policy: { egress: CompactDirection | null; ingress: CompactDirection | null };
  /** Where a Service fans out: each way and its verdict. */
  branches?: { label: string; verdict: Branch['verdict'] }[];
  dns?: { name: string; status: DnsLookup['status']; answer: string[] };
  /** Every blocker in path order, with its fix (`Trace.blockers`, without where it is). */
  blockers?: { kind: Blocker['kind']; line: string; fix: string | null }[];
}

function compactDirection(verdict: DirectionVerdict | null): CompactDirection | null {
  if (!verdict) return null;
  return {
    verdict: verdict.verdict,
    ...(verdict.allowedBy.length > 0 ? { allowedBy: verdict.allowedBy.map(ruleRef) } : {}),
    ...(verdict.isolatedBy.length > 0 ? { isolatedBy: verdict.isolatedBy.map(nameOf) } : {}),
    line: verdict.line,
    ...(verdict.verdict === 'denied' || verdict.verdict === 'unknown' ? { reason: verdict.reason } : {}),
    ...(verdict.adminPolicies ? { layer: verdict.layer } : {}),
    ...(verdict.decidedBy ? { decidedBy: adminRef(verdict.decidedBy) } : {}),
    ...(verdict.passedBy ? { passedBy: adminRef(verdict.passedBy) } : {}),
    ...((verdict.cniPolicies || verdict.cniRule) && !verdict.adminPolicies ? { layer: verdict.layer } : {}),
    ...(verdict.cniRule ? { cniRule: cniRef(verdict.cniRule), ...(verdict.cniRule.notEvaluated ? { notEvaluated: verdict.cniRule.notEvaluated } : {}) } : {}),
    ...(verdict.cniPassedBy ? { cniPassedBy: verdict.cniPassedBy.map(cniRef) } : {}),
  };
}

export function traceResult(trace: Trace): TraceResult {
  return {
    query: trace.query,
    verdict: trace.verdict,
    summary: trace.summary,
    from: trace.from.label,
    to: trace.to.label,
    policy: { egress: compactDirection(trace.policy.egress), ingress: compactDirection(trace.policy.ingress) },
    ...(trace.branches.length > 0 ? { branches: trace.branches.map((b) => ({ label: b.label, verdict: b.verdict })) } : {}),
    ...(trace.dns ? { dns: { name: trace.dns.name, status: trace.dns.status, answer: trace.dns.answer?.values ?? [] } } : {}),
    ...(trace.blockers.length > 0 ? { blockers: trace.blockers.map((b) => ({ kind: b.kind, line: b.line, fix: b.fix })) } : {}),
  };
}
