/**
 * A trace's hops, in order: what each does, the packet after it, and the evidence behind it (text,
 * with a way to show the object it names, and a command to copy). A hop hovered or chosen here is
 * marked on the graph; the hops at the element hovered on the graph are marked here.
 */
import { useEffect, useRef } from 'react';
import type { Hop, Packet } from '../../../shared/trace/types.ts';
import { select } from '../../state/ui.ts';
import { CopyButton } from '../details/CopyButton.tsx';
import type { HopMarks } from '../TracePanel.tsx';
import { printable } from '../../../shared/text/printable.ts';

/** As the graph shows them: an observed fact plainly, an inferred one in italics. */
const provenanceTitle: Record<Hop['provenance'], string> = {
  observed: 'Observed: the device, veth, route or kube-proxy rule was read off the node by a probe',
  inferred: 'Inferred: from the API and how the CNI and kube-proxy work; no probe read this on the node',
};

function packetText(p: Packet): string {
  const end = (address: string, port: number | undefined) => (port === undefined ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  const outer = p.outer ? `  (in ${p.outer.protocol}${p.outer.vni !== undefined ? ` VNI ${p.outer.vni}` : ''} ${p.outer.src} → ${p.outer.dst}${p.outer.dstPort ? `:${p.outer.dstPort}` : ''})` : '';
  return `${end(p.src, p.srcPort)} → ${end(p.dst, p.dstPort)} ${p.protocol}${outer}`;
}

/** `hops` numbered from `start`, as the graph numbers them. */
export function HopList({ hops, start, testId, marks }: { hops: Hop[]; start: number; testId: string; marks: HopMarks }) {
  const list = useRef<HTMLOListElement>(null);
  // Where nothing was read off a node every hop is inferred, which the graph's italics already
  // say: the marker is for telling the observed hops from the rest.
  const isMixed = hops.some((hop) => hop.provenance === 'observed');
  // Hovering an element on the graph brings its hops into view here.
  useEffect(() => {
    list.current?.querySelector('.is-on-graph')?.scrollIntoView({ block: 'nearest' });
  }, [marks.onGraph]);
  return (
    <ol className="trace-hops" start={start} data-testid={testId} ref={list}>
      {hops.map((hop, i) => {
        const number = start + i;
        const isDeciding = number === marks.deciding;
        const isBlocking = marks.blocking.has(number);
        const classes = ['trace-hop', `hop-${hop.kind}`, ...(number === marks.active ? ['is-active'] : []), ...(marks.onGraph.has(number) ? ['is-on-graph'] : []), ...(isDeciding ? ['is-deciding'] : []), ...(isBlocking ? ['is-blocking'] : [])];
        return (
          <li key={i} className={classes.join(' ')} data-kind={hop.kind} data-hop={number} onMouseEnter={() => marks.onHover(number)} onMouseLeave={() => marks.onHover(null)}>
            <button type="button" className="trace-hop-head" aria-pressed={number === marks.chosen} title="Show this hop on the graph" onClick={() => marks.onChoose(number)} onFocus={() => marks.onHover(number)} onBlur={() => marks.onHover(null)}>
              {isDeciding && (
                <span className="trace-hop-deciding" aria-label="denied or dropped here">
                  ✕
                </span>
              )}
              {isBlocking && (
                <span className="trace-hop-deciding trace-hop-blocking" aria-label="would be denied or dropped here too">
                  ×
                </span>
              )}
              <span className="trace-hop-kind">{hop.kind}</span>{' '}
              {(hop.provenance === 'observed' || isMixed) && (
                <>
                  <span className={`trace-hop-provenance small provenance-${hop.provenance}`} title={provenanceTitle[hop.provenance]} data-provenance={hop.provenance}>
                    {hop.provenance}
                  </span>{' '}
                </>
              )}
              {printable(hop.label)}
            </button>
            <div className="trace-packet">{packetText(hop.packet)}</div>
            {hop.evidence.length > 0 && (
              <ul className="trace-evidence">
                {hop.evidence.map((e, j) => (
                  <li key={j}>
                    {e.text}
                    {e.object && (
                      <>
                        {' '}
                        <button type="button" className="link trace-evidence-show" title={`Select ${e.object} on the graph`} onClick={() => select(e.object!)}>
                          show
                        </button>
                      </>
                    )}
                    {e.command && (
                      <div className="trace-command-row">
                        <code className="trace-command">$ {e.command}</code>
                        <CopyButton text={e.command} label="Copy the command" />
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
