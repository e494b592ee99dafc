/** One endpoint of a Service: what its state means for the Service's traffic, then its address, conditions and pod. */
import { containerPortText, endpointStateMeaning } from '../../../shared/describe/format.ts';
import type { DescribedEndpoint, ElementRef } from '../../../shared/describe/types.ts';
import { Copyable } from './CopyButton.tsx';
import { Conclusion, Field, Fields, Link, list, RefLink, shortName, StateBadge } from './parts.tsx';
import { Title } from './Title.tsx';

export function EndpointDetails({ endpoint, service }: { endpoint: DescribedEndpoint; service: ElementRef }) {
  return (
    <>
      <Title kind="Endpoint" name={endpoint.ip} namespace={service.namespace} />
      <Conclusion level={endpoint.state === 'ready' ? 'ok' : endpoint.state === 'terminating' && endpoint.serving ? 'warning' : 'error'} testId="endpoint-state">
        {endpointStateMeaning(endpoint.state, endpoint.serving)}
      </Conclusion>
      <Fields>
        <Field label="State">
          <StateBadge state={endpoint.state} />
        </Field>
        <Field label="Address">
          <Copyable value={endpoint.ip} />
        </Field>
        <Field label="Service">
          <RefLink target={service} />
        </Field>
        <Field label="Pod">{endpoint.pod && endpoint.podId ? <Link id={endpoint.podId}>{shortName(endpoint.pod)}</Link> : <span className="muted">none</span>}</Field>
        <Field label="Node">{endpoint.node ?? <span className="muted">unknown</span>}</Field>
        <Field label="Zone">{endpoint.zone ?? <span className="muted">none</span>}</Field>
        <Field label="Conditions">
          ready {String(endpoint.ready)}, serving {String(endpoint.serving)}, terminating {String(endpoint.terminating)}
        </Field>
        <Field label="Ports">{list(endpoint.ports.map(containerPortText))}</Field>
        <Field label="EndpointSlice">{endpoint.slice}</Field>
      </Fields>
    </>
  );
}
