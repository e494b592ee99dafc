// Panels that conclude (issue 17), end to end: `podpath serve --demo` in Debian's Chromium. A
// Service's panel opens with its health in one line, before the details; a pod's NetworkPolicy
// part opens with who may reach it and whom it may reach; not-ready endpoints are marked.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { parseSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { repoRoot } from './serve.ts';
import { usePage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');
const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const dbId = Object.values(derive(demo.objects, demo.source).pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!.id;

async function select(page: Page, id: string): Promise<void> {
  const center = await page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView.renderedCenter(id), id);
  expect(center, `${id} is drawn`).not.toBeNull();
  await page.mouse.click(center!.x, center!.y);
  await expect.poll(() => page.getByTestId('details').getAttribute('data-selected'), { timeout: 10_000 }).toBe(id);
}

/** The test id of the first thing the panel shows after its title. */
const firstAfterTitle = (page: Page) => page.getByTestId('details').evaluate((details) => details.querySelector('.details-title')?.nextElementSibling?.getAttribute('data-testid') ?? null);

describe.skipIf(!hasChromium)('panels that conclude, in Chromium', () => {
  let page: Page;
  let problems: string[] = [];
  usePage(['--demo'], (opened) => {
    page = opened.page;
    problems = opened.problems;
  });

  test('payments/ledger’s Service opens with its health: its pods are not ready, so connections are rejected', async () => {
    await select(page, 'svc:payments/ledger');
    expect(await firstAfterTitle(page)).toBe('service-health');
    const health = page.getByTestId('service-health');
    expect(await health.textContent()).toBe('2 endpoints, none ready: connections are rejected');
    expect(await health.getAttribute('class')).toContain('conclusion-error');

    // The endpoints and their chains are marked not ready, and the chains kube-proxy does not write say so.
    const details = page.getByTestId('details');
    expect(await details.locator('.badge.state-not-ready').count()).toBeGreaterThanOrEqual(4);
    const chains = details.getByTestId('endpoint-chain');
    expect(await chains.count()).toBe(2);
    for (const chain of await chains.all()) expect(await chain.textContent()).toContain('not in kube-proxy’s rules: it is not ready');
    mkdirSync(resultsDir, { recursive: true });
    await details.screenshot({ path: join(resultsDir, 'panels-conclude-service.png') });
  });

  test('a healthy Service says so plainly, and its chains are not marked', async () => {
    await select(page, 'svc:shop/backend');
    expect(await firstAfterTitle(page)).toBe('service-health');
    expect(await page.getByTestId('service-health').textContent()).toBe('healthy: 3 endpoints, all ready');
    const details = page.getByTestId('details');
    expect(await details.locator('.chain-unprogrammed').count()).toBe(0);
    expect(await details.locator('.badge.state-not-ready').count()).toBe(0);
  });

  test('shop/db-0 says who may reach it and whom it may reach, one line each, atop its NetworkPolicy part', async () => {
    await select(page, dbId);
    const ingress = page.getByTestId('policy-line-ingress');
    const egress = page.getByTestId('policy-line-egress');
    expect(await ingress.textContent()).toBe('Ingress: isolated by shop/db-allow and shop/default-deny-all — only from app=backend, app=db on 5432/TCP');
    expect(await egress.textContent()).toBe(
      'Egress: isolated by shop/allow-dns-egress, shop/db-allow and shop/default-deny-all — only to k8s-app=kube-dns in kube-system on 53/UDP, 53/TCP; to app=db on 5432/TCP',
    );
    // The first things in the section, under its heading.
    expect(await ingress.evaluate((line) => line.previousElementSibling?.tagName)).toBe('H3');
    // The policies the line names are links, as in the list under it.
    expect(await ingress.getByRole('button').allTextContents()).toEqual(['shop/db-allow', 'shop/default-deny-all']);
    const section = page.getByTestId('policy-line-ingress').locator('xpath=..');
    await section.screenshot({ path: join(resultsDir, 'panels-conclude-pod.png') });
    expect(problems).toEqual([]);
  });

  test('a policy’s link opens the policy’s own details, though no graph element draws it', async () => {
    await select(page, dbId);
    await page.getByTestId('policy-line-ingress').getByRole('button', { name: 'shop/db-allow' }).click();
    const details = page.getByTestId('details');
    await expect.poll(() => details.getAttribute('data-selected')).toBe('netpol:shop/db-allow');
    expect(await details.textContent()).toContain('db-allow');
    expect(await details.textContent()).toContain('Ingress rules');
    expect(problems).toEqual([]);
  });
});
