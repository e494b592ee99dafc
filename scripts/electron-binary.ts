/**
 * The installed Electron executable, found as node_modules/electron/index.js finds it (path.txt,
 * or ELECTRON_OVERRIDE_DIST_PATH), for `npm start` (scripts/start.ts) and the desktop smoke test.
 * Plain Node: requiring the electron package itself would throw where the binary is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const electronDir = join(import.meta.dirname, '..', 'node_modules', 'electron');

/** The Electron executable if it is installed, else why not. */
export function findElectron(): { path: string } | { missing: string } {
  const pathFile = join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const executable = join(override, relative ?? (process.platform === 'win32' ? 'electron.exe' : 'electron'));
    return existsSync(executable) ? { path: executable } : { missing: `${executable} (ELECTRON_OVERRIDE_DIST_PATH) does not exist` };
  }
  if (relative === null) return { missing: 'node_modules/electron/path.txt does not exist' };
  const executable = join(electronDir, 'dist', relative);
  return existsSync(executable) ? { path: executable } : { missing: `${executable} does not exist` };
}
