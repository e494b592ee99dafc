/**
 * The pure side of the trace panel: what-if policies (every layer's) from pasted text, running the trace (with
 * and without them) on a topology, and the what-if text "Try a fix" writes.
 */
import { ManifestError, parseDocuments } from '../../shared/kube/documents.ts';
import type { CniPolicyRecord } from '../../shared/model/cni-policy.ts';
import type { AdminPolicyRecord } from '../../shared/model/admin-policy.ts';
import type { PolicyRecord, Topology } from '../../shared/model/types.ts';
import { withAdminPolicies, withCniPolicies, withPolicies } from '../../shared/policy/evaluate.ts';
import { policiesYaml, policyFix, policyManifest, type Denial } from '../../shared/policy/fix.ts';
import { whatIfPolicies } from '../../shared/policy/what-if.ts';
import { isEitherEndDualStack } from '../../shared/trace/family.ts';
import { trace } from '../../shared/trace/trace.ts';
import type { PolicySummary, Trace } from '../../shared/trace/types.ts';
import type { TraceRequest } from '../state/ui.ts';

export interface WhatIf {
  policies: PolicyRecord[];
  /** Admin policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy). */
  adminPolicies?: AdminPolicyRecord[];
  /** Calico's NetworkPolicies, GlobalNetworkPolicies and Tiers, Cilium's policies. */
  cniPolicies?: CniPolicyRecord[];
  /** What the text held besides policies, or why it could not be read. */
  problems: string[];
}

/** What the parser calls the pasted text in its messages (`what-if:3:5: …`). */
const pastedText = 'what-if';

/**
 * Policies of every layer from pasted YAML or JSON (one or more documents, or a List). Read the way the
 * CLI reads a `--with-policy` file (shared/kube/documents.ts): aliases are capped, and a pasted
 * "billion laughs" is reported as a problem rather than expanded.
 */
export function whatIfFromText(text: string): WhatIf {
  if (text.trim() === '') return { policies: [], problems: [] };
  let docs: unknown[];
  try {
    docs = parseDocuments(text, pastedText);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    return { policies: [], problems: error.message.split('\n').map((line) => `Not valid YAML or JSON: ${lineAndColumn(line)}`) };
  }
  const problems: string[] = [];
  const read = whatIfPolicies(docs, pastedText);
  for (const { kind, name } of read.ignored) problems.push(`${kind}${name ? ` ${name}` : ''} ignored: only NetworkPolicies, admin policies and Calico or Cilium policies change a trace`);
  for (const reason of read.unusable) problems.push(`A policy that cannot be used: ${reason}`);
  if (problems.length === 0 && read.policies.length === 0 && read.adminPolicies.length === 0 && read.cniPolicies.length === 0) problems.push('No policy in the text.');
  return {
    policies: read.policies,
    ...(read.adminPolicies.length > 0 ? { adminPolicies: read.adminPolicies } : {}),
    ...(read.cniPolicies.length > 0 ? { cniPolicies: read.cniPolicies } : {}),
    problems,
  };
}

/** `what-if:3:5: message` → `line 3, column 5: message`: there is no file to name. */
function lineAndColumn(problem: string): string {
  const match = new RegExp(`^${pastedText}:(\\d+):(\\d+): `).exec(problem);
  return match ? `line ${match[1]}, column ${match[2]}: ${problem.slice(match[0].length)}` : problem;
}

export interface TraceResult {
  trace: Trace;
  /** With what-if policies: the same trace on the cluster's own policies, to compare. */
  before: Trace | null;
  whatIf: WhatIf;
}

/** The trace the panel asks for, on this topology; null until both ends are given. */
export function runTrace(topology: Topology, request: TraceRequest): TraceResult | null {
  if (request.from.trim() === '' || request.to.trim() === '') return null;
  const query = { from: request.from.trim(), to: request.to.trim(), ...(request.protocol !== null ? { protocol: request.protocol } : {}), ...(request.port !== null ? { port: request.port } : {}), ...(request.family !== null ? { family: request.family } : {}) };
  const whatIf = whatIfFromText(request.whatIf);
  if (whatIf.policies.length === 0 && !whatIf.adminPolicies && !whatIf.cniPolicies) return { trace: trace(topology, query), before: null, whatIf };
  const admin = whatIf.adminPolicies ? { adminPolicies: withAdminPolicies(topology, whatIf.adminPolicies) } : {};
  // As the CLI's --with-policy: the cluster's Calico and Cilium policies with these applied by id.
  const cni = whatIf.cniPolicies ? { cniPolicies: withCniPolicies(topology, whatIf.cniPolicies) } : {};
  return { trace: trace(topology, query, { policies: withPolicies(topology, whatIf.policies), ...admin, ...cni }), before: trace(topology, query), whatIf };
}

/** Whether the panel offers a family: only where the sender or the destination has addresses of
 * both (a single-stack cluster has nothing to choose). */
export function isFamilyChoice(topology: Topology, from: string, to: string): boolean {
  if (from.trim() === '' || to.trim() === '') return false;
  return isEitherEndDualStack(topology, from.trim(), to.trim());
}

/** The tracer's family note as the panel says it: the CLI's flag is the Family control here. */
export function familyNoteText(note: string): string {
  return note.replace(/ \(--family ([46])\)/, ' (Family: IPv$1)');
}

/**
 * What "Try a fix" puts in the What-if box for the denials shown (a trace's blockers' denials,
 * `policyDenials`, so a lookup's is fixed with the rest; or a policy summary): the smallest change
 * that allows them all (shared/policy/fix.ts), each by the layer that denied it, made to the
 * policies the trace used — so the what-if policies already given stay in the text, but for those
 * the fix changes. `layers`: the what-if's admin and CNI policies, which the fix is made over. Null when
 * nothing is denied, or no policy can allow what is.
 */
export function fixText(topology: Topology, whatIf: PolicyRecord[], denials: PolicySummary | readonly Denial[], layers: Pick<WhatIf, 'adminPolicies' | 'cniPolicies'> = {}): string | null {
  const evaluated = {
    ...(layers.adminPolicies ? { adminPolicies: withAdminPolicies(topology, layers.adminPolicies) } : {}),
    ...(layers.cniPolicies ? { cniPolicies: withCniPolicies(topology, layers.cniPolicies) } : {}),
  };
  const fix = policyFix(topology, denials, whatIf.length > 0 ? withPolicies(topology, whatIf) : undefined, evaluated);
  // A denial no policy can lift (a Cilium deny) has nothing to try: its blocker says what to change.
  if (!fix || fix.policies.length === 0) return null;
  const changed = new Set(fix.policies.map((p) => `${p.apiVersion} ${p.metadata.namespace ?? ''}/${p.metadata.name}`));
  const kept = whatIf.filter((p) => !changed.has(`networking.k8s.io/v1 ${p.namespace}/${p.name}`)).map(policyManifest);
  // Their records do not hold the manifests as written, so they are not written back: say so.
  const left = (layers.adminPolicies?.length ?? 0) + (layers.cniPolicies?.length ?? 0);
  const note = left > 0 ? [`the what-if's ${left} admin or CNI ${left === 1 ? 'policy is' : 'policies are'} not repeated here: paste ${left === 1 ? 'it' : 'them'} again to keep ${left === 1 ? 'it' : 'them'}`] : [];
  return policiesYaml([...kept, ...fix.policies], [...fix.changes, ...note]);
}
