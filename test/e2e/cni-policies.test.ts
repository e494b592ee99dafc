// Calico policies in Chromium (issue 15): `podpath serve` on a snapshot of the CNI policy tests'
// cluster (test/fixtures/cni-policies/cluster.yaml) with two Calico tiers and an admin policy.
// The pod's details list the Calico policies that select it in the order Calico tries them, and
// its NetworkPolicy lines say the other layers apply; a link opens a policy; a trace names the
// Calico rule that decided, the Pass before it, a tier's end; a pasted Calico policy is a what-if.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDocuments } from '../../shared/kube/documents.ts';
import { mergeObjects, objectsFromDocuments } from '../../shared/kube/manifests.ts';
import { serializeSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { repoRoot } from './serve.ts';
import { openPage, type OpenPage } from './page.ts';
import { calicoGnp, calicoTiered, calicoTiers } from '../cni-policies/manifests.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const resultsDir = join(repoRoot, 'test-results');
const clusterFile = join(repoRoot, 'test/fixtures/cni-policies/cluster.yaml');
const policies = `${calicoTiers}apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: protect-shop}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
  - name: deny-system
    action: Deny
    from: [{namespaces: {matchLabels: {env: system}}}]
---
${calicoTiered}`;

async function clickElement(page: Page, id: string): Promise<void> {
  const center = await page.evaluate((id) => (window as unknown as { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } }).podpathView.renderedCenter(id), id);
  expect(center, `${id} is drawn`).not.toBeNull();
  await page.mouse.click(center!.x, center!.y);
}

describe.skipIf(!hasChromium)('Calico policies in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-cni-e2e-'));
  const file = join(dir, 'calico.podpath.json');
  const objects = mergeObjects([
    objectsFromDocuments(parseDocuments(readFileSync(clusterFile, 'utf8'), clusterFile), clusterFile).objects,
    objectsFromDocuments(parseDocuments(policies, 'policies'), 'policies').objects,
  ]);
  const podId = (name: string) => Object.values(derive(structuredClone(objects)).pods).find((p) => `${p.namespace}/${p.name}` === name)!.id;
  let opened: OpenPage;
  let page: Page;

  beforeAll(async () => {
    writeFileSync(file, serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'calico-policies', server: null, kubernetesVersion: null, capturedAt: '2026-12-07T00:00:00Z' }, objects }));
    opened = await openPage(['--snapshot', file]);
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a pod's details: the Calico policies that select it, tier by tier, each rule in a line; the NetworkPolicy line names the other layers; a link opens the policy", async () => {
    const web = podId('shop/web');
    await clickElement(page, web);
    const details = page.getByTestId('details');
    await expect.poll(() => details.getAttribute('data-selected'), { timeout: 10_000 }).toBe(web);

    // Not "anyone may connect": the admin policy and both Calico tiers have a say first.
    expect(await page.getByTestId('policy-line-ingress').innerText()).toBe('Ingress: not isolated by NetworkPolicy — but ClusterNetworkPolicy protect-shop, Calico tier security and Calico tier platform also apply; see below');
    expect(await page.getByTestId('policy-line-egress').innerText()).toBe('Egress: not isolated: may reach anything');

    const section = page.locator('.details-section', { has: page.getByTestId('cni-policies') });
    await expect.poll(() => section.locator('h3').textContent()).toBe('Selected by Calico policies (2)');
    expect(await section.getByTestId('cni-policies-order').textContent()).toMatch(/^Calico tries its tiers by order, lowest first, .* Pass skips to the next tier/);
    const items = section.getByTestId('cni-policy');
    expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-policy')))).toEqual(['calgnp:security.pass-web', 'calgnp:platform.web']);
    expect(await items.nth(0).innerText()).toMatch(/^Calico GlobalNetworkPolicy security\.pass-web\s+tier security \(order 100\) · order 20\napplies to its ingress\nPass ingress from namespaces env == "dev"$/);
    expect(await items.nth(1).getByTestId('cni-rule').allInnerTexts()).toEqual(['Allow ingress from selector app == "client" in namespaces env == "dev" · to ports 8080 · protocol TCP']);
    mkdirSync(resultsDir, { recursive: true });
    await page.locator('.details-section', { has: page.getByTestId('policy-line-ingress') }).screenshot({ path: join(resultsDir, 'cni-policies-pod-lines.png') });
    await section.screenshot({ path: join(resultsDir, 'cni-policies-pod.png') });

    await items.nth(1).getByRole('button', { name: 'Calico GlobalNetworkPolicy platform.web' }).click();
    await expect.poll(() => details.getAttribute('data-selected')).toBe('calgnp:platform.web');
    expect(await details.locator('.details-kind').textContent()).toBe('Calico GlobalNetworkPolicy');
    expect(await details.locator('h2').first().textContent()).toBe('platform.web');
    expect(await page.getByTestId('cni-policy-place').textContent()).toBe('tier platform (order 200) · order 10 · types Ingress');
    expect(await page.getByTestId('cni-policy-rule').allInnerTexts()).toEqual(['Allow ingress from selector app == "client" in namespaces env == "dev" · to ports 8080 · protocol TCP']);
    await expect.poll(() => details.getByRole('heading', { name: 'Selects 1 pod' }).count()).toBe(1);
    // The trimmed object, and the kubectl command for Calico's resource, not Kubernetes' NetworkPolicy.
    await details.getByTestId('kubernetes-object').locator('summary').click();
    await expect.poll(() => page.getByTestId('object-yaml').textContent()).toMatch(/tier: platform/);
    expect(await details.getByTestId('kubernetes-object').innerText()).toMatch(/kubectl get globalnetworkpolicies\.projectcalico\.org platform\.web -o yaml/);
    await details.screenshot({ path: join(resultsDir, 'cni-policies-policy.png') });
    // The tier link opens the Tier, with its policies in order.
    await details.getByRole('button', { name: '(the tier)' }).click();
    await expect.poll(() => details.getAttribute('data-selected')).toBe('caltier:platform');
    expect(await details.locator('.details-kind').textContent()).toBe('Calico Tier');
  });

  test('a trace names the Calico rule that decided and its tier, the Pass before it, a tier\'s end; a pasted Calico policy is a what-if', async () => {
    await clickElement(page, podId('shop/db'));
    await page.getByTestId('trace-to-here').click();
    await page.getByTestId('trace-from').fill('dev/client');
    await page.getByTestId('trace-port').fill('5432');
    const verdict = page.getByTestId('trace-verdict');
    await expect.poll(() => verdict.locator('strong').textContent(), { timeout: 10_000 }).toBe('Denied by Calico GlobalNetworkPolicy');
    const denied = page.getByTestId('trace-blockers').getByTestId('trace-policy-cni');
    expect(await denied.getAttribute('data-layer')).toBe('calico');
    expect(await denied.innerText()).toBe('Decided in Calico tier security by Calico GlobalNetworkPolicy security.deny-dev-db ingress rule 1 (order 10): Deny from namespaceSelector env == "dev"');
    // The client's egress, which no Calico policy selects, went through Calico's tiers all the same.
    expect(await page.getByTestId('trace-policy').locator('h3').textContent()).toBe('Policy: Calico tiers (admin tiers and NetworkPolicy among them)');
    await page.getByTestId('trace-result').screenshot({ path: join(resultsDir, 'cni-policies-trace.png') });

    // To the web pod: passed on by the security tier, allowed by the platform tier.
    await clickElement(page, podId('shop/web'));
    await page.getByTestId('trace-to-here').click();
    await page.getByTestId('trace-port').fill('8080');
    await expect.poll(() => verdict.locator('strong').textContent(), { timeout: 10_000 }).toBe('Delivered');
    const block = page.getByTestId('trace-policy');
    expect(await block.locator('h3').textContent()).toBe('Policy: Calico tiers (admin tiers and NetworkPolicy among them)');
    expect((await block.getByTestId('trace-policy-cni').innerText()).split('\n')).toEqual([
      'Passed on in Calico tier security by Calico GlobalNetworkPolicy security.pass-web ingress rule 1 (order 20): Pass from namespaceSelector env == "dev"',
      'Decided in Calico tier platform by Calico GlobalNetworkPolicy platform.web ingress rule 1 (order 10): Allow protocol TCP, from selector app == "client" in namespaceSelector env == "dev", to port 8080/TCP',
    ]);
    await page.getByTestId('trace-result').screenshot({ path: join(resultsDir, 'cni-policies-trace-pass.png') });

    // Another port: the platform tier's policy selects the pod but matches nothing — its end denies.
    await page.getByTestId('trace-port').fill('9090');
    await expect.poll(() => verdict.locator('strong').textContent(), { timeout: 10_000 }).toBe('Denied by Calico tier platform');
    expect(await page.getByTestId('trace-blockers').getByTestId('trace-policy-cni').innerText()).toMatch(/^Passed on in Calico tier security by .*\nDecided at the end of Calico tier platform: no rule of tier platform's policies that select the pod matched, and the tier's default action is Deny$/);

    // What if the platform tier allowed 9090 too: the pasted policy replaces the cluster's.
    expect(await page.locator('.trace-whatif summary').textContent()).toBe('What if… (a NetworkPolicy, admin, Calico or Cilium policy to try)');
    await page.locator('.trace-whatif summary').click();
    await page.getByTestId('trace-whatif').fill(calicoGnp('platform.web', '  tier: platform\n  order: 10\n  selector: app == "web"\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source: {selector: app == "client", namespaceSelector: env == "dev"}\n    destination: {ports: [8080, 9090]}\n'));
    await expect.poll(() => verdict.locator('strong').textContent(), { timeout: 10_000 }).toBe('Delivered');
    expect(await page.locator('.trace-problem').count()).toBe(0);

    // The link in the trace opens the policy that decided.
    await page.getByTestId('trace-policy').getByRole('button', { name: 'Calico GlobalNetworkPolicy platform.web' }).click();
    await expect.poll(() => page.getByTestId('details').getAttribute('data-selected')).toBe('calgnp:platform.web');
    expect(opened.problems).toEqual([]);
  });
});
