/**
 * What the user clicked, explained: the element's own facts, what joins it to the rest of the
 * network (veth, Services selecting a pod, a Service's endpoints, a node's devices), and the
 * Kubernetes object it came from, loaded on demand.
 */
import { useState, type ReactNode, type SyntheticEvent } from 'react';
import type { ObjectView, PodpathApi } from '../../shared/ipc.ts';
import type {
  ContainerRecord,
  Device,
  EndpointRecord,
  Host,
  IngressRecord,
  PodRecord,
  Provenance,
  ServiceRecord,
  Topology,
  VethRecord,
} from '../../shared/model/types.ts';
import { objectIdForElement } from '../../shared/topology/ids.ts';
import { endpointState, servicePortText, type GraphElement } from '../graph/elements.ts';
import { modelElement } from '../model-lookup.ts';
import { select } from '../state/ui.ts';

export interface DetailsProps {
  api: PodpathApi;
  topology: Topology;
  /** The selected graph element, or null. */
  element: GraphElement | null;
}

export function Details({ api, topology, element }: DetailsProps) {
  if (!element) {
    return (
      <section className="details empty" data-testid="details">
        <p className="muted">Click a node, pod, container, device, Service or edge to see its details.</p>
      </section>
    );
  }
  const model = modelElement(topology, element.data.model);
  const objectId = element.data.model ? objectIdForElement(element.data.model) : null;
  return (
    <section className="details" data-testid="details" data-selected={element.data.id}>
      <DetailsBody topology={topology} element={element} />
      {objectId && model && <KubernetesObject key={objectId} api={api} id={objectId} />}
    </section>
  );
}

function DetailsBody({ topology, element }: { topology: Topology; element: GraphElement }) {
  const model = modelElement(topology, element.data.model);
  const data = element.data;
  if (element.group === 'edges') {
    if (data.kind === 'tunnel' && element.group === 'edges') return <TunnelDetails topology={topology} source={element.data.source} target={element.data.target} />;
    if (data.kind === 'backend' && model?.kind === 'ingress') return <IngressDetails topology={topology} ingress={model} />;
    if (data.kind === 'exposure' && model?.kind === 'service') return <ServiceDetails topology={topology} service={model} />;
    if (data.kind === 'exposure' && model?.kind === 'ingress') return <IngressDetails topology={topology} ingress={model} />;
  } else {
    if (data.kind === 'routes' && model?.kind === 'host') return <RoutesDetails topology={topology} host={model} />;
    if (data.kind === 'unscheduled') return <UnscheduledDetails topology={topology} />;
    if (data.kind === 'service-group') return <NamespaceServices topology={topology} id={data.id} />;
    if (data.kind === 'internet') return <InternetDetails topology={topology} />;
  }
  switch (model?.kind) {
    case 'pod':
      return <PodDetails topology={topology} pod={model} />;
    case 'container':
      return <ContainerDetails topology={topology} container={model} />;
    case 'host':
      return <HostDetails topology={topology} host={model} />;
    case 'device':
      return <DeviceDetails topology={topology} device={model} />;
    case 'veth':
      return <VethDetails topology={topology} veth={model} />;
    case 'service':
      return <ServiceDetails topology={topology} service={model} />;
    case 'endpoint':
      return <EndpointDetails topology={topology} endpoint={model} />;
    case 'ingress':
      return <IngressDetails topology={topology} ingress={model} />;
    default:
      return <Title kind={data.kind} name={data.label.split('\n')[0] ?? data.id} />;
  }
}

// --- Building blocks ---

function Title({ kind, name, namespace }: { kind: string; name: string; namespace?: string }) {
  return (
    <header className="details-title">
      <div className="details-kind">{kind}</div>
      <h2>{name}</h2>
      {namespace && <div className="muted">namespace {namespace}</div>}
    </header>
  );
}

function Fields({ children }: { children: ReactNode }) {
  return <dl className="fields">{children}</dl>;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="details-section">
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function Link({ id, children }: { id: string; children: ReactNode }) {
  return (
    <button type="button" className="link" onClick={() => select(id)}>
      {children}
    </button>
  );
}

function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return <span className="muted">none</span>;
  return (
    <span className="chips">
      {entries.map(([k, v]) => (
        <code key={k} className="chip">
          {k}={v}
        </code>
      ))}
    </span>
  );
}

function ProvenanceBadge({ provenance }: { provenance: Provenance }) {
  return <span className={`badge provenance-${provenance}`}>{provenance}</span>;
}

function StateBadge({ state }: { state: 'ready' | 'not-ready' | 'terminating' }) {
  return <span className={`badge state-${state}`}>{state === 'not-ready' ? 'not ready' : state}</span>;
}

function list(values: string[], empty = 'none'): ReactNode {
  return values.length > 0 ? values.join(', ') : <span className="muted">{empty}</span>;
}

function hostName(topology: Topology, id: string | null): string {
  return (id && topology.hosts[id]?.name) || (id ? id.replace(/^node:/, '') : 'unscheduled');
}

// --- Per kind ---

function PodDetails({ topology, pod }: { topology: Topology; pod: PodRecord }) {
  const containers = pod.containers.map((id) => topology.containers[id]).filter((c): c is ContainerRecord => c !== undefined);
  const veth = pod.veth ? topology.veths[pod.veth] : undefined;
  const selecting = Object.values(topology.endpoints).filter((e) => e.pod === pod.id);
  return (
    <>
      <Title kind={pod.isHostNetwork ? 'Pod · host network' : 'Pod'} name={pod.name} namespace={pod.namespace} />
      <Fields>
        <Field label="IPs">{list(pod.ips, 'no IP')}</Field>
        <Field label="Node">{pod.host ? <Link id={pod.host}>{hostName(topology, pod.host)}</Link> : <span className="muted">unscheduled</span>}</Field>
        <Field label="Phase">
          {pod.phase} · {pod.isReady ? 'Ready' : 'not Ready'}
        </Field>
        <Field label="Network">
          {pod.isHostNetwork ? "the node's root netns (hostNetwork: no veth, the node's IPs, outside NetworkPolicy)" : 'its own netns, eth0'}
        </Field>
        <Field label="Owner">{pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : <span className="muted">none</span>}</Field>
        <Field label="Labels">
          <Labels labels={pod.labels} />
        </Field>
      </Fields>
      <Section title={`Containers (${containers.length})`}>
        <ul className="rows">
          {containers.map((c) => (
            <li key={c.id}>
              <Link id={c.id}>{c.name}</Link> {c.role !== 'app' && <span className="badge">{c.role}</span>} {!c.isReady && <span className="badge state-not-ready">not ready</span>}
              <div className="muted small">
                {c.image ?? 'no image'}
                {c.ports.length > 0 && ` · ports ${c.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ')}`}
              </div>
            </li>
          ))}
        </ul>
      </Section>
      {!pod.isHostNetwork && (
        <Section title="veth">{veth ? <VethFacts topology={topology} veth={veth} /> : <p className="muted">No veth: the pod has no IP yet, so its network is not wired.</p>}</Section>
      )}
      <Section title={`Selected by Services (${selecting.length})`}>
        {selecting.length === 0 ? (
          <p className="muted">No Service has an endpoint for this pod.</p>
        ) : (
          <ul className="rows">
            {selecting.map((e) => {
              const service = topology.services[e.service];
              return (
                <li key={e.id}>
                  <Link id={e.service}>{service ? `${service.namespace}/${service.name}` : e.service}</Link> <StateBadge state={endpointState(e)} />
                  <div className="muted small">
                    endpoint {e.address}
                    {e.ports.length > 0 && ` · ${e.ports.map((p) => `${p.port}/${p.protocol}`).join(', ')}`}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Section>
    </>
  );
}

function VethFacts({ topology, veth }: { topology: Topology; veth: VethRecord }) {
  const bridge = veth.bridge ? topology.devices[veth.bridge] : undefined;
  return (
    <Fields>
      <Field label="Host end">
        {veth.hostEnd.name && veth.hostEnd.provenance !== 'unknown' ? (
          <code className={veth.hostEnd.provenance === 'inferred' ? 'inferred' : undefined}>{veth.hostEnd.name}</code>
        ) : (
          <code>veth?</code>
        )}{' '}
        <ProvenanceBadge provenance={veth.hostEnd.name ? veth.hostEnd.provenance : 'unknown'} />
        <div className="muted small">{veth.hostEnd.how}</div>
      </Field>
      <Field label="Pod end">
        <code>{veth.podEnd.name}</code> {list(veth.podEnd.addresses)}
      </Field>
      {bridge && (
        <Field label="Bridge">
          <Link id={bridge.id}>{bridge.name ?? 'bridge'}</Link> {list(bridge.addresses)}
        </Field>
      )}
      {veth.hostRoutes.length > 0 && <Field label="Host routes">{veth.hostRoutes.map((r) => `${r} dev ${veth.hostEnd.name ?? 'veth?'}`).join(', ')}</Field>}
    </Fields>
  );
}

function ContainerDetails({ topology, container }: { topology: Topology; container: ContainerRecord }) {
  const pod = topology.pods[container.pod];
  return (
    <>
      <Title kind={container.role === 'app' ? 'Container' : `${container.role} container`} name={container.name} namespace={pod?.namespace} />
      <Fields>
        <Field label="Pod">{pod ? <Link id={pod.id}>{pod.name}</Link> : container.pod}</Field>
        <Field label="Image">{container.image ?? <span className="muted">unknown</span>}</Field>
        <Field label="Ports">{list(container.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`))}</Field>
        <Field label="Ready">{container.isReady ? 'yes' : 'no'}</Field>
        <Field label="Network">shares the pod's netns: its IP ({pod ? list(pod.ips, 'no IP') : '?'}), port space and lo</Field>
      </Fields>
    </>
  );
}

function HostDetails({ topology, host }: { topology: Topology; host: Host }) {
  const devices = host.devices.map((id) => topology.devices[id]).filter((d): d is Device => d !== undefined);
  const pods = Object.values(topology.pods).filter((p) => p.host === host.id);
  return (
    <>
      <Title kind="Node" name={host.name} />
      <Fields>
        <Field label="Ready">{host.isReady ? 'yes' : 'no'}</Field>
        <Field label="InternalIP">{list(host.internalIPs)}</Field>
        <Field label="ExternalIP">{list(host.externalIPs)}</Field>
        <Field label="podCIDRs">{list(host.podCIDRs)}</Field>
        <Field label="Zone">{host.zone ?? <span className="muted">none</span>}</Field>
        <Field label="kubelet">{host.kubeletVersion ?? <span className="muted">unknown</span>}</Field>
        <Field label="Pods">
          {pods.length} ({pods.filter((p) => p.isHostNetwork).length} on the host network)
        </Field>
        <Field label="Labels">
          <Labels labels={host.labels} />
        </Field>
      </Fields>
      <Section title={`Devices in the root netns (${devices.length})`}>
        <ul className="rows">
          {devices.map((d) => (
            <li key={d.id}>
              <Link id={d.id}>{d.name ?? d.type}</Link> <span className="badge">{d.type}</span> <ProvenanceBadge provenance={d.name ? d.nameProvenance : 'unknown'} />
              <div className="muted small">{list(d.addresses, 'no address')}</div>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

function DeviceDetails({ topology, device }: { topology: Topology; device: Device }) {
  return (
    <>
      <Title kind={`Device · ${device.type}`} name={device.name ?? `${device.type} (name unknown)`} />
      <Fields>
        <Field label="Node">
          <Link id={device.host}>{hostName(topology, device.host)}</Link>
        </Field>
        <Field label="Name">
          {device.name ?? <span className="muted">unknown until a node probe reads it</span>} <ProvenanceBadge provenance={device.name ? device.nameProvenance : 'unknown'} />
        </Field>
        <Field label="Addresses">{list(device.addresses)}</Field>
        {device.encapsulation && <Field label="Encapsulation">{device.encapsulation.toUpperCase()}</Field>}
        {device.vni != null && <Field label="VNI">{device.vni}</Field>}
        {device.udpPort != null && <Field label="UDP port">{device.udpPort}</Field>}
        <Field label="Evidence">{device.evidence}</Field>
      </Fields>
    </>
  );
}

function VethDetails({ topology, veth }: { topology: Topology; veth: VethRecord }) {
  const pod = topology.pods[veth.pod];
  return (
    <>
      <Title kind="veth pair" name={veth.hostEnd.name && veth.hostEnd.provenance !== 'unknown' ? veth.hostEnd.name : 'veth?'} namespace={pod?.namespace} />
      <Fields>
        <Field label="Pod">{pod ? <Link id={pod.id}>{pod.name}</Link> : veth.pod}</Field>
        <Field label="Node">
          <Link id={veth.host}>{hostName(topology, veth.host)}</Link>
        </Field>
      </Fields>
      <VethFacts topology={topology} veth={veth} />
    </>
  );
}

function ServiceDetails({ topology, service }: { topology: Topology; service: ServiceRecord }) {
  const endpoints = Object.values(topology.endpoints)
    .filter((e) => e.service === service.id)
    .sort((a, b) => (a.address < b.address ? -1 : 1));
  const address =
    service.type === 'ExternalName' ? `ExternalName → ${service.externalName ?? '?'}` : service.isHeadless ? 'headless (DNS returns the pod IPs)' : list(service.clusterIPs);
  return (
    <>
      <Title kind={`Service · ${service.type}`} name={service.name} namespace={service.namespace} />
      <Fields>
        <Field label="ClusterIP">{address}</Field>
        <Field label="Ports">{list(service.ports.map((p) => `${p.name ? `${p.name} ` : ''}${servicePortText(p)}`), 'no ports')}</Field>
        <Field label="Selector">{service.selector ? <Labels labels={service.selector} /> : <span className="muted">none (EndpointSlices managed by hand)</span>}</Field>
        {service.loadBalancerIngress.length > 0 && <Field label="LoadBalancer">{list(service.loadBalancerIngress)}</Field>}
        {service.type === 'LoadBalancer' && service.loadBalancerIngress.length === 0 && <Field label="LoadBalancer">pending: no address yet</Field>}
        {service.externalIPs.length > 0 && <Field label="External IPs">{list(service.externalIPs)}</Field>}
        {service.externalTrafficPolicy && <Field label="externalTrafficPolicy">{service.externalTrafficPolicy}</Field>}
        <Field label="internalTrafficPolicy">{service.internalTrafficPolicy}</Field>
        <Field label="Session affinity">{service.sessionAffinity}</Field>
        <Field label="Labels">
          <Labels labels={service.labels} />
        </Field>
      </Fields>
      <Section title={`Endpoints (${endpoints.length}, ${endpoints.filter((e) => e.isReady).length} ready)`}>
        {endpoints.length === 0 ? (
          <p className="muted">{service.type === 'ExternalName' ? 'An ExternalName Service is a DNS CNAME: no endpoints.' : 'No endpoints: connections to this Service are rejected.'}</p>
        ) : (
          <ul className="rows">
            {endpoints.map((e) => {
              const pod = e.pod ? topology.pods[e.pod] : undefined;
              return (
                <li key={e.id}>
                  <code>{e.address}</code> <StateBadge state={endpointState(e)} /> {pod ? <Link id={pod.id}>{pod.name}</Link> : <span className="muted">no pod</span>}
                  <div className="muted small">
                    {e.nodeName ? `on ${e.nodeName}` : 'node unknown'} · ready {String(e.isReady)}, serving {String(e.isServing)}, terminating {String(e.isTerminating)}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Section>
    </>
  );
}

function EndpointDetails({ topology, endpoint }: { topology: Topology; endpoint: EndpointRecord }) {
  const service = topology.services[endpoint.service];
  const pod = endpoint.pod ? topology.pods[endpoint.pod] : undefined;
  return (
    <>
      <Title kind="Endpoint" name={endpoint.address} namespace={service?.namespace} />
      <Fields>
        <Field label="State">
          <StateBadge state={endpointState(endpoint)} />
        </Field>
        <Field label="Service">{service ? <Link id={service.id}>{service.name}</Link> : endpoint.service}</Field>
        <Field label="Pod">{pod ? <Link id={pod.id}>{pod.name}</Link> : <span className="muted">none</span>}</Field>
        <Field label="Node">{endpoint.nodeName ?? <span className="muted">unknown</span>}</Field>
        <Field label="Zone">{endpoint.zone ?? <span className="muted">none</span>}</Field>
        <Field label="Conditions">
          ready {String(endpoint.isReady)}, serving {String(endpoint.isServing)}, terminating {String(endpoint.isTerminating)}
        </Field>
        <Field label="Ports">{list(endpoint.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`))}</Field>
        <Field label="EndpointSlice">{endpoint.slice}</Field>
      </Fields>
    </>
  );
}

function IngressDetails({ topology, ingress }: { topology: Topology; ingress: IngressRecord }) {
  return (
    <>
      <Title kind="Ingress" name={ingress.name} namespace={ingress.namespace} />
      <Fields>
        <Field label="Class">{ingress.className ?? <span className="muted">default</span>}</Field>
        <Field label="Controller">{ingress.controller ?? <span className="muted">unknown</span>}</Field>
        <Field label="Address">{list(ingress.loadBalancerIngress, 'none yet')}</Field>
        <Field label="TLS hosts">{list(ingress.tlsHosts)}</Field>
      </Fields>
      <Section title={`Rules (${ingress.rules.length})`}>
        <ul className="rows">
          {ingress.rules.map((r, i) => {
            const service = topology.services[r.service];
            return (
              <li key={i}>
                <code>
                  {r.host ?? '*'}
                  {r.path ?? '/'}
                </code>{' '}
                → {service ? <Link id={service.id}>{service.name}</Link> : r.service}
                {r.port != null && `:${r.port}`}
                {r.pathType && <span className="muted small"> ({r.pathType})</span>}
              </li>
            );
          })}
        </ul>
      </Section>
    </>
  );
}

function TunnelDetails({ topology, source, target }: { topology: Topology; source: string; target: string }) {
  const a = topology.devices[source];
  const b = topology.devices[target];
  if (!a || !b) return <Title kind="Tunnel" name="tunnel" />;
  const hostA = topology.hosts[a.host];
  const hostB = topology.hosts[b.host];
  return (
    <>
      <Title kind="Overlay tunnel" name={`${hostA?.name ?? a.host} ⇄ ${hostB?.name ?? b.host}`} />
      <Fields>
        <Field label="Devices">
          <Link id={a.id}>{a.name ?? 'tunnel'}</Link> on {hostA?.name}, <Link id={b.id}>{b.name ?? 'tunnel'}</Link> on {hostB?.name}
        </Field>
        <Field label="Encapsulation">
          {(a.encapsulation ?? 'unknown').toUpperCase()}
          {a.vni != null && ` VNI ${a.vni}`}
          {a.udpPort != null && `, UDP ${a.udpPort}`}
        </Field>
        <Field label="Outer addresses">
          {list(hostA?.internalIPs ?? [])} ⇄ {list(hostB?.internalIPs ?? [])}
        </Field>
        <Field label="How">Pod-to-pod packets between these nodes are wrapped by the tunnel device and sent between the nodes' InternalIPs.</Field>
      </Fields>
    </>
  );
}

function RoutesDetails({ topology, host }: { topology: Topology; host: Host }) {
  const veths = Object.values(topology.veths).filter((v) => v.host === host.id && v.hostRoutes.length > 0);
  return (
    <>
      <Title kind="Root netns routes" name={host.name} />
      <p className="muted">A routed CNI puts no bridge between pods: each pod IP has a host route to its pod's veth.</p>
      <ul className="rows">
        {veths.map((v) => (
          <li key={v.id}>
            <code>
              {v.hostRoutes.join(', ')} dev {v.hostEnd.name ?? 'veth?'}
            </code>{' '}
            <ProvenanceBadge provenance={v.hostEnd.name ? v.hostEnd.provenance : 'unknown'} />{' '}
            {topology.pods[v.pod] && <Link id={v.pod}>{topology.pods[v.pod]!.name}</Link>}
          </li>
        ))}
      </ul>
    </>
  );
}

function UnscheduledDetails({ topology }: { topology: Topology }) {
  const pods = Object.values(topology.pods).filter((p) => !p.host || !topology.hosts[p.host]);
  const pending = pods.filter((p) => !p.host);
  const elsewhere = pods.filter((p) => p.host);
  const nodesUnavailable = topology.cluster.unavailableKinds.find((k) => k.kind.toLowerCase() === 'nodes');
  return (
    <>
      <Title kind="Group" name={elsewhere.length === 0 ? 'Unscheduled pods' : 'Pods not drawn on a node'} />
      {pending.length > 0 && (
        <section className="details-section">
          <h3>Unscheduled</h3>
          <p className="muted">Pods no node has taken yet: no netns, no veth, no IP.</p>
          <ul className="rows">
            {pending.map((p) => (
              <li key={p.id}>
                <Link id={p.id}>{p.name}</Link> <span className="muted small">{p.namespace} · {p.phase}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {elsewhere.length > 0 && (
        <section className="details-section">
          <h3>On nodes not shown</h3>
          <p className="muted">
            Scheduled on a node whose Node object is not in the view
            {nodesUnavailable ? ` (Nodes could not be read: ${nodesUnavailable.reason.replace(/\.$/, '')})` : ''}, so its root netns, veths and routes
            cannot be drawn.
          </p>
          <ul className="rows">
            {elsewhere.map((p) => (
              <li key={p.id}>
                <Link id={p.id}>{p.name}</Link>{' '}
                <span className="muted small">
                  {p.namespace} · on {p.host!.replace(/^node:/, '')} · {p.ips.join(', ') || p.phase}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function NamespaceServices({ topology, id }: { topology: Topology; id: string }) {
  const namespace = id.replace(/^group:services\//, '');
  const services = Object.values(topology.services).filter((s) => s.namespace === namespace);
  const record = topology.namespaces[`ns:${namespace}`];
  return (
    <>
      <Title kind="Namespace" name={namespace} />
      <Fields>
        <Field label="Labels">
          <Labels labels={record?.labels ?? {}} />
        </Field>
        <Field label="Pods">{Object.values(topology.pods).filter((p) => p.namespace === namespace).length}</Field>
      </Fields>
      <Section title={`Services (${services.length})`}>
        <ul className="rows">
          {services.map((s) => (
            <li key={s.id}>
              <Link id={s.id}>{s.name}</Link> <span className="muted small">{s.type}</span>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

function InternetDetails({ topology }: { topology: Topology }) {
  const services = Object.values(topology.services).filter((s) => s.type === 'LoadBalancer' || s.externalIPs.length > 0);
  const ingresses = Object.values(topology.ingresses);
  return (
    <>
      <Title kind="External" name="Internet" />
      <p className="muted">Traffic from outside the cluster enters through a LoadBalancer address, an external IP, a nodeIP:nodePort, or an Ingress.</p>
      <Section title="Exposed">
        {services.length + ingresses.length === 0 ? (
          <p className="muted">Nothing is exposed through a LoadBalancer or an Ingress.</p>
        ) : (
          <ul className="rows">
            {services.map((s) => (
              <li key={s.id}>
                <Link id={s.id}>{s.name}</Link> <span className="muted small">{list([...s.loadBalancerIngress, ...s.externalIPs], 'address pending')}</span>
              </li>
            ))}
            {ingresses.map((i) => (
              <li key={i.id}>
                <Link id={i.id}>ingress {i.name}</Link> <span className="muted small">{list(i.loadBalancerIngress, 'no address yet')}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

// --- The Kubernetes object, fetched when first opened ---

type ObjectState = { status: 'idle' } | { status: 'loading' } | { status: 'loaded'; object: ObjectView | null } | { status: 'failed'; error: string };

function KubernetesObject({ api, id }: { api: PodpathApi; id: string }) {
  const [state, setState] = useState<ObjectState>({ status: 'idle' });
  // Keyed by id, so a new selection is a new component and a late reply cannot land on it.
  const onToggle = (event: SyntheticEvent<HTMLDetailsElement>) => {
    if (!event.currentTarget.open || state.status !== 'idle') return;
    setState({ status: 'loading' });
    api.getObject({ id }).then(
      (object) => setState({ status: 'loaded', object }),
      (error: unknown) => setState({ status: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  };

  return (
    <details className="details-section object" data-testid="kubernetes-object" onToggle={onToggle}>
      <summary>Kubernetes object</summary>
      {state.status === 'loading' && <p className="muted">Loading…</p>}
      {state.status === 'failed' && <p className="error">Could not load the object: {state.error}</p>}
      {state.status === 'loaded' &&
        (state.object ? (
          <pre className="json">{JSON.stringify(state.object.object, null, 2)}</pre>
        ) : (
          <p className="muted">No Kubernetes object is stored for {id}.</p>
        ))}
    </details>
  );
}
