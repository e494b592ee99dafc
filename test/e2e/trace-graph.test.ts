// A traced path on the graph (issue 11), in Chromium on `podpath serve --demo`: numbered steps in
// the hop list's order with an arrow from each to the next, the DNS lookup dashed, the ✕ where a
// denied packet stops and nothing past it; a hop hovered in the list marked on the graph and the
// reverse; and a hop list that keeps commands whole, with a copy button each.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { DrawnTraceStep } from '../../renderer/graph/view-hook.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { usePage, type OpenPage } from './page.ts';
import { repoRoot } from './serve.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');
const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const frontend = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name.startsWith('frontend-') && p.isReady && p.phase === 'Running')!;
const db0 = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
const frontendBridge = `dev:${topology.hosts[frontend.host!]!.name}/bridge`;

const traceSteps = (page: Page): Promise<DrawnTraceStep[]> => page.evaluate(() => (window as unknown as { podpathView: { traceSteps(): DrawnTraceStep[] } }).podpathView.traceSteps());
const listedHops = (page: Page, selector = '.trace-hop'): Promise<number[]> => page.locator(selector).evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-hop'))));

/** The steps read in order: numbers rising, each arrow from the step before to this one. */
function expectFollowable(steps: DrawnTraceStep[]): void {
  expect(steps.length).toBeGreaterThan(1);
  const numbers = steps.flatMap((s) => s.hops);
  expect(numbers[0]).toBe(1);
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  expect(steps[0]!.arrow).toBeNull();
  steps.slice(1).forEach((step, i) => expect(step.arrow).toMatchObject({ from: steps[i]!.anchor, to: step.anchor }));
  steps.slice(1).forEach((step, i) => expect(step.anchor).not.toBe(steps[i]!.anchor));
}

describe.skipIf(!hasChromium)('a trace on the graph, in Chromium', () => {
  let opened: OpenPage;
  let page: Page;
  usePage(['--demo'], (o) => {
    opened = o;
    page = o.page;
  });

  test('a denied flow: numbered steps from the frontend, the ✕ at the hop that denies it, nothing drawn past the last blocker', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type(`shop/${frontend.name}`);
    await expect.poll(() => page.getByTestId('search-results').locator('[data-id]').first().getAttribute('data-id')).toBe(frontend.id);
    await page.keyboard.press('Enter');
    await page.getByTestId('trace-from-here').click();
    await page.getByTestId('trace-to').fill('shop/db-0');
    await page.getByTestId('trace-port').fill('5432');
    await expect.poll(() => page.getByTestId('trace-result').getAttribute('data-verdict'), { timeout: 10_000 }).toBe('policy-denied');

    await expect.poll(async () => (await traceSteps(page)).at(-1)?.style).toBe('denied');
    const steps = await traceSteps(page);
    expectFollowable(steps);
    // Out of the pod and to its bridge, where its egress policy stops it.
    expect(steps[0]!.anchor).toBe(frontend.id);
    const denied = steps.at(-1)!;
    expect(denied.anchor).toBe(frontendBridge);
    expect(denied.label).toMatch(/ ✕$/);
    expect(steps.filter((s) => s.style === 'denied')).toHaveLength(1);
    // The deciding hop is the egress check the list marks; the path is drawn on to the last
    // blocker (db-0's ingress check, at the same bridge: db-0 is on this node), and no further.
    const deciding = await listedHops(page, '.trace-hop.is-deciding');
    const blocking = await listedHops(page, '.trace-hop.is-blocking');
    expect(deciding).toEqual([denied.hops[1]]);
    expect(blocking).toEqual([denied.hops.at(-1)]);
    for (const hop of [...deciding, ...blocking]) expect(await page.locator(`.trace-hop[data-hop="${hop}"]`).getAttribute('data-kind')).toBe('policy');
    expect(Math.max(...steps.flatMap((s) => s.hops))).toBe(blocking[0]);
    expect(steps.map((s) => s.anchor)).not.toContain(db0.id);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'trace-graph-denied.png') });
  });

  test('a delivered flow to a name: the lookup dashed to kube-dns and back, then the path, numbered as the list is', async () => {
    await page.getByTestId('trace-port').fill('');
    await page.getByTestId('trace-to').fill('backend.shop');
    await expect.poll(() => page.getByTestId('trace-result').getAttribute('data-verdict'), { timeout: 10_000 }).toBe('delivered');
    await expect.poll(async () => (await traceSteps(page))[1]?.anchor).toBe('svc:kube-system/kube-dns');
    const steps = await traceSteps(page);
    expectFollowable(steps);
    expect(steps.slice(0, 3).map((s) => [s.anchor, s.arrow?.style ?? null])).toEqual([
      [frontend.id, null],
      ['svc:kube-system/kube-dns', 'dns'],
      [frontend.id, 'dns'],
    ]);
    expect(steps.slice(3).every((s) => s.arrow?.style === 'data' && s.style === 'data')).toBe(true);
    // One numbering for the list and the graph: DNS hops first, then the path, then the branch.
    const listed = await listedHops(page);
    expect(listed).toEqual(listed.map((_, i) => i + 1));
    const lookupHops = await listedHops(page, '[data-testid="trace-dns-hops"] > .trace-hop');
    expect(lookupHops.length).toBeGreaterThan(0);
    expect(await listedHops(page, '[data-testid="trace-hops"] > .trace-hop')).toEqual(expect.arrayContaining([lookupHops.length + 1]));
    expect(steps.flatMap((s) => s.hops).every((n) => listed.includes(n))).toBe(true);
    // The chosen branch ends in its backend pod.
    const chosen = (await page.getByTestId('trace-branches').getByRole('radio', { checked: true }).textContent()) ?? '';
    const endPod = Object.values(topology.pods).find((p) => chosen.includes(`${p.namespace}/${p.name}`))!;
    expect(steps.at(-1)!.anchor).toBe(endPod.id);
    expect(steps.some((s) => s.style === 'denied')).toBe(false);
    await page.screenshot({ path: join(resultsDir, 'trace-graph-delivered.png') });
  });

  test('a hop hovered in the list is marked on the graph, and an element hovered on the graph marks its hops', async () => {
    const steps = await traceSteps(page);
    const bridgeStep = steps.find((s) => s.anchor === frontendBridge)!;
    const hop = bridgeStep.hops[0]!;
    await page.locator(`.trace-hop[data-hop="${hop}"]`).hover();
    await expect.poll(async () => (await traceSteps(page)).filter((s) => s.isActive).map((s) => s.anchor)).toEqual([frontendBridge]);
    await page.mouse.move(5, 500);
    await expect.poll(async () => (await traceSteps(page)).some((s) => s.isActive)).toBe(false);

    // The bridge on the graph: every step there is marked in the list.
    const at = await page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView.renderedCenter(id), frontendBridge);
    expect(at).not.toBeNull();
    await page.mouse.move(at!.x, at!.y);
    const atBridge = steps.filter((s) => s.anchor === frontendBridge).flatMap((s) => s.hops);
    await expect.poll(() => listedHops(page, '.trace-hop.is-on-graph')).toEqual(expect.arrayContaining(atBridge));
    await page.mouse.move(5, 500);
    await expect.poll(() => listedHops(page, '.trace-hop.is-on-graph')).toEqual([]);
  });

  test('the hop list: commands kept whole with a copy button each, evidence as text, the list resizable', async () => {
    const commands = page.locator('.trace-command');
    expect(await commands.count()).toBeGreaterThan(0);
    expect(await commands.first().evaluate((c) => getComputedStyle(c).whiteSpace)).toBe('pre');
    expect(await page.locator('.trace-command-row').getByRole('button', { name: 'Copy the command' }).count()).toBe(await commands.count());
    // Evidence reads as text: the only buttons in it are "show" and the copy buttons.
    const buttons = await page.locator('.trace-evidence button').evaluateAll((list) => list.map((b) => b.textContent?.trim() || b.getAttribute('aria-label')));
    expect(new Set(buttons)).toEqual(new Set(['show', 'Copy the command']));
    expect(await page.getByTestId('trace-hop-area').evaluate((a) => getComputedStyle(a).resize)).toBe('vertical');
    expect(opened.problems, opened.problems.join('\n')).toEqual([]);
  });
});
