import type { Topology } from '../../shared/model/types.ts';

/**
 * Namespace colours: mid-tone hues that read on both the light and the dark theme, chosen away
 * from the red and orange that mark not-ready and terminating endpoints.
 */
export const namespacePalette: readonly string[] = [
  '#3f7fd0', // blue
  '#2a9d8f', // teal
  '#5b9a3c', // green
  '#8e63c9', // purple
  '#c9579b', // pink
  '#9a7a3f', // ochre
  '#17a2b8', // cyan
  '#5a62d6', // indigo
  '#7f8c3a', // olive
  '#b36bb3', // orchid
  '#4d7f8c', // slate teal
  '#a0664f', // brown
];

/** Every namespace the topology mentions, sorted, so a colour depends only on the set of names. */
export function namespaceNames(topology: Topology): string[] {
  const names = new Set<string>();
  for (const ns of Object.values(topology.namespaces)) names.add(ns.name);
  for (const pod of Object.values(topology.pods)) names.add(pod.namespace);
  for (const svc of Object.values(topology.services)) names.add(svc.namespace);
  for (const ing of Object.values(topology.ingresses)) names.add(ing.namespace);
  return [...names].sort();
}

/** Namespace name → colour, assigned in sorted order of the names. */
export function namespaceColors(topology: Topology): Map<string, string> {
  const colors = new Map<string, string>();
  namespaceNames(topology).forEach((name, i) => colors.set(name, namespacePalette[i % namespacePalette.length] ?? '#888888'));
  return colors;
}
