/**
 * A path under construction: hops, then either an end (a verdict) or a fan-out into `Fork`s, each
 * an Outcome of its own (a Service's endpoints, a load balancer's nodes, an Ingress controller's
 * upstreams). verdict.ts flattens nested fan-outs into the trace's branches.
 */
import type { ContainerRecord, Host, Id, PodRecord, PolicyRecord } from '../model/types.ts';
import type { LayerPolicies } from '../policy/fix.ts';
import type { DirectionVerdict, Protocol } from '../policy/types.ts';
import { joinHostPort } from '../topology/kube-proxy.ts';
import type { DnsContext } from './dns.ts';
import type { Family } from './family.ts';
import type { EndpointChoice } from './proxy.ts';
import type { Blocker, Branch, Hop, Packet, PolicySummary } from './types.ts';

/** Inside a path, a name that resolves to nothing ends it too (`unknown-target`). */
export type EndVerdict = Branch['verdict'] | 'unknown-target';

export interface Outcome {
  hops: Hop[];
  end?: { verdict: EndVerdict; summary: string; policy: PolicySummary };
  forks?: Fork[];
}

export interface Fork {
  label: string;
  selection: string;
  endpoint: Id | null;
  pod: Id | null;
  node: Id | null;
  outcome: Outcome;
}

/** The way on through one endpoint a Service picked: the hops to it, then what happens there. */
export function endpointFork(choice: EndpointChoice, endpointPod: PodRecord | null, branchHops: Hop[], delivered: Outcome): Fork {
  const where = endpointPod ? ` (${podLabel(endpointPod)}${choice.endpoint.nodeName ? ` on ${choice.endpoint.nodeName}` : ''})` : '';
  return {
    label: `${joinHostPort(choice.ip, choice.port)}${where}`,
    selection: choice.selection,
    endpoint: choice.endpoint.id,
    pod: endpointPod?.id ?? null,
    node: endpointPod?.host ?? null,
    outcome: { ...delivered, hops: [...branchHops, ...delivered.hops] },
  };
}

/** A blocker as a step finds it, keyed by the hop it is at (blockers.ts numbers the hops once the
 * path is whole); a NetworkPolicy blocker's fix is made then too, for all of them together. */
export type FoundBlocker = Omit<Blocker, 'at'>;

/** What every step of a path reads: the model, its CNI and Service proxy, the policy evaluator
 * (the cluster's policies or what-if ones), and the query's protocol. */
export interface Ctx extends DnsContext {
  protocol: Protocol;
  /** Whether the query named the protocol (a Service's port then must match it). */
  isProtocolGiven: boolean;
  /** The NetworkPolicies `evaluate` uses, which a fix changes. */
  policies: PolicyRecord[];
  /** The other layers' policies `evaluate` uses (what-if), where a fix picks its priority or order. */
  layers: LayerPolicies;
  /** The hops that block the packet, and what blocks it there: filled as the path is built. */
  blocked: Map<Hop, FoundBlocker[]>;
  /** The address family the trace runs in (family.ts): the addresses picked from records are of it. */
  family: Family;
}

/** Notes that the packet is blocked at `at`. */
export function block(ctx: Ctx, at: Hop, blocker: FoundBlocker): void {
  ctx.blocked.set(at, [...(ctx.blocked.get(at) ?? []), blocker]);
}

/** Who sends: a pod (in its netns or the node's), a node, or a client outside the cluster. */
export type Sender = { kind: 'pod'; pod: PodRecord; container: ContainerRecord | null; host: Host } | { kind: 'node'; host: Host } | { kind: 'external'; ip: string };

/** Where a delivery ends: a pod, a node's own address, or outside the cluster. */
export type Target = { kind: 'pod'; pod: PodRecord; container: ContainerRecord | null; host: Host } | { kind: 'node'; host: Host; what: string } | { kind: 'external'; what: string };

/** What happens on arrival at a pod, for paths that go on from there (an Ingress controller). */
export type OnArrive = (pod: PodRecord, host: Host, packet: Packet) => Outcome;

export const noPolicy: PolicySummary = { egress: null, ingress: null };
export const maxBranches = 64;

/** A policy denial in the verdict's words: one line per denying direction under NetworkPolicy (see
 * shared/policy/line.ts), e.g. `frontend egress: no rule allows shop/db-0:5432/TCP` and
 * `db-0 ingress: only app=backend or app=db is allowed on 5432/TCP`. */
export function denialSummary(policy: PolicySummary): string {
  return [policy.egress, policy.ingress].flatMap((v) => (v?.verdict === 'denied' ? [v.line] : [])).join('\n');
}

export const end = (hops: Hop[], verdict: EndVerdict, summary: string, policy: PolicySummary = noPolicy): Outcome => ({ hops, end: { verdict, summary, policy } });

/**
 * The rest of a path whose sender's egress was denied before it: traced on, so what would block it
 * next is found too (issue 17), every end denied by that egress. A delivery becomes the denial
 * ("if it were allowed: …"); an end that fails on its own keeps its verdict, the denial said first.
 */
export function deniedBefore(outcome: Outcome, egress: DirectionVerdict): Outcome {
  const finished = outcome.end;
  return {
    ...outcome,
    ...(finished
      ? {
          end:
            finished.verdict === 'delivered'
              ? { verdict: 'policy-denied', summary: `${egress.line}\nIf it were allowed: ${finished.summary}`, policy: { ...finished.policy, egress } }
              : { ...finished, summary: `${egress.line}\n${finished.summary}`, policy: { ...finished.policy, egress: finished.policy.egress ?? egress } },
        }
      : {}),
    ...(outcome.forks ? { forks: outcome.forks.map((f) => ({ ...f, outcome: deniedBefore(f.outcome, egress) })) } : {}),
  };
}

export function podLabel(pod: PodRecord): string {
  return `${pod.namespace}/${pod.name}`;
}

export function withPort(packet: Packet, port: number | undefined): Packet {
  const { dstPort: _unused, ...rest } = packet;
  return port === undefined ? rest : { ...rest, dstPort: port };
}

/** Carries the first leg's egress verdict to the ends of a path whose last leg has none (its
 * sender was hidden by SNAT on the way). */
export function withEgress(outcome: Outcome, egress: DirectionVerdict | null): Outcome {
  if (egress === null) return outcome;
  return {
    ...outcome,
    ...(outcome.end ? { end: { ...outcome.end, policy: { ...outcome.end.policy, egress: outcome.end.policy.egress ?? egress } } } : {}),
    ...(outcome.forks ? { forks: outcome.forks.map((f) => ({ ...f, outcome: withEgress(f.outcome, egress) })) } : {}),
  };
}
