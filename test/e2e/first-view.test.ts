// The first ten seconds, end to end (`podpath serve --demo` in Debian's Chromium): the picture
// opens legible on its busiest node with the rest on a minimap; Service edges are drawn on
// demand rather than across every box; filters re-fit the view; the theme can be picked; a pod's
// NetworkPolicy neighbourhood is in its details.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { fitWholeGraph, openPage, type OpenPage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');
const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const pods = Object.values(topology.pods);
const backendService = 'svc:shop/backend';
const backendEndpoints = Object.values(topology.endpoints).filter((e) => e.service === backendService && e.pod);
const db0 = pods.find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
const hostIds = Object.keys(topology.hosts);

type Point = { x: number; y: number };
type Box = { x1: number; y1: number; x2: number; y2: number };
interface Hook {
  renderedCenter(id: string): Point | null;
  renderedBox(id: string): Box | null;
  viewport(): { zoom: number; pan: Point } | null;
  isShown(id: string): boolean;
}
const view = (page: Page) => ({
  viewport: () => page.evaluate(() => (window as unknown as { podpathView: Hook }).podpathView.viewport()),
  box: (id: string) => page.evaluate((id) => (window as unknown as { podpathView: Hook }).podpathView.renderedBox(id), id),
  centre: (id: string) => page.evaluate((id) => (window as unknown as { podpathView: Hook }).podpathView.renderedCenter(id), id),
  isShown: (id: string) => page.evaluate((id) => (window as unknown as { podpathView: Hook }).podpathView.isShown(id), id),
});

describe.skipIf(!hasChromium)('the first view in Chromium', () => {
  let opened: OpenPage;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    opened = await openPage(['--demo'], { isFirstView: true });
    page = opened.page;
  });
  afterAll(() => opened?.close());

  const canvasBox = async (): Promise<Box> => {
    const b = (await page.getByTestId('graph').boundingBox())!;
    return { x1: b.x, y1: b.y, x2: b.x + b.width, y2: b.y + b.height };
  };

  test('it opens on the busiest node at a zoom where the smallest label (10 px) is at least 10 px on screen', async () => {
    const zoom = (await view(page).viewport())!.zoom;
    expect(zoom * 10).toBeGreaterThanOrEqual(10);
    // The busiest node is the largest box; it is in view, centred across, its top showing.
    const boxes = await Promise.all(hostIds.map((id) => view(page).box(id)));
    const areas = boxes.map((b) => (b ? (b.x2 - b.x1) * (b.y2 - b.y1) : 0));
    const busiest = boxes[areas.indexOf(Math.max(...areas))]!;
    const canvas = await canvasBox();
    expect(Math.abs((busiest.x1 + busiest.x2) / 2 - (canvas.x1 + canvas.x2) / 2)).toBeLessThan(2);
    expect(busiest.y1).toBeGreaterThan(canvas.y1);
    expect(busiest.y1).toBeLessThan(canvas.y1 + 200);
    await page.screenshot({ path: join(resultsDir, 'first-view.png') });
  });

  test('the minimap shows the rest: a click on it moves the view there; with everything in view it goes', async () => {
    const minimap = page.getByTestId('minimap');
    await expect.poll(() => minimap.isVisible()).toBe(true);
    const before = (await view(page).viewport())!.pan;
    const box = (await minimap.boundingBox())!;
    await page.mouse.click(box.x + 6, box.y + box.height / 2);
    const after = (await view(page).viewport())!.pan;
    // The left edge of the drawing came to the middle: the view moved right across the model.
    expect(after.x).toBeGreaterThan(before.x);
    await fitWholeGraph(page);
    await expect.poll(() => minimap.isVisible()).toBe(false);
  });

  test('a Service’s endpoint edges are drawn on demand: hovered, selected, or all when asked', async () => {
    await fitWholeGraph(page);
    expect(backendEndpoints.length).toBeGreaterThan(0);
    const endpoint = backendEndpoints[0]!.id;
    expect(await view(page).isShown(endpoint)).toBe(false);
    const centre = (await view(page).centre(backendService))!;
    await page.mouse.move(centre.x, centre.y);
    await expect.poll(() => view(page).isShown(endpoint)).toBe(true);
    await page.screenshot({ path: join(resultsDir, 'first-view-hover-service.png') });
    await page.mouse.move(5, 5);
    await expect.poll(() => view(page).isShown(endpoint)).toBe(false);
    // The legend starts closed, a button in the corner; open, it explains every look, this one too.
    const legend = page.getByTestId('legend');
    expect(await legend.getAttribute('open')).toBeNull();
    await legend.locator('summary').click();
    for (const item of ['pod not ready', 'Pending pod', 'isolated by NetworkPolicy', 'fold', 'Unscheduled', 'traced path', 'denied or dropped here', 'inferred, not observed', 'endpoint, ready']) {
      expect(await legend.textContent(), item).toContain(item);
    }
    await page.getByTestId('show-all-endpoints').check();
    await expect.poll(() => view(page).isShown(endpoint)).toBe(true);
    await page.getByTestId('show-all-endpoints').uncheck();
    await expect.poll(() => view(page).isShown(endpoint)).toBe(false);
    await legend.locator('summary').click();
  });

  test('a filter re-fits the view to what remains', async () => {
    const shop = pods.filter((p) => p.namespace === 'shop' && p.host);
    await page.getByTestId('filters').click();
    await page.getByTestId('filters-ns-none').click();
    await page.locator('[data-namespace="shop"]').check();
    await page.keyboard.press('Escape');
    const canvas = await canvasBox();
    for (const pod of shop) {
      const b = await view(page).box(pod.id);
      expect(b, pod.name).not.toBeNull();
      expect(b!.x1 >= canvas.x1 && b!.x2 <= canvas.x2 && b!.y1 >= canvas.y1 && b!.y2 <= canvas.y2, pod.name).toBe(true);
    }
    await page.getByTestId('filters').click();
    await page.getByTestId('filters-reset').click();
    await page.keyboard.press('Escape');
  });

  test('the theme switch turns the page and the canvas dark, and back to the OS’s', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.getByTestId('theme-switch').selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(background).not.toBe(light);
    await page.screenshot({ path: join(resultsDir, 'first-view-dark.png') });
    await page.getByTestId('theme-switch').selectOption('os');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    await expect.poll(background).toBe(light);
  });

  test('“can frontend reach db on 5432?” in three actions: a search, its row’s Trace from, the destination', async () => {
    const frontend = pods.find((p) => p.namespace === 'shop' && p.name.startsWith('frontend-') && p.isReady)!;
    await page.getByTestId('search').fill(frontend.name);
    const row = page.locator('.search-result', { hasText: frontend.name });
    await row.hover();
    await row.getByTestId('search-trace-from').click();
    await page.getByTestId('trace-to').fill('svc/shop/db');
    expect(await page.getByTestId('trace-from').inputValue()).toBe(`shop/${frontend.name}`);
    await expect.poll(() => page.getByTestId('trace-result').getAttribute('data-verdict')).toBe('policy-denied');
    // The deciding object in a line per direction, and the fix one click away; the sidebar is the trace's.
    expect(await page.getByTestId('trace-policy-text').allTextContents()).toEqual([expect.stringMatching(/^frontend egress: /), expect.stringMatching(/^db-\d ingress: /)]);
    expect(await page.getByTestId('trace-try-fix').count()).toBe(1);
    expect(await page.getByTestId('details').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Close the trace' }).click();
  });

  test('a Service’s search row starts a trace to it (a Service never sends), and the source is what is left to type', async () => {
    const frontend = pods.find((p) => p.namespace === 'shop' && p.name.startsWith('frontend-') && p.isReady)!;
    await page.getByTestId('search').fill('svc/shop/backend');
    const row = page.locator('.search-result').filter({ has: page.getByTestId('search-trace-to') }).first();
    await row.hover();
    expect(await row.getByTestId('search-trace-from').count()).toBe(0);
    await page.screenshot({ path: join(resultsDir, 'search-trace-to.png') });
    await row.getByTestId('search-trace-to').click();
    expect(await page.getByTestId('trace-to').inputValue()).toBe('svc/shop/backend');
    expect(await page.getByTestId('trace-from').inputValue()).toBe('');
    await page.getByTestId('trace-from').fill(`shop/${frontend.name}`);
    await expect.poll(() => page.getByTestId('trace-result').getAttribute('data-verdict')).toBe('delivered');
    await page.getByRole('button', { name: 'Close the trace' }).click();
  });

  test('a pod’s details say who may reach it under NetworkPolicy', async () => {
    await page.getByTestId('search').fill('shop/db-0');
    await expect.poll(() => page.getByTestId('search-results').textContent()).toMatch(/db-0/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected')).toBe(db0.id);
    await page.getByTestId('policy-neighbourhood').locator('summary').click();
    const from = page.getByTestId('reach-from');
    await expect.poll(() => from.textContent()).toMatch(/backend-/);
    expect(await from.textContent()).not.toMatch(/frontend-/);
    expect(await from.textContent()).toMatch(/5432\/TCP/);
    // And on the graph: the pod and those peers marked, the rest dimmed.
    await page.getByTestId('reach-from-mark').click();
    const marked = await page.evaluate(() => (window as unknown as { podpathView: { markedIds(): string[] } }).podpathView.markedIds());
    expect(marked).toContain(db0.id);
    const backends = pods.filter((p) => p.namespace === 'shop' && p.name.startsWith('backend-')).map((p) => p.id);
    expect(marked.filter((id) => backends.includes(id)).sort()).toEqual([...backends].sort());
    expect(marked.some((id) => pods.find((p) => p.id === id)?.name.startsWith('frontend-'))).toBe(false);
    // Choosing another element ends them.
    await page.keyboard.press('Escape');
    await page.getByTestId('search').fill('');
    await page.evaluate(() => document.querySelector<HTMLButtonElement>('[data-testid="details"] .link')?.click());
    await expect.poll(() => page.evaluate(() => (window as unknown as { podpathView: { markedIds(): string[] } }).podpathView.markedIds().length)).toBe(0);
  });
});
