/**
 * Electronegativity (Doyensec's scanner for Electron misconfigurations) over electron/, for
 * `npm test`: exits 1 on any finding that electronegativity.config.ts does not accept, or on a
 * file it could not parse. Offline and the same everywhere: the one check that fetches from the
 * internet is skipped there, and the HTTP client it would fetch its translations with is
 * replaced by one that fails at once, so it uses its bundled English (on Node 24 a failed
 * fetch's retry also crashes it: got 11 with p-cancelable throws from a timer).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { acceptedFindings, isScanned, skippedChecks } from '../electronegativity.config.ts';

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  manualReview: boolean;
}
type Run = (options: Record<string, unknown>) => Promise<{ issues: Issue[]; errors: { file: string; message: string; tolerable: boolean }[] }>;

const root = join(import.meta.dirname, '..');
const input = process.argv[2] ?? join(root, 'electron');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const require = createRequire(import.meta.url);
const gotPath = createRequire(require.resolve('@doyensec/electronegativity')).resolve('got');
const offline = () => Promise.reject(new Error('no network in tests'));
require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: Object.assign(offline, { head: offline, get: offline }) } as unknown as NodeJS.Module;
const run = require('@doyensec/electronegativity') as Run;

const result = await run({
  input,
  isRelative: false,
  excludeFromScan: Object.keys(skippedChecks),
  electronVersionOverride: packageJson.devDependencies.electron,
});

const found = result.issues
  .map((issue) => ({ ...issue, file: relative(input, issue.file) }))
  .filter((issue) => isScanned(issue.file))
  .filter((issue) => !acceptedFindings.some((accepted) => accepted.check === issue.id && accepted.file === issue.file));
const unparsed = result.errors.filter((error) => !error.tolerable && isScanned(error.file));

for (const issue of found) console.log(`${issue.file}:${issue.location.line}:${issue.location.column} ${issue.id}${issue.manualReview ? ' (review)' : ''}: ${issue.description}`);
for (const error of unparsed) console.log(`${relative(input, error.file)}: could not be parsed: ${error.message}`);
console.log(`electronegativity: ${found.length} finding(s), ${unparsed.length} unparsed file(s) in ${relative(root, input) || '.'} (${acceptedFindings.length} accepted in electronegativity.config.ts)`);
process.exitCode = found.length + unparsed.length === 0 ? 0 : 1;
