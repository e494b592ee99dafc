/** A container: its image and ports, and the pod whose netns it shares. */
import { containerPortText } from '../../../shared/describe/format.ts';
import type { DescribedContainer, ElementRef } from '../../../shared/describe/types.ts';
import { addresses, Field, Fields, list, RefLink } from './parts.tsx';
import { Title } from './Title.tsx';

export function ContainerDetails({ container, pod }: { container: DescribedContainer; pod: ElementRef & { ips: string[] } }) {
  return (
    <>
      <Title kind={container.role === 'app' ? 'Container' : `${container.role} container`} name={container.name} namespace={pod.namespace} />
      <Fields>
        <Field label="Pod">
          <RefLink target={pod} />
        </Field>
        <Field label="Image">{container.image ?? <span className="muted">unknown</span>}</Field>
        <Field label="Ports">{list(container.ports.map(containerPortText))}</Field>
        <Field label="Ready">{container.ready ? 'yes' : 'no'}</Field>
        <Field label="Network">shares the pod's netns: its IP ({addresses(pod.ips, 'no IP')}), port space and lo</Field>
      </Fields>
    </>
  );
}
