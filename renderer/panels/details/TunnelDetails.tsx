/** The overlay tunnel drawn between two nodes' tunnel devices: how pod packets cross between them. */
import type { ElementDescription } from '../../../shared/describe/types.ts';
import { addresses, Field, Fields, Link } from './parts.tsx';
import { Title } from './Title.tsx';

export function TunnelDetails({ a, b }: { a: ElementDescription | null; b: ElementDescription | null }) {
  if (a?.kind !== 'device' || b?.kind !== 'device') return <Title kind="Tunnel" name="tunnel" />;
  return (
    <>
      <Title kind="Overlay tunnel" name={`${a.node.name} ⇄ ${b.node.name}`} />
      <Fields>
        <Field label="Devices">
          <Link id={a.device.id}>{a.device.name ?? 'tunnel'}</Link> on {a.node.name}, <Link id={b.device.id}>{b.device.name ?? 'tunnel'}</Link> on {b.node.name}
        </Field>
        <Field label="Encapsulation">
          {(a.device.encapsulation ?? 'unknown').toUpperCase()}
          {a.device.vni !== null && ` VNI ${a.device.vni}`}
          {a.device.udpPort !== null && `, UDP ${a.device.udpPort}`}
        </Field>
        <Field label="Outer addresses">
          {addresses(a.node.internalIPs)} ⇄ {addresses(b.node.internalIPs)}
        </Field>
        <Field label="How">Pod-to-pod packets between these nodes are wrapped by the tunnel device and sent between the nodes' InternalIPs.</Field>
      </Fields>
    </>
  );
}
