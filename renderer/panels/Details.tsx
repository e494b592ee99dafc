/**
 * What the user clicked, explained: the element's own facts, what joins it to the rest of the
 * network (veth, Services selecting a pod, a Service's endpoints, a node's devices), and the
 * Kubernetes object it came from, loaded on demand.
 *
 * Every fact shown comes from `describeElement` (shared/describe.ts), the same description
 * `podpath describe` prints, so the panel and the CLI cannot disagree about the model. This
 * file only lays the description out and links it to the graph.
 *
 * Actions: a copy button beside every address, interface and chain name and the element's own
 * name, "Copy as JSON" for the whole description, and the trimmed Kubernetes object as YAML.
 * "Trace from/to here" waits for the trace feature: no button is drawn until it exists.
 */
import { editTrace } from '../state/ui.ts';
import { endpointTextFor } from '../../shared/trace/endpoints.ts';
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import {
  containerPortText,
  describeElement,
  describeUnplacedPods,
  routeText,
  serviceAddressText,
  servicePortText,
  type DescribedContainer,
  type DescribedDevice,
  type DescribedEndpoint,
  type DescribedIngress,
  type DescribedNamespace,
  type DescribedNode,
  type DescribedPod,
  type DescribedPolicy,
  type DescribedService,
  type DescribedVeth,
  type ElementDescription,
  type ElementRef,
  type EndpointState,
} from '../../shared/describe.ts';
import type { ObjectView, PodpathApi } from '../../shared/ipc.ts';
import type { Provenance, Topology } from '../../shared/model/types.ts';
import { objectIdForElement } from '../../shared/topology/ids.ts';
import type { GraphElement } from '../graph/elements.ts';
import { select } from '../state/ui.ts';
import { copyableName, copyText, descriptionJson, kubectlGetCommand, objectYaml } from './copy.ts';

export interface DetailsProps {
  api: PodpathApi;
  topology: Topology;
  /** The selected graph element, or null. */
  element: GraphElement | null;
}

export function Details({ api, topology, element }: DetailsProps) {
  const modelId = element?.data.model ?? null;
  const description = useMemo(() => (modelId ? describeElement(topology, modelId) : null), [topology, modelId]);
  if (!element) {
    return (
      <section className="details empty" data-testid="details">
        <p className="muted">Click a node, pod, container, device, Service or edge to see its details.</p>
      </section>
    );
  }
  const objectId = modelId ? objectIdForElement(modelId) : null;
  const traceEnd = modelId ? endpointTextFor(topology, modelId) : null;
  return (
    <section className="details" data-testid="details" data-selected={element.data.id}>
      <DescriptionContext.Provider value={description}>
        <TraceEndContext.Provider value={traceEnd}>
          <DetailsBody topology={topology} element={element} description={description} />
        </TraceEndContext.Provider>
      </DescriptionContext.Provider>
      {objectId && description && <KubernetesObject key={objectId} api={api} id={objectId} />}
    </section>
  );
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
      return <PodDetails pod={description.pod} />;
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

// --- Building blocks ---

/** The selected element's description, for the title's copy actions. */
const DescriptionContext = createContext<ElementDescription | null>(null);
/** The selected element as a trace end (`shop/frontend-1`, `svc/shop/backend`), if it can be one. */
const TraceEndContext = createContext<string | null>(null);

function Title({ kind, name, namespace }: { kind: string; name: string; namespace?: string }) {
  const description = useContext(DescriptionContext);
  const copyName = description ? copyableName(description) : null;
  const traceEnd = useContext(TraceEndContext);
  return (
    <header className="details-title">
      <div className="details-kind">{kind}</div>
      <h2>
        {name}
        {copyName && <CopyButton text={copyName} />}
      </h2>
      {namespace && <div className="muted">namespace {namespace}</div>}
      {description && (
        <div className="details-actions">
          <CopyButton text={descriptionJson(description)} label="Copy as JSON" title="Copy everything this panel shows, as JSON (the podpath describe record)">
            Copy as JSON
          </CopyButton>
          {traceEnd && (
            <>
              <button type="button" className="button button-small" data-testid="trace-from-here" title={`Trace from ${traceEnd}`} onClick={() => editTrace({ from: traceEnd })}>
                Trace from here
              </button>
              <button type="button" className="button button-small" data-testid="trace-to-here" title={`Trace to ${traceEnd}`} onClick={() => editTrace({ to: traceEnd })}>
                Trace to here
              </button>
            </>
          )}
        </div>
      )}
    </header>
  );
}

type CopyState = { status: 'idle' } | { status: 'copied' } | { status: 'failed'; reason: string };

/**
 * Copies `text` on click and says so beside itself: "Copied", or why the clipboard refused.
 * Icon-sized unless it has children (a labelled action such as "Copy as JSON").
 */
function CopyButton({ text, label = `Copy ${text}`, title, children }: { text: string; label?: string; title?: string; children?: ReactNode }) {
  const [state, setState] = useState<CopyState>({ status: 'idle' });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);
  const onClick = () => {
    void copyText(text).then((result) => {
      if (!mounted.current) return;
      setState(result.ok ? { status: 'copied' } : { status: 'failed', reason: result.reason });
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setState({ status: 'idle' }), result.ok ? 1500 : 5000);
    });
  };
  return (
    <span className="copy">
      <button type="button" className={children ? 'button button-small' : 'copy-button'} aria-label={label} title={title ?? label} onClick={onClick}>
        {children ?? <CopyIcon done={state.status === 'copied'} />}
      </button>
      <span role="status" className={state.status === 'failed' ? 'copy-status error' : 'copy-status'} data-testid={state.status === 'idle' ? undefined : 'copy-status'}>
        {state.status === 'copied' ? 'Copied' : state.status === 'failed' ? `Not copied. ${state.reason}` : ''}
      </span>
    </span>
  );
}

function CopyIcon({ done }: { done: boolean }) {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {done ? (
        <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
      ) : (
        <>
          <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </>
      )}
    </svg>
  );
}

/** A value the user may want elsewhere (an address, a chain or interface name), with its copy button. */
function Copyable({ value, className, children }: { value: string; className?: string; children?: ReactNode }) {
  return (
    <span className="copyable">
      <code className={className}>{children ?? value}</code>
      <CopyButton text={value} />
    </span>
  );
}

/** Addresses, each with its copy button; `empty` when there are none. */
function addresses(values: readonly string[], empty = 'none'): ReactNode {
  if (values.length === 0) return <span className="muted">{empty}</span>;
  return values.map((v, i) => (
    <span key={`${i} ${v}`}>
      {i > 0 && ', '}
      <Copyable value={v} />
    </span>
  ));
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

function RefLink({ target }: { target: ElementRef }) {
  return <Link id={target.id}>{target.name}</Link>;
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

function StateBadge({ state }: { state: EndpointState }) {
  return <span className={`badge state-${state}`}>{state === 'not-ready' ? 'not ready' : state}</span>;
}

function list(values: readonly string[], empty = 'none'): ReactNode {
  return values.length > 0 ? values.join(', ') : <span className="muted">{empty}</span>;
}

/** `namespace/name` → the part after the namespace, for a link inside the namespace's context. */
function shortName(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

// --- Per kind ---

function PodDetails({ pod }: { pod: DescribedPod }) {
  return (
    <>
      <Title kind={pod.hostNetwork ? 'Pod · host network' : 'Pod'} name={pod.name} namespace={pod.namespace} />
      <Fields>
        <Field label="IPs">{addresses(pod.ips, 'no IP')}</Field>
        <Field label="Node">{pod.nodeId && pod.node ? <Link id={pod.nodeId}>{pod.node}</Link> : <span className="muted">unscheduled</span>}</Field>
        <Field label="Phase">
          {pod.phase} · {pod.ready ? 'Ready' : 'not Ready'}
        </Field>
        <Field label="Network">
          {pod.hostNetwork ? "the node's root netns (hostNetwork: no veth, the node's IPs, outside NetworkPolicy)" : 'its own netns, eth0'}
        </Field>
        <Field label="Owner">{pod.owner ?? <span className="muted">none</span>}</Field>
        <Field label="Labels">
          <Labels labels={pod.labels} />
        </Field>
      </Fields>
      <Section title={`Containers (${pod.containers.length})`}>
        <ul className="rows">
          {pod.containers.map((c) => (
            <ContainerRow key={c.id} container={c} />
          ))}
        </ul>
      </Section>
      {pod.netns && (
        <Section title="netns">
          <Fields>
            {pod.netns.interfaces.map((i) => (
              <Field key={i.name} label={i.name}>
                {addresses(i.addresses, 'no address')}
              </Field>
            ))}
            {pod.netns.defaultRoutes.map((r, i) => (
              <Field key={`route ${i}`} label="default">
                <code>
                  {r.via ? `via ${r.via} ` : ''}dev {r.device}
                </code>{' '}
                <ProvenanceBadge provenance={r.provenance} />
                <div className="muted small">{r.how}</div>
              </Field>
            ))}
          </Fields>
        </Section>
      )}
      {!pod.hostNetwork && (
        <Section title="veth">{pod.veth ? <VethFacts veth={pod.veth} /> : <p className="muted">No veth: the pod has no IP yet, so its network is not wired.</p>}</Section>
      )}
      <Section title={`Selected by NetworkPolicies (${pod.policies.length})`}>
        {pod.policies.length === 0 ? (
          <p className="muted">
            {pod.hostNetwork ? 'hostNetwork pods are outside NetworkPolicy.' : 'No NetworkPolicy selects this pod: all traffic to and from it is allowed.'}
          </p>
        ) : (
          <ul className="rows">
            {pod.policies.map((p) => (
              <li key={p.id}>
                <Link id={p.id}>{p.policy}</Link> <span className="muted small">isolates {p.types.join(' and ').toLowerCase()}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title={`Selected by Services (${pod.services.length})`}>
        {pod.services.length === 0 ? (
          <p className="muted">No Service has an endpoint for this pod.</p>
        ) : (
          <ul className="rows">
            {pod.services.map((s) => (
              <li key={`${s.id} ${s.ip}`}>
                <Link id={s.id}>{s.service}</Link> <StateBadge state={s.state} />
                <div className="muted small">
                  endpoint <Copyable value={s.ip} />
                  {s.ports.length > 0 && ` · ${s.ports.map((p) => `${p.port}/${p.protocol}`).join(', ')}`}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

function ContainerRow({ container: c }: { container: DescribedContainer }) {
  return (
    <li>
      <Link id={c.id}>{c.name}</Link> {c.role !== 'app' && <span className="badge">{c.role}</span>} {!c.ready && <span className="badge state-not-ready">not ready</span>}
      <div className="muted small">
        {c.image ?? 'no image'}
        {c.ports.length > 0 && ` · ports ${c.ports.map(containerPortText).join(', ')}`}
      </div>
    </li>
  );
}

function VethFacts({ veth }: { veth: DescribedVeth }) {
  return (
    <Fields>
      <Field label="Host end">
        {veth.hostName ? <Copyable value={veth.hostName} className={veth.provenance === 'inferred' ? 'inferred' : undefined} /> : <code>veth?</code>}{' '}
        <ProvenanceBadge provenance={veth.provenance} />
        <div className="muted small">{veth.how}</div>
        {!veth.hostName && veth.pattern && (
          <div className="muted small">
            matches <code>{veth.pattern}</code> in <code>ip -o link</code> on the node
          </div>
        )}
      </Field>
      <Field label="Pod end">
        <Copyable value={veth.podEnd.name} /> {addresses(veth.podEnd.addresses)}
      </Field>
      {veth.bridge && (
        <Field label="Bridge">
          <Link id={veth.bridge.id}>{veth.bridge.name ?? 'bridge'}</Link> {addresses(veth.bridge.addresses)}
        </Field>
      )}
      {veth.hostRoutes.length > 0 && <Field label="Host routes">{veth.hostRoutes.map((r) => `${r} dev ${veth.hostName ?? 'veth?'}`).join(', ')}</Field>}
    </Fields>
  );
}

function ContainerDetails({ container, pod }: { container: DescribedContainer; pod: ElementRef & { ips: string[] } }) {
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

const addressesOf = (node: DescribedNode, type: 'InternalIP' | 'ExternalIP') => node.addresses.filter((a) => a.type === type).map((a) => a.address);

function NodeDetails({ node }: { node: DescribedNode }) {
  return (
    <>
      <Title kind="Node" name={node.name} />
      <Fields>
        <Field label="Ready">{node.ready ? 'yes' : 'no'}</Field>
        <Field label="InternalIP">{addresses(addressesOf(node, 'InternalIP'))}</Field>
        <Field label="ExternalIP">{addresses(addressesOf(node, 'ExternalIP'))}</Field>
        <Field label="podCIDRs">{addresses(node.podCIDRs)}</Field>
        <Field label="Zone">{node.zone ?? <span className="muted">none</span>}</Field>
        <Field label="kubelet">{node.kubeletVersion ?? <span className="muted">unknown</span>}</Field>
        <Field label="Pods">
          {node.pods.length} ({node.hostNetworkPods} on the host network)
        </Field>
        <Field label="Labels">
          <Labels labels={node.labels} />
        </Field>
      </Fields>
      <Section title={`Devices in the root netns (${node.devices.length})`}>
        <ul className="rows">
          {node.devices.map((d) => (
            <li key={d.id}>
              <Link id={d.id}>{d.name ?? d.kind}</Link> <span className="badge">{d.kind}</span> <ProvenanceBadge provenance={d.provenance} />
              <div className="muted small">{addresses(d.addresses, 'no address')}</div>
            </li>
          ))}
        </ul>
      </Section>
      {node.routes.length > 0 && (
        <Section title={`Routes (${node.routes.length})`}>
          <RouteRows node={node} />
        </Section>
      )}
    </>
  );
}

function RouteRows({ node }: { node: DescribedNode }) {
  return (
    <ul className="rows">
      {node.routes.map((r, i) => (
        <li key={i}>
          <code>{routeText(r)}</code> <ProvenanceBadge provenance={r.provenance} />{' '}
          {r.to && r.toId && <Link id={r.toId}>{r.scope === 'local' ? shortName(r.to) : r.to}</Link>}
          <div className="muted small">{r.evidence}</div>
        </li>
      ))}
    </ul>
  );
}

function DeviceDetails({ device, node }: { device: DescribedDevice; node: ElementRef }) {
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

function VethDetails({ veth, pod, node }: { veth: DescribedVeth; pod: ElementRef; node: ElementRef }) {
  return (
    <>
      <Title kind="veth pair" name={veth.hostName ?? 'veth?'} namespace={pod.namespace} />
      <Fields>
        <Field label="Pod">
          <RefLink target={pod} />
        </Field>
        <Field label="Node">
          <RefLink target={node} />
        </Field>
      </Fields>
      <VethFacts veth={veth} />
    </>
  );
}

function ServiceDetails({ service }: { service: DescribedService }) {
  const ready = service.endpoints.filter((e) => e.ready).length;
  const chains = service.ports.filter((p) => p.kubeProxy);
  return (
    <>
      <Title kind={`Service · ${service.type}`} name={service.name} namespace={service.namespace} />
      <Fields>
        <Field label="ClusterIP">{service.type !== 'ExternalName' && !service.headless && service.clusterIPs.length > 0 ? addresses(service.clusterIPs) : serviceAddressText(service)}</Field>
        <Field label="Ports">{list(service.ports.map((p) => `${p.name ? `${p.name} ` : ''}${servicePortText(p)}`), 'no ports')}</Field>
        <Field label="Selector">{service.selector ? <Labels labels={service.selector} /> : <span className="muted">none (EndpointSlices managed by hand)</span>}</Field>
        {service.loadBalancerIngress.length > 0 && <Field label="LoadBalancer">{addresses(service.loadBalancerIngress)}</Field>}
        {service.type === 'LoadBalancer' && service.loadBalancerIngress.length === 0 && <Field label="LoadBalancer">pending: no address yet</Field>}
        {service.externalIPs.length > 0 && <Field label="External IPs">{addresses(service.externalIPs)}</Field>}
        {service.externalTrafficPolicy && <Field label="externalTrafficPolicy">{service.externalTrafficPolicy}</Field>}
        <Field label="internalTrafficPolicy">{service.internalTrafficPolicy}</Field>
        <Field label="Session affinity">{service.sessionAffinity}</Field>
        <Field label="Labels">
          <Labels labels={service.labels} />
        </Field>
      </Fields>
      <Section title={`Endpoints (${service.endpoints.length}, ${ready} ready)`}>
        {service.endpoints.length === 0 ? (
          <p className="muted">{service.type === 'ExternalName' ? 'An ExternalName Service is a DNS CNAME: no endpoints.' : 'No endpoints: connections to this Service are rejected.'}</p>
        ) : (
          <ul className="rows">
            {service.endpoints.map((e) => (
              <li key={e.id}>
                <Copyable value={e.ip} /> <StateBadge state={e.state} /> {e.pod && e.podId ? <Link id={e.podId}>{shortName(e.pod)}</Link> : <span className="muted">no pod</span>}
                <div className="muted small">
                  {e.node ? `on ${e.node}` : 'node unknown'} · ready {String(e.ready)}, serving {String(e.serving)}, terminating {String(e.terminating)}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {chains.length > 0 && (
        <Section title={`kube-proxy chains (${chains[0]!.kubeProxy!.mode})`}>
          <ul className="rows">
            {chains.map((p) => (
              <li key={`${p.name ?? ''} ${p.port}/${p.protocol}`}>
                {p.name ?? p.port}/{p.protocol}: <Copyable value={p.kubeProxy!.service} />
                {[p.kubeProxy!.local, p.kubeProxy!.external, p.kubeProxy!.firewall].map(
                  (c) =>
                    c && (
                      <span key={c}>
                        {' '}
                        <Copyable value={c} />
                      </span>
                    ),
                )}
                {p.kubeProxy!.endpoints.length > 0 && (
                  <div className="muted small">
                    {p.kubeProxy!.endpoints.map((e) => (
                      <div key={e.chain}>
                        <Copyable value={e.chain} /> → {e.target}
                      </div>
                    ))}
                  </div>
                )}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}

function EndpointDetails({ endpoint, service }: { endpoint: DescribedEndpoint; service: ElementRef }) {
  return (
    <>
      <Title kind="Endpoint" name={endpoint.ip} namespace={service.namespace} />
      <Fields>
        <Field label="State">
          <StateBadge state={endpoint.state} />
        </Field>
        <Field label="Address">
          <Copyable value={endpoint.ip} />
        </Field>
        <Field label="Service">
          <RefLink target={service} />
        </Field>
        <Field label="Pod">{endpoint.pod && endpoint.podId ? <Link id={endpoint.podId}>{shortName(endpoint.pod)}</Link> : <span className="muted">none</span>}</Field>
        <Field label="Node">{endpoint.node ?? <span className="muted">unknown</span>}</Field>
        <Field label="Zone">{endpoint.zone ?? <span className="muted">none</span>}</Field>
        <Field label="Conditions">
          ready {String(endpoint.ready)}, serving {String(endpoint.serving)}, terminating {String(endpoint.terminating)}
        </Field>
        <Field label="Ports">{list(endpoint.ports.map(containerPortText))}</Field>
        <Field label="EndpointSlice">{endpoint.slice}</Field>
      </Fields>
    </>
  );
}

function IngressDetails({ ingress }: { ingress: DescribedIngress }) {
  return (
    <>
      <Title kind="Ingress" name={ingress.name} namespace={ingress.namespace} />
      <Fields>
        <Field label="Class">{ingress.className ?? <span className="muted">default</span>}</Field>
        <Field label="Controller">{ingress.controller ?? <span className="muted">unknown</span>}</Field>
        <Field label="Address">{addresses(ingress.addresses, 'none yet')}</Field>
        <Field label="TLS hosts">{list(ingress.tlsHosts)}</Field>
      </Fields>
      <Section title={`Rules (${ingress.rules.length})`}>
        <ul className="rows">
          {ingress.rules.map((r, i) => (
            <li key={i}>
              <code>
                {r.host ?? '*'}
                {r.path ?? '/'}
              </code>{' '}
              → <Link id={r.serviceId}>{shortName(r.service)}</Link>
              {r.port != null && `:${r.port}`}
              {r.pathType && <span className="muted small"> ({r.pathType})</span>}
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

function PolicyDetails({ policy }: { policy: DescribedPolicy }) {
  return (
    <>
      <Title kind="NetworkPolicy" name={policy.name} namespace={policy.namespace} />
      <Fields>
        <Field label="Applies to">
          <code>{JSON.stringify(policy.podSelector)}</code>
        </Field>
        <Field label="Types">{list(policy.policyTypes)}</Field>
        <Field label="Ingress rules">{policy.ingress.length}</Field>
        <Field label="Egress rules">{policy.egress.length}</Field>
      </Fields>
    </>
  );
}

function TunnelDetails({ a, b }: { a: ElementDescription | null; b: ElementDescription | null }) {
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

function RoutesDetails({ node }: { node: DescribedNode }) {
  return (
    <>
      <Title kind="Root netns routes" name={node.name} />
      <p className="muted">A routed CNI puts no bridge between pods: each pod IP has a host route to its pod's veth.</p>
      <RouteRows node={node} />
    </>
  );
}

function UnplacedDetails({ topology }: { topology: Topology }) {
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

function NamespaceDetails({ namespace, pods, services }: { namespace: DescribedNamespace; pods: number; services: (ElementRef & { type: string })[] }) {
  return (
    <>
      <Title kind="Namespace" name={namespace.name} />
      <Fields>
        <Field label="Labels">
          <Labels labels={namespace.labels} />
        </Field>
        <Field label="Pods">{pods}</Field>
      </Fields>
      <Section title={`Services (${services.length})`}>
        <ul className="rows">
          {services.map((s) => (
            <li key={s.id}>
              <RefLink target={s} /> <span className="muted small">{s.type}</span>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

function ExternalDetails({ name, exposed }: { name: string; exposed: (ElementRef & { via: 'service' | 'ingress'; addresses: string[] })[] }) {
  return (
    <>
      <Title kind="External" name={name} />
      <p className="muted">Traffic from outside the cluster enters through a LoadBalancer address, an external IP, a nodeIP:nodePort, or an Ingress.</p>
      <Section title="Exposed">
        {exposed.length === 0 ? (
          <p className="muted">Nothing is exposed through a LoadBalancer or an Ingress.</p>
        ) : (
          <ul className="rows">
            {exposed.map((e) => (
              <li key={e.id}>
                <Link id={e.id}>{e.via === 'ingress' ? `ingress ${e.name}` : e.name}</Link>{' '}
                <span className="muted small">{addresses(e.addresses, e.via === 'ingress' ? 'no address yet' : 'address pending')}</span>
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
      <summary>Kubernetes object (YAML, trimmed)</summary>
      {state.status === 'loading' && <p className="muted">Loading…</p>}
      {state.status === 'failed' && <p className="error">Could not load the object: {state.error}</p>}
      {state.status === 'loaded' && (state.object ? <ObjectYaml view={state.object} /> : <p className="muted">No Kubernetes object is stored for {id}.</p>)}
    </details>
  );
}

function ObjectYaml({ view }: { view: ObjectView }) {
  const yaml = useMemo(() => objectYaml(view), [view]);
  const command = kubectlGetCommand(view);
  return (
    <>
      <p className="muted small">
        The trimmed object Podpath keeps: only the fields its model reads, without env values, volumes, managedFields or most annotations. The full object:{' '}
        <Copyable value={command} />
      </p>
      <div className="details-actions">
        <CopyButton text={yaml} label="Copy YAML">
          Copy YAML
        </CopyButton>
      </div>
      <pre className="json yaml" data-testid="object-yaml">
        {yaml}
      </pre>
    </>
  );
}
