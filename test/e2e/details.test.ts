// The details panel's actions end to end: `podpath serve --demo` in Debian's Chromium with the
// clipboard granted. Copy a pod's IP, read the clipboard back, and open its trimmed YAML.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeElement } from '../../shared/describe/build.ts';
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
// A pod-network pod in shop with an IP and a Service (so the panel has every section).
const pod = Object.values(topology.pods).find(
  (p) => p.namespace === 'shop' && !p.isHostNetwork && p.ips.length > 0 && Object.values(topology.endpoints).some((e) => e.pod === p.id),
)!;

async function clickElement(page: Page, id: string): Promise<void> {
  const center = await page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView.renderedCenter(id), id);
  expect(center, `${id} is drawn`).not.toBeNull();
  await page.mouse.click(center!.x, center!.y);
}

const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

describe.skipIf(!hasChromium)('details panel actions in Chromium', () => {
  let opened: OpenPage;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    opened = await openPage(['--demo'], { permissions: ['clipboard-read', 'clipboard-write'] });
    page = opened.page;
    problems = opened.problems;
  });

  afterAll(() => opened?.close());

  test("the copy button beside a pod's IP puts the IP on the clipboard and says Copied", async () => {
    expect(pod, 'the demo has a shop pod with an IP and a Service').toBeDefined();
    await clickElement(page, pod.id);
    const details = page.getByTestId('details');
    await expect.poll(() => details.getAttribute('data-selected'), { timeout: 10_000 }).toBe(pod.id);

    const ip = pod.ips[0]!;
    const button = details.getByRole('button', { name: `Copy ${ip}`, exact: true }).first();
    await button.click();
    await expect.poll(() => readClipboard(page)).toBe(ip);
    await expect.poll(() => details.getByTestId('copy-status').first().textContent()).toBe('Copied');
    mkdirSync(resultsDir, { recursive: true });
    await details.screenshot({ path: join(resultsDir, 'details-copied.png') });

    await details.getByRole('button', { name: `Copy ${pod.namespace}/${pod.name}`, exact: true }).click();
    await expect.poll(() => readClipboard(page)).toBe(`${pod.namespace}/${pod.name}`);

    await details.getByRole('button', { name: 'Copy as JSON', exact: true }).click();
    await expect.poll(async () => JSON.parse(await readClipboard(page)) as unknown).toEqual(JSON.parse(JSON.stringify(describeElement(topology, pod.id))));
  });

  test('the Kubernetes object opens as the trimmed YAML, and copies', async () => {
    const section = page.getByTestId('kubernetes-object');
    expect(await section.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    await section.locator('summary').click();
    const yaml = section.getByTestId('object-yaml');
    await expect.poll(() => yaml.textContent(), { timeout: 10_000 }).toContain(`name: ${pod.name}`);
    const text = (await yaml.textContent()) ?? '';
    expect(text).toContain(`namespace: ${pod.namespace}`);
    expect(text).not.toContain('env:');
    expect(text.trimStart().startsWith('{')).toBe(false);
    expect(await section.textContent()).toContain('The trimmed object Podpath keeps');

    await section.getByRole('button', { name: 'Copy YAML', exact: true }).click();
    await expect.poll(() => readClipboard(page)).toBe(text);

    await page.getByTestId('details').screenshot({ path: join(resultsDir, 'details-yaml.png') });
  });

  test('the Internet has no Kubernetes object section', async () => {
    await clickElement(page, 'ext:internet');
    const details = page.getByTestId('details');
    await expect.poll(() => details.getAttribute('data-selected'), { timeout: 10_000 }).toBe('ext:internet');
    expect(await page.getByTestId('kubernetes-object').count()).toBe(0);
  });

  test('no errors or CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
