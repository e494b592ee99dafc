/** An Ingress: its class and controller, its address, and the rules that send hosts and paths to Services. */
import type { DescribedIngress } from '../../../shared/describe/types.ts';
import { addresses, Field, Fields, Link, list, Section, shortName } from './parts.tsx';
import { Title } from './Title.tsx';

export function IngressDetails({ ingress }: { ingress: DescribedIngress }) {
  return (
    <>
      <Title kind="Ingress" name={ingress.name} namespace={ingress.namespace} />
      <Fields>
        <Field label="Class">{ingress.className ?? <span className="muted">default</span>}</Field>
        <Field label="Controller">{ingress.controller ?? <span className="muted">unknown</span>}</Field>
        <Field label="Address">{addresses(ingress.addresses, 'none yet')}</Field>
        <Field label="TLS hosts">{list(ingress.tlsHosts)}</Field>
      </Fields>
      <Section title={`Rules (${ingress.rules.length})`}>
        <ul className="rows">
          {ingress.rules.map((r, i) => (
            <li key={i}>
              <code>
                {r.host ?? '*'}
                {r.path ?? '/'}
              </code>{' '}
              → <Link id={r.serviceId}>{shortName(r.service)}</Link>
              {r.port != null && `:${r.port}`}
              {r.pathType && <span className="muted small"> ({r.pathType})</span>}
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
