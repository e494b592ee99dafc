/**
 * `window.podpathView`: a hook for end-to-end tests, headless export and benchmarks, harmless in
 * production: it reads the drawing and moves the view only as a user could. It tells a test
 * where an element is on screen so that it can click the canvas like a user, draws images of the
 * graph, and lets `npm run bench` pan and zoom the view.
 */
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
  /** The element's box on screen (client coordinates, label excluded), or null if it is not drawn. */
  renderedBox(id: string): { x1: number; y1: number; x2: number; y2: number } | null;
  /**
   * An image of the view or of the whole graph, legend included: a PNG Blob or SVG text. Used by
   * `podpath export` (headless Chromium) and the end-to-end tests.
   */
  exportImage(format: 'png' | 'svg', scope: 'view' | 'full'): Promise<Blob | string>;
  /** The current zoom level and pan (cytoscape's), for benchmarks; null before the first draw. */
  viewport(): { zoom: number; pan: { x: number; y: number } } | null;
  /**
   * Moves the view by rendered pixels, as dragging the background does; for benchmarks that
   * time frames while panning (`npm run bench`). Changes nothing but what is in view.
   */
  panBy(dx: number, dy: number): void;
  /** Zooms about the middle of the view, as the zoom shortcuts do; for the same benchmarks. */
  zoomBy(factor: number): void;
}
