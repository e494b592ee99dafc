/** The trace's NetworkPolicy verdicts: for a denial, the policies that isolate the pod and why none allowed it. */
import type { DirectionVerdict } from '../../../shared/policy/types.ts';
import type { Branch, Trace } from '../../../shared/trace/types.ts';
import { select } from '../../state/ui.ts';

/** The NetworkPolicy verdicts, and for a denial the policies that isolate the pod and why none allowed it. */
export function PolicyBlock({ trace, branch }: { trace: Trace; branch: Branch | null }) {
  const policy = branch && trace.branches.length > 0 ? branch.policy : trace.policy;
  const rows = [policy.egress, policy.ingress].filter((v): v is DirectionVerdict => v !== null);
  if (rows.length === 0) return null;
  return (
    <section className="trace-section" data-testid="trace-policy">
      <h3>NetworkPolicy</h3>
      <ul className="trace-policy">
        {rows.map((v) => (
          <li key={v.direction} className={`policy-${v.verdict}`}>
            <strong>{v.direction}</strong> {v.verdict}: {v.reason}
            {v.isolatedBy.length > 0 && (
              <div>
                {v.verdict === 'denied' ? 'Change one of: ' : 'Isolated by: '}
                {v.isolatedBy.map((id, i) => (
                  <span key={id}>
                    {i > 0 && ', '}
                    <button type="button" className="link" onClick={() => select(id)}>
                      {id.replace(/^netpol:/, '')}
                    </button>
                  </span>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

