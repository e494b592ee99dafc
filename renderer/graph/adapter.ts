/**
 * Turns model updates into cytoscape operations (design §6, Kiali's approach). A topology made
 * from the one drawn by deltas (renderer/state/cluster.ts) is followed delta by delta through the
 * element index (element-index.ts), which rebuilds only the elements the delta touches; a new
 * picture, a resync, another grouping or other filters build the index afresh. Either way only
 * what differs from the drawing is applied to cytoscape, in one batch, and unchanged elements are
 * recognised by identity; nothing is ever replaced wholesale with `cy.json`.
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
import { isFiltering, noFilters, type GraphFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { deltasBetween } from '../state/cluster.ts';
import { foldIdsOf, levelOfDetail, smallGraph, unitHolding, type Detail } from './detail.ts';
import type { GraphElement, GraphNodeData, Grouping } from './element-types.ts';
import { GraphElementIndex } from './element-index.ts';
import { exportGraphImage, type ImageFormat, type ImageScope } from './export-image.ts';
import { computeLayout, type Box, type Point } from './layout.ts';
import { canLayOutInWorker, layOutInWorker, workerLayoutThreshold } from './layout-async.ts';
import { placeNewNodes } from './placement.ts';
import { graphStylesheet } from './stylesheet.ts';
import { legendSections } from './legend-spec.ts';
import { fallbackTheme, type GraphTheme } from './theme.ts';
import type { PodpathView } from './view-hook.ts';

/** The furthest zoom out, unless the drawing needs further to fit. */
const defaultMinZoom = 0.05;

/** How long the view must rest before what it shows is redrawn at its level of detail. */
const viewportRest = 120;

/** How many removed leaves' places are remembered at most. */
const maxRemembered = 200_000;

const highlightClasses = ['is-selected', 'is-related', 'is-faded', 'is-found'];
const traceClasses = ['is-traced', 'is-trace-dimmed'];

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
  /** By node or by namespace; a change calls for a fresh layout (`relayout`). */
  grouping?: Grouping;
  /** What the filters let through; other filters than the drawing's rebuild its elements. */
  filters?: GraphFilters;
  /** Positions a layout worker computed for this picture (internal to the adapter). */
  computed?: Map<string, Point>;
}

export class GraphAdapter implements PodpathView {
  private readonly cy: cytoscape.Core;
  private topology: Topology | null = null;
  private theme: GraphTheme = fallbackTheme;
  /** The elements drawn, as last applied: an element still the same object needs no look. */
  private drawn = new Map<string, GraphElement>();
  private selected: string | null = null;
  /** The element a search chose: marked until the selection moves elsewhere. */
  private found: string | null = null;
  private hasGrowthRoom = false;
  private hasUserMovedViewport = false;
  private overlapping: string[] = [];
  /** Where leaves no longer drawn stood, and under which parent; cleared by a fresh layout. */
  private remembered = new Map<string, { point: Point; parent: string | undefined }>();
  /** The whole graph of the current topology, and where the layout put each of its leaves. */
  private index: GraphElementIndex | null = null;
  private filters: GraphFilters = noFilters;
  private layoutPositions = new Map<string, Point>();
  /** Folds the user opened; cleared with a new picture. */
  private expanded = new Set<string>();
  private isFolded = false;
  private lastDetail: Detail | null = null;
  private grouping: Grouping = 'node';
  /** The model ids of the trace shown, if any. */
  private traced: Set<string> | null = null;
  /** The layout a worker is computing, if any (see layOutInBackground). */
  private pendingLayout: { options: DrawOptions } | null = null;
  /** Told how many elements are being laid out in the background, and null when done. */
  onDidChangeLayingOut: ((elements: number | null) => void) | null = null;
  private drawTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(cy: cytoscape.Core) {
    this.cy = cy;
    cy.on('dragpan scrollzoom pinchzoom', () => {
      this.hasUserMovedViewport = true;
    });
    cy.on('viewport', () => this.scheduleDraw());
    // Inferred and unknown names say how they were inferred, or why they are unknown, on hover.
    cy.on('mouseover', 'edge.veth, node.device', (event) => {
      const how = this.provenanceOf((event.target as cytoscape.SingularElementArgument).id());
      if (how) cy.container()?.setAttribute('title', how);
    });
    cy.on('mouseout', 'edge.veth, node.device', () => cy.container()?.removeAttribute('title'));
    cy.on('destroy', () => clearTimeout(this.drawTimer));
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
    const grouping = options.grouping ?? this.grouping;
    const filters = options.filters ?? this.filters;
    if (topology === this.topology && grouping === this.grouping && sameFilters(filters, this.filters) && !options.relayout) return;
    this.topology = topology;
    if (options.hasGrowthRoom !== undefined) this.hasGrowthRoom = options.hasGrowthRoom;
    this.grouping = grouping;
    this.filters = filters;
    const { index, before } = this.followTopology(topology);
    const elements = index.list;
    const next = index.byId;
    const isFresh = options.relayout === true || this.layoutPositions.size === 0;
    // A worker is laying out the picture: it takes the latest topology when it is done, unless
    // this is another picture, which starts a layout of its own.
    if (this.pendingLayout && !(isFresh && options.refit)) return;
    const layoutOptions = { growthRoom: this.hasGrowthRoom };
    let positions: Map<string, Point>;
    const saved = options.savedLayout ? new Map(Object.entries(options.savedLayout).filter(([id]) => next.has(id))) : null;
    if (isFresh && !options.computed && !(saved && saved.size > 0) && elements.length > workerLayoutThreshold && canLayOutInWorker()) {
      this.layOutInBackground(elements, options);
      return;
    }
    const parents = new Set<string>();
    for (const e of elements) if (e.group === 'nodes' && e.data.parent) parents.add(e.data.parent);
    if (isFresh && options.computed) {
      // The worker's layout; whatever the cluster added meanwhile is placed near its parent.
      positions = new Map();
      let isMissing = false;
      for (const e of elements) {
        if (e.group !== 'nodes' || parents.has(e.data.id)) continue;
        const p = options.computed.get(e.data.id);
        if (p) positions.set(e.data.id, p);
        else isMissing = true;
      }
      this.overlapping = [];
      if (isMissing) {
        const placement = placeNewNodes(elements, positions, layoutOptions);
        for (const [id, p] of placement.positions) positions.set(id, p);
        this.overlapping = placement.overlapping;
      }
    } else if (isFresh && saved && saved.size > 0) {
      // A snapshot drawn as it was saved; anything it did not hold is placed near its parent.
      const placement = placeNewNodes(elements, saved, layoutOptions);
      positions = new Map([...saved, ...placement.positions]);
      this.overlapping = placement.overlapping;
    } else if (isFresh) {
      positions = new Map(Object.entries(computeLayout(elements, layoutOptions).positions));
      this.overlapping = [];
    } else {
      const staying = this.stayingPositions(elements, next, before);
      const returning = this.returningPositions(elements, staying);
      const placement = placeNewNodes(elements, new Map([...staying, ...returning]), layoutOptions);
      positions = new Map([...staying, ...returning, ...placement.positions]);
      // Overlaps are remembered until a fresh layout, unless what overlapped is gone.
      this.overlapping = [...this.overlapping.filter((id) => next.has(id)), ...placement.overlapping];
    }
    // Only leaves keep positions: a compound's box follows its children.
    for (const id of parents) positions.delete(id);

    if (isFresh) {
      this.remembered.clear();
      if (options.refit) this.expanded.clear();
    } else {
      for (const [id, point] of this.layoutPositions) {
        if (next.has(id)) continue;
        const was = before(id);
        this.remembered.delete(id);
        this.remembered.set(id, { point, parent: was?.group === 'nodes' ? was.data.parent : undefined });
      }
      // A long live session removes pods for ever: forget the oldest beyond a bound.
      for (const id of this.remembered.keys()) {
        if (this.remembered.size <= maxRemembered) break;
        this.remembered.delete(id);
      }
    }
    this.layoutPositions = positions;

    const fitting = isFresh && (options.refit === true || !this.hasUserMovedViewport);
    this.draw(fitting ? this.fittedView() : undefined);
    if (fitting) {
      this.hasUserMovedViewport = false;
      if (this.cy.elements().length > 0) this.fit();
    }
  }

  /**
   * The element index for `topology`: the current one moved along the deltas that made it, when
   * it can be (the same grouping and filters, and a chain of deltas from the drawn topology),
   * else a new one. `before` answers what an element was at the last draw.
   */
  private followTopology(topology: Topology): { index: GraphElementIndex; before: (id: string) => GraphElement | undefined } {
    const current = this.index;
    const isSameScene = current !== null && current.grouping === this.grouping && sameFilters(current.filters, this.filters);
    if (current && isSameScene && current.topology === topology) return { index: current, before: (id) => current.byId.get(id) };
    const was = new Map<string, GraphElement | undefined>();
    const before = (id: string): GraphElement | undefined => (was.has(id) ? was.get(id) : current?.byId.get(id));
    const steps = current && isSameScene ? deltasBetween(current.topology, topology) : null;
    if (current && steps) {
      let isFollowed = true;
      for (const step of steps) {
        const change = current.update(step.topology, step.delta);
        if (!change) {
          isFollowed = false;
          break;
        }
        for (const [id, element] of change.before) if (!was.has(id)) was.set(id, element);
        for (const element of change.added) if (!was.has(element.data.id)) was.set(element.data.id, undefined);
      }
      if (isFollowed) return { index: current, before };
    }
    // The old index is not touched again, so `before` can go on reading it.
    this.index = new GraphElementIndex(topology, this.grouping, this.filters);
    return { index: this.index, before };
  }

  /**
   * A fresh layout of a large graph, in a worker; meanwhile the UI stays responsive and what was
   * drawn stays. Its positions then come in as a saved layout would, so anything the cluster
   * added in the meantime is placed near its parent.
   */
  private layOutInBackground(elements: readonly GraphElement[], options: DrawOptions): void {
    const job = { options };
    this.pendingLayout = job;
    this.onDidChangeLayingOut?.(elements.length);
    this.cy.container()?.setAttribute('data-laying-out', 'true');
    const finish = (positions: Map<string, Point>, how: string): void => {
      if (this.pendingLayout !== job || !this.topology) return;
      this.pendingLayout = null;
      this.cy.container()?.removeAttribute('data-laying-out');
      this.cy.container()?.setAttribute('data-layout', how);
      this.onDidChangeLayingOut?.(null);
      this.setTopology(this.topology, { ...job.options, relayout: true, savedLayout: null, computed: positions });
    };
    layOutInWorker(elements, { growthRoom: this.hasGrowthRoom }).then(
      (positions) => finish(positions, 'worker'),
      (error: unknown) => {
        // No worker (a restrictive host, say): the same layout here, the UI waiting for it.
        console.warn(`${error instanceof Error ? error.message : String(error)}; laying out on the UI thread instead.`);
        finish(new Map(Object.entries(computeLayout(elements, { growthRoom: this.hasGrowthRoom }).positions)), 'main');
      },
    );
  }

  /**
   * Draws the part of the graph the view calls for (detail.ts) at the layout's positions: the
   * difference from what is drawn is applied in one batch, and nothing that stays moves.
   */
  private draw(view: { viewport: Box; zoom: number } | undefined = undefined): void {
    const index = this.index;
    if (!index) return;
    const cy = this.cy;
    const extent = cy.extent();
    const detail = levelOfDetail(index.list, this.layoutPositions, {
      viewport: view?.viewport ?? (cy.width() > 0 ? { x1: extent.x1, y1: extent.y1, x2: extent.x2, y2: extent.y2 } : null),
      zoom: view?.zoom ?? cy.zoom(),
      expanded: this.expanded,
    });
    // Nothing changed for this view (a pan within the same level of detail).
    if (detail === this.lastDetail) return;
    this.lastDetail = detail;
    this.isFolded = detail.isFolded;
    const elements = detail.elements;
    const next = new Set(elements.map((e) => e.data.id));
    const positionOf = (id: string): Point | undefined => this.layoutPositions.get(id) ?? detail.foldPositions.get(id);

    cy.batch(() => {
      const stale = cy.elements().filter((ele) => !next.has(ele.id()));
      stale.edges().remove();

      // New nodes first (parents precede children in `elements`), so moved nodes find their new
      // parent and no live node is removed with a stale parent.
      const newEdges: cytoscape.ElementDefinition[] = [];
      const newNodes: cytoscape.ElementDefinition[] = [];
      const changed: GraphElement[] = [];
      for (const element of elements) {
        const id = element.data.id;
        const last = this.drawn.get(id);
        if (cy.getElementById(id).empty()) {
          const position = positionOf(id);
          const definition = { group: element.group, data: { ...element.data }, classes: element.classes, ...(position ? { position: { ...position } } : {}) };
          (element.group === 'nodes' ? newNodes : newEdges).push(definition);
        } else if (last !== element && (!last || JSON.stringify(last) !== JSON.stringify(element))) {
          // Index elements keep their identity while unchanged; folds are made anew each time.
          changed.push(element);
        }
        this.drawn.set(id, element);
      }
      for (const id of [...this.drawn.keys()]) if (!next.has(id)) this.drawn.delete(id);
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
      this.applyHighlight();
      this.applyTrace();
    });
    cy.container()?.setAttribute('data-element-count', String(cy.elements().length));
    cy.container()?.setAttribute('data-folded', String(detail.isFolded));
  }

  /** The view a fresh picture will have once fitted: the whole layout, at the zoom that fits it. */
  private fittedView(): { viewport: Box; zoom: number } | undefined {
    const cy = this.cy;
    if (!this.index || cy.width() <= 0) return undefined;
    let box: Box | null = null;
    for (const element of this.index.list) {
      if (element.group !== 'nodes') continue;
      const p = this.layoutPositions.get(element.data.id);
      if (!p) continue;
      const w = (element.data.width ?? 40) / 2;
      const h = (element.data.height ?? 40) / 2;
      box = box ? { x1: Math.min(box.x1, p.x - w), y1: Math.min(box.y1, p.y - h), x2: Math.max(box.x2, p.x + w), y2: Math.max(box.y2, p.y + h) } : { x1: p.x - w, y1: p.y - h, x2: p.x + w, y2: p.y + h };
    }
    if (!box) return undefined;
    const fits = Math.min((cy.width() - 48) / Math.max(1, box.x2 - box.x1), (cy.height() - 48) / Math.max(1, box.y2 - box.y1));
    // A large cluster must still fit in view, with room to zoom out a little further.
    cy.minZoom(Math.min(defaultMinZoom, fits / 2));
    const zoom = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), fits));
    return { viewport: box, zoom };
  }

  /** Redraws for the view once it has rested a moment (detail.ts decides what it shows). */
  private scheduleDraw(): void {
    if (!this.index || this.index.list.length <= smallGraph) return;
    clearTimeout(this.drawTimer);
    this.drawTimer = setTimeout(() => this.draw(), viewportRest);
  }

  /**
   * Opens a fold (a host, the Unscheduled box, a namespace's Services) and keeps it open: what a
   * click on a folded box does. The view does not move.
   */
  expand(unit: string): void {
    if (this.expanded.has(unit)) return;
    this.expanded.add(unit);
    this.draw();
  }

  /**
   * Leaves drawn before that keep their place: every leaf of the new graph that had a position
   * and whose parents are unchanged all the way up. A leaf that now has children (a host's first
   * pod) is included, so that its contents go where it stood.
   */
  private stayingPositions(elements: readonly GraphElement[], next: ReadonlyMap<string, GraphElement>, before: (id: string) => GraphElement | undefined): Map<string, Point> {
    const staying = new Map<string, Point>();
    const hasMoved = new Map<string, boolean>();
    const moved = (id: string): boolean => {
      const known = hasMoved.get(id);
      if (known !== undefined) return known;
      const element = next.get(id);
      const old = before(id);
      let result = true;
      if (element?.group === 'nodes' && old?.group === 'nodes') {
        const parent = element.data.parent;
        result = parent !== old.data.parent || (parent !== undefined && moved(parent));
      }
      hasMoved.set(id, result);
      return result;
    };
    for (const element of elements) {
      if (element.group !== 'nodes') continue;
      const position = this.layoutPositions.get(element.data.id);
      if (!position || moved(element.data.id)) continue;
      staying.set(element.data.id, position);
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
    const boxAt = (data: GraphNodeData, p: Point): Box => {
      const halfW = (data.width ?? 0) / 2;
      const halfH = (data.height ?? 0) / 2;
      return { x1: p.x - halfW, y1: p.y - halfH, x2: p.x + halfW, y2: p.y + halfH };
    };
    const boxes: Box[] = [];
    for (const element of elements) {
      const p = element.group === 'nodes' ? staying.get(element.data.id) : undefined;
      if (p && element.group === 'nodes') boxes.push(boxAt(element.data, p));
    }
    for (const element of elements) {
      if (element.group !== 'nodes' || staying.has(element.data.id)) continue;
      const memory = this.remembered.get(element.data.id);
      if (!memory || memory.parent !== element.data.parent) continue;
      const box = boxAt(element.data, memory.point);
      if (boxes.some((b) => box.x1 < b.x2 && b.x1 < box.x2 && box.y1 < b.y2 && b.y1 < box.y2)) continue;
      returning.set(element.data.id, memory.point);
    }
    return returning;
  }

  setSelection(id: string | null): void {
    this.selected = id;
    // Something chosen outside the canvas (a link in the details panel) is shown, not left folded.
    if (id !== null && this.cy.getElementById(id).empty()) this.reveal(id);
    if (this.found !== id) this.found = null;
    this.cy.batch(() => this.applyHighlight());
  }

  /**
   * Brings an element to the middle of the view, zoomed in far enough to read it (but never so
   * far that it no longer fits), and marks it as found. False when it is not drawn.
   */
  centerOn(id: string): boolean {
    const cy = this.cy;
    if (cy.getElementById(id).empty()) this.reveal(id);
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

  /** How an element's name was found (or why it is not known), for its tooltip. */
  private provenanceOf(id: string): string | null {
    const veth = this.topology?.veths[id];
    if (veth) return `host end ${veth.hostEnd.name ?? 'unknown'} (${veth.hostEnd.provenance}): ${veth.hostEnd.how}`;
    const device = this.topology?.devices[id];
    if (device) return `${device.name ?? 'name unknown'} (${device.nameProvenance}): ${device.evidence}`;
    return null;
  }

  /** Opens whatever folds hold these ids (or the ids themselves, if folded hosts), so they are drawn. */
  private reveal(...ids: string[]): void {
    if (!this.index) return;
    let isOpened = false;
    for (const id of ids) {
      const unit = unitHolding(this.index.list, this.layoutPositions, id);
      if (unit && !this.expanded.has(unit)) {
        this.expanded.add(unit);
        isOpened = true;
      }
    }
    if (isOpened) this.draw();
  }

  /**
   * Highlights a trace's path (model ids, and the edges that join two of them) and dims the rest;
   * null clears it. Whatever folds hold the path are opened, so every hop is drawn.
   */
  setTrace(ids: readonly string[] | null): void {
    this.traced = ids && ids.length > 0 ? new Set(ids) : null;
    if (this.traced) this.reveal(...this.traced);
    this.cy.batch(() => this.applyTrace());
    // The whole path in view.
    const path = this.cy.elements('.is-traced');
    if (path.nonempty()) {
      this.cy.fit(path, 48);
      this.hasUserMovedViewport = true;
    }
  }

  private applyTrace(): void {
    const cy = this.cy;
    // Only what carries them: restyling every drawn element at each update would cost a frame.
    cy.elements(traceClasses.map((c) => `.${c}`).join(', ')).removeClass(traceClasses);
    const traced = this.traced;
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

  /**
   * Model positions of every leaf of the by-node picture (folded ones included; compound boxes
   * follow their children), to save in a snapshot; undefined while grouped by namespace, whose
   * picture a snapshot does not keep.
   */
  positions(): Record<string, Point> | undefined {
    if (this.grouping !== 'node') return undefined;
    const out: Record<string, Point> = {};
    for (const [id, p] of this.layoutPositions) out[id] = { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 };
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

  tracedIds(): string[] {
    return this.cy
      .elements('.is-traced')
      .map((e) => e.id())
      .sort();
  }

  renderedBox(id: string): { x1: number; y1: number; x2: number; y2: number } | null {
    const ele = this.cy.getElementById(id);
    const container = this.cy.container();
    if (ele.empty() || !container) return null;
    const origin = container.getBoundingClientRect();
    const b = ele.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
    return { x1: origin.left + b.x1, y1: origin.top + b.y1, x2: origin.left + b.x2, y2: origin.top + b.y2 };
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
    cy.elements(highlightClasses.map((c) => `.${c}`).join(', ')).removeClass(highlightClasses);
    if (this.found) cy.getElementById(this.found).addClass('is-found');
    if (!this.selected) return;
    let ele = cy.getElementById(this.selected);
    if (ele.empty() && this.index) {
      // Selected but folded: the fold that holds it stands in for it.
      const unit = unitHolding(this.index.list, this.layoutPositions, this.selected);
      const fold = unit ? foldIdsOf(unit).map((id) => cy.getElementById(id)).find((f) => f.nonempty()) : undefined;
      if (!fold) return;
      ele = fold;
    }
    ele.addClass('is-selected');
    const related = ele.isNode() ? (ele as cytoscape.NodeSingular).union((ele as cytoscape.NodeSingular).descendants()).connectedEdges() : ele;
    cy.edges().not(related).addClass('is-faded');
    related.addClass('is-related');
    related.connectedNodes().not(ele).addClass('is-related');
  }
}

function sameFilters(a: GraphFilters, b: GraphFilters): boolean {
  return a === b || (!isFiltering(a) && !isFiltering(b)) || JSON.stringify(a) === JSON.stringify(b);
}
