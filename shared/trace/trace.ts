/**
 * trace(topology, query) → Trace (design §4): the path a packet takes from one end to the
 * other, hop by hop, with the object or rule behind each hop, the packet as it stands after it
 * (so DNAT and SNAT show where they happen), and NetworkPolicy evaluated where the packet meets
 * a pod — with the source it actually carries there.
 *
 * Here the query's ends are read, the path is built (route.ts) and folded into a verdict
 * (verdict.ts). Pure: no I/O, no clock, no randomness — the same model and query give the same
 * trace.
 */
import type { Topology } from '../model/types.ts';
import { evaluatePolicy } from '../policy/evaluate.ts';
import type { Flow, PolicyVerdict } from '../policy/types.ts';
import { findBlockers, isTracedPastLookup, lookupVerdict } from './blockers.ts';
import { parseEndpoint } from './endpoints.ts';
import { resolvedEnd, senderFor, suggestionText, traceEnd } from './ends.ts';
import { endInFamily, podLacksFamily, traceFamily, withFamilyCommands } from './family.ts';
import { noPolicy, type Ctx } from './outcome.ts';
import { internetClientV6 } from './path/internet.ts';
import { route } from './route.ts';
import type { Trace, TraceOptions, TraceQuery, Verdict } from './types.ts';
import { foldOutcome, openPolicies, openPolicySummary, unknownSummary, unreadKinds } from './verdict.ts';

function evaluator(topology: Topology, options: TraceOptions): (flow: Flow) => PolicyVerdict {
  return (flow) => evaluatePolicy(topology, flow, { ...(options.policies ? { policies: options.policies } : {}), ...(options.adminPolicies ? { adminPolicies: options.adminPolicies } : {}), ...(options.cniPolicies ? { cniPolicies: options.cniPolicies } : {}) });
}

/**
 * Traces `query` through `topology`. With `options.policies`, NetworkPolicy is evaluated with
 * those policies instead of the topology's (what-if).
 */
export function trace(topology: Topology, query: TraceQuery, options: TraceOptions = {}): Trace {
  const from = parseEndpoint(topology, query.from, 'from');
  const to = parseEndpoint(topology, query.to, 'to', { from, port: query.port, protocol: query.protocol });
  // A named port in the destination (`svc/kube-system/kube-dns:dns`) brings its protocol.
  const protocol = query.protocol ?? (to.kind === 'unknown' ? undefined : to.protocol);
  const chosen = traceFamily(topology, from, to, query.to, query.family);
  const family = 'family' in chosen ? chosen.family : 4;
  const familyNote = 'note' in chosen && chosen.note ? `\n${chosen.note}` : '';
  const ctx: Ctx = {
    topology,
    cni: topology.cluster.cni.value,
    proxyMode: topology.cluster.proxyMode.value,
    evaluate: evaluator(topology, options),
    protocol: protocol ?? 'TCP',
    isProtocolGiven: protocol !== undefined,
    policies: options.policies ?? Object.values(topology.policies),
    layers: { ...(options.adminPolicies ? { adminPolicies: options.adminPolicies } : {}), ...(options.cniPolicies ? { cniPolicies: options.cniPolicies } : {}) },
    blocked: new Map(),
    family,
  };
  // Each hop's commands read the rules of its own family (ip6tables for IPv6).
  const answer = (verdict: Verdict, summary: string, extra: Partial<Trace> = {}): Trace => {
    const whole: Trace = { query, from: traceEnd(query.from, from), to: traceEnd(query.to, to), verdict, summary: summary + familyNote, hops: [], branches: [], policy: noPolicy, blockers: [], ...extra };
    return withFamilyCommands({ ...whole, from: endInFamily(whole.from, from, family), to: endInFamily(whole.to, to, family) });
  };
  // Once the source is known, a verdict resting on a kind that could not be read is `unknown`.
  const result = (verdict: Verdict, summary: string, extra: Partial<Trace> = {}): Trace => {
    const unread = unreadKinds(topology.cluster, to, extra.hops ?? []);
    return unread.length === 0 ? answer(verdict, summary, extra) : answer('unknown', unknownSummary(unread, verdict, summary), extra);
  };
  if (from.kind === 'unknown') return answer('unknown-target', `Source: ${from.message}`);
  if (to.kind === 'unknown') return result('unknown-target', `Destination: ${to.message}`);
  if ('error' in chosen) return result('unknown-target', `Destination: ${chosen.error}`);
  const lacking = from.kind === 'pod' ? podLacksFamily(from.pod, family, 'sender') : null;
  if (lacking) return result('no-route', `Source: ${lacking}.`);
  const given = senderFor(ctx, from);
  // "the internet" sends from an address of the trace's family.
  const sender = typeof given !== 'string' && given.kind === 'external' && from.kind === 'external' && from.ip === null && family === 6 ? { ...given, ip: internetClientV6 } : given;
  if (typeof sender === 'string') return result(from.kind === 'unowned' || from.kind === 'pod' ? 'no-route' : 'unknown-target', `Source: ${sender}`);

  const { outcome, dns } = route(ctx, sender, to, query.port ?? ('port' in to ? to.port : undefined));
  const extra: Partial<Trace> = dns ? { dns: dns.lookup, to: resolvedEnd(traceEnd(query.to, to), dns) } : {};
  if (dns && !dns.isFailed && dns.target === null) return result('unknown-target', dns.lookup.summary, { ...extra, hops: outcome.hops });
  if (dns?.lookup.status === 'nxdomain' || (dns?.isFailed && dns.lookup.status === 'no-cluster-dns' && to.kind === 'name' && dns.target === null)) {
    return result('unknown-target', `${dns.lookup.summary}${suggestionText(topology, to)}`, { ...extra, hops: outcome.hops });
  }
  const folded = foldOutcome(outcome, dns, to);
  const { blockers, branches } = findBlockers(ctx, { dns, hops: outcome.hops, branches: folded.branches, shown: folded.shown, verdict: folded.verdict, summary: folded.summary });
  const found = { ...extra, hops: outcome.hops, branches, policy: folded.policy, blockers };
  if (dns && isTracedPastLookup(dns)) {
    // The verdict is the lookup's failure; the summary says what the connection would meet after it.
    return result(lookupVerdict(dns), `DNS: ${dns.lookup.summary}\nIf DNS had answered: ${folded.summary}`, { ...found, isDnsAssumed: true });
  }
  // An admin policy that leaves the verdict open (a domainNames peer, a tie) makes it unknown.
  const open = openPolicies(folded.policy);
  if (open.length > 0) return result('unknown', openPolicySummary(open, folded.verdict, folded.summary), found);
  return result(folded.verdict, folded.summary, folded.verdict === 'unknown-target' ? { ...found, blockers: [] } : found);
}
