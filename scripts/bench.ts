/**
 * `npm run bench`: the budgets of design §9 that this build can measure, on generated clusters.
 * Figures are medians of several runs; a budget is reported, not asserted (the machines are
 * shared and noisy).
 */
import { performance } from 'node:perf_hooks';
import { generateCluster } from '../test/fixtures/generate.ts';
import { derive } from '../shared/topology/derive.ts';
import { benchLive } from './bench-live.ts';

const sizes: { pods: number; budgetMs: number; runs: number }[] = [
  { pods: 1_000, budgetMs: 50, runs: 15 },
  { pods: 10_000, budgetMs: 500, runs: 7 },
  { pods: 150_000, budgetMs: 5_000, runs: 3 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

console.log('derive of the full model (design §9)');
console.log('pods      nodes   median      budget   verdict');
for (const { pods, budgetMs, runs } of sizes) {
  const objects = generateCluster(pods);
  derive(objects); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    derive(objects);
    times.push(performance.now() - start);
  }
  const ms = median(times);
  console.log(
    `${String(pods).padEnd(9)} ${String(objects.nodes.length).padEnd(7)} ${ms.toFixed(1).padStart(8)} ms ${String(budgetMs).padStart(6)} ms   ${ms <= budgetMs ? 'within' : 'OVER'}`,
  );
}

if (!process.argv.includes('--no-live')) await benchLive([1_000, 10_000]);
