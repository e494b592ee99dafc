/**
 * `window.podpathView`: a read-only hook for end-to-end tests and headless export, harmless in
 * production. It tells a test where an element is on screen so that it can click the canvas like
 * a user, and draws images of the graph.
 */
export interface PodpathView {
  /**
   * Where to click to hit the element, in client (page) coordinates, or null if it is not drawn.
   * For a leaf node or an edge this is its centre (an edge's midpoint); for a compound node
   * (a host, a pod with containers) it is the centre if no child covers it, else a point in
   * the box's own padding, so that the click lands on the compound and not on a child.
   */
  renderedCenter(id: string): { x: number; y: number } | null;
  /**
   * An image of the view or of the whole graph, legend included: a PNG Blob or SVG text. Used by
   * `podpath export` (headless Chromium) and the end-to-end tests.
   */
  exportImage(format: 'png' | 'svg', scope: 'view' | 'full'): Promise<Blob | string>;
}
