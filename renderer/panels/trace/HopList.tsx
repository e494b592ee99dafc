/** A trace's hops, in order: what each does, the packet after it, and the evidence behind it. */
import type { Hop, Packet } from '../../../shared/trace/types.ts';
import { select } from '../../state/ui.ts';

function packetText(p: Packet): string {
  const end = (address: string, port: number | undefined) => (port === undefined ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
  const outer = p.outer ? `  (in ${p.outer.protocol}${p.outer.vni !== undefined ? ` VNI ${p.outer.vni}` : ''} ${p.outer.src} → ${p.outer.dst}${p.outer.dstPort ? `:${p.outer.dstPort}` : ''})` : '';
  return `${end(p.src, p.srcPort)} → ${end(p.dst, p.dstPort)} ${p.protocol}${outer}`;
}

export function HopList({ hops, start, testId }: { hops: Hop[]; start: number; testId: string }) {
  return (
    <ol className="trace-hops" start={start} data-testid={testId}>
      {hops.map((hop, i) => (
        <li key={i} className={`trace-hop hop-${hop.kind}`} data-kind={hop.kind}>
          <div className="trace-hop-head">
            <span className="trace-hop-kind">{hop.kind}</span> {hop.label}
          </div>
          <div className="trace-packet">{packetText(hop.packet)}</div>
          {hop.evidence.length > 0 && (
            <ul className="trace-evidence">
              {hop.evidence.map((e, j) => (
                <li key={j}>
                  {e.object ? (
                    <button type="button" className="link" onClick={() => select(e.object!)}>
                      {e.text}
                    </button>
                  ) : (
                    e.text
                  )}
                  {e.command && <code className="trace-command">$ {e.command}</code>}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
