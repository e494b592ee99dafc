/** A device in a node's root netns: uplink, bridge or tunnel, with how its name is known. */
import type { DescribedDevice, ElementRef } from '../../../shared/describe/types.ts';
import { addresses, Field, Fields, ProvenanceBadge, RefLink } from './parts.tsx';
import { Title } from './Title.tsx';

export function DeviceDetails({ device, node }: { device: DescribedDevice; node: ElementRef }) {
  return (
    <>
      <Title kind={`Device · ${device.kind}`} name={device.name ?? `${device.kind} (name unknown)`} />
      <Fields>
        <Field label="Node">
          <RefLink target={node} />
        </Field>
        <Field label="Name">
          {device.name ?? <span className="muted">unknown until a node probe reads it</span>} <ProvenanceBadge provenance={device.provenance} />
        </Field>
        <Field label="Addresses">{addresses(device.addresses)}</Field>
        {device.encapsulation && <Field label="Encapsulation">{device.encapsulation.toUpperCase()}</Field>}
        {device.vni !== null && <Field label="VNI">{device.vni}</Field>}
        {device.udpPort !== null && <Field label="UDP port">{device.udpPort}</Field>}
        <Field label="Evidence">{device.evidence}</Field>
      </Fields>
    </>
  );
}
