/** A pod's "Selected by admin policies" section: the cluster-scoped admin policies whose subject
 * is the pod, in the order they are tried (admin tier first, each tier by priority), each with
 * how it selects the pod and its rules, so a first-time reader sees which rule would decide. */
import { describeAdminRule, describeAdminSubject } from '../../../shared/describe/admin-policy.ts';
import type { Topology } from '../../../shared/model/types.ts';
import { adminPoliciesOf } from '../../../shared/policy/admin/layered.ts';
import { ActionBadge } from './AdminPolicyDetails.tsx';
import { Link, Section } from './parts.tsx';

/** Nothing when the cluster has no admin policy at all. */
export function AdminPolicies({ topology, podId }: { topology: Topology; podId: string }) {
  const record = topology.pods[podId];
  const all = Object.values(topology.adminPolicies ?? {});
  if (!record || all.length === 0) return null;
  const selecting = adminPoliciesOf(topology, all, record);
  const isCalico = Object.values(topology.cniPolicies ?? {}).some((p) => p.cni === 'calico');
  return (
    <Section title={`Selected by admin policies (${selecting.length})`}>
      {selecting.length === 0 ? (
        <p className="muted">{record.isHostNetwork ? 'Host-networked pods are never the subject of an admin policy.' : 'No admin policy has this pod as its subject.'}</p>
      ) : (
        <>
          <p className="muted small" data-testid="admin-policies-order">
            Tried in this order. An admin-tier rule is tried before NetworkPolicy and its Allow or Deny is final, whatever the NetworkPolicy lines above say; Pass, or no match, hands the flow to NetworkPolicy. The baseline tier decides only for a pod no NetworkPolicy isolates.
            {isCalico && " Under Calico the admin tier is its tier kube-admin at order 1000 and the baseline tier kube-baseline at 10,000,000: a Calico tier ordered lower is tried first."}
          </p>
          <ol className="rows" data-testid="admin-policies">
            {selecting.map((p) => (
              <li key={p.id} data-testid="admin-policy" data-policy={p.id}>
                <Link id={p.id}>
                  {p.apiKind} {p.name}
                </Link>{' '}
                <span className="badge">
                  {p.tier} tier{p.priority === null ? '' : ` · priority ${p.priority}`}
                </span>
                <div className="muted small">selects {describeAdminSubject(p.subject)}</div>
                <ul className="admin-rule-lines">
                  {(['ingress', 'egress'] as const).flatMap((direction) =>
                    p[direction].map((rule, i) => {
                      const described = describeAdminRule(rule, i);
                      return (
                        <li key={`${direction} ${i}`} className="small" data-testid="admin-rule">
                          <ActionBadge action={described.action} /> {direction} {direction === 'ingress' ? 'from' : 'to'} {described.peers.join(' or ')} · {described.ports}
                          {described.name && <span className="muted"> ({described.name})</span>}
                        </li>
                      );
                    }),
                  )}
                </ul>
              </li>
            ))}
          </ol>
        </>
      )}
    </Section>
  );
}
