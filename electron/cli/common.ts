/**
 * What every `podpath` command shares: the cluster options, writing to stdout, and the error
 * that carries its own exit code. Light on purpose: `podpath --help` loads it (program.ts), so
 * it imports nothing of the Kubernetes client.
 */
import type { Command } from 'commander';

/** An error that ends the command with its own exit code (the trace command's 2: no verdict). */
export class ExitError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function addKubeOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('-n, --namespace <ns>', 'namespace to read in when a kind cannot be read cluster-wide (repeatable)', collect, []);
}

let isWatchingStdout = false;

/** Writes `text` to stdout and resolves once it is flushed, so a large document survives an
 * exit that follows at once (and a closed pipe ends the command quietly). */
export function print(text: string): Promise<void> {
  // Once per process: `trace --batch` prints a line per query.
  if (!isWatchingStdout) {
    isWatchingStdout = true;
    process.stdout.once('error', (error: NodeJS.ErrnoException) => {
      // EPIPE: `podpath describe | head` — the reader has what it wanted.
      if (error.code !== 'EPIPE') console.error(`podpath: cannot write the output: ${error.message}`);
      process.exit(error.code === 'EPIPE' ? 0 : 1);
    });
  }
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

/** Why a file could not be read, in words: `no such file`, `permission denied`. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
