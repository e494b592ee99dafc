/**
 * The trace shown on the graph: its hops (trace-path.ts), where they are drawn now, and the hop
 * the trace panel's list points at. Its badges and arrows are drawn by highlight.ts, again after
 * each update of the drawing (apply-elements.ts removes what it does not know).
 */
import type cytoscape from 'cytoscape';
import type { GraphElement } from './element-types.ts';
import { drawTraceSteps, markTrace, markTraceHop } from './highlight.ts';
import { placeIn, placeSteps, type PathHop, type PathStep } from './trace-path.ts';

export class TraceOverlay {
  private path: readonly PathHop[] | null = null;
  private steps: PathStep[] = [];
  /** The hop hovered or chosen in the trace panel's list. */
  private activeHop: number | null = null;

  private readonly cy: cytoscape.Core;

  constructor(cy: cytoscape.Core) {
    this.cy = cy;
  }

  get isShown(): boolean {
    return this.path !== null;
  }

  /** Every model id the path touches (for the folds that hold them to be opened). */
  get ids(): string[] {
    return this.path?.flatMap((hop) => hop.ids) ?? [];
  }

  /** The elements the steps are drawn at. */
  anchors(): cytoscape.CollectionReturnValue {
    let anchors = this.cy.collection();
    for (const step of this.steps) anchors = anchors.union(this.cy.getElementById(step.anchor));
    return anchors;
  }

  set(path: readonly PathHop[] | null): void {
    this.path = path && path.length > 0 ? path : null;
    this.activeHop = null;
  }

  /** Places the steps on what is drawn, marks the path and dims the rest, and draws the steps. */
  apply(drawn: ReadonlyMap<string, GraphElement>): void {
    const path = this.path;
    this.steps = path ? placeSteps(path, placeIn(drawn)) : [];
    markTrace(this.cy, path ? new Set([...path.flatMap((hop) => hop.ids), ...this.steps.map((step) => step.anchor)]) : null);
    this.redraw();
  }

  /** Draws the steps again (sized for the zoom), the active one marked. */
  redraw(): void {
    drawTraceSteps(this.cy, this.steps);
    markTraceHop(this.cy, this.steps, this.activeHop);
  }

  highlightHop(hop: number | null): void {
    this.activeHop = hop;
    markTraceHop(this.cy, this.steps, hop);
  }

  /**
   * The hops at an element: those drawn there, and those that name it; a box (a node's root
   * netns, a group) only for the hops drawn there, or hovering a node would name half the path.
   */
  hopsAt(id: string, drawn: ReadonlyMap<string, GraphElement>): number[] | null {
    if (!this.path) return null;
    const hops = new Set(this.steps.filter((step) => step.anchor === id).flatMap((step) => step.hops));
    const place = placeIn(drawn)(id);
    if (place && !(place.kind === 'node' && place.isBox)) for (const hop of this.path) if (hop.ids.includes(id)) hops.add(hop.number);
    return hops.size > 0 ? [...hops].sort((a, b) => a - b) : null;
  }
}
