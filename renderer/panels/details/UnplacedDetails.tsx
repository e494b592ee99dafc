/** The group of pods the canvas cannot put on a node: unscheduled, or on a node that is not in the view. */
import { useMemo } from 'react';
import { describeUnplacedPods } from '../../../shared/describe/build.ts';
import type { Topology } from '../../../shared/model/types.ts';
import { Link } from './parts.tsx';
import { Title } from './Title.tsx';

export function UnplacedDetails({ topology }: { topology: Topology }) {
  const { unscheduled, onMissingNodes, nodesUnavailable } = useMemo(() => describeUnplacedPods(topology), [topology]);
  return (
    <>
      <Title kind="Group" name={onMissingNodes.length === 0 ? 'Unscheduled pods' : 'Pods not drawn on a node'} />
      {unscheduled.length > 0 && (
        <section className="details-section">
          <h3>Unscheduled</h3>
          <p className="muted">Pods no node has taken yet: no netns, no veth, no IP.</p>
          <ul className="rows">
            {unscheduled.map((p) => (
              <li key={p.id}>
                <Link id={p.id}>{p.name}</Link> <span className="muted small">{p.namespace} · {p.phase}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {onMissingNodes.length > 0 && (
        <section className="details-section">
          <h3>On nodes not shown</h3>
          <p className="muted">
            Scheduled on a node whose Node object is not in the view
            {nodesUnavailable ? ` (Nodes could not be read: ${nodesUnavailable.replace(/\.$/, '')})` : ''}, so its root netns, veths and routes cannot be
            drawn.
          </p>
          <ul className="rows">
            {onMissingNodes.map((p) => (
              <li key={p.id}>
                <Link id={p.id}>{p.name}</Link>{' '}
                <span className="muted small">
                  {p.namespace} · on {p.node} · {p.ips.join(', ') || p.phase}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
