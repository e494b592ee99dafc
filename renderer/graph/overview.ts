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

/**
 * Tells listeners (the minimap) the drawing's overview soon after a draw, at most every `delay`
 * ms: reading it makes cytoscape bring the style and bounds of everything that changed up to date
 * at once, which a live update's draw should not wait for (issue 14); and tells them whenever the
 * view moves or the canvas is resized.
 */
export class OverviewFeed {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<{ onOverview(overview: Overview | null): void; onView(): void }>();

  private readonly cy: cytoscape.Core;
  private readonly delay: number;

  constructor(cy: cytoscape.Core, delay: number) {
    this.cy = cy;
    this.delay = delay;
    cy.on('destroy', () => clearTimeout(this.timer));
  }

  /** The drawing changed: the overview follows, within `delay`. */
  drawn(): void {
    if (this.listeners.size === 0 || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const overview = overviewOf(this.cy);
      for (const listener of this.listeners) listener.onOverview(overview);
    }, this.delay);
  }

  /** Tells `onOverview` the overview now and after every draw, `onView` when the view moves; returns a function that stops it. */
  listen(onOverview: (overview: Overview | null) => void, onView: () => void): () => void {
    const listener = { onOverview, onView };
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.cy.on('viewport resize', this.notifyView);
    onOverview(overviewOf(this.cy));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.cy.off('viewport resize', this.notifyView);
    };
  }

  private readonly notifyView = (): void => {
    for (const listener of this.listeners) listener.onView();
  };
}
