/**
 * Sizes shared by the element builder (which truncates labels to fit) and the layout (which
 * places boxes so that labels never collide). One place, so the two cannot drift apart.
 * Units are model pixels: what the canvas shows at zoom 1.
 */
import { printable } from '../../shared/text/printable.ts';

/** A point in model coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box in model coordinates. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Size {
  width: number;
  height: number;
}

export const fontFamily = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Label font sizes and the line height the layout reserves per label line. */
export const text = {
  size: 11,
  smallSize: 10,
  lineHeight: 14,
  /** A generous average glyph width as a fraction of the font size, for truncation. */
  charWidth: 0.62,
} as const;

export const leafSizes = {
  container: { width: 150, height: 22 },
  /** A pod without containers (never in valid objects, but the model allows it). */
  emptyPod: { width: 150, height: 22 },
  device: { width: 170, height: 36 },
  /** The bridge, or the routes node of a routed CNI, centred under the pod grid it serves. */
  bar: { width: 170, height: 34 },
  service: { width: 196, height: 50 },
  ingress: { width: 196, height: 50 },
  internet: { width: 130, height: 50 },
} as const satisfies Record<string, Size>;

/** Padding of compound boxes (cytoscape `padding`), identical on every side. */
export const padding = {
  host: 18,
  pod: 6,
  group: 14,
} as const;

/** Gaps between boxes. `row` leaves room under each pod for its veth label and the veth bus. */
export const gaps = {
  container: 4,
  column: 40,
  row: 34,
  deviceRow: 22,
  host: 56,
  band: 84,
  service: 16,
} as const;

/** Where the veth bus runs: this far below the bottom of the pod it serves (taxi turn). */
export const vethBusOffset = 24;
/** Where the host-end name sits on a veth edge: this far below the pod it joins. */
export const vethLabelOffset = 11;

/** Height reserved above a compound box for its label of `lines` lines. */
export function labelBand(lines: number): number {
  return lines * text.lineHeight + 4;
}

/** How many characters of a label fit in `width` pixels at `fontSize`. */
export function charsThatFit(width: number, fontSize: number = text.size): number {
  return Math.max(4, Math.floor(width / (fontSize * text.charWidth)));
}

/** One line of a label, control characters in it shown as escapes (a name may hold a line break or
 * a bidirectional override that would forge or reorder what is drawn), cut to `maxChars`. */
export function truncate(value: string, maxChars: number): string {
  const line = printable(value);
  return line.length <= maxChars ? line : `${line.slice(0, Math.max(1, maxChars - 1))}…`;
}

