/**
 * `npm start`: the desktop app under `electron-forge start`. Electron's binary is fetched by
 * the electron package's install script; where that never ran or could not reach the network,
 * this says so plainly and opens the same app in browser mode, instead of failing inside Forge.
 *
 * Arguments go to the app (`npm start -- --snapshot cluster.podpath.json`); with a `--` among
 * them, those before it go to Forge and those after it to the app, as Forge itself splits them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { electronDir, findElectron } from './electron-binary.ts';

const require = createRequire(import.meta.url);
const installTimeoutMs = 60_000;

/** Runs the electron package's own download once; returns a one-line reason if it failed. */
async function installElectron(): Promise<string | null> {
  console.log('Podpath: the Electron binary is not installed; trying to download it (up to 60 s)…');
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    encoding: 'utf8',
    timeout: installTimeoutMs,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return code === 'ETIMEDOUT' ? `the download did not finish within ${installTimeoutMs / 1000} s` : result.error.message;
  }
  if (result.status === 0) return null;
  const output = `${result.stdout}\n${result.stderr}`;
  // @electron/get reports a failed fetch as just "TypeError: fetch failed", dropping the cause.
  const diagnosis = /fetch failed/.test(output) ? await diagnoseDownloadHost() : null;
  return diagnosis ?? summarizeFailure(output) ?? `the installer exited with code ${result.status}`;
}

/** Looks up the download host itself, to name what stopped the download. */
async function diagnoseDownloadHost(): Promise<string | null> {
  const mirror = process.env.ELECTRON_MIRROR ?? process.env.npm_config_electron_mirror ?? process.env.electron_config_mirror;
  let host = 'github.com';
  try {
    if (mirror) host = new URL(mirror).hostname;
  } catch {
    return `ELECTRON_MIRROR is not a URL: ${mirror}`;
  }
  try {
    await lookup(host);
  } catch (error) {
    return `network unreachable (cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`;
  }
  try {
    await fetch(`https://${host}/`, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    return null;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `network unreachable (cannot connect to ${host}: ${cause?.code ?? cause?.message ?? (error as Error).message})`;
  }
}

/** Turns an installer's output (often a stack trace) into the one line a user needs. */
function summarizeFailure(output: string): string | null {
  const known: [RegExp, string][] = [
    [/ENOTFOUND|EAI_AGAIN|getaddrinfo/, 'network unreachable (DNS lookup failed)'],
    [/ENETUNREACH|EHOSTUNREACH/, 'network unreachable'],
    [/ECONNREFUSED/, 'network unreachable (connection refused)'],
    [/ETIMEDOUT|ESOCKETTIMEDOUT|TimeoutError/, 'network unreachable (connection timed out)'],
    [/ECONNRESET|socket hang up/, 'the connection was reset'],
    [/self[- ]signed certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_/, 'TLS certificate not trusted'],
    [/checksum|sha256/i, 'the download did not match its checksum'],
    [/Response code (\d{3})/, 'the server answered HTTP $1'],
    [/ENOSPC/, 'no space left on the device'],
    [/EACCES|EPERM/, 'permission denied writing node_modules/electron'],
  ];
  for (const [pattern, reason] of known) {
    const match = pattern.exec(output);
    if (match) return reason.replace('$1', match[1] ?? '');
  }
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at ') && !line.startsWith('Downloading'));
  const last = lines.at(-1);
  return last === undefined ? null : last.slice(0, 200);
}

function startForge(args: string[]): void {
  const cli = join(require.resolve('@electron-forge/cli/package.json'), '..', 'dist', 'electron-forge.js');
  const forgeArgs = args.includes('--') ? args : args.length > 0 ? ['--', ...args] : [];
  const child = spawn(process.execPath, [cli, 'start', ...forgeArgs], { stdio: 'inherit' });
  child.on('error', (error) => {
    console.error(`Podpath: could not run electron-forge: ${error.message}`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
  });
}

/**
 * The same renderer in the browser: the app's own arguments (`--snapshot FILE`, `--context NAME`)
 * go to `podpath serve`, which opens the default browser; without any, the bundled demo.
 */
function startBrowserMode(args: string[]): void {
  const appArgs = args.includes('--') ? args.slice(args.indexOf('--') + 1) : args;
  const opensSource = appArgs.some((a) => a === '--snapshot' || a === '--context' || a === '--kubeconfig' || a.startsWith('--snapshot=') || a.startsWith('--context='));
  const bin = join(import.meta.dirname, '..', 'bin', 'podpath.mjs');
  const child = spawn(process.execPath, [bin, 'serve', ...(opensSource ? appArgs : ['--demo', ...appArgs])], { stdio: 'inherit' });
  // Ctrl-C reaches both; this one waits for the server to end and reports how it ended.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (error) => {
    console.error(`Podpath: could not start browser mode: ${error.message}`);
    process.exitCode = 1;
  });
  // Ended by Ctrl-C is how browser mode ends: not a failure.
  child.on('exit', (code, signal) => {
    process.exitCode = signal === 'SIGINT' || signal === 'SIGTERM' || code === 130 ? 0 : (code ?? 0);
  });
}

async function main(): Promise<void> {
  if ('missing' in findElectron()) {
    const reason = await installElectron();
    const found = findElectron();
    if ('missing' in found) {
      console.error(
        [
          '',
          `Podpath cannot start the desktop app: the Electron binary is not installed and could not be downloaded: ${reason ?? found.missing}.`,
          'Opening the same app in your browser instead (browser mode, `podpath serve`); Ctrl-C ends it.',
          'To use the desktop app, give this machine access to the Electron download',
          '(or set ELECTRON_MIRROR / electron_config_cache) and run `npm start` again.',
          '',
        ].join('\n'),
      );
      startBrowserMode(process.argv.slice(2));
      return;
    }
  }
  startForge(process.argv.slice(2));
}

if (import.meta.main) await main();
