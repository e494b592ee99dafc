/** A NetworkPolicy: which pods it applies to and how many rules it has. */
import type { DescribedPolicy } from '../../../shared/describe/types.ts';
import { Field, Fields, list } from './parts.tsx';
import { Title } from './Title.tsx';

export function PolicyDetails({ policy }: { policy: DescribedPolicy }) {
  return (
    <>
      <Title kind="NetworkPolicy" name={policy.name} namespace={policy.namespace} />
      <Fields>
        <Field label="Applies to">
          <code>{JSON.stringify(policy.podSelector)}</code>
        </Field>
        <Field label="Types">{list(policy.policyTypes)}</Field>
        <Field label="Ingress rules">{policy.ingress.length}</Field>
        <Field label="Egress rules">{policy.egress.length}</Field>
      </Fields>
    </>
  );
}
