/**
 * The contract between the NetworkPolicy evaluator (shared/policy/evaluate.ts) and the tracer
 * (shared/trace/): plain data in, plain data out, so a verdict can cross IPC and land in JSON.
 */
import type { Id, PodRecord } from '../model/types.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * One end of a flow as NetworkPolicy sees it: the pod (null for anything that is not a pod —
 * a node, an external client) and the address the packet carries at that point, which after
 * SNAT is not the original sender's (design §1: a node IP under externalTrafficPolicy: Cluster).
 */
export interface PolicyEndpoint {
  pod: PodRecord | null;
  ip: string;
}

export interface Flow {
  from: PolicyEndpoint;
  to: PolicyEndpoint;
  /** The destination port as the receiving pod sees it (after DNAT). */
  port: number;
  protocol: Protocol;
  /** Whether the flow went through a Service to get here. Only a pod's flow to itself needs it:
   * the admin policies do not apply to a pod reaching its own pod IP, but do when a Service sent
   * it back (network-policy-api docs, "hairpin"). Absent: not known. */
  isViaService?: boolean;
}

/** Which layer decided a direction (network-policy-api's tiers): an admin policy, NetworkPolicy,
 * a baseline policy, or none of them, so the default applies (allowed). */
export type PolicyLayer = 'admin' | 'networkpolicy' | 'baseline' | 'default' | 'calico' | 'cilium';

/** A rule of a CNI plugin's own policy (Calico, Cilium) that decided a direction or passed it on,
 * or a Calico tier's end-of-tier action, or Cilium's default deny (shared/policy/cni/). */
export interface CniRuleRef {
  cni: 'calico' | 'cilium';
  /** The policy; for an end-of-tier action, the tier (`caltier:<name>`, possibly not in the model). */
  policy: Id;
  /** `namespace/name`, or the name of a cluster-wide object. */
  name: string;
  apiKind: 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'Tier' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** Calico: the tier and the policy's order in it (null: last). */
  tier: string | null;
  order: number | null;
  direction: 'ingress' | 'egress';
  /** Where the rule is written: `ingress`, `egress`, Cilium's `ingressDeny`/`egressDeny`, or
   * `end-of-tier` (Calico) / `default-deny` (Cilium) when no rule decided. */
  section: 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny' | 'end-of-tier' | 'default-deny';
  /** Cilium: the index in `spec` + `specs` (0 for `spec`). */
  spec?: number;
  /** Index in the section; null for end-of-tier and default deny. */
  rule: number | null;
  /** As written: Allow, Deny, Pass (Calico, Log never decides); Allow or Deny for Cilium. */
  action: string;
  /** What matched, e.g. `from selector app == "web", port 80/TCP`. */
  text: string;
  /** What Podpath did not evaluate and how it bears on the verdict: `L4 allowed; the HTTP rules
   * decide per request — not evaluated`. */
  notEvaluated?: string;
}

/** A rule of an admin policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy)
 * that decided a direction or passed it on. */
export interface AdminRuleRef {
  policy: Id;
  /** The policy's name (cluster-scoped). */
  name: string;
  apiKind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';
  tier: 'admin' | 'baseline';
  priority: number | null;
  direction: 'ingress' | 'egress';
  /** Index in `spec.ingress` or `spec.egress`. */
  rule: number;
  ruleName: string | null;
  /** As written: Allow, Accept, Deny or Pass. */
  action: string;
  /** What the rule matched, e.g. `from namespaces conformance-house=slytherin, any port`. */
  text: string;
}

/** A rule of a policy: `rule` indexes `spec.ingress` or `spec.egress`, `peer` its `from`/`to`
 * (absent when the rule has no peers and so matches every peer), `port` its `ports`. */
export interface RuleRef {
  policy: Id;
  /** `namespace/name`, for messages. */
  name: string;
  direction: 'ingress' | 'egress';
  rule: number;
  peer?: number;
  port?: number;
}

/** A flow by ids, as a verdict keeps it: what a fix (fix.ts) needs to name both ends. */
export interface FlowRef {
  from: { pod: Id | null; ip: string };
  to: { pod: Id | null; ip: string };
  port: number;
  protocol: Protocol;
}

/** The rule of one isolating policy that came closest to allowing a denied flow, and what it lacks. */
export interface ClosestMiss {
  policy: Id;
  /** `namespace/name`. */
  name: string;
  text: string;
}

export interface DirectionVerdict {
  direction: 'ingress' | 'egress';
  /**
   * - `allowed`: the pod is isolated in this direction and at least one rule allows the flow, or
   *   an exemption does (`exemption`: then `allowedBy` is empty);
   * - `denied`: the pod is isolated in this direction and no rule allows the flow;
   * - `not-isolated`: no policy selects the pod for this direction, so everything is allowed;
   * - `not-applicable`: this end is not a pod under NetworkPolicy (hostNetwork pod, node, outside);
   * - `unknown`: an admin policy decides it in a way Podpath cannot know (a domainNames peer, two
   *   policies of one priority that disagree, which the API leaves to the implementation); the
   *   reason says what it depends on.
   * `layer` says which layer decided; an admin or baseline rule that did is `decidedBy`.
   */
  verdict: 'allowed' | 'denied' | 'not-isolated' | 'not-applicable' | 'unknown';
  layer: PolicyLayer;
  /** The admin or baseline rule that decided (layer `admin` or `baseline`). */
  decidedBy?: AdminRuleRef;
  /** The admin rule whose Pass handed the flow on to NetworkPolicy and the baseline tier. */
  passedBy?: AdminRuleRef;
  /** The Calico or Cilium rule that decided (layer `calico` or `cilium`). */
  cniRule?: CniRuleRef;
  /** Calico rules whose Pass handed the flow on to a later tier, in order. */
  cniPassedBy?: CniRuleRef[];
  /** The CNI policies (Calico tiers' policies, Cilium's) that apply to the pod for this
   * direction, in evaluation order; absent when none. */
  cniPolicies?: Id[];
  /** Admin policies (any tier) whose subject is the pod, in evaluation order; absent when none. */
  adminPolicies?: Id[];
  /** Policies that select the pod for this direction (and so isolate it), sorted by name. */
  isolatedBy: Id[];
  /** Every rule that allows the flow (empty unless `allowed`). */
  allowedBy: RuleRef[];
  /**
   * Set when the flow is allowed although no rule allows it, by an exception the Kubernetes docs
   * make to isolation: `self`, a pod cannot block access to itself; `local-node`, traffic between
   * a pod and the node it runs on (its addresses, its hostNetwork pods) is always allowed.
   */
  exemption?: 'self' | 'local-node';
  /** One sentence a user can act on: which rule allowed it, or which policies isolate the pod
   * and why none of their rules matched (the closest miss: peer matched but not the port, …). */
  reason: string;
  /** The verdict in one line, read first (line.ts): the pod in short form, the direction, and what
   * decides it, e.g. `db-0 ingress: only app=backend or app=db is allowed on 5432/TCP`. */
  line: string;
  /** For a denial, each isolating policy's closest miss, in `isolatedBy` order; else empty. */
  misses: ClosestMiss[];
  flow: FlowRef;
}

export interface PolicyVerdict {
  /** Both directions allow it (allowed, not-isolated or not-applicable); an `unknown` direction
   * is not allowed. */
  isAllowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}
