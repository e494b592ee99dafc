/** A node: its addresses and podCIDRs, the devices in its root netns, and its routes. */
import { routeText } from '../../../shared/describe/format.ts';
import type { DescribedNode } from '../../../shared/describe/types.ts';
import { addresses, Field, Fields, Labels, Link, ProvenanceBadge, Section, shortName } from './parts.tsx';
import { Title } from './Title.tsx';

const addressesOf = (node: DescribedNode, type: 'InternalIP' | 'ExternalIP') => node.addresses.filter((a) => a.type === type).map((a) => a.address);

export function NodeDetails({ node }: { node: DescribedNode }) {
  return (
    <>
      <Title kind="Node" name={node.name} />
      <Fields>
        <Field label="Ready">{node.ready ? 'yes' : 'no'}</Field>
        <Field label="InternalIP">{addresses(addressesOf(node, 'InternalIP'))}</Field>
        <Field label="ExternalIP">{addresses(addressesOf(node, 'ExternalIP'))}</Field>
        <Field label="podCIDRs">{addresses(node.podCIDRs)}</Field>
        <Field label="Zone">{node.zone ?? <span className="muted">none</span>}</Field>
        <Field label="kubelet">{node.kubeletVersion ?? <span className="muted">unknown</span>}</Field>
        <Field label="Pods">
          {node.pods.length} ({node.hostNetworkPods} on the host network)
        </Field>
        <Field label="Labels">
          <Labels labels={node.labels} />
        </Field>
      </Fields>
      <Section title={`Devices in the root netns (${node.devices.length})`}>
        <ul className="rows">
          {node.devices.map((d) => (
            <li key={d.id}>
              <Link id={d.id}>{d.name ?? d.kind}</Link> <span className="badge">{d.kind}</span> <ProvenanceBadge provenance={d.provenance} />
              <div className="muted small">{addresses(d.addresses, 'no address')}</div>
            </li>
          ))}
        </ul>
      </Section>
      {node.routes.length > 0 && (
        <Section title={`Routes (${node.routes.length})`}>
          <RouteRows node={node} />
        </Section>
      )}
    </>
  );
}

export function RouteRows({ node }: { node: DescribedNode }) {
  return (
    <ul className="rows">
      {node.routes.map((r, i) => (
        <li key={i}>
          <code>{routeText(r)}</code> <ProvenanceBadge provenance={r.provenance} />{' '}
          {r.to && r.toId && <Link id={r.toId}>{r.scope === 'local' ? shortName(r.to) : r.to}</Link>}
          <div className="muted small">{r.evidence}</div>
        </li>
      ))}
    </ul>
  );
}
