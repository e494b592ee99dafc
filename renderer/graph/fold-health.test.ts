import { describe, expect, test } from 'vitest';
import { compositionChoices, foldLabel, healthWords, stripGeometry, stripImage } from './fold-health.ts';
import { fallbackTheme } from './theme.ts';

/** The widths (in hundredths) and colours of the strip's segments, left to right. */
function segments(uri: string): { width: number; fill: string }[] {
  const svg = decodeURIComponent(uri.slice(uri.indexOf(',') + 1));
  return [...svg.matchAll(/<rect x="[\d.]+" width="([\d.]+)" height="10" fill="([^"]+)"\/>/g)].map((m) => ({ width: Number(m[1]), fill: m[2]! }));
}

describe('fold health', () => {
  test('the strip is ready, not ready and Pending side by side in proportion, a state present never thinner than its notch', () => {
    expect(segments(stripImage({ ready: 30, notReady: 10, pending: 10 }, fallbackTheme, 3))).toEqual([
      { width: 60, fill: fallbackTheme.ready },
      { width: 20, fill: fallbackTheme.notReady },
      { width: 20, fill: fallbackTheme.terminating },
    ]);
    // One pod not ready among a thousand still shows; a state absent is not drawn.
    expect(segments(stripImage({ ready: 999, notReady: 1, pending: 0 }, fallbackTheme, 4))).toEqual([
      { width: 96, fill: fallbackTheme.ready },
      { width: 4, fill: fallbackTheme.notReady },
    ]);
    expect(stripImage({ ready: 0, notReady: 0, pending: 0 }, fallbackTheme, 4)).toBe('none');
    // One image per proportion, however many folds show it.
    expect(stripImage({ ready: 60, notReady: 20, pending: 20 }, fallbackTheme, 3)).toBe(stripImage({ ready: 30, notReady: 10, pending: 10 }, fallbackTheme, 3));
  });

  test('the strip sits at the foot of the box, inside it, and a state present is at least a square notch', () => {
    for (const [w, h] of [[400, 1694], [1284, 408], [4028, 2896], [40, 40]] as const) {
      const strip = stripGeometry(w, h);
      expect(strip.top + strip.height).toBeLessThan(h);
      expect(strip.top).toBeGreaterThan(h / 2);
      expect(strip.width).toBeLessThan(w);
      // A notch at least as wide as the strip is thick, unless that would be over 15 %.
      expect((strip.minShare / 100) * strip.width >= strip.height || strip.minShare === 15).toBe(true);
    }
  });

  test('words: pods by state, and a node’s namespaces busiest first with how many more', () => {
    expect(healthWords({ ready: 408, notReady: 3, pending: 1 })).toEqual(['412 pods', '3 not ready', '1 pending']);
    expect(healthWords({ ready: 1, notReady: 0, pending: 0 })).toEqual(['1 pod']);
    const namespaces = new Map([['shop', 12], ['kube-system', 9], ['payments', 4], ['a', 1], ['b', 1]]);
    expect(compositionChoices(namespaces, 3)).toEqual([
      ['shop 12', 'kube-system 9', 'payments 4', '+2 namespaces'],
      ['shop 12', 'kube-system 9', '+3 namespaces'],
      ['shop 12', '+4 namespaces'],
    ]);
  });

  test('a tall box gets a part per line, a wide box a group per line, each at the larger font; a node’s namespaces only when they leave it large', () => {
    const groups = [['node-7'], ['412 pods', '3 not ready', '1 pending']];
    const tall = foldLabel(groups, [], 400, 1700, true);
    expect(tall.label).toBe('node-7\n412 pods\n3 not ready\n1 pending');
    const wide = foldLabel(groups, [], 4000, 400, true);
    expect(wide.label).toBe('node-7\n412 pods · 3 not ready · 1 pending');
    expect(wide.fontSize).toBeGreaterThan(tall.fontSize);
    // Short names fit beside the counts; a long one would shrink the words, and is left out.
    expect(foldLabel(groups, [['shop 12', 'web 3']], 400, 1700, true).label).toBe('node-7\n412 pods\n3 not ready\n1 pending\nshop 12\nweb 3');
    expect(foldLabel(groups, [['a-very-long-namespace 400']], 400, 1700, true).label).toBe(tall.label);
  });
});
