/**
 * What every `podpath` command shares: the cluster options, writing to stdout and stderr (the
 * one way out to the terminal: control characters escaped, credentials redacted), and the error
 * that carries its own exit code. Light on purpose: `podpath --help` loads it (program.ts), so
 * it imports nothing of the Kubernetes client.
 */
import type { Command } from 'commander';
import { printable } from '../../shared/text/printable.ts';
import { redact } from '../backend/kube/kube-error.ts';

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

/** The colours `trace --color` writes (shared/trace/format.ts): bold, dim, four colours and their resets. */
// eslint-disable-next-line no-control-regex
const ownStyles = /(\u001b\[(?:1|2|22|31|32|33|36|39)m)/;

/**
 * What reaches the terminal: every control character in `text` made a visible escape
 * (printable), its line breaks and tabs kept. Names from a snapshot may hold escape sequences;
 * only our own colours pass, and only when the output is `isStyled`.
 */
function forTerminal(text: string, isStyled: boolean): string {
  if (!isStyled) return printable(text, 'layout');
  return text
    .split(ownStyles)
    .map((part, i) => (i % 2 === 1 ? part : printable(part, 'layout')))
    .join('');
}

/** Writes a line to stderr (a note, a warning, an error): without credentials (redact) or control characters. */
export function note(line: string): void {
  process.stderr.write(`${forTerminal(redact(line), false)}\n`);
}

/**
 * Writes `text` to stdout and resolves once it is flushed, so a large document survives an
 * exit that follows at once (and a closed pipe ends the command quietly). Control characters
 * become visible escapes, which JSON and YAML read as the same characters.
 */
export function print(text: string, options: { isStyled?: boolean } = {}): Promise<void> {
  // Once per process: `trace --batch` prints a line per query.
  if (!isWatchingStdout) {
    isWatchingStdout = true;
    process.stdout.once('error', (error: NodeJS.ErrnoException) => {
      // EPIPE: `podpath describe | head` — the reader has what it wanted.
      if (error.code !== 'EPIPE') note(`podpath: cannot write the output: ${error.message}`);
      process.exit(error.code === 'EPIPE' ? 0 : 1);
    });
  }
  return new Promise((resolve) => {
    if (process.stdout.write(forTerminal(text, options.isStyled ?? false))) resolve();
    else process.stdout.once('drain', resolve);
  });
}
