/**
 * Highlighting by classes (Kiali's GraphHighlighter), styled in stylesheet.ts: the selection
 * with its related elements and everything else faded, the element a search found, and a
 * trace's path with the rest dimmed. Classes are taken off only what carries them: restyling
 * every drawn element at each update would cost a frame.
 */
import type cytoscape from 'cytoscape';

const selectionClasses = ['is-selected', 'is-related', 'is-faded', 'is-found'];
const traceClasses = ['is-traced', 'is-trace-dimmed'];
const carrying = (classes: string[]): string => classes.map((c) => `.${c}`).join(', ');

/**
 * Marks the selected element (or, when it is folded, the fold `foldOf` names), the edges of it
 * and of everything inside it as related, the other edges as faded, and the found element.
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
