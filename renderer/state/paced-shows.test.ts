import { describe, expect, test } from 'vitest';
import { pacedShows, type PaceClock } from './paced-shows.ts';

/** A clock the test moves by hand: frames and timers run only when it says so. */
function manualClock() {
  let time = 0;
  let frames: (() => void)[] = [];
  let timers: { at: number; callback: () => void }[] = [];
  const clock: PaceClock = {
    requestFrame: (callback) => void frames.push(callback),
    setTimer: (callback, ms) => void timers.push({ at: time + ms, callback }),
    now: () => time,
  };
  return {
    clock,
    /** Runs the frames asked for so far, each taking `ms` of the main thread. */
    frame(ms = 0) {
      const due = frames;
      frames = [];
      for (const callback of due) {
        callback();
        time += ms;
      }
    },
    /** Moves time on to `at`, running the timers due by then. */
    advance(to: number) {
      time = Math.max(time, to);
      const due = timers.filter((t) => t.at <= time);
      timers = timers.filter((t) => t.at > time);
      for (const timer of due) timer.callback();
    },
    get time() {
      return time;
    },
    get pendingFrames() {
      return frames.length;
    },
  };
}

describe('pacedShows', () => {
  test('a fast draw is followed by the next show in the next frame', () => {
    const c = manualClock();
    const schedule = pacedShows(c.clock);
    const shown: number[] = [];
    schedule(() => shown.push(1));
    c.frame(5); // the show
    c.frame(5); // the graph's own frame
    c.advance(c.time); // the measuring task: 10 ms, fast
    schedule(() => shown.push(2));
    expect(c.pendingFrames).toBe(1);
    c.frame();
    expect(shown).toEqual([1, 2]);
  });

  test('after a slow draw the next show waits as long as the draw took', () => {
    const c = manualClock();
    const schedule = pacedShows(c.clock);
    const shown: number[] = [];
    schedule(() => shown.push(1));
    c.frame(300);
    // A delta comes in while the draw is being measured: it waits for the measure.
    schedule(() => shown.push(2));
    c.frame(100);
    c.advance(c.time); // measured 400 ms at t=400: nothing before t=800
    expect(c.pendingFrames).toBe(0);
    c.advance(799);
    expect(c.pendingFrames).toBe(0);
    c.advance(800);
    expect(c.pendingFrames).toBe(1);
    c.frame();
    expect(shown).toEqual([1, 2]);
  });
});
