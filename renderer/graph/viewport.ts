/**
 * Where the view goes (the adapter's viewport verbs): the zoom that fits a box, a box put in
 * view, a picture's first view, a fold opened to reading size, an element centred, a fit capped
 * so that one small thing does not fill the screen. Each moves cytoscape's viewport and nothing
 * else; whether the user moved it since is the adapter's to remember.
 */
import type cytoscape from 'cytoscape';
import { labelBand, type Box } from './geometry.ts';

/** The furthest zoom out, unless the drawing needs further to fit. */
const defaultMinZoom = 0.05;

/**
 * The zoom at which the smallest label (a container's, 10 px) is drawn 10 px high: a picture
 * opens at least this close, on its busiest node or namespace, when the whole would be smaller.
 */
export const legibleZoom = 1;

/** Room left around what is fitted, in rendered pixels. */
const margin = 24;

const clampZoom = (cy: cytoscape.Core, level: number): number => Math.max(cy.minZoom(), Math.min(cy.maxZoom(), level));

/** The zoom at which `box` fits the view with `margin` around it. */
function fittingZoom(cy: cytoscape.Core, box: Box, room = margin): number {
  return Math.min((cy.width() - 2 * room) / Math.max(1, box.x2 - box.x1), (cy.height() - 2 * room) / Math.max(1, box.y2 - box.y1));
}

/**
 * The zoom a fresh picture will have once fitted, the whole of `box` in view; the furthest zoom
 * out is lowered so that a large cluster still fits, with room to zoom out a little further.
 */
export function fittedZoom(cy: cytoscape.Core, box: Box): number {
  const fits = fittingZoom(cy, box);
  cy.minZoom(Math.min(defaultMinZoom, fits / 2));
  return clampZoom(cy, fits);
}

/** Puts a model box in view at `zoom`: centred when it fits, else from its top-left corner. */
export function showBox(cy: cytoscape.Core, box: Box, zoom: number, room = margin): void {
  const [width, height] = [cy.width(), cy.height()];
  const x = (box.x2 - box.x1) * zoom <= width - 2 * room ? width / 2 - ((box.x1 + box.x2) / 2) * zoom : room - box.x1 * zoom;
  const y = (box.y2 - box.y1) * zoom <= height - 2 * room ? height / 2 - ((box.y1 + box.y2) / 2) * zoom : room - box.y1 * zoom;
  cy.viewport({ zoom, pan: { x, y } });
}

/**
 * A picture's first view: all of it when its text is legible that way, else its busiest node
 * (or namespace, or fold), the largest box, at the legible zoom: centred, or from its top left
 * corner when larger than the view. The rest is a pan or a zoom away (and on the minimap).
 */
export function showFirstView(cy: cytoscape.Core): void {
  if (cy.elements().length === 0) return;
  cy.fit(undefined, margin);
  if (cy.zoom() >= legibleZoom) return;
  let busiest: cytoscape.BoundingBox12 & cytoscape.BoundingBoxWH = { x1: 0, y1: 0, x2: 0, y2: 0, w: 0, h: 0 };
  let isFold = false;
  cy.nodes('.host, .namespace, .fold-host').forEach((node) => {
    const box = node.boundingBox({ includeLabels: true });
    if (box.w * box.h > busiest.w * busiest.h) [busiest, isFold] = [box, node.hasClass('fold')];
  });
  if (busiest.w === 0) return;
  // A fold opens into a box with its label above it (a host's four lines): keep that in view.
  const label = isFold ? labelBand(4) : 0;
  showBox(cy, { x1: busiest.x1, y1: busiest.y1 - label, x2: busiest.x2, y2: busiest.y2 }, Math.min(cy.maxZoom(), legibleZoom));
}

/**
 * The view of an opened fold: a node, a namespace, a namespace's Services or the Unscheduled box
 * at least at the legible zoom, whole when it fits, else from its top-left corner; a small one is
 * read, not magnified (no closer than twice the legible zoom). A block of nodes is fitted.
 */
export function showFold(cy: cytoscape.Core, box: Box, isBlock: boolean): void {
  const fits = fittingZoom(cy, box);
  const level = isBlock ? fits : Math.max(legibleZoom, Math.min(fits, 2 * legibleZoom));
  showBox(cy, box, clampZoom(cy, level));
}

/** Centres an element, zoomed in far enough to read it but never so far that it no longer fits. */
export function centerReadably(cy: cytoscape.Core, ele: cytoscape.SingularElementArgument): void {
  const box = ele.boundingBox({ includeLabels: true });
  const fitting = Math.min(cy.width() / Math.max(box.w + 2 * margin, 1), cy.height() / Math.max(box.h + 2 * margin, 1));
  cy.zoom(clampZoom(cy, Math.min(Math.max(cy.zoom(), 1), fitting)));
  cy.center(ele);
}

/** A search's matches in view, but no closer than 1.5 (a single match would fill the view). */
export const fitMatches = (cy: cytoscape.Core, marks: cytoscape.CollectionArgument): void => fitAtMost(cy, marks, 48, 1.5);

/**
 * A trace's path in view, with room around it for its badges, but no closer than 1.6: a path
 * within one pod or node is not blown up past reading size.
 */
export const fitTrace = (cy: cytoscape.Core, steps: cytoscape.CollectionArgument): void => fitAtMost(cy, steps, 64, 1.6);

/**
 * Whether pod and container labels are too small to draw at this zoom (below 0.9, stylesheet.ts),
 * so that hosts and group boxes say their names large instead (`is-far`).
 */
export const isFarZoom = (cy: cytoscape.Core): boolean => cy.zoom() < 0.9;

/** Fits `eles` with `room` around them, but no closer than `maxZoom`. */
function fitAtMost(cy: cytoscape.Core, eles: cytoscape.CollectionArgument, room: number, maxZoom: number): void {
  cy.fit(eles, room);
  if (cy.zoom() > maxZoom) zoomAboutMiddle(cy, maxZoom);
}

/** Zooms to `level` (within the zoom limits) about the middle of the view. */
export function zoomAboutMiddle(cy: cytoscape.Core, level: number): void {
  cy.zoom({ level: clampZoom(cy, level), renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
}
