/**
 * "Did you mean": close matches for a trace end that names nothing, from every way an end can be
 * written.
 */
import type { Topology } from '../model/types.ts';

function editDistance(a: string, b: string): number {
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

/** Every way a trace end can be written, for suggestions: what a user would type, and the name
 * part that a typo would be in. */
function candidates(topology: Topology): { text: string; key: string }[] {
  const out: { text: string; key: string }[] = [];
  for (const pod of Object.values(topology.pods)) out.push({ text: `${pod.namespace}/${pod.name}`, key: `${pod.namespace}/${pod.name}` });
  for (const service of Object.values(topology.services)) {
    out.push({ text: `svc/${service.namespace}/${service.name}`, key: `${service.namespace}/${service.name}` });
    out.push({ text: `${service.name}.${service.namespace}`, key: `${service.name}.${service.namespace}` });
    out.push({ text: `${service.name}.${service.namespace}`, key: service.name });
  }
  for (const host of Object.values(topology.hosts)) out.push({ text: `node/${host.name}`, key: host.name });
  for (const ingress of Object.values(topology.ingresses)) out.push({ text: `ingress/${ingress.namespace}/${ingress.name}`, key: `${ingress.namespace}/${ingress.name}` });
  for (const gateway of Object.values(topology.gateways)) out.push({ text: `gateway/${gateway.namespace}/${gateway.name}`, key: `${gateway.namespace}/${gateway.name}` });
  return out;
}

/** Up to five close matches for a text that names nothing: small edit distances on the name
 * part, or names that contain it (a Deployment's name matches its pods). */
export function suggestionsFor(topology: Topology, text: string): string[] {
  const needle = text
    .toLowerCase()
    .replace(/^(svc|service|services|ingress|ing|node|nodes|pod|pods|gateway|gw)\//, '')
    .replace(/\.svc(\.cluster\.local)?\.?$/, '');
  const scored = new Map<string, number>();
  for (const { text: candidate, key } of candidates(topology)) {
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
