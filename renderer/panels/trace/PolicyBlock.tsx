/**
 * The trace's NetworkPolicy verdicts: one line per direction (shared/policy/line.ts), each with
 * its policies behind a disclosure — for a denial, the rule of each isolating policy that came
 * closest — and "Try a fix", which writes the smallest policy change that allows the flow into
 * the What-if box, so the panel shows the verdict it would give.
 */
import { useMemo } from 'react';
import type { PolicyRecord, Topology } from '../../../shared/model/types.ts';
import type { DirectionVerdict } from '../../../shared/policy/types.ts';
import type { Branch, Trace } from '../../../shared/trace/types.ts';
import { editTrace, select } from '../../state/ui.ts';
import { fixText } from '../trace-request.ts';

const marks: Record<DirectionVerdict['verdict'], string> = { allowed: '✓', denied: '✕', 'not-isolated': '○', 'not-applicable': '–' };

function PolicyLink({ id }: { id: string }) {
  return (
    <button type="button" className="link" onClick={() => select(id)}>
      {id.replace(/^netpol:/, '')}
    </button>
  );
}

function Why({ verdict }: { verdict: DirectionVerdict }) {
  const count = verdict.isolatedBy.length;
  const policies = `${count} polic${count === 1 ? 'y' : 'ies'}`;
  if (verdict.verdict === 'denied') {
    return (
      <details className="trace-policy-why" data-testid="trace-policy-why">
        <summary>Closest rule of each of the {policies} isolating it</summary>
        <ul>
          {verdict.misses.map((miss) => (
            <li key={miss.policy}>
              <PolicyLink id={miss.policy} />: {miss.text}
            </li>
          ))}
        </ul>
      </details>
    );
  }
  return (
    <details className="trace-policy-why" data-testid="trace-policy-why">
      <summary>Isolated by {policies}</summary>
      <ul>
        {verdict.isolatedBy.map((id) => (
          <li key={id}>
            <PolicyLink id={id} />
          </li>
        ))}
      </ul>
    </details>
  );
}

/** `whatIf`: the what-if policies the trace used, which a fix is made on top of. */
export function PolicyBlock({ trace, branch, topology, whatIf }: { trace: Trace; branch: Branch | null; topology: Topology; whatIf: PolicyRecord[] }) {
  const policy = branch && trace.branches.length > 0 ? branch.policy : trace.policy;
  const fix = useMemo(() => fixText(topology, whatIf, policy), [topology, whatIf, policy]);
  const rows = [policy.egress, policy.ingress].filter((v): v is DirectionVerdict => v !== null);
  if (rows.length === 0) return null;
  return (
    <section className="trace-section" data-testid="trace-policy">
      <h3>NetworkPolicy</h3>
      <ul className="trace-policy-lines">
        {rows.map((v) => (
          <li key={v.direction} className={`trace-policy-line policy-${v.verdict}`} data-testid="trace-policy-line" data-verdict={v.verdict}>
            <span className="trace-policy-mark" aria-hidden="true">
              {marks[v.verdict]}
            </span>
            <div>
              <span data-testid="trace-policy-text">{v.line}</span>
              {/* Keyed by the verdict: a disclosure opened on a denial does not stay open on its fix. */}
              {v.isolatedBy.length > 0 && <Why key={v.verdict} verdict={v} />}
            </div>
          </li>
        ))}
      </ul>
      {fix && (
        <p className="trace-try-fix">
          <button type="button" className="button button-small" data-testid="trace-try-fix" onClick={() => editTrace({ whatIf: fix })}>
            Try a fix
          </button>{' '}
          <span className="muted">the smallest policy change that allows this flow, tried in the What-if box</span>
        </p>
      )}
    </section>
  );
}
