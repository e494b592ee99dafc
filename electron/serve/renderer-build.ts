/**
 * Where plain-Node entry points (browser mode, image export) find the built renderer, building it
 * first when this is a source checkout and the build is missing or older than its sources.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtRendererDir } from './renderer-dir.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const rendererDir = builtRendererDir(repoRoot);

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

export async function isRendererStale(): Promise<boolean> {
  const index = join(rendererDir, 'index.html');
  if (!existsSync(index)) return true;
  if (!existsSync(join(repoRoot, 'renderer'))) return false;
  const built = (await stat(index)).mtimeMs;
  const sources = Math.max(await newestMtime(join(repoRoot, 'renderer')), await newestMtime(join(repoRoot, 'shared')));
  return sources > built;
}

/** Returns the renderer's folder, building it once if needed. */
export async function ensureRenderer(log: (line: string) => void): Promise<string> {
  if (!(await isRendererStale())) return rendererDir;
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    if (existsSync(join(rendererDir, 'index.html'))) return rendererDir;
    throw new Error(`The renderer is not built (${rendererDir} is missing) and Vite is not installed to build it: run \`npm install\` in ${repoRoot}.`);
  }
  log('Building the renderer…');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`Building the renderer failed:\n${Buffer.concat(output).toString().trim()}`);
  return rendererDir;
}
