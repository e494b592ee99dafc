/**
 * Every scenario of issue 6 on the bundled demo cluster (assets/demo-cluster.podpath.json: three
 * kubeadm nodes, Flannel VXLAN, kube-proxy in iptables mode, a three-tier shop behind a
 * default-deny and allow NetworkPolicies, ingress-nginx behind a LoadBalancer, CoreDNS), with the
 * real NetworkPolicy evaluator. Chain names are computed with kube-proxy's own hash
 * (shared/topology/kube-proxy.ts, checked against kube-proxy's test vectors).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObjects } from '../kube/objects.ts';
import type { PodRecord, PolicyRecord, Topology } from '../model/types.ts';
import { policyRecordFrom, withPolicies } from '../policy/evaluate.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { iptablesEndpointChain, iptablesServiceChains } from '../topology/kube-proxy.ts';
import { trace } from './trace.ts';
import type { Hop, Trace } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);

/** The demo with its objects changed first (a Service's traffic policy, …), derived afresh. */
function demoWith(change: (objects: ClusterObjects) => void): Topology {
  const objects = structuredClone(snapshot.objects);
  change(objects);
  return derive(objects, snapshot.source);
}

function pod(namespace: string, prefix: string, node?: string): PodRecord {
  const found = Object.values(demo.pods)
    .filter((p) => p.namespace === namespace && p.name.startsWith(prefix) && (node === undefined || p.host === `node:${node}`) && p.phase !== 'Terminating')
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!found) throw new Error(`no pod ${namespace}/${prefix}… on ${node ?? 'any node'} in the demo`);
  return found;
}

const ref = (p: PodRecord) => `${p.namespace}/${p.name}`;
const kinds = (hops: Hop[]) => hops.map((h) => h.kind);
const hopKinds = kinds;
const allHops = (t: Trace) => [...t.hops, ...t.branches.flatMap((b) => b.hops)];

const w1 = 'demo-worker-1';
const w2 = 'demo-worker-2';
const frontendW1 = pod('shop', 'frontend-855456765f', w1);
const backendW1 = pod('shop', 'backend', w1);
const backendW2 = pod('shop', 'backend', w2);
const echoW1 = pod('default', 'echo', w1);
const echoW2 = pod('default', 'echo', w2);
const grafana = pod('monitoring', 'grafana');
const prometheus = pod('monitoring', 'prometheus');
const checkout = pod('payments', 'checkout', w1);

describe('1. container to container in one pod', () => {
  test('through the pod\'s lo; no veth, no node, no policy', () => {
    const result = trace(demo, { from: `${ref(checkout)}:checkout`, to: ref(checkout), port: 9901 });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'lo', 'container']);
    expect(result.hops[0]!.ids[0]).toBe(`ctr:${checkout.uid}/checkout`);
    // 9901 is the envoy sidecar's admin port: the trace lands on the container that declares it.
    expect(result.hops[2]!.ids[0]).toBe(`ctr:${checkout.uid}/envoy`);
    expect(result.hops[1]!.packet).toEqual({ src: checkout.ips[0], dst: checkout.ips[0], dstPort: 9901, protocol: 'TCP' });
    expect(result.policy).toEqual({ egress: null, ingress: null });
    expect(result.from.kind).toBe('container');
  });
});

describe('2 and 3. pod to pod', () => {
  test('on one node: the frame is switched by cni0, policy not involved where no policy selects the pods', () => {
    const result = trace(demo, { from: ref(grafana), to: ref(echoW1), port: 8080 });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[3]!.label).toBe(`cni0 on node ${w1}: switches the frame to port veth<8 hex> (${ref(echoW1)})`);
    expect(result.policy.egress?.verdict).toBe('not-isolated');
    expect(result.policy.ingress?.verdict).toBe('not-isolated');
  });

  test('across nodes, with the policies that allow it at both ends', () => {
    const result = trace(demo, { from: ref(frontendW1), to: ref(backendW2), port: 8080 });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'policy', 'bridge', 'route', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'policy', 'veth', 'pod-eth0', 'container']);
    expect(result.hops[3]!.ids).toContain('netpol:shop/frontend-allow');
    expect(result.hops[3]!.label).toContain('egress');
    expect(result.hops[11]!.ids).toContain('netpol:shop/backend-allow');
    expect(result.hops[5]!.label).toBe(`node ${w1}: 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink`);
    expect(result.hops[6]!.packet.outer).toEqual({ src: '172.18.0.3', dst: '172.18.0.4', protocol: 'UDP', dstPort: 8472, vni: 1 });
    expect(result.hops[5]!.evidence.some((e) => e.command === `ip route get ${backendW2.ips[0]}`)).toBe(true);
  });

  test('denied on egress: the policy names the isolating policies, and the path goes on to the receiver\'s ingress check, denied too', () => {
    const result = trace(demo, { from: ref(frontendW1), to: ref(pod('shop', 'db-1')), port: 5432 });
    expect(result.verdict).toBe('policy-denied');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'policy', 'bridge', 'route', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'policy']);
    expect(result.blockers.map((b) => [b.kind, b.at])).toEqual([
      ['egress', { in: 'path', hop: 3 }],
      ['ingress', { in: 'path', hop: 11 }],
    ]);
    expect(result.policy.egress?.verdict).toBe('denied');
    expect(result.policy.egress?.isolatedBy).toEqual(expect.arrayContaining(['netpol:shop/default-deny-all', 'netpol:shop/frontend-allow']));
    expect(result.summary).toBe(['frontend egress: no rule allows shop/db-1:5432/TCP', 'db-1 ingress: only app=backend or app=db is allowed on 5432/TCP'].join('\n'));
  });

  test('denied on ingress: the packet crosses the overlay and is dropped before the pod', () => {
    const result = trace(demo, { from: ref(echoW1), to: ref(backendW2), port: 8080 });
    expect(result.verdict).toBe('policy-denied');
    expect(kinds(result.hops).slice(-3)).toEqual(['route', 'bridge', 'policy']);
    expect(result.hops.at(-1)!.label).toContain('ingress');
    expect(result.policy.egress?.verdict).toBe('not-isolated');
    expect(result.policy.ingress?.isolatedBy).toEqual(expect.arrayContaining(['netpol:shop/backend-allow']));
  });

  test('a node reaching a remote pod sends from flannel.1\'s address, which is what the pod\'s policy sees', () => {
    const result = trace(demo, { from: `node/${w1}`, to: ref(pod('shop', 'db-1')), port: 5432 });
    expect(result.hops[0]!.packet.src).toBe('10.244.1.0');
    expect(result.verdict).toBe('policy-denied');
  });
});

describe('4. pod to Service', () => {
  const svc = iptablesServiceChains('shop/backend:http', 'TCP');

  test('by ClusterIP: KUBE-SVC picks a KUBE-SEP at random, DNAT to the endpoint, then pod to pod', () => {
    const result = trace(demo, { from: ref(frontendW1), to: '10.96.139.244', port: 80 });
    expect(result.to).toMatchObject({ kind: 'service', id: 'svc:shop/backend', how: 'ClusterIP of svc shop/backend' });
    expect(result.verdict).toBe('delivered');
    expect(result.dns).toBeUndefined();
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'service', 'endpoint']);
    expect(result.hops[4]!.label).toBe(`svc shop/backend 10.96.139.244:80/TCP (targetPort http): kube-proxy on ${w1} matches it, KUBE-SERVICES → ${svc.service}`);
    expect(result.hops[4]!.evidence.some((e) => e.command === `iptables-save -t nat | grep ${svc.service}`)).toBe(true);
    expect(result.hops[5]!.evidence.some((e) => e.command === 'kubectl get endpointslices -n shop -l kubernetes.io/service-name=backend -o wide')).toBe(true);
    expect(result.branches.map((b) => [b.endpoint, b.verdict])).toEqual([
      ['ep:shop/backend/10.244.1.7', 'delivered'],
      ['ep:shop/backend/10.244.2.7', 'delivered'],
      ['ep:shop/backend/10.244.2.8', 'delivered'],
    ]);
    const sep = iptablesEndpointChain('shop/backend:http', 'TCP', '10.244.2.8:8080');
    const last = result.branches[2]!;
    expect(last.hops[0]).toMatchObject({ kind: 'kube-proxy-dnat', label: `${sep}: DNAT to 10.244.2.8:8080`, packet: { src: frontendW1.ips[0], dst: '10.244.2.8', dstPort: 8080 } });
    expect(last.selection).toBe(`${svc.service} rule 3 of 3: no condition, takes what the earlier rules left -j ${sep}: 1 in 3 new connections`);
    expect(backendW2.ips).toEqual(['10.244.2.8']);
    expect(last.pod).toBe(backendW2.id);
    expect(kinds(last.hops)).toEqual(['kube-proxy-dnat', 'policy', 'route', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'policy', 'veth', 'pod-eth0', 'container']);
    // Policy is evaluated against the endpoint, after DNAT: the Service address is never what a policy sees.
    expect(last.policy.egress?.allowedBy.map((r) => r.name)).toEqual(['shop/frontend-allow']);
  });

  test('terminating endpoints are left out while ready ones exist, and used when none are', () => {
    const controller = pod('ingress-nginx', 'ingress-nginx-controller', w1);
    const result = trace(demo, { from: ref(controller), to: 'svc:shop/frontend', port: 80 });
    expect(result.branches.map((b) => b.endpoint)).toEqual(['ep:shop/frontend/10.244.1.12', 'ep:shop/frontend/10.244.1.13', 'ep:shop/frontend/10.244.2.13']);
    const draining = structuredClone(demo);
    for (const endpoint of Object.values(draining.endpoints)) if (endpoint.service === 'svc:shop/frontend' && endpoint.isReady) Object.assign(endpoint, { isReady: false, isServing: false });
    const fallback = trace(draining, { from: ref(controller), to: 'svc:shop/frontend', port: 80 });
    expect(fallback.branches.map((b) => b.endpoint)).toEqual(['ep:shop/frontend/10.244.2.9']);
    expect(fallback.hops.at(-1)!.label).toContain('(terminating, serving)');
  });

  test('no ready endpoint: rejected by kube-proxy with an ICMP port unreachable', () => {
    const chain = iptablesServiceChains('payments/ledger:grpc', 'TCP').service;
    const result = trace(demo, { from: ref(echoW1), to: 'svc:payments/ledger' });
    expect(result.verdict).toBe('no-endpoints');
    expect(result.summary).toContain(`rejected by kube-proxy: ${chain} has no endpoints`);
    expect(result.branches).toEqual([]);
    const reject = result.hops.at(-1)!;
    expect(reject.kind).toBe('kube-proxy-dnat');
    // Why, naming the pods that are not ready, the first one linked.
    expect(reject.evidence[0]!.text).toMatch(/^its 2 endpoints are not ready \(payments\/ledger-[\w-]+, payments\/ledger-[\w-]+\)$/);
    expect(reject.evidence[0]!.object).toMatch(/^pod:/);
    expect(result.summary).toContain('has no endpoints, as its 2 endpoints are not ready');
    expect(reject.evidence.some((e) => e.command === 'iptables-save -t filter | grep payments/ledger')).toBe(true);
    const empty = trace(demo, { from: ref(echoW1), to: 'svc:payments/fraud-check' });
    expect(empty.verdict).toBe('no-endpoints');
    expect(empty.hops.at(-1)!.evidence[0]!.text).toContain('no EndpointSlice lists an endpoint for it');
  });

  test('internalTrafficPolicy Local: only the sending node\'s endpoints, through KUBE-SVL; none there means dropped', () => {
    const local = demoWith((objects) => {
      const echo = objects.services.find((s) => s.metadata.name === 'echo')!;
      echo.spec.internalTrafficPolicy = 'Local';
    });
    const fromW1 = trace(local, { from: ref(grafana), to: 'svc:default/echo' });
    expect(fromW1.branches.map((b) => b.endpoint)).toEqual([`ep:default/echo/${echoW1.ips[0]}`]);
    expect(fromW1.hops.find((h) => h.kind === 'service')!.label).toContain(iptablesServiceChains('default/echo:http', 'TCP').local);
    const fromW2 = trace(local, { from: ref(prometheus), to: 'svc:default/echo' });
    expect(fromW2.branches.map((b) => b.endpoint)).toEqual([`ep:default/echo/${echoW2.ips[0]}`]);
    const fromControlPlane = trace(local, { from: `node/demo-control-plane`, to: 'svc:default/echo' });
    expect(fromControlPlane.verdict).toBe('no-endpoints');
    expect(fromControlPlane.summary).toContain('dropped: internalTrafficPolicy Local and no usable endpoint on node demo-control-plane');
  });

  test('sessionAffinity ClientIP: a returning client is sent back by -m recent', () => {
    const sticky = demoWith((objects) => {
      objects.services.find((s) => s.metadata.name === 'echo')!.spec.sessionAffinity = 'ClientIP';
    });
    const result = trace(sticky, { from: ref(grafana), to: 'svc:default/echo' });
    const sep = iptablesEndpointChain('default/echo:http', 'TCP', `${echoW1.ips[0]}:8080`);
    expect(result.branches[0]!.selection).toMatch(new RegExp(`^sessionAffinity ClientIP: -m recent --name ${sep} --rcheck --seconds 10800`));
  });

  test('headless: straight to the pod addresses DNS hands out, no kube-proxy', () => {
    const result = trace(demo, { from: ref(backendW1), to: 'svc:shop/db', port: 5432 });
    expect(result.verdict).toBe('delivered');
    expect(result.branches).toHaveLength(3);
    for (const branch of result.branches) {
      expect(branch.selection).toMatch(/^headless: /);
      expect(kinds(branch.hops)).not.toContain('kube-proxy-dnat');
      expect(kinds(branch.hops)).not.toContain('service');
    }
  });

  test('ExternalName: a CNAME, and the connection leaves the cluster masqueraded', () => {
    const result = trace(demo, { from: ref(echoW1), to: 'card-gateway.payments', port: 443 });
    expect(result.verdict).toBe('delivered');
    expect(result.dns?.answer).toEqual({ type: 'CNAME', values: ['gateway.payments.example.net'] });
    expect(kinds(result.hops)).toEqual(['dns', 'service', 'container', 'pod-eth0', 'veth', 'bridge', 'snat', 'route', 'uplink', 'internet']);
    expect(result.hops[1]!.label).toContain('ExternalName');
    expect(result.hops[6]!.packet.src).toBe('172.18.0.3');
  });

  test('ambiguous when the endpoints disagree: a what-if egress policy that allows only worker-1\'s pod range', () => {
    const narrowed = policyRecordFrom({
      metadata: { name: 'frontend-allow', namespace: 'shop', uid: 'what-if' },
      spec: {
        podSelector: { matchLabels: { app: 'frontend' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
        egress: [{ to: [{ ipBlock: { cidr: '10.244.1.0/24' } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      },
    });
    const result = trace(demo, { from: ref(frontendW1), to: 'svc:shop/backend' }, { policies: withPolicies(demo, [narrowed]) });
    expect(result.verdict).toBe('ambiguous');
    expect(result.branches.map((b) => b.verdict)).toEqual(['delivered', 'policy-denied', 'policy-denied']);
    expect(result.policy.egress?.verdict).toBe('denied');
    expect(result.summary).toMatch(/^The paths disagree \(1 delivered, 2 policy-denied\)/);
    // Without the what-if, the same trace is delivered everywhere.
    expect(trace(demo, { from: ref(frontendW1), to: 'svc:shop/backend' }).verdict).toBe('delivered');
  });
});

describe('5. internet to Service', () => {
  test('LoadBalancer with externalTrafficPolicy Local: only nodes with a controller pod, client address kept', () => {
    const result = trace(demo, { from: 'internet', to: '203.0.113.10:80' });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['internet', 'load-balancer']);
    expect(result.hops[1]!.ids).toEqual(['svc:ingress-nginx/ingress-nginx-controller', `node:${w1}`, `node:${w2}`]);
    expect(result.branches.map((b) => b.label.split(' → ')[0])).toEqual([`via ${w1}`, `via ${w2}`]);
    for (const branch of result.branches) {
      expect(kinds(branch.hops)).not.toContain('snat');
      expect(branch.hops.at(-1)!.packet.src).toBe('198.51.100.1');
      expect(branch.hops[1]!.kind).toBe('node-port');
      expect(branch.hops[1]!.label).toContain(iptablesServiceChains('ingress-nginx/ingress-nginx-controller:http', 'TCP').local);
    }
  });

  test('NodePort with externalTrafficPolicy Cluster: SNAT on the receiving node, so a policy for the client\'s address does not match', () => {
    const viaW2 = trace(demo, { from: 'internet', to: '203.0.113.4:30300' });
    expect(viaW2.verdict).toBe('delivered');
    expect(kinds(viaW2.hops)).toEqual(['internet', 'uplink', 'node-port', 'endpoint']);
    const branch = viaW2.branches[0]!;
    expect(kinds(branch.hops)).toEqual(['kube-proxy-dnat', 'snat', 'route', 'tunnel', 'uplink', 'decap', 'route', 'bridge', 'veth', 'pod-eth0', 'container']);
    // Masqueraded to flannel.1's address on worker-2, the device it leaves by toward worker-1.
    expect(branch.hops[1]!.packet).toEqual({ src: '10.244.2.0', dst: grafana.ips[0], dstPort: 3000, protocol: 'TCP' });

    const onlyClients = policyRecordFrom({
      metadata: { name: 'grafana-from-office', namespace: 'monitoring', uid: 'what-if' },
      spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } }, ingress: [{ from: [{ ipBlock: { cidr: '198.51.100.0/24' } }] }] },
    });
    const policies = withPolicies(demo, [onlyClients]);
    const denied = trace(demo, { from: 'internet', to: '203.0.113.4:30300' }, { policies });
    expect(denied.verdict).toBe('policy-denied');
    expect(denied.policy.ingress?.isolatedBy).toEqual(['netpol:monitoring/grafana-from-office']);

    const local = demoWith((objects) => {
      objects.services.find((s) => s.metadata.name === 'grafana')!.spec.externalTrafficPolicy = 'Local';
    });
    const kept = trace(local, { from: 'internet', to: '203.0.113.3:30300' }, { policies });
    expect(kept.verdict).toBe('delivered');
    expect(kinds(allHops(kept))).not.toContain('snat');
    const dropped = trace(local, { from: 'internet', to: '203.0.113.4:30300' }, { policies });
    expect(dropped.verdict).toBe('no-endpoints');
    expect(dropped.summary).toContain('externalTrafficPolicy Local and no usable endpoint on node demo-worker-2');
  });

  test('a pod to another node\'s NodePort: masqueraded by Flannel toward the node, then kube-proxy there', () => {
    const result = trace(demo, { from: ref(echoW2), to: '172.18.0.3:30300' });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'snat', 'route', 'uplink', 'node-port', 'endpoint']);
    expect(result.hops[7]!.packet).toMatchObject({ src: '172.18.0.4', dst: '172.18.0.3', dstPort: 30300 });
    expect(hopKinds(result.branches[0]!.hops).slice(0, 2)).toEqual(['kube-proxy-dnat', 'snat']);
    expect(result.policy.egress?.verdict).toBe('not-isolated');
  });

  test('Ingress host and path: LoadBalancer → controller pod → the rule\'s backend endpoints, no kube-proxy on the second leg', () => {
    const result = trace(demo, { from: 'internet', to: 'http://shop.example.com/api/orders' });
    expect(result.to).toMatchObject({ kind: 'ingress', id: 'ing:shop/shop' });
    expect(result.verdict).toBe('delivered');
    expect(result.branches).toHaveLength(6);
    const branch = result.branches.find((b) => b.label.startsWith(`via ${w2}`) && b.endpoint === 'ep:shop/backend/10.244.1.7')!;
    const controllerHop = branch.hops.find((h) => h.kind === 'ingress-controller')!;
    expect(controllerHop.ids).toEqual(expect.arrayContaining(['ing:shop/shop', 'svc:shop/backend']));
    expect(controllerHop.label).toContain('shop.example.com /api (Prefix) of ingress shop/shop → svc shop/backend:80');
    const after = branch.hops.slice(branch.hops.indexOf(controllerHop));
    expect(kinds(after)).not.toContain('kube-proxy-dnat');
    expect(after[1]).toMatchObject({ kind: 'endpoint', packet: { src: '10.244.2.3', dst: '10.244.1.7', dstPort: 8080 } });
    expect(branch.selection).toContain('ingress-nginx balances over the 3 ready endpoints itself');
    const toFrontend = trace(demo, { from: 'internet', to: 'http://shop.example.com/' });
    expect(new Set(toFrontend.branches.map((b) => b.endpoint?.split('/')[1]))).toEqual(new Set(['frontend']));
    expect(toFrontend.verdict).toBe('delivered');
  });

  test('Gateway API: the gateway\'s Service → its proxy pods → the HTTPRoute rule\'s weighted backends', () => {
    const withGateway = demoWith((objects) => {
      const controller = objects.services.find((s) => s.metadata.name === 'ingress-nginx-controller')!;
      controller.metadata.labels = { ...controller.metadata.labels, 'gateway.networking.k8s.io/gateway-name': 'shop-gw' };
      objects.gateways.push({
        metadata: { name: 'shop-gw', namespace: 'ingress-nginx', uid: 'gw-1' },
        spec: { gatewayClassName: 'example', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
        status: { addresses: [{ type: 'IPAddress', value: '203.0.113.10' }] },
      });
      objects.httpRoutes.push({
        metadata: { name: 'api', namespace: 'shop', uid: 'route-1' },
        spec: {
          parentRefs: [{ name: 'shop-gw', namespace: 'ingress-nginx' }],
          hostnames: ['api.example.com'],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v2' } }], backendRefs: [{ name: 'backend', port: 80, weight: 90 }, { name: 'frontend', port: 80, weight: 10 }] }],
        },
      });
    });
    const result = trace(withGateway, { from: 'internet', to: 'http://api.example.com/v2/cart' });
    expect(result.to).toMatchObject({ kind: 'gateway', id: 'gw:ingress-nginx/shop-gw' });
    expect(result.verdict).toBe('delivered');
    // Two nodes with a gateway pod (externalTrafficPolicy Local) × (3 backend + 3 frontend endpoints).
    expect(result.branches).toHaveLength(12);
    const toBackend = result.branches.find((b) => b.endpoint === 'ep:shop/backend/10.244.2.7')!;
    expect(toBackend.selection).toContain('weight 90 of 100');
    expect(toBackend.hops.find((h) => h.kind === 'ingress-controller')!.ids).toEqual(expect.arrayContaining(['gw:ingress-nginx/shop-gw', 'httproute:shop/api']));
    expect(result.branches.find((b) => b.endpoint?.startsWith('ep:shop/frontend/'))!.selection).toContain('weight 10 of 100');
    expect(trace(withGateway, { from: 'internet', to: 'http://api.example.com/v1' }).verdict).toBe('no-route');
  });

  test('external IPs: the network brings the address to a node, kube-proxy takes it there; from a pod, on its own node', () => {
    const exposed = demoWith((objects) => {
      objects.services.find((s) => s.metadata.name === 'echo')!.spec.externalIPs = ['192.0.2.80'];
    });
    const fromOutside = trace(exposed, { from: 'internet', to: '192.0.2.80:80' });
    expect(fromOutside.to).toMatchObject({ kind: 'service', id: 'svc:default/echo' });
    expect(fromOutside.hops[1]).toMatchObject({ kind: 'route', label: expect.stringContaining('external IP 192.0.2.80: routed to a node by the network') });
    expect(fromOutside.verdict).toBe('delivered');
    // Every ready node may receive it; each has both endpoints to pick from (externalTrafficPolicy defaults to Cluster only for NodePort/LoadBalancer).
    expect(fromOutside.branches).toHaveLength(6);
    const fromPod = trace(exposed, { from: ref(grafana), to: '192.0.2.80:80' });
    expect(fromPod.hops.find((h) => h.kind === 'service')!.label).toContain('is an external IP of svc default/echo');
    expect(fromPod.branches.map((b) => b.hops[0]!.packet.dst).sort()).toEqual([echoW1.ips[0], echoW2.ips[0]]);
  });

  test('a ClusterIP-only Service or a pod IP is not reachable from outside', () => {
    expect(trace(demo, { from: 'internet', to: 'svc:shop/backend' }).verdict).toBe('no-route');
    // A NodePort Service named from outside is reached through a node; its ClusterIP is not.
    const named = trace(demo, { from: 'internet', to: 'svc:monitoring/grafana' });
    expect(named.verdict).toBe('delivered');
    expect(named.hops.find((h) => h.kind === 'node-port')!.packet.dstPort).toBe(30300);
    expect(trace(demo, { from: 'internet', to: '10.96.255.224', port: 80 }).verdict).toBe('no-route');
    const toPod = trace(demo, { from: '198.51.100.77', to: ref(backendW1), port: 8080 });
    expect(toPod.verdict).toBe('no-route');
    expect(toPod.summary).toContain('pod IPs are private to the cluster');
  });
});

describe('6. pod to the internet', () => {
  test('masqueraded to the node\'s address and out of its uplink', () => {
    const result = trace(demo, { from: ref(echoW2), to: 'internet' });
    expect(result.verdict).toBe('delivered');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'snat', 'route', 'uplink', 'internet']);
    expect(result.hops[4]!.packet).toMatchObject({ src: '172.18.0.4', dstPort: 443 });
    expect(result.summary).toContain('443/TCP assumed');
  });

  test('a default-deny namespace: denied by egress policy before it leaves the pod\'s veth', () => {
    const result = trace(demo, { from: ref(backendW1), to: '1.1.1.1', port: 443 });
    expect(result.verdict).toBe('policy-denied');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'policy']);
  });
});

describe('7. by name: the DNS lookup first', () => {
  test('backend.shop from a shop pod: search path, kube-dns, CoreDNS endpoints, port 53 allowed by allow-dns-egress', () => {
    const result = trace(demo, { from: ref(frontendW1), to: 'backend.shop' });
    expect(result.verdict).toBe('delivered');
    expect(result.hops[0]!.kind).toBe('dns');
    expect(result.hops[0]!.ids).toEqual(expect.arrayContaining(['svc:kube-system/kube-dns', 'ep:kube-system/kube-dns/10.244.0.2', 'ep:kube-system/kube-dns/10.244.2.2']));
    const dns = result.dns!;
    expect(dns).toMatchObject({ dnsPolicy: 'ClusterFirst', resolver: 'cluster', nameservers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5, status: 'resolved', service: 'svc:kube-system/kube-dns' });
    expect(dns.queries).toEqual([
      { name: 'backend.shop.shop.svc.cluster.local', answer: 'NXDOMAIN' },
      { name: 'backend.shop.svc.cluster.local', answer: ['10.96.139.244'] },
    ]);
    expect(dns.policy.map((c) => [c.protocol, c.isAllowed])).toEqual([
      ['UDP', true],
      ['UDP', true],
      ['TCP', true],
      ['TCP', true],
    ]);
    expect(dns.policy[0]!.egress.allowedBy.map((r) => r.name)).toEqual(['shop/allow-dns-egress']);
    expect(kinds(dns.hops)).toEqual(['dns', 'service', 'endpoint', 'policy', 'dns']);
    expect(dns.hops[1]!.label).toContain(iptablesServiceChains('kube-system/kube-dns:dns', 'UDP').service);
    expect(result.branches).toHaveLength(3);
  });

  test('the forms of a Service name resolve as the resolver would', () => {
    const queries = (name: string) => trace(demo, { from: ref(frontendW1), to: name }).dns?.queries.map((q) => q.name);
    expect(queries('backend')).toEqual(['backend.shop.svc.cluster.local']);
    expect(queries('backend.shop.svc')).toEqual(['backend.shop.svc.shop.svc.cluster.local', 'backend.shop.svc.svc.cluster.local', 'backend.shop.svc.cluster.local']);
    expect(queries('backend.shop.svc.cluster.local')).toHaveLength(4);
    expect(queries('backend.shop.svc.cluster.local.')).toEqual(['backend.shop.svc.cluster.local']);
    expect(queries('svc/shop/backend')).toEqual(expect.arrayContaining(['backend.shop.svc.cluster.local']));
    expect(queries('echo')).toEqual(['echo.shop.svc.cluster.local', 'echo.svc.cluster.local', 'echo.cluster.local', 'echo']);
  });

  test('a default-deny egress that forgets DNS: the lookup is blocked, and the trace says so', () => {
    const withoutDns = Object.values(demo.policies).filter((p: PolicyRecord) => p.name !== 'allow-dns-egress');
    const result = trace(demo, { from: ref(frontendW1), to: 'backend.shop' }, { policies: withoutDns });
    expect(result.verdict).toBe('policy-denied');
    expect(result.summary).toMatch(/^DNS: the name lookup is blocked: /);
    expect(result.summary).toContain('UDP 53 to CoreDNS 10.244.0.2, 10.244.2.2');
    expect(result.dns?.status).toBe('policy-denied');
    // Traced on as if DNS had answered: to the ClusterIP, where the frontend may connect.
    expect(result.isDnsAssumed).toBe(true);
    expect(kinds(result.hops).slice(0, 2)).toEqual(['dns', 'container']);
    expect(result.branches.length).toBeGreaterThan(1);
    expect(result.branches.every((b) => b.verdict === 'delivered' && b.blockers.length === 0)).toBe(true);
    expect(result.summary).toContain(`\nIf DNS had answered: Delivered on all ${result.branches.length} paths`);
    expect(result.blockers.map((b) => [b.kind, b.at])).toEqual([['dns-policy', { in: 'dns', hop: result.dns!.hops.length - 1 }]]);
    expect(result.blockers[0]!.denial?.isolatedBy).toEqual(expect.arrayContaining(['netpol:shop/default-deny-all']));
  });

  test('DNS allowed over UDP only, or only to one CoreDNS pod: resolved with a warning, or ambiguous', () => {
    const dnsPolicy = (egress: NonNullable<PolicyRecord['spec']['egress']>) =>
      withPolicies(demo, [policyRecordFrom({ metadata: { name: 'allow-dns-egress', namespace: 'shop', uid: 'what-if' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress } })]);
    const udpOnly = trace(demo, { from: ref(frontendW1), to: 'backend.shop' }, {
      policies: dnsPolicy([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }]),
    });
    expect(udpOnly.verdict).toBe('delivered');
    expect(udpOnly.dns?.summary).toContain('TCP 53 is denied');
    const oneServer = trace(demo, { from: ref(frontendW1), to: 'backend.shop' }, {
      policies: dnsPolicy([{ to: [{ ipBlock: { cidr: '10.244.0.2/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]),
    });
    expect(oneServer.dns?.status).toBe('partly-denied');
    expect(oneServer.dns?.policy.filter((c) => c.protocol === 'UDP').map((c) => [c.endpoint, c.isAllowed])).toEqual([
      ['ep:kube-system/kube-dns/10.244.0.2', true],
      ['ep:kube-system/kube-dns/10.244.2.2', false],
    ]);
    expect(oneServer.verdict).toBe('ambiguous');
  });

  test('without a cluster DNS Service in the model (forbidden, renamed), a Service name is traced on, the lookup marked unchecked', () => {
    const noDns = demoWith((objects) => {
      objects.services = objects.services.filter((s) => !(s.metadata.namespace === 'kube-system' && s.metadata.name === 'kube-dns'));
    });
    const frontend = pod('shop', 'frontend-', w1);
    const traced = trace(noDns, { from: ref(frontend), to: 'svc/shop/backend' });
    expect(traced.dns?.status).toBe('unverified');
    expect(traced.verdict).toBe('delivered');
    expect(traced.summary).toContain('not checked');
    expect(traced.to).toMatchObject({ kind: 'service', id: 'svc:shop/backend', ip: '10.96.139.244' });
    // A name no Service answers stays unknown.
    expect(trace(noDns, { from: ref(frontend), to: 'nothing-here.shop' }).verdict).toBe('unknown-target');
  });

  test('dnsPolicy decides the resolver: hostNetwork with ClusterFirst falls back to the node\'s, ClusterFirstWithHostNet does not', () => {
    const kubeProxy = pod('kube-system', 'kube-proxy', w1);
    expect(kubeProxy.dnsPolicy).toBe('ClusterFirst');
    const fallsBack = trace(demo, { from: ref(kubeProxy), to: 'backend.shop' });
    expect(fallsBack.verdict).toBe('no-route');
    expect(fallsBack.dns).toMatchObject({ resolver: 'node', status: 'no-cluster-dns' });
    expect(fallsBack.summary).toContain('ClusterFirstWithHostNet');
    const exporter = pod('monitoring', 'node-exporter', w1);
    expect(exporter.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(trace(demo, { from: ref(exporter), to: 'echo.default' }).dns).toMatchObject({ resolver: 'cluster', status: 'resolved' });
    const coredns = pod('kube-system', 'coredns');
    expect(trace(demo, { from: ref(coredns), to: 'echo.default' }).dns).toMatchObject({ dnsPolicy: 'Default', resolver: 'node' });
  });

  test('dnsPolicy None: exactly dnsConfig — its search path and ndots, or a resolver that is not the cluster\'s', () => {
    const custom = (nameservers: string[]) =>
      demoWith((objects) => {
        const echo = objects.pods.find((p) => p.metadata.name === echoW1.name)!;
        echo.spec.dnsPolicy = 'None';
        echo.spec.dnsConfig = { nameservers, searches: ['svc.cluster.local'], options: [{ name: 'ndots', value: '1' }] };
      });
    const viaCluster = trace(custom(['10.96.0.10']), { from: ref(echoW1), to: 'backend.shop' });
    expect(viaCluster.dns).toMatchObject({ dnsPolicy: 'None', resolver: 'cluster', searches: ['svc.cluster.local'], ndots: 1 });
    expect(viaCluster.dns?.queries).toEqual([
      { name: 'backend.shop', answer: 'NXDOMAIN' },
      { name: 'backend.shop.svc.cluster.local', answer: ['10.96.139.244'] },
    ]);
    expect(viaCluster.to).toMatchObject({ kind: 'service', id: 'svc:shop/backend', ip: '10.96.139.244' });
    const elsewhere = trace(custom(['1.1.1.1']), { from: ref(echoW1), to: 'backend.shop' });
    expect(elsewhere.dns).toMatchObject({ resolver: 'custom', status: 'no-cluster-dns' });
    expect(elsewhere.verdict).toBe('no-route');
  });

  test('a name nothing answers: unknown-target, with what was tried and what is close', () => {
    const result = trace(demo, { from: ref(frontendW1), to: 'bakend' });
    expect(result.verdict).toBe('unknown-target');
    expect(result.summary).toContain('bakend.shop.svc.cluster.local → NXDOMAIN');
    expect(result.summary).toContain('did you mean backend.shop');
  });
});

describe('ends of a trace', () => {
  test('a hostNetwork pod listening on a node address: reached on the node, outside policy', () => {
    const result = trace(demo, { from: ref(prometheus), to: '172.18.0.3:9100' });
    expect(result.verdict).toBe('delivered');
    expect(result.to.kind).toBe('node');
    expect(kinds(result.hops)).toEqual(['container', 'pod-eth0', 'veth', 'bridge', 'snat', 'route', 'uplink', 'route', 'container']);
    expect(result.hops.at(-1)!.ids[1]).toBe(pod('monitoring', 'node-exporter', w1).id);
    expect(result.policy.ingress?.verdict).toBe('not-applicable');
  });

  test('a Pending pod can neither send nor be reached', () => {
    const pending = Object.values(demo.pods).find((p) => p.phase === 'Pending')!;
    expect(trace(demo, { from: ref(pending), to: ref(echoW1) }).verdict).toBe('no-route');
    expect(trace(demo, { from: ref(echoW1), to: ref(pending) }).summary).toContain('not scheduled');
  });

  test('model ids, as the graph sends them, trace the same path as names', () => {
    const byId = trace(demo, { from: frontendW1.id, to: 'svc:shop/backend' });
    const byName = trace(demo, { from: ref(frontendW1), to: '10.96.139.244' });
    expect(byId.branches.map((b) => kinds(b.hops))).toEqual(byName.branches.map((b) => kinds(b.hops)));
    expect(byId.from.id).toBe(frontendW1.id);
  });

  test('a Service is not a sender; an unknown end says what was tried and suggests', () => {
    const fromService = trace(demo, { from: 'svc/shop/backend', to: ref(echoW1) });
    expect(fromService.verdict).toBe('unknown-target');
    expect(fromService.summary).toContain('a Service does not send traffic');
    const typo = trace(demo, { from: 'shop/frontnd', to: ref(echoW1) });
    expect(typo.verdict).toBe('unknown-target');
    expect(typo.summary).toContain('tried: a model id, an IP');
  });

  test('every hop carries a non-empty packet and every command names something real', () => {
    const result = trace(demo, { from: 'internet', to: 'http://shop.example.com/api' });
    for (const h of allHops(result)) {
      expect(h.packet.src).not.toBe('');
      expect(h.packet.dst).not.toBe('');
      for (const e of h.evidence) if (e.command) expect(e.command).not.toMatch(/undefined|null/);
    }
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
