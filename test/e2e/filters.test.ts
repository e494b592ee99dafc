// The filter panel end to end: `podpath serve --demo` in Debian's Chromium, driven by Playwright.
// Filters change the drawing in place: what they hide disappears, what stays does not move in
// the drawing (the view re-fits to what remains).
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
const pods = Object.values(topology.pods);
const systemPod = pods.find((p) => p.namespace === 'kube-system' && !p.isHostNetwork)!;
const hostNetworkSystemPod = pods.find((p) => p.namespace === 'kube-system' && p.isHostNetwork)!;
const flannelPod = pods.find((p) => p.namespace === 'kube-flannel')!;
const visiblePod = pods.find((p) => p.namespace === 'shop' && p.name.startsWith('backend-'))!;
const ledgerPods = pods.filter((p) => p.namespace === 'payments' && p.name.startsWith('ledger-'));
const readyFrontend = pods.find((p) => p.namespace === 'shop' && p.name.startsWith('frontend-') && p.isReady && p.phase === 'Running')!;
const resultsDir = join(repoRoot, 'test-results');

type Point = { x: number; y: number };

describe.skipIf(!hasChromium)('filters in Chromium', () => {
  let opened: OpenPage;
  let page: Page;
  let problems: string[] = [];

  const centreOf = (id: string): Promise<Point | null> =>
    page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): Point | null } }).podpathView.renderedCenter(id), id);
  // Where a node is in the drawing: a filter re-fits the view, but nothing drawn moves in it.
  const positionOf = (id: string): Promise<Point | null> =>
    page.evaluate((id) => (window as unknown as { podpathView: { modelPosition(id: string): Point | null } }).podpathView.modelPosition(id), id);
  const elementCount = async (): Promise<number> => Number(await page.getByTestId('graph').getAttribute('data-element-count'));

  beforeAll(async () => {
    opened = await openPage(['--demo']);
    page = opened.page;
    problems = opened.problems;
  });

  afterAll(() => opened?.close());

  test('the demo holds what the test needs', () => {
    expect(systemPod).toBeDefined();
    expect(hostNetworkSystemPod).toBeDefined();
    expect(visiblePod).toBeDefined();
    expect(ledgerPods.length).toBe(2);
    expect(ledgerPods.every((p) => !p.isReady)).toBe(true);
    expect(readyFrontend).toBeDefined();
  });

  test('hide system namespaces: kube-system pods leave the drawing, everything else stays where it was', async () => {
    const total = await elementCount();
    expect(await centreOf(systemPod.id)).not.toBeNull();
    const before = await positionOf(visiblePod.id);
    expect(before).not.toBeNull();
    expect(await page.getByTestId('filters-badge').count()).toBe(0);

    await page.getByTestId('filters').click();
    const panel = page.getByTestId('filters-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    // Namespaces are listed sorted, system ones marked.
    const listed = await panel.locator('[data-namespace]').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('data-namespace')));
    expect(listed).toEqual([...listed].sort());
    expect(await panel.locator('li', { hasText: 'kube-system' }).locator('.filters-system').count()).toBe(1);
    expect(await panel.locator('li', { hasText: 'payments' }).locator('.filters-system').count()).toBe(0);

    await page.getByTestId('filters-hide-system').check();
    await expect.poll(elementCount).toBeLessThan(total);
    expect(await centreOf(systemPod.id)).toBeNull();
    expect(await centreOf(hostNetworkSystemPod.id)).toBeNull();
    expect(await positionOf(visiblePod.id)).toEqual(before);
    expect(await page.getByTestId('filters-badge').textContent()).toBe('1');
    expect(await page.getByTestId('filters-summary').textContent()).toMatch(/Showing \d+ of 39 pods/);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'filters-panel.png') });

    // Turning it off brings them back; nothing that stayed has moved.
    await page.getByTestId('filters-hide-system').uncheck();
    await expect.poll(elementCount).toBe(total);
    expect(await centreOf(systemPod.id)).not.toBeNull();
    expect(await positionOf(visiblePod.id)).toEqual(before);
    expect(await page.getByTestId('filters-badge').count()).toBe(0);
  });

  test('one namespace unchecked hides only it; "All" shows it again', async () => {
    const total = await elementCount();
    await page.locator('[data-namespace="shop"]').uncheck();
    await expect.poll(elementCount).toBeLessThan(total);
    expect(await centreOf(visiblePod.id)).toBeNull();
    expect(await centreOf(ledgerPods[0]!.id)).not.toBeNull();
    await page.getByTestId('filters-ns-all').click();
    await expect.poll(elementCount).toBe(total);
  });

  test('a namespace hidden with the system ones is unticked; ticking it shows it, and only it of them', async () => {
    const box = (name: string) => page.locator(`[data-namespace="${name}"]`);
    await page.getByTestId('filters-hide-system').check();
    await expect.poll(() => centreOf(systemPod.id)).toBeNull();
    expect(await box('kube-system').isChecked()).toBe(false);
    expect(await box('kube-flannel').isChecked()).toBe(false);
    expect(await box('shop').isChecked()).toBe(true);
    await page.screenshot({ path: join(resultsDir, 'filters-namespaces.png') });

    await box('kube-system').check();
    await expect.poll(() => centreOf(systemPod.id)).not.toBeNull();
    expect(await box('kube-system').isChecked()).toBe(true);
    expect(await page.getByTestId('filters-hide-system').isChecked()).toBe(false);
    expect(await box('kube-flannel').isChecked()).toBe(false);
    expect(await centreOf(flannelPod.id)).toBeNull();
    expect(await centreOf(visiblePod.id)).not.toBeNull();
    await page.getByTestId('filters-reset').click();
    await expect.poll(() => centreOf(flannelPod.id)).not.toBeNull();
  });

  test('the header keeps its layout when a filter comes on: the Filters button does not grow', async () => {
    const layout = () =>
      page.evaluate(() =>
        [...document.querySelector('.header')!.children].map((child) => {
          const box = child.getBoundingClientRect();
          return [child.className, Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height)];
        }),
      );
    expect(await page.getByTestId('filters-badge').count()).toBe(0);
    const before = await layout();
    await page.getByTestId('filters-problems').check();
    await expect.poll(() => page.getByTestId('filters-badge').count()).toBe(1);
    expect(await layout()).toEqual(before);
    await page.getByTestId('filters-problems').uncheck();
  });

  test('problems only: the not-ready ledger pods are drawn, a ready frontend pod is not', async () => {
    const ledgerBefore = await positionOf(ledgerPods[0]!.id);
    await page.getByTestId('filters-problems').check();
    await expect.poll(() => centreOf(readyFrontend.id)).toBeNull();
    for (const pod of ledgerPods) expect(await centreOf(pod.id), pod.name).not.toBeNull();
    expect(await positionOf(ledgerPods[0]!.id)).toEqual(ledgerBefore);
    expect(await centreOf('svc:payments/ledger')).not.toBeNull();
    expect(await centreOf('svc:shop/frontend')).toBeNull();
    expect(await page.getByTestId('filters-badge').textContent()).toBe('1');
    await page.screenshot({ path: join(resultsDir, 'filters-problems.png') });

    await page.getByTestId('filters-reset').click();
    await expect.poll(() => centreOf(readyFrontend.id)).not.toBeNull();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('filters-panel').count()).toBe(0);
  });

  test('no errors or CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
