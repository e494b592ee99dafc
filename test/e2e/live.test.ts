// Browser mode on a live context of the real control plane, in Chromium: kinds' states, a change
// in the cluster reaching the graph in place, and the RBAC-limited picture.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { adminApi, connectControlPlane, type KubeApi } from '../cluster/harness.ts';
import { startServe, type RunningServe, launchChromium } from './serve.ts';

const kubeconfig = inject('kubeconfig');
const hasChromium = existsSync(chromiumPath);
if (!kubeconfig) console.log('skipped: live browser tests need the test control plane (see "control plane unavailable" above)');
if (!hasChromium) console.log(`skipped: live browser tests need Debian's Chromium at ${chromiumPath}`);

const suffix = randomBytes(3).toString('hex');
const ns = `ui-${suffix}`;
const node = `ui-${suffix}`;

type View = { podpathView: { renderedCenter(id: string): { x: number; y: number } | null } };
const centerOf = (page: Page, id: string) => page.evaluate((i) => (window as unknown as View).podpathView.renderedCenter(i), id);
const elementCount = async (page: Page) => Number(await page.getByTestId('graph').getAttribute('data-element-count'));
const podsChip = async (page: Page) => Number(/\d+/.exec((await page.locator('[data-testid="kinds"] [data-kind="pods"]').textContent()) ?? '')?.[0] ?? NaN);
const kindState = (page: Page, kind: string) => page.locator(`[data-testid="kinds"] [data-kind="${kind}"]`).getAttribute('data-state');

describe.skipIf(!kubeconfig || !hasChromium)('browser mode on a live cluster', () => {
  let api: KubeApi;
  let browser: Browser;
  const servers: RunningServe[] = [];
  const uids: Record<string, string> = {};

  async function openPage(context: string, extra: string[] = []): Promise<Page> {
    const server = await startServe(['--kubeconfig', kubeconfig, '--context', context, ...extra]);
    servers.push(server);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    // Drawn, or (nothing visible to this user) saying so.
    await expect.poll(async () => (await elementCount(page)) > 0 || (await page.getByTestId('empty-view').isVisible()), { timeout: 30_000 }).toBe(true);
    return page;
  }

  beforeAll(async () => {
    api = adminApi(connectControlPlane(kubeconfig));
    await api.createNamespace(ns);
    await api.createNode(node, { podCIDR: '10.251.1.0/24', internalIP: '172.31.0.1' });
    for (const name of ['web-1', 'web-2']) {
      const pod = await api.createPod(ns, { name, labels: { app: 'web' }, nodeName: node });
      uids[name] = pod.metadata.uid;
      await api.setPodStatus(ns, name, { podIP: name === 'web-1' ? '10.251.1.5' : '10.251.1.6', hostIP: '172.31.0.1' });
    }
    await api.createService(ns, { name: 'web', selector: { app: 'web' }, ports: [{ port: 80 }] });
    browser = await launchChromium(chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.stop();
    await api?.deleteObject(`/api/v1/namespaces/${ns}`);
    await api?.deleteObject(`/api/v1/nodes/${node}`);
    await api?.close();
  });

  test('each kind shows its state, and a new pod appears without moving what was drawn', async () => {
    const page = await openPage('admin');
    await expect.poll(() => kindState(page, 'pods'), { timeout: 15_000 }).toBe('live');
    expect(await kindState(page, 'nodes')).toBe('live');
    await expect.poll(() => centerOf(page, `pod:${uids['web-1']}`), { timeout: 15_000 }).not.toBeNull();

    const watched = [`pod:${uids['web-1']}`, `pod:${uids['web-2']}`, `node:${node}`, `svc:${ns}/web`];
    const before = await Promise.all(watched.map((id) => centerOf(page, id)));
    const count = await elementCount(page);

    const added = await api.createPod(ns, { name: 'web-3', labels: { app: 'web' }, nodeName: node });
    await api.setPodStatus(ns, 'web-3', { podIP: '10.251.1.7', hostIP: '172.31.0.1' });
    await expect.poll(() => centerOf(page, `pod:${added.metadata.uid}`), { timeout: 15_000 }).not.toBeNull();
    await expect.poll(() => elementCount(page), { timeout: 15_000 }).toBeGreaterThan(count);

    // The kind's count follows the cluster's: other test files add and delete pods concurrently,
    // so it is compared with the API's own count at each poll, not with the count before.
    await expect
      .poll(async () => {
        const [shown, listed] = await Promise.all([podsChip(page), api.list('/api/v1/pods')]);
        return shown === listed.length;
      }, { timeout: 15_000 })
      .toBe(true);

    const after = await Promise.all(watched.map((id) => centerOf(page, id)));
    // Pods and the Service stay put; the node's box may only grow around its new pod.
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after[3]).toEqual(before[3]);
    await page.screenshot({ path: 'test-results/live-admin.png' });
  });

  test('a trace follows the live cluster: endpoints going unready, then a NetworkPolicy, change its verdict', async () => {
    const page = await openPage('admin');
    // The first test may have added web-3: every web pod there is.
    const listed = await api.list<{ metadata: { name: string }; status?: { podIP?: string } }>(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`);
    const webPods = listed.map((p) => [p.metadata.name, p.status?.podIP ?? ''] as const);
    await api.createPod(ns, { name: 'client', labels: { app: 'client' }, nodeName: node });
    await api.setPodStatus(ns, 'client', { podIP: '10.251.1.9', hostIP: '172.31.0.1' });
    // The real endpointslice controller publishes the ready web pods.
    await api.waitFor(async () => {
      const slices = await api.endpointSlicesOf(ns, 'web');
      const ready = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
      return ready.length >= 2 ? ready : null;
    }, 30_000, 'ready endpoints of web');
    await page.keyboard.press('t');
    await page.getByTestId('trace-from').fill(`${ns}/client`);
    // By ClusterIP: this control plane runs no cluster DNS, so a name would not resolve (and the
    // trace would say so).
    const clusterIP = (await api.get<{ spec: { clusterIP: string } }>(`/api/v1/namespaces/${ns}/services/web`)).spec.clusterIP;
    await page.getByTestId('trace-to').fill(`${clusterIP}:80`);
    const result = page.getByTestId('trace-result');
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 15_000 }).toBe('delivered');
    expect(await page.getByTestId('trace-branches').getByRole('radio').count()).toBeGreaterThanOrEqual(2);

    // Every web pod not ready: the controller marks the endpoints, kube-proxy would reject.
    for (const [name, ip] of webPods) await api.setPodStatus(ns, name, { podIP: ip, hostIP: '172.31.0.1', ready: false });
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 30_000 }).toBe('no-endpoints');

    // Ready again, then a default-deny for the web pods: denied, and the policy named.
    for (const [name, ip] of webPods) await api.setPodStatus(ns, name, { podIP: ip, hostIP: '172.31.0.1' });
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 30_000 }).toBe('delivered');
    await api.createNetworkPolicy(ns, { name: 'web-deny', podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 15_000 }).toBe('policy-denied');
    // The denial reads as the trace's blocker, naming the policy behind it.
    expect(await page.getByTestId('trace-blockers').textContent()).toContain(`${ns}/web-deny`);
    await page.screenshot({ path: 'test-results/live-trace-denied.png' });
  });

  test('the RBAC-limited user sees Nodes forbidden and the namespaces it may read', async () => {
    const page = await openPage('limited', ['-n', 'team-b']);
    await expect.poll(() => kindState(page, 'nodes'), { timeout: 15_000 }).toBe('forbidden');
    expect(await kindState(page, 'pods')).toBe('live');
    expect(await page.getByTestId('kinds').textContent()).toMatch(/forbidden/);
    // team-b holds nothing this user may see drawn: the canvas says so instead of staying blank.
    await expect.poll(() => page.getByTestId('empty-view').textContent(), { timeout: 15_000 }).toMatch(/Nothing to draw[\s\S]*Not readable: .*node/i);
  });
});
