/**
 * Turns model updates into cytoscape operations (design §6, Kiali's approach): elements are
 * diffed by id and applied in one batch; nothing is ever replaced wholesale with `cy.json`.
 * Positions come from the deterministic layout. They are applied to new nodes, and to all nodes
 * only when the set of nodes changed (a new pod reflows its host's grid); an update that only
 * changes data (readiness, an IP) moves nothing.
 */
import type cytoscape from 'cytoscape';
import type { Topology } from '../../shared/model/types.ts';
import type { GraphElement } from './elements.ts';
import { graphElementsOf } from './elements-cache.ts';
import { computeLayout } from './layout.ts';
import { graphStylesheet } from './stylesheet.ts';
import type { GraphTheme } from './theme.ts';
import type { PodpathView } from './view-hook.ts';

const highlightClasses = ['is-selected', 'is-related', 'is-faded'];

/** The canvas renderer's hit test: not in cytoscape's typings, but what its own tap handler uses. */
interface HitTester {
  findNearestElement(x: number, y: number, interactiveOnly: boolean, isTouch: boolean): cytoscape.SingularElementArgument | undefined;
}

export class GraphAdapter implements PodpathView {
  private readonly cy: cytoscape.Core;
  private topology: Topology | null = null;
  private signatures = new Map<string, string>();
  private selected: string | null = null;
  private hasFitted = false;

  constructor(cy: cytoscape.Core) {
    this.cy = cy;
  }

  setTheme(theme: GraphTheme): void {
    this.cy.style(graphStylesheet(theme));
  }

  setTopology(topology: Topology): void {
    if (topology === this.topology) return;
    this.topology = topology;
    const { list: elements, byId: next } = graphElementsOf(topology);
    const cy = this.cy;
    const previousNodeIds = new Set(cy.nodes().map((n) => n.id()));
    const nodes = elements.filter((e) => e.group === 'nodes');
    const nodeIdsChanged = previousNodeIds.size !== nodes.length || nodes.some((e) => !previousNodeIds.has(e.data.id));
    // The layout runs only when nodes come or go; a data-only update moves nothing.
    const positions = nodeIdsChanged ? computeLayout(elements).positions : {};

    cy.batch(() => {
      const stale = cy.elements().filter((ele) => !next.has(ele.id()));
      stale.edges().remove();

      // New nodes first (parents precede children in `elements`), so moved nodes find their new
      // parent and no live node is removed with a stale parent.
      const newEdges: cytoscape.ElementDefinition[] = [];
      const newNodes: cytoscape.ElementDefinition[] = [];
      const changed: GraphElement[] = [];
      for (const element of elements) {
        const signature = JSON.stringify(element);
        if (cy.getElementById(element.data.id).empty()) {
          const position = positions[element.data.id];
          const definition = { group: element.group, data: { ...element.data }, classes: element.classes, ...(position ? { position: { ...position } } : {}) };
          (element.group === 'nodes' ? newNodes : newEdges).push(definition);
        } else if (this.signatures.get(element.data.id) !== signature) {
          changed.push(element);
        }
        this.signatures.set(element.data.id, signature);
      }
      for (const id of [...this.signatures.keys()]) if (!next.has(id)) this.signatures.delete(id);
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
        cy.getElementById(element.data.id).data({ ...element.data });
        cy.getElementById(element.data.id).classes(element.classes);
      }

      // Deepest first: a stale pod goes before its stale host, so nothing is removed twice.
      stale
        .nodes()
        .sort((a, b) => b.ancestors().length - a.ancestors().length)
        .forEach((node) => {
          if (node.inside()) node.remove();
        });
      cy.add(newEdges);

      if (nodeIdsChanged) {
        cy.nodes().forEach((node) => {
          const position = positions[node.id()];
          if (position && node.isChildless()) node.position({ ...position });
        });
      }
      this.applyHighlight();
    });

    if (!this.hasFitted && cy.elements().length > 0) {
      this.fit();
      this.hasFitted = true;
    }
    cy.container()?.setAttribute('data-element-count', String(cy.elements().length));
  }

  setSelection(id: string | null): void {
    this.selected = id;
    this.cy.batch(() => this.applyHighlight());
  }

  fit(): void {
    this.cy.fit(undefined, 24);
  }

  renderedCenter(id: string): { x: number; y: number } | null {
    const ele = this.cy.getElementById(id);
    const container = this.cy.container();
    if (ele.empty() || !container) return null;
    const origin = container.getBoundingClientRect();
    const toClient = (p: { x: number; y: number }) => ({ x: origin.left + p.x, y: origin.top + p.y });
    if (ele.isEdge()) return toClient(ele.renderedMidpoint());
    const node = ele as cytoscape.NodeSingular;
    const box = node.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
    const centre = { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 };
    // Children, and edges drawn over a compound box, would take the click: look for the point
    // nearest the centre where a click really lands on this element, as cytoscape hit-tests it.
    // A compound's own area may be only its padding, so points in that band are tried too.
    const candidates: { x: number; y: number }[] = [];
    const steps = 12;
    for (let i = 1; i < steps; i++) {
      for (let j = 1; j < steps; j++) candidates.push({ x: box.x1 + ((box.x2 - box.x1) * i) / steps, y: box.y1 + ((box.y2 - box.y1) * j) / steps });
    }
    if (node.isParent()) {
      // cytoscape counts a click up to 2 px outside a node as on it, children first; so the
      // thin band of padding may be covered by the children's margin, and just outside works.
      const half = ((Number.parseFloat(String(node.style('padding'))) || 4) * this.cy.zoom()) / 2;
      for (const inset of [half, 0.5, -1]) {
        for (let i = 1; i < steps; i++) {
          const x = box.x1 + ((box.x2 - box.x1) * i) / steps;
          const y = box.y1 + ((box.y2 - box.y1) * i) / steps;
          candidates.push({ x, y: box.y1 + inset }, { x, y: box.y2 - inset }, { x: box.x1 + inset, y }, { x: box.x2 - inset, y });
        }
      }
    }
    // Mouse events carry whole pixels, so test whole client pixels, each with its neighbours so
    // that a click is not decided by rounding.
    const toWhole = (p: { x: number; y: number }) => ({ x: Math.round(origin.left + p.x) - origin.left, y: Math.round(origin.top + p.y) - origin.top });
    const visible = [centre, ...candidates].map(toWhole).filter((p) => p.x > 1 && p.y > 1 && p.x < origin.width - 1 && p.y < origin.height - 1);
    visible.sort((a, b) => Math.hypot(a.x - centre.x, a.y - centre.y) - Math.hypot(b.x - centre.x, b.y - centre.y));
    const isSolid = (p: { x: number; y: number }) =>
      [p, { x: p.x - 1, y: p.y }, { x: p.x + 1, y: p.y }, { x: p.x, y: p.y - 1 }, { x: p.x, y: p.y + 1 }].every((q) => this.hitTest(q)?.same(ele));
    const hit = visible.find(isSolid) ?? visible.find((p) => this.hitTest(p)?.same(ele));
    return toClient(hit ?? centre);
  }

  /** The element a click at this rendered point selects (cytoscape's own hit test). */
  private hitTest(point: { x: number; y: number }): cytoscape.SingularElementArgument | undefined {
    const renderer = (this.cy as unknown as { renderer(): HitTester | undefined }).renderer();
    if (typeof renderer?.findNearestElement !== 'function') return undefined;
    const pan = this.cy.pan();
    const zoom = this.cy.zoom();
    return renderer.findNearestElement((point.x - pan.x) / zoom, (point.y - pan.y) / zoom, true, false);
  }

  private applyHighlight(): void {
    const cy = this.cy;
    cy.elements().removeClass(highlightClasses);
    if (!this.selected) return;
    const ele = cy.getElementById(this.selected);
    if (ele.empty()) return;
    ele.addClass('is-selected');
    const related = ele.isNode() ? (ele as cytoscape.NodeSingular).union((ele as cytoscape.NodeSingular).descendants()).connectedEdges() : ele;
    cy.edges().not(related).addClass('is-faded');
    related.addClass('is-related');
    related.connectedNodes().not(ele).addClass('is-related');
  }
}
