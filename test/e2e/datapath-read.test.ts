// "Read this node's datapath" end to end (issue 13), in Debian's Chromium:
// - a snapshot holding lab-1's reading (test/fixtures/datapath/lab-cluster.ts) draws the veth
//   names the probe observed, upright, where the unread lab-2 keeps `veth?` and italic names; the
//   datapath problems (a pod with no veth) are in the Problems panel; and the read action, in the
//   node's menu and its details, says why a snapshot cannot be read;
// - on a live context of the real control plane, asking to read a node shows the consent to
//   create a debug pod (namespace, image, privileges, deleted afterwards); Cancel creates nothing.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Pod } from '../../shared/kube/objects.ts';
import { serializeSnapshot, snapshotFormat, snapshotVersion } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { probeLabel } from '../../electron/backend/probe/probe-pod.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { adminApi, connectControlPlane, type KubeApi } from '../cluster/harness.ts';
import { labObjects, labPodObject, labReading } from '../fixtures/datapath/lab-cluster.ts';
import { usePage } from './page.ts';
import { launchChromium, startServe, type RunningServe } from './serve.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: browser tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);
const kubeconfig = inject('kubeconfig');
if (!kubeconfig) console.log('skipped: the live datapath read in the browser needs the test control plane (see "control plane unavailable" above)');

type View = {
  podpathView: {
    renderedCenter(id: string): { x: number; y: number } | null;
    drawnLabel(id: string): { text: string; fontStyle: string } | null;
    problemIds(): { id: string; severity: string }[];
  };
};
const centerOf = (page: Page, id: string) => page.evaluate((i) => (window as unknown as View).podpathView.renderedCenter(i), id);
const labelOf = (page: Page, id: string) => page.evaluate((i) => (window as unknown as View).podpathView.drawnLabel(i), id);

/** The lab with a pod the API places on lab-1 that lab-1's reading has no veth for. */
const snapshot = (() => {
  const objects = labObjects();
  objects.pods.push(labPodObject('ghost-0', 'lab-1', '10.244.0.7'));
  return {
    format: snapshotFormat,
    version: snapshotVersion,
    source: { context: 'lab', server: null, kubernetesVersion: null, capturedAt: '2026-01-01T00:00:00Z' },
    objects,
    datapath: [labReading()],
  } as const;
})();
const topology = derive(snapshot.objects, { ...snapshot.source, datapath: snapshot.datapath });
const file = join(mkdtempSync(join(tmpdir(), 'podpath-datapath-')), 'lab.podpath.json');
writeFileSync(file, serializeSnapshot({ ...snapshot, datapath: [...snapshot.datapath] }));

const vethOf = (name: string) => {
  const pod = Object.values(topology.pods).find((p) => p.name === name);
  return pod?.veth ? topology.veths[pod.veth] : undefined;
};

describe.skipIf(!hasChromium)('a snapshot with a node reading, in Chromium', () => {
  let page: Page;
  let pageProblems: string[] = [];
  usePage(['--snapshot', file], (opened) => ({ page, problems: pageProblems } = opened));

  test('observed veth names and devices are drawn upright on the read node; the unread node keeps veth? and italics', async () => {
    const web0 = vethOf('web-0');
    expect(web0?.hostEnd).toMatchObject({ provenance: 'observed', name: expect.stringMatching(/^veth/) });
    expect(await labelOf(page, web0!.id)).toEqual({ text: web0!.hostEnd.name, fontStyle: 'normal' });
    expect(await labelOf(page, vethOf('web-2')!.id)).toMatchObject({ text: 'veth?' });
    const cni0 = (host: string) => Object.values(topology.devices).find((d) => d.host === `node:${host}` && d.name === 'cni0')!;
    expect(cni0('lab-1').nameProvenance).toBe('observed');
    expect((await labelOf(page, cni0('lab-1').id))?.fontStyle).toBe('normal');
    expect((await labelOf(page, cni0('lab-2').id))?.fontStyle).toBe('italic');
  });

  test('the datapath problems are in the Problems panel, and ringed on the graph', async () => {
    await page.getByTestId('problems').click();
    const ghost = page.locator('[data-testid="problem"][data-kind="datapath-pod-without-veth"]');
    await expect.poll(() => ghost.count()).toBe(1);
    expect(await ghost.textContent()).toContain("lab-1's datapath has no veth to it");
    expect(await page.locator('[data-testid="problem"][data-kind="datapath-unread"]').textContent()).toContain('nft -j list ruleset');
    expect((await page.evaluate(() => (window as unknown as View).podpathView.problemIds())).map((p) => p.id)).toContain('pod:uid-ghost-0');
    await page.keyboard.press('Escape');
  });

  test("the node's menu offers the read but says why a snapshot cannot be read; choosing it does nothing", async () => {
    const at = (await centerOf(page, 'node:lab-1'))!;
    await page.mouse.click(at.x, at.y, { button: 'right' });
    const item = page.getByRole('menuitem', { name: /Read this node's datapath/ });
    expect(await item.getAttribute('aria-disabled')).toBe('true');
    expect(await page.getByTestId('context-menu-note').textContent()).toContain('This is a snapshot file: there are no nodes to read now');
    // aria-disabled: Playwright would wait for it to be enabled; a user can still click it.
    await item.click({ force: true });
    expect(await page.getByTestId('datapath-dialog').count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  test("the node's details say when and from where it was read, and why it cannot be read again here", async () => {
    const at = (await centerOf(page, 'node:lab-1'))!;
    await page.mouse.click(at.x, at.y);
    const section = page.getByTestId('node-datapath');
    await expect.poll(() => section.textContent()).toContain('from pp-parsers-lab-node (netns)');
    expect(await section.getByRole('button', { name: 'Read this node again' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('datapath-unavailable').textContent()).toContain('Open a live context');
    expect(pageProblems).toEqual([]);
  });
});

describe.skipIf(!hasChromium || !kubeconfig)('reading a node of a live cluster, in Chromium', () => {
  const node = `ui-probe-${randomBytes(3).toString('hex')}`;
  let api: KubeApi;
  let browser: Browser;
  let server: RunningServe;

  beforeAll(async () => {
    api = adminApi(connectControlPlane(kubeconfig));
    await api.createNode(node, { podCIDR: '10.251.9.0/24', internalIP: '172.31.9.1' });
    server = await startServe(['--kubeconfig', kubeconfig, '--context', 'admin']);
    browser = await launchChromium(chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.deleteObject(`/api/v1/nodes/${node}`);
    await api?.close();
  });

  test('asking to read a node shows the consent — what will be created, where, with which privileges — and Cancel creates nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="graph"][data-element-count]', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await expect.poll(() => centerOf(page, `node:${node}`), { timeout: 15_000 }).not.toBeNull();
    const at = (await centerOf(page, `node:${node}`))!;
    await page.mouse.click(at.x, at.y, { button: 'right' });
    await page.getByRole('menuitem', { name: /Read this node's datapath/ }).click();

    const dialog = page.getByTestId('datapath-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 20_000 }).toBe('consent');
    const consent = (await page.getByTestId('datapath-consent').textContent()) ?? '';
    expect(consent).toContain(node);
    expect(consent).toContain('default');
    expect(consent).toContain('nicolaka/netshoot:v0.15');
    expect(consent).toContain('privileged');
    expect(consent).toContain('deleted as soon as the read ends');
    expect(consent).toContain('SelfSubjectAccessReview');
    // The safe choice has the focus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('datapath-cancel');
    await page.screenshot({ path: 'test-results/datapath-consent.png' });
    await page.getByTestId('datapath-cancel').click();
    expect(await dialog.count()).toBe(0);
    expect(await api.list<Pod>(`/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(`${probeLabel}=true`)}`)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
