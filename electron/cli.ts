/**
 * The `podpath` command (design §7). It only wires the shared core to the terminal: parsing,
 * opening a source, printing. Errors reach the user as one line naming the problem, never a
 * stack trace.
 */
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openBackend, type SourceRequest } from './backend.ts';
import { ensureRenderer } from './renderer-build.ts';
import { serve } from './serve.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0: any free port).');
  return port;
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

export function buildProgram(): Command {
  const program = new Command('podpath')
    .description('See how a Kubernetes cluster\'s network really works.')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('serve')
    .description('Serve Podpath to a browser on this machine (browser mode).')
    .addOption(new Option('--demo', 'open the bundled demo cluster').conflicts('snapshot'))
    .addOption(new Option('--snapshot <file>', 'open a snapshot file'))
    .addOption(new Option('--port <n>', 'port to listen on (0: any free port)').argParser(parsePort).default(0))
    .addOption(new Option('--host <addr>', 'address to listen on').default('127.0.0.1'))
    .option('--no-open', 'do not open a browser')
    .action(async (options: { demo?: boolean; snapshot?: string; port: number; host: string; open: boolean }) => {
      const source: SourceRequest = options.snapshot
        ? { kind: 'snapshot', path: options.snapshot }
        : { kind: 'demo', note: options.demo ? undefined : 'No cluster chosen: showing the bundled demo cluster.' };
      const backend = await openBackend(source);
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
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    console.error(`podpath: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (import.meta.main) await main(process.argv);
