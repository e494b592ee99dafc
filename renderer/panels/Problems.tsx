/**
 * The Problems panel (issue 17): the network doctor's list (shared/doctor), computed by the app
 * from each topology so it follows live updates. The header's button counts the problems by
 * severity and opens it, a popover like the Filters panel; each problem names its subject and
 * cause, and opens onto its evidence and its fix (copyable). Choosing one selects its subject,
 * and the graph centres on it.
 */
import { useId } from 'react';
import { problemCounts } from '../../shared/doctor/format.ts';
import type { Problem, Severity } from '../../shared/doctor/types.ts';
import { CopyButton } from './details/CopyButton.tsx';
import { usePopover } from './popover.ts';
import { printable } from '../../shared/text/printable.ts';

export interface ProblemsProps {
  /** The doctor's problems, errors first. */
  problems: readonly Problem[];
  /** Selects a subject and centres the graph on it (what choosing a search result does). */
  onChoose(id: string): void;
}

/**
 * The subjects the graph rings (adapter.ts markProblems), each with its worst severity: errors
 * and warnings only, as info is a fact the graph already shows (a pod not ready is outlined).
 */
export function problemMarks(problems: readonly Problem[]): Map<string, Severity> {
  const byId = new Map<string, Severity>();
  for (const { subjectId, severity } of problems) {
    if (subjectId === null || severity === 'info' || byId.get(subjectId) === 'error') continue;
    byId.set(subjectId, severity);
  }
  return byId;
}

const marks: Record<Severity, string> = { error: '●', warning: '▲', info: 'ℹ' };
const nouns: Record<Severity, [string, string]> = { error: ['error', 'errors'], warning: ['warning', 'warnings'], info: ['info', 'info'] };
const severities: Severity[] = ['error', 'warning', 'info'];

export function Problems({ problems, onChoose }: ProblemsProps) {
  const { isOpen, setOpen, root, button } = usePopover();
  const panelId = useId();
  const counts = problemCounts(problems);
  const shown = severities.filter((s) => counts[s] > 0);


  return (
    <div className="problems" ref={root}>
      <button
        ref={button}
        type="button"
        className="button problems-button"
        data-testid="problems"
        aria-haspopup="dialog"
        aria-expanded={isOpen}
        aria-controls={isOpen ? panelId : undefined}
        onClick={() => setOpen((open) => !open)}
        title="Network problems the doctor finds: Services without ready pods, ports that do not line up, policies that block DNS…"
      >
        {shown.length === 0
          ? 'No problems'
          : shown.map((s) => (
              <span key={s} className={`problems-count severity-${s}`} data-severity={s}>
                <span aria-hidden="true">{marks[s]}</span> {counts[s]} {nouns[s][counts[s] === 1 ? 0 : 1]}
              </span>
            ))}
      </button>
      {isOpen && (
        <div className="problems-panel" id={panelId} role="dialog" aria-label="Problems" data-testid="problems-panel">
          {problems.length === 0 ? (
            <p className="muted problems-none">The doctor finds no network problem in this picture.</p>
          ) : (
            <ul className="problems-list">
              {problems.map((problem, i) => (
                <ProblemItem
                  key={`${problem.kind}|${problem.subject}|${i}`}
                  problem={problem}
                  onChoose={(id) => {
                    // The subject is centred where the panel would cover it: the panel steps aside.
                    setOpen(false);
                    onChoose(id);
                  }}
                />
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function ProblemItem({ problem, onChoose }: { problem: Problem; onChoose(id: string): void }) {
  const { subjectId } = problem;
  return (
    <li className={`problem severity-${problem.severity}`} data-testid="problem" data-kind={problem.kind} data-subject-id={subjectId ?? undefined}>
      <button
        type="button"
        className="problem-head"
        disabled={subjectId === null}
        onClick={() => subjectId !== null && onChoose(subjectId)}
        title={subjectId === null ? `${problem.subject} is not in the cluster` : `Select ${problem.subject} and show it on the graph`}
      >
        <span className="problem-severity" role="img" aria-label={problem.severity}>
          {marks[problem.severity]}
        </span>
        <span className="problem-subject">{problem.subject}</span>
        <span className="problem-message">{printable(problem.message)}</span>
      </button>
      {(problem.why.length > 0 || problem.fix !== null) && (
        <details className="problem-more">
          <summary>Why{problem.fix !== null ? ', and the fix' : ''}</summary>
          {problem.why.length > 0 && (
            <ul className="problem-why">
              {problem.why.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
          )}
          {problem.fix !== null && (
            <div className="problem-fix">
              <span className="problem-fix-label">fix</span>
              <pre>{problem.fix}</pre>
              <CopyButton text={problem.fix} label="Copy the fix" />
            </div>
          )}
        </details>
      )}
    </li>
  );
}
