/** A namespace: its labels, how many pods it holds, and its Services. */
import type { DescribedNamespace, ElementRef } from '../../../shared/describe/types.ts';
import { Field, Fields, Labels, RefLink, Section } from './parts.tsx';
import { Title } from './Title.tsx';

export function NamespaceDetails({ namespace, pods, services }: { namespace: DescribedNamespace; pods: number; services: (ElementRef & { type: string })[] }) {
  return (
    <>
      <Title kind="Namespace" name={namespace.name} />
      <Fields>
        <Field label="Labels">
          <Labels labels={namespace.labels} />
        </Field>
        <Field label="Pods">{pods}</Field>
      </Fields>
      <Section title={`Services (${services.length})`}>
        <ul className="rows">
          {services.map((s) => (
            <li key={s.id}>
              <RefLink target={s} /> <span className="muted small">{s.type}</span>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
