/**
 * A pod's NetworkPolicy neighbourhood (shared/policy/reachability.ts): who may open a connection
 * to it and whom it may reach, on the receiving pod's declared ports. Worked out when opened: it
 * evaluates every pod pair it lists, which is work a closed section should not cost.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Id, Topology } from '../../../shared/model/types.ts';
import { reachabilityOf, type Reach } from '../../../shared/policy/reachability.ts';
import { Link } from './parts.tsx';
import { markOnGraph } from '../../state/ui.ts';

/** How many peers are listed by name before "and N more". */
const listed = 12;

export function PolicyNeighbourhood({ topology, podId }: { topology: Topology; podId: Id }) {
  const [isOpen, setOpen] = useState(false);
  const reach = useMemo(() => (isOpen ? reachabilityOf(topology, podId) : null), [isOpen, topology, podId]);
  // Marks last only while this pod's section is shown.
  useEffect(() => () => markOnGraph(null), [podId]);
  return (
    <details className="details-section policy-neighbourhood" data-testid="policy-neighbourhood" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        <h3>Who may reach it, and whom it may reach</h3>
      </summary>
      {isOpen && !reach && <p className="muted">The pod has no IP yet: nothing can reach it.</p>}
      {reach && (
        <>
          <PeerList title="May connect to it" reach={reach.from} isIsolated={reach.isolation.ingress} direction="ingress" testId="reach-from" podId={podId} />
          <PeerList title="It may connect to" reach={reach.to} isIsolated={reach.isolation.egress} direction="egress" testId="reach-to" podId={podId} />
          <p className="muted small">
            {reach.isComplete ? `All ${reach.checked.toLocaleString('en')} other pods with an IP checked` : `The first ${reach.checked.toLocaleString('en')} pods (by namespace and name) checked`}, on the receiving pod’s declared container ports.
          </p>
        </>
      )}
    </details>
  );
}

function PeerList({ title, reach, isIsolated, direction, testId, podId }: { title: string; reach: Reach; isIsolated: boolean; direction: 'ingress' | 'egress'; testId: string; podId: Id }) {
  const shown = reach.allowed.slice(0, listed);
  const mark = () => markOnGraph([podId, ...reach.allowed.map((peer) => peer.pod)]);
  return (
    <div className="peer-list" data-testid={testId}>
      <h4>
        {title}: {reach.allowed.length.toLocaleString('en')} pod{reach.allowed.length === 1 ? '' : 's'}
        {!isIsolated && <span className="muted small"> ({direction} not isolated: all it takes is a declared port)</span>}
      </h4>
      {reach.allowed.length > 0 && (
        <button type="button" className="button button-small" data-testid={`${testId}-mark`} onClick={mark} title="Mark these pods and this one on the graph, the rest dimmed">
          Mark on the graph
        </button>
      )}
      {shown.length > 0 && (
        <ul className="rows">
          {shown.map((peer) => (
            <li key={peer.pod}>
              <Link id={peer.pod}>{peer.name}</Link> <span className="muted small">{peer.ports.join(', ')}</span>
            </li>
          ))}
        </ul>
      )}
      {reach.allowed.length > shown.length && <p className="muted small">and {(reach.allowed.length - shown.length).toLocaleString('en')} more</p>}
      <p className="muted small">
        {reach.denied.toLocaleString('en')} denied on every port{reach.unchecked > 0 ? ` · ${reach.unchecked.toLocaleString('en')} without a declared port, not checked` : ''}
      </p>
    </div>
  );
}
