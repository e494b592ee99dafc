/**
 * The demo's Services and the EndpointSlices the EndpointSlice controller would keep for them,
 * computed from the Services' selectors and the pods' readiness rather than written by hand.
 */
import type { EndpointSlice, Pod, Service, ServicePort } from '../../shared/kube/objects.ts';
import { clusterCreatedMs, kubeDnsIP, kubernetesServiceIP, loadBalancerIP } from './facts.ts';
import { digest, meta, safeString } from './identity.ts';
import { controlPlane, nodePlan } from './nodes.ts';
import { podHostname } from './pods.ts';
import { ingressNginxLabels } from './workloads.ts';

interface ServicePlan {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  spec: Service['spec'];
  status?: Service['status'];
  created: number;
}

/** A ClusterIP from the dynamic (upper) band of 10.96.0.0/16, as the allocator picks them. */
function clusterIP(namespace: string, name: string, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const bytes = digest(`clusterip:${namespace}/${name}/${attempt}`);
    const ip = `10.96.${1 + ((bytes[0] ?? 0) % 255)}.${1 + ((bytes[1] ?? 0) % 254)}`;
    if (!taken.has(ip)) {
      taken.add(ip);
      return ip;
    }
  }
}

function port(name: string, portNumber: number, targetPort: number | string, extra: Partial<ServicePort> = {}): ServicePort {
  return { name, protocol: 'TCP', port: portNumber, targetPort, ...extra };
}

export function servicePlans(): ServicePlan[] {
  return [
    {
      namespace: 'default',
      name: 'kubernetes',
      labels: { component: 'apiserver', provider: 'kubernetes' },
      spec: { type: 'ClusterIP', clusterIP: kubernetesServiceIP, ports: [port('https', 443, 6443)] },
      created: 0,
    },
    {
      namespace: 'default',
      name: 'echo',
      labels: { app: 'echo' },
      spec: { type: 'ClusterIP', selector: { app: 'echo' }, ports: [port('http', 80, 'http')] },
      created: 90,
    },
    {
      namespace: 'kube-system',
      name: 'kube-dns',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      spec: {
        type: 'ClusterIP',
        clusterIP: kubeDnsIP,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          port('dns', 53, 53, { protocol: 'UDP' }),
          port('dns-tcp', 53, 53),
          port('metrics', 9153, 9153),
        ],
      },
      created: 6,
    },
    {
      namespace: 'kube-system',
      name: 'metrics-server',
      labels: { 'k8s-app': 'metrics-server' },
      spec: { type: 'ClusterIP', selector: { 'k8s-app': 'metrics-server' }, ports: [port('https', 443, 'https', { appProtocol: 'https' })] },
      created: 15,
    },
    {
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller',
      labels: { ...ingressNginxLabels, 'app.kubernetes.io/part-of': 'ingress-nginx' },
      spec: {
        type: 'LoadBalancer',
        selector: ingressNginxLabels,
        ports: [
          port('http', 80, 'http', { appProtocol: 'http', nodePort: 31437 }),
          port('https', 443, 'https', { appProtocol: 'https', nodePort: 30612 }),
        ],
        externalTrafficPolicy: 'Local',
      },
      status: { loadBalancer: { ingress: [{ ip: loadBalancerIP }] } },
      created: 21,
    },
    {
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller-admission',
      labels: { ...ingressNginxLabels, 'app.kubernetes.io/part-of': 'ingress-nginx' },
      spec: { type: 'ClusterIP', selector: ingressNginxLabels, ports: [port('https-webhook', 443, 'webhook', { appProtocol: 'https' })] },
      created: 21,
    },
    {
      namespace: 'monitoring',
      name: 'grafana',
      labels: { 'app.kubernetes.io/name': 'grafana' },
      spec: {
        type: 'NodePort',
        selector: { 'app.kubernetes.io/name': 'grafana' },
        ports: [port('http', 80, 3000, { nodePort: 30300 })],
        externalTrafficPolicy: 'Cluster',
      },
      created: 34,
    },
    {
      namespace: 'monitoring',
      name: 'kube-state-metrics',
      labels: { 'app.kubernetes.io/name': 'kube-state-metrics' },
      spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'kube-state-metrics' }, ports: [port('http', 8080, 'http-metrics')] },
      created: 32,
    },
    {
      namespace: 'monitoring',
      name: 'node-exporter',
      labels: { 'app.kubernetes.io/name': 'node-exporter' },
      spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'node-exporter' }, ports: [port('metrics', 9100, 'metrics')] },
      created: 31,
    },
    {
      namespace: 'monitoring',
      name: 'prometheus',
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'prometheus' }, ports: [port('http', 9090, 'web')] },
      created: 33,
    },
    {
      namespace: 'payments',
      name: 'card-gateway',
      spec: { type: 'ExternalName', externalName: 'gateway.payments.example.net' },
      created: 75,
    },
    {
      namespace: 'payments',
      name: 'checkout',
      labels: { app: 'checkout' },
      spec: { type: 'ClusterIP', selector: { app: 'checkout' }, ports: [port('http', 80, 'http')] },
      created: 76,
    },
    // Selects pods that were never deployed: a Service with no endpoints at all.
    {
      namespace: 'payments',
      name: 'fraud-check',
      labels: { app: 'fraud-check' },
      spec: { type: 'ClusterIP', selector: { app: 'fraud-check' }, ports: [port('http', 80, 8080)] },
      created: 78,
    },
    {
      namespace: 'payments',
      name: 'ledger',
      labels: { app: 'ledger' },
      spec: { type: 'ClusterIP', selector: { app: 'ledger' }, ports: [port('grpc', 9000, 'grpc', { appProtocol: 'kubernetes.io/h2c' })] },
      created: 80,
    },
    {
      namespace: 'shop',
      name: 'backend',
      labels: { app: 'backend' },
      spec: { type: 'ClusterIP', selector: { app: 'backend' }, ports: [port('http', 80, 'http')] },
      created: 65,
    },
    {
      namespace: 'shop',
      name: 'db',
      labels: { app: 'db' },
      spec: { type: 'ClusterIP', clusterIP: 'None', selector: { app: 'db' }, ports: [port('postgres', 5432, 5432)] },
      created: 61,
    },
    {
      namespace: 'shop',
      name: 'frontend',
      labels: { app: 'frontend' },
      spec: { type: 'ClusterIP', selector: { app: 'frontend' }, ports: [port('http', 80, 'http')] },
      created: 66,
    },
  ];
}

export function makeService(plan: ServicePlan, takenIPs: Set<string>): Service {
  const spec: Service['spec'] = { ...plan.spec };
  if (spec.type !== 'ExternalName') {
    const ip = spec.clusterIP ?? clusterIP(plan.namespace, plan.name, takenIPs);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    spec.ipFamilies = ['IPv4'];
    spec.internalTrafficPolicy = 'Cluster';
  }
  spec.sessionAffinity = 'None';
  return {
    metadata: meta('Service', plan.namespace, plan.name, plan.created, plan.labels ? { labels: plan.labels } : {}),
    spec,
    ...(plan.status ? { status: plan.status } : {}),
  };
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The container port a Service's targetPort names, looked up as the controller does
 * (app containers, then native sidecars). */
function resolveTargetPort(pod: Pod, servicePort: ServicePort): number {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...pod.spec.containers, ...sidecars]) {
    const found = container.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === (servicePort.protocol ?? 'TCP'));
    if (found) return found.containerPort;
  }
  throw new Error(`${pod.metadata.namespace}/${pod.metadata.name} has no port named ${target}`);
}

/** The slice the EndpointSlice controller keeps for a selector Service: every pod that has
 * a node and an IP, ready = Ready and not terminating, serving = Ready. */
export function makeEndpointSlice(service: Service, pods: Pod[]): EndpointSlice {
  const namespace = service.metadata.namespace ?? 'default';
  const selector = service.spec.selector ?? {};
  const servicePorts = service.spec.ports ?? [];
  const members = pods.filter(
    (p) => p.metadata.namespace === namespace && p.spec.nodeName && p.status?.podIP && matches(selector, p.metadata.labels),
  );
  const resolved = members.map((p) => servicePorts.map((sp) => resolveTargetPort(p, sp)).join(','));
  if (new Set(resolved).size > 1) throw new Error(`${service.metadata.name}: pods resolve its ports differently; one slice each`);
  const name = `${service.metadata.name}-${safeString(`slice:${namespace}/${service.metadata.name}`, 5)}`;
  const isHeadless = service.spec.clusterIP === 'None';
  return {
    metadata: meta('EndpointSlice', namespace, name, minutesOf(service.metadata.creationTimestamp), {
      labels: {
        ...service.metadata.labels,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kubernetes.io/service-name': service.metadata.name,
        ...(isHeadless ? { 'service.kubernetes.io/headless': '' } : {}),
      },
      ownerReferences: [{ kind: 'Service', name: service.metadata.name, uid: service.metadata.uid, controller: true }],
    }),
    addressType: 'IPv4',
    endpoints: members.map((pod) => {
      const isTerminating = pod.metadata.deletionTimestamp !== undefined;
      const nodeName = pod.spec.nodeName ?? '';
      const hostname = podHostname(namespace, pod.metadata.name);
      return {
        addresses: [pod.status?.podIP ?? ''],
        conditions: { ready: isPodReady(pod) && !isTerminating, serving: isPodReady(pod), terminating: isTerminating },
        ...(hostname && isHeadless ? { hostname } : {}),
        nodeName,
        zone: nodePlan(nodeName).zone,
        targetRef: { kind: 'Pod', name: pod.metadata.name, namespace, uid: pod.metadata.uid },
      };
    }),
    ports:
      members[0] === undefined
        ? []
        : servicePorts.map((sp) => ({
            name: sp.name ?? '',
            port: resolveTargetPort(members[0] as Pod, sp),
            protocol: sp.protocol ?? 'TCP',
            ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
          })),
  };
}

function minutesOf(timestamp: string | undefined): number {
  return timestamp === undefined ? 0 : (Date.parse(timestamp) - clusterCreatedMs) / 60_000;
}

/** The apiserver itself keeps `default/kubernetes`'s slice: the apiservers, no pods. */
export function kubernetesEndpointSlice(): EndpointSlice {
  return {
    metadata: meta('EndpointSlice', 'default', 'kubernetes', 0, { labels: { 'kubernetes.io/service-name': 'kubernetes' } }),
    addressType: 'IPv4',
    endpoints: [{ addresses: [nodePlan(controlPlane).internalIP], conditions: { ready: true } }],
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  };
}
