/**
 * The layout of a large graph, off the UI thread (issue 5: "computed in a Web Worker for large
 * graphs"). The same pure computeLayout as on the main thread; only node elements cross, as
 * columns of what the layout reads (layout-wire.ts), and the positions come back as one
 * transferred array: at 150k pods, copying 330,000 element objects each way took seconds.
 */
import { computeLayout, type LayoutOptions } from './layout.ts';
import { fromLayoutColumns, toPositionColumns, type LayoutColumns } from './layout-wire.ts';

export interface LayoutRequest {
  columns: LayoutColumns;
  options: LayoutOptions;
}

/** `xy`: each node's x and y in the order of the request's ids, NaN for a compound. */
export type LayoutReply = { xy: Float64Array } | { error: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutReply, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
scope.onmessage = (event) => {
  try {
    const { columns, options } = event.data;
    const xy = toPositionColumns(columns.ids, computeLayout(fromLayoutColumns(columns), options).positions);
    scope.postMessage({ xy }, [xy.buffer]);
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
