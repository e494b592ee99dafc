/**
 * The CNI plugins' policy kinds (cni-policy-objects.ts): Calico's NetworkPolicy,
 * GlobalNetworkPolicy and Tier; Cilium's CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy.
 * Status is dropped; L7 and HTTP matches are reduced to the fact that they are there.
 */
import type {
  CalicoEntityRule,
  CalicoGlobalNetworkPolicy,
  CalicoNetworkPolicy,
  CalicoPolicySpec,
  CalicoRule,
  CalicoTier,
  CiliumCIDRRule,
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  CiliumPeerRule,
  CiliumPortProtocol,
  CiliumPortRule,
  CiliumRule,
} from '../cni-policy-objects.ts';
import type { LabelSelector, ObjectMeta } from '../objects.ts';
import { trimSelector } from './networking.ts';
import { bool, compact, type Data, intOrString, isRecord, list, nonEmpty, num, record, str, strings } from './read.ts';

function ports(value: unknown): (number | string)[] | undefined {
  return Array.isArray(value) ? value.flatMap((p) => intOrString(p) ?? []) : undefined;
}

function trimEntityRule(raw: unknown): CalicoEntityRule | undefined {
  if (!isRecord(raw)) return undefined;
  const accounts = isRecord(raw.serviceAccounts) ? raw.serviceAccounts : undefined;
  const services = isRecord(raw.services) ? raw.services : undefined;
  const serviceName = services ? str(services.name) : undefined;
  return nonEmpty({
    nets: strings(raw.nets),
    notNets: strings(raw.notNets),
    selector: str(raw.selector),
    notSelector: str(raw.notSelector),
    namespaceSelector: str(raw.namespaceSelector),
    ports: ports(raw.ports),
    notPorts: ports(raw.notPorts),
    serviceAccounts: accounts ? compact({ names: strings(accounts.names), selector: str(accounts.selector) }) : undefined,
    services: services && serviceName ? compact({ name: serviceName, namespace: str(services.namespace) }) : undefined,
  });
}

function trimCalicoRule(r: Data): CalicoRule | undefined {
  const action = str(r.action);
  if (!action) return undefined;
  return compact({
    action,
    protocol: intOrString(r.protocol),
    notProtocol: intOrString(r.notProtocol),
    ipVersion: num(r.ipVersion),
    source: trimEntityRule(r.source),
    destination: trimEntityRule(r.destination),
    hasHttp: isRecord(r.http) ? true : undefined,
    hasIcmp: isRecord(r.icmp) || isRecord(r.notICMP) ? true : undefined,
  });
}

function trimCalicoSpec(raw: unknown): CalicoPolicySpec {
  const s = record(raw);
  return compact({
    tier: str(s.tier) || undefined,
    order: num(s.order),
    selector: str(s.selector),
    namespaceSelector: str(s.namespaceSelector),
    serviceAccountSelector: str(s.serviceAccountSelector),
    types: strings(s.types),
    ingress: list(s.ingress, trimCalicoRule),
    egress: list(s.egress, trimCalicoRule),
    doNotTrack: bool(s.doNotTrack) || undefined,
    preDNAT: bool(s.preDNAT) || undefined,
  });
}

export function trimCalicoNetworkPolicy(o: Data, metadata: ObjectMeta): CalicoNetworkPolicy {
  return { metadata, spec: trimCalicoSpec(o.spec) };
}

export function trimCalicoGlobalNetworkPolicy(o: Data, metadata: ObjectMeta): CalicoGlobalNetworkPolicy {
  return { metadata, spec: trimCalicoSpec(o.spec) };
}

export function trimCalicoTier(o: Data, metadata: ObjectMeta): CalicoTier {
  const s = record(o.spec);
  return { metadata, spec: compact({ order: num(s.order), defaultAction: str(s.defaultAction) }) };
}

const selectors = (value: unknown): LabelSelector[] | undefined => list(value, (s) => trimSelector(s));

function trimCidrRule(c: Data): CiliumCIDRRule | undefined {
  return nonEmpty({ cidr: str(c.cidr), except: strings(c.except), cidrGroupRef: str(c.cidrGroupRef) });
}

function trimPortProtocol(p: Data): CiliumPortProtocol {
  return compact({ port: str(p.port) ?? (num(p.port) === undefined ? undefined : String(p.port)), endPort: num(p.endPort), protocol: str(p.protocol) });
}

const l7Kinds = ['http', 'dns', 'kafka', 'l7proto', 'l7'] as const;

function trimPortRule(p: Data): CiliumPortRule {
  const rules = record(p.rules);
  const l7 = l7Kinds.filter((k) => rules[k] !== undefined && rules[k] !== null && !(Array.isArray(rules[k]) && (rules[k] as unknown[]).length === 0));
  return compact({ ports: list(p.ports, trimPortProtocol), l7: l7.length > 0 ? [...l7] : undefined });
}

/** A `toFQDNs` entry in words: `example.com`, `*.example.com`. */
function fqdn(f: Data): string | undefined {
  return str(f.matchName) ?? str(f.matchPattern);
}

/** A `toServices` entry in words: `ns/name` or `selector …`. */
function service(s: Data): string | undefined {
  const k8s = record(s.k8sService);
  const name = str(k8s.serviceName);
  if (name) return `${str(k8s.namespace) ?? ''}/${name}`;
  return isRecord(s.k8sServiceSelector) ? 'a Service selector' : undefined;
}

function trimPeerRule(r: Data): CiliumPeerRule {
  return compact({
    fromEndpoints: selectors(r.fromEndpoints),
    toEndpoints: selectors(r.toEndpoints),
    fromEntities: strings(r.fromEntities),
    toEntities: strings(r.toEntities),
    fromCIDR: strings(r.fromCIDR),
    toCIDR: strings(r.toCIDR),
    fromCIDRSet: list(r.fromCIDRSet, trimCidrRule),
    toCIDRSet: list(r.toCIDRSet, trimCidrRule),
    fromNodes: selectors(r.fromNodes),
    toNodes: selectors(r.toNodes),
    toFQDNs: list(r.toFQDNs, fqdn),
    toServices: list(r.toServices, service),
    fromRequires: selectors(r.fromRequires),
    toRequires: selectors(r.toRequires),
    toPorts: list(r.toPorts, trimPortRule),
    hasIcmps: Array.isArray(r.icmps) && r.icmps.length > 0 ? true : undefined,
  });
}

function trimCiliumRule(r: Data): CiliumRule {
  const defaultDeny = isRecord(r.enableDefaultDeny) ? r.enableDefaultDeny : undefined;
  return compact({
    endpointSelector: trimSelector(r.endpointSelector),
    nodeSelector: trimSelector(r.nodeSelector),
    ingress: list(r.ingress, trimPeerRule),
    egress: list(r.egress, trimPeerRule),
    ingressDeny: list(r.ingressDeny, trimPeerRule),
    egressDeny: list(r.egressDeny, trimPeerRule),
    enableDefaultDeny: defaultDeny ? compact({ ingress: bool(defaultDeny.ingress), egress: bool(defaultDeny.egress) }) : undefined,
  });
}

export function trimCiliumNetworkPolicy(o: Data, metadata: ObjectMeta): CiliumNetworkPolicy {
  return compact({ metadata, spec: isRecord(o.spec) ? trimCiliumRule(o.spec) : undefined, specs: list(o.specs, trimCiliumRule) });
}

export function trimCiliumClusterwideNetworkPolicy(o: Data, metadata: ObjectMeta): CiliumClusterwideNetworkPolicy {
  return trimCiliumNetworkPolicy(o, metadata);
}
