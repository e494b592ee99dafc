/** A veth pair: its host end (observed or inferred), its pod end, and the bridge or routes behind it. */
import type { DescribedVeth, ElementRef } from '../../../shared/describe/types.ts';
import { Copyable } from './CopyButton.tsx';
import { addresses, Field, Fields, Link, ProvenanceBadge, RefLink } from './parts.tsx';
import { Title } from './Title.tsx';

export function VethDetails({ veth, pod, node }: { veth: DescribedVeth; pod: ElementRef; node: ElementRef }) {
  return (
    <>
      <Title kind="veth pair" name={veth.hostName ?? 'veth?'} namespace={pod.namespace} />
      <Fields>
        <Field label="Pod">
          <RefLink target={pod} />
        </Field>
        <Field label="Node">
          <RefLink target={node} />
        </Field>
      </Fields>
      <VethFacts veth={veth} />
    </>
  );
}

export function VethFacts({ veth }: { veth: DescribedVeth }) {
  return (
    <Fields>
      <Field label="Host end">
        {veth.hostName ? <Copyable value={veth.hostName} className={veth.provenance === 'inferred' ? 'inferred' : undefined} /> : <code>veth?</code>}{' '}
        <ProvenanceBadge provenance={veth.provenance} />
        <div className="muted small">{veth.how}</div>
        {!veth.hostName && veth.pattern && (
          <div className="muted small">
            matches <code>{veth.pattern}</code> in <code>ip -o link</code> on the node
          </div>
        )}
      </Field>
      <Field label="Pod end">
        <Copyable value={veth.podEnd.name} /> {addresses(veth.podEnd.addresses)}
      </Field>
      {veth.bridge && (
        <Field label="Bridge">
          <Link id={veth.bridge.id}>{veth.bridge.name ?? 'bridge'}</Link> {addresses(veth.bridge.addresses)}
        </Field>
      )}
      {veth.hostRoutes.length > 0 && <Field label="Host routes">{veth.hostRoutes.map((r) => `${r} dev ${veth.hostName ?? 'veth?'}`).join(', ')}</Field>}
    </Fields>
  );
}
