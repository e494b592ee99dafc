/**
 * When the page shows what deltas made (issue 14). A delta's message event runs on the page's
 * main thread, and so does drawing: on a large graph a draw takes hundreds of milliseconds, and
 * if the next frame drew as soon as one more delta came in, the socket's messages would wait
 * behind draw after draw and fall further behind all run long (measured at 1k pods: seconds
 * between the server's send and the page's message event, growing). So after a slow draw the
 * page waits as long as that draw took before the next one, leaving half its time to take in
 * messages; the next draw then shows all of them at once. A fast draw is followed at once.
 */
export interface PaceClock {
  requestFrame(callback: () => void): void;
  setTimer(callback: () => void, ms: number): void;
  now(): number;
}

/** A draw quicker than this (frame wait included) needs no pause after it. */
const slowDrawMs = 50;

const browserClock: PaceClock = {
  requestFrame: (callback) => void requestAnimationFrame(() => callback()),
  setTimer: (callback, ms) => void setTimeout(callback, ms),
  now: () => performance.now(),
};

/** A `scheduleShow` for createClusterStore: one show at a time, paced by the cost of the last. */
export function pacedShows(clock: PaceClock = browserClock): (show: () => void) => void {
  let readyAt = 0;
  let isMeasuring = false;
  let waiting: (() => void) | null = null;

  function showInFrame(show: () => void): void {
    clock.requestFrame(() => {
      const start = clock.now();
      isMeasuring = true;
      show();
      // The graph draws in a frame of its own after the store's update: the cost is read after
      // the next frame's work, in a task of its own.
      clock.requestFrame(() =>
        clock.setTimer(() => {
          const end = clock.now();
          readyAt = end - start > slowDrawMs ? end + (end - start) : 0;
          isMeasuring = false;
          const next = waiting;
          waiting = null;
          if (next) schedule(next);
        }, 0),
      );
    });
  }

  function schedule(show: () => void): void {
    if (isMeasuring) {
      waiting = show;
      return;
    }
    const wait = readyAt - clock.now();
    if (wait > 0) clock.setTimer(() => showInFrame(show), wait);
    else showInFrame(show);
  }

  return schedule;
}
