// Folds of a large cluster end to end (issue 11), `podpath serve` in Debian's Chromium, on a
// generated 2,000-pod snapshot with some pods not ready and some Pending:
//   - fitted, every node is a fold that says its pods' health ("30 pods · 1 not ready"), tinted
//     when anything in it is wrong;
//   - a click on a fold opens it and zooms to it, so that the pods it held are legible (their
//     labels at least 10 px high on screen), and selects the node.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serializeSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import type { PodpathView } from '../../renderer/graph/view-hook.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { generateTroubledCluster } from '../fixtures/troubled.ts';
import { openPage, type OpenPage } from './page.ts';
import { repoRoot } from './serve.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');
type Reader = 'renderedCenter' | 'renderedBox' | 'renderedFontSize';
/** What `window.podpathView` (renderer/graph/view-hook.ts) reads of an element. */
const read = <R extends Reader>(page: Page, reader: R, id: string): Promise<ReturnType<PodpathView[R]>> =>
  page.evaluate(([reader, id]) => (window as unknown as { podpathView: PodpathView }).podpathView[reader](id), [reader, id] as const) as Promise<ReturnType<PodpathView[R]>>;

describe.skipIf(!hasChromium)('folds of a 2,000-pod cluster in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-folds-'));
  const file = join(dir, 'troubled-2k.podpath.json');
  const { objects, notReady, pending } = generateTroubledCluster(2_000);
  const topology = derive(objects);
  // A node holding both a pod not ready and a Pending one.
  const host = Object.values(topology.hosts).find((h) => {
    const pods = Object.values(topology.pods).filter((p) => p.host === h.id);
    return pods.some((p) => notReady.has(p.uid)) && pods.some((p) => pending.has(p.uid));
  })!;
  const podsOnHost = Object.values(topology.pods).filter((p) => p.host === host.id);
  let opened: OpenPage;
  let page: Page;

  beforeAll(async () => {
    writeFileSync(file, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'troubled-2k', server: null, kubernetesVersion: null, capturedAt: '2026-11-26T00:00:00Z' }, objects }));
    opened = await openPage(['--snapshot', file]);
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('fitted, a node’s fold says how many of its pods are not ready and how many Pending', async () => {
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    const graph = page.getByTestId('graph');
    await expect.poll(() => graph.getAttribute('data-folded'), { timeout: 20_000 }).toBe('true');
    const fold = `fold:${host.id}`;
    await expect.poll(() => read(page, 'renderedCenter', fold), { timeout: 10_000 }).not.toBeNull();
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'folds-2k-fitted.png') });

    // What the fold says is what its hover names.
    const centre = (await read(page, 'renderedCenter', fold))!;
    await page.mouse.move(centre.x, centre.y);
    const tooltip = page.getByTestId('graph-tooltip');
    await expect.poll(() => tooltip.textContent()).toContain(host.name);
    const text = (await tooltip.textContent()) ?? '';
    const count = (set: Set<string>) => podsOnHost.filter((p) => set.has(p.uid)).length;
    expect(text).toContain(`${podsOnHost.length} pods`);
    expect(text).toContain(`${count(notReady)} not ready`);
    expect(text).toContain(`${count(pending)} pending`);
  });

  test('a click on the fold opens it and zooms in: its pods are drawn with labels at least 10 px high, in view', async () => {
    const fold = `fold:${host.id}`;
    const centre = (await read(page, 'renderedCenter', fold))!;
    const pod = podsOnHost[0]!;
    expect(await read(page, 'renderedBox', pod.id)).toBeNull();
    await page.mouse.click(centre.x, centre.y);
    await expect.poll(() => read(page, 'renderedFontSize', pod.id), { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    // The pod is on screen, inside the canvas.
    const box = (await read(page, 'renderedBox', pod.id))!;
    const canvas = (await page.getByTestId('graph').boundingBox())!;
    expect(box.x1).toBeGreaterThanOrEqual(canvas.x);
    expect(box.y1).toBeGreaterThanOrEqual(canvas.y);
    expect(box.x2).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(box.y2).toBeLessThanOrEqual(canvas.y + canvas.height);
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected')).toBe(host.id);
    await page.screenshot({ path: join(resultsDir, 'folds-2k-opened.png') });
    expect(opened.problems, opened.problems.join('\n')).toEqual([]);
  });
});
