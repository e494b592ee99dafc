/**
 * The `podpath` command (design §7), started by bin/podpath.mjs. It only wires the shared core
 * to the terminal: parsing, opening a source, printing. Errors reach the user as one line naming
 * the problem, never a stack trace.
 */
import { CommanderError } from 'commander';
import { ExitError, note } from './common.ts';
import { buildProgram } from './program.ts';

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // Commander has printed its own message (and help) already.
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    note(`podpath: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof ExitError ? error.exitCode : 1;
  }
}

if (import.meta.main) await main(process.argv);
