// Which code `podpath` runs: the build in dist/cli/ (scripts/build-cli.ts) while it is current,
// else the TypeScript sources, type-stripped by Node as they are. Plain JavaScript, so that
// deciding costs no type stripping: one small JSON file and a stat per input (~170; 2–5 ms here).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bundle's entry when every source it was built from still has the size and modification
 * time recorded at build time (dist/cli/inputs.json); null when one differs or is gone, or there
 * is no complete build. A changed file that the bundle never imported cannot change what it
 * does; a new import changes the file that imports it. Without the sources (an installed
 * package that ships only the build) the bundle is all there is.
 */
export function currentBundle(root) {
  const dir = join(root, 'dist', 'cli');
  let inputs;
  try {
    // Written last by the build: a build that failed or is under way has none.
    ({ inputs } = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')));
  } catch {
    return null;
  }
  const entry = join(dir, 'podpath.mjs');
  for (const [path, size, mtimeMs] of inputs) {
    const stat = statSync(`${root}/${path}`, { throwIfNoEntry: false });
    if (stat?.size !== size || stat.mtimeMs !== mtimeMs) return existsSync(join(root, 'electron', 'cli', 'main.ts')) ? null : entry;
  }
  return entry;
}
