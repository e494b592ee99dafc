// `podpath trace` reading ends as a person first types them (issue 17, "Input that meets the user
// halfway"): the real bin/podpath.mjs in a child process on the bundled demo.
import { describe, expect, test } from 'vitest';
import type { Trace } from '../shared/trace/types.ts';
import { runPodpath } from './podpath-cli.ts';

const traceDemo = (...args: string[]) => runPodpath(['trace', '--demo', ...args]);

/** The commands a "did you mean" on stderr offers, as argument lists after `podpath`. */
function offered(stderr: string): string[][] {
  return [...stderr.matchAll(/^ {2}podpath (trace .*)$/gm)].map((m) => m[1]!.split(' '));
}

describe('podpath trace: what a person types first', () => {
  test('a Deployment by name and a Service port after the colon: it picks a ready pod, says which and of how many, and traces that port', async () => {
    const result = await traceDemo('--from', 'shop/frontend', '--to', 'svc/shop/db:5432');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('  from  shop/frontend → pod shop/frontend-855456765f-6r8k4, 1 of 3 ready pods of Deployment frontend (4 in all)  · 10.244.1.13 on demo-worker-1\n');
    expect(result.stdout).toContain('  to    svc shop/db, looked up as db.shop.svc.cluster.local, port 5432\n');
    expect(result.stdout).toContain('10.244.1.13 → 10.244.1.5:5432 TCP');
    // The demo's db-allow lets only the backend in: a verdict, not an input error.
    expect(result.stdout).toMatch(/\nverdict: policy-denied — /);
    expect(result.code).toBe(1);
  });

  test('--json: the picked pod is the source, and the port written in the text is the port traced', async () => {
    const result = await traceDemo('--from', 'shop/frontend', '--to', 'shop/db-0:5432', '--json');
    const traced = JSON.parse(result.stdout) as Trace;
    expect(traced.query).toEqual({ from: 'shop/frontend', to: 'shop/db-0:5432' });
    expect(traced.from).toMatchObject({ kind: 'pod', label: 'shop/frontend-855456765f-6r8k4' });
    expect(traced.to).toMatchObject({ kind: 'pod', label: 'shop/db-0', how: 'pod shop/db-0, port 5432' });
    expect(traced.hops.at(-1)?.packet.dstPort ?? traced.branches[0]?.hops.at(-1)?.packet.dstPort).toBe(5432);
  });

  test('a named Service port brings its protocol: kube-dns:dns is 53/UDP', async () => {
    const result = await traceDemo('--from', 'shop/frontend', '--to', 'svc/kube-system/kube-dns:dns');
    expect(result.stdout).toContain('port 53/UDP (port "dns")');
    expect(result.stdout).toContain('10.244.1.13 → 10.244.0.2:53 UDP');
    expect(result.code).toBe(0);
  });

  test('a port in the text and a different --port: an error naming both, not one silently winning; the same port is fine', async () => {
    const conflict = await traceDemo('--from', 'shop/frontend', '--to', 'svc/shop/db:5432', '--port', '80');
    expect(conflict.stdout).toMatch(/\nverdict: unknown-target — Destination: "svc\/shop\/db:5432" says port 5432, but port 80 is given too: give the port once, or the same in both\n$/);
    expect(conflict.code).toBe(1);
    const agreeing = await traceDemo('--from', 'shop/frontend', '--to', 'svc/shop/db:5432', '--port', '5432');
    expect(agreeing.stdout).toMatch(/\nverdict: policy-denied — /);
  });

  test("from a node a Service's name.ns is the Service itself, not a lookup the node cannot make", async () => {
    const result = await traceDemo('--from', 'node/demo-worker-1', '--to', 'backend.shop');
    expect(result.stdout).toContain("  to    backend.shop → svc shop/backend, taken as the Service itself, not looked up (a node's resolver does not serve cluster names)");
    expect(result.stdout).not.toContain('cannot resolve');
    expect(result.stdout).toContain('172.18.0.3 → 10.244.1.7:8080 TCP');
  });
});

describe('podpath trace: what names nothing, or several things, offers ready-to-run commands', () => {
  test('a typo: the closest match as the whole command, which then runs', async () => {
    const result = await traceDemo('--from', 'shop/frontnd', '--to', 'svc/shop/db:5432');
    expect(result.stdout).toMatch(/\nverdict: unknown-target — Source: "shop\/frontnd" matches nothing in the cluster \(tried: .*\); did you mean shop\/frontend\?\n$/);
    expect(result.stderr).toBe('podpath: did you mean:\n  podpath trace --demo --from shop/frontend --to svc/shop/db:5432\n');
    expect(result.code).toBe(1);
    const [command] = offered(result.stderr);
    const rerun = await runPodpath(command!);
    expect(rerun.stdout).toContain('  from  shop/frontend → pod shop/frontend-855456765f-6r8k4');
    expect(rerun.stderr).toBe('');
  });

  test('the start of several workloads: one command per choice, each with the rest of the command kept', async () => {
    const result = await traceDemo('--from', 'kube-system/kube-', '--to', 'svc/shop/db', '--port', '5432', '--protocol', 'TCP');
    expect(result.stdout).toContain('"kube-system/kube-" could be any of 4:');
    const commands = offered(result.stderr);
    expect(commands.map((c) => c[c.indexOf('--from') + 1])).toEqual([
      'kube-system/kube-apiserver-demo-control-plane',
      'kube-system/kube-controller-manager-demo-control-plane',
      'kube-system/kube-proxy',
      'kube-system/kube-scheduler-demo-control-plane',
    ]);
    for (const command of commands) expect(command.slice(1).join(' ')).toMatch(/^--demo --from \S+ --to svc\/shop\/db --port 5432 --protocol TCP$/);
  });

  test('a destination typo keeps the port written after it; stdout stays JSON under --json', async () => {
    const result = await traceDemo('--from', 'shop/frontend', '--to', 'shop/frontnd:8080', '--json');
    expect((JSON.parse(result.stdout) as Trace).to.suggestions).toEqual(['shop/frontend:8080', 'svc/shop/frontend:8080']);
    expect(result.stderr).toBe('podpath: did you mean:\n  podpath trace --demo --from shop/frontend --to shop/frontend:8080 --json\n  podpath trace --demo --from shop/frontend --to svc/shop/frontend:8080 --json\n');
  });

  test('an end that is found says nothing on stderr', async () => {
    const result = await traceDemo('--from', 'shop/frontend', '--to', 'svc/shop/backend');
    expect(result.stderr).toBe('');
  });
});
