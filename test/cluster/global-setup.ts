/**
 * vitest globalSetup: starts the real control plane once for the whole run (building it on first
 * use) and provides its kubeconfig and server to every test file:
 *
 *   import { inject, test } from 'vitest';
 *   const kubeconfig = inject('kubeconfig');
 *   test.skipIf(!kubeconfig)('…', …);
 *
 * When the binaries cannot be built (no Go, a failed build) or PODPATH_SKIP_CLUSTER is set, it
 * prints one line `control plane unavailable: <reason>` and provides empty strings, so the live
 * tests skip. A control plane that was built but does not start fails the run: that is a bug.
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { buildToxiproxy } from '../faults/toxiproxy.ts';
import { buildControlPlane, clusterScripts, ControlPlaneError, startControlPlane } from './harness.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the test control plane's kubeconfig; '' when it is unavailable. */
    kubeconfig: string;
    /** Its API server URL; '' when it is unavailable. */
    server: string;
    /** Path of toxiproxy's server (test/cluster/build-toxiproxy), for the fault tests; '' when it could not be built. */
    toxiproxy: string;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof ControlPlaneError) {
    const lines = error.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const last = lines.findLast((l) => l.startsWith('build:')) ?? lines.at(-1);
    if (last) return last.replace(/^build: /, '');
  }
  return error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const unavailable = (reason: string) => {
    console.log(`control plane unavailable: ${reason}`);
    project.provide('kubeconfig', '');
    project.provide('server', '');
    project.provide('toxiproxy', '');
  };
  if (process.env.PODPATH_SKIP_CLUSTER) {
    unavailable('PODPATH_SKIP_CLUSTER is set');
    return undefined;
  }

  try {
    // A warm cache answers at once; a cold build takes minutes and says what it is doing.
    await buildControlPlane({ onStderr: (line) => line.startsWith('build:') && console.log(line) });
  } catch (error) {
    unavailable(reasonOf(error));
    return undefined;
  }

  // The fault tests' TCP proxy, built (and cached) the same way; without it they say why.
  try {
    project.provide('toxiproxy', await buildToxiproxy((line) => line.startsWith('build:') && console.log(line)));
  } catch (error) {
    console.log(`toxiproxy unavailable: ${reasonOf(error)}`);
    project.provide('toxiproxy', '');
  }

  const started = Date.now();
  const cp = await startControlPlane();
  console.log(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cp.server} (${cp.kubeconfig})`);
  project.provide('kubeconfig', cp.kubeconfig);
  project.provide('server', cp.server);

  // If the run ends without teardown (Ctrl-C, process.exit), stop the processes anyway.
  let stopped = false;
  const onExit = () => {
    if (!stopped) spawnSync(clusterScripts.down, [], { env: { ...process.env, PODPATH_CLUSTER_DIR: cp.dir }, stdio: 'ignore' });
  };
  if (!cp.reused) process.once('exit', onExit);

  return async () => {
    process.off('exit', onExit);
    stopped = true;
    await cp.stop();
  };
}
