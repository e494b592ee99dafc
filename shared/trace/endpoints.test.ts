/** How trace ends are read: every form the CLI, the trace panel and a batch file accept. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import type { PodRecord, Topology } from '../model/types.ts';
import { endpointTextFor } from './end-text.ts';
import { endpointIds, parseEndpoint, type EndContext, type Endpoint } from './endpoints.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);
const backend = Object.values(demo.pods).find((p) => p.name.startsWith('backend-') && p.ips[0] === '10.244.1.7')!;
const checkout = Object.values(demo.pods).find((p) => p.name.startsWith('checkout-') && p.host === 'node:demo-worker-1')!;

function summary(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case 'pod':
      return `pod ${endpoint.pod.namespace}/${endpoint.pod.name}${endpoint.container ? `:${endpoint.container.name}` : ''}`;
    case 'node':
      return `node ${endpoint.host.name} ${endpoint.ip}`;
    case 'service':
      return `service ${endpoint.service.namespace}/${endpoint.service.name} via ${endpoint.via}`;
    case 'ingress':
      return `ingress ${endpoint.ingress.namespace}/${endpoint.ingress.name} ${endpoint.rule?.service ?? 'no rule'}`;
    case 'gateway':
      return `gateway ${endpoint.gateway.name}`;
    case 'name':
      return `name ${endpoint.name}`;
    case 'external':
      return `external ${endpoint.ip ?? 'internet'}`;
    case 'unowned':
      return `unowned ${endpoint.ip}`;
    case 'unknown':
      return `unknown: ${endpoint.message}`;
  }
}

const read = (text: string, role: 'from' | 'to' = 'to') => summary(parseEndpoint(demo, text, role));

describe('parseEndpoint', () => {
  test('pods and containers: ns/pod, ns/pod:container, pod/ns/name, a model id', () => {
    expect(read(`shop/${backend.name}`)).toBe(`pod shop/${backend.name}`);
    expect(read(`payments/${checkout.name}:envoy`)).toBe(`pod payments/${checkout.name}:envoy`);
    expect(read(`pod/shop/${backend.name}`)).toBe(`pod shop/${backend.name}`);
    expect(read(backend.id)).toBe(`pod shop/${backend.name}`);
    expect(read(`ctr:${checkout.uid}/envoy`)).toBe(`pod payments/${checkout.name}:envoy`);
    expect(read(`veth:${backend.uid}`)).toBe(`pod shop/${backend.name}`);
    expect(read(`payments/${checkout.name}:nginx`)).toBe(
      `unknown: pod payments/${checkout.name} has no container or port named "nginx"; its containers are envoy, migrate, checkout, its named ports envoy-admin (9901/TCP), egress (15001/TCP), http (8080/TCP)`,
    );
  });

  test('Services: svc/ns/name is looked up by name, svc:ns/name (a clicked element) is not; ns/name falls back to a Service', () => {
    expect(read('svc/shop/backend')).toBe('service shop/backend via name');
    expect(read('service/shop/backend')).toBe('service shop/backend via name');
    expect(read('svc:shop/backend')).toBe('service shop/backend via id');
    expect(read('shop/backend')).toBe('service shop/backend via name');
    expect(read('ep:shop/backend/10.244.1.7')).toBe(`pod shop/${backend.name}`);
  });

  test('addresses: whatever owns them', () => {
    expect(read('10.244.1.7')).toBe(`pod shop/${backend.name}`);
    expect(read('10.96.139.244')).toBe('service shop/backend via cluster-ip');
    expect(read('10.96.139.244:80')).toBe('service shop/backend via cluster-ip');
    expect(parseEndpoint(demo, '10.96.139.244:80', 'to')).toMatchObject({ port: 80 });
    expect(read('203.0.113.10')).toBe('service ingress-nginx/ingress-nginx-controller via load-balancer');
    expect(read('172.18.0.3')).toBe('node demo-worker-1 172.18.0.3');
    expect(read('203.0.113.3')).toBe('node demo-worker-1 203.0.113.3');
    expect(read('10.244.1.1')).toBe('node demo-worker-1 10.244.1.1');
    expect(read('10.244.1.200')).toBe('unowned 10.244.1.200');
    expect(read('8.8.8.8')).toBe('external 8.8.8.8');
    expect(read('[2001:db8::1]:443')).toBe('external 2001:db8::1');
    expect(read('internet')).toBe('external internet');
    expect(read('ext:internet')).toBe('external internet');
  });

  test('Ingress rules: by name and path, or by URL host and path (the longest matching prefix wins)', () => {
    expect(read('ingress/shop/shop')).toBe('ingress shop/shop svc:shop/frontend');
    expect(read('ingress/shop/shop/api')).toBe('ingress shop/shop svc:shop/backend');
    expect(read('ing:shop/shop')).toBe('ingress shop/shop svc:shop/frontend');
    expect(read('http://shop.example.com/api/v1/orders')).toBe('ingress shop/shop svc:shop/backend');
    expect(read('https://shop.example.com/apix')).toBe('ingress shop/shop svc:shop/frontend');
    expect(parseEndpoint(demo, 'https://shop.example.com/', 'to')).toMatchObject({ port: 443, host: 'shop.example.com' });
    expect(read('http://unknown.example.com/')).toBe('name unknown.example.com');
  });

  test('nodes and bare words: a node name, a DNS name for a destination, a unique pod name for a source', () => {
    expect(read('node/demo-worker-2')).toBe('node demo-worker-2 172.18.0.4');
    expect(read('demo-worker-2')).toBe('node demo-worker-2 172.18.0.4');
    expect(read('node:demo-worker-2')).toBe('node demo-worker-2 172.18.0.4');
    expect(read('backend.shop')).toBe('name backend.shop');
    expect(read('Backend.Shop.svc.cluster.local')).toBe('name backend.shop.svc.cluster.local');
    expect(read(backend.name, 'from')).toBe(`pod shop/${backend.name}`);
  });

  test('nothing matches: what was tried, and close matches', () => {
    expect(read('shop/bakend')).toMatch(/^unknown: "shop\/bakend" matches nothing in the cluster \(tried: .*\); did you mean shop\/backend, svc\/shop\/backend\?$/);
    expect(read('svc/shop/frontent')).toContain('did you mean svc/shop/frontend');
    expect(read('pod:no-such-uid')).toBe('unknown: no element with id pod:no-such-uid in the model');
    expect(read('', 'from')).toBe('unknown: no source given');
  });
});

describe('endpointTextFor', () => {
  test('writes every pod, container, Service, Ingress and node so that parseEndpoint reads it back to the same element', () => {
    const ids = [...Object.keys(demo.pods), ...Object.keys(demo.containers), ...Object.keys(demo.services), ...Object.keys(demo.ingresses), ...Object.keys(demo.hosts)];
    expect(ids.length).toBeGreaterThan(50);
    for (const id of ids) {
      const text = endpointTextFor(demo, id);
      expect(text, id).not.toBeNull();
      expect(endpointIds(parseEndpoint(demo, text!, 'from')), `${id} as ${text}`).toContain(id);
    }
    expect(endpointTextFor(demo, 'ext:internet')).toBe('internet');
    expect(endpointTextFor(demo, 'netpol:shop/default-deny-all')).toBeNull();
  });
});

/** The demo with pods of our own in namespace `lab`: Deployments `api` and `api-gateway` (one name
 * the start of the other), a Job's finished pod, and a pod no controller owns. */
function lab(): Topology {
  const pod = (name: string, phase: string, isReady: boolean, owner: PodRecord['owner'], hash?: string): PodRecord => ({
    ...backend,
    id: `pod:lab-${name}`,
    uid: `lab-${name}`,
    name,
    namespace: 'lab',
    phase,
    isReady,
    labels: hash ? { 'pod-template-hash': hash } : {},
    owner,
    containers: [],
  });
  const pods = [
    pod('api-6d4cf56db6-aaaaa', 'Pending', false, { kind: 'ReplicaSet', name: 'api-6d4cf56db6' }, '6d4cf56db6'),
    pod('api-6d4cf56db6-bbbbb', 'Running', false, { kind: 'ReplicaSet', name: 'api-6d4cf56db6' }, '6d4cf56db6'),
    pod('api-6d4cf56db6-ccccc', 'Running', true, { kind: 'ReplicaSet', name: 'api-6d4cf56db6' }, '6d4cf56db6'),
    pod('api-gateway-7f9c8d7b5c-ddddd', 'Running', true, { kind: 'ReplicaSet', name: 'api-gateway-7f9c8d7b5c' }, '7f9c8d7b5c'),
    pod('warmup-6b8f9c7d4f-xk2lp', 'Pending', false, { kind: 'ReplicaSet', name: 'warmup-6b8f9c7d4f' }, '6b8f9c7d4f'),
    pod('migrate-q7x2c', 'Succeeded', false, { kind: 'Job', name: 'migrate' }),
    pod('debug', 'Running', true, null),
  ];
  return { ...demo, pods: { ...demo.pods, ...Object.fromEntries(pods.map((p) => [p.id, p])) } };
}

const how = (endpoint: Endpoint) => ('how' in endpoint ? endpoint.how : endpoint.message);

describe('parseEndpoint: a workload or the start of a pod name picks one pod, and says which', () => {
  test('a Deployment, StatefulSet or DaemonSet by name: a Running, Ready pod, the first by name, out of how many', () => {
    const frontend = parseEndpoint(demo, 'shop/frontend', 'from');
    expect(summary(frontend)).toBe('pod shop/frontend-855456765f-6r8k4');
    // The fourth pod is Terminating (an older ReplicaSet): counted, never picked.
    expect(how(frontend)).toBe('shop/frontend → pod shop/frontend-855456765f-6r8k4, 1 of 3 ready pods of Deployment frontend (4 in all)');
    expect(how(parseEndpoint(demo, 'shop/db', 'from'))).toBe('shop/db → pod shop/db-0, 1 of 3 ready pods of StatefulSet db');
    expect(how(parseEndpoint(demo, 'kube-system/kube-proxy', 'to'))).toBe('kube-system/kube-proxy → pod kube-system/kube-proxy-7mq8x, 1 of 3 ready pods of DaemonSet kube-proxy');
    // Without a namespace, when the name is one workload's in the whole cluster.
    expect(summary(parseEndpoint(demo, 'frontend', 'from'))).toBe('pod shop/frontend-855456765f-6r8k4');
  });

  test('a destination ns/name that is a Service too is the Service; a source is a pod of the workload', () => {
    expect(read('shop/frontend', 'to')).toBe('service shop/frontend via name');
    expect(read('shop/frontend', 'from')).toBe('pod shop/frontend-855456765f-6r8k4');
  });

  test('Ready and Running first; a finished pod only when there is nothing else', () => {
    const topology = lab();
    expect(how(parseEndpoint(topology, 'lab/api', 'from'))).toBe('lab/api → pod lab/api-6d4cf56db6-ccccc, the one ready pod of Deployment api (3 in all)');
    expect(how(parseEndpoint(topology, 'lab/warmup', 'from'))).toBe('lab/warmup → pod lab/warmup-6b8f9c7d4f-xk2lp (Pending, not ready), the only pod of Deployment warmup');
    expect(how(parseEndpoint(topology, 'lab/migrate', 'from'))).toBe('lab/migrate → pod lab/migrate-q7x2c (Succeeded, not ready), the only pod of Job migrate');
    const notReady = { ...topology, pods: Object.fromEntries(Object.entries(topology.pods).map(([id, p]) => [id, p.name === 'api-6d4cf56db6-ccccc' ? { ...p, isReady: false } : p])) };
    // None ready: a Running pod before a Pending one, though the Pending one comes first by name.
    expect(how(parseEndpoint(notReady, 'lab/api', 'from'))).toBe('lab/api → pod lab/api-6d4cf56db6-bbbbb (Running, not ready): none of the 3 pods of Deployment api is ready');
    expect(how(parseEndpoint(demo, 'payments/ledger', 'from'))).toBe('payments/ledger → pod payments/ledger-fdd96b96-5zs2p (Running, not ready): none of the 2 pods of Deployment ledger is ready');
  });

  test("a workload's exact name beats the start of another's: api is not api-gateway", () => {
    const topology = lab();
    expect(summary(parseEndpoint(topology, 'lab/api', 'from'))).toBe('pod lab/api-6d4cf56db6-ccccc');
    expect(summary(parseEndpoint(topology, 'lab/api-g', 'from'))).toBe('pod lab/api-gateway-7f9c8d7b5c-ddddd');
    expect(summary(parseEndpoint(topology, 'lab/api-gateway', 'from'))).toBe('pod lab/api-gateway-7f9c8d7b5c-ddddd');
  });

  test('the start of pod names of one workload, or of one pod, picks as a workload does', () => {
    expect(how(parseEndpoint(demo, 'shop/frontend-855', 'from'))).toBe('shop/frontend-855 → pod shop/frontend-855456765f-6r8k4, 1 of 3 ready pods of Deployment frontend whose names start with frontend-855');
    expect(how(parseEndpoint(demo, 'kube-system/kube-api', 'from'))).toBe('kube-system/kube-api → pod kube-system/kube-apiserver-demo-control-plane, the only pod whose name starts with kube-api');
  });

  test('the start of several workloads\' or pods\' names is ambiguous: each choice, ready to write, reads back to one pod', () => {
    const ambiguous = parseEndpoint(demo, 'kube-system/kube-', 'from');
    expect(ambiguous.kind).toBe('unknown');
    expect(how(ambiguous)).toBe(
      '"kube-system/kube-" could be any of 4: kube-system/kube-apiserver-demo-control-plane, kube-system/kube-controller-manager-demo-control-plane, kube-system/kube-proxy (DaemonSet, 3 pods), kube-system/kube-scheduler-demo-control-plane; write more of the name',
    );
    const choices = ambiguous.kind === 'unknown' ? (ambiguous.suggestions ?? []) : [];
    expect(choices).toHaveLength(4);
    for (const choice of choices) expect(parseEndpoint(demo, choice, 'from').kind, choice).toBe('pod');
    // Two workloads in lab start with "api-": no pick.
    expect(parseEndpoint(lab(), 'lab/ap', 'from')).toMatchObject({ kind: 'unknown', suggestions: ['lab/api', 'lab/api-gateway'] });
    // The written suffix stays on the choices.
    expect(parseEndpoint(lab(), 'lab/ap:8080', 'to')).toMatchObject({ kind: 'unknown', suggestions: ['lab/api:8080', 'lab/api-gateway:8080'] });
  });
});

describe('parseEndpoint: after the colon, a port, a container or a named port', () => {
  const db0 = 'shop/db-0';

  test('digits are a port, on a pod, a workload, a Service (ns/name or svc/ns/name), a node, a DNS name', () => {
    expect(parseEndpoint(demo, `${db0}:5432`, 'to')).toMatchObject({ kind: 'pod', port: 5432, container: null, how: 'pod shop/db-0, port 5432' });
    expect(parseEndpoint(demo, 'shop/db:5432', 'to')).toMatchObject({ kind: 'service', port: 5432 });
    expect(parseEndpoint(demo, 'svc/shop/db:5432', 'to')).toMatchObject({ kind: 'service', port: 5432, how: 'svc shop/db, looked up as db.shop.svc.cluster.local, port 5432' });
    expect(parseEndpoint(demo, 'kube-system/kube-proxy:10256', 'to')).toMatchObject({ kind: 'pod', port: 10256 });
    expect(parseEndpoint(demo, 'node/demo-worker-2:30300', 'to')).toMatchObject({ kind: 'node', port: 30300 });
    expect(parseEndpoint(demo, 'backend.shop:80', 'to')).toMatchObject({ kind: 'name', name: 'backend.shop', port: 80 });
    expect(read(`${db0}:0`)).toBe('unknown: "shop/db-0:0": ":0" is no port (expected a port number from 1 to 65535)');
    expect(read('backend.shop:http')).toBe('unknown: "backend.shop:http": ":http" is no port (only a port number can follow it)');
  });

  test("a name is a pod's container first, else one of its containers' port names (with that port's protocol)", () => {
    // db-0's container and its port are both named postgres: the container wins.
    expect(parseEndpoint(demo, `${db0}:postgres`, 'to')).toMatchObject({ kind: 'pod', container: { name: 'postgres' }, how: 'pod shop/db-0, container postgres' });
    expect(parseEndpoint(demo, `${db0}:postgres`, 'to')).not.toHaveProperty('port');
    expect(parseEndpoint(demo, `payments/${checkout.name}:envoy-admin`, 'to')).toMatchObject({
      kind: 'pod',
      container: null,
      port: 9901,
      protocol: 'TCP',
      how: `pod payments/${checkout.name}, port 9901/TCP (port "envoy-admin" of container envoy)`,
    });
    expect(parseEndpoint(demo, 'kube-system/coredns:dns', 'to')).toMatchObject({ kind: 'pod', port: 53, protocol: 'UDP' });
  });

  test("a name after a Service is one of the Service's port names", () => {
    expect(parseEndpoint(demo, 'svc/shop/db:postgres', 'to')).toMatchObject({ kind: 'service', port: 5432, protocol: 'TCP' });
    expect(parseEndpoint(demo, 'svc/kube-system/kube-dns:dns', 'to')).toMatchObject({ kind: 'service', port: 53, protocol: 'UDP', how: 'svc kube-system/kube-dns, looked up as kube-dns.kube-system.svc.cluster.local, port 53/UDP (port "dns")' });
    expect(parseEndpoint(demo, 'svc/kube-system/kube-dns:dns-tcp', 'to')).toMatchObject({ port: 53, protocol: 'TCP' });
    expect(read('svc/shop/db:pg')).toBe('unknown: svc shop/db has no port named "pg"; its ports are postgres (5432/TCP)');
  });

  test('a port in the text and one given apart must agree: the same is fine, different is an error, not a guess', () => {
    expect(parseEndpoint(demo, 'svc/shop/db:5432', 'to', { port: 5432 })).toMatchObject({ kind: 'service', port: 5432 });
    expect(read('svc/shop/db:5432', 'to')).toBe('service shop/db via name');
    expect(summary(parseEndpoint(demo, 'svc/shop/db:5432', 'to', { port: 80 }))).toBe('unknown: "svc/shop/db:5432" says port 5432, but port 80 is given too: give the port once, or the same in both');
    expect(summary(parseEndpoint(demo, '10.96.139.244:80', 'to', { port: 8080 }))).toContain('says port 80, but port 8080 is given too');
    expect(summary(parseEndpoint(demo, 'svc/kube-system/kube-dns:dns', 'to', { protocol: 'TCP' }))).toBe('unknown: "svc/kube-system/kube-dns:dns" is port 53/UDP, but the protocol given is TCP: give UDP, or a TCP port');
    expect(parseEndpoint(demo, 'svc/kube-system/kube-dns:dns', 'to', { protocol: 'UDP' })).toMatchObject({ kind: 'service', protocol: 'UDP' });
    // A URL's port is a conflict only when written: https:// alone is 443 unless a port is given.
    expect(summary(parseEndpoint(demo, 'https://shop.example.com:8443/', 'to', { port: 443 }))).toContain('says port 8443, but port 443 is given too');
    expect(parseEndpoint(demo, 'https://shop.example.com/', 'to', { port: 8443 }).kind).toBe('ingress');
  });

  test("a source's port is read, noted and ignored: a connection leaves from an ephemeral port", () => {
    const source = parseEndpoint(demo, `${db0}:5432`, 'from', { port: 80 });
    expect(source).toMatchObject({ kind: 'pod', how: 'pod shop/db-0, port 5432 ignored: a connection leaves its source from an ephemeral port' });
    expect(source).not.toHaveProperty('port');
  });
});

describe("parseEndpoint: a Service's name from a node or the internet is the Service", () => {
  const node = parseEndpoint(demo, 'node/demo-worker-1', 'from');
  const internet = parseEndpoint(demo, 'internet', 'from');
  const pod = parseEndpoint(demo, `shop/${backend.name}`, 'from');

  test('name.ns (and its longer forms) from a node or the internet: the Service itself, said so', () => {
    expect(parseEndpoint(demo, 'backend.shop', 'to', { from: node })).toMatchObject({
      kind: 'service',
      via: 'id',
      how: "backend.shop → svc shop/backend, taken as the Service itself, not looked up (a node's resolver does not serve cluster names)",
    });
    expect(parseEndpoint(demo, 'backend.shop.svc.cluster.local', 'to', { from: internet })).toMatchObject({
      kind: 'service',
      via: 'id',
      how: 'backend.shop.svc.cluster.local → svc shop/backend, taken as the Service itself, not looked up (cluster names do not resolve outside the cluster)',
    });
    expect(parseEndpoint(demo, 'svc/shop/backend', 'to', { from: node })).toMatchObject({ kind: 'service', via: 'id' });
  });

  test('from a pod the name is looked up as its resolver would; a name no Service has stays a name', () => {
    expect(read('backend.shop')).toBe('name backend.shop');
    expect(summary(parseEndpoint(demo, 'backend.shop', 'to', { from: pod }))).toBe('name backend.shop');
    expect(summary(parseEndpoint(demo, 'svc/shop/backend', 'to', { from: pod }))).toBe('service shop/backend via name');
    expect(summary(parseEndpoint(demo, 'nothing.shop', 'to', { from: node }))).toBe('name nothing.shop');
    // Two labels and a Service in neither order: not a Service name.
    expect(summary(parseEndpoint(demo, 'shop.backend', 'to', { from: node }))).toBe('name shop.backend');
  });
});

describe('parseEndpoint: what matches nothing suggests what to write', () => {
  const suggestions = (text: string, role: 'from' | 'to', context: EndContext = {}) => {
    const endpoint = parseEndpoint(demo, text, role, context);
    return endpoint.kind === 'unknown' ? endpoint.suggestions : `not unknown: ${summary(endpoint)}`;
  };

  test('a source is offered what can send; a destination anything; a written kind keeps to that kind', () => {
    expect(suggestions('shop/frontnd', 'from')).toEqual(['shop/frontend']);
    expect(suggestions('shop/frontnd', 'to')).toEqual(['shop/frontend', 'svc/shop/frontend']);
    expect(suggestions('svc/shop/backnd', 'to')).toEqual(['svc/shop/backend']);
  });

  test('the suffix written stays on each suggestion, and every suggestion reads back to an element', () => {
    expect(suggestions('shop/frontnd:5432', 'to')).toEqual(['shop/frontend:5432', 'svc/shop/frontend:5432']);
    expect(suggestions('svc/shop/db-x:postgres', 'to')).toEqual(['svc/shop/db:postgres']);
    for (const text of ['shop/frontnd:5432', 'svc/shop/db-x:postgres', 'node/demo-workr-1', 'shop/bakend']) {
      const offered = suggestions(text, 'to');
      expect(Array.isArray(offered) && offered.length > 0, text).toBe(true);
      for (const suggestion of offered as string[]) expect(endpointIds(parseEndpoint(demo, suggestion, 'to')).length, suggestion).toBeGreaterThan(0);
    }
  });

  test('none when asked not to suggest (the search box), and none for a port conflict', () => {
    expect(suggestions('shop/frontnd', 'from', { isSuggesting: false })).toBeUndefined();
    expect(suggestions('svc/shop/db:5432', 'to', { port: 80 })).toBeUndefined();
  });
});
