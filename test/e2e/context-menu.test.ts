// The graph's right-click menu end to end: `podpath serve --demo` in Debian's Chromium with the
// clipboard granted, driven by the mouse and the keyboard like a user.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { usePage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const pod = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
const podName = `${pod.namespace}/${pod.name}`;
const resultsDir = join(repoRoot, 'test-results');

type Point = { x: number; y: number };
const centreOf = (page: Page, id: string): Promise<Point | null> =>
  page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): Point | null } }).podpathView.renderedCenter(id), id);

/** Where `id` is drawn once the view has stopped moving (a fit or layout may still be animating
 * under load): the same point on two frames in a row. */
async function settledCentre(page: Page, id: string): Promise<Point | null> {
  let at: Point | null = null;
  await expect
    .poll(async () => {
      const before = await centreOf(page, id);
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      at = await centreOf(page, id);
      return before !== null && at !== null && before.x === at.x && before.y === at.y;
    })
    .toBe(true);
  return at;
}

async function rightClick(page: Page, id: string): Promise<Point> {
  const at = await settledCentre(page, id);
  expect(at, `${id} is drawn`).not.toBeNull();
  await page.mouse.click(at!.x, at!.y, { button: 'right' });
  return at!;
}

describe.skipIf(!hasChromium)('the graph’s context menu in Chromium', () => {
  let page: Page;
  let problems: string[] = [];
  usePage(['--demo'], (opened) => ({ page, problems } = opened), { permissions: ['clipboard-read', 'clipboard-write'] });

  const menu = () => page.getByTestId('context-menu');
  const items = () => menu().getByRole('menuitem');

  test('a right-click on a pod opens its menu at the pointer, with every action for a pod', async () => {
    const at = await rightClick(page, pod.id);
    await expect.poll(() => menu().count()).toBe(1);
    const labels = await items().evaluateAll((buttons) => buttons.map((b) => b.querySelector('.context-menu-label')?.textContent));
    expect(labels).toEqual(['Trace from here', 'Trace to here', 'Details', 'Copy name', 'Copy IP', 'Show only this namespace', 'Show only this node']);
    expect(await menu().getAttribute('role')).toBe('menu');
    const box = (await menu().boundingBox())!;
    expect(Math.abs(box.x - at.x)).toBeLessThan(2);
    expect(Math.abs(box.y - at.y)).toBeLessThan(2);
    // The first item has the focus, and the arrow keys move it.
    expect(await items().nth(0).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await items().nth(1).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await items().last().evaluate((el) => el === document.activeElement)).toBe(true);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'context-menu.png') });

    await page.keyboard.press('Escape');
    await expect.poll(() => menu().count()).toBe(0);
  });

  test('"Copy name" puts the pod’s namespace/name on the clipboard and closes the menu', async () => {
    await rightClick(page, pod.id);
    await menu().getByRole('menuitem', { name: /Copy name/ }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(podName);
    await expect.poll(() => menu().count()).toBe(0);
  });

  test('"Trace from here" opens the trace panel with the pod as its source', async () => {
    await rightClick(page, pod.id);
    await menu().getByRole('menuitem', { name: /Trace from here/ }).click();
    await expect.poll(() => menu().count()).toBe(0);
    await expect.poll(() => page.getByTestId('trace-from').inputValue()).toBe(podName);
  });

  test('a click elsewhere closes the menu; "Details" selects the element', async () => {
    await rightClick(page, pod.id);
    await expect.poll(() => menu().count()).toBe(1);
    await page.locator('.header .brand').click();
    await expect.poll(() => menu().count()).toBe(0);

    await rightClick(page, 'svc:shop/db');
    await menu().getByRole('menuitem', { name: /Details/ }).click();
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected')).toBe('svc:shop/db');
  });

  test('Shift+F10 opens the selected element’s menu; "Show only this node" narrows the graph to it', async () => {
    // Nowhere to type: the keys are the page's.
    await page.locator('.header .brand').click();
    await page.keyboard.press('Shift+F10');
    await expect.poll(() => menu().count()).toBe(1);
    expect(await items().first().textContent()).toContain('Trace from here');
    await page.keyboard.press('Escape');

    await rightClick(page, pod.id);
    await menu().getByRole('menuitem', { name: /Show only this node/ }).click();
    const other = Object.values(topology.pods).find((p) => p.host === 'node:demo-worker-2')!;
    await expect.poll(() => centreOf(page, other.id)).toBeNull();
    expect(await centreOf(page, pod.id)).not.toBeNull();
    expect(await page.getByTestId('filters-badge').textContent()).toBe('1');
    await page.getByTestId('filters').click();
    await page.getByTestId('filters-clear-nodes').click();
    await expect.poll(() => centreOf(page, other.id)).not.toBeNull();
    await page.keyboard.press('Escape');
  });

  test('the browser’s own menu is not shown on the canvas', async () => {
    const isPrevented = await page.evaluate(() => {
      const graph = document.querySelector('[data-testid="graph"]')!;
      const event = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
      return !graph.dispatchEvent(event);
    });
    expect(isPrevented).toBe(true);
  });

  test('no errors or CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
