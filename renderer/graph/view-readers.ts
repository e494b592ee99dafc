/**
 * What the test hook (view-hook.ts, `window.podpathView`) reads off the drawing: which elements
 * carry the marks of a search, the doctor and a trace, the trace's drawn steps, and an element's
 * place, visibility and label size. Pure reads of cytoscape; the adapter answers with these.
 */
import type cytoscape from 'cytoscape';
import type { Point } from './geometry.ts';
import type { DrawnTraceStep } from './view-hook.ts';

const sortedIds = (elements: cytoscape.CollectionReturnValue): string[] => elements.map((e) => e.id()).sort();

export function markedIds(cy: cytoscape.Core): string[] {
  return sortedIds(cy.elements('.is-match'));
}

export function problemIds(cy: cytoscape.Core): { id: string; severity: 'error' | 'warning' }[] {
  return cy
    .elements('.has-problem-error, .has-problem-warning')
    .map((e) => ({ id: e.id(), severity: e.hasClass('has-problem-error') ? ('error' as const) : ('warning' as const) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function tracedIds(cy: cytoscape.Core): string[] {
  return sortedIds(cy.elements('.is-traced'));
}

export function traceSteps(cy: cytoscape.Core): DrawnTraceStep[] {
  const step = (ele: cytoscape.SingularElementArgument): number => ele.data('step') as number;
  return cy
    .nodes('.trace-badge')
    .sort((a, b) => step(a) - step(b))
    .map((badge) => {
      const arrow = cy.edges('.trace-step').filter((edge) => step(edge) === step(badge));
      return {
        hops: badge.data('hops') as number[],
        label: badge.data('label') as string,
        anchor: badge.data('anchor') as string,
        style: badge.hasClass('trace-denied') ? 'denied' : badge.hasClass('trace-dns') ? 'dns' : 'data',
        isActive: badge.hasClass('is-trace-active'),
        arrow: arrow.nonempty() ? { from: arrow.source().id(), to: arrow.target().id(), style: arrow.hasClass('trace-step-dns') ? 'dns' : 'data' } : null,
      };
    });
}

export function modelPosition(cy: cytoscape.Core, id: string): Point | null {
  const ele = cy.getElementById(id);
  if (ele.empty() || !ele.isNode()) return null;
  const { x, y } = (ele as cytoscape.NodeSingular).position();
  return { x, y };
}

export function isShown(cy: cytoscape.Core, id: string): boolean {
  const ele = cy.getElementById(id);
  return ele.nonempty() && ele.visible();
}

export function drawnLabel(cy: cytoscape.Core, id: string): { text: string; fontStyle: string } | null {
  const ele = cy.getElementById(id);
  return ele.empty() ? null : { text: String(ele.data('label') ?? ''), fontStyle: String(ele.style('font-style')) };
}

export function renderedFontSize(cy: cytoscape.Core, id: string): number | null {
  const ele = cy.getElementById(id);
  return ele.empty() ? null : Number(ele.numericStyle('font-size')) * cy.zoom();
}
