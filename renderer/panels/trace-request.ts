/**
 * The pure side of the trace panel: how a clicked element is written as a trace end, what-if
 * policies from pasted text, and running the trace (with and without them) on a topology.
 */
import { parseAllDocuments } from 'yaml';
import type { PolicyRecord, Topology } from '../../shared/model/types.ts';
import { withPolicies } from '../../shared/policy/evaluate.ts';
import { whatIfPolicies } from '../../shared/policy/what-if.ts';
import { trace } from '../../shared/trace/trace.ts';
import type { Trace } from '../../shared/trace/types.ts';
import type { TraceRequest } from '../state/ui.ts';

/**
 * A model element as a trace end, in the words a user would type (`shop/frontend-1`,
 * `svc/shop/backend`, …); null for elements a trace cannot start or end at.
 */
export function traceEndFor(topology: Topology, id: string): string | null {
  const pod = topology.pods[id];
  if (pod) return `${pod.namespace}/${pod.name}`;
  const container = topology.containers[id];
  if (container) {
    const owner = topology.pods[container.pod];
    return owner ? `${owner.namespace}/${owner.name}:${container.name}` : null;
  }
  const service = topology.services[id];
  if (service) return `svc/${service.namespace}/${service.name}`;
  const ingress = topology.ingresses[id];
  if (ingress) return `ingress/${ingress.namespace}/${ingress.name}`;
  const host = topology.hosts[id];
  if (host) return `node/${host.name}`;
  if (topology.external[id]) return 'internet';
  const endpoint = topology.endpoints[id];
  if (endpoint) return endpoint.address;
  return null;
}

export interface WhatIf {
  policies: PolicyRecord[];
  /** What the text held besides NetworkPolicies, or why it could not be read. */
  problems: string[];
}

/** NetworkPolicies from pasted YAML or JSON (one or more documents, or a List). */
export function whatIfFromText(text: string): WhatIf {
  if (text.trim() === '') return { policies: [], problems: [] };
  const problems: string[] = [];
  const docs: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) problems.push(`Not valid YAML or JSON: ${doc.errors[0]!.message.split('\n')[0]}`);
    else docs.push(doc.toJS());
  }
  const read = whatIfPolicies(docs, 'what-if');
  for (const { kind, name } of read.ignored) problems.push(`${kind}${name ? ` ${name}` : ''} ignored: only NetworkPolicies change a trace`);
  for (const reason of read.unusable) problems.push(`A NetworkPolicy that cannot be used: ${reason}`);
  if (problems.length === 0 && read.policies.length === 0) problems.push('No NetworkPolicy in the text.');
  return { policies: read.policies, problems };
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
  const query = { from: request.from.trim(), to: request.to.trim(), protocol: request.protocol, ...(request.port !== null ? { port: request.port } : {}) };
  const whatIf = whatIfFromText(request.whatIf);
  if (whatIf.policies.length === 0) return { trace: trace(topology, query), before: null, whatIf };
  return { trace: trace(topology, query, { policies: withPolicies(topology, whatIf.policies) }), before: trace(topology, query), whatIf };
}
