/** A pod: its addresses and netns, its containers, its veth, the NetworkPolicies that select it
 * (who may reach it and whom it may reach, one line each, first), the admin, Calico and Cilium
 * policies that do, and the Services that do. */
import { containerPortText, endpointStateMeaning } from '../../../shared/describe/format.ts';
import type { DescribedContainer, DescribedPod, DescribedPolicyLine } from '../../../shared/describe/types.ts';
import { Copyable } from './CopyButton.tsx';
import { addresses, Conclusion, Field, Fields, Labels, Link, ProvenanceBadge, Section, StateBadge } from './parts.tsx';
import { Title } from './Title.tsx';
import { PolicyNeighbourhood } from './PolicyNeighbourhood.tsx';
import type { Topology } from '../../../shared/model/types.ts';
import { AdminPolicies } from './AdminPolicies.tsx';
import { CniPolicies } from './CniPolicies.tsx';
import { cniLayersOf } from '../../../shared/describe/cni-policy.ts';
import { adminPoliciesOf } from '../../../shared/policy/admin/layered.ts';
import { VethFacts } from './VethDetails.tsx';

export function PodDetails({ pod, topology }: { pod: DescribedPod; topology: Topology }) {
  return (
    <>
      <Title kind={pod.hostNetwork ? 'Pod · host network' : 'Pod'} name={pod.name} namespace={pod.namespace} />
      <Fields>
        <Field label="IPs">{addresses(pod.ips, 'no IP')}</Field>
        <Field label="Node">{pod.nodeId && pod.node ? <Link id={pod.nodeId}>{pod.node}</Link> : <span className="muted">unscheduled</span>}</Field>
        <Field label="Phase">
          {pod.phase} · {pod.ready ? 'Ready' : 'not Ready'}
        </Field>
        <Field label="Network">
          {pod.hostNetwork ? "the node's root netns (hostNetwork: no veth, the node's IPs, outside NetworkPolicy)" : 'its own netns, eth0'}
        </Field>
        <Field label="Owner">{pod.owner ?? <span className="muted">none</span>}</Field>
        <Field label="Labels">
          <Labels labels={pod.labels} />
        </Field>
      </Fields>
      <Section title={`Containers (${pod.containers.length})`}>
        <ul className="rows">
          {pod.containers.map((c) => (
            <ContainerRow key={c.id} container={c} />
          ))}
        </ul>
      </Section>
      {pod.netns && (
        <Section title="netns">
          <Fields>
            {pod.netns.interfaces.map((i) => (
              <Field key={i.name} label={i.name}>
                {addresses(i.addresses, 'no address')}
              </Field>
            ))}
            {pod.netns.defaultRoutes.map((r, i) => (
              <Field key={`route ${i}`} label="default">
                <code>
                  {r.via ? `via ${r.via} ` : ''}dev {r.device}
                </code>{' '}
                <ProvenanceBadge provenance={r.provenance} />
                <div className="muted small">{r.how}</div>
              </Field>
            ))}
          </Fields>
        </Section>
      )}
      {!pod.hostNetwork && (
        <Section title="veth">{pod.veth ? <VethFacts veth={pod.veth} /> : <p className="muted">No veth: the pod has no IP yet, so its network is not wired.</p>}</Section>
      )}
      <Section title={`Selected by NetworkPolicies (${pod.policies.length})`}>
        <PolicyLine title="Ingress" line={pod.policyLines.ingress} others={otherLayers(topology, pod.id, 'ingress')} testId="policy-line-ingress" />
        <PolicyLine title="Egress" line={pod.policyLines.egress} others={otherLayers(topology, pod.id, 'egress')} testId="policy-line-egress" />
        {pod.policies.length > 0 && (
          <ul className="rows">
            {pod.policies.map((p) => (
              <li key={p.id}>
                <Link id={p.id}>{p.policy}</Link> <span className="muted small">isolates {p.types.join(' and ').toLowerCase()}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <AdminPolicies topology={topology} podId={pod.id} />
      <CniPolicies topology={topology} podId={pod.id} />
      {!pod.hostNetwork && <PolicyNeighbourhood topology={topology} podId={pod.id} />}
      <Section title={`Selected by Services (${pod.services.length})`}>
        {pod.services.length === 0 ? (
          <p className="muted">No Service has an endpoint for this pod.</p>
        ) : (
          <ul className="rows">
            {pod.services.map((s) => (
              <li key={`${s.id} ${s.ip}`} className={`endpoint-${s.state}`}>
                <Link id={s.id}>{s.service}</Link> <StateBadge state={s.state} />
                <div className="muted small">
                  endpoint <Copyable value={s.ip} />
                  {s.ports.length > 0 && ` · ${s.ports.map((p) => `${p.port}/${p.protocol}`).join(', ')}`}
                </div>
                {s.state !== 'ready' && <div className="small endpoint-meaning">{endpointStateMeaning(s.state)}</div>}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

function ContainerRow({ container: c }: { container: DescribedContainer }) {
  return (
    <li>
      <Link id={c.id}>{c.name}</Link> {c.role !== 'app' && <span className="badge">{c.role}</span>} {!c.ready && <span className="badge state-not-ready">not ready</span>}
      <div className="muted small">
        {c.image ?? 'no image'}
        {c.ports.length > 0 && ` · ports ${c.ports.map(containerPortText).join(', ')}`}
      </div>
    </li>
  );
}

/** A layer besides NetworkPolicy that has a say in a direction: an admin policy, a Calico tier,
 * a Cilium policy; its id links to it (null: nothing to open). */
interface OtherLayer {
  id: string | null;
  title: string;
}

/** The admin policies with rules for `direction` whose subject is the pod, then the Calico tiers
 * and Cilium policies that apply to it there: each decides before, after or with NetworkPolicy,
 * so the NetworkPolicy line alone would not be the answer. */
function otherLayers(topology: Topology, podId: string, direction: 'ingress' | 'egress'): OtherLayer[] {
  const pod = topology.pods[podId];
  if (!pod || pod.isHostNetwork) return [];
  const admin = adminPoliciesOf(topology, Object.values(topology.adminPolicies), pod)
    .filter((p) => p[direction].length > 0)
    .map((p) => ({ id: p.id, title: `${p.apiKind} ${p.name}` }));
  return [...admin, ...cniLayersOf(topology, pod, direction)];
}

/** `A, B and C`, each a link. */
function LayerLinks({ layers }: { layers: readonly OtherLayer[] }) {
  return layers.map((l, i) => (
    <span key={`${l.id} ${l.title}`}>
      <span className="nowrap">{l.id ? <Link id={l.id}>{l.title}</Link> : l.title}</span>
      {i < layers.length - 2 ? ', ' : i === layers.length - 2 ? ' and ' : ''}
    </span>
  ));
}

/** One direction by policy, concluded: `Ingress: isolated by <links> — only from … on …`. Where
 * another layer also has a say, the line says so rather than "anyone may connect". */
function PolicyLine({ title, line, others, testId }: { title: string; line: DescribedPolicyLine; others: readonly OtherLayer[]; testId: string }) {
  if (others.length > 0 && !line.isolated) {
    return (
      <Conclusion testId={testId}>
        <strong>{title}:</strong> not isolated by NetworkPolicy — but <LayerLinks layers={others} /> also appl{others.length === 1 ? 'ies' : 'y'}; see below
      </Conclusion>
    );
  }
  return (
    <Conclusion testId={testId}>
      <strong>{title}:</strong>{' '}
      {line.isolated && (
        <>
          isolated by{' '}
          {line.isolatedBy.map((p, i) => (
            // A comma stays with its link, so a line never starts with one; spaces may break.
            <span key={p.id}>
              <span className="nowrap">
                <Link id={p.id}>{p.policy}</Link>
                {i < line.isolatedBy.length - 2 ? ',' : ''}
              </span>
              {i < line.isolatedBy.length - 2 ? ' ' : i === line.isolatedBy.length - 2 ? ' and ' : ''}
            </span>
          ))}{' '}
          —{' '}
        </>
      )}
      {line.allows}
      {others.length > 0 && (
        <>
          ; but <LayerLinks layers={others} /> also appl{others.length === 1 ? 'ies' : 'y'} — see below
        </>
      )}
    </Conclusion>
  );
}
