import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { emptyObjects, type ClusterObjects } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from './derive.ts';

const demo = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

describe('Ingress controllers', () => {
  test('the demo Ingress is joined to ingress-nginx\'s controller pods and its LoadBalancer Service', () => {
    const topology = derive(demo.objects, demo.source);
    const ingress = Object.values(topology.ingresses)[0]!;
    expect(ingress.controller).toBe('k8s.io/ingress-nginx');
    const join = ingress.controllerJoin!;
    expect(join.pods.length).toBe(2);
    expect(join.pods.every((id) => topology.pods[id]?.namespace === 'ingress-nginx')).toBe(true);
    expect(join.services).toContain('svc:ingress-nginx/ingress-nginx-controller');
    expect(join.evidence).toMatch(/app.kubernetes.io\/name=ingress-nginx/);
  });

  test('an unknown controller is said to be unknown, not guessed', () => {
    const objects = structuredClone(demo.objects);
    objects.ingressClasses[0]!.spec.controller = 'example.com/homegrown';
    const ingress = Object.values(derive(objects).ingresses)[0]!;
    expect(ingress.controllerJoin).toMatchObject({ pods: [], services: [] });
    expect(ingress.controllerJoin!.evidence).toMatch(/not one Podpath knows/);
  });
});

describe('Gateway API', () => {
  const objects: ClusterObjects = {
    ...emptyObjects(),
    services: [
      {
        metadata: { name: 'envoy-edge-1a2b', namespace: 'infra', uid: 's1', labels: { 'gateway.envoyproxy.io/owning-gateway-name': 'edge' } },
        spec: { type: 'LoadBalancer', clusterIP: '10.96.7.7', ports: [{ port: 80 }] },
      },
      { metadata: { name: 'web', namespace: 'shop', uid: 's2' }, spec: { clusterIP: '10.96.1.1', ports: [{ port: 8080 }] } },
    ],
    gateways: [
      {
        metadata: { name: 'edge', namespace: 'infra', uid: 'g1' },
        spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: '*.example.com' }] },
        status: { addresses: [{ type: 'IPAddress', value: '203.0.113.9' }] },
      },
    ],
    httpRoutes: [
      {
        metadata: { name: 'shop', namespace: 'shop', uid: 'r1' },
        spec: {
          parentRefs: [{ name: 'edge', namespace: 'infra' }],
          hostnames: ['shop.example.com'],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'web', port: 8080 }, { name: 'bucket', kind: 'Backend', group: 'example.com' }] }],
        },
      },
    ],
  };
  const topology = derive(objects);

  test('a Gateway is joined to the Service its implementation made, by that Service\'s labels', () => {
    expect(topology.gateways['gw:infra/edge']).toMatchObject({
      className: 'eg',
      addresses: ['203.0.113.9'],
      service: 'svc:infra/envoy-edge-1a2b',
      listeners: [{ name: 'http', hostname: '*.example.com', port: 80, protocol: 'HTTP' }],
    });
    expect(topology.gateways['gw:infra/edge']!.evidence).toMatch(/gateway.envoyproxy.io\/owning-gateway-name/);
  });

  test('an HTTPRoute names its Gateways and its Service backends, and skips non-Service backends', () => {
    expect(topology.httpRoutes['httproute:shop/shop']).toEqual({
      id: 'httproute:shop/shop',
      kind: 'httproute',
      name: 'shop',
      namespace: 'shop',
      parents: ['gw:infra/edge'],
      hostnames: ['shop.example.com'],
      rules: [{ paths: ['PathPrefix /api'], backends: [{ service: 'svc:shop/web', port: 8080, weight: 1 }] }],
    });
  });
});
