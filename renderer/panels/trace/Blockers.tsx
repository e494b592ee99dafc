/**
 * What blocks the traced flow, every blocker in path order (issue 17): one line each with its
 * fix and a link to its subject; a NetworkPolicy blocker in its direction's own line, with the
 * policies behind it, so it is said once in the panel. "Try a fix" writes the smallest policy
 * change that allows every denied direction, the lookup's included, into the What-if box, so the
 * panel shows the verdict it would give.
 */
import { useMemo } from 'react';
import type { Topology } from '../../../shared/model/types.ts';
import { policyDenials } from '../../../shared/trace/blockers.ts';
import { endpointTextFor } from '../../../shared/trace/end-text.ts';
import type { Blocker, BlockerKind } from '../../../shared/trace/types.ts';
import { editTrace, select } from '../../state/ui.ts';
import { fixText, type WhatIf } from '../trace-request.ts';
import { PolicyLine } from './PolicyBlock.tsx';
import { printable } from '../../../shared/text/printable.ts';

/** Where a blocker is, when its line does not say: the lookup's come before the connection. */
const tags: Partial<Record<BlockerKind, string>> = { 'dns-policy': 'DNS', 'dns-failed': 'DNS' };

/** The fix, and the object the blocker is about. */
function Foot({ blocker, topology }: { blocker: Blocker; topology: Topology }) {
  const subject = blocker.subject;
  return (
    <div className="trace-blocker-foot">
      {blocker.fix && (
        <span className="trace-blocker-fix" data-testid="trace-blocker-fix">
          fix: {blocker.fix}
        </span>
      )}
      {subject && (
        <>
          {' '}
          <button type="button" className="link" data-testid="trace-blocker-subject" title={`Select ${subject} on the graph`} onClick={() => select(subject)}>
            {endpointTextFor(topology, subject) ?? subject.slice(subject.indexOf(':') + 1)}
          </button>
        </>
      )}
    </div>
  );
}

/** `whatIf`: the what-if policies of every layer the trace used, which a fix is made on top of. */
export function Blockers({ blockers, topology, whatIf }: { blockers: readonly Blocker[]; topology: Topology; whatIf: WhatIf }) {
  const denials = useMemo(() => policyDenials(blockers), [blockers]);
  const fix = useMemo(() => (denials.length > 0 ? fixText(topology, whatIf.policies, denials, whatIf) : null), [topology, whatIf, denials]);
  if (blockers.length === 0) return null;
  return (
    <section className="trace-section trace-blockers" data-testid="trace-blockers">
      <h3>{blockers.length === 1 ? 'Blocked by' : `Blocked by ${blockers.length} things, in path order`}</h3>
      <ol className="trace-policy-lines">
        {blockers.map((b, i) => {
          const tag = tags[b.kind];
          return b.denial ? (
            <PolicyLine key={i} verdict={b.denial} {...(tag ? { tag } : {})} blocker={b.kind}>
              <Foot blocker={b} topology={topology} />
            </PolicyLine>
          ) : (
            <li key={i} className="trace-policy-line policy-denied" data-blocker={b.kind}>
              <span className="trace-policy-mark" aria-hidden="true">
                ✕
              </span>
              <div>
                {tag && <span className="trace-blocker-tag">{tag}</span>}
                <span data-testid="trace-blocker-text">{printable(b.line)}</span>
                <Foot blocker={b} topology={topology} />
              </div>
            </li>
          );
        })}
      </ol>
      {fix && (
        <p className="trace-try-fix">
          <button type="button" className="button button-small" data-testid="trace-try-fix" onClick={() => editTrace({ whatIf: fix })}>
            Try a fix
          </button>{' '}
          <span className="muted">
            {denials.length === 1 ? 'the smallest policy change that allows this flow' : `the smallest policy change that clears all ${denials.length} policy blockers`}, tried in the What-if box
          </span>
        </p>
      )}
    </section>
  );
}
