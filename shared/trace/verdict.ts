/**
 * A finished path folded into the trace's verdict: nested fan-outs flattened into branches, the
 * branches' verdicts combined (`ambiguous` when they disagree), and what the DNS lookup adds.
 */
import type { ClusterInfo } from '../model/cluster.ts';
import type { DnsResult } from './dns.ts';
import type { Endpoint } from './endpoints.ts';
import { maxBranches, noPolicy, type Fork, type Outcome } from './outcome.ts';
import type { DirectionVerdict } from '../policy/types.ts';
import type { Branch, Hop, PolicySummary, Verdict } from './types.ts';

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

/** The hops that say a path went through a Service (and so rests on Services and EndpointSlices). */
const serviceHops: ReadonlySet<Hop['kind']> = new Set(['service', 'endpoint', 'kube-proxy-dnat', 'load-balancer', 'node-port', 'ingress-controller', 'dns']);

/**
 * The kinds a trace's verdict rests on that the source could not read: NetworkPolicies for any
 * flow (a missing policy reads as "allowed"); Services and EndpointSlices unless the destination
 * is a pod or node reached without one (a missing Service reads as "no such target", a missing
 * EndpointSlice as "no endpoints"). A trace with any of them has the verdict `unknown`.
 */
export function unreadKinds(cluster: ClusterInfo, to: Endpoint, hops: readonly Hop[]): ClusterInfo['unavailableKinds'] {
  const isDirect = (to.kind === 'pod' || to.kind === 'node') && !hops.some((hop) => serviceHops.has(hop.kind));
  // The admin policies' kinds count only when the cluster serves them but they could not be read
  // (a kind whose CRD is not installed is not unavailable, just absent).
  const policyKinds = ['networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies', 'clusternetworkpolicies'];
  const needed = isDirect ? policyKinds : [...policyKinds, 'services', 'endpointslices'];
  return cluster.unavailableKinds.filter((k) => needed.includes(k.kind.toLowerCase()));
}

const kindNames: Record<string, string> = {
  networkpolicies: 'NetworkPolicies',
  adminnetworkpolicies: 'AdminNetworkPolicies',
  baselineadminnetworkpolicies: 'BaselineAdminNetworkPolicies',
  clusternetworkpolicies: 'ClusterNetworkPolicies',
  services: 'Services',
  endpointslices: 'EndpointSlices',
};

/** The policy verdicts of the path the admin policies leave open (DirectionVerdict `unknown`). */
export function openPolicies(policy: PolicySummary): DirectionVerdict[] {
  return [policy.egress, policy.ingress].filter((v): v is DirectionVerdict => v?.verdict === 'unknown');
}

/** The summary of a trace whose policy verdict is open: what it depends on, then the rest. */
export function openPolicySummary(open: DirectionVerdict[], verdict: Verdict, summary: string): string {
  return `Unknown: ${open.map((v) => v.reason.replace(/^unknown: /, '')).join('\n')}\nWith the rest of the model: ${verdict}. ${summary}`;
}

/** The summary of an `unknown` trace: what could not be read, then what the rest of the model says. */
export function unknownSummary(unread: ClusterInfo['unavailableKinds'], verdict: Verdict, summary: string): string {
  const kinds = unread.map((k) => `${kindNames[k.kind.toLowerCase()] ?? k.kind} (${k.reason.replace(/\.$/, '')})`).join(' and ');
  return `Unknown: ${kinds} could not be read, and the verdict depends on them.\nWith what could be read: ${verdict}. ${summary}`;
}
