/** A Calico policy (NetworkPolicy, GlobalNetworkPolicy), a Calico tier, or a Cilium policy: where
 * it stands in its plugin's order, whom it selects, its rules in the order tried, the pods it
 * selects now. */
import type { DescribedCniPolicy } from '../../../shared/describe/types.ts';
import { CniRuleLines } from './CniPolicies.tsx';
import { Field, Fields, Link, Section, SelectedPods } from './parts.tsx';
import { Title } from './Title.tsx';

export function CniPolicyDetails({ policy }: { policy: DescribedCniPolicy }) {
  const kind = policy.cni === 'calico' ? `Calico ${policy.apiKind}` : policy.apiKind;
  return (
    <>
      <Title kind={kind} name={policy.name} {...(policy.namespace ? { namespace: policy.namespace } : {})} />
      <Fields>
        <Field label={policy.apiKind === 'Tier' ? 'Tier' : 'Place'}>
          <span data-testid="cni-policy-place">{policy.place}</span>
          {policy.tierId && (
            <>
              {' '}
              <Link id={policy.tierId}>(the tier)</Link>
            </>
          )}
        </Field>
        <Field label="Selects">{policy.selects}</Field>
      </Fields>
      <p className="muted small" data-testid="cni-policy-order">
        {policy.order}
      </p>
      {policy.members && (
        <Section title={`Policies in the tier (${policy.members.length}), in order`}>
          <ol className="rows">
            {policy.members.map((m) => (
              <li key={m.id}>
                <Link id={m.id}>{m.name}</Link>
              </li>
            ))}
          </ol>
        </Section>
      )}
      {policy.apiKind !== 'Tier' && (
        <Section title={`Rules (${policy.rules.length}), ${policy.cni === 'calico' ? 'first match decides' : 'deny before allow'}`}>
          {policy.rules.length === 0 ? <p className="muted">No rules: a pod it selects meets only the default.</p> : <CniRuleLines rules={policy.rules} testId="cni-policy-rule" />}
        </Section>
      )}
      {policy.apiKind !== 'Tier' && (
        <SelectedPods pods={policy.pods} />
      )}
    </>
  );
}
