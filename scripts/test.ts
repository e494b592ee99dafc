/**
 * `npm test`: lint, typecheck, Electronegativity, the CLI's build, then every vitest test (unit,
 * browser end-to-end, desktop smoke). Its last line is the plain summary CI reads: `N passed, N
 * failed[, N skipped]`, where lint, typecheck, Electronegativity and the build count as one check
 * each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ensureSystemDeps } from './system-deps.ts';

const bin = (name: string) => join(import.meta.dirname, '..', 'node_modules', '.bin', name);
// Every tool runs on this Node (the pinned 24), even when this script was started outside npm.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
const extraArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];

function step(name: string, command: string, args: string[]): boolean {
  console.log(`\n── ${name} ──`);
  const ok = spawnSync(command, args, { stdio: 'inherit', env }).status === 0;
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
  }
  return ok;
}

if (extraArgs.length === 0) {
  step('lint', bin('eslint'), ['.']);
  step('typecheck', bin('tsc'), ['--build']);
  // Electron misconfigurations in electron/ (what it may skip or accept: electronegativity.config.ts).
  step('electronegativity', process.execPath, [join(import.meta.dirname, 'electronegativity.ts')]);
}

// The built CLI (dist/cli), so that the CLI tests run what `podpath` runs after `npm install`.
step('build the CLI', process.execPath, [join(import.meta.dirname, 'build-cli.ts')]);

ensureSystemDeps((line) => console.log(line));

console.log('\n── tests ──');
const dir = mkdtempSync(join(tmpdir(), 'podpath-test-'));
const report = join(dir, 'vitest.json');
const status = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs], {
  stdio: 'inherit',
  env,
}).status;
try {
  const result = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: { name: string; status: string; message?: string; assertionResults: { status: string }[] }[];
  };
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  // A file that fails to load, or whose setup hook fails, has no failed test to count; it
  // still failed, once.
  for (const file of result.testResults) {
    if (file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed')) {
      failed++;
      failures.push(file.name);
    }
  }
  if (status !== 0 && result.numFailedTests === 0 && !result.testResults.some((f) => f.status === 'failed')) {
    failed++;
    failures.push(`vitest exited with ${status}`);
  }
} catch {
  failed++;
  failures.push('vitest produced no report');
}
rmSync(dir, { recursive: true, force: true });

if (failures.length > 0) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed === 0 ? 0 : 1;
