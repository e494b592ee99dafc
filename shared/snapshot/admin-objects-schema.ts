/**
 * network-policy-api's admin policies in a snapshot (shared/kube/admin-objects.ts), checked like
 * every other kind (objects-schema.ts): the fields the evaluator reads, with the types the
 * trimmer (shared/kube/trim/admin-policy.ts) writes; unknown fields are let through.
 */
import { z } from 'zod';

const strings = z.array(z.string());
const labelSelector = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: strings.optional() })).optional(),
});
const clusterMetadata = z.looseObject({ name: z.string().min(1), uid: z.string().min(1) });
const namespacedPod = z.looseObject({ namespaceSelector: labelSelector, podSelector: labelSelector });
const subject = z.looseObject({ namespaces: labelSelector.optional(), pods: namespacedPod.optional() });
const peers = z.array(
  z.looseObject({ namespaces: labelSelector.optional(), pods: namespacedPod.optional(), nodes: labelSelector.optional(), networks: strings.optional(), domainNames: strings.optional() }),
);

const adminPort = z.looseObject({
  portNumber: z.looseObject({ protocol: z.string().optional(), port: z.number() }).optional(),
  namedPort: z.string().optional(),
  portRange: z.looseObject({ protocol: z.string().optional(), start: z.number(), end: z.number() }).optional(),
});
const adminRule = z.looseObject({ name: z.string().optional(), action: z.string(), from: peers.optional(), to: peers.optional(), ports: z.array(adminPort).optional() });
const adminRules = { ingress: z.array(adminRule).optional(), egress: z.array(adminRule).optional() };

export const adminNetworkPolicy = z.looseObject({ metadata: clusterMetadata, spec: z.looseObject({ priority: z.number(), subject, ...adminRules }) });
export const baselineAdminNetworkPolicy = z.looseObject({ metadata: clusterMetadata, spec: z.looseObject({ subject, ...adminRules }) });

const clusterPort = z.looseObject({ number: z.number().optional(), range: z.looseObject({ start: z.number(), end: z.number() }).optional() });
const perProtocol = z.looseObject({ destinationPort: clusterPort.optional() });
const clusterRule = z.looseObject({
  name: z.string().optional(),
  action: z.string(),
  from: peers.optional(),
  to: peers.optional(),
  protocols: z.array(z.looseObject({ tcp: perProtocol.optional(), udp: perProtocol.optional(), sctp: perProtocol.optional(), destinationNamedPort: z.string().optional() })).optional(),
});

export const clusterNetworkPolicy = z.looseObject({
  metadata: clusterMetadata,
  spec: z.looseObject({ tier: z.string(), priority: z.number(), subject, ingress: z.array(clusterRule).optional(), egress: z.array(clusterRule).optional() }),
});
