/**
 * Every blocker of a trace, in path order (issue 17): the steps note the hops that block the packet
 * as they build the path (`block` in outcome.ts); once the path is whole they are numbered here —
 * the lookup's, the path's, each branch's — and the policy ones get their fix, made for all of
 * them together as "Try a fix" makes it, each by the layer that denied it (an admin, Calico or
 * NetworkPolicy rule added; for a Cilium deny, the rule to narrow), so each line says what it does.
 */
import type { Id, PodRecord } from '../model/types.ts';
import { objectIdForElement } from '../topology/ids.ts';
import { policyFix, type Denial } from '../policy/fix.ts';
import type { DnsResult } from './dns.ts';
import type { Ctx, FoundBlocker } from './outcome.ts';
import type { Blocker, BlockerKind, Branch, Hop, Trace, Verdict } from './types.ts';

/** Whether a failed lookup still tells where the connection would go, so the trace goes on as if
 * DNS had answered: not for a name that does not exist, nor for one outside the cluster. */
export function isTracedPastLookup(dns: DnsResult): boolean {
  return dns.isFailed && dns.lookup.status !== 'nxdomain' && dns.target !== null && dns.target.kind !== 'upstream';
}

/** The trace's verdict for a lookup that failed: its own kind of failure. */
export function lookupVerdict(dns: DnsResult): Exclude<Verdict, 'delivered' | 'ambiguous' | 'unknown-target'> {
  const status = dns.lookup.status;
  return status === 'policy-denied' ? 'policy-denied' : status === 'no-endpoints' ? 'no-endpoints' : 'no-route';
}

/** What blocks a name lookup: the NetworkPolicy sides that deny port 53 (also when only some
 * CoreDNS endpoints are denied), or why it fails otherwise. Empty for one that works, or a name
 * that does not exist (the trace ends there: there is no address to go on to). */
export function lookupBlockers(dns: DnsResult, pod: PodRecord | null): FoundBlocker[] {
  const { lookup } = dns;
  if (lookup.status === 'policy-denied' || lookup.status === 'partly-denied') {
    const deciding = lookup.policy.find((c) => c.protocol === 'UDP' && !c.isAllowed);
    if (!deciding) return [];
    return [deciding.egress, deciding.ingress]
      .filter((side) => side.verdict === 'denied')
      .map((side) => ({ kind: 'dns-policy', line: side.line, fix: null, subject: side.direction === 'egress' ? (side.flow.from.pod ?? null) : (side.flow.to.pod ?? null), denial: side }));
  }
  if (!dns.isFailed || lookup.status === 'nxdomain') return [];
  if (dns.why) return [{ kind: 'dns-failed', line: lookup.summary, fix: dns.why.fix, subject: dns.why.subject, denial: null }];
  return [{ kind: 'dns-failed', line: lookup.summary, fix: pod ? resolverFix(pod, lookup.resolver) : null, subject: pod?.id ?? lookup.service, denial: null }];
}

/** The dnsPolicy change that gives a pod the cluster DNS; none when it already asks the cluster
 * DNS (whose Service is then missing or has no DNS port). */
function resolverFix(pod: PodRecord, resolver: 'cluster' | 'node' | 'custom'): string | null {
  const name = `${pod.namespace}/${pod.name}`;
  if (resolver === 'custom') return `add the cluster DNS Service's ClusterIP to spec.dnsConfig.nameservers of ${name}, or set dnsPolicy: ClusterFirst`;
  if (resolver === 'node') return pod.isHostNetwork ? `set dnsPolicy: ClusterFirstWithHostNet on ${name}` : `set dnsPolicy: ClusterFirst on ${name}`;
  return null;
}

const failedKinds: Record<Exclude<Branch['verdict'], 'delivered'>, BlockerKind> = { 'policy-denied': 'egress', 'no-endpoints': 'no-endpoints', 'no-route': 'no-route' };

/** The blockers noted at `hops`, numbered by their place there. */
function noted(ctx: Ctx, hops: Hop[], where: (hop: number) => NonNullable<Blocker['at']>): Blocker[] {
  return hops.flatMap((hop, i) => (ctx.blocked.get(hop) ?? []).map((found) => ({ ...found, at: where(i) })));
}

/** The object a path's last hop is about: the Service, Ingress or route whose configuration ends
 * it where the hop names one, else the object behind its first element. */
function subjectOf(last: Hop | undefined): Id | null {
  if (!last) return null;
  const configured = last.ids.find((id) => /^(svc|ing|gw|httproute):/.test(id));
  return configured ?? last.ids.map(objectIdForElement).find((id) => id !== null) ?? null;
}

/**
 * A connection that fails with no blocker noted on its way (a Service without the port asked for,
 * a pod with no IP, a 503 from an Ingress controller) is blocked where its path ends: its summary
 * is the cause, the object of its last hop the subject.
 */
function endBlocker(verdict: Exclude<Branch['verdict'], 'delivered'>, summary: string, at: Blocker['at'], last: Hop | undefined): Blocker {
  return { kind: failedKinds[verdict], line: summary.split('\n')[0] ?? summary, fix: null, subject: subjectOf(last), at, denial: null };
}

/** The fix lines of the policy blockers in `list`, made together (rules on one policy add up). The
 * admin and CNI policies are the cluster's: a new policy's priority or order is chosen among them. */
function withFixes(ctx: Ctx, list: Blocker[]): Blocker[] {
  const denials = policyDenials(list);
  if (denials.length === 0) return list;
  const lines = policyFix(ctx.topology, denials, ctx.policies, ctx.layers)?.lines ?? [];
  let i = 0;
  return list.map((b) => (b.denial ? { ...b, fix: lines[i++] ?? null } : b));
}

export interface PathParts {
  dns: DnsResult | undefined;
  /** The path's hops, before it fans out. */
  hops: Hop[];
  branches: Branch[];
  /** The branch the trace's verdict and policy are of. */
  shown: number | null;
  /** The connection's verdict and summary when it does not fan out. */
  verdict: Verdict;
  summary: string;
}

/**
 * The trace's blockers in path order (the lookup's, the path's, then those of branch `shown`), and
 * the branches with their own. Where the lookup failed and the trace did not go on, the lookup
 * is all there is.
 */
export function findBlockers(ctx: Ctx, parts: PathParts): { blockers: Blocker[]; branches: Branch[] } {
  const { dns, hops, branches } = parts;
  const lookup = noted(ctx, dns?.lookup.hops ?? [], (hop) => ({ in: 'dns', hop }));
  const trunk = noted(ctx, hops, (hop) => ({ in: 'path', hop }));
  const isPathTraced = !(dns?.isFailed && !isTracedPastLookup(dns));
  const lastOfPath: Blocker['at'] = hops.length > 0 ? { in: 'path', hop: hops.length - 1 } : null;
  if (branches.length === 0) {
    const ends = isPathTraced && trunk.length === 0 && parts.verdict !== 'delivered' && parts.verdict !== 'ambiguous' && parts.verdict !== 'unknown-target' && parts.verdict !== 'unknown' ? [endBlocker(parts.verdict, parts.summary, lastOfPath, hops.at(-1))] : [];
    return { blockers: withFixes(ctx, [...lookup, ...trunk, ...ends]), branches };
  }
  // Each branch's list is whole (the lookup's and the path's too): its fixes are made together.
  const lists = branches.map((branch, index) => {
    const own = noted(ctx, branch.hops, (hop) => ({ in: 'branch', branch: index, hop }));
    if (branch.verdict !== 'delivered' && trunk.length === 0 && own.length === 0) {
      own.push(endBlocker(branch.verdict, branch.summary, branch.hops.length > 0 ? { in: 'branch', branch: index, hop: branch.hops.length - 1 } : lastOfPath, branch.hops.at(-1) ?? hops.at(-1)));
    }
    return withFixes(ctx, [...lookup, ...trunk, ...own]);
  });
  return {
    blockers: (parts.shown === null ? null : lists[parts.shown]) ?? withFixes(ctx, [...lookup, ...trunk]),
    branches: branches.map((branch, index) => ({ ...branch, blockers: (lists[index] ?? []).filter((b) => b.at?.in === 'branch') })),
  };
}

/** The blockers of `trace` on `branch` (the one chosen where the path fans out): the lookup's, the
 * path's, and the branch's own. */
export function blockersOf(trace: Trace, branch: Branch | null): Blocker[] {
  if (trace.branches.length === 0 || !branch) return trace.blockers;
  return [...trace.blockers.filter((b) => b.at?.in !== 'branch'), ...branch.blockers];
}

/** The policy denials among `blockers`, whatever layer decided them, as "Try a fix" takes them
 * (shared/policy/fix.ts). */
export function policyDenials(blockers: readonly Blocker[]): Denial[] {
  return blockers.flatMap((b) => (b.denial ? [{ verdict: b.denial, isDns: b.kind === 'dns-policy' }] : []));
}
