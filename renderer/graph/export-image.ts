/**
 * Images of the graph (issue: "Exporting"): PNG from cytoscape's own renderer, SVG drawn here
 * from what cytoscape computed (node boxes and styles, edge routes, labels), and in both the
 * legend beside the drawing so the picture explains itself.
 *
 * The legend and the SVG writer are pure (plain shapes in, text out); only `exportGraphImage`
 * touches cytoscape and the DOM.
 */
import type cytoscape from 'cytoscape';
import { fontFamily } from './geometry.ts';
import { legendTitle, type LegendSection } from './legend-spec.ts';

export type ImageFormat = 'png' | 'svg';
export type ImageScope = 'view' | 'full';

type Dash = 'dashed' | 'dotted' | undefined;

/** A drawing instruction in a local coordinate system (model pixels for the graph). */
export type Shape =
  | { type: 'rect'; x: number; y: number; w: number; h: number; rx: number; stroke: string; fill: string; fillOpacity?: number; strokeWidth: number; dash?: Dash; cut?: boolean }
  | { type: 'ellipse'; cx: number; cy: number; rx: number; ry: number; stroke: string; fill: string; fillOpacity?: number; strokeWidth: number }
  | { type: 'path'; d: string; stroke: string; strokeWidth: number; dash?: Dash; opacity?: number; arrow?: boolean }
  | { type: 'text'; x: number; y: number; text: string; size: number; color: string; anchor: 'start' | 'middle'; weight?: number; italic?: boolean; background?: string };

export interface Picture {
  width: number;
  height: number;
  shapes: Shape[];
}

// ---- Legend -------------------------------------------------------------------------------

const legendFont = { title: 15, heading: 12.5, item: 12 } as const;
const legendRow = 20;
const legendPad = 14;
const sampleWidth = 34;

/** The legend laid out as shapes, at the origin: a framed panel with a title, headings and rows. */
export function layoutLegend(sections: readonly LegendSection[], colors: { background: string; text: string; border: string }): Picture {
  const shapes: Shape[] = [];
  const longest = Math.max(legendTitle.length, ...sections.flatMap((s) => s.items.map((i) => i.label.length)));
  const width = Math.ceil(legendPad * 2 + sampleWidth + 10 + longest * legendFont.item * 0.58);
  let y = legendPad + legendFont.title;
  shapes.push({ type: 'text', x: legendPad, y, text: legendTitle, size: legendFont.title, color: colors.text, anchor: 'start', weight: 700 });
  y += 8;
  for (const section of sections) {
    y += legendRow;
    shapes.push({ type: 'text', x: legendPad, y, text: section.title, size: legendFont.heading, color: colors.text, anchor: 'start', weight: 600 });
    for (const item of section.items) {
      y += legendRow;
      const mid = y - legendFont.item * 0.35;
      const sample = item.sample;
      if (sample.kind === 'box') {
        shapes.push({ type: 'rect', x: legendPad + 4, y: mid - 6, w: sampleWidth - 8, h: 12, rx: sample.shape === 'cut' ? 0 : 3, cut: sample.shape === 'cut', stroke: sample.stroke, fill: sample.fill, strokeWidth: 1.5, dash: sample.dash });
      } else if (sample.kind === 'line') {
        shapes.push({ type: 'path', d: `M${legendPad} ${mid}L${legendPad + sampleWidth} ${mid}`, stroke: sample.stroke, strokeWidth: sample.width, dash: sample.dash });
      } else {
        shapes.push({ type: 'text', x: legendPad, y, text: 'name', size: legendFont.item, color: colors.text, anchor: 'start', italic: true });
      }
      shapes.push({ type: 'text', x: legendPad + sampleWidth + 10, y, text: item.label, size: legendFont.item, color: colors.text, anchor: 'start' });
    }
    y += 6;
  }
  const height = y + legendPad;
  shapes.unshift({ type: 'rect', x: 0.5, y: 0.5, w: width - 1, h: height - 1, rx: 6, stroke: colors.border, fill: colors.background, strokeWidth: 1 });
  return { width, height, shapes };
}

// ---- SVG ----------------------------------------------------------------------------------

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const dashArray = (dash: Dash, width: number): string =>
  dash === 'dashed' ? ` stroke-dasharray="${Math.max(4, width * 4)} ${Math.max(3, width * 2.5)}"` : dash === 'dotted' ? ` stroke-dasharray="${width} ${width * 2}" stroke-linecap="round"` : '';

const n = (value: number): string => String(Math.round(value * 100) / 100);

function cutPolygon(s: { x: number; y: number; w: number; h: number }): string {
  const c = Math.min(8, s.w / 4, s.h / 4);
  const points = [
    [s.x + c, s.y], [s.x + s.w - c, s.y], [s.x + s.w, s.y + c], [s.x + s.w, s.y + s.h - c],
    [s.x + s.w - c, s.y + s.h], [s.x + c, s.y + s.h], [s.x, s.y + s.h - c], [s.x, s.y + c],
  ];
  return points.map(([x, y]) => `${n(x!)},${n(y!)}`).join(' ');
}

function shapeToSvg(shape: Shape, markers: Map<string, string>): string {
  switch (shape.type) {
    case 'rect': {
      const paint = `fill="${escapeXml(shape.fill)}"${shape.fillOpacity !== undefined ? ` fill-opacity="${n(shape.fillOpacity)}"` : ''} stroke="${escapeXml(shape.stroke)}" stroke-width="${n(shape.strokeWidth)}"${dashArray(shape.dash, shape.strokeWidth)}`;
      if (shape.cut) return `<polygon points="${cutPolygon(shape)}" ${paint}/>`;
      return `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.w)}" height="${n(shape.h)}" rx="${n(shape.rx)}" ${paint}/>`;
    }
    case 'ellipse':
      return `<ellipse cx="${n(shape.cx)}" cy="${n(shape.cy)}" rx="${n(shape.rx)}" ry="${n(shape.ry)}" fill="${escapeXml(shape.fill)}"${shape.fillOpacity !== undefined ? ` fill-opacity="${n(shape.fillOpacity)}"` : ''} stroke="${escapeXml(shape.stroke)}" stroke-width="${n(shape.strokeWidth)}"/>`;
    case 'path': {
      let marker = '';
      if (shape.arrow) {
        if (!markers.has(shape.stroke)) markers.set(shape.stroke, `arrow${markers.size}`);
        marker = ` marker-end="url(#${markers.get(shape.stroke)})"`;
      }
      return `<path d="${shape.d}" fill="none" stroke="${escapeXml(shape.stroke)}" stroke-width="${n(shape.strokeWidth)}"${shape.opacity !== undefined ? ` opacity="${n(shape.opacity)}"` : ''}${dashArray(shape.dash, shape.strokeWidth)}${marker}/>`;
    }
    case 'text': {
      const style = `${shape.weight ? ` font-weight="${shape.weight}"` : ''}${shape.italic ? ' font-style="italic"' : ''}`;
      let background = '';
      if (shape.background) {
        const w = shape.text.length * shape.size * 0.6 + 4;
        const x = shape.anchor === 'middle' ? shape.x - w / 2 : shape.x - 2;
        background = `<rect x="${n(x)}" y="${n(shape.y - shape.size)}" width="${n(w)}" height="${n(shape.size * 1.3)}" rx="2" fill="${escapeXml(shape.background)}" fill-opacity="0.9"/>`;
      }
      return `${background}<text x="${n(shape.x)}" y="${n(shape.y)}" font-size="${n(shape.size)}" fill="${escapeXml(shape.color)}" text-anchor="${shape.anchor}"${style}>${escapeXml(shape.text)}</text>`;
    }
  }
}

/**
 * The graph (in model coordinates, `viewBox` the part to show) and the legend to its right, as
 * one standalone SVG document.
 */
export function pictureToSvg(graph: Picture & { viewBox: { x: number; y: number; w: number; h: number } }, legend: Picture, background: string): string {
  const gap = 16;
  const width = Math.ceil(graph.width + gap + legend.width + gap);
  const height = Math.ceil(Math.max(graph.height, legend.height + 2 * gap));
  const markers = new Map<string, string>();
  const body = graph.shapes.map((s) => shapeToSvg(s, markers)).join('\n');
  const legendBody = legend.shapes.map((s) => shapeToSvg(s, markers)).join('\n');
  const defs = [...markers]
    .map(([color, id]) => `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${escapeXml(color)}"/></marker>`)
    .join('');
  const vb = graph.viewBox;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(fontFamily)}">`,
    `<defs>${defs}</defs>`,
    `<rect width="100%" height="100%" fill="${escapeXml(background)}"/>`,
    `<svg x="0" y="0" width="${n(graph.width)}" height="${n(graph.height)}" viewBox="${n(vb.x)} ${n(vb.y)} ${n(vb.w)} ${n(vb.h)}" overflow="hidden">`,
    `<g class="graph">`,
    body,
    `</g>`,
    `</svg>`,
    `<g class="legend" transform="translate(${n(graph.width + gap)} ${gap})">`,
    legendBody,
    `</g>`,
    `</svg>`,
    '',
  ].join('\n');
}

// ---- From cytoscape -----------------------------------------------------------------------

const num = (value: unknown, fallback = 0): number => {
  const parsed = Number.parseFloat(String(value));
  return Number.isFinite(parsed) ? parsed : fallback;
};

const dashOf = (value: unknown): Dash => (value === 'dashed' ? 'dashed' : value === 'dotted' ? 'dotted' : undefined);

/** Shapes of one node: its box and its label (above the box for compounds, centred for leaves). */
function nodeShapes(node: cytoscape.NodeSingular): Shape[] {
  const shapes: Shape[] = [];
  const box = node.boundingBox({ includeLabels: false, includeOverlays: false, includeUnderlays: false } as cytoscape.BoundingBoxOptions);
  const border = num(node.style('border-width'));
  const x = box.x1 + border / 2;
  const y = box.y1 + border / 2;
  const w = Math.max(1, box.w - border);
  const h = Math.max(1, box.h - border);
  const stroke = String(node.style('border-color'));
  const fill = String(node.style('background-color'));
  const fillOpacity = num(node.style('background-opacity'), 1);
  const shape = String(node.style('shape'));
  if (shape === 'ellipse') {
    shapes.push({ type: 'ellipse', cx: x + w / 2, cy: y + h / 2, rx: w / 2, ry: h / 2, stroke, fill, fillOpacity, strokeWidth: border });
  } else {
    const rx = shape.startsWith('round') ? Math.min(8, w / 4, h / 4) : 0;
    shapes.push({ type: 'rect', x, y, w, h, rx, cut: shape === 'cut-rectangle', stroke, fill, fillOpacity, strokeWidth: border, dash: dashOf(node.style('border-style')) });
  }
  const label = String(node.data('label') ?? '');
  if (label) {
    const size = num(node.style('font-size'), 11);
    const lineHeight = size * num(node.style('line-height'), 1.25);
    const lines = label.split('\n');
    const valign = String(node.style('text-valign'));
    const marginY = num(node.style('text-margin-y'));
    const first = valign === 'top' ? box.y1 + marginY - (lines.length - 1) * lineHeight - size * 0.25 : (box.y1 + box.y2) / 2 - ((lines.length - 1) * lineHeight) / 2 + size * 0.35;
    const italic = node.style('font-style') === 'italic';
    const weight = num(node.style('font-weight'), 400);
    lines.forEach((line, i) =>
      shapes.push({ type: 'text', x: (box.x1 + box.x2) / 2, y: first + i * lineHeight, text: line, size, color: String(node.style('color')), anchor: 'middle', italic, weight: weight === 400 ? undefined : weight }),
    );
  }
  return shapes;
}

function edgeShapes(edge: cytoscape.EdgeSingular, background: string): Shape[] {
  const source = edge.sourceEndpoint();
  const target = edge.targetEndpoint();
  if (!Number.isFinite(source.x) || !Number.isFinite(target.x)) return [];
  const curve = String(edge.style('curve-style'));
  let d = `M${n(source.x)} ${n(source.y)}`;
  const segments = curve === 'segments' || curve === 'taxi' ? edge.segmentPoints() : undefined;
  const controls = curve.includes('bezier') ? edge.controlPoints() : undefined;
  if (segments && segments.length > 0) {
    for (const p of segments) d += `L${n(p.x)} ${n(p.y)}`;
    d += `L${n(target.x)} ${n(target.y)}`;
  } else if (controls && controls.length > 0) {
    // cytoscape joins several control points with quadratic curves through their midpoints.
    let from = controls[0]!;
    for (let i = 1; i < controls.length; i++) {
      const next = controls[i]!;
      d += `Q${n(from.x)} ${n(from.y)} ${n((from.x + next.x) / 2)} ${n((from.y + next.y) / 2)}`;
      from = next;
    }
    d += `Q${n(from.x)} ${n(from.y)} ${n(target.x)} ${n(target.y)}`;
  } else {
    d += `L${n(target.x)} ${n(target.y)}`;
  }
  const width = num(edge.style('width'), 1);
  const shapes: Shape[] = [
    {
      type: 'path',
      d,
      stroke: String(edge.style('line-color')),
      strokeWidth: width,
      dash: dashOf(edge.style('line-style')),
      opacity: num(edge.style('opacity'), 1),
      arrow: edge.style('target-arrow-shape') !== 'none',
    },
  ];
  const label = String(edge.data('label') ?? '');
  if (label) {
    const mid = edge.midpoint();
    const size = num(edge.style('font-size'), 10);
    shapes.push({ type: 'text', x: mid.x, y: mid.y + size * 0.35, text: label, size, color: String(edge.style('color')), anchor: 'middle', italic: edge.style('font-style') === 'italic', background });
  }
  return shapes;
}

/** The drawn graph as shapes: compound boxes outermost first, then edges, then leaves on top. */
export function graphShapes(cy: cytoscape.Core, background: string): Shape[] {
  const visible = cy.elements().filter((ele) => ele.visible());
  const nodes = visible.nodes();
  const compounds = nodes.filter((node) => node.isParent()).sort((a, b) => (a as cytoscape.NodeSingular).ancestors().length - (b as cytoscape.NodeSingular).ancestors().length);
  const shapes: Shape[] = [];
  compounds.forEach((node) => void shapes.push(...nodeShapes(node)));
  visible.edges().forEach((edge) => void shapes.push(...edgeShapes(edge, background)));
  nodes.filter((node) => node.isChildless()).forEach((node) => void shapes.push(...nodeShapes(node)));
  return shapes;
}

/** Draws the legend's shapes on a 2D canvas (for the PNG). */
export function paintShapes(context: CanvasRenderingContext2D, shapes: readonly Shape[]): void {
  for (const shape of shapes) {
    context.save();
    const setDash = (dash: Dash, width: number) =>
      context.setLineDash(dash === 'dashed' ? [Math.max(4, width * 4), Math.max(3, width * 2.5)] : dash === 'dotted' ? [width, width * 2] : []);
    if (shape.type === 'rect') {
      context.beginPath();
      context.roundRect(shape.x, shape.y, shape.w, shape.h, shape.rx);
      context.fillStyle = shape.fill;
      context.globalAlpha = shape.fillOpacity ?? 1;
      context.fill();
      context.globalAlpha = 1;
      context.strokeStyle = shape.stroke;
      context.lineWidth = shape.strokeWidth;
      setDash(shape.dash, shape.strokeWidth);
      context.stroke();
    } else if (shape.type === 'path') {
      const path = new Path2D(shape.d);
      context.strokeStyle = shape.stroke;
      context.lineWidth = shape.strokeWidth;
      setDash(shape.dash, shape.strokeWidth);
      context.stroke(path);
    } else if (shape.type === 'text') {
      context.fillStyle = shape.color;
      context.textAlign = shape.anchor === 'middle' ? 'center' : 'left';
      context.font = `${shape.italic ? 'italic ' : ''}${shape.weight ?? 400} ${shape.size}px ${fontFamily}`;
      context.fillText(shape.text, shape.x, shape.y);
    }
    context.restore();
  }
}

export interface ExportContext {
  background: string;
  text: string;
  border: string;
  legend: readonly LegendSection[];
}

/** The largest side of an exported PNG, in device pixels (browsers refuse larger canvases). */
const maxPngSide = 16_000;

export async function exportGraphImage(cy: cytoscape.Core, format: ImageFormat, scope: ImageScope, context: ExportContext): Promise<Blob | string> {
  const legend = layoutLegend(context.legend, { background: context.background, text: context.text, border: context.border });
  const isFull = scope === 'full';
  const margin = 24;
  const box = isFull ? cy.elements().boundingBox({}) : cy.extent();
  const viewBox = isFull ? { x: box.x1 - margin, y: box.y1 - margin, w: box.w + 2 * margin, h: box.h + 2 * margin } : { x: box.x1, y: box.y1, w: box.w, h: box.h };
  if (format === 'svg') {
    // The view keeps its on-screen size; the whole graph is drawn at zoom 1 (model pixels).
    const size = isFull ? { width: viewBox.w, height: viewBox.h } : { width: cy.width(), height: cy.height() };
    return pictureToSvg({ ...size, viewBox, shapes: graphShapes(cy, context.background) }, legend, context.background);
  }
  const scale = 2;
  const maxSide = Math.floor(maxPngSide - (legend.width + 32) * scale);
  const graphBlob = (await cy.png({ output: 'blob-promise', full: isFull, scale, bg: context.background, maxWidth: maxSide, maxHeight: maxSide })) as Blob;
  const graph = await createImageBitmap(graphBlob);
  const gap = 16 * scale;
  const canvas = document.createElement('canvas');
  canvas.width = graph.width + gap + legend.width * scale + gap;
  canvas.height = Math.max(graph.height, (legend.height + 32) * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  ctx.fillStyle = context.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(graph, 0, 0);
  // A closed bitmap reports a width of 0: place the legend first.
  ctx.translate(graph.width + gap, gap);
  graph.close();
  ctx.scale(scale, scale);
  paintShapes(ctx, legend.shapes);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the PNG.'))), 'image/png'));
}
