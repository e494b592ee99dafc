// The trace as text, on real traces of the demo cluster: the lines a user reads to follow the
// packet (DNAT and SNAT where they happen, the tunnel's outer header, the deciding policy).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NetworkPolicy } from '../kube/objects.ts';
import { policyRecordFrom, withPolicies } from '../policy/evaluate.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { formatPacket, formatTrace, formatTraceComparison, traceResult } from './format.ts';
import { trace } from './trace.ts';
import type { TraceQuery } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));
const demo = derive(snapshot.objects, snapshot.source);
const frontend = 'shop/frontend-855456765f-rx8bk'; // 10.244.1.12 on demo-worker-1
const traced = (query: TraceQuery) => trace(demo, query);
const lines = (text: string) => text.split('\n');
/** The hop lines of a text: number and kind, in order. */
const hopKinds = (text: string) => [...text.matchAll(/^ *(\d+) {2}(\S+) {2,}/gm)].map((m) => `${m[1]} ${m[2]}`);

/** Lets the frontend pods reach the database: the frontend's egress and the db's ingress. */
const allowFrontendToDb: NetworkPolicy[] = [
  {
    metadata: { name: 'frontend-to-db', namespace: 'shop', uid: '' },
    spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }] },
  },
  {
    metadata: { name: 'db-allow', namespace: 'shop', uid: '' },
    spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }, { podSelector: { matchLabels: { app: 'backend' } } }], ports: [{ port: 5432 }] }] },
  },
];

describe('formatTrace', () => {
  describe('a frontend pod to svc/shop/backend (DNS, kube-proxy, three endpoints)', () => {
    const result = traced({ from: frontend, to: 'svc/shop/backend' });
    const text = formatTrace(result);

    it('heads with the flow and both ends as they were read', () => {
      expect(lines(text).slice(0, 3)).toEqual([
        `trace ${frontend} → svc/shop/backend:80/TCP`,
        `  from  pod ${frontend}  · 10.244.1.12 on demo-worker-1`,
        '  to    svc shop/backend, looked up as backend.shop.svc.cluster.local  · 10.96.139.244',
      ]);
    });

    it('shows the DNS lookup: answer, resolver, the search-path queries and port 53 policy', () => {
      expect(text).toContain('DNS  backend.shop.svc.cluster.local → A 10.96.139.244  (resolved)');
      expect(text).toMatch(/^ {5}resolver {3}cluster DNS 10\.96\.0\.10 \(svc kube-system\/kube-dns\), dnsPolicy ClusterFirst, search shop\.svc\.cluster\.local svc\.cluster\.local cluster\.local, ndots:5$/m);
      expect(text).toMatch(/^ {5}queries {4}backend\.shop\.svc\.cluster\.local\.shop\.svc\.cluster\.local → NXDOMAIN$/m);
      expect(text).toMatch(/^ {16}backend\.shop\.svc\.cluster\.local → 10\.96\.139\.244$/m);
      expect(text).toMatch(/^ {5}port 53 {4}UDP allowed: frontend egress: allowed by shop\/allow-dns-egress \(to k8s-app=kube-dns in kube-system, port 53\/UDP\)$/m);
    });

    it('numbers the hops, the trunk then each branch, with the packet after each hop', () => {
      const kinds = hopKinds(text);
      expect(kinds.slice(0, 14)).toEqual([
        '1 dns',
        '2 container',
        '3 pod-eth0',
        '4 veth',
        '5 bridge',
        '6 service',
        '7 endpoint',
        '8 kube-proxy-dnat',
        '9 policy',
        // The endpoint is on the frontend's own bridge: DNATed in the bridge's hook and switched.
        '10 bridge',
        '11 policy',
        '12 veth',
        '13 pod-eth0',
        '14 container',
      ]);
      expect(kinds.filter((k) => k.startsWith('8 '))).toHaveLength(3);
      expect(text).toMatch(/^ {2}4 {2}veth {13}inferred {2}veth: eth0 → veth<8 hex> in node demo-worker-1's root netns {3}10\.244\.1\.12 → 10\.96\.139\.244:80 TCP$/m);
    });

    it("shows DNAT where kube-proxy rewrites the destination to the endpoint's IP:port", () => {
      const dnat = lines(text).findIndex((l) => /^ +8 {2}kube-proxy-dnat {2}inferred {2}KUBE-SEP-DQGV2CJWAK3OUXVA: DNAT to 10\.244\.1\.7:8080 {3}10\.244\.1\.12 → 10\.244\.1\.7:8080 TCP$/.test(l));
      expect(dnat).toBeGreaterThan(0);
      expect(lines(text)[dnat + 1]?.trim()).toBe('DNAT 10.96.139.244:80 → 10.244.1.7:8080');
      // Evidence under the hop, and the command that checks it, prefixed `$ `.
      expect(lines(text)[dnat + 2]?.trim()).toBe('· KUBE-SEP-DQGV2CJWAK3OUXVA -p tcp -j DNAT --to-destination 10.244.1.7:8080');
      expect(lines(text)[dnat + 3]?.trim()).toBe('$ iptables-save -t nat | grep KUBE-SEP-DQGV2CJWAK3OUXVA');
      // No hop before the DNAT changes the packet: the DNS hop's packet is the lookup's.
      expect(text.slice(0, text.indexOf('branch 1 of 3'))).not.toMatch(/^ +(DNAT|SNAT|new connection)/m);
    });

    it('lists each branch with how it is picked and its own verdict', () => {
      expect(text).toContain('  branch 1 of 3  10.244.1.7:8080 (shop/backend-7fdd4dc6cd-rmptj on demo-worker-1): delivered');
      expect(text).toMatch(/^ {6}picked {2}KUBE-SVC-J7AG6KGDZTGIPWLW rule 1 of 3: -m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-DQGV2CJWAK3OUXVA: 1 in 3 new connections$/m);
      expect(text).toContain(`      → delivered: ${result.branches[0]?.summary}`);
      // Across nodes: the VXLAN outer header rides along between tunnel and decap.
      expect(text).toContain('10.244.1.12 → 10.244.2.7:8080 TCP [outer 172.18.0.3 → 172.18.0.4:8472 UDP VNI 1]');
    });

    it('ends with the policy verdicts and the verdict line, without colour codes', () => {
      expect(text).toContain('\n  allowed        frontend egress: allowed by shop/frontend-allow (to app=backend, port http/TCP = 8080)\n');
      expect(text).toContain('\n  allowed        backend ingress: allowed by shop/backend-allow (from app=frontend, port http/TCP = 8080)\n');
      expect(lines(text).at(-2)).toBe(`verdict: delivered — ${result.summary}`);
      expect(text.endsWith('\n')).toBe(true);
      expect(text).not.toContain('\x1b[');
    });

    it('colours only when asked, and the words stay the same', () => {
      const coloured = formatTrace(result, { color: true });
      expect(coloured).toContain('\x1b[32mdelivered\x1b[39m');
      const plain = coloured
        .split('\x1b[')
        .map((part, i) => (i === 0 ? part : part.replace(/^\d+m/, '')))
        .join('');
      expect(plain).toBe(text);
    });
  });

  it('a denied flow: one line per direction, each isolating policy’s closest miss under it, the lines again in the verdict', () => {
    const text = formatTrace(traced({ from: frontend, to: 'shop/db-0', port: 5432 }));
    // Past the egress denial to db-0's ingress check: both denials are found at once.
    expect(hopKinds(text)).toEqual(['1 container', '2 pod-eth0', '3 veth', '4 policy', '5 bridge', '6 policy']);
    const blockers = lines(text.slice(text.indexOf('\nblockers ') + 1, text.indexOf('\npolicy\n')));
    expect(blockers).toEqual([
      'blockers (2, in path order)',
      '  1. hop 4  frontend egress: no rule allows shop/db-0:5432/TCP',
      '            fix: shop/frontend-allow: egress rule 2 added, to app=db on 5432/TCP',
      '  2. hop 6  db-0 ingress: only app=backend or app=db is allowed on 5432/TCP',
      '            fix: shop/db-allow: ingress rule 2 added, from app=frontend on 5432/TCP',
      '',
    ]);
    expect(text).toMatch(/^ 4 {2}policy {5}inferred {2}NetworkPolicy egress of shop\/frontend-855456765f-rx8bk: denied \(isolated by shop\/allow-dns-egress, shop\/default-deny-all, shop\/frontend-allow\)/m);
    const policy = lines(text.slice(text.indexOf('\npolicy\n') + 1));
    expect(policy[1]).toBe('  denied         frontend egress: no rule allows shop/db-0:5432/TCP');
    expect(policy.slice(2, 5).map((l) => /^ {17}· (shop\/[a-z-]+): /.exec(l)?.[1])).toEqual(['shop/allow-dns-egress', 'shop/default-deny-all', 'shop/frontend-allow']);
    expect(policy[3]?.trim()).toBe('· shop/default-deny-all: it has no egress rules, so it denies all egress of the pods it selects');
    expect(policy[5]).toBe('  denied         db-0 ingress: only app=backend or app=db is allowed on 5432/TCP');
    expect(policy[6]?.trim()).toBe(
      '· shop/db-allow: ingress rule 1 allows port 5432/TCP but not the source (podSelector app=backend: shop/frontend-855456765f-rx8bk does not match the podSelector (it has app=frontend, not app=backend); podSelector app=db: shop/frontend-855456765f-rx8bk does not match the podSelector (it has app=frontend, not app=db))',
    );
    expect(lines(text).slice(-3)).toEqual([
      'verdict: policy-denied — frontend egress: no rule allows shop/db-0:5432/TCP',
      '                         db-0 ingress: only app=backend or app=db is allowed on 5432/TCP',
      '',
    ]);
    // The long reason is said nowhere: not by the policy hop, not by the verdict.
    expect(text).not.toContain('is isolated for');
  });

  it('SNAT from the internet through a NodePort (externalTrafficPolicy Cluster)', () => {
    const text = formatTrace(traced({ from: 'internet', to: 'svc/monitoring/grafana' }));
    expect(lines(text)[0]).toBe('trace internet → svc/monitoring/grafana:30300/TCP');
    const snat = lines(text).findIndex((l) => /^ +\d+ {2}snat /.test(l));
    expect(lines(text)[snat]).toMatch(/node demo-worker-1: SNAT 198\.51\.100\.1 → 10\.244\.1\.1 \(cni0\).* {3}10\.244\.1\.1 → 10\.244\.1\.4:3000 TCP$/);
    expect(lines(text)[snat + 1]?.trim()).toBe('SNAT 198.51.100.1 → 10.244.1.1');
    expect(text).toMatch(/^ +\d+ {2}kube-proxy-dnat .* {3}198\.51\.100\.1 → 10\.244\.1\.4:3000 TCP\n +DNAT 203\.0\.113\.3:30300 → 10\.244\.1\.4:3000$/m);
  });

  it('an unknown destination: no hops, the suggestions in the verdict', () => {
    const text = formatTrace(traced({ from: frontend, to: 'svc/shop/backnd' }));
    expect(lines(text).slice(0, 3)).toEqual([`trace ${frontend} → svc/shop/backnd (TCP)`, `  from  pod ${frontend}  · 10.244.1.12 on demo-worker-1`, '  to    svc/shop/backnd: not found (see the verdict)']);
    expect(text).not.toContain('\nhops\n');
    expect(text).toContain('\npolicy\n  none evaluated: the path ends before NetworkPolicy is checked, or neither end is a pod\n');
    expect(lines(text).at(-2)).toMatch(/^verdict: unknown-target — Destination: "svc\/shop\/backnd" matches nothing .*; did you mean svc\/shop\/backend\?$/);
  });
});

describe('formatPacket', () => {
  it('brackets IPv6 addresses with a port, and leaves out ports nothing fixes', () => {
    expect(formatPacket({ src: 'fd00::1', dst: 'fd00::2', dstPort: 443, protocol: 'TCP' })).toBe('fd00::1 → [fd00::2]:443 TCP');
    expect(formatPacket({ src: '10.0.0.1', srcPort: 34567, dst: '10.96.0.10', dstPort: 53, protocol: 'UDP' })).toBe('10.0.0.1:34567 → 10.96.0.10:53 UDP');
    expect(formatPacket({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 'TCP', outer: { src: '172.18.0.3', dst: '172.18.0.4', protocol: 'IPIP' } })).toBe('10.0.0.1 → 10.0.0.2 TCP [outer 172.18.0.3 → 172.18.0.4 IPIP]');
  });
});

describe('formatTraceComparison', () => {
  const query: TraceQuery = { from: frontend, to: 'svc/shop/db', port: 5432 };
  const before = traced(query);
  const after = trace(demo, query, { policies: withPolicies(demo, allowFrontendToDb.map((p) => policyRecordFrom(p))) });

  it('a policy that opens a denied flow: verdict, both directions and each branch, before → after', () => {
    expect(before.verdict).toBe('policy-denied');
    expect(after.verdict).toBe('delivered');
    expect(lines(formatTraceComparison(before, after))).toEqual([
      `what-if ${frontend} → svc/shop/db:5432/TCP`,
      '  verdict  policy-denied → delivered',
      '  egress   denied (isolated by shop/allow-dns-egress, shop/default-deny-all, shop/frontend-allow) → allowed by shop/frontend-to-db egress[0]',
      '  ingress  denied (isolated by shop/db-allow, shop/default-deny-all) → allowed by shop/db-allow ingress[0]',
      '  branch   10.244.1.5 (shop/db-0): policy-denied → delivered',
      '  branch   10.244.1.6 (shop/db-2): policy-denied → delivered',
      '  branch   10.244.2.6 (shop/db-1): policy-denied → delivered',
      `  now: ${after.summary}`,
      '',
    ]);
  });

  it('the other way round: what the policy removal breaks, with the closest misses', () => {
    const text = formatTraceComparison(after, before);
    expect(text).toContain('  verdict  delivered → policy-denied');
    expect(text).toMatch(/^ {11}· shop\/default-deny-all: it has no egress rules/m);
  });

  it('no change: says so', () => {
    expect(lines(formatTraceComparison(before, before)).slice(1, 3)).toEqual(['  verdict  policy-denied (unchanged)', '  no NetworkPolicy verdict on this path changed']);
  });
});

describe('traceResult', () => {
  it('keeps the verdict, the deciding rules and each branch, not the hops', () => {
    const full = traced({ from: frontend, to: 'svc/shop/backend' });
    expect(traceResult(full)).toEqual({
      query: { from: frontend, to: 'svc/shop/backend' },
      verdict: 'delivered',
      summary: full.summary,
      from: frontend,
      to: 'shop/backend',
      policy: {
        egress: {
          verdict: 'allowed',
          allowedBy: ['shop/frontend-allow egress[0]'],
          isolatedBy: ['shop/allow-dns-egress', 'shop/default-deny-all', 'shop/frontend-allow'],
          line: 'frontend egress: allowed by shop/frontend-allow (to app=backend, port http/TCP = 8080)',
        },
        ingress: {
          verdict: 'allowed',
          allowedBy: ['shop/backend-allow ingress[0]'],
          isolatedBy: ['shop/backend-allow', 'shop/default-deny-all'],
          line: 'backend ingress: allowed by shop/backend-allow (from app=frontend, port http/TCP = 8080)',
        },
      },
      branches: [
        { label: '10.244.1.7:8080 (shop/backend-7fdd4dc6cd-rmptj on demo-worker-1)', verdict: 'delivered' },
        { label: '10.244.2.7:8080 (shop/backend-7fdd4dc6cd-ln7ql on demo-worker-2)', verdict: 'delivered' },
        { label: '10.244.2.8:8080 (shop/backend-7fdd4dc6cd-ljbj4 on demo-worker-2)', verdict: 'delivered' },
      ],
      dns: { name: 'backend.shop.svc.cluster.local', status: 'resolved', answer: ['10.96.139.244'] },
    });
  });

  it('a denial carries the reason', () => {
    const result = traceResult(traced({ from: frontend, to: 'shop/db-0', port: 5432 }));
    expect(result.policy.egress?.reason).toMatch(/^denied: shop\/frontend-855456765f-rx8bk is isolated for egress/);
    expect(result).not.toHaveProperty('branches');
  });
});
