import { describe, expect, test } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { printable } from './printable.ts';

const hostile = 'a\u001b]0;pwned\u0007b\u001b[2J\u009b31mc\u007fd\u202eevil\u2066e\rf\u2028g\nline\tcol';

describe('printable', () => {
  test('every control character, C0, DEL and C1, and the bidirectional controls become visible escapes', () => {
    expect(printable(hostile)).toBe('a\\u001b]0;pwned\\u0007b\\u001b[2J\\u009b31mc\\u007fd\\u202eevil\\u2066e\\u000df\\u2028g\\u000aline\\u0009col');
    expect(printable(hostile)).not.toMatch(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
  });

  test("a document's line breaks and tabs are its layout, and stay", () => {
    expect(printable(hostile, 'layout')).toBe('a\\u001b]0;pwned\\u0007b\\u001b[2J\\u009b31mc\\u007fd\\u202eevil\\u2066e\\u000df\\u2028g\nline\tcol');
  });

  test('ordinary text, non-ASCII included, stays as it is', () => {
    expect(printable('pod/shop/café-0 → 10.0.0.1:80 · ok 名前 😀')).toBe('pod/shop/café-0 → 10.0.0.1:80 · ok 名前 😀');
  });

  test('JSON and YAML stay valid and mean the same: the escape is theirs too', () => {
    const value = { name: hostile, labels: { app: 'x\u0085y\u009b' } };
    const json = JSON.stringify(value, null, 2);
    expect(JSON.parse(printable(json, 'layout'))).toEqual(value);
    // The yaml library writes C0 as escapes itself but C1 raw, inside double quotes.
    expect(parseYaml(printable(stringifyYaml({ labels: value.labels }), 'layout'))).toEqual({ labels: value.labels });
  });
});
