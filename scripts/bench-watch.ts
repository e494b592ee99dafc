/**
 * Watch event to pixels (design §9, issue 14): a private real control plane is filled with N pods
 * (bench-live.ts's fill), `podpath serve` runs on its `admin` context in a Node process of its own
 * (so its RSS is its own), and headless Chromium opens the live view. Then real changes go
 * through the real API server at a steady 100 writes/s for 30 s, in slots of ten:
 *   - 7 pod readiness flips (status patches; the EndpointSlice controller follows each, so the
 *     endpoints churn too),
 *   - a scale-up: a pod created, and in the next slot its status (IP, ready) patched in,
 *   - a scale-down: the oldest of those pods deleted.
 * Each change is timed from its watch event — the moment a watcher on this machine (this
 * process's own watch of every pod) received the object's new resourceVersion, or its DELETED
 * event — to the first animation frame after the graph drew a topology that shows it (the page
 * listens through `window.podpathView.onDidDraw`; page time is epoch ms via performance.timeOrigin,
 * and both clocks are this machine's). The time from the write's response is reported beside it.
 * A change the graph never showed before the run's end (plus a grace) is counted lost, unless a
 * later change to the same pod was shown instead (overtaken), or the pod was created and deleted
 * between two draws and never drawn (a backlog that long; the latencies show it too).
 * Memory: the serve process's RSS (/proc) and the page's JS heap (CDP) during the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { openBackend } from '../electron/backend/backend.ts';
import { chromiumExecutable, headlessChromiumArgs } from '../electron/cli/export-image.ts';
import { ensureRenderer } from '../electron/serve/renderer-build.ts';
import { serve } from '../electron/serve/serve.ts';
import { adminApi, startControlPlane, type KubeApi } from '../test/cluster/harness.ts';
import { printProfile, readableRenderer, type CpuProfile } from './bench-profile.ts';
import { PodEvents } from './bench-watch-events.ts';
import { installRecorder, recordArrivals, type RecorderWindow } from './bench-watch-page.ts';
import { fill } from './bench-live.ts';

const writesPerSecond = 100;
const runMs = 30_000;
/** How long after the last write a change may still reach the graph before it counts as lost. */
const graceMs = 20_000;
/** Issue 14's budget for the p95, by cluster size. */
const budgetMs: Record<number, number> = { 1_000: 100, 10_000: 250, 150_000: 500 };
const viewport = { width: 1600, height: 1000 };

/** PODPATH_BENCH_PROFILE=1: where the page's and the serve process's time goes (see printProfile). */
const isProfiling = process.env.PODPATH_BENCH_PROFILE === '1';
const profileDir = join(tmpdir(), `podpath-bench-watch-${process.pid}`);

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- `podpath serve` on the live context, in a process of its own ----------------------------

if (process.argv[2] === '--serve') {
  const backend = await openBackend({ kind: 'context', context: 'admin' }, { kubeconfigPaths: [process.argv[3]!] });
  const served = await serve({ backend, rendererDir: process.argv[4] ?? (await ensureRenderer(() => {})), host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ url: served.url }));
  process.once('SIGTERM', () => void served.close().then(() => backend.close()).then(() => process.exit(0)));
}

function startServe(kubeconfig: string, rendererDir: string | null): Promise<{ url: string; child: ChildProcess }> {
  const profile = isProfiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, ['--max-old-space-size=8192', ...profile, fileURLToPath(import.meta.url), '--serve', kubeconfig, ...(rendererDir ? [rendererDir] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    });
    child.once('exit', (code) => reject(new Error(`the serve process ended with code ${code}`)));
  });
}

function stopServe(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A process's resident set, in bytes (Linux). */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

// ---- the load -----------------------------------------------------------------------------

interface Change {
  kind: 'flip' | 'create' | 'ready' | 'delete';
  id: string;
  uid: string;
  /** What the graph must show: the pod ready (1), not ready (0), present (2) or gone (-1). */
  expect: number;
  sentAt: number;
  respondedAt?: number;
  resourceVersion?: string;
}

interface PodRef {
  namespace: string;
  name: string;
  uid: string;
  isReady: boolean;
}

const condition = (type: string, ok: boolean, at: string) => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: at });

function statusPatch(isReady: boolean, addresses?: { podIP: string; hostIP: string }) {
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    status: {
      ...(addresses
        ? { phase: 'Running', podIP: addresses.podIP, podIPs: [{ ip: addresses.podIP }], hostIP: addresses.hostIP, hostIPs: [{ ip: addresses.hostIP }] }
        : {}),
      conditions: [condition('PodScheduled', true, at), condition('Initialized', true, at), condition('ContainersReady', isReady, at), condition('Ready', isReady, at)],
      containerStatuses: [{ name: 'app', image: 'registry.invalid/podpath/app:1', imageID: '', ready: isReady, started: true, restartCount: 0, state: { running: { startedAt: at } } }],
    },
  };
}

/**
 * Writes at `writesPerSecond` for `runMs`, open loop (a slow answer does not delay the next
 * write), and returns every change made and the pods it scaled up (the caller deletes them once
 * the run is measured). `firstNamespace`'s node 0 holds the scaled pods.
 */
async function drive(api: KubeApi, flippable: PodRef[], firstNamespace: string, run: number): Promise<{ changes: Change[]; skipped: number; failed: number; writeMs: number; scaledUp: PodRef[] }> {
  const changes: Change[] = [];
  const node = `${firstNamespace}-0`;
  const scaled: { ref: PodRef; createdAt: number; isPatched: boolean }[] = [];
  let nextFlip = 0;
  let created = 0;
  let inFlight = 0;
  let skipped = 0;
  let failed = 0;
  const writes: Promise<void>[] = [];

  const write = (change: Change, request: () => Promise<{ metadata?: { resourceVersion?: string } } | void>) => {
    inFlight++;
    changes.push(change);
    writes.push(
      request()
        .then((object) => {
          change.respondedAt = now();
          change.resourceVersion = object?.metadata?.resourceVersion;
        })
        .catch(() => {
          failed++;
        })
        .finally(() => inFlight--),
    );
  };
  const flip = (sentAt: number) => {
    const ref = flippable[nextFlip++ % flippable.length]!;
    ref.isReady = !ref.isReady;
    write({ kind: 'flip', id: `pod:${ref.uid}`, uid: ref.uid, expect: ref.isReady ? 1 : 0, sentAt }, () =>
      api.patch(`/api/v1/namespaces/${ref.namespace}/pods/${ref.name}/status`, statusPatch(ref.isReady)),
    );
  };

  const start = now();
  const slots = (runMs / 1000) * writesPerSecond;
  for (let slot = 0; slot < slots; slot++) {
    const due = start + (slot * 1000) / writesPerSecond;
    if (due > now()) await sleep(due - now());
    const sentAt = now();
    if (inFlight >= 200) {
      skipped++;
      continue;
    }
    const step = slot % 10;
    if (step === 7) {
      const name = `churn-${run}-${created}`;
      created++;
      const entry = { ref: { namespace: firstNamespace, name, uid: '', isReady: false }, createdAt: sentAt, isPatched: false };
      const change: Change = { kind: 'create', id: '', uid: '', expect: 2, sentAt };
      inFlight++;
      writes.push(
        api
          .createPod(firstNamespace, { name, labels: { app: 'app-0' }, nodeName: node, ports: [{ name: 'http', containerPort: 8080 }] })
          .then((pod) => {
            change.respondedAt = now();
            change.uid = entry.ref.uid = pod.metadata.uid!;
            change.id = `pod:${pod.metadata.uid}`;
            change.resourceVersion = (pod.metadata as { resourceVersion?: string }).resourceVersion;
            changes.push(change);
            scaled.push(entry);
          })
          .catch(() => {
          failed++;
        })
          .finally(() => inFlight--),
      );
    } else if (step === 8) {
      const entry = scaled.find((s) => !s.isPatched);
      if (!entry) {
        flip(sentAt);
        continue;
      }
      entry.isPatched = true;
      const ip = `10.64.0.${100 + (scaled.indexOf(entry) % 150)}`;
      write({ kind: 'ready', id: `pod:${entry.ref.uid}`, uid: entry.ref.uid, expect: 1, sentAt }, () =>
        api.patch(`/api/v1/namespaces/${firstNamespace}/pods/${entry.ref.name}/status`, statusPatch(true, { podIP: ip, hostIP: '172.16.0.0' })),
      );
    } else if (step === 9) {
      const oldest = scaled[0];
      if (!oldest || !oldest.isPatched || sentAt - oldest.createdAt < 3_000) {
        flip(sentAt);
        continue;
      }
      scaled.shift();
      write({ kind: 'delete', id: `pod:${oldest.ref.uid}`, uid: oldest.ref.uid, expect: -1, sentAt }, () => api.deleteObject(`/api/v1/namespaces/${firstNamespace}/pods/${oldest.ref.name}`));
    } else {
      flip(sentAt);
    }
  }
  await Promise.all(writes);
  const writeMs = now() - start;
  return { changes, skipped, failed, writeMs, scaledUp: scaled.map((s) => s.ref) };
}


// ---- one size -----------------------------------------------------------------------------

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Result {
  pods: number;
  written: number;
  writesPerSecond: number;
  skipped: number;
  failed: number;
  shown: number;
  lost: number;
  /** The changes not shown by kind of change, those a later change to the same pod overtook told apart. */
  lostByKind: Record<string, number>;
  /** From the watch event; from the write's response. */
  fromEvent: number[];
  fromResponse: number[];
  /** The p50 from the event of the changes sent in each third of the run: a rise means a backlog. */
  byThird: number[];
  /** Per delta: from its arrival on the page's socket to the frame that drew it. */
  inPage: number[];
  /** Per delta: from its arrival at the browser (CDP) to the frame that drew it. */
  inBrowser: number[];
  deltas: number;
  draws: number;
  resyncs: number;
  clears: number;
  endpointSliceEvents: number;
  rss: { before: number; max: number };
  heap: { before: number; max: number };
}

async function waitForSettledView(page: Page): Promise<void> {
  const graph = page.getByTestId('graph');
  await page.waitForFunction(() => Number(document.querySelector('[data-element-count]')?.getAttribute('data-element-count') ?? 0) > 0, undefined, { timeout: 300_000, polling: 250 });
  await page.waitForFunction(() => document.querySelector('[data-testid="kinds"] [data-kind="pods"]')?.getAttribute('data-state') === 'live', undefined, { timeout: 300_000, polling: 250 });
  // The first layout (a worker's, on a large graph) done, and nothing drawn for two seconds.
  for (let quiet = 0; quiet < 4; ) {
    const before = await graph.getAttribute('data-element-count');
    await sleep(500);
    const isLayingOut = (await graph.getAttribute('data-laying-out')) !== null;
    quiet = !isLayingOut && before === (await graph.getAttribute('data-element-count')) ? quiet + 1 : 0;
  }
}

async function runSize(api: KubeApi, kubeconfig: string, pods: number, firstNamespace: string, run: number): Promise<Result> {
  const listed = await api.list<{ metadata: { namespace: string; name: string; uid: string }; status?: { conditions?: { type: string; status: string }[] } }>('/api/v1/pods');
  const flippable = listed
    .filter((p) => p.metadata.namespace.startsWith('bench-') && !p.metadata.name.startsWith('churn-'))
    .map((p) => ({ ...p.metadata, isReady: p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' }));
  // Round-robin in an order that spreads the flips over nodes and Services.
  flippable.sort((a, b) => (a.uid < b.uid ? -1 : 1));
  const { url, child } = await startServe(kubeconfig, isProfiling ? await readableRenderer(join(profileDir, 'renderer')) : null);
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: [...headlessChromiumArgs, '--enable-precise-memory-info'] });
  const events = new PodEvents(kubeconfig);
  try {
    const page = await browser.newPage({ viewport });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript(recordArrivals);
    await page.goto(url, { waitUntil: 'commit' });
    await waitForSettledView(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heapNow = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = { before: await heapNow(), max: 0 };
    const rss = { before: rssOf(child.pid!), max: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        rss.max = Math.max(rss.max, rssOf(child.pid!));
        heap.max = Math.max(heap.max, await heapNow());
        await sleep(1_000);
      }
    })();

    // When each delta reached the page, as CDP tells it. Blink's inspector agent sends this event
    // from the renderer, so a busy main thread delays it too: "at the browser" includes the wait
    // for the page's main thread, not only the network.
    const atBrowser = new Map<number, number>();
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketFrameReceived', ({ response }) => {
      if (!response.payloadData.includes('"didChangeTopology"')) return;
      const seq = /"seq":(\d+)/.exec(response.payloadData)?.[1];
      if (seq) atBrowser.set(Number(seq), now());
    });
    await page.evaluate(installRecorder);
    await events.start(api);
    if (isProfiling) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const driven = await drive(api, flippable, firstNamespace, run);
    if (isProfiling) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(tmpdir(), `podpath-bench-watch-${pods}.cpuprofile`), JSON.stringify(profile));
      printProfile(profile);
    }
    // Until the graph has been quiet for five seconds, within the grace.
    const graceEnd = now() + graceMs;
    for (;;) {
      const last = await page.evaluate(() => (window as unknown as RecorderWindow).__watch.draws.at(-1)?.at ?? 0);
      if (now() - last > 5_000 || now() > graceEnd) break;
      await sleep(250);
    }
    sampling = false;
    await sampler;
    const recorder = await page.evaluate(() => (window as unknown as RecorderWindow).__watch);
    // What was scaled up is scaled down again, so that every size starts from its fill alone:
    // after the grace, so that no change of the run is deleted before the graph could show it.
    await Promise.all(driven.scaledUp.map((ref) => api.deleteObject(`/api/v1/namespaces/${ref.namespace}/pods/${ref.name}`)));
    if (errors.length > 0) console.log(`  page errors: ${errors.join('; ')}`);
    const arrivals = await page.evaluate(() => (window as unknown as { __arrivals: Record<number, number> }).__arrivals);
    const inPage = recorder.draws.flatMap((d) => d.seqs.flatMap((seq) => (arrivals[seq] ? [d.at - arrivals[seq]] : [])));
    const inBrowser = recorder.draws.flatMap((d) => d.seqs.flatMap((seq) => (atBrowser.has(seq) ? [d.at - atBrowser.get(seq)!] : [])));

    // Each pod's states as drawn, in order; each change is matched to the first draw after it was sent that shows it.
    const drawnStates = new Map<string, { at: number; state: number }[]>();
    for (const draw of recorder.draws) for (const [id, state] of draw.pods) (drawnStates.get(id) ?? drawnStates.set(id, []).get(id)!).push({ at: draw.at, state });
    const fromEvent: number[] = [];
    const fromResponse: number[] = [];
    let lost = 0;
    const lostByKind: Record<string, number> = {};
    const done = driven.changes.filter((c) => c.respondedAt !== undefined);
    const thirds: number[][] = [[], [], []];
    const firstSent = done[0]?.sentAt ?? 0;
    const shownAt = (change: Change) => drawnStates.get(change.id)?.find((d) => d.at >= change.sentAt && (change.expect === 2 ? d.state >= 0 : d.state === change.expect));
    for (const change of done) {
      const shown = shownAt(change);
      if (!shown) {
        // Overtaken: a later change to the same pod was drawn before any frame showed this one, so
        // no frame could show it. Gone between draws: the pod was created, made ready and deleted
        // between two draws (each draw shows what the deltas since the last one made), so it was
        // never drawn at all: the page or the backend fell that far behind.
        const isOvertaken = done.some((c) => c.id === change.id && c.sentAt > change.sentAt && shownAt(c));
        const isGoneBetweenDraws = !drawnStates.has(change.id) && done.some((c) => c.id === change.id && c.kind === 'delete');
        const kind = isOvertaken ? `${change.kind} overtaken` : isGoneBetweenDraws ? `${change.kind} of a pod gone between draws` : change.kind;
        if (kind === change.kind) lost++;
        lostByKind[kind] = (lostByKind[kind] ?? 0) + 1;
        continue;
      }
      const eventAt = change.kind === 'delete' ? events.arrivals.get(`${change.uid}/deleted`) : events.arrivals.get(`${change.uid}/${change.resourceVersion}`);
      fromEvent.push(shown.at - (eventAt ?? change.respondedAt!));
      thirds[Math.min(2, Math.floor(((change.sentAt - firstSent) / runMs) * 3))]!.push(shown.at - (eventAt ?? change.respondedAt!));
      fromResponse.push(shown.at - change.respondedAt!);
    }
    return {
      pods,
      written: done.length,
      writesPerSecond: (done.length / driven.writeMs) * 1000,
      skipped: driven.skipped,
      failed: driven.failed,
      shown: fromEvent.length,
      lost,
      lostByKind,
      fromEvent,
      fromResponse,
      byThird: thirds.map((t) => percentile(t, 50)),
      inPage,
      inBrowser,
      deltas: recorder.deltas,
      draws: recorder.draws.length,
      resyncs: recorder.resyncs,
      clears: recorder.clears,
      endpointSliceEvents: events.endpointSliceEvents,
      rss,
      heap,
    };
  } finally {
    await events.stop();
    await browser.close().catch(() => {});
    await stopServe(child);
    if (isProfiling) {
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) printProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile, 'serve process (its whole life)');
      rmSync(profileDir, { recursive: true, force: true });
    }
  }
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const mb = (v: number) => `${(v / 2 ** 20).toFixed(0)} MB`;

function printResult(r: Result): void {
  const budget = budgetMs[r.pods];
  const p95 = percentile(r.fromEvent, 95);
  console.log(
    [
      String(r.pods).padEnd(7),
      `${r.writesPerSecond.toFixed(0)}/s`.padStart(6),
      `${r.shown}/${r.written}`.padStart(11),
      String(r.lost).padStart(5),
      `${r.deltas}/${r.draws}/${r.resyncs}`.padStart(12),
      String(r.endpointSliceEvents).padStart(7),
      `${ms(percentile(r.fromEvent, 50))} / ${ms(p95)} / ${ms(Math.max(...r.fromEvent))}`.padStart(22),
      `${budget ?? '—'} ms${budget !== undefined && p95 > budget ? ' !' : '  '}`.padStart(9),
      `${ms(percentile(r.fromResponse, 50))} / ${ms(percentile(r.fromResponse, 95))}`.padStart(16),
      `${mb(r.rss.before)} → ${mb(r.rss.max)}`.padStart(16),
      `${mb(r.heap.before)} → ${mb(r.heap.max)}`.padStart(16),
    ].join('  '),
  );
}

export async function benchWatch(sizes: number[]): Promise<void> {
  console.log(`\nwatch event to pixels: ${writesPerSecond} writes/s for ${runMs / 1000} s on a live control plane (7 in 10 readiness flips, a pod created, made ready, deleted),`);
  console.log('browser mode in headless Chromium; from the watch event a watcher here received to the frame after the graph drew it (issue 14: p95 ≤ budget)');
  console.log('pods     writes   shown/made  lost  deltas/draws/resyncs  slices   p50 / p95 / max (event)    budget   p50 / p95 (response)  serve RSS (max)  page heap (max)');
  await ensureRenderer((line) => console.log(line));
  const cp = await startControlPlane();
  const api = adminApi(cp);
  try {
    let total = 0;
    for (const [run, pods] of sizes.entries()) {
      // A control plane kept from an earlier run (PODPATH_CLUSTER_DIR) may hold them already.
      const present = (await api.list<unknown>('/api/v1/pods')).length;
      if (present < pods) await fill(api, pods - Math.max(total, present));
      total = pods;
      const result = await runSize(api, cp.kubeconfig, pods, `bench-${sizes[0]}`, run);
      printResult(result);
      console.log(`  p50 by third of the run: ${result.byThird.map(ms).join(', ')}; a delta from the browser's socket to its frame p50 / p95: ${ms(percentile(result.inBrowser, 50))} / ${ms(percentile(result.inBrowser, 95))}, from its message event on the page ${ms(percentile(result.inPage, 50))} / ${ms(percentile(result.inPage, 95))}; graph canvas clears: ${result.clears}`);
      if (Object.keys(result.lostByKind).length > 0) console.log(`  not shown, by kind of change: ${Object.entries(result.lostByKind).map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
      if (result.failed > 0 || result.skipped > 0) console.log(`  ${result.failed} writes failed, ${result.skipped} slots skipped (200 writes in flight)`);
    }
  } finally {
    await api.close();
    await cp.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== '--serve') {
  const only = Number(process.env.PODPATH_BENCH_ONLY) || 0;
  await benchWatch(only ? [only] : [1_000, 10_000]);
}
