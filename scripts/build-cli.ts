/**
 * Builds the `podpath` command (electron/cli/main.ts, every command, browser mode's server) into
 * plain JavaScript in dist/cli/, so that a start type-strips nothing: run by `npm install`
 * (`prepare`) and by `npm test` before the tests. Vite's SSR build (Rolldown): one ES module for
 * the entry, podpath.mjs, and a chunk per lazily imported command, so a command loads only its
 * own code. Packages in node_modules stay external, loaded by Node as they are, and only on the
 * commands that import them.
 *
 * dist/cli/inputs.json records every source file the bundle was built from, with its size and
 * modification time: bin/podpath.mjs runs the bundle only while they all still match, and the
 * sources otherwise (bin/cli-bundle.mjs).
 */
import { statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { build, type Plugin } from 'vite';

const repoRoot = join(import.meta.dirname, '..');
const outDir = join(repoRoot, 'dist', 'cli');

export interface CliInputs {
  /** Each source as [path from the repository root, '/'-separated; size in bytes; mtimeMs]. */
  inputs: [string, number, number][];
}

/**
 * Packages bundled rather than left to Node: pure JavaScript, without files of their own to find
 * at run time, and loaded by every offline command, where resolving and reading their ~170
 * modules one by one costs more than the rest of start-up (zod alone is 94 files). The rest
 * (@kubernetes/client-node, undici, ws, playwright-core, …) stay external, loaded only by the
 * commands that import them.
 */
const bundledPackages = ['commander', 'yaml', 'zod'];

const toPosix = (path: string) => path.split(sep).join('/');

/** `…/node_modules/zod/v4/core/api.js` → `…/node_modules/zod/package.json` (scoped names too). */
function packageJsonOf(path: string): string {
  const parts = path.split(sep);
  const at = parts.lastIndexOf('node_modules');
  const name = parts[at + 1]?.startsWith('@') ? 2 : 1;
  return [...parts.slice(0, at + 1 + name), 'package.json'].join(sep);
}

/**
 * Notes each source file's size and time as it is loaded, before its text is read: a file saved
 * while the build runs then differs from what was recorded, and the bundle counts as stale. For
 * a bundled package, its package.json stands for its files (a reinstall rewrites it).
 */
function recordInputs(seen: Map<string, [number, number]>): Plugin {
  return {
    name: 'podpath:record-inputs',
    enforce: 'pre',
    load(id) {
      const file = id.split('?')[0] ?? id;
      if (!isAbsolute(file) || !file.startsWith(repoRoot)) return null;
      const path = file.includes(`${sep}node_modules${sep}`) ? packageJsonOf(file) : file;
      const key = toPosix(relative(repoRoot, path));
      if (!seen.has(key)) {
        const stat = statSync(path);
        seen.set(key, [stat.size, stat.mtimeMs]);
      }
      return null;
    },
  };
}

export async function buildCli(options: { log?: boolean } = {}): Promise<string> {
  // Gone first: until the new one is written whole, bin/podpath.mjs runs the sources.
  await rm(join(outDir, 'inputs.json'), { force: true });
  const seen = new Map<string, [number, number]>();
  // The build's own recipe is an input too: a change to it changes the bundle.
  const self = statSync(import.meta.filename);
  seen.set(toPosix(relative(repoRoot, import.meta.filename)), [self.size, self.mtimeMs]);
  const result = await build({
    configFile: false,
    root: repoRoot,
    logLevel: options.log === false ? 'silent' : 'warn',
    publicDir: false,
    plugins: [recordInputs(seen)],
    // Node's own resolution for packages, as when the sources run: external, left to Node.
    ssr: { target: 'node', noExternal: bundledPackages },
    build: {
      ssr: join(repoRoot, 'electron', 'cli', 'main.ts'),
      outDir,
      // Emptied afterwards instead, of what this build did not write: a command already running
      // the last build still finds the chunks it imports later (unchanged ones keep their names).
      emptyOutDir: false,
      target: 'node24',
      minify: false,
      sourcemap: true,
      reportCompressedSize: false,
      copyPublicDir: false,
      rolldownOptions: {
        output: {
          format: 'es',
          // Flat, two levels below the root like the sources: files that find the repository
          // from import.meta.url (electron/backend/assets.ts, electron/serve/renderer-build.ts)
          // resolve the same from here.
          entryFileNames: 'podpath.mjs',
          chunkFileNames: '[name]-[hash].mjs',
          // ASCII only — non-ASCII in strings escaped, doc comments (the sources' are full of
          // "→" and "—") left out; the source maps keep both — so that Node reads each chunk as
          // one-byte text: a chunk with one non-ASCII character is decoded as UTF-8 into a string
          // twice the size, every start (issue 14).
          charset: 'ascii',
          comments: { legal: true, annotation: false, jsdoc: false },
        },
      },
    },
  });
  const inputs: CliInputs = { inputs: [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([path, [size, mtimeMs]]) => [path, size, mtimeMs]) };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'inputs.json'), `${JSON.stringify(inputs)}\n`);
  const written = new Set(['inputs.json']);
  for (const output of [result].flat()) {
    if (!('output' in output)) continue;
    for (const file of output.output) written.add(file.fileName).add(`${file.fileName}.map`);
  }
  for (const name of await readdir(outDir)) if (!written.has(name)) await rm(join(outDir, name), { force: true, recursive: true });
  return join(outDir, 'podpath.mjs');
}

if (import.meta.main) {
  const start = performance.now();
  const entry = await buildCli();
  console.log(`Built ${relative(repoRoot, entry)} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
