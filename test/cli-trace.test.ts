// `podpath trace` on the demo snapshot, run as a user runs it: the real bin/podpath.mjs in a
// child process, its stdout, stderr and exit code.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocuments } from '../shared/kube/documents.ts';
import { parseSnapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { trace } from '../shared/trace/trace.ts';
import type { Trace } from '../shared/trace/types.ts';
import { repoRoot } from './e2e/serve.ts';
import { runPodpath } from './podpath-cli.ts';

const demoPath = 'assets/demo-cluster.podpath.json';
const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-trace-'));
const frontend = 'shop/frontend-855456765f-rx8bk';

const podpath = (args: string[], stdin?: string) => runPodpath(args, stdin === undefined ? {} : { stdin });

const traceDemo = (...args: string[]) => podpath(['trace', '--snapshot', demoPath, ...args]);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** kube-proxy's iptables chain for a Service port, computed as kube-proxy does (portProtoHash:
 * base32 of sha256(`ns/name:port` + protocol), 16 characters) — independently of Podpath's code. */
function kubeSvcChain(servicePortName: string, protocol: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of createHash('sha256').update(servicePortName + protocol.toLowerCase()).digest()) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `KUBE-SVC-${out.slice(0, 16)}`;
}

/** The hop lines of the text output: `number kind`, in order. */
const hopKinds = (text: string) => [...text.matchAll(/^ *(\d+) {2}(\S+) {2,}/gm)].map((m) => `${m[1]} ${m[2]}`);

/** Opens frontend → db: the frontend's egress (a namespace-less manifest, placed by -n shop), the
 * db's ingress (replacing the demo's db-allow, inside a List), and a Deployment to be ignored. */
const allowDb = `# what-if: let the frontend reach the database
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: frontend-to-db
spec:
  podSelector:
    matchLabels: {app: frontend}
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector:
            matchLabels: {app: db}
      ports:
        - {port: 5432, protocol: TCP}
---
apiVersion: v1
kind: List
items:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: db-allow, namespace: shop}
    spec:
      podSelector:
        matchLabels: {app: db}
      ingress:
        - from:
            - podSelector:
                matchLabels: {app: frontend}
            - podSelector:
                matchLabels: {app: backend}
          ports:
            - {port: 5432}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {}
`;

describe('podpath trace', () => {
  test('frontend → svc/shop/backend: delivered, the hops in order, the real KUBE-SVC chain, exit 0', async () => {
    const result = await traceDemo('--from', frontend, '--to', 'svc/shop/backend');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text.split('\n')[0]).toBe(`trace ${frontend} → svc/shop/backend:80/TCP`);
    expect(hopKinds(text).slice(0, 14)).toEqual([
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
    const chain = kubeSvcChain('shop/backend:http', 'TCP');
    expect(chain).toBe('KUBE-SVC-J7AG6KGDZTGIPWLW');
    expect(text).toMatch(new RegExp(`^ +6 {2}service .*KUBE-SERVICES → ${chain} `, 'm'));
    expect(text).toContain(`$ iptables-save -t nat | grep ${chain}`);
    expect(text).toMatch(/^ +DNAT 10\.96\.139\.244:80 → 10\.244\.1\.7:8080$/m);
    expect(text).toMatch(/^ {2}branch 3 of 3 {2}10\.244\.2\.8:8080 \(shop\/backend-7fdd4dc6cd-ljbj4 on demo-worker-2\): delivered$/m);
    expect(text).toMatch(/\nverdict: delivered — .+\n$/);
  });

  test('frontend → db on 5432: policy-denied, the policies named, exit 1', async () => {
    const result = await traceDemo('--from', frontend, '--to', 'svc/shop/db', '--port', '5432');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const policy = result.stdout.slice(result.stdout.indexOf('\npolicy'));
    // One line per direction, each isolating policy's closest miss indented under it.
    expect(policy).toMatch(/^ {2}denied {9}frontend egress: no rule allows shop\/db-\d:5432\/TCP\n {17}· shop\/allow-dns-egress: /m);
    expect(policy).toMatch(/^ {17}· shop\/frontend-allow: egress rule 1 matches neither the destination/m);
    expect(policy).toMatch(/^ {2}denied {9}db-\d ingress: only app=backend or app=db is allowed on 5432\/TCP\n {17}· shop\/db-allow: /m);
    // The verdict says the same two lines, and not the long reason.
    expect(result.stdout).toMatch(/\nverdict: policy-denied — policy-denied on all 3 paths\. frontend egress: no rule allows shop\/db-\d:5432\/TCP\n {25}db-\d ingress: only app=backend or app=db is allowed on 5432\/TCP\n$/);
    expect(result.stdout).not.toContain('is isolated for');
  });

  test('--json: the Trace itself, as the tracer makes it', async () => {
    const result = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--json');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\{\n {2}"query": /);
    const printed = JSON.parse(result.stdout) as Trace;
    expect(Object.keys(printed).sort()).toEqual(['blockers', 'branches', 'dns', 'from', 'hops', 'policy', 'query', 'summary', 'to', 'verdict']);
    expect(printed).toMatchObject({ query: { from: frontend, to: 'svc/shop/backend' }, verdict: 'delivered', from: { kind: 'pod', ip: '10.244.1.12' }, to: { kind: 'service', id: 'svc:shop/backend' } });
    for (const hop of [...printed.hops, ...printed.branches.flatMap((b) => b.hops)]) {
      expect(hop).toEqual({ kind: expect.any(String), provenance: 'inferred', ids: expect.any(Array), label: expect.any(String), node: expect.anything(), packet: expect.objectContaining({ src: expect.any(String), dst: expect.any(String), protocol: hop.kind === 'dns' ? 'UDP' : 'TCP' }), evidence: expect.any(Array) });
    }
    expect(printed.branches.map((b) => b.verdict)).toEqual(['delivered', 'delivered', 'delivered']);
    const snapshot = parseSnapshot(readFileSync(join(repoRoot, demoPath), 'utf8'));
    expect(printed).toEqual(JSON.parse(JSON.stringify(trace(derive(snapshot.objects, snapshot.source), { from: frontend, to: 'svc/shop/backend' }))));
  });

  test('--with-policy: the trace with the file\'s policies, policy-denied → delivered, exit 0', async () => {
    const policies = file('allow-db.yaml', allowDb);
    const result = await traceDemo('--from', frontend, '--to', 'shop/db-0', '--port', '5432', '-n', 'shop', '--with-policy', policies);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`podpath: ignored Deployment shop/web in ${policies}: only policy objects count (NetworkPolicy, admin, Calico and Cilium policies)\n`);
    const out = result.stdout.split('\n');
    expect(out.slice(0, 2)).toEqual([`with shop/frontend-to-db from ${policies}: added`, `with shop/db-allow from ${policies}: replaces the one in the cluster`]);
    expect(result.stdout).toMatch(/^ {2}allowed {8}frontend egress: allowed by shop\/frontend-to-db \(to app=db, port 5432\/TCP\)$/m);
    expect(result.stdout).toMatch(/^verdict: delivered — /m);
    const whatIf = result.stdout.slice(result.stdout.indexOf('\nwhat-if '));
    expect(whatIf).toContain(`what-if ${frontend} → shop/db-0:5432/TCP\n  verdict  policy-denied → delivered\n`);
    expect(whatIf).toContain('  egress   denied (isolated by shop/allow-dns-egress, shop/default-deny-all, shop/frontend-allow) → allowed by shop/frontend-to-db egress[0]\n');
    expect(whatIf).toContain('  ingress  denied (isolated by shop/db-allow, shop/default-deny-all) → allowed by shop/db-allow ingress[0]\n');

    const json = await traceDemo('--from', frontend, '--to', 'shop/db-0', '--port', '5432', '-n', 'shop', '--with-policy', policies, '--json');
    expect(json.code).toBe(0);
    const both = JSON.parse(json.stdout) as { before: Trace; after: Trace };
    expect(both.before.verdict).toBe('policy-denied');
    expect(both.after.verdict).toBe('delivered');
    expect(both.after.policy.egress?.allowedBy.map((r) => r.name)).toEqual(['shop/frontend-to-db']);
    // The notes go to stderr, so stdout is one JSON document.
    expect(json.stderr).toMatch(/^podpath: with shop\/frontend-to-db from .*: added$/m);
  });

  test('--with-policy: without -n a namespace-less policy lands in default and changes nothing here', async () => {
    const result = await traceDemo('--from', frontend, '--to', 'shop/db-0', '--port', '5432', '--with-policy', file('allow-db-default.yaml', allowDb));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^with default\/frontend-to-db from .*: added$/m);
    expect(result.stdout).toContain('  verdict  policy-denied (unchanged)\n');
  });

  test('--fix: the smallest policy change that allows a denied flow, as YAML; traced --with-policy it, the flow is delivered', async () => {
    const result = await traceDemo('--from', frontend, '--to', 'shop/db-0', '--port', '5432', '--fix');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const out = result.stdout.split('\n');
    expect(out.slice(0, 2)).toEqual(['# shop/frontend-allow: egress rule 2 added, to app=db on 5432/TCP', '# shop/db-allow: ingress rule 2 added, from app=frontend on 5432/TCP']);
    const docs = parseDocuments(result.stdout, 'fix.yaml') as { kind: string; metadata: { name: string; namespace: string } }[];
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual(['NetworkPolicy shop/frontend-allow', 'NetworkPolicy shop/db-allow']);

    // Through the Service, every db replica: the fix selects them by app=db.
    const fixed = await traceDemo('--from', frontend, '--to', 'svc/shop/db', '--port', '5432', '--with-policy', file('fix.yaml', result.stdout));
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('  verdict  policy-denied → delivered\n');
    // The frontend on another port, and another pod on this one, stay denied.
    expect((await traceDemo('--from', frontend, '--to', 'shop/db-0', '--port', '5433', '--with-policy', file('fix-2.yaml', result.stdout))).code).toBe(1);
    expect((await traceDemo('--from', 'default/echo-76d7c7b86b-9tnwr', '--to', 'shop/db-0', '--port', '5432', '--with-policy', file('fix-3.yaml', result.stdout))).code).toBe(1);

    const nothing = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--fix');
    expect(nothing).toEqual({ code: 0, stdout: '', stderr: 'podpath: nothing to fix: the flow is delivered.\n' });
    const withJson = await traceDemo('--from', frontend, '--to', 'shop/db-0', '--fix', '--json');
    expect(withJson.code).toBe(2);
    expect(withJson.stderr).toMatch(/^error: option '--fix' cannot be used with option '--json'$/m);
  });

  test('a lookup and a connection blocked: every blocker printed in path order with its fix, carried by --json; --fix clears them all at once', async () => {
    // The demo with a default-deny that forgot DNS: its allow-dns-egress policy left out.
    const demo = JSON.parse(readFileSync(join(repoRoot, demoPath), 'utf8')) as { objects: { networkPolicies: { metadata: { name: string } }[] } };
    demo.objects.networkPolicies = demo.objects.networkPolicies.filter((p) => p.metadata.name !== 'allow-dns-egress');
    const snapshot = file('no-dns.podpath.json', JSON.stringify(demo));
    const args = ['trace', '--snapshot', snapshot, '--from', frontend, '--to', 'db.shop', '--port', '5432'];

    const text = await podpath(args);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('hops (if DNS had answered: traced on to what CoreDNS would answer)\n');
    const section = text.stdout.slice(text.stdout.indexOf('\nblockers '), text.stdout.indexOf('\npolicy ')).trim().split('\n');
    expect(section[0]).toBe('blockers (3, in path order, on branch 1)');
    expect(section.slice(1).map((l) => l.trim().replace(/ {2,}/g, '  '))).toEqual([
      expect.stringMatching(/^1\. DNS {2}frontend egress: no rule allows kube-system\/coredns-[\w-]+:53\/UDP$/),
      'fix: shop/frontend-allow: egress rule 2 added, to k8s-app=kube-dns in kube-system on 53/UDP and 53/TCP',
      expect.stringMatching(/^2\. branch 1, hop \d+ {2}frontend egress: no rule allows shop\/db-0:5432\/TCP$/),
      'fix: shop/frontend-allow: egress rule 3 added, to app=db on 5432/TCP',
      expect.stringMatching(/^3\. branch 1, hop \d+ {2}db-0 ingress: only app=backend or app=db is allowed on 5432\/TCP$/),
      'fix: shop/db-allow: ingress rule 2 added, from app=frontend on 5432/TCP',
    ]);
    expect(text.stdout).toMatch(/^verdict: policy-denied — DNS: the name lookup is blocked: /m);

    const json = JSON.parse((await podpath([...args, '--json'])).stdout) as Trace;
    expect(json.isDnsAssumed).toBe(true);
    expect(json.blockers.map((b) => [b.kind, b.at?.in, b.fix !== null])).toEqual([
      ['dns-policy', 'dns', true],
      ['egress', 'branch', true],
      ['ingress', 'branch', true],
    ]);

    const fix = await podpath([...args, '--fix']);
    expect(fix.code).toBe(1);
    expect(fix.stdout.split('\n').slice(0, 3)).toEqual([
      '# shop/frontend-allow: egress rule 2 added, to k8s-app=kube-dns in kube-system on 53/UDP and 53/TCP',
      '# shop/frontend-allow: egress rule 3 added, to app=db on 5432/TCP',
      '# shop/db-allow: ingress rule 2 added, from app=frontend on 5432/TCP',
    ]);
    const fixed = await podpath([...args, '--with-policy', file('no-dns-fix.yaml', fix.stdout)]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('  verdict  policy-denied → delivered\n');
  });

  test('--batch: one JSON result per line, a malformed line reported in place, exit 2', async () => {
    const batch = file(
      'flows.jsonl',
      [
        '# flows the shop must allow',
        JSON.stringify({ from: frontend, to: 'svc/shop/backend' }),
        '',
        JSON.stringify({ from: frontend, to: 'svc/shop/db', port: 5432, protocol: 'tcp' }),
        '{"from": "shop/frontend", "port": "eighty"}',
      ].join('\n'),
    );
    const result = await traceDemo('--batch', batch);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    const lines = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ line: 2, query: { from: frontend, to: 'svc/shop/backend' }, verdict: 'delivered', summary: expect.any(String), to: 'shop/backend' });
    expect(lines[0]).toMatchObject({ policy: { egress: { verdict: 'allowed', allowedBy: ['shop/frontend-allow egress[0]'] }, ingress: { verdict: 'allowed', allowedBy: ['shop/backend-allow ingress[0]'] } } });
    expect(lines[0]).not.toHaveProperty('trace');
    expect(lines[1]).toMatchObject({ line: 4, query: { port: 5432, protocol: 'TCP' }, verdict: 'policy-denied', policy: { egress: { verdict: 'denied', isolatedBy: ['shop/allow-dns-egress', 'shop/default-deny-all', 'shop/frontend-allow'] } } });
    // Each line names its blockers, each with its fix.
    expect((lines[1]!.blockers as { kind: string; fix: string | null }[]).map((b) => [b.kind, b.fix !== null])).toEqual([
      ['egress', true],
      ['ingress', true],
    ]);
    expect(lines[0]).not.toHaveProperty('blockers');
    expect(lines[2]).toEqual({ line: 5, error: '"to" is missing: give it as a string, e.g. "ns/pod" or "svc/ns/name"' });
  });

  test('--batch - reads stdin; exit 1 when a flow is not delivered, 0 when all are; --json adds the traces', async () => {
    const delivered = JSON.stringify({ from: frontend, to: 'svc/shop/backend' });
    const denied = JSON.stringify({ from: frontend, to: 'shop/db-0', port: 5432 });
    const mixed = await traceDemo('--batch', '-', '--json', '--with-policy', file('allow-db-2.yaml', allowDb), '-n', 'shop');
    expect(mixed.code).toBe(2); // nothing on stdin
    expect(mixed.stderr).toMatch(/^podpath: No queries in stdin: /m);

    const some = await podpath(['trace', '--snapshot', demoPath, '--batch', '-', '--json'], `${delivered}\n${denied}\n`);
    expect(some.code).toBe(1);
    const [first, second] = some.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { verdict: string; trace: Trace });
    expect(first?.trace.verdict).toBe('delivered');
    // Past the egress denial to the receiver's ingress check: both blockers found.
    expect(second?.trace.hops.map((h) => h.kind)).toEqual(['container', 'pod-eth0', 'veth', 'policy', 'bridge', 'policy']);
    expect(second?.trace.blockers.map((b) => b.kind)).toEqual(['egress', 'ingress']);

    const all = await podpath(['trace', '--snapshot', demoPath, '--batch', '-', '--with-policy', file('allow-db-3.yaml', allowDb), '-n', 'shop'], `${delivered}\n${denied}\n`);
    expect(all.code).toBe(0);
    const results = all.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { verdict: string; before: { verdict: string } });
    expect(results.map((r) => `${r.before.verdict} → ${r.verdict}`)).toEqual(['delivered → delivered', 'policy-denied → delivered']);
  });

  test('an unknown target: unknown-target with suggestions, exit 1', async () => {
    const result = await traceDemo('--from', frontend, '--to', 'svc/shop/backnd');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\nverdict: unknown-target — Destination: "svc\/shop\/backnd" matches nothing in the cluster .*; did you mean svc\/shop\/backend\?\n$/);
  });

  test('a missing snapshot: one line naming the file and the problem, exit 2', async () => {
    const missing = join(dir, 'nope.podpath.json');
    const result = await podpath(['trace', '--snapshot', missing, '--from', frontend, '--to', 'svc/shop/backend']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `podpath: Cannot read snapshot ${missing}: no such file.\n` });
  });

  test('usage and input errors exit 2 with what to do', async () => {
    const noTo = await traceDemo('--from', frontend);
    expect(noTo).toMatchObject({ code: 2, stdout: '', stderr: 'podpath: Say what to trace: --from SRC --to DST (or --batch FILE); see podpath trace --help.\n' });

    const badPort = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--port', '80000');
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/^error: option '--port <n>' argument '80000' is invalid\. expected a port number from 1 to 65535\.$/m);

    const badProtocol = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--protocol', 'ICMP');
    expect(badProtocol.code).toBe(2);
    expect(badProtocol.stderr).toMatch(/expected TCP, UDP or SCTP\./);

    const noPolicy = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--with-policy', join(dir, 'missing.yaml'));
    expect(noPolicy).toMatchObject({ code: 2, stderr: `podpath: Cannot read policy file ${join(dir, 'missing.yaml')}: no such file.\n` });

    const broken = file('broken.yaml', 'kind: NetworkPolicy\nmetadata: {name: x\n');
    const syntax = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--with-policy', broken);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(new RegExp(`^podpath: ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));

    const deployment = file('deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    const none = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--with-policy', deployment);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`podpath: ${deployment} holds no policy: --with-policy takes networking.k8s.io/v1 NetworkPolicy manifests, policy.networking.k8s.io AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy, Calico's NetworkPolicy, GlobalNetworkPolicy and Tier, or Cilium's CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (YAML or JSON).\n`);

    const both = await traceDemo('--from', frontend, '--to', 'svc/shop/backend', '--batch', '-');
    expect(both).toMatchObject({ code: 2, stderr: 'podpath: --batch reads its queries from the file: leave out --from and --to.\n' });

    const noBatch = await traceDemo('--batch', join(dir, 'missing.jsonl'));
    expect(noBatch).toMatchObject({ code: 2, stderr: `podpath: Cannot read batch file ${join(dir, 'missing.jsonl')}: no such file.\n` });
  });

  test('--help documents the exit codes', async () => {
    const result = await podpath(['trace', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Exit codes:\n {2}0 {2}delivered/m);
    expect(result.stdout).toMatch(/^ {2}2 {2}no verdict: a usage or input error/m);
  });
});
