/**
 * The trace's NetworkPolicy verdicts: one line per direction (shared/policy/line.ts), each with
 * its policies behind a disclosure — for a denial, the rule of each isolating policy that came
 * closest. A denied direction is a blocker, and reads in the blocker list (Blockers.tsx, with
 * "Try a fix"); the others read here. Where an admin policy decided (or passed the flow on), the
 * rule is named under the line, with its tier; where a Calico or Cilium rule did (or a Calico
 * tier's end, Cilium's default deny), that rule, with its tier and order.
 */
import type { ReactNode } from 'react';
import type { AdminRuleRef, CniRuleRef, DirectionVerdict } from '../../../shared/policy/types.ts';
import type { Blocker, BlockerKind, Branch, Trace } from '../../../shared/trace/types.ts';
import { select } from '../../state/ui.ts';

const marks: Record<DirectionVerdict['verdict'], string> = { allowed: '✓', denied: '✕', 'not-isolated': '○', 'not-applicable': '–', unknown: '?' };

function PolicyLink({ id, label }: { id: string; label?: string }) {
  return (
    <button type="button" className="link" onClick={() => select(id)}>
      {label ?? id.replace(/^(netpol|anp|banp|cnp):/, '')}
    </button>
  );
}

/** An admin rule as the trace names it: the policy (a link), the rule, its priority (the tier is
 * said by the sentence it is in). */
function AdminRule({ rule }: { rule: AdminRuleRef }) {
  return (
    <>
      <PolicyLink id={rule.policy} label={`${rule.apiKind} ${rule.name}`} /> {rule.direction} rule {rule.rule + 1}
      {rule.ruleName ? ` "${rule.ruleName}"` : ''}
      {rule.priority === null ? '' : ` (priority ${rule.priority})`}
    </>
  );
}

/** Which admin or baseline rule decided the direction, or passed it on to NetworkPolicy: said
 * outright, as NetworkPolicy's own rules are not consulted when an admin rule decides. */
function AdminWhy({ verdict }: { verdict: DirectionVerdict }) {
  const { decidedBy, passedBy } = verdict;
  return (
    <div className="muted small" data-testid="trace-policy-admin" data-layer={verdict.layer}>
      {passedBy && (
        <div>
          Passed on in the admin tier by <AdminRule rule={passedBy} />: Pass {passedBy.text}
        </div>
      )}
      {decidedBy && (
        <div>
          Decided in the {decidedBy.tier} tier by <AdminRule rule={decidedBy} />: {decidedBy.action} {decidedBy.text}
        </div>
      )}
    </div>
  );
}

/** A Calico or Cilium rule as the trace names it: the policy (a link), the section and rule, and
 * for Calico its order in its tier (the tier is said by the sentence it is in). */
function CniRule({ rule }: { rule: CniRuleRef }) {
  const title = `${rule.cni === 'calico' ? 'Calico ' : ''}${rule.apiKind} ${rule.name}`;
  const spec = rule.cni === 'cilium' && rule.spec ? ` specs[${rule.spec - 1}]` : '';
  return (
    <>
      <PolicyLink id={rule.policy} label={title} />
      {spec} {rule.section} rule {(rule.rule ?? 0) + 1}
      {rule.cni === 'calico' && (rule.order === null ? ' (no order)' : ` (order ${rule.order})`)}
    </>
  );
}

/** Which Calico or Cilium rule decided the direction, and the Calico Pass rules before it. */
function CniWhy({ verdict }: { verdict: DirectionVerdict }) {
  const { cniRule: rule, cniPassedBy = [] } = verdict;
  return (
    <div className="muted small" data-testid="trace-policy-cni" data-layer={verdict.layer}>
      {cniPassedBy.map((p) => (
        <div key={`${p.policy} ${p.section} ${p.rule}`}>
          Passed on in Calico tier {p.tier} by <CniRule rule={p} />: Pass {p.text}
        </div>
      ))}
      {rule?.section === 'end-of-tier' && (
        <div>
          Decided at the end of Calico tier {rule.name}: {rule.text}
        </div>
      )}
      {rule?.section === 'default-deny' && (
        <div>
          Decided by Cilium's default deny: <PolicyLink id={rule.policy} label={`${rule.apiKind} ${rule.name}`} /> selects the pod, and {rule.text}
        </div>
      )}
      {rule && rule.section !== 'end-of-tier' && rule.section !== 'default-deny' && (
        <div>
          Decided {rule.cni === 'calico' ? `in Calico tier ${rule.tier}` : 'by Cilium'} by <CniRule rule={rule} />: {rule.action} {rule.text}
          {rule.notEvaluated && <div data-testid="trace-policy-not-evaluated">Not evaluated: {rule.notEvaluated}</div>}
        </div>
      )}
    </div>
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

/**
 * A direction's line, its mark, and its policies behind a disclosure; `tag` says where it is when
 * that is not the connection (`DNS`), `blocker` its kind when it is a blocker, `children` go under
 * it (a blocker's fix).
 */
export function PolicyLine({ verdict, tag, blocker, children }: { verdict: DirectionVerdict; tag?: string; blocker?: BlockerKind; children?: ReactNode }) {
  return (
    <li className={`trace-policy-line policy-${verdict.verdict}`} data-testid="trace-policy-line" data-verdict={verdict.verdict} data-blocker={blocker}>
      <span className="trace-policy-mark" aria-hidden="true">
        {marks[verdict.verdict]}
      </span>
      <div>
        {tag && <span className="trace-blocker-tag">{tag}</span>}
        <span data-testid="trace-policy-text">{verdict.line}</span>
        {children}
        {/* Keyed by the verdict: a disclosure opened on a denial does not stay open on its fix. */}
        {verdict.isolatedBy.length > 0 && <Why key={verdict.verdict} verdict={verdict} />}
        {(verdict.decidedBy || verdict.passedBy) && <AdminWhy verdict={verdict} />}
        {(verdict.cniRule || verdict.cniPassedBy) && <CniWhy verdict={verdict} />}
      </div>
    </li>
  );
}

/** The CNI plugin whose policies had a say in a direction, if any. */
function pluginOf(v: DirectionVerdict): 'calico' | 'cilium' | null {
  const ref = v.cniRule ?? v.cniPassedBy?.[0];
  if (ref) return ref.cni;
  const id = v.cniPolicies?.[0];
  return id ? (id.startsWith('cilium') ? 'cilium' : 'calico') : null;
}

/** The layers the verdicts passed, in their order; `all` both directions, the blockers among them
 * (a direction no Calico policy selects still went through Calico's tiers). */
function policyHeading(rows: readonly DirectionVerdict[], all: readonly DirectionVerdict[]): string {
  const plugins = all.map(pluginOf);
  if (plugins.includes('calico')) return 'Policy: Calico tiers (admin tiers and NetworkPolicy among them)';
  if (plugins.includes('cilium')) return 'Policy: Cilium and NetworkPolicy';
  return rows.some((v) => v.adminPolicies) ? 'Policy: admin tier, NetworkPolicy, baseline tier' : 'NetworkPolicy';
}

/**
 * The path's NetworkPolicy verdicts that are not blockers (those are said in the blocker list,
 * Blockers.tsx, in the same words, once): an allowed or unisolated direction.
 */
export function PolicyBlock({ trace, branch, blockers }: { trace: Trace; branch: Branch | null; blockers: readonly Blocker[] }) {
  const policy = branch && trace.branches.length > 0 ? branch.policy : trace.policy;
  const isBlocker = (v: DirectionVerdict) => blockers.some((b) => b.denial?.direction === v.direction && b.denial.line === v.line);
  const both = [policy.egress, policy.ingress].filter((v): v is DirectionVerdict => v !== null);
  const rows = both.filter((v) => !isBlocker(v));
  if (rows.length === 0) return null;
  return (
    <section className="trace-section" data-testid="trace-policy">
      <h3>{policyHeading(rows, both)}</h3>
      <ul className="trace-policy-lines">
        {rows.map((v) => (
          <PolicyLine key={v.direction} verdict={v} />
        ))}
      </ul>
    </section>
  );
}
