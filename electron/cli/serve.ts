/** `podpath serve`: browser mode (../serve/serve.ts) on the source asked for, opened in a browser. */
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { openStartupBackend } from '../backend/backend.ts';
import { kubeconfigPaths } from '../backend/kube/kubeconfig.ts';
import { ensureRenderer } from '../serve/renderer-build.ts';
import { serve } from '../serve/serve.ts';
import type { KubeOptions } from './common.ts';

export interface ServeCommandOptions extends KubeOptions {
  demo?: boolean;
  snapshot?: string;
  port: number;
  host: string;
  open: boolean;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`podpath: could not open a browser (${command}); open the address above yourself.`));
  child.unref();
}

/** Where the CLI remembers the last context used per kubeconfig. */
function stateFile(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'podpath', 'contexts.json');
}

export async function serveCommand(options: ServeCommandOptions): Promise<void> {
  const backend = await openStartupBackend(
    { snapshotPath: options.snapshot, isDemo: options.demo, context: options.context, namespaces: options.namespace },
    { kubeconfigPaths: kubeconfigPaths({ explicit: options.kubeconfig }), stateFile: stateFile() },
    (message) => console.error(`podpath: ${message}`),
  );
  const rendererDir = await ensureRenderer((line) => console.error(line));
  if (!isLoopback(options.host)) {
    console.error(`podpath: listening on ${options.host}, not loopback: anyone who can reach it and holds the token sees this cluster.`);
  }
  const served = await serve({ backend, rendererDir, host: options.host, port: options.port });
  console.log(`Podpath is serving at ${served.url}`);
  if (options.open) openBrowser(served.url);
  const stop = async () => {
    await served.close();
    await backend.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
