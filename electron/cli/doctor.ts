/**
 * `podpath doctor`: the network problems of a cluster, a snapshot or the demo (shared/doctor), as
 * text or JSON; exit status 1 when one is an error, so that it can gate CI.
 */
import { diagnose } from '../../shared/doctor/doctor.ts';
import { formatProblems, problemCounts } from '../../shared/doctor/format.ts';
import { ExitError, print, type KubeOptions } from './common.ts';
import { readTopology } from './live.ts';

export interface DoctorOptions extends KubeOptions {
  snapshot?: string;
  demo?: boolean;
  json?: boolean;
}

export async function doctorCommand(options: DoctorOptions): Promise<void> {
  let problems;
  try {
    problems = diagnose(await readTopology(options, 'the doctor cannot see them'));
  } catch (error) {
    // Nothing was diagnosed: 2, so that a CI gate does not read it as "problems found" (1).
    throw new ExitError(error instanceof Error ? error.message : String(error), 2, { cause: error });
  }
  const counts = problemCounts(problems);
  // JSON.stringify escapes control characters: only the text needs them made printable.
  await print(options.json ? `${JSON.stringify({ problems, counts }, null, 2)}\n` : formatProblems(problems));
  process.exitCode = counts.error > 0 ? 1 : 0;
}
