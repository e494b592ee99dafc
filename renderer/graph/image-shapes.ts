/**
 * The drawing primitives of exported images (export-image.ts): plain shapes, written as SVG
 * elements or painted on a 2D canvas. Pure but for `paintShapes`, which needs a canvas.
 */
import { fontFamily } from './geometry.ts';

/** A dash pattern in the shape's own units, as cytoscape's setLineDash (dotted is [1, 1]). */
export type DashPattern = readonly number[];

/** A drawing instruction in a local coordinate system (model pixels for the graph); `opacity` is the element's. */
export type Shape = (
  | { type: 'rect'; x: number; y: number; w: number; h: number; rx: number; stroke: string; fill: string; fillOpacity?: number; strokeWidth: number; strokeOpacity?: number; dash?: DashPattern; cut?: boolean }
  | { type: 'ellipse'; cx: number; cy: number; rx: number; ry: number; stroke: string; fill: string; fillOpacity?: number; strokeWidth: number; strokeOpacity?: number; dash?: DashPattern }
  | { type: 'path'; d: string; stroke: string; strokeWidth: number; dash?: DashPattern; arrow?: Arrow }
  | { type: 'text'; x: number; y: number; text: string; size: number; color: string; anchor: 'start' | 'middle'; weight?: number; italic?: boolean; background?: string }
  /** A picture drawn in a box (a node's background image: a badge, a fold's health strip), `href` a data: URI. */
  | { type: 'image'; href: string; x: number; y: number; w: number; h: number }
) & { opacity?: number };

/** A triangle at the end of a path, `length` long and as wide (cytoscape's triangle arrow). */
export interface Arrow {
  color: string;
  length: number;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export const n = (value: number): string => String(Math.round(value * 100) / 100);

/** Width of a line of text, estimated (pure code has no font metrics): a little wider than most sans-serif text. */
export const textWidth = (text: string, size: number): number => text.length * size * 0.6;

const dashAttribute = (dash: DashPattern | undefined): string => (dash && dash.length > 0 ? ` stroke-dasharray="${dash.map(n).join(' ')}"` : '');
const opacityAttribute = (name: string, value: number | undefined): string => (value !== undefined && value !== 1 ? ` ${name}="${n(value)}"` : '');

/** The corners of a cut rectangle (cytoscape's cut-rectangle: 8 px cut, less on small boxes). */
function cutPoints(s: { x: number; y: number; w: number; h: number }): [number, number][] {
  const c = Math.min(8, s.w / 4, s.h / 4);
  return [
    [s.x + c, s.y], [s.x + s.w - c, s.y], [s.x + s.w, s.y + c], [s.x + s.w, s.y + s.h - c],
    [s.x + s.w - c, s.y + s.h], [s.x + c, s.y + s.h], [s.x, s.y + s.h - c], [s.x, s.y + c],
  ];
}

/** Arrowhead markers, one per colour and size, named as they are first used. */
export class Markers {
  private readonly ids = new Map<string, string>();

  idFor(arrow: Arrow): string {
    const key = `${arrow.color} ${n(arrow.length)}`;
    let id = this.ids.get(key);
    if (!id) this.ids.set(key, (id = `arrow${this.ids.size}`));
    return id;
  }

  /** The `<marker>` elements: drawn in the user's units, the tip on the path's end. */
  toSvg(): string {
    return [...this.ids]
      .map(([key, id]) => {
        const [color, length] = [key.slice(0, key.lastIndexOf(' ')), Number(key.slice(key.lastIndexOf(' ') + 1))];
        return `<marker id="${id}" markerUnits="userSpaceOnUse" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="${n(length)}" markerHeight="${n(length)}" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${escapeXml(color)}"/></marker>`;
      })
      .join('');
  }
}

export function shapeToSvg(shape: Shape, markers: Markers): string {
  const opacity = opacityAttribute('opacity', shape.opacity);
  switch (shape.type) {
    case 'rect':
    case 'ellipse': {
      const paint = `fill="${escapeXml(shape.fill)}"${opacityAttribute('fill-opacity', shape.fillOpacity)} stroke="${escapeXml(shape.stroke)}" stroke-width="${n(shape.strokeWidth)}"${opacityAttribute('stroke-opacity', shape.strokeOpacity)}${dashAttribute(shape.dash)}${opacity}`;
      if (shape.type === 'ellipse') return `<ellipse cx="${n(shape.cx)}" cy="${n(shape.cy)}" rx="${n(shape.rx)}" ry="${n(shape.ry)}" ${paint}/>`;
      if (shape.cut) return `<polygon points="${cutPoints(shape).map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" ${paint}/>`;
      return `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.w)}" height="${n(shape.h)}" rx="${n(shape.rx)}" ${paint}/>`;
    }
    case 'path': {
      const marker = shape.arrow ? ` marker-end="url(#${markers.idFor(shape.arrow)})"` : '';
      return `<path d="${shape.d}" fill="none" stroke="${escapeXml(shape.stroke)}" stroke-width="${n(shape.strokeWidth)}"${dashAttribute(shape.dash)}${opacity}${marker}/>`;
    }
    case 'text': {
      const style = `${shape.weight ? ` font-weight="${shape.weight}"` : ''}${shape.italic ? ' font-style="italic"' : ''}`;
      let background = '';
      if (shape.background) {
        const w = textWidth(shape.text, shape.size) + 4;
        const x = shape.anchor === 'middle' ? shape.x - w / 2 : shape.x - 2;
        background = `<rect x="${n(x)}" y="${n(shape.y - shape.size)}" width="${n(w)}" height="${n(shape.size * 1.3)}" rx="2" fill="${escapeXml(shape.background)}" fill-opacity="0.9"${opacity}/>`;
      }
      return `${background}<text x="${n(shape.x)}" y="${n(shape.y)}" font-size="${n(shape.size)}" fill="${escapeXml(shape.color)}" text-anchor="${shape.anchor}"${style}${opacity}>${escapeXml(shape.text)}</text>`;
    }
    case 'image':
      return `<image href="${escapeXml(shape.href)}" x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.w)}" height="${n(shape.h)}" preserveAspectRatio="none"${opacity}/>`;
  }
}

/**
 * Draws shapes on a 2D canvas (the legend of a PNG), as `shapeToSvg` writes them; but images,
 * which only the graph has, and a PNG's graph is cytoscape's own drawing.
 */
export function paintShapes(context: CanvasRenderingContext2D, shapes: readonly Shape[]): void {
  for (const shape of shapes) {
    context.save();
    context.globalAlpha = shape.opacity ?? 1;
    const base = context.globalAlpha;
    if (shape.type === 'rect' || shape.type === 'ellipse') {
      context.beginPath();
      if (shape.type === 'ellipse') context.ellipse(shape.cx, shape.cy, shape.rx, shape.ry, 0, 0, 2 * Math.PI);
      else if (shape.cut) cutPoints(shape).forEach(([x, y], i) => (i === 0 ? context.moveTo(x, y) : context.lineTo(x, y)));
      else context.roundRect(shape.x, shape.y, shape.w, shape.h, shape.rx);
      context.closePath();
      context.fillStyle = shape.fill;
      context.globalAlpha = base * (shape.fillOpacity ?? 1);
      context.fill();
      context.globalAlpha = base * (shape.strokeOpacity ?? 1);
      context.strokeStyle = shape.stroke;
      context.lineWidth = shape.strokeWidth;
      context.setLineDash(shape.dash ?? []);
      if (shape.strokeWidth > 0) context.stroke();
    } else if (shape.type === 'path') {
      const path = new Path2D(shape.d);
      context.strokeStyle = shape.stroke;
      context.lineWidth = shape.strokeWidth;
      context.setLineDash(shape.dash ?? []);
      context.stroke(path);
      if (shape.arrow) paintArrow(context, shape.d, shape.arrow);
    } else if (shape.type === 'text') {
      context.font = `${shape.italic ? 'italic ' : ''}${shape.weight ?? 400} ${shape.size}px ${fontFamily}`;
      context.textAlign = shape.anchor === 'middle' ? 'center' : 'left';
      context.fillStyle = shape.color;
      context.fillText(shape.text, shape.x, shape.y);
    }
    context.restore();
  }
}

/** The arrowhead of a path whose last command is a straight `L` (the legend's samples). */
function paintArrow(context: CanvasRenderingContext2D, d: string, arrow: Arrow): void {
  const numbers = d.match(/-?[\d.]+/g)?.map(Number) ?? [];
  if (numbers.length < 4) return;
  const [x0, y0, x1, y1] = numbers.slice(-4) as [number, number, number, number];
  const angle = Math.atan2(y1 - y0, x1 - x0);
  context.setLineDash([]);
  context.translate(x1, y1);
  context.rotate(angle);
  context.beginPath();
  context.moveTo(0, 0);
  context.lineTo(-arrow.length, -arrow.length / 2);
  context.lineTo(-arrow.length, arrow.length / 2);
  context.closePath();
  context.fillStyle = arrow.color;
  context.fill();
}
