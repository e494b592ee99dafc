/**
 * The one place cytoscape's elements change (style.md, Kiali's wrapper): what is to be drawn is
 * compared with what is, and only the difference is applied — added, moved to a new parent or
 * new ends, given new data and classes, removed — inside the caller's batch. Nothing is ever
 * replaced wholesale with `cy.json`. An element that is still the same object as the one last
 * applied is not looked at: the element index keeps unchanged elements' identity.
 */
import type cytoscape from 'cytoscape';
import type { GraphElement } from './element-types.ts';
import type { Point } from './geometry.ts';

/**
 * Makes cytoscape draw exactly `elements`, leaves at `positionOf`; `drawn` holds the elements
 * last applied and is kept current.
 */
export function applyElements(cy: cytoscape.Core, elements: readonly GraphElement[], drawn: Map<string, GraphElement>, positionOf: (id: string) => Point | undefined): void {
  const next = new Set(elements.map((e) => e.data.id));
  const stale = cy.elements().filter((ele) => !next.has(ele.id()));
  stale.edges().remove();

  // New nodes first (parents precede children in `elements`), so moved nodes find their new
  // parent and no live node is removed with a stale parent.
  const newEdges: cytoscape.ElementDefinition[] = [];
  const newNodes: cytoscape.ElementDefinition[] = [];
  const changed: GraphElement[] = [];
  for (const element of elements) {
    const id = element.data.id;
    const last = drawn.get(id);
    if (cy.getElementById(id).empty()) {
      const position = positionOf(id);
      const definition = { group: element.group, data: { ...element.data }, classes: element.classes, ...(position ? { position: { ...position } } : {}) };
      (element.group === 'nodes' ? newNodes : newEdges).push(definition);
    } else if (last !== element && (!last || JSON.stringify(last) !== JSON.stringify(element))) {
      // Index elements keep their identity while unchanged; folds are made anew each time.
      changed.push(element);
    }
    drawn.set(id, element);
  }
  for (const id of [...drawn.keys()]) if (!next.has(id)) drawn.delete(id);
  cy.add(newNodes);

  for (const element of changed) {
    const existing = cy.getElementById(element.data.id);
    if (element.group === 'nodes') {
      const node = existing as cytoscape.NodeSingular;
      if ((node.data('parent') ?? undefined) !== element.data.parent) node.move({ parent: element.data.parent ?? null });
    } else {
      const edge = existing as cytoscape.EdgeSingular;
      if (edge.data('source') !== element.data.source || edge.data('target') !== element.data.target) {
        edge.move({ source: element.data.source, target: element.data.target });
      }
    }
    // A move replaces the element, so look it up again.
    const current = cy.getElementById(element.data.id);
    // Keys the element no longer has (a host that got children loses its own size).
    const dropped = Object.keys(current.data() as object).filter((key) => key !== 'parent' && !(key in element.data));
    if (dropped.length > 0) current.removeData(dropped.join(' '));
    current.data({ ...element.data });
    current.classes(element.classes);
  }

  // Deepest first: a stale pod goes before its stale host, so nothing is removed twice.
  stale
    .nodes()
    .sort((a, b) => b.ancestors().length - a.ancestors().length)
    .forEach((node) => {
      if (node.inside()) node.remove();
    });
  cy.add(newEdges);

  // Every drawn leaf where the layout puts it (only new places differ).
  cy.nodes().forEach((node) => {
    if (!node.isChildless()) return;
    const position = positionOf(node.id());
    if (!position) return;
    const current = node.position();
    if (current.x !== position.x || current.y !== position.y) node.position({ ...position });
  });
}
