/**
 * What a fold says about what it holds (detail.ts draws the folds): its name, the health of its
 * pods in words ("412 pods · 3 not ready · 1 pending") and as a strip of coloured segments along
 * its foot, and on a node the namespaces its pods belong to.
 *
 * A fold's label is sized to fill its box, so that it reads at the zoom the fold is drawn at. Its
 * parts go one per line in a tall box (a node's column of pods) or one line per group in a wide
 * one (a row of Services), whichever gives the larger font.
 */
import type { PodHealth } from './element-types.ts';
import { truncate } from './geometry.ts';
import type { GraphTheme } from './theme.ts';

/** Part of a label: one line each in a tall box, joined into one line in a wide one. */
export type LabelGroup = string[];

const englishNumber = new Intl.NumberFormat('en');
/** 12,345 as English writes it. `toLocaleString` builds a formatter per call: thousands of folds' labels made it a third of a 10k-pod first view. */
export const grouped = (n: number): string => (Number.isInteger(n) && n >= 0 && n < 1000 ? String(n) : englishNumber.format(n));

export const counted = (n: number, noun: string, plural = `${noun}s`): string => `${grouped(n)} ${n === 1 ? noun : plural}`;

/** "412 pods", then "3 not ready" and "1 pending" when there are any. */
export function healthWords(health: PodHealth): LabelGroup {
  const pods = health.ready + health.notReady + health.pending;
  return [
    counted(pods, 'pod'),
    ...(health.notReady > 0 ? [`${grouped(health.notReady)} not ready`] : []),
    ...(health.pending > 0 ? [`${grouped(health.pending)} pending`] : []),
  ];
}

/**
 * A node's composition, most informative first: its namespaces holding the most pods, most first
 * ("shop 12"), up to `top` of them and then how many more there are ("+3 namespaces").
 */
export function compositionChoices(namespaces: ReadonlyMap<string, number>, top = 4): LabelGroup[] {
  const sorted = [...namespaces].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1));
  const words = sorted.map(([namespace, n]) => `${truncate(namespace, 16)} ${grouped(n)}`);
  const choices: LabelGroup[] = [];
  for (let k = Math.min(top, words.length); k > 0; k--) {
    choices.push([...words.slice(0, k), ...(words.length > k ? [`+${counted(words.length - k, 'namespace')}`] : [])]);
  }
  return choices;
}

/**
 * The strip along the foot of a fold `width` × `height`, in the fold's own pixels: an eighth of
 * the box's smaller side thick (of a node's narrow column, say), and no more than 6 % of its
 * larger one (a namespace's wide box). `band` is the height it takes from the label; `minShare`
 * the percentage a state present takes at least, a square notch, so that one pod not ready among
 * thousands still shows.
 */
export function stripGeometry(width: number, height: number): { width: number; height: number; top: number; band: number; minShare: number } {
  const thickness = Math.max(2, Math.round(Math.min(Math.min(width, height) * 0.12, Math.max(width, height) * 0.06)));
  const margin = Math.round(thickness * 0.5);
  const stripWidth = Math.max(1, Math.round(width - 2 * margin));
  return { width: stripWidth, height: thickness, top: height - margin - thickness, band: thickness + 2 * margin, minShare: Math.min(15, Math.ceil((100 * thickness) / stripWidth)) };
}

/**
 * The label of a fold `width` × `height` and the font size at which it fills the box (above the
 * strip, if any): `groups` always, then the first of `choices` (a node's composition, most
 * informative first) that leaves the font at least four fifths as large, if any.
 */
export function foldLabel(groups: readonly LabelGroup[], choices: readonly LabelGroup[], width: number, height: number, hasStrip: boolean): { label: string; fontSize: number } {
  const room = hasStrip ? height - stripGeometry(width, height).band : height;
  const best = (parts: readonly LabelGroup[]): { lines: string[]; fontSize: number } => {
    const wide = parts.filter((g) => g.length > 0).map((g) => g.join(' · '));
    const tall = parts.flat();
    const a = fontToFill(wide, width, room);
    const b = fontToFill(tall, width, room);
    return b > a ? { lines: tall, fontSize: b } : { lines: wide, fontSize: a };
  };
  const base = best(groups);
  const chosen = choices.map((choice) => best([...groups, choice])).find((more) => more.fontSize >= base.fontSize * 0.8) ?? base;
  return { label: chosen.lines.join('\n'), fontSize: chosen.fontSize };
}

/** The font size at which `lines` fill a box (an average glyph is 0.62 of the size, lines 1.25). */
function fontToFill(lines: readonly string[], width: number, height: number): number {
  const longest = Math.max(1, ...lines.map((l) => l.length));
  return Math.max(11, Math.min(600, Math.floor(Math.min((height * 0.7) / (lines.length * 1.25), (width * 0.85) / (longest * 0.62)))));
}

const strips = new Map<string, string>();

/**
 * The health strip as an image (an SVG data URI, one per proportion and theme, so cytoscape
 * decodes each once however many folds show it): ready, not ready and Pending side by side in
 * proportion, a state present at least `minShare` % wide.
 */
export function stripImage(health: PodHealth, theme: Pick<GraphTheme, 'ready' | 'notReady' | 'terminating'>, minShare: number): string {
  const counts = [health.ready, health.notReady, health.pending];
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 'none';
  const widths = counts.map((n) => (n === 0 ? 0 : Math.max(minShare, Math.round((100 * n) / total))));
  const widest = widths.indexOf(Math.max(...widths));
  widths[widest]! -= widths.reduce((a, b) => a + b, 0) - 100;
  const colors = [theme.ready, theme.notReady, theme.terminating];
  const key = `${colors.join('|')}|${widths.join(',')}`;
  const known = strips.get(key);
  if (known) return known;
  let x = 0;
  const rects = widths.map((w, i) => {
    const rect = w > 0 ? `<rect x="${x}" width="${w}" height="10" fill="${colors[i]}"/>` : '';
    x += w;
    return rect;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="10" viewBox="0 0 100 10" preserveAspectRatio="none">${rects.join('')}</svg>`;
  const uri = `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
  strips.set(key, uri);
  return uri;
}
