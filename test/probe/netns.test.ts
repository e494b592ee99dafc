// The probe against a real datapath, as root: a throwaway node netns with a bridge and a veth to
// a pod netns (netns-node.ts), read through `ip netns exec`, parsed by shared/datapath, and
// attached to a snapshot by `podpath snapshot --probe-netns`. Also the tools' real refusals,
// read as an unprivileged user. Nothing outside the `pp-probe-<random>-` namespaces is touched.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { observeNode } from '../../shared/datapath/observe.ts';
import { nodeReadingSchema, type NodeReading } from '../../shared/datapath/reading.ts';
import { classify } from '../../electron/backend/probe/classify.ts';
import { probeNode } from '../../electron/backend/probe/probe-node.ts';
import { spawnRunner } from '../../electron/backend/probe/runner.ts';
import { localTarget, netnsTarget } from '../../electron/backend/probe/sources.ts';
import { runPodpath } from '../podpath-cli.ts';
import { tempDirs } from '../temp-dirs.ts';
import { makeNetnsNode, netnsUnavailableReason, type NetnsNode } from './netns-node.ts';

const isCI = process.env.CI === 'true';
const reason = netnsUnavailableReason();
if (reason && !isCI) console.log(`skipped: the netns probe tests: ${reason}`);

test.runIf(reason && isCI)('network namespaces can be made (CI)', () => {
  expect.fail(`CI=true and the netns probe tests cannot run: ${reason}`);
});

describe.skipIf(reason)('probing a node in a network namespace', () => {
  let lab: NetnsNode;
  beforeAll(() => {
    lab = makeNetnsNode();
  });
  afterAll(() => lab?.remove());

  test('maps the host veth to the pod netns, and only the netns the node has a veth into', async () => {
    const reading = await probeNode(netnsTarget('node-a', lab.nodeNetns));
    expect(nodeReadingSchema.safeParse(reading).success).toBe(true);
    expect(reading).toMatchObject({ node: 'node-a', source: 'netns', target: lab.nodeNetns });
    // The stray netns is named on this machine too, but the node has no id for it.
    expect(reading.pods.map((p) => p.netns)).toEqual([lab.podNetns]);
    expect(reading.commands.links?.status).toBe('ok');
    expect(reading.commands.iptables?.status).toBe('ok');

    const observed = observeNode(reading);
    expect(observed.veths).toEqual([
      expect.objectContaining({
        hostName: lab.hostVeth,
        netns: lab.podNetns,
        pod: null,
        podAddresses: [`${lab.podIP}/24`],
        bridge: lab.bridge,
      }),
    ]);
    expect(observed.veths[0]?.ipCheck.status).not.toBe('contradicted');
    expect(observed.bridges).toEqual([expect.objectContaining({ name: lab.bridge, ports: [lab.hostVeth] })]);
    expect(observed.conflicts).toEqual([]);
    // Whatever this kernel lacks (IPVS, say) is reported, not guessed.
    for (const unread of observed.unread) expect(['unsupported', 'missing-tool']).toContain(unread.status);
  });

  test('a netns that does not exist: every command failed, with the reason', async () => {
    const reading = await probeNode(netnsTarget('node-x', `${lab.prefix}gone`));
    expect(reading.pods).toEqual([]);
    for (const result of Object.values(reading.commands)) {
      expect(result).toMatchObject({ status: 'failed', message: expect.stringContaining(`Cannot open network namespace "${lab.prefix}gone"`) });
    }
  });

  test('a tool that is not installed is a missing tool, inside a netns and here', async () => {
    const inNetns = await spawnRunner(['ip', 'netns', 'exec', lab.nodeNetns])(['pp-probe-no-such-tool'], { timeoutMs: 5_000 });
    expect(classify('pp-probe-no-such-tool', inNetns).status).toBe('missing-tool');
    const here = await spawnRunner()(['pp-probe-no-such-tool'], { timeoutMs: 5_000 });
    expect(here).toMatchObject({ kind: 'spawn-error', code: 'ENOENT' });
    expect(classify('pp-probe-no-such-tool', here).status).toBe('missing-tool');
  });

  test("without root, the kernel's refusals read as permission-denied", async () => {
    const unprivileged = spawnRunner(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    const reading = await probeNode(localTarget('node-a', unprivileged));
    expect(reading.commands.iptables).toMatchObject({ status: 'permission-denied', message: expect.stringContaining('Permission denied') });
    expect(reading.commands.nftables).toMatchObject({ status: 'permission-denied' });
  });

  test('a command past its timeout is killed and says so', async () => {
    const outcome = await spawnRunner(['ip', 'netns', 'exec', lab.nodeNetns])(['sleep', '30'], { timeoutMs: 200 });
    expect(outcome).toEqual({ kind: 'timed-out', afterMs: 200 });
  });

  describe('podpath snapshot --probe-netns', () => {
    const tempDir = tempDirs('podpath-probe-cli-');
    test('attaches the reading, and says per node what was read and how long it took', async () => {
      const dir = tempDir();
      const manifest = join(dir, 'node.yaml');
      writeFileSync(manifest, 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-a\nspec:\n  podCIDR: 10.250.0.0/24\n');
      const output = join(dir, 'out.podpath.json');
      const result = await runPodpath(['snapshot', '--from-files', manifest, '--probe-netns', `node-a=${lab.nodeNetns}`, '-o', output]);
      expect(result.stderr).toMatch(new RegExp(`podpath: probe node node-a \\(netns: ${lab.nodeNetns}\\): read \\d+ of 11 commands and 1 pod netns \\(2 of 2 commands\\) in \\d+\\.\\d s`));
      expect(result.code).toBe(0);
      const snapshot = JSON.parse(readFileSync(output, 'utf8')) as { datapath: NodeReading[] };
      expect(snapshot.datapath).toHaveLength(1);
      const reading = nodeReadingSchema.parse(snapshot.datapath[0]);
      expect(observeNode(reading).veths.map((v) => v.netns)).toEqual([lab.podNetns]);
      // Only the listed commands' outputs: nothing of this process's environment.
      const text = readFileSync(output, 'utf8');
      for (const [name, value] of Object.entries(process.env)) {
        if (value && value.length >= 12 && !/^(\/|[0-9.]+$)/.test(value)) expect(text, `the value of $${name}`).not.toContain(value);
      }
    });

    test('a malformed NODE=NETNS is a usage error', async () => {
      const result = await runPodpath(['snapshot', '--from-files', 'x.yaml', '--probe-netns', 'node-a', '-o', '/dev/null']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('expected NODE=NETNS');
    });
  });
});
