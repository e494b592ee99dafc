/**
 * A finished path folded into the trace's verdict: nested fan-outs flattened into branches, the
 * branches' verdicts combined (`ambiguous` when they disagree), and what the DNS lookup adds.
 */
import type { DnsResult } from './dns.ts';
import type { Endpoint } from './endpoints.ts';
import { maxBranches, noPolicy, type Fork, type Outcome } from './outcome.ts';
import type { Branch, PolicySummary, Verdict } from './types.ts';

function flatten(fork: Fork): Branch[] {
  const outcome = fork.outcome;
  if (outcome.forks && outcome.forks.length > 0) {
    return outcome.forks.flatMap(flatten).map((b) => ({
      ...b,
      label: `${fork.label} → ${b.label}`,
      selection: `${fork.selection}; then ${b.selection}`,
      node: b.node ?? fork.node,
      hops: [...outcome.hops, ...b.hops],
    }));
  }
  const finished = outcome.end ?? { verdict: 'no-route' as const, summary: 'the path ends here', policy: noPolicy };
  const verdict = finished.verdict === 'unknown-target' ? 'no-route' : finished.verdict;
  // Its blockers are found once the whole path is known (blockers.ts).
  return [{ label: fork.label, selection: fork.selection, endpoint: fork.endpoint, pod: fork.pod, node: fork.node, verdict, summary: finished.summary, hops: outcome.hops, policy: finished.policy, blockers: [] }];
}

/** The branches' verdicts as one; `shown` is the branch whose verdict and policy the trace shows
 * (the first, or the first that fails when they disagree). */
function combine(branches: Branch[]): { verdict: Verdict; summary: string; policy: PolicySummary; shown: number | null } {
  const verdicts = [...new Set(branches.map((b) => b.verdict))];
  const first = branches[0];
  if (!first) return { verdict: 'no-route', summary: 'no path', policy: noPolicy, shown: null };
  if (branches.length === 1) return { verdict: first.verdict, summary: first.summary, policy: first.policy, shown: 0 };
  if (verdicts.length === 1) {
    const named = branches.slice(0, 4).map((b) => b.label);
    const list = `${named.join('; ')}${branches.length > named.length ? `; and ${branches.length - named.length} more` : ''}`;
    const summary = first.verdict === 'delivered' ? `Delivered on all ${branches.length} paths: ${list}.` : `${first.verdict} on all ${branches.length} paths. ${first.summary}`;
    return { verdict: first.verdict, summary, policy: first.policy, shown: 0 };
  }
  const counts = verdicts.map((v) => `${branches.filter((b) => b.verdict === v).length} ${v}`).join(', ');
  const failing = Math.max(0, branches.findIndex((b) => b.verdict !== 'delivered'));
  const branch = branches[failing] ?? first;
  return { verdict: 'ambiguous', summary: `The paths disagree (${counts}): it depends on which one is picked. ${branch.label}: ${branch.summary}`, policy: branch.policy, shown: failing };
}

/** For a lookup Podpath could not check (no cluster DNS Service in the model). */
function unverifiedNote(dns: DnsResult | undefined): string {
  return dns?.lookup.status === 'unverified' ? ' The name lookup is not checked: no cluster DNS Service (kube-system/kube-dns) is in the model.' : '';
}

/**
 * The trace's verdict and summary from the finished path: its branches when it fanned out (at
 * most `maxBranches`); a delivery is only `ambiguous` when the name lookup before it works for
 * some CoreDNS endpoints and not others.
 */
export function foldOutcome(outcome: Outcome, dns: DnsResult | undefined, to: Endpoint): { verdict: Verdict; summary: string; branches: Branch[]; policy: PolicySummary; shown: number | null } {
  const dnsNote = dns?.lookup.status === 'partly-denied' ? ` ${dns.lookup.summary}` : '';
  if (outcome.forks && outcome.forks.length > 0) {
    let branches = outcome.forks.flatMap(flatten);
    const total = branches.length;
    if (branches.length > maxBranches) branches = branches.slice(0, maxBranches);
    const combined = combine(branches);
    const verdict = dnsNote && combined.verdict === 'delivered' ? 'ambiguous' : combined.verdict;
    const cut = total > branches.length ? ` (${branches.length} of ${total} paths shown)` : '';
    return { verdict, summary: `${combined.summary}${dnsNote}${unverifiedNote(dns)}${cut}`, branches, policy: combined.policy, shown: combined.shown };
  }
  const finished = outcome.end ?? { verdict: 'no-route' as const, summary: 'the path ends without a verdict', policy: noPolicy };
  const verdict: Verdict = dnsNote && finished.verdict === 'delivered' ? 'ambiguous' : finished.verdict;
  const unknownTarget = to.kind === 'name' && finished.verdict === 'no-route' && dns?.target === null;
  return { verdict: unknownTarget ? 'unknown-target' : verdict, summary: `${finished.summary}${dnsNote}${unverifiedNote(dns)}`, branches: [], policy: finished.policy, shown: null };
}
