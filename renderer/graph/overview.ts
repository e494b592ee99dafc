/**
 * The drawing in small, for the minimap (Minimap.tsx): its bounds and its top-level boxes (nodes,
 * groups, folds), read off what cytoscape draws once per update: top-level boxes only, which
 * the level of detail (detail.ts) keeps to what the view needs however many pods there are.
 */
import type cytoscape from 'cytoscape';
import type { Box } from './geometry.ts';

export interface Overview {
  bounds: Box;
  boxes: (Box & { color: string | null; hasProblems: boolean })[];
}

export function overviewOf(cy: cytoscape.Core): Overview | null {
  const roots = cy.nodes().orphans();
  if (roots.empty()) return null;
  const bounds = roots.boundingBox({ includeLabels: false });
  const boxes = roots.map((node) => {
    const { x1, y1, x2, y2 } = node.boundingBox({ includeLabels: false });
    const color = node.data('color') as string | undefined;
    return { x1, y1, x2, y2, color: color ?? null, hasProblems: node.hasClass('has-problems') || node.hasClass('not-ready') };
  });
  return { bounds: { x1: bounds.x1, y1: bounds.y1, x2: bounds.x2, y2: bounds.y2 }, boxes };
}
