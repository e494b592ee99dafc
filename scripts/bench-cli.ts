/**
 * The CLI's start (issue 14): `podpath --help` ≤ 150 ms, an offline `trace` on a 1k-pod snapshot
 * ≤ 300 ms, on 10k ≤ 1 s and on 150k (5k nodes) ≤ 8 s — whole processes, as a user times them,
 * against `node -e 0`, the least any Node program takes here — and the snapshot files those
 * traces read, as Podpath writes them (gzipped compact JSON): ≤ 3 MB at 10k, ≤ 40 MB at 150k.
 * Each command runs as the sources (type-stripped by Node, what every start did before the
 * build) and as the build bin/podpath.mjs runs (scripts/build-cli.ts; built first). Runs
 * alternate between the commands so that a machine's drift falls on all alike; the figures are
 * medians and 90th percentiles, reported, not asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { currentBundle } from '../bin/cli-bundle.mjs';
import { writeSnapshotFile } from '../electron/backend/snapshot-file.ts';
import { serializeSnapshot, type Snapshot } from '../shared/snapshot/format.ts';
import { generateCluster } from '../test/fixtures/generate.ts';
import { buildCli } from './build-cli.ts';

const repoRoot = join(import.meta.dirname, '..');

interface Case {
  name: string;
  args: string[];
  budgetMs: number | null;
  runs: number;
  /** Too slow to run from the sources as often: the build only. */
  isBuildOnly?: boolean;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** One whole process, wall time in ms; a trace may end 0 or 1 (its verdict), never 2 (no verdict). */
function timeOnce(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (result.status !== 0 && result.status !== 1) throw new Error(`node ${args.join(' ')} ended ${result.status}: ${result.stderr.toString().trim()}`);
  return ms;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MB`;

/** Writes the generated cluster as Podpath writes snapshots (gzipped), and reports its sizes. */
async function snapshotFile(dir: string, pods: number, budgetBytes: number | null): Promise<string> {
  const path = join(dir, `generated-${pods}.podpath.json.gz`);
  const source = { context: `bench-${pods}`, server: null, kubernetesVersion: null, capturedAt: new Date().toISOString() };
  const snapshot: Snapshot = { format: 'podpath.snapshot', version: 1, source, objects: generateCluster(pods) };
  await writeSnapshotFile(path, snapshot);
  const size = statSync(path).size;
  // What the file was before issue 14: pretty-printed JSON (measured from the same objects).
  const pretty = Buffer.byteLength(JSON.stringify(snapshot, null, 1));
  const budget = budgetBytes === null ? '' : `${mb(budgetBytes).padStart(10)} ${size <= budgetBytes ? ' ' : '!'}`;
  console.log(`${String(pods).padEnd(8)} ${mb(size).padStart(10)} ${mb(Buffer.byteLength(serializeSnapshot(snapshot))).padStart(14)} ${mb(pretty).padStart(14)}   ${budget}`);
  return path;
}

export async function benchCli(options: { runs?: number } = {}): Promise<void> {
  const runs = options.runs ?? 11;
  await buildCli({ log: false });
  const dir = mkdtempSync(join(tmpdir(), 'podpath-bench-cli-'));
  try {
    console.log('\nSnapshot files (issue 14), as Podpath writes them: gzipped compact JSON; the JSON inside; the pretty-printed JSON of before');
    console.log('pods       gzipped   compact JSON    pretty JSON       budget');
    const files = {
      '1k': await snapshotFile(dir, 1_000, null),
      '10k': await snapshotFile(dir, 10_000, 3 * 2 ** 20),
      '150k': await snapshotFile(dir, 150_000, 40 * 2 ** 20),
    };
    // Pod 0 (team-0) to the Service of pods 600–614 (team-1): another node, another namespace.
    const flow = ['--from', 'team-0/app-0-0', '--to', 'svc/team-1/app-40'];
    const cases: Case[] = [
      { name: '--help', args: ['--help'], budgetMs: 150, runs },
      { name: 'trace --demo', args: ['trace', '--demo', '--from', 'shop/frontend', '--to', 'svc/shop/backend'], budgetMs: null, runs },
      { name: 'trace --snapshot 1k', args: ['trace', '--snapshot', files['1k'], ...flow], budgetMs: 300, runs },
      { name: 'trace --snapshot 10k', args: ['trace', '--snapshot', files['10k'], ...flow], budgetMs: 1_000, runs: Math.max(3, Math.ceil(runs / 2)) },
      { name: 'trace --snapshot 150k', args: ['trace', '--snapshot', files['150k'], ...flow], budgetMs: 8_000, runs: 3, isBuildOnly: true },
    ];
    const sources = join(repoRoot, 'electron', 'cli', 'main.ts');
    const bin = join(repoRoot, 'bin', 'podpath.mjs');
    const isBuilt = () => currentBundle(repoRoot) !== null;

    // The reference, alternated with the light commands below as well.
    const reference: number[] = [];
    timeOnce(['-e', '0']);
    console.log(`\nCLI start (issue 14): whole processes, wall ms; median and p90 of the runs; ×: median over node -e 0's`);
    console.log('command                     runs   sources: median    p90      ×      build: median    p90      ×    budget');
    let rebuilds = 0;
    /** A run of the build, with the build current before and after it (a source saved meanwhile sends bin/podpath.mjs to the sources). */
    const timeBuilt = async (args: string[]): Promise<number> => {
      for (;;) {
        if (!isBuilt()) {
          await buildCli({ log: false });
          rebuilds++;
        }
        const ms = timeOnce([bin, ...args]);
        if (isBuilt()) return ms;
      }
    };
    for (const c of cases) {
      const fromSources: number[] = [];
      const fromBuild: number[] = [];
      // Warm the file cache and Node's compile cache for both.
      if (!c.isBuildOnly) timeOnce([sources, ...c.args]);
      await timeBuilt(c.args);
      for (let i = 0; i < c.runs; i++) {
        reference.push(timeOnce(['-e', '0']));
        if (!c.isBuildOnly) fromSources.push(timeOnce([sources, ...c.args]));
        fromBuild.push(await timeBuilt(c.args));
      }
      const base = quantile(reference, 0.5);
      const cell = (values: number[]) => {
        if (values.length === 0) return `${'—'.padStart(8)} ${''.padStart(7)} ${''.padStart(7)}`;
        const median = quantile(values, 0.5);
        return `${median.toFixed(0).padStart(8)} ${quantile(values, 0.9).toFixed(0).padStart(7)} ${(median / base).toFixed(2).padStart(6)}×`;
      };
      const after = quantile(fromBuild, 0.5);
      const budget = c.budgetMs === null ? '' : `${String(c.budgetMs).padStart(5)} ms ${after <= c.budgetMs ? ' ' : '!'}`;
      console.log(`${c.name.padEnd(26)} ${String(c.runs).padStart(4)}   ${cell(fromSources)}      ${cell(fromBuild)}   ${budget}`);
    }
    console.log(`${'node -e 0'.padEnd(26)} ${String(reference.length).padStart(4)}   ${quantile(reference, 0.5).toFixed(0).padStart(8)} ${quantile(reference, 0.9).toFixed(0).padStart(7)}`);
    if (rebuilds > 0) console.log(`(sources changed during the runs: built again ${rebuilds} time${rebuilds === 1 ? '' : 's'}, and the runs that met a change repeated)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchCli({ runs: Number(process.argv[2] ?? 11) });
