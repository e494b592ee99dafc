/**
 * What the user clicked, explained: the element's own facts, what joins it to the rest of the
 * network (veth, Services selecting a pod, a Service's endpoints, a node's devices), and the
 * Kubernetes object it came from, loaded on demand.
 *
 * Every fact shown comes from `describeElement` (shared/describe/build.ts), the same description
 * `podpath describe` prints, so the panel and the CLI cannot disagree about the model. This
 * folder only lays the description out and links it to the graph: this file is the panel's frame
 * and picks the view for the element's kind; each kind has its own file.
 */
import { useMemo } from 'react';
import { describeElement } from '../../../shared/describe/build.ts';
import type { ElementDescription } from '../../../shared/describe/types.ts';
import type { PodpathApi } from '../../../shared/ipc.ts';
import type { Topology } from '../../../shared/model/types.ts';
import { endpointTextFor } from '../../../shared/trace/end-text.ts';
import { objectIdForElement } from '../../../shared/topology/ids.ts';
import type { GraphElement } from '../../graph/element-types.ts';
import { AdminPolicyDetails } from './AdminPolicyDetails.tsx';
import { CniPolicyDetails } from './CniPolicyDetails.tsx';
import { ContainerDetails } from './ContainerDetails.tsx';
import { DeviceDetails } from './DeviceDetails.tsx';
import { EndpointDetails } from './EndpointDetails.tsx';
import { ExternalDetails } from './ExternalDetails.tsx';
import { IngressDetails } from './IngressDetails.tsx';
import { KubernetesObject } from './KubernetesObject.tsx';
import { NamespaceDetails } from './NamespaceDetails.tsx';
import { NodeDetails } from './NodeDetails.tsx';
import { PodDetails } from './PodDetails.tsx';
import { PolicyDetails } from './PolicyDetails.tsx';
import { RoutesDetails } from './RoutesDetails.tsx';
import { ServiceDetails } from './ServiceDetails.tsx';
import { DescriptionContext, Title, TraceEndContext } from './Title.tsx';
import { TunnelDetails } from './TunnelDetails.tsx';
import { UnplacedDetails } from './UnplacedDetails.tsx';
import { VethDetails } from './VethDetails.tsx';

export interface DetailsProps {
  api: PodpathApi;
  topology: Topology;
  /** The selected graph element, or null. */
  element: GraphElement | null;
  /** The selected id: a NetworkPolicy, an admin policy or a Calico/Cilium policy (which no graph
   * element draws) is explained from it. */
  selected?: string | null;
}

export function Details({ api, topology, element, selected = null }: DetailsProps) {
  const undrawn = !element && selected !== null && (topology.policies[selected] || topology.adminPolicies[selected] || topology.cniPolicies?.[selected]) ? selected : null;
  const modelId = element?.data.model ?? undrawn;
  const description = useMemo(() => (modelId ? describeElement(topology, modelId) : null), [topology, modelId]);
  if (!element && !undrawn) {
    return (
      <section className="details empty" data-testid="details">
        <p className="muted">Click a node, pod, container, device, Service or edge to see its details.</p>
      </section>
    );
  }
  const objectId = modelId ? objectIdForElement(modelId) : null;
  const traceEnd = modelId ? endpointTextFor(topology, modelId) : null;
  return (
    <section className="details" data-testid="details" data-selected={element?.data.id ?? undrawn ?? undefined}>
      <DescriptionContext.Provider value={description}>
        <TraceEndContext.Provider value={traceEnd}>
          {element ? <DetailsBody topology={topology} element={element} description={description} /> : <UndrawnBody description={description} />}
        </TraceEndContext.Provider>
      </DescriptionContext.Provider>
      {objectId && description && <KubernetesObject key={objectId} api={api} id={objectId} />}
    </section>
  );
}

/** What no graph element draws, reached by a link: a NetworkPolicy, an admin or CNI policy. */
function UndrawnBody({ description }: { description: ElementDescription | null }) {
  if (description?.kind === 'policy') return <PolicyDetails policy={description.policy} />;
  if (description?.kind === 'adminpolicy') return <AdminPolicyDetails policy={description.policy} />;
  if (description?.kind === 'cnipolicy') return <CniPolicyDetails policy={description.policy} />;
  return null;
}

function DetailsBody({ topology, element, description }: { topology: Topology; element: GraphElement; description: ElementDescription | null }) {
  const data = element.data;
  // Canvas-only elements stand for a part of the model, or for a group of elements.
  if (element.group === 'edges' && data.kind === 'tunnel') {
    return <TunnelDetails a={describeElement(topology, element.data.source)} b={describeElement(topology, element.data.target)} />;
  }
  if (element.group === 'nodes' && data.kind === 'routes' && description?.kind === 'node') return <RoutesDetails node={description.node} />;
  if (element.group === 'nodes' && data.kind === 'unscheduled') return <UnplacedDetails topology={topology} />;
  switch (description?.kind) {
    case 'pod':
      return <PodDetails pod={description.pod} topology={topology} />;
    case 'container':
      return <ContainerDetails container={description.container} pod={description.pod} />;
    case 'node':
      return <NodeDetails node={description.node} />;
    case 'device':
      return <DeviceDetails device={description.device} node={description.node} />;
    case 'veth':
      return <VethDetails veth={description.veth} pod={description.pod} node={description.node} />;
    case 'service':
      return <ServiceDetails service={description.service} />;
    case 'endpoint':
      return <EndpointDetails endpoint={description.endpoint} service={description.service} />;
    case 'ingress':
      return <IngressDetails ingress={description.ingress} />;
    case 'policy':
      return <PolicyDetails policy={description.policy} />;
    case 'namespace':
      return <NamespaceDetails namespace={description.namespace} pods={description.pods} services={description.services} />;
    case 'external':
      return <ExternalDetails name={description.name} exposed={description.exposed} />;
    default:
      return <Title kind={data.kind} name={data.label.split('\n')[0] ?? data.id} />;
  }
}
