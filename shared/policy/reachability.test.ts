/**
 * The demo cluster's shop (assets/demo-cluster.podpath.json): a default-deny in shop, then
 * frontend → backend :8080 and backend → db :5432 allowed. The neighbourhood of db-0 must say
 * exactly that, and agree with the evaluator flow by flow.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { evaluatePolicy } from './evaluate.ts';
import { reachabilityOf } from './reachability.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);
const podNamed = (qualified: string) => Object.values(demo.pods).find((p) => `${p.namespace}/${p.name}` === qualified)!;

describe('reachabilityOf', () => {
  test('db-0 is isolated both ways; only backend pods, its db peers and its own node may reach it, on 5432/TCP', () => {
    const db = podNamed('shop/db-0');
    const reach = reachabilityOf(demo, db.id)!;
    expect(reach.isolation).toEqual({ ingress: true, egress: true });
    expect(reach.from.allowed.length).toBeGreaterThan(0);
    for (const peer of reach.from.allowed) {
      const pod = demo.pods[peer.pod]!;
      expect(peer.ports).toEqual(['5432/TCP']);
      // Pod-network peers: backend, and the other db replicas (db-allow). hostNetwork peers are their node, and traffic from the
      // pod's own node is exempt (evaluate.ts's local-node exemption).
      if (pod.isHostNetwork) expect(pod.host, peer.name).toBe(db.host);
      else expect(peer.name).toMatch(/^shop\/(backend|db)-/);
    }
    const frontend = Object.values(demo.pods).filter((p) => p.namespace === 'shop' && p.name.startsWith('frontend-'));
    expect(frontend.length).toBeGreaterThan(0);
    for (const f of frontend) expect(reach.from.allowed.map((p) => p.pod)).not.toContain(f.id);
    expect(reach.from.denied).toBeGreaterThan(0);
    expect(reach.isComplete).toBe(true);
  });

  test('every peer it lists agrees with the evaluator, both ways', () => {
    const backend = Object.values(demo.pods).find((p) => p.namespace === 'shop' && p.name.startsWith('backend-'))!;
    const reach = reachabilityOf(demo, backend.id)!;
    const here = { pod: backend, ip: backend.ips[0]! };
    for (const peer of reach.to.allowed) {
      const pod = demo.pods[peer.pod]!;
      for (const port of peer.ports) {
        const [number, protocol] = port.split('/') as [string, 'TCP'];
        expect(evaluatePolicy(demo, { from: here, to: { pod, ip: pod.ips[0]! }, port: Number(number), protocol }).isAllowed, `${peer.name} ${port}`).toBe(true);
      }
    }
    // backend may reach db on 5432, not frontend.
    expect(reach.to.allowed.some((p) => p.name.startsWith('shop/db-'))).toBe(true);
    expect(reach.to.allowed.some((p) => p.name.startsWith('shop/frontend-'))).toBe(false);
  });

  test('a pod without an IP has no neighbourhood to compute', () => {
    const pending = Object.values(demo.pods).find((p) => p.ips.length === 0)!;
    expect(reachabilityOf(demo, pending.id)).toBeNull();
  });
});
