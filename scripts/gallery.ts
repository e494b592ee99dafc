/**
 * `npm run gallery`: the pictures in docs/gallery/, taken from the real app (`podpath serve` in
 * Debian's Chromium) as a newcomer would see them: the demo's first view, a delivered trace, a
 * denial and its fix, the by-namespace view, dark mode, and a generated 10,000-pod cluster's first
 * view and an opened fold. Regenerate after any change to what the canvas or the panels show,
 * and look at every picture before committing it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseSnapshot, serializeSnapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { generateCluster } from '../test/fixtures/generate.ts';
import { launchChromium, repoRoot, startServe } from '../test/e2e/serve.ts';
import { foldIdsOf } from '../renderer/graph/detail.ts';
import { ensureSystemDeps, chromiumPath } from './system-deps.ts';

const outDir = join(repoRoot, 'docs', 'gallery');
const viewport = { width: 1600, height: 1000 };

interface Shot {
  file: string;
  caption: string;
}

const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const demoPods = Object.values(derive(demo.objects, demo.source).pods);
// A ready frontend of the current ReplicaSet (the demo's other one is terminating).
const frontend = demoPods.find((p) => p.namespace === 'shop' && p.name === 'frontend-855456765f-rx8bk')!;

async function open(browser: Browser, url: string, theme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ viewport, colorScheme: theme });
  await page.goto(url);
  await page.waitForSelector('[data-testid="graph"][data-element-count]');
  // The level of detail settles once the view rests (adapter.ts).
  await page.waitForTimeout(600);
  return page;
}

async function trace(page: Page, from: string, to: string, port?: number): Promise<void> {
  await page.keyboard.press('t');
  await page.getByTestId('trace-from').fill(from);
  await page.getByTestId('trace-to').fill(to);
  if (port !== undefined) await page.getByTestId('trace-port').fill(String(port));
  await page.getByTestId('trace-result').waitFor();
  await page.waitForTimeout(600);
}

async function main(): Promise<void> {
  ensureSystemDeps((line) => console.error(line));
  mkdirSync(outDir, { recursive: true });
  const shots: Shot[] = [];
  const shoot = async (page: Page, file: string, caption: string) => {
    await page.screenshot({ path: join(outDir, file) });
    shots.push({ file, caption });
    console.log(`  ${file}`);
  };
  const work = mkdtempSync(join(tmpdir(), 'podpath-gallery-'));
  const browser = await launchChromium(chromiumPath);
  const demoServer = await startServe(['--demo']);
  try {
    let page = await open(browser, demoServer.url);
    await shoot(page, '01-first-view.png', 'The demo cluster as it opens: its busiest node at a legible size, the rest on the minimap.');
    await page.close();

    page = await open(browser, demoServer.url);
    await trace(page, `shop/${frontend.name}`, 'svc/shop/backend');
    await shoot(page, '02-trace-delivered.png', 'A delivered trace, frontend → the backend Service: numbered hops in order on the graph and in the list.');
    await page.close();

    page = await open(browser, demoServer.url);
    await trace(page, `shop/${frontend.name}`, 'shop/db-0', 5432);
    await shoot(page, '03-trace-denied.png', 'A denial, frontend → db-0:5432: the ✕ where the policy drops it, and the reason in two lines.');
    await page.getByTestId('trace-try-fix').click();
    await page.waitForTimeout(600);
    await shoot(page, '04-trace-fixed.png', '“Try a fix”: the smallest NetworkPolicy change that allows it, tried as a what-if, its verdict shown.');
    await page.close();

    page = await open(browser, demoServer.url);
    await page.getByRole('button', { name: 'By namespace' }).click();
    await page.waitForTimeout(600);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.waitForTimeout(400);
    await shoot(page, '05-by-namespace.png', 'The same cluster by namespace, fitted: every namespace a box, Services beside their pods.');
    // Back to the default for the next pages (the grouping is remembered per browser).
    await page.getByRole('button', { name: 'By node' }).click();
    await page.close();

    page = await open(browser, demoServer.url, 'dark');
    await shoot(page, '06-dark.png', 'Dark mode (the OS’s, or picked in the header).');
    await page.close();
  } finally {
    await demoServer.stop();
  }

  const file = join(work, 'cluster-10k.podpath.json');
  const objects = generateCluster(10_000);
  writeFileSync(file, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'generated-10k', server: null, kubernetesVersion: null, capturedAt: new Date().toISOString() }, objects }));
  const bigServer = await startServe(['--snapshot', file]);
  try {
    const page = await open(browser, bigServer.url);
    await page.waitForSelector('[data-testid="graph"]:not([data-laying-out])', { timeout: 120_000 });
    await page.waitForTimeout(1000);
    await shoot(page, '07-10k-first-view.png', 'A generated 10,000-pod cluster as it opens.');
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.waitForTimeout(1000);
    await shoot(page, '08-10k-folds.png', 'The whole 10,000-pod cluster: nodes folded into boxes that say their pods’ health.');
    // The first node's fold, wherever the level of detail drew it.
    const firstNode = `node:${objects.nodes[0]!.metadata.name}`;
    let at: { x: number; y: number } | null = null;
    for (const id of foldIdsOf(firstNode)) {
      at ??= await page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView.renderedCenter(id), id);
    }
    if (at) {
      await page.mouse.click(at.x, at.y);
      await page.waitForTimeout(1000);
      await shoot(page, '09-10k-fold-opened.png', 'A fold clicked: it opens and the view zooms to where its pods read.');
    }
    await page.close();
  } finally {
    await bigServer.stop();
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }

  const index = ['# Gallery', '', 'Regenerated by `npm run gallery` (scripts/gallery.ts) from the real app in Chromium at 1600×1000.', ''];
  for (const shot of shots) index.push(`## ${shot.caption}`, '', `![${shot.caption}](${shot.file})`, '');
  writeFileSync(join(outDir, 'README.md'), index.join('\n'));
  console.log(`Wrote ${shots.length} pictures to ${outDir}`);
}

await main();
