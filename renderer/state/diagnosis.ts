/**
 * The doctor's answer for the topology shown (shared/doctor), following live updates — but not
 * inside the draw an update waits on. A diagnosis reads the whole model: about 25 ms at 1k pods
 * and 200 ms at 10k on this page's one thread, which at 100 events/s would hold every frame back
 * (issue 14). So it runs in a task of its own after the update is drawn, at most once every
 * `spacingMs`, on the newest topology; the first one runs at once.
 */
import { useEffect, useRef, useState } from 'react';
import { diagnose } from '../../shared/doctor/doctor.ts';
import type { Problem } from '../../shared/doctor/types.ts';
import type { Topology } from '../../shared/model/types.ts';

const noProblems: Problem[] = [];

export function useDiagnosis(topology: Topology | null, spacingMs = 1_000): Problem[] {
  const [problems, setProblems] = useState<Problem[]>(noProblems);
  const latest = useRef(topology);
  latest.current = topology;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastRun = useRef(-Infinity);

  useEffect(() => {
    // A run already waiting reads the newest topology when it comes.
    if (timer.current !== undefined) return;
    timer.current = setTimeout(
      () => {
        timer.current = undefined;
        lastRun.current = performance.now();
        const shown = latest.current;
        setProblems(shown ? diagnose(shown) : noProblems);
      },
      Math.max(0, lastRun.current + spacingMs - performance.now()),
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
