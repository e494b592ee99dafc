import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyObjects, type Pod, type Service } from '../kube/objects.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { describeTopology } from './build.ts';
import type { ServiceHealth } from './types.ts';

// Three nodes (w1, w2, and a control plane kept out of load balancers, as kind labels it), pods
// and one Service with hand-written EndpointSlice endpoints per case: each case changes one thing
// of a healthy Service and reads the line.
interface Ep {
  ip: string;
  node: string | null;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

const ready = (ip: string, node: string | null): Ep => ({ ip, node });
const notReady = (ip: string, node: string | null): Ep => ({ ip, node, ready: false, serving: false });
const terminating = (ip: string, node: string | null, serving: boolean): Ep => ({ ip, node, ready: false, serving, terminating: true });

function pod(name: string, labels: Record<string, string>, ip: string | null, phase = 'Running'): Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels },
    spec: { nodeName: 'w1', containers: [{ name: 'main' }] },
    status: { phase, ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}) },
  };
}

function healthOf(spec: Partial<Service['spec']>, endpoints: Ep[] | null, options: { pods?: Pod[]; lbIngress?: string[]; name?: string; namespace?: string } = {}): ServiceHealth {
  const objects = emptyObjects();
  const node = (name: string, labels: Record<string, string> = {}) => ({
    metadata: { name, uid: name, labels },
    spec: {},
    status: { addresses: [{ type: 'InternalIP' as const, address: `172.18.0.${name.length}` }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
  objects.nodes.push(node('cp', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }), node('w1'), node('w2'));
  // Every node runs a pod (kube-proxy's, as on any cluster): a client of internalTrafficPolicy.
  for (const n of objects.nodes) {
    objects.pods.push({ metadata: { name: `kube-proxy-${n.metadata.name}`, namespace: 'kube-system', uid: `uid-kp-${n.metadata.name}`, labels: { 'k8s-app': 'kube-proxy' } }, spec: { nodeName: n.metadata.name, hostNetwork: true, containers: [{ name: 'kube-proxy' }] }, status: { phase: 'Running', podIP: '172.18.0.2' } });
  }
  objects.pods.push(...(options.pods ?? []));
  const name = options.name ?? 'web';
  const namespace = options.namespace ?? 'shop';
  objects.services.push({
    metadata: { name, namespace, uid: `svc-${name}` },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
    ...(options.lbIngress ? { status: { loadBalancer: { ingress: options.lbIngress.map((ip) => ({ ip })) } } } : {}),
  });
  if (endpoints) {
    objects.endpointSlices.push({
      metadata: { name: `${name}-abcde`, namespace, uid: 'slice-1', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: endpoints.map((e) => ({
        addresses: [e.ip],
        conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
        ...(e.node ? { nodeName: e.node } : {}),
      })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  const service = describeTopology(derive(objects)).services[0];
  if (!service) throw new Error('no service');
  return service.health;
}

const both = [ready('10.244.1.5', 'w1'), ready('10.244.2.5', 'w2')];

describe('a Service’s health line', () => {
  it('healthy: says so plainly, with the count', () => {
    expect(healthOf({}, both)).toEqual({ level: 'ok', line: 'healthy: 2 endpoints, both ready' });
    expect(healthOf({}, [ready('10.244.1.5', 'w1')])).toEqual({ level: 'ok', line: 'healthy: 1 endpoint, ready' });
    expect(healthOf({}, [...both, ready('10.244.1.6', 'w1')])).toEqual({ level: 'ok', line: 'healthy: 3 endpoints, all ready' });
  });

  it('some endpoints not ready or terminating: a fact, not a failure', () => {
    expect(healthOf({}, [...both, notReady('10.244.2.6', 'w2')])).toEqual({ level: 'info', line: '3 endpoints, 2 ready' });
    expect(healthOf({}, [...both, terminating('10.244.2.6', 'w2', true)])).toEqual({ level: 'info', line: '3 endpoints, 2 ready, 1 terminating' });
  });

  it('none ready: rejected, unless a terminating endpoint still serves (kube-proxy falls back to it)', () => {
    expect(healthOf({}, [notReady('10.244.1.5', 'w1'), notReady('10.244.2.5', 'w2')])).toEqual({ level: 'error', line: '2 endpoints, none ready: connections are rejected' });
    expect(healthOf({}, [notReady('10.244.1.5', 'w1'), terminating('10.244.2.5', 'w2', false)])).toEqual({
      level: 'error',
      line: '2 endpoints, none ready, 1 terminating: connections are rejected',
    });
    expect(healthOf({}, [notReady('10.244.1.5', 'w1'), terminating('10.244.2.5', 'w2', true)])).toEqual({
      level: 'warning',
      line: '2 endpoints, none ready, 1 terminating; kube-proxy falls back to the one terminating that still serves',
    });
  });

  it('0 endpoints: the selector matches no pod, or pods without an IP, or pods no slice lists', () => {
    expect(healthOf({ selector: { app: 'cart' } }, null, { pods: [pod('web-1', { app: 'web' }, '10.244.1.5')] })).toEqual({ level: 'error', line: '0 endpoints: selector app=cart matches no pod' });
    expect(healthOf({}, null, { pods: [pod('web-1', { app: 'web' }, null, 'Pending')] })).toEqual({ level: 'error', line: '0 endpoints: selector app=web matches 1 pod, none running with an IP' });
    expect(healthOf({}, null, { pods: [pod('web-1', { app: 'web' }, '10.244.1.5'), pod('web-2', { app: 'web' }, '10.244.1.6')] })).toEqual({
      level: 'error',
      line: '0 endpoints: selector app=web matches 2 running pods, but no EndpointSlice lists them',
    });
  });

  it('no selector: endpoints from hand-made EndpointSlices, or none; the API server writes kubernetes’s', () => {
    expect(healthOf({ selector: undefined }, both)).toEqual({ level: 'ok', line: 'no selector: endpoints come from hand-made EndpointSlices (2, both ready)' });
    expect(healthOf({ selector: undefined }, [notReady('10.0.0.5', null)])).toEqual({ level: 'error', line: 'no selector: endpoints come from hand-made EndpointSlices (1, not ready): connections are rejected' });
    expect(healthOf({ selector: undefined }, null)).toEqual({ level: 'error', line: '0 endpoints: no selector, and no EndpointSlice made by hand' });
    expect(healthOf({ selector: undefined }, [ready('172.18.0.2', null)], { name: 'kubernetes', namespace: 'default' })).toEqual({ level: 'ok', line: 'no selector: the API server writes its endpoints (1, ready)' });
  });

  it('ExternalName: a DNS alias, no endpoints', () => {
    expect(healthOf({ type: 'ExternalName', externalName: 'gateway.payments.example', selector: undefined, clusterIP: undefined }, null)).toEqual({
      level: 'info',
      line: 'ExternalName: a DNS alias for gateway.payments.example, no endpoints',
    });
  });

  it('headless: DNS returns the ready pod IPs and leaves the rest out; none ready, no address', () => {
    expect(healthOf({ clusterIP: 'None' }, [...both, ready('10.244.1.6', 'w1')])).toEqual({ level: 'ok', line: 'headless: DNS returns the 3 ready pod IPs' });
    expect(healthOf({ clusterIP: 'None' }, [...both, notReady('10.244.1.6', 'w1')])).toEqual({ level: 'info', line: 'headless: DNS returns the 2 ready pod IPs; 1 not ready is left out' });
    expect(healthOf({ clusterIP: 'None' }, [notReady('10.244.1.6', 'w1')])).toEqual({ level: 'error', line: 'headless: 1 endpoint, not ready, so DNS returns no address' });
    expect(healthOf({ clusterIP: 'None', selector: { app: 'cart' } }, null)).toEqual({ level: 'error', line: 'headless, 0 endpoints: selector app=cart matches no pod' });
  });

  it('externalTrafficPolicy Local: names the nodes without a ready local endpoint, which drop (a NodePort) or the load balancer leaves out', () => {
    const nodePort = { type: 'NodePort' as const, externalTrafficPolicy: 'Local' as const };
    // A NodePort listens on every node, the control plane too.
    expect(healthOf(nodePort, [ready('10.244.1.5', 'w1'), ready('10.244.1.6', 'w1'), notReady('10.244.2.5', 'w2')])).toEqual({
      level: 'warning',
      line: '3 endpoints, 2 ready; nodes cp and w2 have no ready endpoint, so with externalTrafficPolicy Local they drop external traffic',
    });
    // A load balancer never sends to the node labelled out of it: with both workers served, healthy.
    const lb = { type: 'LoadBalancer' as const, externalTrafficPolicy: 'Local' as const };
    expect(healthOf(lb, both, { lbIngress: ['203.0.113.10'] })).toEqual({ level: 'ok', line: 'healthy: 2 endpoints, both ready' });
    // Behind a load balancer, a node without one fails the health check and is left out: by design, a fact.
    expect(healthOf(lb, [ready('10.244.1.5', 'w1'), notReady('10.244.2.5', 'w2')], { lbIngress: ['203.0.113.10'] })).toEqual({
      level: 'info',
      line: '2 endpoints, 1 ready; node w2 has no ready endpoint: with externalTrafficPolicy Local the load balancer’s health check leaves it out',
    });
    // A terminating endpoint that still serves is used when its node has no ready one.
    expect(healthOf(lb, [ready('10.244.1.5', 'w1'), terminating('10.244.2.5', 'w2', true)], { lbIngress: ['203.0.113.10'] }).level).toBe('info');
    // externalTrafficPolicy Cluster: every node forwards, nothing to say.
    expect(healthOf({ type: 'NodePort' }, [ready('10.244.1.5', 'w1')])).toEqual({ level: 'ok', line: 'healthy: 1 endpoint, ready' });
  });

  it('internalTrafficPolicy Local: the nodes whose pods reach nothing', () => {
    expect(healthOf({ internalTrafficPolicy: 'Local' }, [ready('10.244.1.5', 'w1')])).toEqual({
      level: 'warning',
      line: '1 endpoint, ready; nodes cp and w2 have no ready endpoint, so with internalTrafficPolicy Local connections from their pods drop',
    });
    expect(healthOf({ internalTrafficPolicy: 'Local' }, [...both, ready('172.18.0.2', 'cp')])).toEqual({ level: 'ok', line: 'healthy: 3 endpoints, all ready' });
  });

  it('a LoadBalancer still waiting for its address', () => {
    expect(healthOf({ type: 'LoadBalancer' }, both)).toEqual({ level: 'warning', line: '2 endpoints, both ready; the load balancer has no address yet' });
    expect(healthOf({ type: 'LoadBalancer' }, both, { lbIngress: ['203.0.113.10'] })).toEqual({ level: 'ok', line: 'healthy: 2 endpoints, both ready' });
  });
});

describe('the demo’s Services', () => {
  const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
  const doc = describeTopology(derive(snapshot.objects, snapshot.source));
  const health = (name: string) => doc.services.find((s) => `${s.namespace}/${s.name}` === name)?.health;

  it('ledger’s pods are not ready, fraud-check selects nothing, the rest conclude as they are', () => {
    expect(health('payments/ledger')).toEqual({ level: 'error', line: '2 endpoints, none ready: connections are rejected' });
    expect(health('payments/fraud-check')).toEqual({ level: 'error', line: '0 endpoints: selector app=fraud-check matches no pod' });
    expect(health('shop/backend')).toEqual({ level: 'ok', line: 'healthy: 3 endpoints, all ready' });
    expect(health('shop/db')).toEqual({ level: 'ok', line: 'headless: DNS returns the 3 ready pod IPs' });
    expect(health('shop/frontend')).toEqual({ level: 'info', line: '4 endpoints, 3 ready, 1 terminating' });
    expect(health('payments/card-gateway')?.line).toMatch(/^ExternalName: a DNS alias for \S+, no endpoints$/);
    // externalTrafficPolicy Local, endpoints on both workers, the control plane out of load balancers.
    expect(health('ingress-nginx/ingress-nginx-controller')).toEqual({ level: 'ok', line: 'healthy: 2 endpoints, both ready' });
  });
});
