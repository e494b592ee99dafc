/**
 * The user's login-shell PATH, which the desktop app adopts when it starts (electron/main.ts):
 * exec credential plugins are found on it, and an app started from a launcher does not inherit it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { delimiter, sep } from 'node:path';

/**
 * The PATH the user's login shell sets up (where `aws`, `gke-gcloud-auth-plugin`, `kubelogin`
 * usually live), or null when it cannot be learned. A desktop launcher's PATH often lacks it.
 * Rc-file noise is ignored (the PATH is read between markers); never throws.
 */
export function shellPath(env: NodeJS.ProcessEnv = process.env, options: { timeoutMs?: number } = {}): Promise<string | null> {
  if (process.platform === 'win32') return Promise.resolve(null);
  const shell = env.SHELL || safeUserShell() || '/bin/sh';
  const timeoutMs = options.timeoutMs ?? 5000;
  const marker = `_PODPATH_${randomUUID().replaceAll('-', '')}_`;
  const half = marker.length >> 1;
  // The marker is printed in two halves, so a shell that echoes its command line does not fake it.
  const [a, b] = [marker.slice(0, half), marker.slice(half)];
  const command = `printf '%s%s%s%s%s' '${a}' '${b}' "$PATH" '${a}' '${b}'`;

  return new Promise((resolvePromise) => {
    let stdout = '';
    let settled = false;
    const finish = (value: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(value);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(shell, ['-ilc', command], {
        env: { ...env, DISABLE_AUTO_UPDATE: 'true', ZSH_TMUX_AUTOSTARTED: 'true', ZSH_TMUX_AUTOSTART: 'false' },
        stdio: ['ignore', 'pipe', 'ignore'],
        // Its own session: no controlling terminal to stop on, and one group to end on timeout.
        detached: true,
      });
    } catch {
      finish(null);
      return;
    }
    const killGroup = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(null);
    }, timeoutMs);
    /** The PATH between the markers; undefined while the second marker has not arrived. */
    const parse = (): string | null | undefined => {
      const start = stdout.indexOf(marker);
      const end = start < 0 ? -1 : stdout.indexOf(marker, start + marker.length);
      if (end < 0) return undefined;
      const path = stdout.slice(start + marker.length, end).trim();
      return path && !/[\r\n]/.test(path) ? path : null;
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.length > 1_000_000) stdout = stdout.slice(-100_000);
      // Done as soon as the PATH is out, even if something the rc files started keeps stdout open.
      const path = parse();
      if (path !== undefined) {
        child.stdout?.destroy();
        finish(path);
        // The shell has nothing more to give; whatever its rc files left running is not waited for.
        killGroup();
      }
    });
    child.on('error', () => finish(null));
    child.on('close', () => finish(parse() ?? null));
  });
}

function safeUserShell(): string | null {
  try {
    return userInfo().shell;
  } catch {
    return null;
  }
}

/** `existing` followed by the entries of `extra` it lacks (PATH strings, platform delimiter). */
export function mergePath(existing: string | undefined, extra: string): string {
  const entries: string[] = [];
  for (const entry of [...(existing ?? '').split(delimiter), ...extra.split(delimiter)]) {
    const normalized = entry.length > 1 && entry.endsWith(sep) ? entry.slice(0, -1) : entry;
    if (normalized && !entries.includes(normalized)) entries.push(normalized);
  }
  return entries.join(delimiter);
}

/**
 * Adds the login shell's PATH entries to `env.PATH` (existing entries first, no repeats), so
 * credential plugins are found when the app was started from a launcher. Returns the entries added.
 */
export async function adoptShellPath(env: NodeJS.ProcessEnv = process.env, options: { timeoutMs?: number } = {}): Promise<string[]> {
  const fromShell = await shellPath(env, options);
  if (!fromShell) return [];
  const before = new Set((env.PATH ?? '').split(delimiter).filter(Boolean));
  const merged = mergePath(env.PATH, fromShell);
  env.PATH = merged;
  return merged.split(delimiter).filter((entry) => !before.has(entry) && !before.has(entry + sep));
}
