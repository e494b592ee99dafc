/** A Service: its health in one line, then its addresses and ports, its endpoints with their pods,
 * and the kube-proxy chains to grep for, the endpoints kube-proxy skips marked. */
import { endpointStateMeaning, serviceAddressText } from '../../../shared/describe/format.ts';
import type { DescribedKubeProxy, DescribedService } from '../../../shared/describe/types.ts';
import { servicePortText } from '../../../shared/model/text.ts';
import { Copyable } from './CopyButton.tsx';
import { addresses, Conclusion, Field, Fields, Labels, Link, list, Section, shortName, StateBadge } from './parts.tsx';
import { Title } from './Title.tsx';

export function ServiceDetails({ service }: { service: DescribedService }) {
  const ready = service.endpoints.filter((e) => e.ready).length;
  const chains = service.ports.filter((p) => p.kubeProxy);
  return (
    <>
      <Title kind={`Service · ${service.type}`} name={service.name} namespace={service.namespace} />
      <Conclusion level={service.health.level} testId="service-health">
        {service.health.line}
      </Conclusion>
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
              <li key={e.id} className={`endpoint-${e.state}`}>
                <Copyable value={e.ip} /> <StateBadge state={e.state} /> {e.pod && e.podId ? <Link id={e.podId}>{shortName(e.pod)}</Link> : <span className="muted">no pod</span>}
                <div className="muted small">
                  {e.node ? `on ${e.node}` : 'node unknown'} · ready {String(e.ready)}, serving {String(e.serving)}, terminating {String(e.terminating)}
                </div>
                {e.state !== 'ready' && <div className="small endpoint-meaning">{endpointStateMeaning(e.state, e.serving)}</div>}
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
                      <div key={e.chain} className={e.programmed ? undefined : 'chain-unprogrammed'} data-testid="endpoint-chain">
                        <Copyable value={e.chain} /> → {e.target}
                        {e.state !== 'ready' && (
                          <>
                            {' '}
                            <StateBadge state={e.state} />
                          </>
                        )}
                        {!e.programmed && <span> not in kube-proxy’s rules: {skippedBecause(service, e)}</span>}
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

/** Why kube-proxy writes no chain for an endpoint (shared/describe/endpoint-use.ts). */
function skippedBecause(service: DescribedService, chain: DescribedKubeProxy['endpoints'][number]): string {
  if (chain.state === 'not-ready') return 'it is not ready';
  return service.endpoints.some((e) => e.ip === chain.ip && e.serving) ? 'a ready endpoint is used instead' : 'it no longer serves';
}
