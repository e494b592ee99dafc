/**
 * The doctor's problems as text a user reads in a terminal (`podpath doctor`): one line per
 * problem, its evidence and fix indented under it, and a count by severity at the end; and the
 * counts the app's header shows.
 */
import { printable } from '../text/printable.ts';
import type { Problem, Severity } from './types.ts';

export type ProblemCounts = Record<Severity, number>;

export function problemCounts(problems: readonly Problem[]): ProblemCounts {
  const counts: ProblemCounts = { error: 0, warning: 0, info: 0 };
  for (const problem of problems) counts[problem.severity]++;
  return counts;
}

/** "2 errors, 1 warning, 3 info". */
export function countsText(counts: ProblemCounts): string {
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info`;
}

/** `text` under `first`, its later lines (a fix may be a YAML edit) aligned under its first. */
function indented(first: string, text: string): string[] {
  return text.split(/\r?\n/).map((line, i) => `${i === 0 ? first : ' '.repeat(first.length)}${printable(line)}`);
}

/**
 * `ERROR service/shop/cart: selector app=cart matches no pod; …`, the evidence and the fix
 * indented under it, in the order given (`diagnose`'s: errors first), then the counts.
 */
export function formatProblems(problems: readonly Problem[]): string {
  const out: string[] = [];
  for (const problem of problems) {
    out.push(`${problem.severity.toUpperCase()} ${printable(problem.subject)}: ${printable(problem.message)}`);
    for (const line of problem.why) out.push(...indented('    ', line));
    if (problem.fix !== null) out.push(...indented('    fix: ', problem.fix));
  }
  if (problems.length === 0) out.push('No network problems found.');
  else out.push('', countsText(problemCounts(problems)));
  return `${out.join('\n')}\n`;
}
