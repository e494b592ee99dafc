import type { Topology } from '../../shared/model/types.ts';
import { namespaceColors } from '../graph/palette.ts';

/** A sample of each edge style, drawn with the same colours as the canvas (CSS classes). */
function EdgeSample({ kind }: { kind: string }) {
  return (
    <svg className="edge-sample" width="34" height="10" viewBox="0 0 34 10" aria-hidden="true">
      <line className={`legend-${kind}`} x1="1" y1="5" x2="33" y2="5" />
    </svg>
  );
}

function NodeSample({ kind, color }: { kind: string; color?: string }) {
  // A colour set through the CSSOM (React's style prop), which a CSP without 'unsafe-inline' allows.
  return <span className={`node-sample legend-${kind}`} style={color ? { borderColor: color, backgroundColor: `${color}26` } : undefined} />;
}

export function Legend({ topology }: { topology: Topology | null }) {
  const colors = topology ? [...namespaceColors(topology)] : [];
  return (
    <details className="legend" open data-testid="legend">
      <summary>Legend</summary>
      <div className="legend-grid">
        <h4>Boxes</h4>
        <ul>
          <li><NodeSample kind="host" /> node (root netns)</li>
          <li><NodeSample kind="pod" /> pod netns</li>
          <li><NodeSample kind="hostnet" /> hostNetwork pod</li>
          <li><NodeSample kind="container" /> container</li>
          <li><NodeSample kind="init" /> init container</li>
          <li><NodeSample kind="device" /> device (uplink, bridge, tunnel)</li>
          <li><NodeSample kind="service" /> Service</li>
          <li><span className="italic">italic name</span> inferred, not observed</li>
        </ul>
        <h4>Edges</h4>
        <ul>
          <li><EdgeSample kind="veth" /> <span>veth pair, labelled with its host end (<code>veth?</code>: unknown)</span></li>
          <li><EdgeSample kind="tunnel" /> overlay tunnel</li>
          <li><EdgeSample kind="ready" /> endpoint, ready</li>
          <li><EdgeSample kind="not-ready" /> endpoint, not ready</li>
          <li><EdgeSample kind="terminating" /> endpoint, terminating</li>
          <li><EdgeSample kind="backend" /> Ingress → Service</li>
          <li><EdgeSample kind="exposure" /> Internet → LoadBalancer / Ingress</li>
        </ul>
        {colors.length > 0 && (
          <>
            <h4>Namespaces</h4>
            <ul className="namespaces">
              {colors.map(([name, color]) => (
                <li key={name}>
                  <NodeSample kind="namespace" color={color} /> {name}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </details>
  );
}
