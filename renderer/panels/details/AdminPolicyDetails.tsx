/** An admin policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy): where
 * its tier stands against NetworkPolicy, whom it selects, and its rules in the order tried. */
import type { DescribedAdminPolicy, DescribedAdminRule } from '../../../shared/describe/types.ts';
import { Field, Fields, Section, SelectedPods } from './parts.tsx';
import { Title } from './Title.tsx';

export function AdminPolicyDetails({ policy }: { policy: DescribedAdminPolicy }) {
  return (
    <>
      <Title kind={policy.apiKind} name={policy.name} />
      <Fields>
        <Field label="Tier">
          {policy.tier}
          {policy.priority === null ? '' : ` · priority ${policy.priority}`}
        </Field>
        <Field label="Subject">{policy.subject}</Field>
      </Fields>
      <p className="muted small" data-testid="admin-policy-order">
        {policy.order}
      </p>
      <AdminRules direction="Ingress" rules={policy.ingress} />
      <AdminRules direction="Egress" rules={policy.egress} />
      <SelectedPods pods={policy.pods} />
    </>
  );
}

/** The rules of one direction, each `1 "name": Deny from namespaces team=b · any port`. */
export function AdminRules({ direction, rules }: { direction: 'Ingress' | 'Egress'; rules: readonly DescribedAdminRule[] }) {
  if (rules.length === 0) return null;
  const preposition = direction === 'Ingress' ? 'from' : 'to';
  return (
    <Section title={`${direction} rules (${rules.length}), first match decides`}>
      <ol className="rows" data-testid={`admin-rules-${direction.toLowerCase()}`}>
        {rules.map((rule) => (
          <li key={rule.index}>
            <ActionBadge action={rule.action} /> {rule.name ? <strong>{rule.name}</strong> : <span className="muted">rule {rule.index + 1}</span>}
            <div className="muted small">
              {preposition} {rule.peers.join(' or ')} · {rule.ports}
            </div>
          </li>
        ))}
      </ol>
    </Section>
  );
}

/** Deny in the colour of what is refused, Allow (Accept) in the colour of what is ready. */
export function ActionBadge({ action }: { action: string }) {
  const tone = action === 'Deny' ? ' state-not-ready' : action === 'Allow' || action === 'Accept' ? ' state-ready' : '';
  return <span className={`badge${tone}`}>{action}</span>;
}
