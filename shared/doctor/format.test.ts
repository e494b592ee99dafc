import { describe, expect, test } from 'vitest';
import { countsText, formatProblems, problemCounts } from './format.ts';
import type { Problem } from './types.ts';

const problem = (over: Partial<Problem>): Problem => ({
  kind: 'service-selects-nothing',
  severity: 'error',
  subject: 'service/shop/cart',
  subjectId: 'svc:shop/cart',
  message: 'selector app=cart matches no pod; near miss: cart-7f9 has app=carts',
  why: ['spec.selector: app=cart', 'pods in shop: cart-7f9 (app=carts)'],
  fix: 'kubectl -n shop label pod cart-7f9 app=cart --overwrite',
  related: [],
  ...over,
});

describe('formatProblems', () => {
  test('one line per problem, its evidence and fix indented under it, then the counts', () => {
    const text = formatProblems([
      problem({}),
      problem({ kind: 'policy-selects-nothing', severity: 'warning', subject: 'networkpolicy/shop/old', message: 'podSelector app=legacy selects no pod', why: ['spec.podSelector: app=legacy'], fix: null }),
      problem({ kind: 'service-none-ready', severity: 'info', subject: 'service/shop/db', message: 'none of its 1 pod is ready', why: [], fix: null }),
    ]);
    expect(text.split('\n')).toEqual([
      'ERROR service/shop/cart: selector app=cart matches no pod; near miss: cart-7f9 has app=carts',
      '    spec.selector: app=cart',
      '    pods in shop: cart-7f9 (app=carts)',
      '    fix: kubectl -n shop label pod cart-7f9 app=cart --overwrite',
      'WARNING networkpolicy/shop/old: podSelector app=legacy selects no pod',
      '    spec.podSelector: app=legacy',
      'INFO service/shop/db: none of its 1 pod is ready',
      '',
      '1 error, 1 warning, 1 info',
      '',
    ]);
  });

  test('a fix of several lines (a YAML edit) stays under its "fix:"', () => {
    const text = formatProblems([problem({ why: [], fix: 'spec:\n  selector:\n    app: cart' })]);
    expect(text.split('\n').slice(1, 4)).toEqual(['    fix: spec:', '           selector:', '             app: cart']);
  });

  test('nothing to report says so, with no counts line', () => {
    expect(formatProblems([])).toBe('No network problems found.\n');
  });

  test('control characters and bidirectional overrides from cluster objects never reach the terminal', () => {
    const text = formatProblems([problem({ subject: 'service/shop/\u001b[2Jcart', message: 'selector app=\u009b31m matches no pod\nERROR forged line', why: ['label \u202eevil'], fix: 'kubectl \u0007label' })]);
    expect(text.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
    // The only line breaks are the formatter's own: the forged "ERROR" stays inside its line.
    expect(text.split('\n').filter((line) => line.startsWith('ERROR'))).toHaveLength(1);
    expect(text).toContain('service/shop/\\u001b[2Jcart');
  });
});

describe('counts', () => {
  test('by severity, in words', () => {
    const counts = problemCounts([problem({}), problem({}), problem({ severity: 'warning' }), problem({ severity: 'info' }), problem({ severity: 'info' }), problem({ severity: 'info' })]);
    expect(counts).toEqual({ error: 2, warning: 1, info: 3 });
    expect(countsText(counts)).toBe('2 errors, 1 warning, 3 info');
    expect(countsText(problemCounts([]))).toBe('0 errors, 0 warnings, 0 info');
  });
});
