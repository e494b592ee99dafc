/**
 * The CNI plugins' policies in a snapshot (shared/kube/cni-policy-objects.ts), checked like
 * every other kind (objects-schema.ts): the fields the evaluator reads, with the types the
 * trimmer (shared/kube/trim/cni-policy.ts) writes; unknown fields are let through.
 */
import { z } from 'zod';

const strings = z.array(z.string());
const labelSelector = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: strings.optional() })).optional(),
});
const metadata = z.looseObject({ name: z.string().min(1), namespace: z.string().optional(), uid: z.string().min(1) });
const clusterMetadata = z.looseObject({ name: z.string().min(1), uid: z.string().min(1) });

const calicoPorts = z.array(z.union([z.number(), z.string()]));
const entityRule = z.looseObject({
  nets: strings.optional(),
  notNets: strings.optional(),
  selector: z.string().optional(),
  notSelector: z.string().optional(),
  namespaceSelector: z.string().optional(),
  ports: calicoPorts.optional(),
  notPorts: calicoPorts.optional(),
  serviceAccounts: z.looseObject({ names: strings.optional(), selector: z.string().optional() }).optional(),
  services: z.looseObject({ name: z.string(), namespace: z.string().optional() }).optional(),
});
const calicoRule = z.looseObject({
  action: z.string(),
  protocol: z.union([z.string(), z.number()]).optional(),
  notProtocol: z.union([z.string(), z.number()]).optional(),
  ipVersion: z.number().optional(),
  source: entityRule.optional(),
  destination: entityRule.optional(),
  hasHttp: z.boolean().optional(),
  hasIcmp: z.boolean().optional(),
});
const calicoSpec = z.looseObject({
  tier: z.string().optional(),
  order: z.number().optional(),
  selector: z.string().optional(),
  namespaceSelector: z.string().optional(),
  serviceAccountSelector: z.string().optional(),
  types: strings.optional(),
  ingress: z.array(calicoRule).optional(),
  egress: z.array(calicoRule).optional(),
  doNotTrack: z.boolean().optional(),
  preDNAT: z.boolean().optional(),
});

export const calicoNetworkPolicy = z.looseObject({ metadata, spec: calicoSpec });
export const calicoGlobalNetworkPolicy = z.looseObject({ metadata: clusterMetadata, spec: calicoSpec });
export const calicoTier = z.looseObject({ metadata: clusterMetadata, spec: z.looseObject({ order: z.number().optional(), defaultAction: z.string().optional() }) });

const selectors = z.array(labelSelector);
const cidrRule = z.looseObject({ cidr: z.string().optional(), except: strings.optional(), cidrGroupRef: z.string().optional() });
const portRule = z.looseObject({
  ports: z.array(z.looseObject({ port: z.string().optional(), endPort: z.number().optional(), protocol: z.string().optional() })).optional(),
  l7: strings.optional(),
});
const peerRule = z.looseObject({
  fromEndpoints: selectors.optional(),
  toEndpoints: selectors.optional(),
  fromEntities: strings.optional(),
  toEntities: strings.optional(),
  fromCIDR: strings.optional(),
  toCIDR: strings.optional(),
  fromCIDRSet: z.array(cidrRule).optional(),
  toCIDRSet: z.array(cidrRule).optional(),
  fromNodes: selectors.optional(),
  toNodes: selectors.optional(),
  toFQDNs: strings.optional(),
  toServices: strings.optional(),
  fromRequires: selectors.optional(),
  toRequires: selectors.optional(),
  toPorts: z.array(portRule).optional(),
  hasIcmps: z.boolean().optional(),
});
const ciliumRule = z.looseObject({
  endpointSelector: labelSelector.optional(),
  nodeSelector: labelSelector.optional(),
  ingress: z.array(peerRule).optional(),
  egress: z.array(peerRule).optional(),
  ingressDeny: z.array(peerRule).optional(),
  egressDeny: z.array(peerRule).optional(),
  enableDefaultDeny: z.looseObject({ ingress: z.boolean().optional(), egress: z.boolean().optional() }).optional(),
});

export const ciliumNetworkPolicy = z.looseObject({ metadata, spec: ciliumRule.optional(), specs: z.array(ciliumRule).optional() });
export const ciliumClusterwideNetworkPolicy = z.looseObject({ metadata: clusterMetadata, spec: ciliumRule.optional(), specs: z.array(ciliumRule).optional() });
