/** A pod's "Selected by Calico/Cilium policies" section: the CNI plugin's own policies that select
 * the pod, in the order the plugin tries them (Calico: tier by tier, each by order; Cilium: the
 * policies with deny rules first), each with its rules in a line, so a first-time reader sees
 * which rule would decide. */
import { cniOrderText, cniPoliciesOf, cniPolicyName } from '../../../shared/describe/cni-policy.ts';
import type { DescribedCniRule } from '../../../shared/describe/types.ts';
import type { Topology } from '../../../shared/model/types.ts';
import { ActionBadge } from './AdminPolicyDetails.tsx';
import { Link, Section } from './parts.tsx';

/** Nothing when the cluster has no Calico or Cilium policy. */
export function CniPolicies({ topology, podId }: { topology: Topology; podId: string }) {
  const record = topology.pods[podId];
  const all = Object.values(topology.cniPolicies ?? {});
  if (!record || all.length === 0) return null;
  const selecting = cniPoliciesOf(topology, record);
  const plugins = [...new Set(all.map((p) => p.cni))];
  const title = plugins.map((p) => (p === 'calico' ? 'Calico' : 'Cilium')).join(' and ');
  return (
    <Section title={`Selected by ${title} policies (${selecting.length})`}>
      {selecting.length === 0 ? (
        <p className="muted">{record.isHostNetwork ? `A host-networked pod is its node, not an endpoint ${title} policies select.` : `No ${title} policy selects this pod.`}</p>
      ) : (
        <>
          {plugins.map((p) => (
            <p key={p} className="muted small" data-testid="cni-policies-order">
              {cniOrderText[p]}
            </p>
          ))}
          <ol className="rows" data-testid="cni-policies">
            {selecting.map((s) => (
              <li key={s.record.id} data-testid="cni-policy" data-policy={s.record.id}>
                <Link id={s.record.id}>{cniPolicyName(s.record)}</Link>{' '}
                {s.place && <span className="badge">{s.place}</span>}
                <div className="muted small">
                  applies to its {s.directions.join(' and ')}
                  {s.maybe && ` if ${s.maybe}`}
                </div>
                <CniRuleLines rules={s.rules.filter((r) => s.directions.includes(r.direction))} testId="cni-rule" />
              </li>
            ))}
          </ol>
        </>
      )}
    </Section>
  );
}

/** Each rule in a line: `Deny ingress from selector app == "client" · to ports 443`. */
export function CniRuleLines({ rules, testId }: { rules: readonly DescribedCniRule[]; testId: string }) {
  return (
    <ul className="admin-rule-lines">
      {rules.map((rule) => (
        <li key={`${rule.spec ?? 0} ${rule.section} ${rule.index}`} className="small" data-testid={testId}>
          <ActionBadge action={rule.action} /> {rule.direction} {rule.text}
          {rule.note && <span className="muted"> ({rule.note})</span>}
        </li>
      ))}
    </ul>
  );
}
