// `podpath trace --family 4|6` and hostPort (issue 15, Paths): the real bin/podpath.mjs in a child
// process, on a generated dual-stack snapshot (test/fixtures/generate-dual-stack.ts) and the demo.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { serializeSnapshot, snapshotFormat, snapshotVersion } from '../shared/snapshot/format.ts';
import type { Trace } from '../shared/trace/types.ts';
import { generateDualStackCluster } from './fixtures/generate-dual-stack.ts';
import { runPodpath } from './podpath-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-family-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const snapshot = join(dir, 'dual-stack.podpath.json');
writeFileSync(
  snapshot,
  serializeSnapshot({ format: snapshotFormat, version: snapshotVersion, source: { context: 'dual-stack', server: null, kubernetesVersion: 'v1.33.2', capturedAt: '2025-07-01T09:00:00Z' }, objects: generateDualStackCluster(60) }),
);
const traceDual = (...args: string[]) => runPodpath(['trace', '--snapshot', snapshot, ...args]);

describe('podpath trace --family', () => {
  test('without it a dual-stack pair is traced in the sender\'s primary family, and the summary names the other', async () => {
    const result = await traceDual('--from', 'team-0/app-0-0', '--to', 'team-0/app-1-17');
    expect(result.stdout).toContain('10.64.0.2 → 10.64.1.10:8080 TCP');
    expect(result.stdout).toContain("Traced in IPv4, the family of team-0/app-0-0's primary IP 10.64.0.2; both ends have IPv6 too (--family 6).");
    expect(result.code).toBe(0);
  });

  test('--family 6 traces the IPv6 path; --json carries it in the query', async () => {
    const result = await traceDual('--from', 'team-0/app-0-0', '--to', 'svc/team-0/app-1', '--family', '6', '--json');
    const traced = JSON.parse(result.stdout) as Trace;
    expect(traced.query).toEqual({ from: 'team-0/app-0-0', to: 'svc/team-0/app-1', family: 6 });
    expect(traced.to.ip).toBe('fd00:10:96::1');
    expect(traced.verdict).toBe('delivered');
  });

  test('a SingleStack IPv4 Service asked for IPv6: no-route, with the fix', async () => {
    const result = await traceDual('--from', 'team-0/app-0-0', '--to', 'svc/team-0/app-0', '--family', 'ipv6');
    expect(result.stdout).toContain('svc team-0/app-0 has no IPv6 ClusterIP: ipFamilyPolicy SingleStack, ipFamilies IPv4, ClusterIPs 10.96.0.0');
    expect(result.stdout).toContain('fix: set spec.ipFamilyPolicy: PreferDualStack (or RequireDualStack) on svc team-0/app-0');
    expect(result.stdout).toMatch(/\nverdict: no-route — /);
    expect(result.code).toBe(1);
  });

  test('a family that is not 4 or 6 is a usage error', async () => {
    const result = await traceDual('--from', 'team-0/app-0-0', '--to', 'team-0/app-1-17', '--family', '5');
    expect(result.stderr).toContain("option '--family <family>' argument '5' is invalid. expected 4 or 6.");
    expect(result.code).toBe(2);
  });

  test('--batch lines carry "family", and a bad one is an error line', async () => {
    const lines = ['{"from":"team-0/app-0-0","to":"team-0/app-1-17","family":6}', '{"from":"team-0/app-0-0","to":"team-0/app-1-17","family":"x"}'].join('\n');
    const result = await runPodpath(['trace', '--snapshot', snapshot, '--batch', '-'], { stdin: lines });
    const [first, second] = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { query?: { family?: number }; summary?: string; error?: string });
    expect(first?.query?.family).toBe(6);
    expect(first?.summary).toBe('Delivered to team-0/app-1-17 at [fd00:10:40:1::a]:8080.');
    expect(second?.error).toBe('"family" must be 4 or 6, not "x"');
  });
});
