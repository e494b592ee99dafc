// Admin policies in Chromium (issue 15): `podpath serve` on a snapshot of network-policy-api's
// conformance pods (test/fixtures/admin-policies/conformance-cluster.yaml) with a
// ClusterNetworkPolicy in the admin tier and a BaselineAdminNetworkPolicy. The pod's details say
// which admin policies select it, in the order tried, with their rules; a link opens the policy;
// a trace names the rule that decided, and the one that passed the flow on.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDocuments } from '../../shared/kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../shared/kube/manifests.ts';
import { serializeSnapshot } from '../../shared/snapshot/format.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { openPage, type OpenPage } from './page.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');
const clusterFile = join(repoRoot, 'test/fixtures/admin-policies/conformance-cluster.yaml');
const gryffindor = 'network-policy-conformance-gryffindor';
const policies = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: protect-gryffindor }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: { matchLabels: { conformance-house: gryffindor } } }
  ingress:
  - name: deny-from-slytherin
    action: Deny
    from: [{ namespaces: { matchLabels: { conformance-house: slytherin } } }]
  - name: pass-from-ravenclaw
    action: Pass
    from: [{ namespaces: { matchLabels: { conformance-house: ravenclaw } } }]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: { name: default }
spec:
  subject: { namespaces: {} }
  ingress:
  - name: deny-ravenclaw
    action: Deny
    from: [{ namespaces: { matchLabels: { conformance-house: ravenclaw } } }]
`;

async function clickElement(page: Page, id: string): Promise<void> {
  const center = await page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView.renderedCenter(id), id);
  expect(center, `${id} is drawn`).not.toBeNull();
  await page.mouse.click(center!.x, center!.y);
}

describe.skipIf(!hasChromium)('admin policies in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-admin-e2e-'));
  const file = join(dir, 'admin.podpath.json');
  let opened: OpenPage;
  let page: Page;

  beforeAll(async () => {
    const cluster = objectsFromDocuments(parseDocuments(readFileSync(clusterFile, 'utf8'), clusterFile), clusterFile).objects;
    const objects = mergeObjects([cluster, objectsFromDocuments(parseDocuments(policies, 'policies'), 'policies').objects]);
    writeFileSync(file, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'admin-policies', server: null, kubernetesVersion: null, capturedAt: '2026-12-07T00:00:00Z' }, objects }));
    opened = await openPage(['--snapshot', file]);
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a pod's details: the admin policies that select it, in the order tried, each with its subject and rules; a link opens the policy", async () => {
    await clickElement(page, 'pod:pod-harry-potter-0');
    const details = page.getByTestId('details');
    await expect.poll(() => details.getAttribute('data-selected'), { timeout: 10_000 }).toBe('pod:pod-harry-potter-0');

    const section = page.locator('.details-section', { has: page.getByTestId('admin-policies') });
    await expect.poll(() => section.locator('h3').textContent()).toBe('Selected by admin policies (2)');
    expect(await page.getByTestId('admin-policies-order').textContent()).toMatch(/tried before NetworkPolicy and its Allow or Deny is final/);
    // The admin tier first, then the baseline: the order they are evaluated in.
    const items = section.getByTestId('admin-policy');
    expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-policy')))).toEqual(['cnp:protect-gryffindor', 'banp:default']);
    const first = items.nth(0);
    expect(await first.innerText()).toMatch(/^ClusterNetworkPolicy protect-gryffindor\s+admin tier · priority 10\nselects pods in namespaces conformance-house=gryffindor/);
    expect(await first.getByTestId('admin-rule').allInnerTexts()).toEqual([
      'Deny ingress from namespaces conformance-house=slytherin · any port (deny-from-slytherin)',
      'Pass ingress from namespaces conformance-house=ravenclaw · any port (pass-from-ravenclaw)',
    ]);
    expect(await items.nth(1).innerText()).toMatch(/^BaselineAdminNetworkPolicy default\s+baseline tier\nselects pods in every namespace/);
    mkdirSync(resultsDir, { recursive: true });
    await section.screenshot({ path: join(resultsDir, 'admin-policies-pod.png') });

    await first.getByRole('button', { name: 'ClusterNetworkPolicy protect-gryffindor' }).click();
    await expect.poll(() => details.getAttribute('data-selected')).toBe('cnp:protect-gryffindor');
    expect(await details.locator('.details-kind').textContent()).toBe('ClusterNetworkPolicy');
    expect(await details.locator('h2').first().textContent()).toBe('protect-gryffindor');
    expect(await page.getByTestId('admin-rules-ingress').locator('li').allInnerTexts()).toEqual([
      'Deny deny-from-slytherin\nfrom namespaces conformance-house=slytherin · any port',
      'Pass pass-from-ravenclaw\nfrom namespaces conformance-house=ravenclaw · any port',
    ]);
    await expect.poll(() => details.getByRole('heading', { name: 'Selects 2 pods' }).count()).toBe(1);
    expect(await details.getByRole('button', { name: `${gryffindor}/harry-potter-1` }).count()).toBe(1);
  });

  test('a trace names the deciding admin rule and its tier; through a Pass, the baseline rule that decided', async () => {
    await clickElement(page, 'pod:pod-harry-potter-0');
    await page.getByTestId('trace-to-here').click();
    await page.getByTestId('trace-from').fill('network-policy-conformance-slytherin/draco-malfoy-0');
    await page.getByTestId('trace-port').fill('80');
    const verdict = page.getByTestId('trace-verdict');
    await expect.poll(() => verdict.locator('strong').textContent(), { timeout: 10_000 }).toBe('Denied by ClusterNetworkPolicy');
    const admin = page.getByTestId('trace-blockers').getByTestId('trace-policy-admin');
    expect(await admin.getAttribute('data-layer')).toBe('admin');
    expect(await admin.innerText()).toBe('Decided in the admin tier by ClusterNetworkPolicy protect-gryffindor ingress rule 1 "deny-from-slytherin" (priority 10): Deny from namespaces conformance-house=slytherin, any port');
    await page.getByTestId('trace-result').screenshot({ path: join(resultsDir, 'admin-policies-trace.png') });

    await page.getByTestId('trace-from').fill('network-policy-conformance-ravenclaw/luna-lovegood-0');
    await expect.poll(() => verdict.locator('strong').textContent(), { timeout: 10_000 }).toBe('Denied by BaselineAdminNetworkPolicy');
    expect(await admin.getAttribute('data-layer')).toBe('baseline');
    expect((await admin.innerText()).split('\n')).toEqual([
      'Passed on in the admin tier by ClusterNetworkPolicy protect-gryffindor ingress rule 2 "pass-from-ravenclaw" (priority 10): Pass from namespaces conformance-house=ravenclaw, any port',
      'Decided in the baseline tier by BaselineAdminNetworkPolicy default ingress rule 1 "deny-ravenclaw": Deny from namespaces conformance-house=ravenclaw, any port',
    ]);
    // The link in the trace opens the policy that decided.
    await admin.getByRole('button', { name: 'BaselineAdminNetworkPolicy default' }).click();
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected')).toBe('banp:default');
    expect(opened.problems).toEqual([]);
  });
});
