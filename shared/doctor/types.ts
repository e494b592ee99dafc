/**
 * The network doctor's contract (issue 17): one list of problems, computed from the same model
 * the graph and the tracer use, plain JSON so it crosses IPC and prints as `--json`. Issue 13's
 * datapath conflicts join the same list.
 */
import type { Id, Topology } from '../model/types.ts';

export type Severity = 'error' | 'warning' | 'info';

/** What kind of problem, stable for tests and for `--json` consumers to filter on. */
export type ProblemKind =
  // Services and their endpoints
  | 'service-selects-nothing'
  | 'service-none-ready'
  | 'service-target-port-missing'
  | 'service-endpoints-mismatch'
  | 'traffic-policy-local-no-endpoint'
  // NetworkPolicy
  | 'policy-selects-nothing'
  | 'policy-peer-matches-nothing'
  | 'policy-blocks-dns'
  | 'policy-isolates-service-backend'
  // Ingress and Gateway API
  | 'ingress-backend-missing'
  | 'ingress-backend-no-endpoints'
  | 'httproute-backend-missing'
  | 'httproute-backend-no-endpoints'
  | 'httproute-parent-missing'
  // Cluster DNS
  | 'cluster-dns-missing'
  | 'cluster-dns-no-endpoints'
  | 'cluster-dns-ports-mismatch'
  // Addresses
  | 'pod-ip-outside-pod-cidr'
  | 'pod-ip-duplicate'
  | 'host-port-clash'
  // The observed datapath against the API (issue 13): only on nodes a probe read
  | 'datapath-unread'
  | 'datapath-pod-without-veth'
  | 'datapath-pod-ip-mismatch'
  | 'datapath-pod-ip-contradicted'
  | 'datapath-veth-without-pod'
  | 'datapath-netns-without-pod'
  | 'datapath-veth-peer-mismatch'
  | 'datapath-tunnel-peer-missing'
  | 'datapath-endpoint-gone'
  | 'datapath-endpoint-missing';

export interface Problem {
  kind: ProblemKind;
  severity: Severity;
  /** The object, as a user writes it: `service/shop/cart`, `pod/shop/db-0`, `networkpolicy/shop/deny`, `node/worker-1`. */
  subject: string;
  /** The model id of the subject, for the graph and the details panel to select; null when the
   * subject is not in the model (a Service an Ingress names that does not exist). */
  subjectId: Id | null;
  /** One line naming the cause in the user's terms, e.g. "selector app=cart matches no pod; near miss: cart-7f9 has app=carts". */
  message: string;
  /** The evidence: the fields and values the conclusion rests on, one per line. */
  why: string[];
  /** What to change, as a concrete edit or command where one exists; null when there is nothing to do but know. */
  fix: string | null;
  /** Other model ids involved (the pods left out, the nodes without a local endpoint), for the graph to mark. */
  related: Id[];
}

/** A check: pure, over the whole topology, returning the problems it finds (none on a healthy cluster). */
export type Check = (topology: Topology) => Problem[];

const severityOrder: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; within each, by subject then kind, so output is stable. */
export function byImportance(a: Problem, b: Problem): number {
  return severityOrder[a.severity] - severityOrder[b.severity] || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0);
}
