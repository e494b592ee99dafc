// The desktop app end to end: the real Electron binary, the Vite builds Forge makes, the
// preload and the renderer. Electron's binary cannot be downloaded on every machine (design
// §8), so where there is none the test is skipped and says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findElectron } from '../../scripts/electron-binary.ts';
import { requestNames } from '../../shared/ipc.ts';

const root = resolve(import.meta.dirname, '../..');

const found = findElectron();
const binary = 'path' in found ? found.path : null;
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skipReason = !binary
  ? 'no Electron binary (node_modules/electron/path.txt or its dist/ executable is missing; run `node node_modules/electron/install.js` where the Electron download is reachable, or set ELECTRON_OVERRIDE_DIST_PATH)'
  : !hasDisplay
    ? 'no display for Electron (run the tests under xvfb-run)'
    : null;
if (skipReason) console.log(`skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('desktop app (Electron)', () => {
  let app: ElectronApplication | undefined;

  beforeAll(() => {
    // Forge's own production build: main and preload in .vite/build, the renderer in
    // .vite/renderer. Packaging comes after the build; if only packaging fails (it may need to
    // download Electron's zip), the built bundles are all this test launches anyway.
    const forge = join(root, 'node_modules/@electron-forge/cli/dist/electron-forge.js');
    const result = spawnSync(process.execPath, [forge, 'package'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    const built = ['.vite/build/main.cjs', '.vite/build/preload.cjs', '.vite/renderer/main_window/index.html'];
    const missing = built.filter((file) => !existsSync(join(root, file)));
    if (missing.length > 0) {
      throw new Error(`electron-forge package did not build ${missing.join(', ')}:\n${result.stdout}\n${result.stderr}`);
    }
  }, 660_000);

  afterAll(async () => {
    await app?.close();
  });

  test('opens one window that shows the graph, with no Node in the page', async () => {
    // Chromium refuses to run its sandbox as root; a CI container often is root.
    const chromiumArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    app = await _electron.launch({ executablePath: binary!, args: [...chromiumArgs, '.'], cwd: root, timeout: 60_000 });
    const page = await app.firstWindow();

    await page.waitForFunction(
      () => Number(document.querySelector('[data-element-count]')?.getAttribute('data-element-count')) > 0,
      undefined,
      { timeout: 30_000 },
    );
    const count = Number(await page.getAttribute('[data-element-count]', 'data-element-count'));
    expect(count).toBeGreaterThan(0);

    expect(await page.evaluate(() => Object.keys((window as unknown as { podpath: object }).podpath).sort())).toEqual(
      [...requestNames, 'on'].sort(),
    );
    // No Node in the page, and window.open opens nothing (about:blank: a web URL would open
    // the user's browser).
    expect(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual([
      'undefined',
      'undefined',
    ]);
    expect(await page.evaluate(() => window.open('about:blank') === null)).toBe(true);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });
});
