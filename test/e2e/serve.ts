/** Starts the real `podpath serve` command as a child process, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { headlessChromiumArgs } from '../../electron/cli/export-image.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningServe {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function startServe(args: string[], timeoutMs = 180_000): Promise<RunningServe> {
  const child = spawn(process.execPath, ['bin/podpath.mjs', 'serve', '--no-open', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`podpath serve printed no address within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^Podpath is serving at (http:\/\/\S+)$/m.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          process: child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`podpath serve exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Debian's Chromium, headless, as root, without the background services that reach for the
 * network (this machine has none beyond package registries).
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [...headlessChromiumArgs],
  });
}
