/**
 * Where browser mode's renderer is built: dist/renderer, or PODPATH_RENDERER_DIR (an absolute
 * path) so that two checkouts' worth of work in one tree (a developer's and a helper's test runs)
 * can each build and serve their own without emptying the other's.
 */
import { isAbsolute, join } from 'node:path';

export function builtRendererDir(repoRoot: string): string {
  const chosen = process.env.PODPATH_RENDERER_DIR;
  return chosen && isAbsolute(chosen) ? chosen : join(repoRoot, 'dist', 'renderer');
}
