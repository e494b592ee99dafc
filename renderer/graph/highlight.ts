/**
 * Highlighting by classes (Kiali's GraphHighlighter), styled in stylesheet.ts: the selection
 * with its related elements and everything else faded, the element a search found, the doctor's
 * problem rings, and a trace's path with the rest dimmed. Classes are taken off only what carries them: restyling
 * every drawn element at each update would cost a frame.
 *
 * A trace's steps (trace-path.ts) are drawn over the graph: a numbered badge at each step's
 * element and an arrow from each step to the next. They are elements of their own (class
 * `trace-overlay`), not the graph's: apply-elements.ts removes them with the rest of what it does
 * not know, and the adapter draws them again after each update.
 */
import type cytoscape from 'cytoscape';
import type { Severity } from '../../shared/doctor/types.ts';
import { stepLabel, type PathStep } from './trace-path.ts';

const selectionClasses = ['is-selected', 'is-related', 'is-own', 'is-faded', 'is-found'];
const traceClasses = ['is-traced', 'is-trace-dimmed'];
const carrying = (classes: string[]): string => classes.map((c) => `.${c}`).join(', ');

/**
 * Marks the selected element (or, when it is folded, the fold `foldOf` names), the edges of it
 * and of everything inside it as related, the other edges as faded, its own edges as its own
 * (edges drawn on demand show for those only: a node's pods' Services would cross the whole
 * canvas), and the found element.
 */
export function markSelection(cy: cytoscape.Core, selected: string | null, found: string | null, foldOf: (id: string) => string | null): void {
  cy.elements(carrying(selectionClasses)).removeClass(selectionClasses);
  if (found) cy.getElementById(found).addClass('is-found');
  if (!selected) return;
  let ele = cy.getElementById(selected);
  if (ele.empty()) {
    const fold = foldOf(selected);
    if (!fold) return;
    ele = cy.getElementById(fold);
  }
  ele.addClass('is-selected');
  const related = ele.isNode() ? (ele as cytoscape.NodeSingular).union((ele as cytoscape.NodeSingular).descendants()).connectedEdges() : ele;
  cy.edges().not(related).addClass('is-faded');
  related.addClass('is-related');
  related.connectedNodes().not(ele).addClass('is-related');
  // Its own edges (not those of everything inside it): the ones drawn on demand show for these.
  (ele.isNode() ? (ele as cytoscape.NodeSingular).connectedEdges() : ele).addClass('is-own');
}

/** Marks a trace's elements, and the edges joining two of them, and dims the rest; null clears it. */
export function markTrace(cy: cytoscape.Core, traced: ReadonlySet<string> | null): void {
  cy.elements(carrying(traceClasses)).removeClass(traceClasses);
  if (!traced) return;
  let on = cy.collection();
  for (const id of traced) {
    const ele = cy.getElementById(id);
    if (ele.nonempty()) on = on.union(ele);
  }
  on = on.union(cy.edges().filter((edge) => traced.has(edge.source().id()) && traced.has(edge.target().id())));
  on.addClass('is-traced');
  cy.elements().not(on).not(on.ancestors()).addClass('is-trace-dimmed');
}

const overlay = 'trace-overlay';
/** A badge's height, the width of one character of its label, and its font size, in model
 * pixels at zoom 1; an arrow's width. */
const badge = { height: 20, charWidth: 7.5, gap: 3, fontSize: 12, border: 2.5 };
const arrowWidth = 3.5;
/** Below this zoom badges and arrows grow, so that numbers read at any zoom the path is seen at. */
const legibleZoom = 0.9;
/** Each drawing's overlays get new ids: cytoscape misstyles an element added in the batch that
 * removed another of the same id (an edge came out grey, 30 px wide, as a haystack). */
let drawing = 0;

/**
 * Draws `steps` over the graph: a badge (class `trace-badge`, data `step` i) at the top left
 * corner of step i's element (side by side when the path comes back to it), and an arrow
 * (`trace-step`, the same `step`) into it from the step before, dashed for the DNS lookup; the
 * element where the packet is denied or dropped is marked too. Sized for the current zoom (the
 * adapter draws them again when it changes). Overlays ignore the pointer, so hovering and
 * clicking reach the element beneath.
 */
export function drawTraceSteps(cy: cytoscape.Core, steps: readonly PathStep[]): void {
  cy.elements(`.${overlay}`).remove();
  cy.nodes('.is-trace-denied').removeClass('is-trace-denied');
  if (steps.length === 0) return;
  drawing += 1;
  const scale = Math.max(1, legibleZoom / cy.zoom());
  const labels = steps.map(stepLabel);
  const widths = labels.map((label) => scale * (badge.height + badge.charWidth * Math.max(0, label.length - 1)));
  const gap = badge.gap * scale;
  // The badges of an element end at its top left corner, outside it so that its label and
  // contents stay readable, in the order of the path.
  const rowWidth = new Map<string, number>();
  steps.forEach((step, i) => rowWidth.set(step.anchor, (rowWidth.get(step.anchor) ?? 0) + (widths[i] ?? 0) + gap));
  const placed = new Map<string, number>();
  const definitions: cytoscape.ElementDefinition[] = [];
  steps.forEach((step, i) => {
    const anchor = cy.getElementById(step.anchor);
    if (anchor.empty()) return;
    // The element's body: not its label, nor the halo of a selection (includeOutlines, a
    // not-ready pod's outline, is missing from cytoscape's types).
    const box = anchor.boundingBox({ includeLabels: false, includeOverlays: false, includeUnderlays: false, includeOutlines: false } as cytoscape.BoundingBoxOptions);
    const width = widths[i] ?? 0;
    const left = box.x1 + 6 - (rowWidth.get(step.anchor) ?? 0) + (placed.get(step.anchor) ?? 0);
    placed.set(step.anchor, (placed.get(step.anchor) ?? 0) + width + gap);
    definitions.push({
      group: 'nodes',
      data: { id: `trace-badge:${drawing}:${i}`, label: labels[i], step: i, hops: step.hops, anchor: step.anchor, width, height: badge.height * scale, fontSize: badge.fontSize * scale, border: badge.border * scale },
      classes: [overlay, 'trace-badge', `trace-${step.style}`],
      position: { x: left + width / 2, y: box.y1 },
    });
    const previous = steps[i - 1];
    if (previous && step.arrival && cy.getElementById(previous.anchor).nonempty()) {
      const width = (step.arrival === 'dns' ? 0.7 : 1) * arrowWidth * scale;
      definitions.push({ group: 'edges', data: { id: `trace-step:${drawing}:${i}`, source: previous.anchor, target: step.anchor, step: i, width }, classes: [overlay, 'trace-step', `trace-step-${step.arrival}`] });
    }
    if (step.style === 'denied') anchor.addClass('is-trace-denied');
  });
  cy.add(definitions);
}

/** Marks the step that holds `hop` (hovered or chosen in the hop list), and its element; null clears it. */
export function markTraceHop(cy: cytoscape.Core, steps: readonly PathStep[], hop: number | null): void {
  cy.elements('.is-trace-active').removeClass('is-trace-active');
  const i = hop === null ? -1 : steps.findIndex((s) => s.hops.includes(hop));
  const step = steps[i];
  if (!step) return;
  cy.nodes('.trace-badge').filter((badge) => badge.data('step') === i).addClass('is-trace-active');
  cy.getElementById(step.anchor).addClass('is-trace-active');
}

const matchClasses = ['is-match', 'is-match-dimmed'];

/**
 * Marks every element of `matched` (or the fold `foldOf` names for one that is folded) and dims
 * everything else but what holds or is held by a match; null clears it.
 */
export function markMatches(cy: cytoscape.Core, matched: ReadonlySet<string> | null, foldOf: (id: string) => string | null): void {
  cy.elements(carrying(matchClasses)).removeClass(matchClasses);
  if (!matched) return;
  // Merged in place (a union per match would copy the collection each time); a fold is in it once.
  const on = cy.collection();
  for (const id of matched) {
    const ele = cy.getElementById(id);
    const fold = ele.empty() ? foldOf(id) : null;
    on.merge(fold ? cy.getElementById(fold) : ele);
  }
  on.addClass('is-match');
  // A matched node's box stays lit (its contents with it), as do the boxes around each match.
  const nodes = on.nodes();
  cy.elements().not(on).not(nodes.ancestors()).not(nodes.descendants()).addClass('is-match-dimmed');
}

/**
 * Rings the subject of each problem (`has-problem-error`, `-warning`), or what stands for it when
 * it is folded, with the worst severity of what it holds. Only rings that change are touched: a
 * class taken off and put back restyles the element, and a live update would restyle every
 * ringed element each time (issue 14).
 */
export function ringProblems(cy: cytoscape.Core, problems: ReadonlyMap<string, Severity>, standInOf: (id: string) => string | null): void {
  const rings = new Map<string, Severity>();
  for (const [id, severity] of problems) {
    const shownAs = cy.getElementById(id).nonempty() ? id : standInOf(id);
    if (shownAs && rings.get(shownAs) !== 'error') rings.set(shownAs, severity);
  }
  for (const ele of cy.elements('.has-problem-error, .has-problem-warning')) {
    const severity = rings.get(ele.id());
    if (severity !== 'error' && ele.hasClass('has-problem-error')) ele.removeClass('has-problem-error');
    if (severity !== 'warning' && ele.hasClass('has-problem-warning')) ele.removeClass('has-problem-warning');
  }
  for (const [id, severity] of rings) {
    const ele = cy.getElementById(id);
    if (!ele.hasClass(`has-problem-${severity}`)) ele.addClass(`has-problem-${severity}`);
  }
}
