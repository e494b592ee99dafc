// The lab leaves nothing behind: not when it starts halfway and fails, not when its process is
// killed (test/lab/clean then removes the leftovers), and only what carries its prefix is touched.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import type { KubeNode, Namespace } from '../../shared/kube/objects.ts';
import { adminApi, KubeApiError, waitFor, type KubeApi } from '../cluster/harness.ts';
import { labScripts, labStateRoot, prepareLab, startLab } from './lab.ts';
import { listNetns, pidsIn, run } from './netns.ts';

const kubeconfig = inject('kubeconfig');
const isCI = process.env.CI === 'true';
const { reason, bin } = await prepareLab(kubeconfig);
if (reason && !isCI) console.log(`skipped: the network lab's clean-up: ${reason}`);

test.runIf(reason && isCI)('the network lab can run (CI)', () => {
  expect.fail(`CI=true and the network lab cannot run: ${reason}`);
});

/** Everything a lab with this prefix could have left: namespaces, processes in them, its state dir, API objects. */
async function leftovers(api: KubeApi, prefix: string) {
  const netns = (await listNetns()).filter((n) => n.startsWith(prefix));
  const pids = (await Promise.all(netns.map(pidsIn))).flat();
  const nodes = (await api.list<KubeNode>(`/api/v1/nodes?labelSelector=${encodeURIComponent(`podpath.dev/lab=${prefix.slice(0, -1)}`)}`)).map((n) => n.metadata.name);
  let namespace = 'gone';
  try {
    const ns = await api.get<Namespace>(`/api/v1/namespaces/${prefix}lab`);
    namespace = ns.metadata.deletionTimestamp ? 'terminating' : 'present';
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 404)) throw error;
  }
  return { netns, pids, stateDir: existsSync(join(labStateRoot, prefix.slice(0, -1))), nodes, namespace };
}
const nothingLeft = { netns: [], pids: [], stateDir: false, nodes: [], namespace: expect.stringMatching(/^(gone|terminating)$/) };

describe.skipIf(reason)('the network lab cleans up after itself', () => {
  test('a lab that fails halfway removes what it had made', async () => {
    const api = adminApi({ kubeconfig });
    try {
      // Pod x is attached (netns, veth, listener) before pod y names a node that does not exist.
      const failed = await startLab({ kubeconfig, bin, nodes: ['a'], pods: [{ name: 'x', node: 'a' }, { name: 'y', node: 'nowhere' }] }).then(
        () => expect.fail('startLab should have failed'),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      expect(failed).toMatch(/^lab pp[a-z0-9]{4}-: pod y: no node nowhere/);
      expect(failed).toContain('pod-x: last lines of its log');
      const prefix = /^lab (pp[a-z0-9]{4}-)/.exec(failed)![1]!;
      expect(await leftovers(api, prefix)).toEqual(nothingLeft);
    } finally {
      await api.close();
    }
  });

  test('test/lab/clean removes the leftovers of a lab whose process was killed', async () => {
    const api = adminApi({ kubeconfig });
    const script = `
      import { startLab } from ${JSON.stringify(join(import.meta.dirname, 'lab.ts'))};
      const lab = await startLab({ kubeconfig: ${JSON.stringify(kubeconfig)}, bin: ${JSON.stringify(bin)}, overlay: 'vxlan', nodes: ['a', 'b'],
        pods: [{ name: 'x', node: 'a' }, { name: 'y', node: 'b' }] });
      console.log('up ' + lab.prefix);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const prefix = await waitFor(() => /^up (pp[a-z0-9]{4}-)$/m.exec(out)?.[1], 120_000, 'the lab in the child process up');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      // Killed without clean-up: its namespaces, processes, state dir and API objects remain.
      const left = await leftovers(api, prefix);
      expect(left.netns).toHaveLength(5);
      expect(left.pids.length).toBeGreaterThan(0);
      expect(left.stateDir).toBe(true);
      expect(left.nodes).toHaveLength(2);
      expect(left.namespace).toBe('present');

      const { stderr } = await run(labScripts.clean, []);
      expect(stderr).toContain(`${prefix}: deleted netns ${prefix}underlay`);
      expect(await leftovers(api, prefix)).toEqual(nothingLeft);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await api.close();
    }
  }, 180_000);
});
