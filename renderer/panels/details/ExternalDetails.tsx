/** The Internet: what the cluster exposes to it, through a LoadBalancer or an Ingress. */
import type { ElementRef } from '../../../shared/describe/types.ts';
import { addresses, Link, Section } from './parts.tsx';
import { Title } from './Title.tsx';

export function ExternalDetails({ name, exposed }: { name: string; exposed: (ElementRef & { via: 'service' | 'ingress'; addresses: string[] })[] }) {
  return (
    <>
      <Title kind="External" name={name} />
      <p className="muted">Traffic from outside the cluster enters through a LoadBalancer address, an external IP, a nodeIP:nodePort, or an Ingress.</p>
      <Section title="Exposed">
        {exposed.length === 0 ? (
          <p className="muted">Nothing is exposed through a LoadBalancer or an Ingress.</p>
        ) : (
          <ul className="rows">
            {exposed.map((e) => (
              <li key={e.id}>
                <Link id={e.id}>{e.via === 'ingress' ? `ingress ${e.name}` : e.name}</Link>{' '}
                <span className="muted small">{addresses(e.addresses, e.via === 'ingress' ? 'no address yet' : 'address pending')}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}
