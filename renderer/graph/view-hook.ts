/**
 * `window.podpathView`: a hook for end-to-end tests, headless export and benchmarks, harmless in
 * production: it reads the drawing and moves the view only as a user could. It tells a test
 * where an element is on screen so that it can click the canvas like a user, draws images of the
 * graph, and lets `npm run bench` pan and zoom the view.
 */
import type { TopologyDelta } from '../../shared/model/delta.ts';
import type { Topology } from '../../shared/model/types.ts';
import type { ExportedImage } from './export-image.ts';

export interface PodpathView {
  /**
   * Where to click to hit the element, in client (page) coordinates, or null if it is not drawn.
   * For a leaf node or an edge this is its centre (an edge's midpoint); for a compound node
   * (a host, a pod with containers) it is the centre if no child covers it, else a point in
   * the box's own padding, so that the click lands on the compound and not on a child.
   */
  renderedCenter(id: string): { x: number; y: number } | null;
  /** Ids of the elements drawn as part of the trace shown (highlighted), sorted. */
  tracedIds(): string[];
  /** Ids of the elements marked as a search's matches ("Highlight all"), sorted. */
  markedIds(): string[];
  /** The elements ringed for a problem the doctor found (their own, or a fold standing for them), by id, with the ring's severity. */
  problemIds(): { id: string; severity: 'error' | 'warning' }[];
  /** The numbered steps of the trace shown as drawn over the graph, in order (none without a trace). */
  traceSteps(): DrawnTraceStep[];
  /** Where a node is in the drawing (model coordinates, which no pan or zoom changes), or null
   * if it is not drawn: "nothing moved" is said of these. */
  modelPosition(id: string): { x: number; y: number } | null;
  /** Whether the element is drawn and shown (an edge drawn on demand is hidden until asked for). */
  isShown(id: string): boolean;
  /** The element's box on screen (client coordinates, label excluded), or null if it is not drawn. */
  renderedBox(id: string): { x1: number; y1: number; x2: number; y2: number } | null;
  /**
   * An image of the view or of the whole graph, legend included: a PNG Blob or SVG text, with
   * its size and scale (export-image.ts). Used by `podpath export` (headless Chromium) and the
   * end-to-end tests.
   */
  exportImage(format: 'png' | 'svg', scope: 'view' | 'full'): Promise<ExportedImage>;
  /** The current zoom level and pan (cytoscape's), for benchmarks; null before the first draw. */
  viewport(): { zoom: number; pan: { x: number; y: number } } | null;
  /**
   * Moves the view by rendered pixels, as dragging the background does; for benchmarks that
   * time frames while panning (`npm run bench`). Changes nothing but what is in view.
   */
  panBy(dx: number, dy: number): void;
  /** Zooms about the middle of the view, as the zoom shortcuts do; for the same benchmarks. */
  zoomBy(factor: number): void;
  /** The size of the element's label on screen (its font size times the zoom), or null if it is not drawn. */
  renderedFontSize(id: string): number | null;
  /** The element's label as drawn and its font style (`italic` for an inferred name, `normal`
   * for an observed one), or null if it is not drawn. */
  drawnLabel(id: string): { text: string; fontStyle: string } | null;
  /**
   * For the watch-to-pixels benchmark (`npm run bench`): tells `listener`, right after each
   * topology is drawn (applied to cytoscape, which paints it in the next animation frame), that
   * topology and the deltas that made it from the one drawn before, oldest first — null when it
   * was not made from it (a resync, another picture). Returns a function that stops it. Unheard,
   * it costs one check per draw.
   */
  onDidDraw(listener: (drawn: DrawnTopology) => void): () => void;
}

/** What `onDidDraw` tells. */
export interface DrawnTopology {
  topology: Topology;
  deltas: TopologyDelta[] | null;
}

/** One step of a trace's path as the canvas draws it: its badge, and the arrow into it. */
export interface DrawnTraceStep {
  /** The hop numbers of the trace panel's list taken at this step. */
  hops: number[];
  /** The badge's text: "3", "6–8", "3–4 ✕". */
  label: string;
  /** The graph element the badge is at. */
  anchor: string;
  style: 'data' | 'dns' | 'denied';
  /** The arrow from the step before (null for the first), dashed for the DNS lookup. */
  arrow: { from: string; to: string; style: 'data' | 'dns' } | null;
  /** Marked as the hop hovered or chosen in the trace panel's list. */
  isActive: boolean;
}
