// The login shell's PATH, read from fake shells in a temp dir and from a real /bin/sh.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { adoptShellPath, mergePath, shellPath } from './shell-path.ts';
import { tempDirs } from '../../../test/temp-dirs.ts';

const tempDir = tempDirs('podpath-shell-path-');

describe('the login shell PATH', () => {
  test('read between markers, ignoring rc-file noise', async () => {
    const dir = tempDir();
    const shell = join(dir, 'fake-shell');
    // Called as `fake-shell -ilc <command>`, like a real login shell; noise on stdout first.
    writeFileSync(
      shell,
      [
        '#!/bin/sh',
        'echo "Welcome to your shell! PATH is coming"',
        'printf "no newline noise"',
        'PATH="/opt/homebrew/bin:$HOME/.local/bin:/usr/bin:/bin"',
        'export PATH',
        'if [ "$1" != "-ilc" ]; then echo "bad flags: $1" >&2; exit 2; fi',
        '/bin/sh -c "$2"',
        'echo "goodbye noise"',
      ].join('\n'),
    );
    chmodSync(shell, 0o755);
    const env = { SHELL: shell, HOME: '/home/me', PATH: '/usr/bin:/bin' };
    expect(await shellPath(env)).toBe('/opt/homebrew/bin:/home/me/.local/bin:/usr/bin:/bin');

    const adopted = await adoptShellPath(env);
    expect(adopted).toEqual(['/opt/homebrew/bin', '/home/me/.local/bin']);
    expect(env.PATH).toBe('/usr/bin:/bin:/opt/homebrew/bin:/home/me/.local/bin');
    expect(await adoptShellPath(env)).toEqual([]);
  });

  test('done as soon as the PATH is printed, even if the shell lingers', async () => {
    const dir = tempDir();
    const lingering = join(dir, 'lingering-shell');
    writeFileSync(lingering, '#!/bin/sh\nPATH=/lingering/bin:/usr/bin:/bin\nexport PATH\n/bin/sh -c "$2"\nsleep 30\n');
    chmodSync(lingering, 0o755);
    const started = Date.now();
    expect(await shellPath({ SHELL: lingering }, { timeoutMs: 10_000 })).toBe('/lingering/bin:/usr/bin:/bin');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a shell that hangs, fails or does not exist gives null, quickly', async () => {
    const dir = tempDir();
    const hanging = join(dir, 'hanging-shell');
    writeFileSync(hanging, '#!/bin/sh\necho "reading rc"\nsleep 30\n');
    chmodSync(hanging, 0o755);
    const started = Date.now();
    expect(await shellPath({ SHELL: hanging }, { timeoutMs: 300 })).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);

    const failing = join(dir, 'failing-shell');
    writeFileSync(failing, '#!/bin/sh\necho "oops" >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    expect(await shellPath({ SHELL: failing })).toBeNull();
    expect(await shellPath({ SHELL: join(dir, 'no-such-shell') })).toBeNull();
    const env = { SHELL: join(dir, 'no-such-shell'), PATH: '/usr/bin' };
    expect(await adoptShellPath(env)).toEqual([]);
    expect(env.PATH).toBe('/usr/bin');
  });

  test('a real login shell reports a PATH', async () => {
    const path = await shellPath({ SHELL: '/bin/sh', PATH: '/usr/bin:/bin', HOME: tempDir() });
    expect(path).toContain('/usr/bin');
  });

  test('mergePath keeps existing entries first and drops repeats', () => {
    expect(mergePath('/usr/bin:/bin', '/opt/bin:/usr/bin/:/bin:/opt/bin')).toBe('/usr/bin:/bin:/opt/bin');
    expect(mergePath(undefined, '/a:/b')).toBe('/a:/b');
    expect(mergePath('', '')).toBe('');
  });
});
