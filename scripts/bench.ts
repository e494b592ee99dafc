/**
 * `npm run bench`: the budgets of design §9 that this build can measure, on generated clusters.
 * Figures are medians of several runs; a budget is reported, not asserted (the machines are
 * shared and noisy). Run with --expose-gc (the npm script does) for settled heap figures.
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { serializeSnapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { IncrementalDerive } from '../shared/topology/incremental.ts';
import { generateCluster } from '../test/fixtures/generate.ts';
import { benchCli } from './bench-cli.ts';
import { benchDoctor } from './bench-doctor.ts';
import { benchGraphDelta } from './bench-graph-delta.ts';
import { benchLive } from './bench-live.ts';
import { benchRenderer } from './bench-renderer.ts';
import { benchSoak } from './bench-soak.ts';
import { benchWatch } from './bench-watch.ts';

const sizes: { pods: number; budgetMs: number; runs: number }[] = [
  { pods: 1_000, budgetMs: 50, runs: 15 },
  { pods: 10_000, budgetMs: 500, runs: 7 },
  { pods: 150_000, budgetMs: 5_000, runs: 3 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

console.log('derive of the full model (design §9), on generated clusters (30 pods a node, a Service per 15 pods)');
console.log('pods      nodes  services   derive (median)  budget    peak heap  snapshot gz one pod change (incremental)');
for (const { pods, budgetMs, runs } of sizes) {
  const objects = generateCluster(pods);
  // As Podpath writes it: gzipped compact JSON (issue 14; scripts/bench-cli.ts reports the sizes against the budgets).
  const snapshotBytes = gzipSync(
    serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'bench', server: null, kubernetesVersion: null, capturedAt: new Date().toISOString() }, objects }),
  ).length;
  derive(objects); // warm-up
  const times: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    const start = performance.now();
    const topology = derive(objects);
    times.push(performance.now() - start);
    peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    if (Object.keys(topology.pods).length !== pods) throw new Error('derive lost pods');
  }
  const ms = median(times);

  // One pod's readiness flips: the incremental derive's update, and the delta it yields.
  const incremental = new IncrementalDerive(objects);
  const updates: number[] = [];
  let touched = 0;
  for (let i = 0; i < 9; i++) {
    const index = (i * 7919) % objects.pods.length;
    const pod = structuredClone(objects.pods[index]!);
    const ready = pod.status!.conditions![0]!;
    ready.status = ready.status === 'True' ? 'False' : 'True';
    objects.pods[index] = pod;
    const start = performance.now();
    const delta = incremental.update([{ kind: 'pods', uid: pod.metadata.uid, object: pod }], objects, {}, i + 1);
    updates.push(performance.now() - start);
    touched = delta.added.length + delta.updated.length + delta.removed.length;
  }
  console.log(
    `${String(pods).padEnd(9)} ${String(objects.nodes.length).padEnd(6)} ${String(objects.services.length).padEnd(8)} ${ms.toFixed(1).padStart(10)} ms ${String(budgetMs).padStart(8)} ms ${ms <= budgetMs ? ' ' : '!'} ${mb(peak).padStart(10)} ${mb(snapshotBytes).padStart(10)} ${median(updates).toFixed(2).padStart(10)} ms (${touched} element${touched === 1 ? '' : 's'})`,
  );
}

benchDoctor(10_000);
if (!process.argv.includes('--no-cli')) await benchCli();
benchGraphDelta([1_000, 10_000, 30_000]);
if (!process.argv.includes('--no-renderer')) await benchRenderer();
if (!process.argv.includes('--no-live')) await benchLive([1_000, 10_000]);
if (!process.argv.includes('--no-watch')) await benchWatch([1_000, 10_000]);
// Ten minutes of faults against a live session (alone: node --expose-gc scripts/bench-soak.ts).
if (!process.argv.includes('--no-soak')) await benchSoak(10);
