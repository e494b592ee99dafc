/**
 * The pieces every kind's view is laid out with: a grid of labelled fields, titled sections,
 * links that select another element, label chips, provenance and endpoint-state badges, and
 * the conclusion a panel opens with.
 */
import type { ReactNode } from 'react';
import { endpointStateMeaning } from '../../../shared/describe/format.ts';
import type { ElementRef, ServiceHealth } from '../../../shared/describe/types.ts';
import type { EndpointState } from '../../../shared/model/text.ts';
import type { Provenance } from '../../../shared/model/types.ts';
import { select } from '../../state/ui.ts';
import { Copyable } from './CopyButton.tsx';

/** Addresses, each with its copy button; `empty` when there are none. */
export function addresses(values: readonly string[], empty = 'none'): ReactNode {
  if (values.length === 0) return <span className="muted">{empty}</span>;
  return values.map((v, i) => (
    <span key={`${i} ${v}`}>
      {i > 0 && ', '}
      <Copyable value={v} />
    </span>
  ));
}

export function list(values: readonly string[], empty = 'none'): ReactNode {
  return values.length > 0 ? values.join(', ') : <span className="muted">{empty}</span>;
}

/** `namespace/name` → the part after the namespace, for a link inside the namespace's context. */
export function shortName(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

export function Fields({ children }: { children: ReactNode }) {
  return <dl className="fields">{children}</dl>;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="details-section">
      <h3>{title}</h3>
      {children}
    </section>
  );
}

export function Link({ id, children }: { id: string; children: ReactNode }) {
  return (
    <button type="button" className="link" onClick={() => select(id)}>
      {children}
    </button>
  );
}

export function RefLink({ target }: { target: ElementRef }) {
  return <Link id={target.id}>{target.name}</Link>;
}

export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return <span className="muted">none</span>;
  return (
    <span className="chips">
      {entries.map(([k, v]) => (
        <code key={k} className="chip">
          {k}={v}
        </code>
      ))}
    </span>
  );
}

export function ProvenanceBadge({ provenance }: { provenance: Provenance }) {
  return <span className={`badge provenance-${provenance}`}>{provenance}</span>;
}

/** An endpoint's state, the same badge wherever an endpoint appears; what it means on hover. */
export function StateBadge({ state }: { state: EndpointState }) {
  return (
    <span className={`badge state-${state}`} title={endpointStateMeaning(state)}>
      {state === 'not-ready' ? 'not ready' : state}
    </span>
  );
}

/** The line a panel opens with: its conclusion, before the details (issue 17). `level` colours
 * it as a Service's health does; without one it is neutral. */
export function Conclusion({ level, testId, children }: { level?: ServiceHealth['level']; testId: string; children: ReactNode }) {
  return (
    <p className={`conclusion${level ? ` conclusion-${level}` : ''}`} data-testid={testId}>
      {children}
    </p>
  );
}

/** The pods a policy selects, the first dozen as links and a count of the rest. */
export function SelectedPods({ pods }: { pods: readonly ElementRef[] }) {
  const listed = 12;
  return (
    <Section title={`Selects ${pods.length} pod${pods.length === 1 ? '' : 's'}`}>
      {pods.length > 0 && (
        <ul className="rows">
          {pods.slice(0, listed).map((pod) => (
            <li key={pod.id}>
              <Link id={pod.id}>
                {pod.namespace ? `${pod.namespace}/` : ''}{pod.name}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {pods.length > listed && <p className="muted small">and {(pods.length - listed).toLocaleString('en')} more</p>}
    </Section>
  );
}
