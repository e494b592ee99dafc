// Dual stack in the trace panel (issue 15): on a generated dual-stack snapshot, a pod's trace to a
// PreferDualStack Service in IPv4 (the sender's primary family, said in a note), then in IPv6 —
// the IPv6 ClusterIP and endpoints, kube-proxy's rules read with ip6tables — and back. A
// single-stack cluster's panel has no Family control (the demo, last).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serializeSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { generateDualStackCluster } from '../fixtures/generate-dual-stack.ts';
import { openPage, usePage, type OpenPage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const source = { context: 'dual-stack', server: null, kubernetesVersion: 'v1.33.2', capturedAt: '2025-07-01T09:00:00Z' };
const objects = generateDualStackCluster(60);
const topology = derive(structuredClone(objects), source);
/** app-1 is PreferDualStack (generate-dual-stack.ts): a ClusterIP of each family. */
const service = topology.services['svc:team-0/app-1']!;
const [v4ClusterIP, v6ClusterIP] = service.clusterIPs;

const hopsText = async (page: Page): Promise<string> => (await page.getByTestId('trace-hop-area').innerText()).replace(/\s+/g, ' ');
const commandsOf = (page: Page): Promise<string[]> => page.getByTestId('trace-hop-area').locator('.trace-command').allInnerTexts();

describe.skipIf(!hasChromium)('the trace panel per address family', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-family-e2e-'));
  const file = join(dir, 'dual-stack.podpath.json');
  let opened: OpenPage;
  let page: Page;

  beforeAll(async () => {
    writeFileSync(file, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source, objects }));
    opened = await openPage(['--snapshot', file]);
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('pod → dual-stack Service: IPv4 by default with the note, IPv6 when asked (ip6tables), IPv4 again', async () => {
    expect(v4ClusterIP).toMatch(/^10\./);
    expect(v6ClusterIP).toMatch(/^fd00:/);
    await page.keyboard.press('t');
    await page.getByTestId('trace-from').fill('team-0/app-0-0');
    await page.getByTestId('trace-to').fill('svc/team-0/app-1');
    const result = page.getByTestId('trace-result');
    const family = page.getByTestId('trace-family');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('delivered');
    expect(await family.inputValue()).toBe('');
    expect(await page.getByTestId('trace-family-note').innerText()).toBe("Traced in IPv4, the family of team-0/app-0-0's primary IP 10.64.0.2; both ends have IPv6 too (Family: IPv6).");
    expect(await hopsText(page)).toContain(v4ClusterIP);
    await page.getByTestId('trace-panel').screenshot({ path: '/tmp/family-trace-auto.png' });

    await family.selectOption('6');
    await expect.poll(async () => (await hopsText(page)).includes(v6ClusterIP!), { timeout: 10_000 }).toBe(true);
    expect(await result.getAttribute('data-verdict')).toBe('delivered');
    const v6Text = await hopsText(page);
    expect(v6Text).not.toContain(v4ClusterIP);
    const v6Rules = (await commandsOf(page)).filter((c) => c.includes('tables-save'));
    expect(v6Rules.length).toBeGreaterThan(0);
    expect(v6Rules.every((c) => c.startsWith('$ ip6tables-save'))).toBe(true);
    // Asked for, the family needs no note.
    expect(await page.getByTestId('trace-family-note').count()).toBe(0);
    // The Service hop, with the IPv6 ClusterIP and its ip6tables command, in view beside the graph.
    await page.getByTestId('trace-hops').locator('[data-kind="service"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/family-trace.png' });

    await family.selectOption('4');
    await expect.poll(async () => (await hopsText(page)).includes(v4ClusterIP!), { timeout: 10_000 }).toBe(true);
    expect(await hopsText(page)).not.toContain(v6ClusterIP);
    const v4Rules = (await commandsOf(page)).filter((c) => c.includes('tables-save'));
    expect(v4Rules.length).toBeGreaterThan(0);
    expect(v4Rules.every((c) => c.startsWith('$ iptables-save'))).toBe(true);
    expect(opened.problems).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('a single-stack cluster', () => {
  let opened: OpenPage;
  usePage(['--demo'], (o) => (opened = o));

  test('has no Family control to choose from', async () => {
    const { page } = opened;
    await page.keyboard.press('t');
    await page.getByTestId('trace-from').fill('shop/frontend');
    await page.getByTestId('trace-to').fill('svc/shop/backend');
    await expect.poll(() => page.getByTestId('trace-result').getAttribute('data-verdict'), { timeout: 10_000 }).toBe('delivered');
    expect(await page.getByTestId('trace-protocol').count()).toBe(1);
    expect(await page.getByTestId('trace-family').count()).toBe(0);
  });
});
