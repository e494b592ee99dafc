// Opening and exporting snapshots in the browser, end to end: `podpath serve --demo` driven in
// Debian's Chromium. A file is opened through the header's file input, refused when corrupt,
// dropped on the window, and the picture exported as a download that opens again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { repoRoot, startServe, type RunningServe, launchChromium } from './serve.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const demoText = readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8');

/** The demo as another cluster: its own context, one pod fewer, and `padding` bytes of
 * description (to send more than one WebSocket frame's worth of text). */
function otherCluster(context: string, padding = 0): string {
  const snapshot = JSON.parse(demoText) as { source: Record<string, unknown>; objects: { pods: unknown[] } };
  snapshot.source.context = context;
  if (padding > 0) snapshot.source.description = 'x'.repeat(padding);
  snapshot.objects.pods = snapshot.objects.pods.slice(1);
  return JSON.stringify(snapshot);
}

const podCount = (page: Page) => page.getByTestId('counts').textContent().then((text) => Number(/(\d+) pods/.exec(text ?? '')?.[1]));

describe.skipIf(!hasChromium)('snapshots in the browser (Chromium)', () => {
  let server: RunningServe;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServe(['--demo']);
    browser = await launchChromium(chromiumPath);
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(server.url);
    await page.getByTestId('source').filter({ hasText: 'Demo cluster' }).waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('"Open snapshot…" opens the chosen file, and the header names it', async () => {
    const demoPods = await podCount(page);
    await page.getByTestId('open-snapshot-input').setInputFiles({ name: 'staging.podpath.json', mimeType: 'application/json', buffer: Buffer.from(otherCluster('staging')) });
    const source = page.getByTestId('source');
    await expect.poll(() => source.textContent(), { timeout: 15_000 }).toContain('staging.podpath.json');
    expect(await source.textContent()).toMatch(/^snapshot/);
    expect(await podCount(page)).toBe(demoPods - 1);
  });

  test('a corrupt file is refused with the problem named, and the picture stays', async () => {
    await page.getByTestId('open-snapshot-input').setInputFiles({ name: 'broken.podpath.json', mimeType: 'application/json', buffer: Buffer.from(demoText.slice(0, 400)) });
    const failed = page.getByTestId('open-failed');
    await expect.poll(() => failed.textContent(), { timeout: 15_000 }).toContain('Could not open broken.podpath.json');
    expect(await failed.textContent()).toMatch(/broken\.podpath\.json is not valid JSON/);
    expect(await page.getByTestId('source').textContent()).toContain('staging.podpath.json');
    await failed.getByRole('button', { name: 'Dismiss' }).click();
  });

  test('a file dropped on the window opens, with an overlay while it is dragged', async () => {
    // Over a megabyte, so it takes more than browser mode's old WebSocket frame limit.
    const text = otherCluster('dropped', 1_500_000);
    const dataTransfer = await page.evaluateHandle((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], 'dropped.podpath.json', { type: 'application/json' }));
      return transfer;
    }, text);
    await page.dispatchEvent('main', 'dragenter', { dataTransfer });
    await expect.poll(() => page.getByTestId('drop-overlay').isVisible()).toBe(true);
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    await expect.poll(() => page.getByTestId('drop-overlay').count()).toBe(0);
    await expect.poll(() => page.getByTestId('source').textContent(), { timeout: 15_000 }).toContain('dropped.podpath.json');
  });

  test('"Export snapshot" downloads the picture as a gzipped snapshot that opens again (issue 14)', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.getByTestId('export-snapshot').click()]);
    expect(download.suggestedFilename()).toBe('dropped.podpath.json.gz');
    const bytes = readFileSync(await download.path());
    const snapshot = parseSnapshot(gunzipSync(bytes).toString('utf8'), 'dropped.podpath.json.gz');
    expect(snapshot.source.context).toBe('dropped');
    expect(snapshot.objects.pods).toHaveLength(JSON.parse(demoText).objects.pods.length - 1);
    // Reopened in the page: unpacked there, whatever the name.
    await page.getByTestId('open-snapshot-input').setInputFiles({ name: 'reopened.podpath.json', mimeType: 'application/gzip', buffer: bytes });
    await expect.poll(() => page.getByTestId('source').textContent(), { timeout: 15_000 }).toContain('reopened.podpath.json');
  });

  test('no errors or CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
