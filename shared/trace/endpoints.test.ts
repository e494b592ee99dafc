/** How trace ends are read: every form the CLI, the trace panel and a batch file accept. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { endpointIds, endpointTextFor, parseEndpoint, type Endpoint } from './endpoints.ts';

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
    expect(read(`payments/${checkout.name}:nginx`)).toBe(`unknown: pod payments/${checkout.name} has no container "nginx"; its containers are envoy, migrate, checkout`);
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
    expect(read('shop/bakend')).toMatch(/^unknown: "shop\/bakend" matches nothing in the cluster \(tried: .*\); did you mean svc\/shop\/backend/);
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
