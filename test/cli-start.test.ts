// How `podpath` starts (issue 14): which code bin/podpath.mjs runs — the build in dist/cli while
// it matches its sources, the sources otherwise — and that the offline commands load none of the
// heavy packages the live and image commands need. Times are the benchmark's (scripts/bench-cli.ts).
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { currentBundle } from '../bin/cli-bundle.mjs';
import { runPodpath } from './podpath-cli.ts';
import { tempDirs } from './temp-dirs.ts';

const tempDir = tempDirs('podpath-cli-start-');

describe('which code runs', () => {
  /** A checkout with two sources and a build that recorded them as they are now. */
  function checkout(): { root: string; entry: string } {
    const root = tempDir();
    mkdirSync(join(root, 'electron', 'cli'), { recursive: true });
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'electron', 'cli', 'main.ts'), 'export {};\n');
    writeFileSync(join(root, 'electron', 'cli', 'trace.ts'), 'export const x = 1;\n');
    const entry = join(root, 'dist', 'cli', 'podpath.mjs');
    writeFileSync(entry, '');
    record(root);
    return { root, entry };
  }

  function record(root: string): void {
    const inputs = ['electron/cli/main.ts', 'electron/cli/trace.ts'].map((path) => {
      const { size, mtimeMs } = statSync(join(root, path));
      return [path, size, mtimeMs];
    });
    writeFileSync(join(root, 'dist', 'cli', 'inputs.json'), JSON.stringify({ inputs }));
  }

  test('the build, while every source it was built from is as recorded', () => {
    const { root, entry } = checkout();
    expect(currentBundle(root)).toBe(entry);
  });

  test('the sources, once one of them is saved again, even with the same size', () => {
    const { root } = checkout();
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'electron', 'cli', 'trace.ts'), later, later);
    expect(currentBundle(root)).toBeNull();
  });

  test('the sources, once one of them changes size', () => {
    const { root } = checkout();
    const path = join(root, 'electron', 'cli', 'trace.ts');
    const { mtimeMs } = statSync(path);
    writeFileSync(path, 'export const x = 12;\n');
    utimesSync(path, new Date(mtimeMs), new Date(mtimeMs));
    expect(currentBundle(root)).toBeNull();
  });

  test('the sources, once a source it was built from is gone', () => {
    const { root } = checkout();
    rmSync(join(root, 'electron', 'cli', 'trace.ts'));
    expect(currentBundle(root)).toBeNull();
  });

  test('the sources, when there is no complete build (no record of its inputs)', () => {
    const { root } = checkout();
    rmSync(join(root, 'dist', 'cli', 'inputs.json'));
    expect(currentBundle(root)).toBeNull();
  });

  test('the build, when there are no sources at all (a package that ships only the build)', () => {
    const { root, entry } = checkout();
    rmSync(join(root, 'electron'), { recursive: true });
    expect(currentBundle(root)).toBe(entry);
  });
});

describe('what an offline command loads', () => {
  // Records every package resolved from node_modules, by import or require, and says which at exit.
  const hook = `
import { registerHooks } from 'node:module';
const packages = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const found = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
    if (found) packages.add(found[1]);
    return result;
  },
});
process.on('exit', () => process.stderr.write('loaded packages: ' + JSON.stringify([...packages]) + '\\n'));
`;
  const nodeArgs = [`--import=data:text/javascript,${encodeURIComponent(hook)}`];
  const heavy = ['@kubernetes/client-node', 'playwright-core', 'undici', 'ws'];

  async function loaded(args: string[]): Promise<string[]> {
    const result = await runPodpath(args, { nodeArgs });
    const line = result.stderr.split('\n').find((l) => l.startsWith('loaded packages: '));
    expect(line, result.stderr).toBeDefined();
    expect(result.code, result.stderr).toBeLessThanOrEqual(1);
    return JSON.parse(line!.slice('loaded packages: '.length)) as string[];
  }

  test('--help: none of the heavy packages, nor yaml or zod', async () => {
    const packages = await loaded(['--help']);
    for (const name of [...heavy, 'yaml', 'zod']) expect(packages).not.toContain(name);
  });

  test.each([
    ['trace --demo', ['trace', '--demo', '--from', 'shop/frontend', '--to', 'svc/shop/backend']],
    ['trace --snapshot', ['trace', '--snapshot', 'assets/demo-cluster.podpath.json', '--from', 'shop/frontend', '--to', 'shop/db-0', '--port', '5432']],
    ['doctor --snapshot', ['doctor', '--snapshot', 'assets/demo-cluster.podpath.json']],
    ['export --format dot', ['export', '--demo', '--format', 'dot', '-o', '/dev/null']],
    ['diff', ['diff', 'assets/demo-cluster.podpath.json', 'assets/demo-cluster.podpath.json']],
    ['describe --demo', ['describe', '--demo']],
  ])('%s: neither the Kubernetes client, Playwright, undici nor ws', async (_name, args) => {
    const packages = await loaded(args);
    for (const name of heavy) expect(packages).not.toContain(name);
  });
});
