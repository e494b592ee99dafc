/**
 * The watch bench's page side (bench-watch.ts): scripts that run in the page, serialised by
 * Playwright, so they read nothing of this module but types. One notes when each delta reached
 * the page's socket; the other, after each draw, which pods it showed in a new state.
 */
import type { DrawnTopology, PodpathView } from '../renderer/graph/view-hook.ts';

/** Per draw: the frame after it (epoch ms), and the pods whose state it changed: `[id, state]`, state 1 ready, 0 not ready, -1 gone. */
interface DrawLog {
  at: number;
  pods: [string, number][];
  /** The sequence numbers of the deltas it drew. */
  seqs: number[];
}
export interface WatchRecorder {
  draws: DrawLog[];
  deltas: number;
  resyncs: number;
  /** Canvas clears in the graph: cytoscape clears each of its layers once per frame it paints. */
  clears: number;
}
export type RecorderWindow = Window & { __watch: WatchRecorder; podpathView?: PodpathView };

/** Runs in the page before its scripts: when each topology delta arrived (seq → epoch ms), to tell the backend's share from the page's. */
export function recordArrivals(): void {
  const arrivals: Record<number, number> = {};
  (window as unknown as { __arrivals: Record<number, number> }).__arrivals = arrivals;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener('message', (event: MessageEvent) => {
        const text = String(event.data);
        if (!text.includes('"didChangeTopology"')) return;
        const seq = /"seq":(\d+)/.exec(text)?.[1];
        if (seq) arrivals[Number(seq)] = performance.timeOrigin + performance.now();
      });
    }
  };
}

/** Runs in the page: notes, after each draw, which pods it showed in a new state. */
export function installRecorder(): void {
  const w = window as unknown as RecorderWindow;
  const recorder: WatchRecorder = { draws: [], deltas: 0, resyncs: 0, clears: 0 };
  w.__watch = recorder;
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (this: CanvasRenderingContext2D, ...args: Parameters<typeof clearRect>) {
    if (this.canvas.closest?.('[data-testid="graph"]')) recorder.clears++;
    return clearRect.apply(this, args);
  };
  const shown = new Map<string, number>();
  w.podpathView!.onDidDraw(({ topology, deltas }: DrawnTopology) => {
    const pods: [string, number][] = [];
    const note = (id: string, state: number) => {
      if (shown.get(id) === state) return;
      shown.set(id, state);
      pods.push([id, state]);
    };
    if (deltas) {
      recorder.deltas += deltas.length;
      for (const delta of deltas) {
        for (const record of [...delta.added, ...delta.updated]) if (record.kind === 'pod') note(record.id, record.isReady ? 1 : 0);
        for (const id of delta.removed) if (id.startsWith('pod:')) note(id, -1);
      }
    } else {
      recorder.resyncs++;
      for (const record of Object.values(topology.pods)) note(record.id, record.isReady ? 1 : 0);
      for (const id of shown.keys()) if (!(id in topology.pods)) note(id, -1);
    }
    // Cytoscape paints in its own frame loop, which runs ahead of this callback in the next frame.
    const seqs = deltas?.map((d) => d.seq) ?? [];
    requestAnimationFrame(() => recorder.draws.push({ at: performance.timeOrigin + performance.now(), pods, seqs }));
  });
}
