/**
 * The kinds that route traffic to pods: discovery.k8s.io EndpointSlices, networking.k8s.io
 * NetworkPolicies, Ingresses and IngressClasses, and the Gateway API's Gateways and HTTPRoutes.
 */
import type { EndpointSlice, Gateway, HTTPRoute, Ingress, IngressBackend, IngressClass, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, ObjectMeta } from '../objects.ts';
import { loadBalancerIngress, protocols } from './core.ts';
import { bool, compact, type Data, intOrString, isRecord, list, nonEmpty, num, oneOf, record, str, stringMap, strings } from './read.ts';

export function trimEndpointSlice(o: Data, metadata: ObjectMeta): EndpointSlice | null {
  const addressType = oneOf(o.addressType, ['IPv4', 'IPv6', 'FQDN'] as const);
  if (!addressType) return null;
  return compact({
    metadata,
    addressType,
    endpoints: list(o.endpoints, (e) => {
      const addresses = strings(e.addresses);
      if (!addresses) return undefined;
      const conditions = record(e.conditions);
      const ref = isRecord(e.targetRef) ? e.targetRef : undefined;
      return compact({
        addresses,
        conditions: isRecord(e.conditions)
          ? compact({ ready: bool(conditions.ready), serving: bool(conditions.serving), terminating: bool(conditions.terminating) })
          : undefined,
        nodeName: str(e.nodeName),
        zone: str(e.zone),
        hostname: str(e.hostname),
        targetRef: ref ? compact({ kind: str(ref.kind), name: str(ref.name), namespace: str(ref.namespace), uid: str(ref.uid) }) : undefined,
        hints: isRecord(e.hints) ? nonEmpty({ forZones: hintNames(e.hints.forZones), forNodes: hintNames(e.hints.forNodes) }) : undefined,
      });
    }),
    ports: list(o.ports, (p) => compact({ name: str(p.name), port: num(p.port), protocol: str(p.protocol), appProtocol: str(p.appProtocol) })),
  });
}

function hintNames(raw: unknown): { name: string }[] | undefined {
  return list(raw, (h) => {
    const name = str(h.name);
    return name ? { name } : undefined;
  });
}

export function trimSelector(raw: unknown): LabelSelector | undefined {
  if (!isRecord(raw)) return undefined;
  return compact({
    matchLabels: stringMap(raw.matchLabels),
    matchExpressions: list(raw.matchExpressions, (e) => {
      const key = str(e.key);
      const operator = oneOf(e.operator, ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
      return key && operator ? compact({ key, operator, values: strings(e.values) }) : undefined;
    }),
  });
}

function trimPeer(p: Data): NetworkPolicyPeer {
  const ipBlock = isRecord(p.ipBlock) ? p.ipBlock : undefined;
  const cidr = ipBlock ? str(ipBlock.cidr) : undefined;
  return compact({
    podSelector: trimSelector(p.podSelector),
    namespaceSelector: trimSelector(p.namespaceSelector),
    ipBlock: ipBlock && cidr ? compact({ cidr, except: strings(ipBlock.except) }) : undefined,
  });
}

function trimPolicyPort(p: Data): NetworkPolicyPort {
  return compact({ protocol: oneOf(p.protocol, protocols), port: intOrString(p.port), endPort: num(p.endPort) });
}

export function trimNetworkPolicy(o: Data, metadata: ObjectMeta): NetworkPolicy {
  const spec = record(o.spec);
  const policyTypes = strings(spec.policyTypes)?.filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  return {
    metadata,
    spec: compact({
      // An absent podSelector would select nothing in our model but everything in Kubernetes;
      // the API server always fills it in, so `{}` (all pods) is the faithful reading.
      podSelector: trimSelector(spec.podSelector) ?? {},
      policyTypes,
      ingress: list(spec.ingress, (r) => compact({ from: list(r.from, trimPeer), ports: list(r.ports, trimPolicyPort) })),
      egress: list(spec.egress, (r) => compact({ to: list(r.to, trimPeer), ports: list(r.ports, trimPolicyPort) })),
    }),
  };
}

/** A v1 backend, or a v1beta1 one (`serviceName`, `servicePort`) translated to the v1 shape. */
function trimIngressBackend(raw: unknown): IngressBackend | undefined {
  if (!isRecord(raw)) return undefined;
  const service = isRecord(raw.service) ? raw.service : undefined;
  if (service) {
    const name = str(service.name);
    const port = record(service.port);
    return name ? { service: { name, port: compact({ number: num(port.number), name: str(port.name) }) } } : {};
  }
  const legacyName = str(raw.serviceName);
  if (legacyName) {
    const legacyPort = intOrString(raw.servicePort);
    return { service: { name: legacyName, port: typeof legacyPort === 'number' ? { number: legacyPort } : compact({ name: legacyPort }) } };
  }
  // A resource backend (an object in another API group): no Service to route to.
  return {};
}

export function trimIngressClass(o: Data, metadata: ObjectMeta): IngressClass {
  return { metadata, spec: compact({ controller: str(record(o.spec).controller) }) };
}

export function trimIngress(o: Data, metadata: ObjectMeta): Ingress {
  const spec = record(o.spec);
  return compact({
    metadata,
    spec: compact({
      ingressClassName: str(spec.ingressClassName),
      defaultBackend: trimIngressBackend(spec.defaultBackend ?? spec.backend),
      // Only the hosts: secretName names the certificate's Secret, which is not ours to keep.
      tls: list(spec.tls, (t) => compact({ hosts: strings(t.hosts) })),
      rules: list(spec.rules, (r) => {
        const http = isRecord(r.http) ? r.http : undefined;
        return compact({
          host: str(r.host),
          http: http
            ? {
                paths:
                  list(http.paths, (p) => compact({ path: str(p.path), pathType: str(p.pathType), backend: trimIngressBackend(p.backend) ?? {} })) ??
                  [],
              }
            : undefined,
        });
      }),
    }),
    status: nonEmpty({ loadBalancer: loadBalancerIngress(record(o.status)) }),
  });
}

export function trimGateway(o: Data, metadata: ObjectMeta): Gateway {
  const spec = record(o.spec);
  const status = record(o.status);
  return compact({
    metadata,
    spec: compact({
      gatewayClassName: str(spec.gatewayClassName) ?? '',
      listeners: list(spec.listeners, (l) => {
        const name = str(l.name);
        const port = num(l.port);
        const protocol = str(l.protocol);
        return name && port !== undefined && protocol ? compact({ name, hostname: str(l.hostname), port, protocol }) : undefined;
      }),
    }),
    status: nonEmpty({
      addresses: list(status.addresses, (a) => {
        const value = str(a.value);
        return value ? compact({ type: str(a.type), value }) : undefined;
      }),
    }),
  });
}

export function trimHTTPRoute(o: Data, metadata: ObjectMeta): HTTPRoute {
  const spec = record(o.spec);
  const ref = (r: Data) => ({ name: str(r.name), namespace: str(r.namespace), kind: str(r.kind), group: str(r.group) });
  return {
    metadata,
    spec: compact({
      parentRefs: list(spec.parentRefs, (p) => {
        const { name, ...rest } = ref(p);
        return name ? compact({ name, ...rest, sectionName: str(p.sectionName) }) : undefined;
      }),
      hostnames: strings(spec.hostnames),
      rules: list(spec.rules, (r) =>
        compact({
          matches: list(r.matches, (m) => {
            const path = isRecord(m.path) ? m.path : undefined;
            return compact({ path: path ? compact({ type: str(path.type), value: str(path.value) }) : undefined });
          }),
          backendRefs: list(r.backendRefs, (b) => {
            const { name, ...rest } = ref(b);
            return name ? compact({ name, ...rest, port: num(b.port), weight: num(b.weight) }) : undefined;
          }),
        }),
      ),
    }),
  };
}
