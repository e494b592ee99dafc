/**
 * What the test hook (view-hook.ts, `window.podpathView`) reads off the drawing: which elements
 * carry the marks of a search, the doctor and a trace, the trace's drawn steps, and an element's
 * place, boxes, visibility and label size. Pure reads of cytoscape: the adapter (adapter.ts), which
 * owns the cytoscape instance, is a DrawingReaders, so these answer for it.
 */
import type cytoscape from 'cytoscape';
import type { Point } from './geometry.ts';
import type { DrawnTraceStep } from './view-hook.ts';
import { renderedBox, renderedCenter } from './hit-test.ts';

const sortedIds = (elements: cytoscape.CollectionReturnValue): string[] => elements.map((e) => e.id()).sort();

export class DrawingReaders {
  protected readonly cy: cytoscape.Core;

  constructor(cy: cytoscape.Core) {
    this.cy = cy;
  }

  markedIds(): string[] {
    return sortedIds(this.cy.elements('.is-match'));
  }

  problemIds(): { id: string; severity: 'error' | 'warning' }[] {
    return this.cy
      .elements('.has-problem-error, .has-problem-warning')
      .map((e) => ({ id: e.id(), severity: e.hasClass('has-problem-error') ? ('error' as const) : ('warning' as const) }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  tracedIds(): string[] {
    return sortedIds(this.cy.elements('.is-traced'));
  }

  traceSteps(): DrawnTraceStep[] {
    const step = (ele: cytoscape.SingularElementArgument): number => ele.data('step') as number;
    return this.cy
      .nodes('.trace-badge')
      .sort((a, b) => step(a) - step(b))
      .map((badge) => {
        const arrow = this.cy.edges('.trace-step').filter((edge) => step(edge) === step(badge));
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

  modelPosition(id: string): Point | null {
    const ele = this.cy.getElementById(id);
    if (ele.empty() || !ele.isNode()) return null;
    const { x, y } = (ele as cytoscape.NodeSingular).position();
    return { x, y };
  }

  isShown(id: string): boolean {
    const ele = this.cy.getElementById(id);
    return ele.nonempty() && ele.visible();
  }

  drawnLabel(id: string): { text: string; fontStyle: string } | null {
    const ele = this.cy.getElementById(id);
    return ele.empty() ? null : { text: String(ele.data('label') ?? ''), fontStyle: String(ele.style('font-style')) };
  }

  renderedFontSize(id: string): number | null {
    const ele = this.cy.getElementById(id);
    return ele.empty() ? null : Number(ele.numericStyle('font-size')) * this.cy.zoom();
  }

  renderedBox(id: string): { x1: number; y1: number; x2: number; y2: number } | null {
    return renderedBox(this.cy, id);
  }

  renderedCenter(id: string): { x: number; y: number } | null {
    return renderedCenter(this.cy, id);
  }
}
