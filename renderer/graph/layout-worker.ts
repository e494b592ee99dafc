/**
 * The layout of a large graph, off the UI thread (issue 5: "computed in a Web Worker for large
 * graphs"). The same pure computeLayout as on the main thread; only node elements cross, trimmed
 * to what the layout reads.
 */
import type { GraphElement } from './element-types.ts';
import { computeLayout, type LayoutOptions } from './layout.ts';
import type { Point } from './geometry.ts';

export interface LayoutRequest {
  elements: GraphElement[];
  options: LayoutOptions;
}

export type LayoutReply = { positions: Record<string, Point> } | { error: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutReply): void;
}

const scope = self as unknown as WorkerScope;
scope.onmessage = (event) => {
  try {
    scope.postMessage({ positions: computeLayout(event.data.elements, event.data.options).positions });
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
