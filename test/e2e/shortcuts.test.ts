// Keyboard shortcuts end to end: `podpath serve --demo` in Debian's Chromium, driven by
// Playwright with the keyboard like a user.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { openPage, type OpenPage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const resultsDir = join(repoRoot, 'test-results');

/** How far a pod is drawn from the middle of the canvas, in CSS pixels. */
async function distanceFromCentre(page: Page, id: string): Promise<number> {
  return page.evaluate((podId) => {
    const view = (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView;
    const graph = document.querySelector('[data-testid="graph"]')!.getBoundingClientRect();
    const centre = view.renderedCenter(podId);
    if (!centre) throw new Error(`${podId} is not drawn`);
    return Math.hypot(centre.x - (graph.left + graph.width / 2), centre.y - (graph.top + graph.height / 2));
  }, id);
}

/** Nothing focused: keys go to the page, as after a click on the canvas. */
async function blur(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

describe.skipIf(!hasChromium)('keyboard shortcuts in Chromium', () => {
  let opened: OpenPage;
  let page: Page;
  let problems: string[] = [];
  // The pod drawn farthest from the middle once fitted, so that zooming moves it the most.
  let pod = '';

  beforeAll(async () => {
    opened = await openPage(['--demo']);
    page = opened.page;
    problems = opened.problems;
    let farthest = -1;
    for (const id of Object.keys(topology.pods)) {
      const distance = await distanceFromCentre(page, id).catch(() => -1);
      if (distance > farthest) [farthest, pod] = [distance, id];
    }
  });

  afterAll(() => opened?.close());

  test('`?` opens the help overlay listing the shortcuts; Escape closes it', async () => {
    const help = page.getByTestId('help');
    await blur(page);
    await page.keyboard.press('?');
    await expect.poll(() => help.count()).toBe(1);
    expect(await help.getAttribute('role')).toBe('dialog');
    expect(await help.getAttribute('aria-modal')).toBe('true');
    const text = (await help.textContent()) ?? '';
    for (const words of ['Fit', 'Zoom in', 'Zoom out', 'Search', 'Filters', 'Export a snapshot', 'Shift+F']) expect(text).toContain(words);
    // The focus is inside, and Tab keeps it there.
    expect(await help.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Tab');
    expect(await help.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'shortcuts-help.png') });

    // Keys behind the modal do nothing while it is open.
    await page.keyboard.press('/');
    expect(await page.getByTestId('search').evaluate((el) => el === document.activeElement)).toBe(false);

    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
  });

  test('the header\'s "?" button opens it too, and the focus comes back to the button', async () => {
    const button = page.getByTestId('help-button');
    await button.click();
    await expect.poll(() => page.getByTestId('help').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('help').count()).toBe(0);
    expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  test('`+` zooms in about the middle, `-` out, and `f` fits back', async () => {
    expect(pod).not.toBe('');
    await blur(page);
    await page.keyboard.press('f');
    const fitted = await distanceFromCentre(page, pod);
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const zoomed = await distanceFromCentre(page, pod);
    expect(zoomed).toBeGreaterThan(fitted * 1.3);
    await page.keyboard.press('-');
    const zoomedOut = await distanceFromCentre(page, pod);
    expect(zoomedOut).toBeLessThan(zoomed);
    expect(zoomedOut).toBeGreaterThan(fitted);
    await page.keyboard.press('f');
    expect(Math.abs((await distanceFromCentre(page, pod)) - fitted)).toBeLessThan(2);
  });

  test('typing `f` in the search box types it and does not fit', async () => {
    await blur(page);
    await page.keyboard.press('f');
    const fitted = await distanceFromCentre(page, pod);
    await page.keyboard.press('=');
    const zoomed = await distanceFromCentre(page, pod);
    expect(zoomed).toBeGreaterThan(fitted);

    await page.keyboard.press('/');
    const box = page.getByTestId('search');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('f');
    expect(await box.inputValue()).toBe('f');
    expect(Math.abs((await distanceFromCentre(page, pod)) - zoomed)).toBeLessThan(1);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await box.fill('');
  });

  test('`Shift+F` opens the filters with the focus inside; Escape closes them', async () => {
    await blur(page);
    await page.keyboard.press('Shift+F');
    const panel = page.getByTestId('filters-panel');
    await expect.poll(() => panel.count()).toBe(1);
    await expect.poll(() => panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
  });

  test('`c` opens the context picker', async () => {
    await blur(page);
    await page.keyboard.press('c');
    const picker = page.getByTestId('context-picker');
    await expect.poll(() => picker.count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => picker.count()).toBe(0);
  });

  test('no errors or CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
