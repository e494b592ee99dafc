import { describe, expect, test } from 'vitest';
import { nodeCommands, nodeReadingSchema } from '../../../shared/datapath/reading.ts';
import { probeNode, type ProbeTarget } from './probe-node.ts';
import type { RunOutcome, Runner } from './runner.ts';
import { summarizeProbe } from './summary.ts';

const ok = (stdout: string): RunOutcome => ({ kind: 'exited', exitCode: 0, stdout, stderr: '' });

/** A runner answering by the command line; it records every argv it was given. */
function fakeRunner(answer: (line: string) => RunOutcome | undefined): { run: Runner; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: (argv) => {
      calls.push([...argv]);
      return Promise.resolve(answer(argv.join(' ')) ?? ok('[]'));
    },
  };
}

const target = (run: Runner): ProbeTarget => ({ node: 'node-a', source: 'netns', target: 'ns-a', run });

describe('probeNode', () => {
  test('runs every node command, links first, and each pod command in every netns the node has an id for', async () => {
    const { run, calls } = fakeRunner((line) =>
      line === 'ip -j netns list-id' ? ok('[{"nsid":0,"name":"cni-1"},{"nsid":1,"name":"cni-2"}]') : undefined,
    );
    const reading = await probeNode(target(run));
    expect(calls[0]).toEqual(['ip', '-j', '-d', 'link']);
    expect(Object.keys(reading.commands).sort()).toEqual(Object.keys(nodeCommands).sort());
    expect(reading.pods.map((p) => [p.nsid, p.netns, p.pod])).toEqual([
      [0, 'cni-1', null],
      [1, 'cni-2', null],
    ]);
    expect(calls).toContainEqual(['ip', '-n', 'cni-2', '-j', '-d', 'link', 'show', 'eth0']);
    expect(calls).toContainEqual(['ip', '-n', 'cni-2', '-j', 'addr', 'show', 'eth0']);
    expect(reading.pods[1]?.commands.addresses).toEqual({ status: 'ok', command: 'ip -j addr show eth0', output: '[]' });
    expect(nodeReadingSchema.safeParse(reading).success).toBe(true);
  });

  test('a netns name from the node is one argv element, never split or interpreted', async () => {
    const name = 'cni-x; rm -rf / $(id) `id`';
    const { run, calls } = fakeRunner((line) => (line === 'ip -j netns list-id' ? ok(JSON.stringify([{ nsid: 3, name }])) : undefined));
    await probeNode(target(run));
    expect(calls.filter((argv) => argv.includes('-n'))).toEqual([
      ['ip', '-n', name, '-j', '-d', 'link', 'show', 'eth0'],
      ['ip', '-n', name, '-j', 'addr', 'show', 'eth0'],
    ]);
  });

  test('an id iproute2 did not name is named from `ip -j netns list`; one nothing names is left out', async () => {
    const { run } = fakeRunner((line) => {
      if (line === 'ip -j netns list-id') return ok('[{"nsid":0},{"nsid":1}]');
      if (line === 'ip -j netns list') return ok('[{"name":"cni-a","id":0},{"name":"other"}]');
      return undefined;
    });
    const reading = await probeNode(target(run));
    expect(reading.pods.map((p) => p.netns)).toEqual(['cni-a']);
  });

  test('no netns ids read, no pods: the reading says why list-id failed', async () => {
    const { run } = fakeRunner((line) => (line === 'ip -j netns list-id' ? { kind: 'exited', exitCode: 255, stdout: '', stderr: 'Cannot open network namespace "x": No such file or directory' } : undefined));
    const reading = await probeNode(target(run));
    expect(reading.pods).toEqual([]);
    expect(reading.commands.netnsIds).toMatchObject({ status: 'failed', exitCode: 255 });
  });

  test('out of the node\'s time, nothing more runs and each command says so', async () => {
    const { run, calls } = fakeRunner(() => undefined);
    const reading = await probeNode(target(run), { nodeTimeoutMs: 0 });
    expect(calls).toEqual([]);
    expect(Object.values(reading.commands).every((r) => r?.status === 'failed' && r.message.startsWith('Not run: '))).toBe(true);
  });

  test('each command gets the smaller of its own timeout and what is left of the node\'s', async () => {
    const timeouts: number[] = [];
    const run: Runner = (_argv, options) => {
      timeouts.push(options.timeoutMs);
      return Promise.resolve(ok('[]'));
    };
    await probeNode(target(run), { commandTimeoutMs: 2_000, nodeTimeoutMs: 60_000 });
    expect(timeouts.every((t) => t === 2_000)).toBe(true);
    timeouts.length = 0;
    await probeNode(target(run), { commandTimeoutMs: 10_000, nodeTimeoutMs: 1_000 });
    expect(timeouts.every((t) => t > 0 && t <= 1_000)).toBe(true);
  });

  test('once the way in fails (the API\'s exec), the other commands are not tried', async () => {
    const { run, calls } = fakeRunner(() => ({ kind: 'transport-error', message: 'exec into pod ns/p failed: 403 Forbidden' }));
    const reading = await probeNode(target(run), { concurrency: 1 });
    expect(calls).toHaveLength(1);
    expect(reading.commands.links).toMatchObject({ status: 'failed', message: 'exec into pod ns/p failed: 403 Forbidden' });
    expect(reading.commands.nftables).toMatchObject({ status: 'failed', message: 'Not run: exec into pod ns/p failed: 403 Forbidden' });
  });

  test('a cancelled probe runs nothing more', async () => {
    const cancel = new AbortController();
    cancel.abort();
    const { run, calls } = fakeRunner(() => undefined);
    const reading = await probeNode(target(run), { signal: cancel.signal });
    expect(calls).toEqual([]);
    expect(reading.commands.links).toMatchObject({ status: 'failed', message: 'Not run: the probe was cancelled.' });
  });
});

describe('summarizeProbe', () => {
  test('says what was read and groups what was not by its reason', async () => {
    const gone = { kind: 'exited' as const, exitCode: 255, stdout: '', stderr: 'Cannot open network namespace "x": No such file or directory\n' };
    const { run } = fakeRunner((line) => (line.startsWith('ipvsadm') ? { kind: 'exited', exitCode: 2, stdout: '', stderr: "Can't initialize ipvs: Protocol not available\n" } : line.startsWith('nft') || line.startsWith('bridge') ? gone : undefined));
    const reading = await probeNode(target(run));
    const lines = summarizeProbe({ node: 'node-a', reading, error: null, elapsedMs: 420 });
    expect(lines[0]).toBe('node node-a (netns: ns-a): read 7 of 11 commands and 0 pod netns (0 of 0 commands) in 0.4 s');
    expect(lines).toContain("  not read: ipvsadm -Ln: unsupported: Can't initialize ipvs: Protocol not available");
    expect(lines).toContain('  not read: bridge -j link, bridge -j fdb, nft -j list ruleset: failed (exit 255): Cannot open network namespace "x": No such file or directory');
  });

  test('a node not read at all says why', () => {
    expect(summarizeProbe({ node: 'b', reading: null, error: 'Pod default/podpath-probe-x did not start in time (still Pending).', elapsedMs: 60_000 })).toEqual([
      'node b: not read after 60 s: Pod default/podpath-probe-x did not start in time (still Pending).',
    ]);
  });
});
