/**
 * The trimmed Kubernetes objects of a snapshot (shared/kube/objects.ts), checked field by field:
 * every field the model reads must have the type `objects.ts` gives it, so a hand-edited or
 * hostile file fails on load naming the field (`objects.pods[3].status.podIPs[0].ip: expected a
 * string`), never later inside `derive` as a raw TypeError. Fields Podpath does not know are
 * let through (loose objects), so a snapshot written by a newer Podpath still opens.
 *
 * The schema accepts exactly what the trimmer (shared/kube/trim.ts) writes: the fuzz tests
 * (test/fuzz/snapshot.test.ts) feed it the trimmer's output on random objects.
 */
import { z } from 'zod';
import { adminNetworkPolicy, baselineAdminNetworkPolicy, clusterNetworkPolicy } from './admin-objects-schema.ts';
import { calicoGlobalNetworkPolicy, calicoNetworkPolicy, calicoTier, ciliumClusterwideNetworkPolicy, ciliumNetworkPolicy } from './cni-policy-schema.ts';

const strings = z.array(z.string());
const stringMap = z.record(z.string(), z.string());
const protocol = z.enum(['TCP', 'UDP', 'SCTP']);
const conditions = z.array(z.looseObject({ type: z.string(), status: z.string() }));

const metadata = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().min(1),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  ownerReferences: z.array(z.looseObject({ kind: z.string(), name: z.string(), uid: z.string().optional(), controller: z.boolean().optional() })).optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
});
const namespacedMetadata = metadata.extend({ namespace: z.string().min(1) });

const loadBalancerStatus = z.looseObject({
  loadBalancer: z.looseObject({ ingress: z.array(z.looseObject({ ip: z.string().optional(), hostname: z.string().optional() })).optional() }).optional(),
});

const node = z.looseObject({
  metadata,
  spec: z.looseObject({ podCIDR: z.string().optional(), podCIDRs: strings.optional(), providerID: z.string().optional(), unschedulable: z.boolean().optional() }).optional(),
  status: z
    .looseObject({
      addresses: z.array(z.looseObject({ type: z.enum(['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS']), address: z.string() })).optional(),
      conditions: conditions.optional(),
      nodeInfo: z
        .looseObject({
          kubeletVersion: z.string().optional(),
          kubeProxyVersion: z.string().optional(),
          osImage: z.string().optional(),
          containerRuntimeVersion: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  kubeletConfig: z
    .looseObject({ clusterDNS: strings.optional(), clusterDomain: z.string().optional() })
    .optional()
    .describe("Not an API field: the kubelet's clusterDNS and clusterDomain, read from the node's configz where allowed."),
});

const namespace = z.looseObject({ metadata, status: z.looseObject({ phase: z.string().optional() }).optional() });

const container = z.looseObject({
  name: z.string(),
  image: z.string().optional(),
  ports: z
    .array(z.looseObject({ name: z.string().optional(), containerPort: z.number(), protocol: protocol.optional(), hostPort: z.number().optional(), hostIP: z.string().optional() }))
    .optional(),
  restartPolicy: z.string().optional(),
});
const containerStatuses = z.array(z.looseObject({ name: z.string(), ready: z.boolean(), restartCount: z.number().optional() }));

const pod = z.looseObject({
  metadata: namespacedMetadata,
  spec: z.looseObject({
    nodeName: z.string().optional(),
    hostNetwork: z.boolean().optional(),
    dnsPolicy: z.string().optional().describe("ClusterFirst (the default), ClusterFirstWithHostNet, Default or None: where the pod's name lookups go."),
    dnsConfig: z
      .looseObject({
        nameservers: strings.optional(),
        searches: strings.optional(),
        options: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).optional(),
      })
      .optional()
      .describe("spec.dnsConfig: merged into the pod's resolv.conf, or all of it under dnsPolicy None."),
    serviceAccountName: z.string().optional().describe("spec.serviceAccountName: the pod's ServiceAccount, which Calico's serviceAccountSelector and serviceAccounts match."),
    containers: z.array(container),
    initContainers: z.array(container).optional(),
  }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      podIP: z.string().optional(),
      podIPs: z.array(z.looseObject({ ip: z.string() })).optional(),
      hostIP: z.string().optional(),
      conditions: conditions.optional(),
      containerStatuses: containerStatuses.optional(),
      initContainerStatuses: containerStatuses.optional(),
    })
    .optional(),
});

const trafficPolicy = z.enum(['Cluster', 'Local']);
const service = z.looseObject({
  metadata: namespacedMetadata,
  spec: z.looseObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
    clusterIP: z.string().optional(),
    clusterIPs: strings.optional(),
    ipFamilies: strings.optional(),
    ports: z
      .array(
        z.looseObject({
          name: z.string().optional(),
          protocol: protocol.optional(),
          port: z.number(),
          targetPort: z.union([z.number(), z.string()]).optional(),
          nodePort: z.number().optional(),
          appProtocol: z.string().optional(),
        }),
      )
      .optional(),
    selector: stringMap.optional(),
    externalIPs: strings.optional(),
    externalName: z.string().optional(),
    externalTrafficPolicy: trafficPolicy.optional(),
    internalTrafficPolicy: trafficPolicy.optional(),
    sessionAffinity: z.enum(['None', 'ClientIP']).optional(),
    sessionAffinityConfig: z.looseObject({ clientIP: z.looseObject({ timeoutSeconds: z.number().optional() }).optional() }).optional(),
    loadBalancerClass: z.string().optional(),
    loadBalancerSourceRanges: strings.optional().describe('Client ranges the load balancer and kube-proxy let in.'),
    healthCheckNodePort: z.number().optional(),
    ipFamilyPolicy: z.enum(['SingleStack', 'PreferDualStack', 'RequireDualStack']).optional(),
    trafficDistribution: z.string().optional().describe('PreferClose, PreferSameZone or PreferSameNode: why the EndpointSlices carry topology hints.'),
    publishNotReadyAddresses: z.boolean().optional(),
  }),
  status: loadBalancerStatus.optional(),
});

const endpointSlice = z.looseObject({
  metadata: namespacedMetadata,
  addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
  endpoints: z
    .array(
      z.looseObject({
        addresses: strings,
        conditions: z.looseObject({ ready: z.boolean().optional(), serving: z.boolean().optional(), terminating: z.boolean().optional() }).optional(),
        nodeName: z.string().optional(),
        zone: z.string().optional(),
        hostname: z.string().optional(),
        targetRef: z.looseObject({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional(), uid: z.string().optional() }).optional(),
        hints: z.looseObject({ forZones: z.array(z.looseObject({ name: z.string() })).optional(), forNodes: z.array(z.looseObject({ name: z.string() })).optional() }).optional(),
      }),
    )
    .optional(),
  ports: z.array(z.looseObject({ name: z.string().optional(), port: z.number().optional(), protocol: z.string().optional(), appProtocol: z.string().optional() })).optional(),
});

const labelSelector = z.looseObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: strings.optional() })).optional(),
});
const peer = z.looseObject({
  podSelector: labelSelector.optional(),
  namespaceSelector: labelSelector.optional(),
  ipBlock: z.looseObject({ cidr: z.string(), except: strings.optional() }).optional(),
});
const policyPorts = z.array(z.looseObject({ protocol: protocol.optional(), port: z.union([z.number(), z.string()]).optional(), endPort: z.number().optional() }));
const networkPolicy = z.looseObject({
  metadata: namespacedMetadata,
  spec: z.looseObject({
    podSelector: labelSelector,
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
    ingress: z.array(z.looseObject({ from: z.array(peer).optional(), ports: policyPorts.optional() })).optional(),
    egress: z.array(z.looseObject({ to: z.array(peer).optional(), ports: policyPorts.optional() })).optional(),
  }),
});

const ingressBackend = z.looseObject({
  service: z.looseObject({ name: z.string(), port: z.looseObject({ number: z.number().optional(), name: z.string().optional() }) }).optional(),
});
const ingress = z.looseObject({
  metadata: namespacedMetadata,
  spec: z.looseObject({
    ingressClassName: z.string().optional(),
    defaultBackend: ingressBackend.optional(),
    tls: z.array(z.looseObject({ hosts: strings.optional() })).optional(),
    rules: z
      .array(
        z.looseObject({
          host: z.string().optional(),
          http: z.looseObject({ paths: z.array(z.looseObject({ path: z.string().optional(), pathType: z.string().optional(), backend: ingressBackend })) }).optional(),
        }),
      )
      .optional(),
  }),
  status: loadBalancerStatus.optional(),
});

const ingressClass = z.looseObject({ metadata, spec: z.looseObject({ controller: z.string().optional() }) });

const configMap = z.looseObject({ metadata: namespacedMetadata, data: stringMap.optional() });

const daemonSet = z.looseObject({
  metadata: namespacedMetadata,
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        hostNetwork: z.boolean().optional(),
        containers: z.array(
          z.looseObject({
            name: z.string(),
            image: z.string().optional(),
            command: strings.optional(),
            args: strings.optional(),
            env: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
          }),
        ),
      }),
    }),
  }),
  status: z.looseObject({ desiredNumberScheduled: z.number().optional(), numberReady: z.number().optional() }).optional(),
});

const gateway = z.looseObject({
  metadata: namespacedMetadata,
  spec: z.looseObject({
    gatewayClassName: z.string(),
    listeners: z.array(z.looseObject({ name: z.string(), hostname: z.string().optional(), port: z.number(), protocol: z.string() })).optional(),
  }),
  status: z.looseObject({ addresses: z.array(z.looseObject({ type: z.string().optional(), value: z.string() })).optional() }).optional(),
});

const routeRef = { name: z.string(), namespace: z.string().optional(), kind: z.string().optional(), group: z.string().optional() };
const httpRoute = z.looseObject({
  metadata: namespacedMetadata,
  spec: z.looseObject({
    parentRefs: z.array(z.looseObject({ ...routeRef, sectionName: z.string().optional() })).optional(),
    hostnames: strings.optional(),
    rules: z
      .array(
        z.looseObject({
          matches: z.array(z.looseObject({ path: z.looseObject({ type: z.string().optional(), value: z.string().optional() }).optional() })).optional(),
          backendRefs: z.array(z.looseObject({ ...routeRef, port: z.number().optional(), weight: z.number().optional() })).optional(),
        }),
      )
      .optional(),
  }),
});

export const objectsSchema = z
  .object({
    nodes: z.array(node),
    namespaces: z.array(namespace),
    pods: z.array(pod),
    services: z.array(service),
    endpointSlices: z.array(endpointSlice),
    networkPolicies: z.array(networkPolicy),
    ingresses: z.array(ingress),
    ingressClasses: z.array(ingressClass),
    configMaps: z.array(configMap),
    daemonSets: z.array(daemonSet),
    // Added after the first snapshots were written: absent means none were read.
    gateways: z.array(gateway).default([]),
    httpRoutes: z.array(httpRoute).default([]),
    adminNetworkPolicies: z.array(adminNetworkPolicy).default([]),
    baselineAdminNetworkPolicies: z.array(baselineAdminNetworkPolicy).default([]),
    clusterNetworkPolicies: z.array(clusterNetworkPolicy).default([]),
    calicoNetworkPolicies: z.array(calicoNetworkPolicy).default([]),
    calicoGlobalNetworkPolicies: z.array(calicoGlobalNetworkPolicy).default([]),
    calicoTiers: z.array(calicoTier).default([]),
    ciliumNetworkPolicies: z.array(ciliumNetworkPolicy).default([]),
    ciliumClusterwideNetworkPolicies: z.array(ciliumClusterwideNetworkPolicy).default([]),
  })
  .describe('The trimmed Kubernetes objects the model is derived from, one list per kind, with the field names of the Kubernetes API.');

