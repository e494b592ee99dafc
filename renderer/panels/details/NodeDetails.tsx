/** A node: its addresses and podCIDRs, its kubelet's DNS settings (or how to read them), what its
 * datapath reading says (or how to read it), the devices in its root netns, and its routes. */
import { routeText } from '../../../shared/describe/format.ts';
import type { DescribedNode, DescribedNodeDatapath } from '../../../shared/describe/types.ts';
import { useDatapathAction } from '../datapath-action.ts';
import { kubeletDnsText, useKubeletDnsAction, type KubeletDnsAction } from '../kubelet-dns-action.ts';
import { addresses, Field, Fields, Labels, Link, ProvenanceBadge, Section, shortName } from './parts.tsx';
import { Title } from './Title.tsx';

const addressesOf = (node: DescribedNode, type: 'InternalIP' | 'ExternalIP') => node.addresses.filter((a) => a.type === type).map((a) => a.address);

export function NodeDetails({ node }: { node: DescribedNode }) {
  const kubeletDns = useKubeletDnsAction();
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
        {kubeletDns && (
          <Field label="Kubelet DNS">
            <KubeletDnsFacts node={node} action={kubeletDns} />
          </Field>
        )}
        <Field label="Pods">
          {node.pods.length} ({node.hostNetworkPods} on the host network)
        </Field>
        <Field label="Labels">
          <Labels labels={node.labels} />
        </Field>
      </Fields>
      <DatapathSection node={node} />
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

/** The clusterDNS and domain the tracer takes for this node's pods, where they come from, and,
 * while they are assumed in a live context, the button to read them. */
function KubeletDnsFacts({ node, action }: { node: DescribedNode; action: KubeletDnsAction }) {
  const dns = action.dnsOf(node.id);
  const problems = action.problemsOf(node.name);
  return (
    <div data-testid="node-kubelet-dns">
      {kubeletDnsText(dns)}{' '}
      <span className="muted" title={dns.evidence}>
        ({dns.isAssumed ? 'assumed' : "read from the kubelet's configz"})
      </span>
      {dns.isAssumed && action.unavailable === null && (
        <div className="details-actions">
          <button
            type="button"
            className="button button-small"
            disabled={action.isReading}
            title="Reads every node's kubelet configz through the API server (needs get on nodes/proxy); nothing is changed"
            onClick={action.read}
          >
            {action.isReading ? 'Reading the kubelets…' : 'Read from the kubelets'}
          </button>
        </div>
      )}
      {problems.map((problem, i) => (
        <div key={i} className="muted small" data-testid="kubelet-dns-problem">
          {problem}
        </div>
      ))}
    </div>
  );
}

/** When and from where the node's datapath was read and what could not be; the buttons to read it. */
function DatapathSection({ node }: { node: DescribedNode }) {
  const action = useDatapathAction();
  const reading = node.datapath;
  return (
    <Section title="Datapath">
      <div data-testid="node-datapath">
        {reading ? (
          <ReadingSummary reading={reading} />
        ) : (
          <p className="muted small">Not read: the devices, veth names and routes shown are inferred from the API and the CNI.</p>
        )}
        {action && (
          <>
            <div className="details-actions">
              <button type="button" className="button" disabled={action.unavailable !== null || action.isBusy} onClick={() => action.read([node.name])}>
                {reading ? 'Read this node again' : "Read this node's datapath"}
              </button>{' '}
              <button type="button" className="button" disabled={action.unavailable !== null || action.isBusy} onClick={() => action.read('all')}>
                Read every node
              </button>
            </div>
            {action.unavailable && (
              <p className="muted small" data-testid="datapath-unavailable">
                {action.unavailable}
              </p>
            )}
          </>
        )}
      </div>
    </Section>
  );
}

function ReadingSummary({ reading }: { reading: DescribedNodeDatapath }) {
  return (
    <>
      <p className="small">
        Read {new Date(reading.readAt).toLocaleString()} from {reading.target} ({reading.source}): {reading.veths} host-side veths ({reading.podVeths} of pods placed
        here)
        {reading.kubeProxy.length > 0 && `, kube-proxy ${reading.kubeProxy.map((k) => `${k.mode} ${k.family} (${k.servicePorts} Service ports)`).join(', ')}`}.
      </p>
      {reading.unread.length > 0 && (
        <details className="small">
          <summary>Not read: {reading.unread.length}</summary>
          <ul className="rows">
            {reading.unread.map((u, i) => (
              <li key={i}>
                <code>{u.command}</code>
                {u.netns && <span className="muted"> in {u.netns}</span>}: {u.status}, {u.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
