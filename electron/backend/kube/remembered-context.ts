/**
 * The context last used with a set of kubeconfig files, so the next start opens it again. Kept
 * in a small JSON state file, replaced atomically; a missing or corrupt one is an empty memory.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomicSync } from '../atomic-write.ts';
import { isRecord } from './raw.ts';

interface StateFile {
  version: 1;
  /** Sorted absolute kubeconfig paths joined by "\n" → last context used with them. */
  lastContext: Record<string, { context: string; at: string }>;
}

const maxRemembered = 50;

function stateKey(files: string[]): string {
  return [...new Set(files.map((f) => resolve(f)))].sort().join('\n');
}

function readState(stateFile: string): StateFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(stateFile, 'utf8'));
    if (isRecord(parsed) && parsed.version === 1 && isRecord(parsed.lastContext)) {
      const lastContext: StateFile['lastContext'] = {};
      for (const [key, value] of Object.entries(parsed.lastContext)) {
        if (isRecord(value) && typeof value.context === 'string') {
          lastContext[key] = { context: value.context, at: typeof value.at === 'string' ? value.at : '' };
        }
      }
      return { version: 1, lastContext };
    }
  } catch {
    // Missing or corrupt: start afresh; the next write replaces it.
  }
  return { version: 1, lastContext: {} };
}

/** Remembers `context` as the last one used with these kubeconfig files (an atomic write). */
export function rememberContext(stateFile: string, files: string[], context: string): void {
  const state = readState(stateFile);
  const key = stateKey(files);
  delete state.lastContext[key];
  state.lastContext[key] = { context, at: new Date().toISOString() };
  const entries = Object.entries(state.lastContext).sort(([, a], [, b]) => a.at.localeCompare(b.at));
  state.lastContext = Object.fromEntries(entries.slice(-maxRemembered));
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileAtomicSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The context last used with these kubeconfig files, or null. */
export function lastUsedContext(stateFile: string, files: string[]): string | null {
  return readState(stateFile).lastContext[stateKey(files)]?.context ?? null;
}
