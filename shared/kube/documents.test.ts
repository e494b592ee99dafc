import { describe, expect, test } from 'vitest';
import { ManifestError, parseDocuments } from './documents.ts';

function thrown(text: string): ManifestError {
  try {
    parseDocuments(text, 'in.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected parseDocuments to throw');
}

describe('parseDocuments', () => {
  test('reads JSON and multi-document YAML', () => {
    expect(parseDocuments('{"kind": "Pod"}', 'a.json')).toEqual([{ kind: 'Pod' }]);
    expect(parseDocuments('[{"kind": "Pod"}, 1]', 'a.json')).toEqual([{ kind: 'Pod' }, 1]);
    expect(parseDocuments('kind: Pod\n---\nkind: Service\n', 'a.yaml')).toEqual([{ kind: 'Pod' }, { kind: 'Service' }]);
  });

  // Issue 12: each of these overflowed the stack in the YAML composer (reported as "Maximum call
  // stack size exceeded", or worse, V8 aborting the process), or in the walks after it.
  test.each([
    ['flow sequences', `a: ${'['.repeat(5000)}${']'.repeat(5000)}`, 1],
    ['block sequences on one line', `${'- '.repeat(3000)}a`, 1],
    ['block mappings by indentation', Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'), 257],
    ['flow mappings', `${'{a: '.repeat(5000)}1${'}'.repeat(5000)}`, 1],
  ])('YAML nested deeper than the limit (%s) fails naming where', (_name, text, line) => {
    const error = thrown(text);
    expect(error.message).toMatch(new RegExp(`^in\\.yaml: nested deeper than 256 levels at line ${line}, column \\d+$`));
    expect(error.line).toBe(line);
  });

  test('JSON nested deeper than the limit fails naming the path', () => {
    const error = thrown(`{"kind": "List", "items": [${'['.repeat(100_000)}${']'.repeat(100_000)}]}`);
    expect(error.message).toMatch(/^in\.yaml: nested deeper than 256 levels at items\[0\]\[0\]\[0\]/);
  });

  test('an alias inside its own anchor (a value that contains itself) is refused', () => {
    expect(thrown('&a {kind: List, apiVersion: v1, items: [*a]}').message).toMatch(/^in\.yaml: nested deeper than 256 levels at items\[0\]\.items\[0\]/);
  });
});
