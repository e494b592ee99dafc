// A denial and "Try a fix" end to end (issues 11 and 17): `podpath serve --demo` in Debian's
// Chromium. The demo's shop denies the frontend the database; the denial reads in two lines, said
// once, and "Try a fix" fills the What-if box with the policy change that allows it, which the
// panel traces: delivered. With DNS denied too, the trace names all three blockers, and one "Try a
// fix" clears them all.
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

const forgotDns = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
`;

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

  test('frontend → db.shop:5432 with DNS denied: the lookup\'s blocker and the connection\'s, in path order, each with its fix; one Try a fix → delivered', async () => {
    const { page } = opened;
    // The trace panel is open still (the test before opened it), or opened afresh.
    if (!(await page.getByTestId('trace-from').isVisible())) await page.keyboard.press('t');
    await page.getByTestId('trace-from').fill('shop/frontend-855456765f-rx8bk');
    await page.getByTestId('trace-to').fill('db.shop');
    await page.getByTestId('trace-port').fill('5432');
    // A namespace whose default-deny forgot DNS: the demo's allow-dns-egress, emptied.
    if (!(await page.getByTestId('trace-whatif').isVisible())) await page.locator('.trace-whatif summary').click();
    await page.getByTestId('trace-whatif').fill(forgotDns);
    const result = page.getByTestId('trace-result');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('policy-denied');

    const blockers = page.getByTestId('trace-blockers').locator('[data-blocker]');
    expect(await blockers.evaluateAll((items) => items.map((i) => i.getAttribute('data-blocker')))).toEqual(['dns-policy', 'egress', 'ingress']);
    const texts = await page.getByTestId('trace-blockers').getByTestId('trace-policy-text').allTextContents();
    expect(texts[0]).toMatch(/^frontend egress: no rule allows kube-system\/coredns-[\w-]+:53\/UDP$/);
    expect(texts.slice(1)).toEqual(['frontend egress: no rule allows shop/db-0:5432/TCP', 'db-0 ingress: only app=backend or app=db is allowed on 5432/TCP']);
    expect(await page.getByTestId('trace-blocker-fix').allTextContents()).toEqual([
      'fix: shop/frontend-allow: egress rule 2 added, to k8s-app=kube-dns in kube-system on 53/UDP and 53/TCP',
      'fix: shop/frontend-allow: egress rule 3 added, to app=db on 5432/TCP',
      'fix: shop/db-allow: ingress rule 2 added, from app=frontend on 5432/TCP',
    ]);
    // The connection's lines are said once: not again in a NetworkPolicy section or the summary.
    const panel = (await page.getByTestId('trace-panel').textContent()) ?? '';
    for (const line of texts.slice(1)) expect(panel.split(line)).toHaveLength(2);
    await expect.poll(() => page.getByTestId('trace-dns-assumed').isVisible()).toBe(true);
    // Each subject links to its pod.
    await page.getByTestId('trace-blocker-subject').last().click();
    await expect.poll(() => page.getByTestId('details').textContent()).toContain('db-0');
    await page.screenshot({ path: join(resultsDir, 'trace-blockers.png') });

    await page.getByTestId('trace-try-fix').click();
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('delivered');
    expect(await page.getByTestId('trace-blockers').count()).toBe(0);
    const docs = parseDocuments(await page.getByTestId('trace-whatif').inputValue(), 'what-if') as { metadata: { name: string } }[];
    expect(docs.map((d) => d.metadata.name)).toEqual(['allow-dns-egress', 'frontend-allow', 'db-allow']);
    await page.screenshot({ path: join(resultsDir, 'trace-blockers-fixed.png') });
    expect(opened.problems, opened.problems.join('\n')).toEqual([]);
  });
});
