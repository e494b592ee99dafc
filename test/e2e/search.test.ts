// The search box end to end: `podpath serve --demo` in Debian's Chromium, driven by Playwright
// with the keyboard like a user.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { searchMatches } from '../../shared/filter.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { usePage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const pods = Object.values(topology.pods);
// A pod-network pod whose IP no other pod shares (hostNetwork pods share their node's).
const pod = pods.find((p) => !p.isHostNetwork && p.ips.length > 0 && pods.filter((q) => q.ips.includes(p.ips[0]!)).length === 1)!;
const resultsDir = join(repoRoot, 'test-results');

type Point = { x: number; y: number };
interface View {
  renderedCenter(id: string): Point | null;
  markedIds(): string[];
}
const view = (page: Page) => ({
  centre: (id: string) => page.evaluate((id) => (window as unknown as { podpathView: View }).podpathView.renderedCenter(id), id),
  marked: () => page.evaluate(() => (window as unknown as { podpathView: View }).podpathView.markedIds()),
});

describe.skipIf(!hasChromium)('search in Chromium', () => {
  let page: Page;
  let problems: string[] = [];
  usePage(['--demo'], (opened) => ({ page, problems } = opened));

  test("a pod's IP, typed after `/`, finds the pod; Enter selects, centres and highlights it", async () => {
    expect(pod, 'the demo has a pod with an IP of its own').toBeDefined();
    const ip = pod.ips[0]!;
    await page.keyboard.press('/');
    const box = page.getByTestId('search');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type(ip);

    const list = page.getByTestId('search-results');
    await expect.poll(() => list.locator('[data-id]').evaluateAll((items) => items.map((i) => i.getAttribute('data-id')))).toEqual([pod.id]);
    expect(await list.textContent()).toContain('pod IP');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'search-pod-ip.png') });

    await page.keyboard.press('Enter');
    const details = page.getByTestId('details');
    await expect.poll(() => details.getAttribute('data-selected'), { timeout: 10_000 }).toBe(pod.id);
    const text = (await details.textContent()) ?? '';
    expect(text).toContain(pod.name);
    expect(text).toContain(ip);
    expect(await list.count()).toBe(0);

    // Centred and marked as found: the pod is drawn in the middle of the canvas.
    const state = await page.evaluate((id) => {
      const view = (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView;
      const graph = document.querySelector('[data-testid="graph"]')!.getBoundingClientRect();
      return { centre: view.renderedCenter(id), graph: { x: graph.left + graph.width / 2, y: graph.top + graph.height / 2, w: graph.width, h: graph.height } };
    }, pod.id);
    expect(state.centre).not.toBeNull();
    expect(Math.abs(state.centre!.x - state.graph.x)).toBeLessThan(state.graph.w / 4);
    expect(Math.abs(state.centre!.y - state.graph.y)).toBeLessThan(state.graph.h / 4);
    await page.screenshot({ path: join(resultsDir, 'search-chosen.png') });
  });

  test('arrow keys move through the results; Escape closes them', async () => {
    const box = page.getByTestId('search');
    await page.keyboard.press('Control+k');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Control+a');
    await page.keyboard.type('k8s-app=kube-dns');
    const list = page.getByTestId('search-results');
    await expect.poll(() => list.locator('[data-id]').count()).toBeGreaterThan(1);
    const options = list.locator('[role="option"]');
    expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowDown');
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
    const second = await options.nth(1).getAttribute('data-id');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected')).toBe(second);

    await page.keyboard.press('ArrowDown');
    await expect.poll(() => list.count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => list.count()).toBe(0);
  });

  test('an IP nobody owns is explained as outside the cluster, and selects nothing', async () => {
    const before = await page.getByTestId('details').getAttribute('data-selected');
    const box = page.getByTestId('search');
    await box.fill('198.51.100.77');
    await box.focus();
    const list = page.getByTestId('search-results');
    await expect.poll(() => list.textContent()).toContain('outside the cluster');
    const item = list.locator('[data-id]');
    expect(await item.count()).toBe(1);
    expect(await item.getAttribute('data-kind')).toBe('ip');
    await page.screenshot({ path: join(resultsDir, 'search-outside.png') });
    await page.keyboard.press('Enter');
    await item.click({ force: true });
    expect(await list.count()).toBe(1);
    expect(await page.getByTestId('details').getAttribute('data-selected')).toBe(before);
  });

  test('"Highlight all (N)" marks every match of a selector on the graph, until the query changes', async () => {
    const query = 'tier=api';
    const matches = [...searchMatches(topology, query)].sort();
    // More than the one Enter would choose; the pending recommender pod among them.
    expect(matches.length).toBeGreaterThan(2);
    const box = page.getByTestId('search');
    await box.fill(query);
    await box.focus();
    const highlight = page.getByTestId('search-highlight-all');
    await expect.poll(() => highlight.textContent()).toBe(`Highlight all (${matches.length})`);
    await highlight.click();
    await expect.poll(() => view(page).marked()).toEqual(matches);
    expect(await page.getByTestId('search-results').count()).toBe(0);
    // Fitted in view: every match is on the canvas.
    const graph = (await page.getByTestId('graph').boundingBox())!;
    for (const id of matches) {
      const at = await view(page).centre(id);
      expect(at, id).not.toBeNull();
      expect(at!.x > graph.x && at!.x < graph.x + graph.width && at!.y > graph.y && at!.y < graph.y + graph.height, `${id} in view`).toBe(true);
    }
    expect(await page.getByTestId('search-marked').textContent()).toContain(`${matches.length} marked`);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'search-highlight-all.png') });

    // Another query: the marks were for the last one.
    await box.fill('tier=ap');
    await expect.poll(() => view(page).marked()).toEqual([]);
    expect(await page.getByTestId('search-marked').count()).toBe(0);

    // Shift+Enter does the same from the keyboard; the chip clears the marks.
    await box.fill(query);
    await box.focus();
    await page.keyboard.press('Shift+Enter');
    await expect.poll(() => view(page).marked()).toEqual(matches);
    await page.getByTestId('search-marked').click();
    await expect.poll(() => view(page).marked()).toEqual([]);
  });

  test('"Show only these" keeps only the matches on the graph, as a filter the Filters panel lists and clears', async () => {
    const query = 'app=ledger';
    const ledger = pods.filter((p) => p.labels.app === 'ledger');
    const other = pods.find((p) => p.namespace === 'shop' && p.name.startsWith('frontend-'))!;
    expect(await view(page).centre(other.id)).not.toBeNull();
    const box = page.getByTestId('search');
    await box.fill(query);
    await box.focus();
    await page.getByTestId('search-show-only').click();
    await expect.poll(() => view(page).centre(other.id)).toBeNull();
    for (const pod of ledger) expect(await view(page).centre(pod.id), pod.name).not.toBeNull();
    expect(await view(page).centre('svc:payments/ledger')).not.toBeNull();
    expect(await page.getByTestId('filters-badge').textContent()).toBe('1');
    await page.screenshot({ path: join(resultsDir, 'search-show-only.png') });

    await page.getByTestId('filters').click();
    expect(await page.getByTestId('filters-only').textContent()).toContain(query);
    await page.getByTestId('filters-clear-search').click();
    await expect.poll(() => view(page).centre(other.id)).not.toBeNull();
    expect(await page.getByTestId('filters-badge').count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  test('no errors or CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
