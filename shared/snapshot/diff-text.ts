/**
 * A diff report as text, for `podpath diff`: one line per change, then the counts.
 */
import type { DiffReport, DiffSide, FieldChange } from './diff-report.ts';

const sectionNames: [keyof Pick<DiffReport, 'nodes' | 'pods' | 'services' | 'endpoints' | 'ingresses' | 'policies'>, string, string][] = [
  ['nodes', 'node', 'nodes'],
  ['pods', 'pod', 'pods'],
  ['services', 'service', 'Services'],
  ['endpoints', 'endpoint', 'endpoints'],
  ['ingresses', 'ingress', 'Ingresses'],
  ['policies', 'policy', 'policies'],
];

function changeText(change: FieldChange): string {
  if (change.from === '') return `${change.field} ${change.to} (new)`;
  if (change.to === '') return `${change.field} ${change.from} (gone)`;
  return `${change.field} ${change.from} → ${change.to}`;
}

function sideText(side: DiffSide): string {
  const details = [side.context, side.capturedAt].filter(Boolean).join(', ');
  return `${side.label ?? side.context ?? 'snapshot'}${details ? ` (${details})` : ''}`;
}

/**
 * One line per change: `+ pod shop/web-3 10.244.1.7 on worker-1`,
 * `~ service shop/web: clusterIP 10.96.0.5 → 10.96.0.9`, `- policy shop/deny-all`, and
 * `@ 10.244.1.5: pod shop/web-1 → pod shop/web-9` for an address that changed owner.
 */
export function formatDiffReport(report: DiffReport): string {
  const out = [`${sideText(report.from)} → ${sideText(report.to)}`];
  for (const change of report.cluster) out.push(`~ cluster: ${changeText(change)}`);
  for (const [key, noun] of sectionNames) {
    const section = report[key];
    for (const e of section.added) out.push(`+ ${noun} ${e.name}${e.summary ? ` ${e.summary}` : ''}`);
    for (const e of section.removed) out.push(`- ${noun} ${e.name}${e.summary ? ` ${e.summary}` : ''}`);
    for (const e of section.changed) {
      const changes = e.changes.map((c) => (c.field === 'uid' ? `recreated (uid ${c.from} → ${c.to})` : changeText(c)));
      out.push(`~ ${noun} ${e.name}: ${changes.join('; ')}`);
    }
  }
  // Addresses that moved from one owner to another; plain arrivals and departures are already
  // told by the lines above.
  for (const ip of report.ips) if (ip.from && ip.to) out.push(`@ ${ip.ip}: ${ip.from} → ${ip.to}`);
  if (report.total === 0) out.push('No differences.');
  else {
    const counts = sectionNames
      .map(([key, noun, plural]) => {
        const n = report[key].added.length + report[key].removed.length + report[key].changed.length;
        return n > 0 ? `${n} ${n === 1 ? noun : plural}` : null;
      })
      .filter(Boolean);
    out.push(`${counts.length > 0 ? counts.join(', ') : 'no element changes'}${report.ips.length > 0 ? `; ${report.ips.length} IP address${report.ips.length === 1 ? '' : 'es'}` : ''}`);
  }
  return out.join('\n') + '\n';
}
