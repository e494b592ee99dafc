import { describe, expect, test } from 'vitest';
import { matchesSelector, parseSelector } from './label-selector.ts';

describe('parseSelector (Kubernetes labels.Parse)', () => {
  test('every operator, comma = AND', () => {
    expect(parseSelector('app=web, tier!=db,version==3,env,!canary,zone in (a, b),team notin (x),n>2,m<5')).toEqual({
      requirements: [
        { key: 'app', op: 'in', values: ['web'] },
        { key: 'tier', op: 'notin', values: ['db'] },
        { key: 'version', op: 'in', values: ['3'] },
        { key: 'env', op: 'exists' },
        { key: 'canary', op: 'notexists' },
        { key: 'zone', op: 'in', values: ['a', 'b'] },
        { key: 'team', op: 'notin', values: ['x'] },
        { key: 'n', op: 'gt', value: 2 },
        { key: 'm', op: 'lt', value: 5 },
      ],
    });
  });

  test('prefixed keys and empty values', () => {
    expect(parseSelector('app.kubernetes.io/name=grafana,empty=')).toEqual({
      requirements: [
        { key: 'app.kubernetes.io/name', op: 'in', values: ['grafana'] },
        { key: 'empty', op: 'in', values: [''] },
      ],
    });
  });

  test.each(['app==web==x', 'app in a', 'app in (a', '=web', 'app=web,', '-bad=x', 'app=-bad', 'n>x', '!app=web', 'Bad.Prefix/x=y'])('%j is an error', (text) => {
    expect(parseSelector(text)).toHaveProperty('error');
  });

  test('Kubernetes semantics: != and notin match objects without the key; in needs it', () => {
    const req = (text: string) => (parseSelector(text) as { requirements: Parameters<typeof matchesSelector>[1] }).requirements;
    expect(matchesSelector({}, req('tier!=db'))).toBe(true);
    expect(matchesSelector({}, req('tier notin (db)'))).toBe(true);
    expect(matchesSelector({}, req('tier in (db)'))).toBe(false);
    expect(matchesSelector({ tier: 'db' }, req('tier!=db'))).toBe(false);
    expect(matchesSelector({ n: '10' }, req('n>9'))).toBe(true);
    expect(matchesSelector({ n: 'ten' }, req('n>9'))).toBe(false);
    expect(matchesSelector({ constructor: 'x' }, req('!toString'))).toBe(true);
  });
});
