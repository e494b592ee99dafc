import { describe, expect, it } from 'vitest';
import { emptyObjects, type ClusterObjects, type Container, type EndpointSlice, type Gateway, type HTTPRoute, type Ingress, type KubeNode, type Pod, type Service } from '../kube/objects.ts';
import { derive, type DeriveSource } from '../topology/derive.ts';
import { serviceChecks } from './services.ts';
import type { Problem, ProblemKind } from './types.ts';

// A two-node Flannel cluster with one namespace, built per case from the objects the API server
// would return. Each problem kind has a case that fires and a healthy near neighbour that must not.

function node(name: string, podCIDR: string, labels: Record<string, string> = {}): KubeNode {
  return {
    metadata: { name, uid: `uid-${name}`, labels },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: { addresses: [{ type: 'InternalIP', address: name === 'n1' ? '172.18.0.2' : '172.18.0.3' }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

interface PodOptions {
  labels?: Record<string, string>;
  node?: string;
  ip?: string;
  ready?: boolean;
  phase?: string;
  hostNetwork?: boolean;
  containers?: Container[];
  namespace?: string;
}

let ipCounter = 10;
function pod(name: string, options: PodOptions = {}): Pod {
  const nodeName = options.node ?? 'n1';
  const ip = options.ip ?? (options.hostNetwork ? '172.18.0.2' : `10.244.${nodeName === 'n1' ? 1 : 2}.${ipCounter++}`);
  const ready = options.ready ?? true;
  return {
    metadata: { name, namespace: options.namespace ?? 'shop', uid: `uid-${name}`, labels: options.labels ?? { app: name.split('-')[0] ?? name } },
    spec: {
      nodeName,
      ...(options.hostNetwork ? { hostNetwork: true } : {}),
      containers: options.containers ?? [{ name: 'main', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
    },
    status: {
      phase: options.phase ?? 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: (options.containers ?? [{ name: 'main' }]).map((c) => ({ name: c.name, ready })),
    },
  };
}

function service(name: string, spec: Partial<Service['spec']> = {}, namespace = 'shop'): Service {
  return {
    metadata: { name, namespace, uid: `uid-svc-${name}` },
    spec: { clusterIP: `10.96.0.${ipCounter++}`, selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }], ...spec },
  };
}

/** The slice the EndpointSlice controller (or a person) keeps for a Service. */
function slice(serviceName: string, pods: Pod[], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }], namespace = 'shop'): EndpointSlice {
  return {
    metadata: { name: `${serviceName}-abc`, namespace, uid: `uid-slice-${serviceName}`, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: pods.map((p) => {
      const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      return { addresses: [p.status?.podIP ?? ''], conditions: { ready, serving: ready, terminating: false }, nodeName: p.spec.nodeName ?? '', targetRef: { kind: 'Pod', uid: p.metadata.uid, name: p.metadata.name } };
    }),
    ports,
  };
}

function cluster(parts: Partial<ClusterObjects>, source: DeriveSource = {}): Problem[] {
  const objects = emptyObjects();
  objects.nodes = parts.nodes ?? [node('n1', '10.244.1.0/24'), node('n2', '10.244.2.0/24')];
  objects.daemonSets.push({ metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel', uid: 'ds' }, spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'kube-flannel', image: 'flannel/flannel:v0.26.7' }] } } } });
  objects.configMaps.push({ metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel', uid: 'cm' }, data: { 'net-conf.json': '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}' } });
  for (const [kind, list] of Object.entries(parts)) if (kind !== 'nodes') (objects[kind as keyof ClusterObjects] as unknown[]).push(...(list as unknown[]));
  return serviceChecks.flatMap((check) => check(derive(objects, source)));
}

const ofKind = (problems: Problem[], kind: ProblemKind): Problem[] => problems.filter((p) => p.kind === kind);

describe('service-selects-nothing', () => {
  it('names the pod whose label value is one letter off, and the selector edit that picks it', () => {
    const problems = cluster({ pods: [pod('cart-7f9', { labels: { app: 'carts' } }), pod('web-1')], services: [service('cart')] });
    const [problem] = ofKind(problems, 'service-selects-nothing');
    expect(problem).toMatchObject({ severity: 'error', subject: 'service/shop/cart', subjectId: 'svc:shop/cart', related: ['pod:uid-cart-7f9'] });
    expect(problem?.message).toBe('selector app=cart matches no pod in shop, so connections to it are refused; near miss: cart-7f9 has app=carts');
    expect(problem?.fix).toContain(`kubectl -n shop patch service cart --type merge -p '{"spec":{"selector":{"app":"carts"}}}'`);
  });

  it('a pod that matches all but one key of a two-key selector is a near miss; one with a far value on a one-key selector is not', () => {
    const problems = cluster({
      pods: [pod('web-1', { labels: { app: 'web', tier: 'backend' } }), pod('db-0', { labels: { app: 'database' } })],
      services: [service('web', { selector: { app: 'web', tier: 'frontend' } }), service('db', { selector: { app: 'db' } })],
    });
    const [web, db] = ['service/shop/web', 'service/shop/db'].map((s) => problems.find((p) => p.subject === s && p.kind === 'service-selects-nothing'));
    expect(web?.message).toContain('near miss: web-1 has tier=backend');
    expect(db?.message).toBe('selector app=db matches no pod in shop, so connections to it are refused');
    expect(db?.related).toEqual([]);
  });

  it('a change of case in the key is a near miss too', () => {
    const [problem] = ofKind(cluster({ pods: [pod('cart-1', { labels: { App: 'cart' } })], services: [service('cart')] }), 'service-selects-nothing');
    expect(problem?.message).toContain('near miss: cart-1 has App=cart');
    expect(problem?.fix).toContain('{"spec":{"selector":{"app":null,"App":"cart"}}}');
  });

  it('not for a Service whose selector matches, a selector-less Service, or when pods could not be read', () => {
    expect(ofKind(cluster({ pods: [pod('cart-1')], services: [service('cart')], endpointSlices: [slice('cart', [])] }), 'service-selects-nothing')).toEqual([]);
    expect(cluster({ services: [service('external', { selector: undefined })] })).toEqual([]);
    expect(cluster({ services: [service('cart')] }, { unavailableKinds: [{ kind: 'pods', reason: 'forbidden' }] })).toEqual([]);
  });
});

describe('service-none-ready', () => {
  const notReady = [pod('ledger-a', { ready: false }), pod('ledger-b', { ready: false, node: 'n2' })];

  it('selected pods exist but none is ready: a warning, with each pod and its node', () => {
    const [problem] = ofKind(cluster({ pods: notReady, services: [service('ledger')], endpointSlices: [slice('ledger', notReady)] }), 'service-none-ready');
    expect(problem).toMatchObject({ severity: 'warning', subject: 'service/shop/ledger', related: ['pod:uid-ledger-a', 'pod:uid-ledger-b'] });
    expect(problem?.why).toContain('pod ledger-b on n2: phase Running, Ready False, containers not ready: main');
  });

  it('an error when an Ingress routes to it', () => {
    const ingress: Ingress = { metadata: { name: 'shop', namespace: 'shop', uid: 'ing' }, spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/ledger', backend: { service: { name: 'ledger', port: { number: 80 } } } }] } }] } };
    const problems = cluster({ pods: notReady, services: [service('ledger')], endpointSlices: [slice('ledger', notReady)], ingresses: [ingress] });
    expect(ofKind(problems, 'service-none-ready')[0]?.severity).toBe('error');
    expect(ofKind(problems, 'service-none-ready')[0]?.why).toContain('routed to by ingress shop/shop (shop.example.com/ledger)');
  });

  it('not when one pod is ready (a not-ready pod beside it is a fact, not a problem)', () => {
    const pods = [pod('ledger-a', { ready: false }), pod('ledger-b')];
    expect(cluster({ pods, services: [service('ledger')], endpointSlices: [slice('ledger', pods)] })).toEqual([]);
  });
});

describe('service-target-port-missing', () => {
  const named = (name: string, port = 8080): Container[] => [{ name: 'main', ports: [{ name, containerPort: port, protocol: 'TCP' }] }];

  it('a named targetPort no pod declares: an error, with the targetPort they do declare as the fix', () => {
    const pods = [pod('api-1', { containers: named('web') }), pod('api-2', { containers: named('web') })];
    const [problem] = ofKind(cluster({ pods, services: [service('api')], endpointSlices: [slice('api', pods, [])] }), 'service-target-port-missing');
    expect(problem).toMatchObject({ severity: 'error', related: ['pod:uid-api-1', 'pod:uid-api-2'] });
    expect(problem?.message).toContain('targets the container port named "http", which none of its 2 pods declares');
    expect(problem?.fix).toContain(`kubectl -n shop patch service api --type json -p '[{"op":"add","path":"/spec/ports/0/targetPort","value":"web"}]'`);
  });

  it('some pods without the name: a warning naming the pods left out', () => {
    const pods = [pod('api-1'), pod('api-2', { containers: named('web') })];
    const [problem] = ofKind(cluster({ pods, services: [service('api')], endpointSlices: [slice('api', pods)] }), 'service-target-port-missing');
    expect(problem).toMatchObject({ severity: 'warning', related: ['pod:uid-api-2'] });
    expect(problem?.message).toContain('which 1 of its 2 pods do not declare (api-2)');
    // Repointing the Service would lose api-1: the fix is in the left-out pod's template.
    expect(problem?.fix).toBe('declare a container port named "http" (TCP) in the template of pod api-2');
  });

  it('the name with another protocol does not count; a native sidecar\'s port does', () => {
    const udp = [pod('dns-1', { containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }] })];
    expect(ofKind(cluster({ pods: udp, services: [service('dns')] }), 'service-target-port-missing')[0]?.why.join('\n')).toContain('"http" is UDP, the Service port TCP');
    const sidecar: Pod = pod('mesh-1', { containers: [{ name: 'main' }] });
    sidecar.spec.initContainers = [{ name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'http', containerPort: 15001, protocol: 'TCP' }] }];
    expect(ofKind(cluster({ pods: [sidecar], services: [service('mesh')] }), 'service-target-port-missing')).toEqual([]);
  });

  it('a numeric targetPort the pods do not declare is a warning; one they declare, or pods declaring no port, is nothing', () => {
    const pods = [pod('api-1')];
    const [problem] = ofKind(cluster({ pods, services: [service('api', { ports: [{ port: 80, protocol: 'TCP', targetPort: 8000 }] })] }), 'service-target-port-missing');
    expect(problem).toMatchObject({ severity: 'warning' });
    expect(problem?.message).toBe('port 80/TCP targets 8000/TCP, which its only pod (api-1) does not declare (they declare http 8080/TCP): it works only if the app listens on 8000 anyway');
    expect(ofKind(cluster({ pods, services: [service('api', { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] })] }), 'service-target-port-missing')).toEqual([]);
    const bare = [pod('api-1', { containers: [{ name: 'main' }] })];
    expect(ofKind(cluster({ pods: bare, services: [service('api', { ports: [{ port: 80, protocol: 'TCP', targetPort: 8000 }] })] }), 'service-target-port-missing')).toEqual([]);
  });
});

describe('service-endpoints-mismatch', () => {
  const external = service('pg', { selector: undefined, ports: [{ name: 'pg', port: 5432, protocol: 'TCP', targetPort: 5432 }] });
  const handMade = (ports: EndpointSlice['ports']): EndpointSlice => ({
    metadata: { name: 'pg-1', namespace: 'shop', uid: 'slice-pg', labels: { 'kubernetes.io/service-name': 'pg' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: true } }],
    ports,
  });

  it('a hand-made slice whose port is named otherwise gives the Service port no endpoint', () => {
    const [problem] = ofKind(cluster({ services: [external], endpointSlices: [handMade([{ name: 'postgres', port: 5432, protocol: 'TCP' }])] }), 'service-endpoints-mismatch');
    expect(problem).toMatchObject({ severity: 'error', subject: 'service/shop/pg', related: ['ep:shop/pg/192.0.2.10'] });
    expect(problem?.why).toContain('EndpointSlice pg-1 ports: postgres 5432/TCP');
    expect(problem?.fix).toContain('"value":"postgres"');
  });

  it('or has another protocol', () => {
    expect(ofKind(cluster({ services: [external], endpointSlices: [handMade([{ name: 'pg', port: 5432, protocol: 'UDP' }])] }), 'service-endpoints-mismatch')).toHaveLength(1);
  });

  it('not when name and protocol line up', () => {
    expect(cluster({ services: [external], endpointSlices: [handMade([{ name: 'pg', port: 5432, protocol: 'TCP' }])] })).toEqual([]);
  });
});

describe('traffic-policy-local-no-endpoint', () => {
  const web = [pod('web-1')];
  const lb = (externalTrafficPolicy: 'Local' | 'Cluster', type: 'LoadBalancer' | 'NodePort' = 'LoadBalancer') => service('web', { type, externalTrafficPolicy, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 }] });

  it('a NodePort with externalTrafficPolicy Local: the nodes without a local endpoint drop, a warning', () => {
    const [problem] = ofKind(cluster({ pods: web, services: [lb('Local', 'NodePort')], endpointSlices: [slice('web', web)] }), 'traffic-policy-local-no-endpoint');
    expect(problem).toMatchObject({ severity: 'warning', related: ['node:n2'] });
    expect(problem?.message).toBe('externalTrafficPolicy Local: 1 of 2 nodes have no ready local endpoint (n2), so they drop traffic to their NodePort 30080');
  });

  it('a LoadBalancer: its health check steers around them, a fact; nodes excluded from load balancers do not count', () => {
    expect(ofKind(cluster({ pods: web, services: [lb('Local')], endpointSlices: [slice('web', web)] }), 'traffic-policy-local-no-endpoint')[0]?.severity).toBe('info');
    const nodes = [node('n1', '10.244.1.0/24'), node('n2', '10.244.2.0/24', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' })];
    expect(cluster({ nodes, pods: web, services: [lb('Local')], endpointSlices: [slice('web', web)] })).toEqual([]);
  });

  it('an error when no node has a ready local endpoint', () => {
    const onN1 = [pod('web-1', { ready: false })];
    const endpoints = slice('web', onN1);
    // Ready per the slice, but on a node the model does not know.
    for (const e of endpoints.endpoints ?? []) Object.assign(e, { conditions: { ready: true }, nodeName: 'gone' });
    const [problem] = ofKind(cluster({ pods: onN1, services: [lb('Local', 'NodePort')], endpointSlices: [endpoints] }), 'traffic-policy-local-no-endpoint');
    expect(problem?.severity).toBe('error');
  });

  it('internalTrafficPolicy Local: the nodes with pods but no local endpoint', () => {
    const pods = [pod('cache-1'), pod('client-1', { node: 'n2' })];
    const svc = service('cache', { internalTrafficPolicy: 'Local' });
    const [problem] = ofKind(cluster({ pods, services: [svc], endpointSlices: [slice('cache', [pods[0]!])] }), 'traffic-policy-local-no-endpoint');
    expect(problem).toMatchObject({ severity: 'warning', related: ['node:n2'] });
  });

  it('not with the Cluster policies, nor with an endpoint on every node', () => {
    expect(cluster({ pods: web, services: [lb('Cluster', 'NodePort')], endpointSlices: [slice('web', web)] })).toEqual([]);
    const both = [pod('web-1'), pod('web-2', { node: 'n2' })];
    expect(cluster({ pods: both, services: [lb('Local', 'NodePort')], endpointSlices: [slice('web', both)] })).toEqual([]);
  });
});

describe('ingress backends', () => {
  const ingress = (name: string, port: { number?: number; name?: string }): Ingress => ({
    metadata: { name: 'shop', namespace: 'shop', uid: 'ing' },
    spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', backend: { service: { name, port } } }] } }] },
  });
  const web = [pod('web-1')];
  const healthy = { pods: web, services: [service('web')], endpointSlices: [slice('web', web)] };

  it('a Service that does not exist, with the close name as the fix', () => {
    const [problem] = ofKind(cluster({ ...healthy, ingresses: [ingress('webb', { number: 80 })] }), 'ingress-backend-missing');
    expect(problem).toMatchObject({ severity: 'error', subject: 'ingress/shop/shop', subjectId: 'ing:shop/shop', fix: 'set backend.service.name: web' });
    expect(problem?.message).toBe('routes shop.example.com/ to Service webb, which does not exist in shop (did you mean web?)');
  });

  it('a port the Service does not have, by number or by name', () => {
    const [byNumber] = ofKind(cluster({ ...healthy, ingresses: [ingress('web', { number: 8080 })] }), 'ingress-backend-missing');
    expect(byNumber?.message).toBe('routes shop.example.com/ to Service web port 8080, which it does not have (its ports: 80/TCP "http")');
    expect(byNumber?.fix).toBe('set backend.service.port.number: 80');
    expect(ofKind(cluster({ ...healthy, ingresses: [ingress('web', { name: 'https' })] }), 'ingress-backend-missing')).toHaveLength(1);
  });

  it('a Service without a ready endpoint', () => {
    const down = [pod('web-1', { ready: false })];
    const problems = cluster({ pods: down, services: [service('web')], endpointSlices: [slice('web', down)], ingresses: [ingress('web', { number: 80 })] });
    expect(ofKind(problems, 'ingress-backend-no-endpoints')).toMatchObject([{ severity: 'error', related: ['svc:shop/web'] }]);
  });

  it('nothing when the Service, its port (number or name) and a ready endpoint are there', () => {
    expect(cluster({ ...healthy, ingresses: [ingress('web', { number: 80 })] })).toEqual([]);
    expect(cluster({ ...healthy, ingresses: [ingress('web', { name: 'http' })] })).toEqual([]);
  });
});

describe('HTTPRoute backends and parents', () => {
  const gateway: Gateway = { metadata: { name: 'edge', namespace: 'shop', uid: 'gw' }, spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
  const route = (backend: { name: string; port?: number; weight?: number }, parent = 'edge'): HTTPRoute => ({
    metadata: { name: 'shop', namespace: 'shop', uid: 'route' },
    spec: { parentRefs: [{ name: parent }], hostnames: ['shop.example.com'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [backend] }] },
  });
  const web = [pod('web-1')];
  const healthy = { pods: web, services: [service('web')], endpointSlices: [slice('web', web)], gateways: [gateway] };

  it('a Service that does not exist, with the close name as the fix', () => {
    const [problem] = ofKind(cluster({ ...healthy, httpRoutes: [route({ name: 'webb', port: 80 })] }), 'httproute-backend-missing');
    expect(problem).toMatchObject({ severity: 'error', subject: 'httproute/shop/shop', subjectId: 'httproute:shop/shop', fix: 'set backendRefs[].name: web' });
    expect(problem?.message).toBe('routes shop.example.com/api to Service webb, which does not exist in shop (did you mean web?)');
  });

  it('a port the Service does not have (its port, not the targetPort), or none at all', () => {
    const [byNumber] = ofKind(cluster({ ...healthy, httpRoutes: [route({ name: 'web', port: 8080 })] }), 'httproute-backend-missing');
    expect(byNumber?.message).toBe('routes shop.example.com/api to Service web port 8080, which it does not have (its ports: 80/TCP "http")');
    expect(byNumber?.fix).toBe('set backendRefs[].port: 80');
    const [none] = ofKind(cluster({ ...healthy, httpRoutes: [route({ name: 'web' })] }), 'httproute-backend-missing');
    expect(none?.message).toContain('without a port, which a Service backend must name');
  });

  it('a Service without a ready endpoint; not for a backend weighted 0, which gets no request', () => {
    const down = [pod('web-1', { ready: false })];
    const broken = { pods: down, services: [service('web')], endpointSlices: [slice('web', down)], gateways: [gateway] };
    expect(ofKind(cluster({ ...broken, httpRoutes: [route({ name: 'web', port: 80 })] }), 'httproute-backend-no-endpoints')).toMatchObject([{ severity: 'error', related: ['svc:shop/web'] }]);
    expect(ofKind(cluster({ ...broken, httpRoutes: [route({ name: 'web', port: 80, weight: 0 })] }), 'httproute-backend-no-endpoints')).toEqual([]);
  });

  it('a parent Gateway that does not exist: the route serves nothing', () => {
    const [problem] = ofKind(cluster({ ...healthy, httpRoutes: [route({ name: 'web', port: 80 }, 'egde')] }), 'httproute-parent-missing');
    expect(problem).toMatchObject({ severity: 'error', subjectId: 'httproute:shop/shop', message: 'attaches to Gateway egde, which does not exist: the route serves nothing' });
  });

  it('nothing when the Gateway, the Service, its port and a ready endpoint are there', () => {
    expect(cluster({ ...healthy, httpRoutes: [route({ name: 'web', port: 80 })] })).toEqual([]);
  });
});

describe('cluster DNS', () => {
  const coreDns = (ready = true) =>
    pod('coredns-1', {
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns' },
      ready,
      containers: [{ name: 'coredns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] }],
    });
  const kubeDns = (ports: Service['spec']['ports'] = [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }]) =>
    service('kube-dns', { clusterIP: '10.96.0.10', selector: { 'k8s-app': 'kube-dns' }, ports }, 'kube-system');
  const dnsSlice = (p: Pod, ports: EndpointSlice['ports'] = [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]) => slice('kube-dns', [p], ports, 'kube-system');
  const metrics = service('metrics-server', { selector: undefined }, 'kube-system');

  it('missing, when kube-system\'s Services were read', () => {
    const [problem] = ofKind(cluster({ pods: [coreDns()], services: [metrics] }), 'cluster-dns-missing');
    expect(problem).toMatchObject({ severity: 'error', subject: 'service/kube-system/kube-dns', subjectId: null, related: ['pod:uid-coredns-1'] });
  });

  it('nothing said when no Service of kube-system is in the model, or Services could not be read', () => {
    expect(ofKind(cluster({ pods: [coreDns()] }), 'cluster-dns-missing')).toEqual([]);
    expect(cluster({ pods: [coreDns()], services: [metrics] }, { unavailableKinds: [{ kind: 'services', reason: 'forbidden' }] })).toEqual([]);
  });

  it('without a ready endpoint (and said once, not again as a Service whose pods are not ready)', () => {
    const p = coreDns(false);
    const problems = cluster({ pods: [p], services: [kubeDns()], endpointSlices: [dnsSlice(p)] });
    expect(problems.map((x) => x.kind)).toEqual(['cluster-dns-no-endpoints']);
  });

  it('ports: no 53/TCP is a warning; endpoints without the port a Service port names is an error', () => {
    const p = coreDns();
    const udpOnly = cluster({ pods: [p], services: [kubeDns([{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }])], endpointSlices: [dnsSlice(p, [{ name: 'dns', port: 53, protocol: 'UDP' }])] });
    expect(ofKind(udpOnly, 'cluster-dns-ports-mismatch')).toMatchObject([{ severity: 'warning' }]);
    const renamed = cluster({ pods: [p], services: [kubeDns()], endpointSlices: [dnsSlice(p, [{ name: 'domain', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }])] });
    expect(ofKind(renamed, 'cluster-dns-ports-mismatch')).toMatchObject([{ severity: 'error' }]);
  });

  it('nothing for a healthy kube-dns', () => {
    const p = coreDns();
    expect(cluster({ pods: [p], services: [kubeDns()], endpointSlices: [dnsSlice(p)] })).toEqual([]);
  });
});

describe('addresses', () => {
  it('a pod IP outside its node\'s podCIDR, naming the node whose range it is in', () => {
    const [problem] = ofKind(cluster({ pods: [pod('web-1', { ip: '10.244.2.50' }), pod('web-2', { node: 'n2' })] }), 'pod-ip-outside-pod-cidr');
    expect(problem).toMatchObject({ severity: 'error', subject: 'pod/shop/web-1', related: ['node:n1', 'node:n2'] });
    expect(problem?.message).toBe("pod IP 10.244.2.50 is outside node n1's pod range 10.244.1.0/24: other nodes route that address to n2, so their traffic does not reach the pod");
  });

  it('not for hostNetwork pods, nor with a CNI whose IPAM ignores node podCIDRs (Calico\'s blocks)', () => {
    expect(cluster({ pods: [pod('agent', { hostNetwork: true })] })).toEqual([]);
    const objects = emptyObjects();
    objects.nodes = [node('n1', '10.244.1.0/24')];
    objects.daemonSets.push({ metadata: { name: 'calico-node', namespace: 'kube-system', uid: 'ds' }, spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3.30.2' }] } } } });
    objects.pods.push(pod('web-1', { ip: '192.168.7.3' }));
    expect(serviceChecks.flatMap((c) => c(derive(objects)))).toEqual([]);
  });

  it('two running pods with one IP; a terminating one beside a running one is not', () => {
    const problems = cluster({ pods: [pod('a-1', { ip: '10.244.1.77' }), pod('b-1', { ip: '10.244.1.77' })] });
    expect(ofKind(problems, 'pod-ip-duplicate')).toMatchObject([{ severity: 'error', subject: 'pod/shop/a-1', related: ['pod:uid-b-1'] }]);
    const leaving = pod('a-1', { ip: '10.244.1.77' });
    leaving.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    expect(cluster({ pods: [leaving, pod('b-1', { ip: '10.244.1.77' })] })).toEqual([]);
  });

  it('two pods on a node publishing one hostPort; on other nodes, other protocols or distinct host IPs they do not clash', () => {
    const publishing = (name: string, nodeName: string, protocol: 'TCP' | 'UDP' = 'TCP', hostIP?: string) =>
      pod(name, { node: nodeName, containers: [{ name: 'main', ports: [{ containerPort: 9100, hostPort: 9100, protocol, ...(hostIP ? { hostIP } : {}) }] }] });
    const [problem] = ofKind(cluster({ pods: [publishing('exporter-a', 'n1'), publishing('exporter-b', 'n1')] }), 'host-port-clash');
    expect(problem).toMatchObject({ severity: 'error', subject: 'node/n1', subjectId: 'node:n1', related: ['pod:uid-exporter-a', 'pod:uid-exporter-b'] });
    expect(cluster({ pods: [publishing('exporter-a', 'n1'), publishing('exporter-b', 'n2')] })).toEqual([]);
    expect(cluster({ pods: [publishing('exporter-a', 'n1'), publishing('exporter-b', 'n1', 'UDP')] })).toEqual([]);
    expect(cluster({ pods: [publishing('exporter-a', 'n1', 'TCP', '172.18.0.2'), publishing('exporter-b', 'n1', 'TCP', '127.0.0.1')] })).toEqual([]);
  });

  it('a hostNetwork pod\'s container port is a host port', () => {
    const agent = pod('agent', { hostNetwork: true, containers: [{ name: 'main', ports: [{ containerPort: 9100, protocol: 'TCP' }] }] });
    const other = pod('exporter', { containers: [{ name: 'main', ports: [{ containerPort: 9100, hostPort: 9100, protocol: 'TCP' }] }] });
    expect(ofKind(cluster({ pods: [agent, other] }), 'host-port-clash')).toHaveLength(1);
  });
});
