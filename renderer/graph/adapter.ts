/**
 * Turns model updates into cytoscape operations (design §6, Kiali's approach). A topology made
 * from the one drawn by deltas (renderer/state/cluster.ts) is followed delta by delta through the
 * element index (element-index.ts), which rebuilds only the elements the delta touches; a new
 * picture, a resync, another grouping or other filters build the index afresh. Either way only
 * what differs from the drawing is applied to cytoscape, in one batch, and unchanged elements are
 * recognised by identity; nothing is ever replaced wholesale with `cy.json`.
 *
 * Positions: a new picture (the first draw, another session, "Re-layout") gets the full
 * deterministic layout (in a worker when it is large). After that an update never moves what is
 * drawn (position-memory.ts). What of the laid-out graph is drawn at the current zoom is
 * detail.ts's choice.
 *
 * (One class because it owns the one cytoscape instance: each public method is a verb of the
 * view, PodpathView; what the test hook reads off the drawing it inherits (view-readers.ts). The
 * work is done by the modules it calls: layout, detail, highlight, trace-overlay, viewport,
 * overview, export-image.)
 */
import type cytoscape from 'cytoscape';
import type { Severity } from '../../shared/doctor/types.ts';
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { installFastStyleCache } from './style-cache.ts';
import { levelOfDetail, smallGraph, unitExtent, unitHolding, type Detail } from './detail.ts';
import type { GraphElement, Grouping } from './element-types.ts';
import type { GraphElementIndex } from './element-index.ts';
import { followTopology, sameFilters } from './follow.ts';
import { exportGraphImage, type ExportedImage, type ImageFormat, type ImageScope } from './export-image.ts';
import { computeLayout, layoutBounds } from './layout.ts';
import type { Box, Point } from './geometry.ts';
import { canLayOutInWorker, layOutInWorker, workerLayoutThreshold } from './layout-async.ts';
import { freshPositions, PositionMemory } from './position-memory.ts';
import { OverviewFeed, type Overview } from './overview.ts';
import { centerReadably, fitMatches, fitTrace, fittedZoom, isFarZoom, showFirstView, showFold, zoomAboutMiddle } from './viewport.ts';
import { DrawingReaders } from './view-readers.ts';
import { applyElements } from './apply-elements.ts';
import { markMatches, markSelection, ringProblems } from './highlight.ts';
import { drawnBlockOf, drawnFoldOf } from './stand-in.ts';
import type { PathHop } from './trace-path.ts';
import { TraceOverlay } from './trace-overlay.ts';
import { hoverText, type HoverText } from './hover-text.ts';
import { graphStylesheet, type StyleOptions } from './stylesheet.ts';
import { legendSections } from './legend-spec.ts';
import { fallbackTheme, type GraphTheme } from './theme.ts';
import type { DrawnTopology, PodpathView } from './view-hook.ts';
import { deltasBetween } from '../state/cluster.ts';

/** How long the view must rest before what it shows is redrawn at its level of detail. */
const viewportRest = 120;

/** How long after a draw the minimap hears of it, at the most (OverviewFeed). */
const overviewDelay = 500;

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

export class GraphAdapter extends DrawingReaders implements PodpathView {
  private topology: Topology | null = null;
  private theme: GraphTheme = fallbackTheme;
  private styleOptions: StyleOptions = {};
  /** The elements drawn, as last applied (apply-elements.ts). */
  private drawn = new Map<string, GraphElement>();
  private selected: string | null = null;
  /** The element a search chose: marked until the selection moves elsewhere. */
  private found: string | null = null;
  /** What "Highlight all" marked (model ids), if anything. */
  private matched: ReadonlySet<string> | null = null;
  /** The subjects of the doctor's problems (model ids), each with its worst severity. */
  private problems: ReadonlyMap<string, Severity> = new Map();
  private hasGrowthRoom = false;
  private hasUserMovedViewport = false;
  /** Until the user moves the view, it is the picture's first view (`showFirstView`), kept on resize. */
  private isFirstView = false;
  /** Whether hosts and groups carry `is-far`, their large name-only labels. */
  private isFar = false;
  private overlapping: string[] = [];
  private readonly memory = new PositionMemory();
  /** The whole graph of the current topology, and where the layout put each of its leaves. */
  private index: GraphElementIndex | null = null;
  private filters: GraphFilters = noFilters;
  private layoutPositions = new Map<string, Point>();
  /** Folds the user opened; cleared with a new picture. */
  private expanded = new Set<string>();
  private isFolded = false;
  private lastDetail: Detail | null = null;
  private grouping: Grouping = 'node';
  /** The trace shown, if any. */
  private readonly trace: TraceOverlay;
  /** The layout a worker is computing, if any (see layOutInBackground). */
  private pendingLayout: { options: DrawOptions } | null = null;
  /** Told what the hovered element is, where on the canvas, and null when the pointer leaves it. */
  onDidHover: ((hover: (HoverText & { x: number; y: number }) | null) => void) | null = null;
  /** Told the numbers of the trace's hops at the hovered element, and null when there are none. */
  onDidHoverTraceHops: ((hops: number[] | null) => void) | null = null;
  /** Told how many elements are being laid out in the background, and null when done. */
  onDidChangeLayingOut: ((elements: number | null) => void) | null = null;
  private drawTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly overview: OverviewFeed;
  /** The benchmark's listeners (onDidDraw), and the topology they were last told of. */
  private drawListeners = new Set<(drawn: DrawnTopology) => void>();
  private toldTopology: Topology | null = null;

  constructor(cy: cytoscape.Core) {
    super(cy);
    installFastStyleCache(cy);
    this.trace = new TraceOverlay(cy);
    this.overview = new OverviewFeed(cy, overviewDelay);
    cy.on('dragpan scrollzoom pinchzoom', () => {
      this.hasUserMovedViewport = true;
    });
    cy.on('viewport', () => this.scheduleDraw());
    // Every element says what it is, and why it matters, on hover (hover-text.ts).
    cy.on('mouseover', 'node, edge', (event) => {
      const target = event.target as cytoscape.SingularElementArgument;
      const element = this.drawn.get(target.id());
      const text = element && this.topology ? hoverText(this.topology, element) : null;
      const at = event.renderedPosition ?? (target.isNode() ? target.renderedPosition() : target.renderedMidpoint());
      this.onDidHover?.(text ? { ...text, x: at.x, y: at.y } : null);
      // Its own edges that are drawn on demand (stylesheet.ts), not those of what is inside it.
      if (target.isNode()) cy.batch(() => target.connectedEdges('.on-demand').addClass('is-hover-related'));
    });
    cy.on('mouseout', 'node, edge', () => this.clearHover());
    cy.on('viewport', () => this.onDidHover?.(null));
    cy.on('zoom', () => this.markFar());
    cy.on('destroy', () => clearTimeout(this.drawTimer));
    // A traced element hovered: the trace panel marks its hops.
    cy.on('mouseover', 'node, edge', (event) => this.onDidHoverTraceHops?.(this.trace.hopsAt((event.target as cytoscape.SingularElementArgument).id(), this.drawn)));
    cy.on('mouseout', 'node, edge', () => this.onDidHoverTraceHops?.(null));
    // Leaving the canvas straight from an element gives cytoscape no mouseout to report.
    cy.container()?.addEventListener('mouseleave', () => this.onDidHoverTraceHops?.(null));
    // A trace's badges and arrows are sized for the zoom (highlight.ts).
    cy.on('zoom', () => {
      if (this.trace.isShown) cy.batch(() => this.trace.redraw());
    });
  }

  /** The pointer left what it hovered (or the canvas, which cytoscape does not report). */
  clearHover(): void {
    this.onDidHover?.(null);
    this.cy.batch(() => this.cy.edges('.is-hover-related').removeClass('is-hover-related'));
  }

  /** Whether some new element could only be placed overlapping others: a fresh layout would tidy it. */
  get needsTidying(): boolean {
    return this.overlapping.length > 0;
  }

  setTheme(theme: GraphTheme): void {
    this.theme = theme;
    this.cy.style(graphStylesheet(theme, this.styleOptions));
  }

  /** Draws every Service → endpoint edge, or (false) only the selected, hovered or traced ones. */
  setShowAllEndpoints(isShown: boolean): void {
    if (this.styleOptions.showAllEndpoints === isShown) return;
    this.styleOptions = { ...this.styleOptions, showAllEndpoints: isShown };
    this.cy.style(graphStylesheet(this.theme, this.styleOptions));
  }

  /** Lays the whole drawing out afresh and fits it (the user asked for it). */
  relayout(): void {
    if (this.topology) this.setTopology(this.topology, { relayout: true, refit: true });
  }

  setTopology(topology: Topology, options: DrawOptions = {}): void {
    const grouping = options.grouping ?? this.grouping;
    const filters = options.filters ?? this.filters;
    const isNewFilters = !sameFilters(filters, this.filters);
    if (topology === this.topology && grouping === this.grouping && sameFilters(filters, this.filters) && !options.relayout) return;
    this.topology = topology;
    if (options.hasGrowthRoom !== undefined) this.hasGrowthRoom = options.hasGrowthRoom;
    this.grouping = grouping;
    this.filters = filters;
    const { index, before, isShapeKept } = followTopology(this.index, topology, this.grouping, this.filters);
    this.index = index;
    const elements = index.list;
    const next = index.byId;
    const isFresh = options.relayout === true || this.layoutPositions.size === 0;
    // A worker is laying out the picture: it takes the latest topology when it is done, unless
    // this is another picture, which starts a layout of its own.
    if (this.pendingLayout && !(isFresh && options.refit)) return;
    const layoutOptions = { growthRoom: this.hasGrowthRoom };
    const saved = options.savedLayout ? new Map(Object.entries(options.savedLayout).filter(([id]) => next.has(id))) : null;
    if (isFresh && !options.computed && !(saved && saved.size > 0) && elements.length > workerLayoutThreshold && canLayOutInWorker()) {
      this.layOutInBackground(elements, options);
      return;
    }
    if (isFresh) {
      const placed = freshPositions(elements, { computed: options.computed, saved, ...layoutOptions });
      this.layoutPositions = placed.positions;
      this.overlapping = placed.overlapping;
      this.memory.clear();
      if (options.refit) this.expanded.clear();
    } else if (!isShapeKept) {
      const placed = this.memory.follow(elements, next, this.layoutPositions, before, layoutOptions);
      this.layoutPositions = placed.positions;
      // Overlaps are remembered until a fresh layout, unless what overlapped is gone.
      this.overlapping = [...this.overlapping.filter((id) => next.has(id)), ...placed.overlapping];
    }

    const fitting = isFresh && (options.refit === true || !this.hasUserMovedViewport);
    this.draw(fitting ? this.fittedView() : undefined);
    if (fitting) this.showFirstView();
    // Filters changed: the view fits what remains.
    else if (isNewFilters && this.cy.elements().length > 0) this.fit();
    if (this.drawListeners.size > 0) this.tellDrawn(topology);
  }

  onDidDraw(listener: (drawn: DrawnTopology) => void): () => void {
    if (this.drawListeners.size === 0) this.toldTopology = this.topology;
    this.drawListeners.add(listener);
    return () => this.drawListeners.delete(listener);
  }

  private tellDrawn(topology: Topology): void {
    // Every delta drawn, however many came since the last draw.
    const steps = this.toldTopology ? deltasBetween(this.toldTopology, topology, Infinity) : null;
    this.toldTopology = topology;
    const drawn = { topology, deltas: steps?.map((step) => step.delta) ?? null };
    for (const listener of this.drawListeners) listener(drawn);
  }

  /** A picture's first view (viewport.ts), which a resize keeps until the user moves the view. */
  private showFirstView(): void {
    this.hasUserMovedViewport = false;
    this.isFirstView = true;
    showFirstView(this.cy);
  }

  /** Hosts and group boxes say their names large when pod labels are too small to draw. */
  private markFar(): void {
    const isFar = isFarZoom(this.cy);
    if (isFar === this.isFar) return;
    this.isFar = isFar;
    this.cy.batch(() => this.cy.nodes('.host, .group').toggleClass('is-far', isFar));
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
    const positionOf = (id: string): Point | undefined => this.layoutPositions.get(id) ?? detail.foldPositions.get(id);

    cy.batch(() => {
      applyElements(cy, elements, this.drawn, positionOf);
      this.applyHighlight();
      this.trace.apply(this.drawn);
      this.applyMatches();
      this.applyProblems();
      if (this.isFar) cy.nodes('.host, .group').addClass('is-far');
    });
    cy.container()?.setAttribute('data-element-count', String(cy.elements().length));
    cy.container()?.setAttribute('data-folded', String(detail.isFolded));
    this.overview.drawn();
  }

  /**
   * Tells `onOverview` the drawing's top-level boxes after every draw, and `onView` whenever the
   * view moves (the minimap); returns a function that stops it.
   */
  onOverview(onOverview: (overview: Overview | null) => void, onView: () => void): () => void {
    return this.overview.listen(onOverview, onView);
  }

  /** The part of the drawing in view, in model coordinates. */
  visibleBox(): Box {
    const { x1, y1, x2, y2 } = this.cy.extent();
    return { x1, y1, x2, y2 };
  }

  /** Brings a model point to the middle of the view (a click on the minimap). */
  centerAt(point: Point): void {
    const cy = this.cy;
    cy.pan({ x: cy.width() / 2 - point.x * cy.zoom(), y: cy.height() / 2 - point.y * cy.zoom() });
    this.hasUserMovedViewport = true;
  }

  /** The view a fresh picture will have once fitted: the whole layout, at the zoom that fits it. */
  private fittedView(): { viewport: Box; zoom: number } | undefined {
    const cy = this.cy;
    if (!this.index || cy.width() <= 0) return undefined;
    const box = layoutBounds(this.index.list, this.layoutPositions);
    return box ? { viewport: box, zoom: fittedZoom(cy, box) } : undefined;
  }

  /** Redraws for the view once it has rested a moment (detail.ts decides what it shows). */
  private scheduleDraw(): void {
    if (!this.index || this.index.list.length <= smallGraph) return;
    clearTimeout(this.drawTimer);
    this.drawTimer = setTimeout(() => this.draw(), viewportRest);
  }

  /**
   * Opens a fold and keeps it open, and zooms to it so that what it held reads (viewport.ts
   * showFold): what a click on a folded box does.
   */
  openFold(unit: string): void {
    const box = this.index ? unitExtent(this.index.list, this.layoutPositions, unit) : null;
    this.expanded.add(unit);
    if (box) {
      showFold(this.cy, box, unit.startsWith('fold:block/'));
      this.hasUserMovedViewport = true;
    }
    this.draw();
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
    centerReadably(cy, ele);
    this.hasUserMovedViewport = true;
    this.found = id;
    cy.batch(() => this.applyHighlight());
    return true;
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
   * Draws a trace's path (trace-path.ts): its elements, and the edges that join two of them,
   * highlighted and the rest dimmed; over them the numbered steps and the arrows between them.
   * Null clears it. Whatever folds hold the path are opened, so every hop is drawn, and the path
   * is fitted in view.
   */
  setTrace(path: readonly PathHop[] | null): void {
    this.trace.set(path);
    if (this.trace.isShown) this.reveal(...this.trace.ids);
    this.cy.batch(() => this.trace.apply(this.drawn));
    const steps = this.trace.anchors();
    if (steps.nonempty()) {
      fitTrace(this.cy, steps);
      this.hasUserMovedViewport = true;
    }
  }

  /** Marks the step of a hop (hovered or chosen in the trace panel); null clears it. */
  highlightTraceHop(hop: number | null): void {
    this.cy.batch(() => this.trace.highlightHop(hop));
  }

  /** Fits the whole drawing in view; until the user pans or zooms again, it stays fitted. */
  fit(): void {
    this.hasUserMovedViewport = false;
    this.isFirstView = false;
    this.cy.fit(undefined, 24);
  }

  /**
   * Zooms by a factor (above 1 in, below 1 out) about the middle of the view, within the zoom
   * limits, like the mouse wheel does about the pointer. The view then stays where the user put it.
   */
  zoomBy(factor: number): void {
    if (!(factor > 0)) return;
    zoomAboutMiddle(this.cy, this.cy.zoom() * factor);
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
    if (this.hasUserMovedViewport || this.cy.elements().length === 0) return;
    if (this.isFirstView) this.showFirstView();
    else this.fit();
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
   * beside it: a PNG Blob, or the text of an SVG document, and the size it was drawn at.
   */
  exportImage(format: ImageFormat, scope: ImageScope): Promise<ExportedImage> {
    const theme = this.theme;
    return exportGraphImage(this.cy, format, scope, {
      background: theme.background,
      text: theme.text,
      border: theme.hostBorder,
      legend: legendSections(this.topology, theme),
    });
  }

  private applyHighlight(): void {
    // Selected but folded: the fold that holds it stands in for it.
    markSelection(this.cy, this.selected, this.found, (id) => this.foldOf(id));
  }

  /** The drawn fold that holds a folded element, if any. */
  private foldOf(id: string): string | null {
    return this.index ? drawnFoldOf(this.cy, this.index.list, this.layoutPositions, id) : null;
  }

  /**
   * Marks every element a search matched and dims the rest ("Highlight all"); a match that is
   * folded marks its fold. Null clears it. New marks are fitted in view; the same search marked
   * again for a live update leaves the view where it is.
   */
  markMatches(ids: readonly string[] | null): void {
    const isNew = this.matched === null;
    this.matched = ids && ids.length > 0 ? new Set(ids) : null;
    this.cy.batch(() => this.applyMatches());
    const marks = this.cy.elements('.is-match');
    if (!isNew || marks.empty()) return;
    fitMatches(this.cy, marks);
    this.hasUserMovedViewport = true;
  }

  private applyMatches(): void {
    markMatches(this.cy, this.matched, (id) => this.foldOf(id));
  }

  /**
   * Rings the subject of each problem, error or warning (`has-problem-error`, `-warning`); one
   * that is folded rings whatever fold stands for it, a block of nodes included, with the worst
   * severity of what it holds. Kept and applied again after every draw.
   */
  markProblems(byId: ReadonlyMap<string, Severity>): void {
    this.problems = byId;
    this.cy.batch(() => this.applyProblems());
  }

  private applyProblems(): void {
    const index = this.index;
    ringProblems(this.cy, this.problems, (id) => this.foldOf(id) ?? (index ? drawnBlockOf(this.cy, index.list, this.layoutPositions, id) : null));
  }
}
