/**
 * computeLayout in a Web Worker when there is one (the page), else on this thread (tests under
 * Node). Each call gets a worker of its own, ended when it answers: a layout is rare, and a
 * stale one is simply dropped by the caller.
 */
import type { GraphElement } from './element-types.ts';
import { computeLayout, type LayoutOptions } from './layout.ts';
import type { Point } from './geometry.ts';
import type { LayoutReply, LayoutRequest } from './layout-worker.ts';
import { fromPositionColumns, toLayoutColumns } from './layout-wire.ts';

/** Above this many elements a fresh layout runs in a worker (a 10k-pod cluster has ~42,000). */
export const workerLayoutThreshold = 15_000;

export function canLayOutInWorker(): boolean {
  return typeof Worker === 'function';
}

export function layOutInWorker(elements: readonly GraphElement[], options: LayoutOptions): Promise<Map<string, Point>> {
  if (!canLayOutInWorker()) return Promise.resolve(new Map(Object.entries(computeLayout(elements, options).positions)));
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module', name: 'podpath-layout' });
    const columns = toLayoutColumns(elements);
    worker.onmessage = (event: MessageEvent<LayoutReply>) => {
      worker.terminate();
      if ('error' in event.data) reject(new Error(`The layout failed: ${event.data.error}`));
      else resolve(fromPositionColumns(columns.ids, event.data.xy));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`The layout worker failed: ${event.message || 'it could not start'}`));
    };
    const request: LayoutRequest = { columns, options };
    worker.postMessage(request, [columns.parents.buffer, columns.sizes.buffer]);
  });
}
