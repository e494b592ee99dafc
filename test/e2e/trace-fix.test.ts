// A denial and "Try a fix" end to end (issue 11): `podpath serve --demo` in Debian's Chromium.
// The demo's shop denies the frontend the database; the denial reads in two lines, said once,
// and "Try a fix" fills the What-if box with the policy change that allows it, which the panel
// traces: delivered.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocuments } from '../../shared/kube/documents.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { usePage, type OpenPage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');

describe.skipIf(!hasChromium)('a denial and its fix in Chromium', () => {
  let opened: OpenPage;
  usePage(['--demo'], (o) => (opened = o), { permissions: ['clipboard-read', 'clipboard-write'] });

  test('frontend → shop/db-0:5432: two lines, each said once; Try a fix turns the verdict delivered and leaves the policies in the What-if box', async () => {
    const { page } = opened;
    await page.keyboard.press('t');
    await page.getByTestId('trace-from').fill('shop/frontend-855456765f-rx8bk');
    await page.getByTestId('trace-to').fill('shop/db-0');
    await page.getByTestId('trace-port').fill('5432');
    const result = page.getByTestId('trace-result');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('policy-denied');

    const lines = await page.getByTestId('trace-policy-text').allTextContents();
    expect(lines).toEqual(['frontend egress: no rule allows shop/db-0:5432/TCP', 'db-0 ingress: only app=backend or app=db is allowed on 5432/TCP']);
    expect(await page.getByTestId('trace-policy-line').evaluateAll((items) => items.map((i) => i.getAttribute('data-verdict')))).toEqual(['denied', 'denied']);
    // Said once in the whole panel: not again as the verdict's summary or the policy hop's evidence,
    // and the old paragraph ("… is isolated for egress by …") nowhere.
    const panel = (await page.getByTestId('trace-panel').textContent()) ?? '';
    for (const line of lines) expect(panel.split(line)).toHaveLength(2);
    expect(panel).not.toContain('is isolated for');

    // Each policy's closest miss is behind a disclosure, closed until asked for.
    const why = page.getByTestId('trace-policy-why');
    expect(await why.count()).toBe(2);
    expect(await why.evaluateAll((items) => items.map((d) => (d as HTMLDetailsElement).open))).toEqual([false, false]);
    await why.first().locator('summary').click();
    await expect.poll(() => why.first().evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await why.first().textContent()).toContain('shop/frontend-allow: egress rule 1 matches neither the destination');
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'trace-fix-denied.png') });

    await page.getByTestId('trace-try-fix').click();
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('delivered');
    expect(await page.getByTestId('trace-whatif-change').textContent()).toContain('with the cluster’s policies: denied by networkpolicy');
    const yaml = await page.getByTestId('trace-whatif').inputValue();
    const docs = parseDocuments(yaml, 'what-if') as { kind: string; metadata: { name: string; namespace: string } }[];
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual(['NetworkPolicy shop/frontend-allow', 'NetworkPolicy shop/db-allow']);
    expect(await page.getByTestId('trace-policy-line').evaluateAll((items) => items.map((i) => i.getAttribute('data-verdict')))).toEqual(['allowed', 'allowed']);
    expect(await page.getByTestId('trace-try-fix').count()).toBe(0);

    // The user takes the YAML with them.
    await page.getByRole('button', { name: 'Copy the what-if YAML' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(yaml);
    await page.screenshot({ path: join(resultsDir, 'trace-fix-delivered.png') });
    expect(opened.problems, opened.problems.join('\n')).toEqual([]);
  });
});
