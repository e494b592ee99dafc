/** `podpath serve`: browser mode (../serve/serve.ts) on the source asked for, opened in a browser. */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { openStartupBackend } from '../backend/backend.ts';
import { kubeconfigPaths } from '../backend/kube/kubeconfig.ts';
import { isLoopback, isWildcard } from '../serve/hosts.ts';
import { ensureRenderer } from '../serve/renderer-build.ts';
import { keepServingThroughFaults } from '../serve/safety-net.ts';
import { serve } from '../serve/serve.ts';
import { note, print, type KubeOptions } from './common.ts';

export interface ServeCommandOptions extends KubeOptions {
  demo?: boolean;
  snapshot?: string;
  port: number;
  host: string;
  /** The name clients use (NAME or NAME:PORT), when it is not the --host address. */
  publicHost?: string;
  open: boolean;
}

/**
 * The browser gets the address, token and all, as an argument: no launcher (xdg-open, open,
 * explorer) takes a URL any other way. The token is in the fragment, so it never reaches a
 * server or the history's requests, but it is visible in this short-lived process's argv.
 */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => note(`podpath: could not open a browser (${command}); open the address above yourself.`));
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
    (message) => note(`podpath: ${message}`),
  );
  const rendererDir = await ensureRenderer(note);
  const served = await serve({ backend, rendererDir, host: options.host, port: options.port, publicHost: options.publicHost });
  keepServingThroughFaults(process, note);
  if (!isLoopback(options.host)) {
    note(
      `podpath: listening on ${options.host}, not loopback, over plain HTTP: the token and the cluster cross the network unencrypted, ` +
        'and anyone who can reach it and holds the token sees this cluster. Prefer an SSH tunnel to 127.0.0.1.',
    );
    if (isWildcard(options.host) && options.publicHost === undefined) note(`podpath: answering as ${served.origins.join(', ')} (--public-host NAME for another name).`);
  }
  // The URL carries the token: printed as it is, not through note's redaction.
  await print(`Podpath is serving at ${served.url}\n`);
  if (options.open) openBrowser(served.url);
  const stop = async () => {
    await served.close();
    await backend.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
