// The trace form reading ends as a person types them (issue 17): a Deployment's name picks a pod
// and says which; a typo offers what to write instead, and a click on it traces that.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { usePage, type OpenPage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

describe.skipIf(!hasChromium)('the trace form meets the user halfway', () => {
  let opened: OpenPage;
  usePage(['--demo'], (o) => (opened = o));

  test('a typo in From offers the closest match; clicking it fills From and traces, naming the pod picked', async () => {
    const { page } = opened;
    await page.keyboard.press('t');
    await page.getByTestId('trace-from').fill('shop/frontnd');
    await page.getByTestId('trace-to').fill('shop/db-0:5432');
    const result = page.getByTestId('trace-result');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('unknown-target');
    const offered = page.getByTestId('trace-from-suggestions');
    expect(await offered.getByRole('button').allTextContents()).toEqual(['shop/frontend']);
    await expect.poll(() => page.getByTestId('trace-to-suggestions').count()).toBe(0);

    await offered.getByRole('button', { name: 'shop/frontend' }).click();
    expect(await page.getByTestId('trace-from').inputValue()).toBe('shop/frontend');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('policy-denied');
    expect(await page.locator('.trace-ends').textContent()).toContain('shop/frontend → pod shop/frontend-855456765f-6r8k4, 1 of 3 ready pods of Deployment frontend (4 in all)');
    await expect.poll(() => offered.count()).toBe(0);
  });

  test('Protocol “Auto” takes a named port’s protocol: kube-dns:dns is traced on 53/UDP; a protocol picked by hand that disagrees is said', async () => {
    const { page } = opened;
    expect(await page.getByTestId('trace-protocol').inputValue()).toBe('');
    await page.getByTestId('trace-to').fill('svc/kube-system/kube-dns:dns');
    const result = page.getByTestId('trace-result');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).not.toBe('unknown-target');
    expect(await page.getByTestId('trace-hops').textContent()).toContain('53 UDP');
    await page.getByTestId('trace-protocol').selectOption('TCP');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('unknown-target');
    expect(await result.textContent()).toMatch(/UDP/);
    await page.getByTestId('trace-protocol').selectOption('');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).not.toBe('unknown-target');
  });
});
