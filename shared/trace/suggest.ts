/**
 * "Did you mean": close matches for a trace end that names nothing, from every way an end can be
 * written.
 */
import type { Topology } from '../model/types.ts';
import { workloadOf } from './pick.ts';

/** Levenshtein distance: the fewest single-character edits that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

type CandidateKind = 'pod' | 'workload' | 'service' | 'node' | 'ingress' | 'gateway';

/** Every way a trace end can be written, for suggestions: what a user would type, the name part
 * that a typo would be in, and what it names. */
function candidates(topology: Topology): { text: string; key: string; kind: CandidateKind }[] {
  const out: { text: string; key: string; kind: CandidateKind }[] = [];
  const workloads = new Map<string, string>();
  for (const pod of Object.values(topology.pods)) {
    out.push({ text: `${pod.namespace}/${pod.name}`, key: `${pod.namespace}/${pod.name}`, kind: 'pod' });
    const workload = workloadOf(pod);
    if (workload) workloads.set(`${pod.namespace}/${workload.name}`, workload.name);
  }
  for (const [text, name] of workloads) {
    out.push({ text, key: text, kind: 'workload' });
    out.push({ text, key: name, kind: 'workload' });
  }
  for (const service of Object.values(topology.services)) {
    out.push({ text: `svc/${service.namespace}/${service.name}`, key: `${service.namespace}/${service.name}`, kind: 'service' });
    out.push({ text: `${service.name}.${service.namespace}`, key: `${service.name}.${service.namespace}`, kind: 'service' });
    out.push({ text: `${service.name}.${service.namespace}`, key: service.name, kind: 'service' });
  }
  for (const host of Object.values(topology.hosts)) out.push({ text: `node/${host.name}`, key: host.name, kind: 'node' });
  for (const ingress of Object.values(topology.ingresses)) out.push({ text: `ingress/${ingress.namespace}/${ingress.name}`, key: `${ingress.namespace}/${ingress.name}`, kind: 'ingress' });
  for (const gateway of Object.values(topology.gateways)) out.push({ text: `gateway/${gateway.namespace}/${gateway.name}`, key: `${gateway.namespace}/${gateway.name}`, kind: 'gateway' });
  return out;
}

/** What a kind word at the start of a text asks for: `svc/…` only Services, and so on. */
const kindWords = new Map<string, CandidateKind[]>([
  ['svc', ['service']],
  ['service', ['service']],
  ['services', ['service']],
  ['ingress', ['ingress']],
  ['ing', ['ingress']],
  ['node', ['node']],
  ['nodes', ['node']],
  ['pod', ['pod', 'workload']],
  ['pods', ['pod', 'workload']],
  ['gateway', ['gateway']],
  ['gw', ['gateway']],
]);

/** What can be at each end when no kind is written: a source sends, so it is a pod or a node. */
const roleKinds: Record<'from' | 'to', CandidateKind[]> = {
  from: ['pod', 'workload', 'node'],
  to: ['pod', 'workload', 'service', 'node', 'ingress', 'gateway'],
};

/** Up to five close matches for a text that names nothing: small edit distances on the name
 * part, or names that contain it (a Deployment's name matches its pods). A kind written first
 * (`svc/…`) keeps to that kind; otherwise a source is offered only what can send. */
export function suggestionsFor(topology: Topology, text: string, role: 'from' | 'to' = 'to'): string[] {
  const lower = text.toLowerCase();
  const kindWord = /^([a-z]+)\//.exec(lower)?.[1] ?? '';
  const kinds = kindWords.get(kindWord) ?? roleKinds[role];
  const needle = (kindWords.has(kindWord) ? lower.slice(kindWord.length + 1) : lower).replace(/\.svc(\.cluster\.local)?\.?$/, '');
  const scored = new Map<string, number>();
  for (const { text: candidate, key, kind } of candidates(topology)) {
    if (!kinds.includes(kind)) continue;
    const k = key.toLowerCase();
    const distance = editDistance(needle, k);
    const limit = Math.max(2, Math.floor(needle.length / 4));
    let score = distance <= limit ? distance : Infinity;
    if (needle.length >= 3 && k.includes(needle)) score = Math.min(score, 1 + (k.length - needle.length) / 100);
    if (score < (scored.get(candidate) ?? Infinity)) scored.set(candidate, score);
  }
  return [...scored.entries()]
    .filter(([, score]) => score !== Infinity)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([candidate]) => candidate);
}
