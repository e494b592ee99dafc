import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { shellRuns, shellWords, type ShellRun } from '../../test/shell-words.ts';
import { kubectlName, kubectlObject, operands, sh, shellQuote } from './shell.ts';

/** Names a hand-made snapshot may hold where Kubernetes allows only DNS names. */
const hostile = ['fe;touch${IFS}/tmp/x;#', "it's", 'a"b', '$(id)', '`id`', '$HOME', 'a b', 'line\nbreak', 'tab\there', '*', '~root', '!x', 'a\\b', '', '-x', '--all', 'x>y', 'a|b', 'a&b', '{a,b}', "'", "''\\''"];

// The characters sh gives a meaning to, often enough that the random words are full of them.
const special = fc.constantFrom("'", '"', '$', '`', '\\', ';', ' ', '\n', '\t', '-', '*', '?', '[', '!', '~', '#', '&', '|', '(', ')', '{', '}', '<', '>', '=', '%', 'a', 'é', '\u001b');
const word = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: special })).filter((w) => !w.includes('\0'));
const shells = ['/bin/sh', '/usr/bin/bash'].filter((shell) => existsSync(shell));

describe('shellQuote', () => {
  test.each(shells)('%s reads any list of quoted words back exactly', (shell) => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), (words) => {
        expect(shellWords(words.map(shellQuote).join(' '), shell)).toEqual(words);
      }),
      { numRuns: 100 },
    );
  });

  test('plainly safe words stay as they are, so everyday commands read as typed', () => {
    for (const safe of ['shop', 'frontend-7d9f-abcde', '10.244.1.5', 'fd00::1', 'kubernetes.io/service-name=cart', 'KUBE-SVC-ABC', 'a@b%c+d,e_f']) expect(shellQuote(safe)).toBe(safe);
    expect(shellQuote('fe;touch${IFS}/tmp/x;#')).toBe("'fe;touch${IFS}/tmp/x;#'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });
});

describe('sh`…`', () => {
  test('each interpolated value is one word, each array element one word; the literal parts are ours', () => {
    for (const name of hostile) {
      const command = sh`kubectl exec -n ${name} ${name} -- cat /etc/resolv.conf | grep ${['-e', name]}`;
      const [{ runs, errors }] = shellRuns([command]) as [ShellRun];
      expect(errors).toBe('');
      expect(runs).toEqual(
        [
          ['kubectl', 'exec', '-n', name, name, '--', 'cat', '/etc/resolv.conf'],
          ['grep', '-e', name],
        ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      );
    }
  });

  test('a name that starts with a dash is an operand, not an option', () => {
    expect(sh`grep ${operands('-x')}`).toBe('grep -- -x');
    expect(sh`tcpdump -ni any ${operands('host', '10.0.0.1')}`).toBe('tcpdump -ni any host 10.0.0.1');
    expect(sh`kubectl delete ${kubectlObject('pod', '--all', 'shop')}`).toBe('kubectl delete -n shop pod/--all');
    expect(sh`kubectl delete ${kubectlObject('pod', 'web-1', 'shop')}`).toBe('kubectl delete pod -n shop web-1');
    expect(sh`kubectl exec ${kubectlName('pod', '-x')} -- id`).toBe('kubectl exec pod/-x -- id');
  });
});
