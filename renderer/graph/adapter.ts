/**
 * Turns model updates into cytoscape operations (design §6, Kiali's approach): the graph
 * elements of the new topology are diffed by id and data against what is drawn, and only the
 * difference is applied, in one batch; nothing is ever replaced wholesale with `cy.json`.
 *
 * Positions: a new picture (the first draw, another session, "Re-layout") gets the full
 * deterministic layout. After that an update never moves what is drawn — a data change moves
 * nothing, a removal leaves a gap, and new elements are put near their parent by placement.ts
 * (a pod in the next free cell of its host's grid, a host right of the others). Only an element
 * whose parent changed (a pod scheduled out of the Unscheduled box) is placed again.
 *
 * Leaves that leave the drawing (a filter hid them, or the cluster removed them) are remembered
 * with their parent until the next fresh layout: when one comes back under the same parent and
 * its place is still free, it is put back exactly where it was, so turning a filter off restores
 * the picture it turned on.
 */
import type cytoscape from 'cytoscape';
import type { Topology } from '../../shared/model/types.ts';
import type { GraphElement } from './elements.ts';
import { graphElementsOf } from './elements-cache.ts';
import { exportGraphImage, type ImageFormat, type ImageScope } from './export-image.ts';
import { computeLayout, type Point } from './layout.ts';
import { placeNewNodes } from './placement.ts';
import { graphStylesheet } from './stylesheet.ts';
import { legendSections } from './legend-spec.ts';
import { fallbackTheme, type GraphTheme } from './theme.ts';
import type { PodpathView } from './view-hook.ts';

/** How many removed leaves' places are remembered at most. */
const maxRemembered = 200_000;

const highlightClasses = ['is-selected', 'is-related', 'is-faded', 'is-found'];

/** The canvas renderer's hit test: not in cytoscape's typings, but what its own tap handler uses. */
interface HitTester {
  findNearestElement(x: number, y: number, interactiveOnly: boolean, isTouch: boolean): cytoscape.SingularElementArgument | undefined;
}

export interface DrawOptions {
  /** Lay everything out afresh instead of placing only what is new. */
  relayout?: boolean;
  /** Fit the drawing to the view after laying it out, even if the user has panned or zoomed. */
  refit?: boolean;
  /** Leave room in each host's grid for pods still to come (a live session). */
  hasGrowthRoom?: boolean;
  /** Positions saved with a snapshot: a fresh layout keeps them and places only the rest. */
  savedLayout?: Record<string, Point> | null;
}

export class GraphAdapter implements PodpathView {
  private readonly cy: cytoscape.Core;
  private topology: Topology | null = null;
  private theme: GraphTheme = fallbackTheme;
  private signatures = new Map<string, string>();
  private selected: string | null = null;
  /** The element a search chose: marked until the selection moves elsewhere. */
  private found: string | null = null;
  private hasGrowthRoom = false;
  private hasUserMovedViewport = false;
  private overlapping: string[] = [];
  /** Where leaves no longer drawn stood, and under which parent; cleared by a fresh layout. */
  private remembered = new Map<string, { point: Point; parent: string | undefined }>();

  constructor(cy: cytoscape.Core) {
    this.cy = cy;
    cy.on('dragpan scrollzoom pinchzoom', () => {
      this.hasUserMovedViewport = true;
    });
  }

  /** Whether some new element could only be placed overlapping others: a fresh layout would tidy it. */
  get needsTidying(): boolean {
    return this.overlapping.length > 0;
  }

  setTheme(theme: GraphTheme): void {
    this.theme = theme;
    this.cy.style(graphStylesheet(theme));
  }

  /** Lays the whole drawing out afresh and fits it (the user asked for it). */
  relayout(): void {
    if (this.topology) this.setTopology(this.topology, { relayout: true, refit: true });
  }

  setTopology(topology: Topology, options: DrawOptions = {}): void {
    if (topology === this.topology && !options.relayout) return;
    this.topology = topology;
    if (options.hasGrowthRoom !== undefined) this.hasGrowthRoom = options.hasGrowthRoom;
    const { list: elements, byId: next } = graphElementsOf(topology);
    const cy = this.cy;
    const isFresh = options.relayout === true || cy.nodes().empty();
    const layoutOptions = { growthRoom: this.hasGrowthRoom };
    let positions: Map<string, Point>;
    const saved = options.savedLayout ? new Map(Object.entries(options.savedLayout).filter(([id]) => next.has(id))) : null;
    if (isFresh && saved && saved.size > 0) {
      // A snapshot drawn as it was saved; anything it did not hold is placed near its parent.
      const placement = placeNewNodes(elements, saved, layoutOptions);
      positions = new Map([...saved, ...placement.positions]);
      this.overlapping = placement.overlapping;
    } else if (isFresh) {
      positions = new Map(Object.entries(computeLayout(elements, layoutOptions).positions));
      this.overlapping = [];
    } else {
      const staying = this.stayingPositions(elements, next);
      const returning = this.returningPositions(elements, staying);
      const placement = placeNewNodes(elements, new Map([...staying, ...returning]), layoutOptions);
      positions = new Map([...returning, ...placement.positions]);
      // Overlaps are remembered until a fresh layout, unless what overlapped is gone.
      this.overlapping = [...this.overlapping.filter((id) => next.has(id)), ...placement.overlapping];
    }

    if (isFresh) this.remembered.clear();
    cy.batch(() => {
      const stale = cy.elements().filter((ele) => !next.has(ele.id()));
      stale.nodes().forEach((node) => {
        if (!node.isChildless()) return;
        const { x, y } = node.position();
        this.remembered.delete(node.id());
        this.remembered.set(node.id(), { point: { x, y }, parent: (node.data('parent') as string | undefined) ?? undefined });
      });
      // A long live session removes pods for ever: forget the oldest beyond a bound.
      for (const id of this.remembered.keys()) {
        if (this.remembered.size <= maxRemembered) break;
        this.remembered.delete(id);
      }
      stale.edges().remove();

      // New nodes first (parents precede children in `elements`), so moved nodes find their new
      // parent and no live node is removed with a stale parent.
      const newEdges: cytoscape.ElementDefinition[] = [];
      const newNodes: cytoscape.ElementDefinition[] = [];
      const changed: GraphElement[] = [];
      for (const element of elements) {
        const signature = JSON.stringify(element);
        if (cy.getElementById(element.data.id).empty()) {
          const position = positions.get(element.data.id);
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

      if (isFresh) {
        cy.nodes().forEach((node) => {
          const position = positions.get(node.id());
          if (position && node.isChildless()) node.position({ ...position });
        });
      } else {
        // Leaves that moved to another parent; new ones got their place when added.
        for (const [id, position] of positions) {
          const node = cy.getElementById(id);
          if (node.nonempty() && node.isNode() && (node as cytoscape.NodeSingular).isChildless()) node.position({ ...position });
        }
      }
      this.applyHighlight();
    });

    if (isFresh) {
      if (options.refit) this.hasUserMovedViewport = false;
      if (!this.hasUserMovedViewport && cy.elements().length > 0) this.fit();
    }
    cy.container()?.setAttribute('data-element-count', String(cy.elements().length));
  }

  /**
   * Centres of the drawn leaves that keep their place in the new graph: every leaf still there
   * whose parents are unchanged all the way up. A leaf that now has children (a host's first
   * pod) is included, so that its contents go where it stood.
   */
  private stayingPositions(elements: readonly GraphElement[], next: ReadonlyMap<string, GraphElement>): Map<string, Point> {
    const cy = this.cy;
    const hasMoved = new Map<string, boolean>();
    const moved = (id: string): boolean => {
      const known = hasMoved.get(id);
      if (known !== undefined) return known;
      const element = next.get(id);
      const drawn = cy.getElementById(id);
      let result = true;
      if (element?.group === 'nodes' && drawn.nonempty()) {
        const parent = element.data.parent;
        const drawnParent = (drawn.data('parent') as string | undefined) ?? undefined;
        result = parent !== drawnParent || (parent !== undefined && moved(parent));
      }
      hasMoved.set(id, result);
      return result;
    };
    const staying = new Map<string, Point>();
    for (const element of elements) {
      if (element.group !== 'nodes') continue;
      const drawn = cy.getElementById(element.data.id);
      if (drawn.empty() || !(drawn as cytoscape.NodeSingular).isChildless() || moved(element.data.id)) continue;
      const { x, y } = (drawn as cytoscape.NodeSingular).position();
      staying.set(element.data.id, { x, y });
    }
    return staying;
  }

  /**
   * Remembered places of leaves drawn again under the same parent, when the place is still free:
   * no staying leaf's box overlaps theirs (a new pod may have taken the gap meanwhile).
   */
  private returningPositions(elements: readonly GraphElement[], staying: ReadonlyMap<string, Point>): Map<string, Point> {
    const returning = new Map<string, Point>();
    if (this.remembered.size === 0) return returning;
    const cy = this.cy;
    const boxes: { x1: number; y1: number; x2: number; y2: number }[] = [];
    for (const id of staying.keys()) {
      const node = cy.getElementById(id);
      if (node.nonempty()) boxes.push(node.boundingBox({ includeLabels: false, includeOverlays: false }));
    }
    for (const element of elements) {
      if (element.group !== 'nodes' || staying.has(element.data.id) || cy.getElementById(element.data.id).nonempty()) continue;
      const memory = this.remembered.get(element.data.id);
      if (!memory || memory.parent !== element.data.parent) continue;
      const halfW = (element.data.width ?? 0) / 2;
      const halfH = (element.data.height ?? 0) / 2;
      const box = { x1: memory.point.x - halfW, y1: memory.point.y - halfH, x2: memory.point.x + halfW, y2: memory.point.y + halfH };
      if (boxes.some((b) => box.x1 < b.x2 && b.x1 < box.x2 && box.y1 < b.y2 && b.y1 < box.y2)) continue;
      returning.set(element.data.id, memory.point);
    }
    return returning;
  }

  setSelection(id: string | null): void {
    this.selected = id;
    if (this.found !== id) this.found = null;
    this.cy.batch(() => this.applyHighlight());
  }

  /**
   * Brings an element to the middle of the view, zoomed in far enough to read it (but never so
   * far that it no longer fits), and marks it as found. False when it is not drawn.
   */
  centerOn(id: string): boolean {
    const cy = this.cy;
    const ele = cy.getElementById(id);
    if (ele.empty()) return false;
    const box = ele.boundingBox({ includeLabels: true });
    const fitting = Math.min(cy.width() / Math.max(box.w + 48, 1), cy.height() / Math.max(box.h + 48, 1));
    const level = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), Math.max(cy.zoom(), 1), fitting));
    cy.zoom(level);
    cy.center(ele);
    this.hasUserMovedViewport = true;
    this.found = id;
    cy.batch(() => this.applyHighlight());
    return true;
  }

  /** Fits the whole drawing in view; until the user pans or zooms again, it stays fitted. */
  fit(): void {
    this.hasUserMovedViewport = false;
    this.cy.fit(undefined, 24);
  }

  /**
   * Zooms by a factor (above 1 in, below 1 out) about the middle of the view, within the zoom
   * limits, like the mouse wheel does about the pointer. The view then stays where the user put it.
   */
  zoomBy(factor: number): void {
    const cy = this.cy;
    if (!(factor > 0)) return;
    const level = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), cy.zoom() * factor));
    cy.zoom({ level, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    this.hasUserMovedViewport = true;
  }

  /** Moves the view by rendered pixels, like dragging the background; it then stays where put. */
  panBy(dx: number, dy: number): void {
    this.cy.panBy({ x: dx, y: dy });
    this.hasUserMovedViewport = true;
  }

  viewport(): { zoom: number; pan: { x: number; y: number } } {
    const { x, y } = this.cy.pan();
    return { zoom: this.cy.zoom(), pan: { x, y } };
  }

  /** The container changed size (window, status bar): keep the drawing fitted unless the user
   * has panned or zoomed since it was last fitted for them. */
  resize(): void {
    this.cy.resize();
    if (!this.hasUserMovedViewport && this.cy.elements().length > 0) this.fit();
  }

  /** Model positions of the drawn leaves (compound boxes follow their children), to save. */
  positions(): Record<string, Point> {
    const out: Record<string, Point> = {};
    this.cy.nodes().forEach((node) => {
      if (node.isChildless()) out[node.id()] = { x: Math.round(node.position('x') * 10) / 10, y: Math.round(node.position('y') * 10) / 10 };
    });
    return out;
  }

  /**
   * An image of what is on screen (`view`) or of the whole drawing (`full`), with the legend
   * beside it: a PNG Blob, or the text of an SVG document.
   */
  exportImage(format: ImageFormat, scope: ImageScope): Promise<Blob | string> {
    const theme = this.theme;
    return exportGraphImage(this.cy, format, scope, {
      background: theme.background,
      text: theme.text,
      border: theme.hostBorder,
      legend: legendSections(this.topology, theme),
    });
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
    if (this.found) cy.getElementById(this.found).addClass('is-found');
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
