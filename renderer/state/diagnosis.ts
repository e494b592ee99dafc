/**
 * The doctor's answer for the topology shown (shared/doctor), following live updates — but not
 * inside the draw an update waits on. A diagnosis reads the whole model: about 25 ms at 1k pods
 * and 200 ms at 10k on this page's one thread, which at 100 events/s would hold every frame back
 * (issue 14). So it runs in a task of its own after the update is drawn, on the newest topology,
 * at most once every `spacingMs` and never more than a tenth of the time: after a 250 ms
 * diagnosis the next waits 2.5 s. The first one runs at once.
 */
import { useEffect, useRef, useState } from 'react';
import { diagnose } from '../../shared/doctor/doctor.ts';
import type { Problem } from '../../shared/doctor/types.ts';
import type { Topology } from '../../shared/model/types.ts';

const noProblems: Problem[] = [];
/** A diagnosis is followed by at least this many times its own duration of other work. */
const restFactor = 10;

export function useDiagnosis(topology: Topology | null, spacingMs = 1_000): Problem[] {
  const [problems, setProblems] = useState<Problem[]>(noProblems);
  const latest = useRef(topology);
  latest.current = topology;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** When the last diagnosis may be followed by the next. */
  const nextRun = useRef(-Infinity);

  useEffect(() => {
    // A run already waiting reads the newest topology when it comes.
    if (timer.current !== undefined) return;
    timer.current = setTimeout(
      () => {
        timer.current = undefined;
        const started = performance.now();
        const shown = latest.current;
        setProblems(shown ? diagnose(shown) : noProblems);
        const ended = performance.now();
        nextRun.current = ended + Math.max(spacingMs - (ended - started), (ended - started) * restFactor);
      },
      Math.max(0, nextRun.current - performance.now()),
    );
  }, [topology, spacingMs]);

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      timer.current = undefined;
    },
    [],
  );
  return problems;
}
