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
 * (One class of ~400 lines because it owns the one cytoscape instance: each public method is a
 * verb of the view, PodpathView; the work is done by the modules it calls.)
 */
import type cytoscape from 'cytoscape';
import { noFilters, type GraphFilters } from '../../shared/filter.ts';
import type { Topology } from '../../shared/model/types.ts';
import { foldIdsOf, levelOfDetail, smallGraph, unitHolding, type Detail } from './detail.ts';
import type { GraphElement, Grouping } from './element-types.ts';
import type { GraphElementIndex } from './element-index.ts';
import { followTopology, sameFilters } from './follow.ts';
import { exportGraphImage, type ImageFormat, type ImageScope } from './export-image.ts';
import { computeLayout, layoutBounds } from './layout.ts';
import type { Box, Point } from './geometry.ts';
import { canLayOutInWorker, layOutInWorker, workerLayoutThreshold } from './layout-async.ts';
import { freshPositions, PositionMemory } from './position-memory.ts';
import { renderedBox, renderedCenter } from './hit-test.ts';
import { applyElements } from './apply-elements.ts';
import { markSelection, markTrace } from './highlight.ts';
import { hoverText, type HoverText } from './hover-text.ts';
import { graphStylesheet } from './stylesheet.ts';
import { legendSections } from './legend-spec.ts';
import { fallbackTheme, type GraphTheme } from './theme.ts';
import type { PodpathView } from './view-hook.ts';

/** The furthest zoom out, unless the drawing needs further to fit. */
const defaultMinZoom = 0.05;

/** How long the view must rest before what it shows is redrawn at its level of detail. */
const viewportRest = 120;


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
  /** The elements drawn, as last applied (apply-elements.ts). */
  private drawn = new Map<string, GraphElement>();
  private selected: string | null = null;
  /** The element a search chose: marked until the selection moves elsewhere. */
  private found: string | null = null;
  private hasGrowthRoom = false;
  private hasUserMovedViewport = false;
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
  /** The model ids of the trace shown, if any. */
  private traced: Set<string> | null = null;
  /** The layout a worker is computing, if any (see layOutInBackground). */
  private pendingLayout: { options: DrawOptions } | null = null;
  /** Told what the hovered element is, where on the canvas, and null when the pointer leaves it. */
  onDidHover: ((hover: (HoverText & { x: number; y: number }) | null) => void) | null = null;
  /** Told how many elements are being laid out in the background, and null when done. */
  onDidChangeLayingOut: ((elements: number | null) => void) | null = null;
  private drawTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(cy: cytoscape.Core) {
    this.cy = cy;
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
    });
    cy.on('mouseout', 'node, edge', () => this.onDidHover?.(null));
    cy.on('viewport', () => this.onDidHover?.(null));
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
    if (fitting) {
      this.hasUserMovedViewport = false;
      if (this.cy.elements().length > 0) this.fit();
    }
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
      this.applyTrace();
    });
    cy.container()?.setAttribute('data-element-count', String(cy.elements().length));
    cy.container()?.setAttribute('data-folded', String(detail.isFolded));
  }

  /** The view a fresh picture will have once fitted: the whole layout, at the zoom that fits it. */
  private fittedView(): { viewport: Box; zoom: number } | undefined {
    const cy = this.cy;
    if (!this.index || cy.width() <= 0) return undefined;
    const box = layoutBounds(this.index.list, this.layoutPositions);
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
    markTrace(this.cy, this.traced);
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
    return renderedBox(this.cy, id);
  }

  renderedCenter(id: string): { x: number; y: number } | null {
    return renderedCenter(this.cy, id);
  }

  private applyHighlight(): void {
    const index = this.index;
    // Selected but folded: the fold that holds it stands in for it.
    const foldOf = (id: string): string | null => {
      const unit = index ? unitHolding(index.list, this.layoutPositions, id) : null;
      return unit ? (foldIdsOf(unit).find((fold) => this.cy.getElementById(fold).nonempty()) ?? null) : null;
    };
    markSelection(this.cy, this.selected, this.found, foldOf);
  }
}
