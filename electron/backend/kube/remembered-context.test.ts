// The context last used with a set of kubeconfig files, in a state file in a temp dir.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lastUsedContext, rememberContext } from './remembered-context.ts';
import { tempDirs } from '../../../test/temp-dirs.ts';

const tempDir = tempDirs('podpath-remembered-context-');

describe('the last context used', () => {
  test('round trip, keyed by the sorted absolute file list', () => {
    const dir = tempDir();
    const state = join(dir, 'state', 'contexts.json');
    expect(lastUsedContext(state, ['/a', '/b'])).toBeNull();
    rememberContext(state, ['/b', '/a'], 'prod');
    rememberContext(state, ['/c'], 'dev');
    expect(lastUsedContext(state, ['/a', '/b'])).toBe('prod');
    expect(lastUsedContext(state, ['/b', '/a'])).toBe('prod');
    expect(lastUsedContext(state, ['/c'])).toBe('dev');
    expect(lastUsedContext(state, ['/a'])).toBeNull();
    rememberContext(state, ['/a', '/b'], 'staging');
    expect(lastUsedContext(state, ['/a', '/b'])).toBe('staging');
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ version: 1 });
  });

  test('a corrupt state file is ignored, then replaced', () => {
    const dir = tempDir();
    const state = join(dir, 'contexts.json');
    writeFileSync(state, '{"version": 1, "lastContext": {"/a": ');
    expect(lastUsedContext(state, ['/a'])).toBeNull();
    rememberContext(state, ['/a'], 'x');
    expect(lastUsedContext(state, ['/a'])).toBe('x');
    writeFileSync(state, '[1, 2, 3]');
    expect(lastUsedContext(state, ['/a'])).toBeNull();
    rememberContext(state, ['/a'], 'y');
    expect(lastUsedContext(state, ['/a'])).toBe('y');
  });
});
