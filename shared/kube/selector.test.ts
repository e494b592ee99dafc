import { expect, test } from 'vitest';
import { matchesSelector } from './selector.ts';

const labels = { app: 'web', tier: 'frontend' };

test.each([
  ['empty selects everything', {}, true],
  ['matchLabels equal', { matchLabels: { app: 'web' } }, true],
  ['matchLabels differ', { matchLabels: { app: 'db' } }, false],
  ['In', { matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['frontend', 'edge'] }] }, true],
  ['In without the key', { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['a'] }] }, false],
  ['NotIn matches a missing key', { matchExpressions: [{ key: 'zone', operator: 'NotIn' as const, values: ['a'] }] }, true],
  ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['frontend'] }] }, false],
  ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' as const }] }, true],
  ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' as const }] }, false],
  ['labels AND expressions', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] }, true],
])('%s', (_, selector, expected) => {
  expect(matchesSelector(labels, selector)).toBe(expected);
});
