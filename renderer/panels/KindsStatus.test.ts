import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import type { KindStatus } from '../../shared/ipc.ts';
import { kindTooltip, kindValue, KindsStatus, LoadingProgress, loadingText } from './KindsStatus.tsx';

const kinds: KindStatus[] = [
  { kind: 'nodes', state: 'forbidden', count: 0, reason: 'User "limited" cannot list nodes at the cluster scope.', scope: 'cluster' },
  { kind: 'pods', state: 'loading', count: 120, reason: null, scope: 'cluster' },
  { kind: 'services', state: 'live', count: 7, reason: null, scope: ['team-a', 'team-b'] },
  { kind: 'endpointSlices', state: 'reconnecting', count: 9, reason: 'watch closed: connection reset; retrying in 2 s', scope: 'cluster' },
  { kind: 'networkPolicies', state: 'failed', count: 0, reason: 'the server could not find the requested resource', scope: 'cluster' },
  { kind: 'gateways', state: 'absent', count: 0, reason: null, scope: 'cluster' },
];

describe('KindsStatus', () => {
  test('one chip per kind, readable by tests through data attributes', () => {
    const html = renderToStaticMarkup(createElement(KindsStatus, { kinds }));
    expect(html).toContain('data-testid="kinds"');
    for (const k of kinds) expect(html).toContain(`data-kind="${k.kind}" data-state="${k.state}"`);
  });

  test('a forbidden or failed kind never reads as zero, and says why', () => {
    expect(kindValue(kinds[0]!)).toBe('forbidden');
    expect(kindValue(kinds[4]!)).toBe('failed');
    expect(kindTooltip(kinds[0]!)).not.toMatch(/\b0\b/);
    const html = renderToStaticMarkup(createElement(KindsStatus, { kinds }));
    expect(html).toContain('cannot list nodes at the cluster scope');
    expect(html).toContain('could not find the requested resource');
  });

  test('loading shows the count so far, reconnecting its reason on hover, scoped reads their namespaces', () => {
    expect(kindValue(kinds[1]!)).toBe('loading 120…');
    expect(kindValue(kinds[2]!)).toBe('7');
    expect(kindValue(kinds[3]!)).toBe('9 · reconnecting');
    expect(kindTooltip(kinds[3]!)).toContain('retrying in 2 s');
    expect(kindTooltip(kinds[2]!)).toContain('team-a, team-b');
  });

  test('nothing to show for a snapshot or the demo', () => {
    expect(renderToStaticMarkup(createElement(KindsStatus, { kinds: [] }))).toBe('');
  });
});

describe('loadingText', () => {
  test('the kinds still loading, with what each holds so far, thousands grouped', () => {
    const loading: KindStatus[] = [
      { kind: 'nodes', state: 'live', count: 3, reason: null, scope: 'cluster' },
      { kind: 'pods', state: 'loading', count: 1234, reason: null, scope: 'cluster' },
      { kind: 'services', state: 'loading', count: 56, reason: null, scope: 'cluster' },
      { kind: 'endpointSlices', state: 'loading', count: 0, reason: null, scope: 'cluster' },
    ];
    expect(loadingText(loading)).toBe('Loading… Pods 1,234 · Services 56 · EndpointSlices 0');
  });

  test('nothing once every kind is settled, however it settled', () => {
    expect(loadingText(kinds.filter((k) => k.state !== 'loading'))).toBeNull();
    expect(loadingText([])).toBeNull();
  });

  test('the header shows it while loading, with the kinds settled so far as progress', () => {
    const html = renderToStaticMarkup(createElement(LoadingProgress, { kinds }));
    expect(html).toContain('data-testid="loading"');
    expect(html).toContain('Loading… Pods 120');
    expect(html).toContain('value="5" max="6"');
    expect(renderToStaticMarkup(createElement(LoadingProgress, { kinds: kinds.slice(0, 1) }))).toBe('');
  });
});
