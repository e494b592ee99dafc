// The two groupings and level of detail end to end: `podpath serve` in Debian's Chromium.
//   - By node / By namespace: the same pods, drawn in their node's box or in their namespace's;
//   - a generated 1,000-pod snapshot opens folded (every node a box with its counts) and any pod
//     is two actions away: click its node's box, or search for it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseSnapshot, serializeSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { generateCluster } from '../fixtures/generate.ts';
import { repoRoot } from './serve.ts';
import { fitWholeGraph, openPage, type OpenPage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');
type Point = { x: number; y: number };
type Box = { x1: number; y1: number; x2: number; y2: number };
interface Hook {
  renderedCenter(id: string): Point | null;
  renderedBox(id: string): Box | null;
  viewport(): { zoom: number; pan: Point } | null;
}
const inside = (inner: Box, outer: Box) => inner.x1 >= outer.x1 - 0.5 && inner.x2 <= outer.x2 + 0.5 && inner.y1 >= outer.y1 - 0.5 && inner.y2 <= outer.y2 + 0.5;

const boxOf = (page: Page, id: string): Promise<Box | null> => page.evaluate((id) => (window as unknown as { podpathView: Hook }).podpathView.renderedBox(id), id);

describe.skipIf(!hasChromium)('grouping in Chromium', () => {
  const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
  const topology = derive(demo.objects, demo.source);
  const pod = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name.startsWith('backend-') && p.host)!;
  let opened: OpenPage;

  beforeAll(async () => {
    opened = await openPage(['--demo']);
  });
  afterAll(() => opened?.close());

  test('By namespace puts each pod in its namespace box and names its node; g switches back to By node', async () => {
    const { page } = opened;
    expect(inside((await boxOf(page, pod.id))!, (await boxOf(page, pod.host!))!)).toBe(true);
    expect(await boxOf(page, 'group:ns/shop')).toBeNull();

    await page.getByTestId('grouping').getByRole('button', { name: 'By namespace' }).click();
    await expect.poll(() => boxOf(page, 'group:ns/shop'), { timeout: 10_000 }).not.toBeNull();
    const podBox = (await boxOf(page, pod.id))!;
    expect(inside(podBox, (await boxOf(page, 'group:ns/shop'))!)).toBe(true);
    // The node is still drawn, with its devices, but no longer holds the pod.
    const hostBox = await boxOf(page, pod.host!);
    expect(hostBox).not.toBeNull();
    expect(inside(podBox, hostBox!)).toBe(false);
    expect(await page.getByTestId('grouping').getByRole('button', { name: 'By namespace' }).getAttribute('aria-pressed')).toBe('true');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'grouping-namespace.png') });

    await page.locator('body').click({ position: { x: 5, y: 990 } });
    await page.keyboard.press('g');
    await expect.poll(async () => boxOf(page, 'group:ns/shop'), { timeout: 10_000 }).toBeNull();
    expect(inside((await boxOf(page, pod.id))!, (await boxOf(page, pod.host!))!)).toBe(true);
    expect(opened.problems).toEqual([]);
  });

  test('hovering a veth says how its host end was named, or why it is unknown', async () => {
    const { page } = opened;
    // Switching the grouping opened a new picture on its busiest node: the whole in view.
    await fitWholeGraph(page);
    const veth = topology.veths[pod.veth!]!;
    // The veth's label sits just under the pod: hover the edge's midpoint.
    const point = await page.evaluate((id) => (window as unknown as { podpathView: Hook }).podpathView.renderedCenter(id), veth.id);
    expect(point).not.toBeNull();
    await page.mouse.move(point!.x, point!.y);
    await expect.poll(() => page.getByTestId('graph-tooltip').textContent()).toContain(veth.hostEnd.how);
  });

  test('hovering a pod says what it is, where, and why it matters; leaving it hides that', async () => {
    const { page } = opened;
    // Switching the grouping opened a new picture on its busiest node: the whole in view.
    await fitWholeGraph(page);
    const point = await page.evaluate((id) => (window as unknown as { podpathView: Hook }).podpathView.renderedCenter(id), pod.id);
    expect(point).not.toBeNull();
    await page.mouse.move(point!.x, point!.y);
    const tooltip = page.getByTestId('graph-tooltip');
    await expect.poll(() => tooltip.textContent()).toContain(`pod ${pod.namespace}/${pod.name}`);
    const text = (await tooltip.textContent()) ?? '';
    expect(text).toContain(pod.ips[0]!);
    expect(text).toContain(topology.hosts[pod.host!]!.name);
    // Beside the pointer, not under it: the pod stays clickable.
    const box = (await tooltip.boundingBox())!;
    expect(point!.x >= box.x && point!.x <= box.x + box.width && point!.y >= box.y && point!.y <= box.y + box.height).toBe(false);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'hover-pod.png') });
    await page.mouse.move(2, 2);
    await expect.poll(() => tooltip.count()).toBe(0);
    expect(opened.problems).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('level of detail in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-lod-'));
  const file = join(dir, 'generated-1k.podpath.json');
  const objects = generateCluster(1_000);
  const topology = derive(objects);
  const hosts = Object.values(topology.hosts);
  const firstHost = hosts.find((h) => h.name === 'node-0')!;
  const podOnFirst = Object.values(topology.pods).find((p) => p.host === firstHost.id)!;
  const podElsewhere = Object.values(topology.pods).find((p) => p.host === hosts.find((h) => h.name === 'node-20')!.id)!;
  let opened: OpenPage;
  let page: Page;

  beforeAll(async () => {
    writeFileSync(file, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'generated-1k', server: null, kubernetesVersion: null, capturedAt: '2026-11-26T00:00:00Z' }, objects }));
    opened = await openPage(['--snapshot', file]);
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('fitted, 1,000 pods draw as node boxes with their pod counts; a click on one opens it in place', async () => {
    const graph = page.getByTestId('graph');
    await expect.poll(() => graph.getAttribute('data-folded'), { timeout: 20_000 }).toBe('true');
    expect(Number(await graph.getAttribute('data-element-count'))).toBeLessThan(1_000);
    // The node folded whole, or drawn with its devices and its pods folded over their grid.
    const folds = [`fold:${firstHost.id}`, `fold:pods/${firstHost.id}`];
    const drawnFolds = [];
    for (const id of folds) if (await boxOf(page, id)) drawnFolds.push(id);
    expect(drawnFolds).toHaveLength(1);
    const fold = drawnFolds[0]!;
    const foldBox = await boxOf(page, fold);
    expect(await boxOf(page, podOnFirst.id)).toBeNull();
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'lod-1k-fitted.png') });

    const centre = await page.evaluate((id) => (window as unknown as { podpathView: Hook }).podpathView.renderedCenter(id), fold);
    // The click also zooms to the node (folds.test.ts): boxes are compared in model coordinates.
    const toModel = async (box: Box): Promise<Box> => {
      const { zoom, pan } = (await page.evaluate(() => (window as unknown as { podpathView: Hook }).podpathView.viewport()))!;
      const canvas = (await graph.boundingBox())!;
      const x = (v: number) => (v - canvas.x - pan.x) / zoom;
      const y = (v: number) => (v - canvas.y - pan.y) / zoom;
      return { x1: x(box.x1), y1: y(box.y1), x2: x(box.x2), y2: y(box.y2) };
    };
    // Where the fold stood, with as much slack (in screen pixels at the fitted zoom) as before.
    const fitted = await toModel(foldBox!);
    const slack = await toModel({ x1: foldBox!.x1 - 2, y1: foldBox!.y1 - 40, x2: foldBox!.x2 + 2, y2: foldBox!.y2 + 2 });
    await page.mouse.click(centre!.x, centre!.y);
    // Open where the fold stood: the node's box is the fold's box, and the pod inside it.
    await expect.poll(() => boxOf(page, podOnFirst.id), { timeout: 10_000 }).not.toBeNull();
    const hostBox = await toModel((await boxOf(page, firstHost.id))!);
    if (fold.startsWith('fold:node:')) {
      expect(hostBox.x1).toBeGreaterThan(slack.x1);
      expect(hostBox.x1).toBeLessThan(2 * fitted.x1 - slack.x1);
      expect(hostBox.y2).toBeGreaterThan(2 * fitted.y2 - slack.y2);
      expect(hostBox.y2).toBeLessThan(slack.y2);
    } else {
      expect(inside(await toModel((await boxOf(page, podOnFirst.id))!), slack)).toBe(true);
    }
    expect(inside(await toModel((await boxOf(page, podOnFirst.id))!), hostBox)).toBe(true);
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected')).toBe(firstHost.id);
  });

  test('a pod on a folded node is found by search: chosen, it is drawn, selected and centred', async () => {
    expect(await boxOf(page, podElsewhere.id)).toBeNull();
    await page.keyboard.press('/');
    await page.keyboard.type(podElsewhere.name);
    const list = page.getByTestId('search-results');
    await expect.poll(() => list.locator('[data-id]').first().getAttribute('data-id')).toBe(podElsewhere.id);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected'), { timeout: 10_000 }).toBe(podElsewhere.id);
    expect(await boxOf(page, podElsewhere.id)).not.toBeNull();
    await page.screenshot({ path: join(resultsDir, 'lod-1k-found.png') });
    expect(opened.problems, opened.problems.join('\n')).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('layout of a large graph in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-worker-'));
  const file = join(dir, 'generated-4k.podpath.json');
  const objects = generateCluster(4_000);
  let opened: OpenPage;

  beforeAll(async () => {
    writeFileSync(file, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'generated-4k', server: null, kubernetesVersion: null, capturedAt: '2026-11-26T00:00:00Z' }, objects }));
    opened = await openPage(['--snapshot', file]);
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('4,000 pods (over 15,000 elements) are laid out in a Web Worker, then drawn folded', async () => {
    const graph = opened.page.getByTestId('graph');
    await expect.poll(() => graph.getAttribute('data-layout'), { timeout: 60_000 }).toBe('worker');
    await expect.poll(() => graph.getAttribute('data-folded'), { timeout: 10_000 }).toBe('true');
    expect(Number(await graph.getAttribute('data-element-count'))).toBeGreaterThan(100);
    expect(await opened.page.getByTestId('laying-out').count()).toBe(0);
    expect(await boxOf(opened.page, 'fold:pods/node:node-0').then((b) => b ?? boxOf(opened.page, 'fold:node:node-0'))).not.toBeNull();
    expect(opened.problems, opened.problems.join('\n')).toEqual([]);
  });
});
