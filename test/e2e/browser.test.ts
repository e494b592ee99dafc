// End to end in a real browser: `podpath serve --demo` (the real CLI, backend and renderer build)
// driven in Debian's Chromium by Playwright.
import { existsSync, mkdirSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { toGraphElements } from '../../renderer/graph/elements.ts';
import { describeElement } from '../../shared/describe/build.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot, type RunningServe } from './serve.ts';
import { usePage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const resultsDir = join(repoRoot, 'test-results');

describe.skipIf(!hasChromium)('browser mode in Chromium', () => {
  let page: Page;
  let problems: string[] = [];
  let server: RunningServe;
  let browser: Browser;
  usePage(['--demo'], (opened) => ({ page, problems, server, browser } = opened));

  test('the token came in the fragment, left the address bar, and set no cookie', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
    expect(page.url()).toBe(server.url.replace(/#.*/, ''));
    expect(await page.evaluate(() => sessionStorage.getItem('podpath.token'))).toBe(server.url.split('#token=')[1]);
    expect(await page.context().cookies()).toEqual([]);
  });

  test('a page opened without the token gets the files but not the cluster, and says why', async () => {
    // A new context: no sessionStorage, as for another site's page or another browser profile.
    const stranger = await browser.newPage();
    try {
      await stranger.goto(server.url.replace(/#.*/, ''));
      await expect.poll(() => stranger.getByTestId('disconnected').textContent(), { timeout: 10_000 }).toContain('missing token');
      expect(await stranger.locator('[data-element-count]').count()).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  test('draws every element of the demo model', async () => {
    const graph = page.getByTestId('graph');
    await expect.poll(async () => Number(await graph.getAttribute('data-element-count')), { timeout: 30_000 }).toBeGreaterThan(0);
    const expected = toGraphElements(topology).length;
    expect(expected).toBeGreaterThan(Object.keys(topology.pods).length);
    expect(Number(await graph.getAttribute('data-element-count'))).toBe(expected);
  });

  test('clicking a pod shows its details and the Services that select it', async () => {
    const endpoint = Object.values(topology.endpoints).find((e) => e.pod && e.isReady && topology.pods[e.pod]?.namespace === 'shop');
    expect(endpoint, 'the demo has a ready endpoint pod in shop').toBeDefined();
    const pod = topology.pods[endpoint!.pod!]!;
    const services = Object.values(topology.endpoints)
      .filter((e) => e.pod === pod.id)
      .map((e) => topology.services[e.service]!.name);

    const center = await page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView.renderedCenter(id), pod.id);
    expect(center).not.toBeNull();
    await page.mouse.click(center!.x, center!.y);

    const details = page.getByTestId('details');
    await expect.poll(() => details.textContent(), { timeout: 10_000 }).toContain(pod.name);
    const text = (await details.textContent()) ?? '';
    expect(text).toContain(pod.ips[0]);
    expect(text).toContain(pod.namespace);
    for (const service of services) expect(text).toContain(service);
    // The NetworkPolicies that select it, as the model says (describe.test checks the matching).
    const described = describeElement(topology, pod.id);
    const policies = described?.kind === 'pod' ? described.pod.policies.map((p) => p.policy) : [];
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(text).toContain(policy);

    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'demo-cluster.png') });
    if (process.env.PODPATH_UPDATE_SCREENSHOT) copyFileSync(join(resultsDir, 'demo-cluster.png'), join(repoRoot, 'assets', 'readme', 'demo-cluster.png'));
  });

  test('no errors or CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
