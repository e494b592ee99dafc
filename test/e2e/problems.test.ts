// The Problems panel end to end (issue 17): `podpath serve` on the demo with one Service broken
// (shop/backend's selector one letter off, so it selects no pod), in Debian's Chromium. The
// header counts the doctor's problems, the panel lists them, a click selects and shows the
// subject, and the graph rings it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { diagnose } from '../../shared/doctor/doctor.ts';
import { parseSnapshot, serializeSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { usePage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const broken = 'svc:shop/backend';
const healthy = 'svc:shop/frontend';

/** The demo with shop/backend selecting `app=backnd`, and its EndpointSlice as the controller would leave it: empty. */
const snapshot = (() => {
  const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
  const objects = structuredClone(demo.objects);
  const service = objects.services.find((s) => s.metadata.namespace === 'shop' && s.metadata.name === 'backend')!;
  service.spec = { ...service.spec, selector: { app: 'backnd' } };
  for (const slice of objects.endpointSlices) if (slice.metadata.namespace === 'shop' && slice.metadata.labels?.['kubernetes.io/service-name'] === 'backend') slice.endpoints = [];
  return { ...demo, objects };
})();
const problems = diagnose(derive(snapshot.objects, snapshot.source));
const file = join(mkdtempSync(join(tmpdir(), 'podpath-problems-')), 'backend-typo.podpath.json');
writeFileSync(file, serializeSnapshot(snapshot));
const resultsDir = join(repoRoot, 'test-results');

interface View {
  problemIds(): { id: string; severity: 'error' | 'warning' }[];
  renderedBox(id: string): { x1: number; y1: number; x2: number; y2: number } | null;
}
const ringed = (page: Page) => page.evaluate(() => (window as unknown as { podpathView: View }).podpathView.problemIds());

describe.skipIf(!hasChromium)('the Problems panel in Chromium', () => {
  let page: Page;
  let pageProblems: string[] = [];
  usePage(['--snapshot', file], (opened) => ({ page, problems: pageProblems } = opened));

  test('the doctor finds the broken Service, an error, and not its healthy neighbour', () => {
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'service-selects-nothing', severity: 'error', subjectId: broken }));
    expect(problems.some((p) => p.subjectId === healthy)).toBe(false);
  });

  test('the header counts the problems by severity', async () => {
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.filter((p) => p.severity === 'warning').length;
    const button = page.getByTestId('problems');
    await expect.poll(() => button.locator('[data-severity="error"]').textContent()).toBe(`● ${errors} error${errors === 1 ? '' : 's'}`);
    expect(await button.locator('[data-severity="warning"]').count()).toBe(warnings > 0 ? 1 : 0);
  });

  test('the graph rings the subject of each error or warning, and nothing else', async () => {
    const marks = new Map<string, 'error' | 'warning'>();
    for (const p of problems) if (p.subjectId && p.severity !== 'info' && marks.get(p.subjectId) !== 'error') marks.set(p.subjectId, p.severity);
    await expect.poll(() => ringed(page)).toContainEqual({ id: broken, severity: 'error' });
    const drawn = await ringed(page);
    for (const { id, severity } of drawn) expect(marks.get(id), id).toBe(severity);
    expect(drawn.map((r) => r.id)).not.toContain(healthy);
  });

  test('a click on a problem selects its subject and shows it; its evidence and fix open under it', async () => {
    await page.getByTestId('problems').click();
    const panel = page.getByTestId('problems-panel');
    await expect.poll(() => panel.getByTestId('problem').count()).toBe(problems.length);
    const item = panel.locator(`[data-testid="problem"][data-subject-id="${broken}"][data-kind="service-selects-nothing"]`);
    const problem = problems.find((p) => p.subjectId === broken && p.kind === 'service-selects-nothing')!;
    expect(await item.textContent()).toContain(problem.message);
    if (problem.why.length > 0 || problem.fix) {
      await item.locator('summary').click();
      const more = (await item.locator('details').textContent()) ?? '';
      for (const line of problem.why) expect(more).toContain(line);
      if (problem.fix) expect(more).toContain(problem.fix);
    }
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'problems-panel.png') });

    await item.locator('.problem-head').click();
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected'), { timeout: 10_000 }).toBe(broken);
    expect(await panel.count()).toBe(0);
    // Drawn, inside the canvas and about its middle (centred as a search's choice is).
    const state = await page.evaluate((id) => {
      const box = (window as unknown as { podpathView: View }).podpathView.renderedBox(id);
      const graph = document.querySelector('[data-testid="graph"]')!.getBoundingClientRect();
      return { box, graph: { x1: graph.left, y1: graph.top, x2: graph.right, y2: graph.bottom } };
    }, broken);
    expect(state.box).not.toBeNull();
    expect(state.box!.x1).toBeGreaterThanOrEqual(state.graph.x1);
    expect(state.box!.x2).toBeLessThanOrEqual(state.graph.x2);
    expect(state.box!.y1).toBeGreaterThanOrEqual(state.graph.y1);
    expect(state.box!.y2).toBeLessThanOrEqual(state.graph.y2);
    const [x, y] = [(state.box!.x1 + state.box!.x2) / 2, (state.box!.y1 + state.box!.y2) / 2];
    expect(Math.abs(x - (state.graph.x1 + state.graph.x2) / 2)).toBeLessThan((state.graph.x2 - state.graph.x1) / 4);
    expect(Math.abs(y - (state.graph.y1 + state.graph.y2) / 2)).toBeLessThan((state.graph.y2 - state.graph.y1) / 4);
    await page.screenshot({ path: join(resultsDir, 'problems-chosen.png') });
    expect(pageProblems).toEqual([]);
  });
});
