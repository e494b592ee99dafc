// Traces end to end (issue 6): `podpath serve --demo` in Debian's Chromium. From a frontend pod
// to the backend Service: the path is highlighted on the graph and listed hop by hop; then a
// flow the shop's policies deny, with the policy named; then a what-if policy that allows it.
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

const resultsDir = join(repoRoot, 'test-results');
const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const frontend = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name.startsWith('frontend-') && p.isReady && p.phase === 'Running')!;
const db0 = Object.values(topology.pods).find((p) => p.namespace === 'shop' && p.name === 'db-0')!;
const backendEndpoints = Object.values(topology.endpoints).filter((e) => e.service === 'svc:shop/backend' && e.isReady);

const tracedIds = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { podpathView: { tracedIds(): string[] } }).podpathView.tracedIds());

describe.skipIf(!hasChromium)('traces in Chromium', () => {
  let opened: OpenPage;
  let page: Page;

  beforeAll(async () => {
    opened = await openPage(['--demo']);
    page = opened.page;
  });
  afterAll(() => opened?.close());

  test('trace from here on a frontend pod, to the backend Service: delivered, the path highlighted and listed', async () => {
    expect(backendEndpoints.length).toBeGreaterThan(1);
    // Select the pod as a user would (search), then "Trace from here".
    await page.keyboard.press('/');
    await page.keyboard.type(`shop/${frontend.name}`);
    await expect.poll(() => page.getByTestId('search-results').locator('[data-id]').first().getAttribute('data-id')).toBe(frontend.id);
    await page.keyboard.press('Enter');
    await page.getByTestId('trace-from-here').click();
    await expect.poll(() => page.getByTestId('trace-from').inputValue()).toBe(`shop/${frontend.name}`);
    await page.getByTestId('trace-to').fill('svc/shop/backend');

    const result = page.getByTestId('trace-result');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('delivered');
    expect(await page.getByTestId('trace-verdict').textContent()).toContain('Delivered');
    // The common path leaves the pod by its eth0 and veth; the branch list has one way per ready endpoint.
    const kinds = await page.getByTestId('trace-hops').locator('[data-kind]').evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['pod-eth0', 'veth', 'bridge']));
    expect(await page.getByTestId('trace-branches').getByRole('radio').count()).toBe(backendEndpoints.length);
    const branchText = (await page.getByTestId('trace-branch-hops').textContent()) ?? '';
    // kube-proxy's real chains: the Service's, and the chosen endpoint's, where DNAT happens.
    expect((await result.textContent()) ?? '').toMatch(/KUBE-SVC-[A-Z0-9]{16}/);
    expect(branchText).toMatch(/KUBE-SEP-[A-Z0-9]{16}/);
    expect(branchText).toContain('DNAT');

    // On the graph: the pod, its veth, the Service and the chosen endpoint's edge are highlighted.
    const traced = await tracedIds(page);
    expect(traced).toEqual(expect.arrayContaining([frontend.id, frontend.veth!, 'svc:shop/backend']));
    expect(traced.some((id) => backendEndpoints.some((e) => e.id === id))).toBe(true);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'trace-delivered.png') });

    // Choosing another branch moves the highlight to its endpoint.
    const radios = page.getByTestId('trace-branches').getByRole('radio');
    await radios.nth(1).click();
    await expect.poll(() => radios.nth(1).getAttribute('aria-checked')).toBe('true');
    await expect.poll(async () => (await tracedIds(page)).join(',')).not.toBe(traced.join(','));
  });

  test('a denied flow names the policies to change; a what-if policy shows it would be allowed', async () => {
    await page.getByTestId('trace-to').fill(`shop/${db0.name}`);
    await page.getByTestId('trace-port').fill('5432');
    const result = page.getByTestId('trace-result');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('policy-denied');
    // Both directions are denied: they read as the trace's blockers, with the policies behind them.
    const policy = (await page.getByTestId('trace-blockers').textContent()) ?? '';
    expect(policy).toContain('shop/default-deny-all');
    expect(policy).toContain('shop/frontend-allow');
    expect(policy).toContain('shop/db-allow');
    await page.screenshot({ path: join(resultsDir, 'trace-denied.png') });

    // What if the frontend may reach the db, and the db accept it?
    const whatIf = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: frontend-to-db, namespace: shop}',
      'spec:',
      '  podSelector: {matchLabels: {app: frontend}}',
      '  policyTypes: [Egress]',
      '  egress: [{to: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 5432}]}]',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: db-from-frontend, namespace: shop}',
      'spec:',
      '  podSelector: {matchLabels: {app: db}}',
      '  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 5432}]}]',
    ].join('\n');
    await page.locator('.trace-whatif summary').click();
    await page.getByTestId('trace-whatif').fill(whatIf);
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('delivered');
    expect(await page.getByTestId('trace-whatif-change').textContent()).toContain('denied by networkpolicy');
    expect(opened.problems, opened.problems.join('\n')).toEqual([]);
  });
});
