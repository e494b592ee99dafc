import { describe, expect, test } from 'vitest';
import { decodeText } from './read-text.ts';

describe('decodeText', () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

  test('ASCII and UTF-8 text read as the text they are; a byte order mark is dropped', () => {
    expect(decodeText('a.json', bytes('{"a":1}'))).toBe('{"a":1}');
    expect(decodeText('a.json', bytes('{"name":"café ☕ 𝄞"}'))).toBe('{"name":"café ☕ 𝄞"}');
    expect(decodeText('a.json', bytes([0xef, 0xbb, 0xbf], '{"ü":1}'))).toBe('{"ü":1}');
    // A view into a larger buffer reads only its own bytes.
    expect(decodeText('a.json', bytes('xx{"a":1}yy').subarray(2, 9))).toBe('{"a":1}');
  });

  test('bytes that are not UTF-8, or hold a NUL, are refused naming the problem', () => {
    expect(() => decodeText('latin1.json', bytes('{"a":"caf', [0xe9], '"}'))).toThrow('latin1.json: not UTF-8 text (a binary file?)');
    expect(() => decodeText('cut.json', bytes('{"a":"', [0xe2, 0x98], '"}'))).toThrow('not UTF-8 text');
    expect(() => decodeText('nul.json', bytes('{"a"', [0], '}'))).toThrow('nul.json: a binary file, not text (a NUL byte at offset 4)');
  });
});
