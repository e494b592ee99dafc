/**
 * Images of the graph (issue: "Exporting"): PNG from cytoscape's own renderer, SVG drawn here
 * from what cytoscape computed (node boxes and styles, edge routes, labels), and in both the
 * legend beside the drawing so the picture explains itself.
 *
 * The legend, the sizes and the SVG writer are pure (plain shapes in, text out); only
 * `graphShapes` and `exportGraphImage` touch cytoscape and the DOM.
 */
import type cytoscape from 'cytoscape';
import { fontFamily } from './geometry.ts';
import { escapeXml, Markers, n, paintShapes, shapeToSvg, textWidth, type DashPattern, type Shape } from './image-shapes.ts';
import { legendTitle, type LegendDash, type LegendSection } from './legend-spec.ts';

export type ImageFormat = 'png' | 'svg';
export type ImageScope = 'view' | 'full';

export interface Size {
  width: number;
  height: number;
}

export interface Picture extends Size {
  shapes: Shape[];
}

/** An exported image and how it was sized, so that the caller can say so. */
export interface ExportedImage {
  /** A PNG, or the text of an SVG document. */
  image: Blob | string;
  /** The whole image, legend included, in pixels. */
  width: number;
  height: number;
  /** Image pixels per model pixel (`full`) or per screen pixel (`view`). */
  scale: number;
  /** The graph alone at scale 1. */
  natural: Size;
}

// ---- Legend -------------------------------------------------------------------------------

const legendFont = { title: 15, heading: 12.5, item: 12 } as const;
const legendRow = 20;
const legendPad = 14;
const sampleWidth = 34;
const sampleGap = 10;
const columnGap = 16;

/** cytoscape's dash patterns: node borders, edges (line-dash-pattern's default), and dotted for both. */
const dashes = { border: [4, 2], line: [6, 3], dotted: [1, 1] } as const;
const legendDash = (dash: LegendDash | undefined, of: 'border' | 'line'): DashPattern | undefined => (dash === 'dotted' ? dashes.dotted : dash === 'dashed' ? dashes[of] : undefined);

/** cytoscape's triangle arrowhead for an edge `width` wide at arrow-scale `scale`: 0.3 of its arrow size. */
export const arrowLength = (width: number, scale: number): number => 0.3 * Math.max(Math.pow(width * 13.37, 0.9), 29) * scale;

/**
 * The legend laid out as shapes, at the origin: a framed panel with a title, headings and rows.
 * A section of short labels (namespaces) flows into as many columns as the widest row leaves room for.
 */
export function layoutLegend(sections: readonly LegendSection[], colors: { background: string; text: string; border: string }): Picture {
  const itemWidth = (label: string): number => sampleWidth + sampleGap + textWidth(label, legendFont.item);
  const content = Math.ceil(Math.max(textWidth(legendTitle, legendFont.title), ...sections.flatMap((s) => [textWidth(s.title, legendFont.heading), ...s.items.map((i) => itemWidth(i.label))])));
  const shapes: Shape[] = [];
  let y = legendPad + legendFont.title;
  shapes.push({ type: 'text', x: legendPad, y, text: legendTitle, size: legendFont.title, color: colors.text, anchor: 'start', weight: 700 });
  y += 8;
  for (const section of sections) {
    y += legendRow;
    shapes.push({ type: 'text', x: legendPad, y, text: section.title, size: legendFont.heading, color: colors.text, anchor: 'start', weight: 600 });
    const column = Math.max(...section.items.map((i) => itemWidth(i.label))) + columnGap;
    const columns = Math.max(1, Math.floor((content + columnGap) / column));
    const rows = Math.ceil(section.items.length / columns);
    section.items.forEach((item, i) => {
      const x = legendPad + Math.floor(i / rows) * column;
      const baseline = y + legendRow * ((i % rows) + 1);
      shapes.push(...sampleShapes(item.sample, x, baseline, colors.text));
      shapes.push({ type: 'text', x: x + sampleWidth + sampleGap, y: baseline, text: item.label, size: legendFont.item, color: colors.text, anchor: 'start' });
    });
    y += legendRow * rows + 6;
  }
  const width = content + 2 * legendPad;
  const height = y + legendPad;
  shapes.unshift({ type: 'rect', x: 0.5, y: 0.5, w: width - 1, h: height - 1, rx: 6, stroke: colors.border, fill: colors.background, strokeWidth: 1 });
  return { width, height, shapes };
}

/** A legend sample at `x`, on the row whose text sits on `baseline`. */
function sampleShapes(sample: LegendSection['items'][number]['sample'], x: number, baseline: number, text: string): Shape[] {
  const mid = baseline - legendFont.item * 0.35;
  if (sample.kind === 'text') {
    return [{ type: 'text', x, y: baseline, text: sample.text, size: legendFont.item, color: sample.color ?? text, anchor: 'start', italic: sample.italic }];
  }
  if (sample.kind === 'line') {
    const arrow = sample.arrow ? { color: sample.stroke, length: arrowLength(sample.width, 0.7) } : undefined;
    return [{ type: 'path', d: `M${x} ${n(mid)}L${x + sampleWidth} ${n(mid)}`, stroke: sample.stroke, strokeWidth: sample.width, dash: legendDash(sample.dash, 'line'), arrow }];
  }
  const box = { x: x + 4, y: mid - 6, w: sampleWidth - 8, h: 12 };
  const strokeWidth = sample.width ?? 1.5;
  const stroke = strokeWidth > 0 ? sample.stroke : 'none';
  const shapes: Shape[] = [];
  if (sample.halo) shapes.push({ type: 'rect', x: box.x - 4, y: box.y - 4, w: box.w + 8, h: box.h + 8, rx: 5, stroke: sample.halo, strokeWidth: 0, fill: sample.halo, fillOpacity: 0.25 });
  shapes.push({ type: 'rect', ...box, rx: 3, cut: sample.shape === 'cut', stroke, fill: sample.fill, fillOpacity: sample.fillOpacity, strokeWidth, dash: legendDash(sample.dash, 'border') });
  if (sample.outline) shapes.push({ type: 'rect', x: box.x - 2.5, y: box.y - 2.5, w: box.w + 5, h: box.h + 5, rx: 4.5, stroke: sample.outline, strokeOpacity: 0.8, fill: 'none', strokeWidth: 2, dash: legendDash(sample.outlineDash, 'border') });
  if (sample.text) shapes.push({ type: 'text', x: box.x + box.w / 2, y: mid + 3.5, text: sample.text, size: 10, color: sample.textColor ?? text, anchor: 'middle', weight: 600 });
  return shapes;
}

// ---- Sizes --------------------------------------------------------------------------------

/**
 * How large the legend is drawn beside a graph `graphHeight` image pixels high, drawn at
 * `graphScale` image pixels per model pixel: at the graph's scale (its text as large as the
 * graph's), but at least 40% and at most all of the graph's height — so on a large graph shrunk
 * to fit it still reads when the image is seen whole, and on a small one it does not dominate —
 * and never below scale 1 (12 px text), which matters more than its height on a tiny graph.
 */
export function legendScaleFor(graphHeight: number, graphScale: number, legendHeight: number): number {
  const fraction = graphHeight / legendHeight;
  return Math.max(1, Math.min(fraction, Math.max(graphScale, 0.4 * fraction)));
}

export interface Composition extends Size {
  legendScale: number;
  /** Where the legend's top left corner is, in image pixels. */
  legendX: number;
  legendY: number;
}

/** The graph image at the top left, the legend to its right, a gap (as the legend is scaled) around it. */
export function compose(graph: Size, legend: Size, legendScale: number): Composition {
  const gap = 16 * legendScale;
  return {
    width: Math.ceil(graph.width + gap + legend.width * legendScale + gap),
    height: Math.ceil(Math.max(graph.height, legend.height * legendScale + 2 * gap)),
    legendScale,
    legendX: graph.width + gap,
    legendY: gap,
  };
}

/**
 * The largest PNG made. Chromium's canvas stops at 32,767 px a side and 268M px in all (past
 * that it encodes to nothing: "toBlob() sent a null value"), but its image decoder already
 * refuses a PNG of 98M px (392 MB decoded), so the image is kept to what a browser still opens,
 * with room to spare.
 */
export const pngLimits = { maxSide: 16_384, maxArea: 48_000_000 } as const;

/** A PNG draws the graph at twice its size when it can, legible when zoomed into. */
const preferredPngScale = 2;

/**
 * The largest scale, up to 2, at which the graph (`natural` at scale 1) and its legend fit the
 * limits. Everything in the composition grows with the scale but the legend's floor, so a
 * shrink or two settles it.
 */
export function planPng(natural: Size, legend: Size, limits: { maxSide: number; maxArea: number } = pngLimits): Composition & { scale: number; graph: Size } {
  const fit = (size: Size): number => Math.min(limits.maxSide / size.width, limits.maxSide / size.height, Math.sqrt(limits.maxArea / (size.width * size.height)));
  let scale = Math.min(preferredPngScale, fit(natural));
  for (let attempt = 0; attempt < 20; attempt++) {
    const graph = { width: Math.max(1, Math.floor(natural.width * scale)), height: Math.max(1, Math.floor(natural.height * scale)) };
    const composition = compose(graph, legend, legendScaleFor(graph.height, scale, legend.height));
    const room = fit(composition);
    if (room >= 1) return { ...composition, scale, graph };
    scale *= room * 0.99;
  }
  throw new Error(`The legend alone (${legend.width}×${legend.height} px) does not fit in a PNG.`);
}

// ---- SVG ----------------------------------------------------------------------------------

/**
 * The graph (in model coordinates, `viewBox` the part to show, drawn `width`×`height`) and the
 * legend to its right, as one standalone SVG document.
 */
export function pictureToSvg(graph: Picture & { viewBox: { x: number; y: number; w: number; h: number } }, legend: Picture, background: string): { svg: string; size: Size } {
  const layout = compose(graph, legend, legendScaleFor(graph.height, 1, legend.height));
  const markers = new Markers();
  const body = graph.shapes.map((s) => shapeToSvg(s, markers)).join('\n');
  const legendBody = legend.shapes.map((s) => shapeToSvg(s, markers)).join('\n');
  const vb = graph.viewBox;
  const svg = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="${escapeXml(fontFamily)}">`,
    `<defs>${markers.toSvg()}</defs>`,
    `<rect width="100%" height="100%" fill="${escapeXml(background)}"/>`,
    `<svg x="0" y="0" width="${n(graph.width)}" height="${n(graph.height)}" viewBox="${n(vb.x)} ${n(vb.y)} ${n(vb.w)} ${n(vb.h)}" overflow="hidden">`,
    `<g class="graph">`,
    body,
    `</g>`,
    `</svg>`,
    `<g class="legend" transform="translate(${n(layout.legendX)} ${n(layout.legendY)}) scale(${n(layout.legendScale)})">`,
    legendBody,
    `</g>`,
    `</svg>`,
    '',
  ].join('\n');
  return { svg, size: { width: layout.width, height: layout.height } };
}

// ---- From cytoscape -----------------------------------------------------------------------

const num = (value: unknown, fallback = 0): number => {
  const parsed = Number.parseFloat(String(value));
  return Number.isFinite(parsed) ? parsed : fallback;
};

/** The element's dash pattern for `style` (border-style, line-style), as cytoscape strokes it. */
function dashOf(ele: cytoscape.NodeSingular | cytoscape.EdgeSingular, style: 'border' | 'line'): DashPattern | undefined {
  const kind = ele.style(`${style}-style`);
  if (kind === 'dotted') return dashes.dotted;
  if (kind !== 'dashed') return undefined;
  const pattern = ele.numericStyle(`${style}-dash-pattern`) as unknown;
  return Array.isArray(pattern) && pattern.length > 0 ? pattern.map(Number) : dashes[style];
}

/** A node's box, padding included, in model pixels: cytoscape strokes the border centred on it. */
function boxOf(node: cytoscape.NodeSingular): { x: number; y: number; w: number; h: number } {
  const { x, y } = node.position();
  const border = num(node.style('border-width'));
  const w = node.outerWidth() - border;
  const h = node.outerHeight() - border;
  return { x: x - w / 2, y: y - h / 2, w, h };
}

/** A length of a background image's style: pixels, or a percentage of `of`. */
function lengthOf(value: unknown, of: number): number {
  const text = String(value);
  return text.endsWith('%') ? (num(text) / 100) * of : num(text);
}

/**
 * The node's background image (a badge, a fold's health strip) where cytoscape draws it, for
 * a fixed-size image (`background-fit: none`, pixel or percentage sizes) as the stylesheet uses.
 */
function backgroundImage(node: cytoscape.NodeSingular, box: { x: number; y: number; w: number; h: number }, opacity: number): Shape[] {
  const href = String(node.style('background-image') ?? '');
  if (!href || href === 'none') return [];
  const w = lengthOf(node.style('background-width'), box.w);
  const h = lengthOf(node.style('background-height'), box.h);
  if (!(w > 0) || !(h > 0)) return [];
  // Positions and offsets in percent are of the room left around the image, as in CSS.
  const along = (start: number, room: number, position: unknown, offset: unknown) => start + lengthOf(position, room) + lengthOf(offset, room);
  const x = along(box.x, box.w - w, node.style('background-position-x'), node.style('background-offset-x'));
  const y = along(box.y, box.h - h, node.style('background-position-y'), node.style('background-offset-y'));
  return [{ type: 'image', href, x, y, w, h, opacity: opacity * num(node.style('background-image-opacity'), 1) }];
}

/** cytoscape's corner radius of a round rectangle: its `corner-radius`, or 8 px at most when `auto`. */
function cornerRadius(node: cytoscape.NodeSingular, w: number, h: number): number {
  const set = num(node.style('corner-radius'), Number.NaN);
  return Number.isFinite(set) ? Math.min(set, w / 2, h / 2) : Math.min(8, w / 4, h / 4);
}

/** The same shape as `box`, grown by `by` on every side. */
const grown = (box: { x: number; y: number; w: number; h: number }, by: number) => ({ x: box.x - by, y: box.y - by, w: box.w + 2 * by, h: box.h + 2 * by });

/**
 * Shapes of one node: its underlay (a selection's halo), its box, its outline (a pod not ready)
 * and its label (above the box for compounds, centred for leaves).
 */
export function nodeShapes(node: cytoscape.NodeSingular): Shape[] {
  const shapes: Shape[] = [];
  const opacity = node.effectiveOpacity();
  const box = boxOf(node);
  const border = num(node.style('border-width'));
  const kind = String(node.style('shape'));
  const isEllipse = kind === 'ellipse';
  const isCut = kind === 'cut-rectangle';
  const rx = kind.startsWith('round') ? cornerRadius(node, box.w, box.h) : 0;
  const outlined = (area: { x: number; y: number; w: number; h: number }, r: number, paint: { stroke: string; fill: string; fillOpacity?: number; strokeWidth: number; strokeOpacity?: number; dash?: DashPattern }): Shape =>
    isEllipse ? { type: 'ellipse', cx: area.x + area.w / 2, cy: area.y + area.h / 2, rx: area.w / 2, ry: area.h / 2, ...paint, opacity } : { type: 'rect', ...area, rx: r, cut: isCut, ...paint, opacity };

  const underlay = num(node.style('underlay-opacity'));
  if (underlay > 0) {
    const padding = num(node.style('underlay-padding'));
    const area = grown(box, padding);
    shapes.push(outlined(area, node.style('underlay-shape') === 'ellipse' ? 0 : Math.min(8, area.w / 4, area.h / 4) + padding / 2, { stroke: 'none', strokeWidth: 0, fill: String(node.style('underlay-color')), fillOpacity: underlay }));
  }
  shapes.push(
    outlined(box, rx, {
      stroke: border > 0 ? String(node.style('border-color')) : 'none',
      strokeWidth: border,
      strokeOpacity: num(node.style('border-opacity'), 1),
      fill: String(node.style('background-color')),
      fillOpacity: num(node.style('background-opacity'), 1),
      dash: dashOf(node, 'border'),
    }),
  );
  const outline = num(node.style('outline-width'));
  if (outline > 0) {
    // cytoscape strokes the outline on the shape grown by half the border, outline and offset.
    const by = (border + outline + num(node.style('outline-offset'))) / 2;
    shapes.push(outlined(grown(box, by), rx + by, { stroke: String(node.style('outline-color')), strokeWidth: outline, strokeOpacity: num(node.style('outline-opacity'), 1), fill: 'none', dash: node.style('outline-style') === 'dotted' ? dashes.dotted : node.style('outline-style') === 'dashed' ? dashes.border : undefined }));
  }
  shapes.push(...backgroundImage(node, box, opacity));
  shapes.push(...nodeLabel(node, opacity));
  return shapes;
}

function nodeLabel(node: cytoscape.NodeSingular, opacity: number): Shape[] {
  const label = String(node.style('label') ?? '');
  if (!label) return [];
  const size = num(node.style('font-size'), 11);
  const lineHeight = size * num(node.style('line-height'), 1.25);
  const lines = label.split('\n');
  const box = boxOf(node);
  const border = num(node.style('border-width'));
  const valign = String(node.style('text-valign'));
  const marginY = num(node.style('text-margin-y'));
  const block = (lines.length - 1) * lineHeight;
  // Baselines: a label above or below sits outside the border; a centred one about the middle.
  const first =
    valign === 'top' ? box.y - border / 2 + marginY - block - size * 0.25 : valign === 'bottom' ? box.y + box.h + border / 2 + marginY + size : box.y + box.h / 2 - block / 2 + size * 0.35;
  const italic = node.style('font-style') === 'italic';
  const weight = num(node.style('font-weight'), 400);
  const color = String(node.style('color'));
  return lines.map((line, i) => ({ type: 'text', x: box.x + box.w / 2, y: first + i * lineHeight, text: line, size, color, anchor: 'middle', italic, weight: weight === 400 ? undefined : weight, opacity }));
}

/** The edge's route as an SVG path and as points along it (curves flattened), source to target. */
function edgeRoute(edge: cytoscape.EdgeSingular): { d: string; points: { x: number; y: number }[] } | null {
  const source = edge.sourceEndpoint();
  const target = edge.targetEndpoint();
  if (!Number.isFinite(source.x) || !Number.isFinite(target.x)) return null;
  const curve = String(edge.style('curve-style'));
  let d = `M${n(source.x)} ${n(source.y)}`;
  const points = [source];
  const segments = curve === 'segments' || curve === 'taxi' ? edge.segmentPoints() : undefined;
  const controls = curve.includes('bezier') ? edge.controlPoints() : undefined;
  const quadratic = (control: { x: number; y: number }, to: { x: number; y: number }) => {
    const from = points[points.length - 1]!;
    d += `Q${n(control.x)} ${n(control.y)} ${n(to.x)} ${n(to.y)}`;
    for (let t = 0.125; t <= 1; t += 0.125) {
      const u = 1 - t;
      points.push({ x: u * u * from.x + 2 * u * t * control.x + t * t * to.x, y: u * u * from.y + 2 * u * t * control.y + t * t * to.y });
    }
  };
  if (segments && segments.length > 0) {
    for (const p of [...segments, target]) {
      d += `L${n(p.x)} ${n(p.y)}`;
      points.push(p);
    }
  } else if (controls && controls.length > 0) {
    // cytoscape joins several control points with quadratic curves through their midpoints.
    let from = controls[0]!;
    for (let i = 1; i < controls.length; i++) {
      const next = controls[i]!;
      quadratic(from, { x: (from.x + next.x) / 2, y: (from.y + next.y) / 2 });
      from = next;
    }
    quadratic(from, target);
  } else {
    d += `L${n(target.x)} ${n(target.y)}`;
    points.push(target);
  }
  return { d, points };
}

/** The point `distance` along a polyline from its first point (its last, if the distance runs out). */
export function pointAlong(points: readonly { x: number; y: number }[], distance: number): { x: number; y: number } {
  let left = distance;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (length >= left && length > 0) return { x: a.x + ((b.x - a.x) * left) / length, y: a.y + ((b.y - a.y) * left) / length };
    left -= length;
  }
  return points[points.length - 1]!;
}

/** Shapes of one edge: its line with its arrowhead, and its labels (middle, and at either end). */
export function edgeShapes(edge: cytoscape.EdgeSingular, background: string): Shape[] {
  const route = edgeRoute(edge);
  if (!route) return [];
  const width = num(edge.style('width'), 1);
  const opacity = edge.effectiveOpacity();
  const shapes: Shape[] = [
    {
      type: 'path',
      d: route.d,
      stroke: String(edge.style('line-color')),
      strokeWidth: width,
      dash: dashOf(edge, 'line'),
      opacity,
      arrow: edge.style('target-arrow-shape') !== 'none' ? { color: String(edge.style('target-arrow-color')), length: arrowLength(width, num(edge.style('arrow-scale'), 1)) } : undefined,
    },
  ];
  const size = num(edge.style('font-size'), 10);
  const text = (at: { x: number; y: number }, label: string): Shape => ({
    type: 'text',
    x: at.x,
    y: at.y + size * 0.35,
    text: label,
    size,
    color: String(edge.style('color')),
    anchor: 'middle',
    italic: edge.style('font-style') === 'italic',
    weight: num(edge.style('font-weight'), 400) === 400 ? undefined : num(edge.style('font-weight')),
    background,
    opacity,
  });
  const label = String(edge.style('label') ?? '');
  if (label) shapes.push(text(edge.midpoint(), label));
  const sourceLabel = String(edge.style('source-label') ?? '');
  if (sourceLabel) shapes.push(text(pointAlong(route.points, num(edge.style('source-text-offset'))), sourceLabel));
  const targetLabel = String(edge.style('target-label') ?? '');
  if (targetLabel) shapes.push(text(pointAlong([...route.points].reverse(), num(edge.style('target-text-offset'))), targetLabel));
  return shapes;
}

/**
 * The drawn graph as shapes, stacked as cytoscape stacks them: compound boxes outermost first,
 * then edges, then leaves, each by z-index (a traced or selected edge over the rest), and over
 * all of them what is raised to the top (`z-compound-depth: top`: a trace's hops).
 */
export function graphShapes(cy: cytoscape.Core, background: string): Shape[] {
  const visible = cy.elements().filter((ele) => ele.visible());
  const byZ = (a: cytoscape.SingularElementArgument, b: cytoscape.SingularElementArgument) => a.numericStyle('z-index') - b.numericStyle('z-index');
  const isTop = (ele: cytoscape.SingularElementArgument) => ele.style('z-compound-depth') === 'top';
  const layers = [
    visible.nodes().filter((node) => node.isParent() && !isTop(node)).sort((a, b) => (a as cytoscape.NodeSingular).ancestors().length - (b as cytoscape.NodeSingular).ancestors().length || byZ(a, b)),
    visible.edges().filter((edge) => !isTop(edge)).sort(byZ),
    visible.nodes().filter((node) => node.isChildless() && !isTop(node)).sort(byZ),
    visible.filter(isTop).sort(byZ),
  ];
  const shapes: Shape[] = [];
  for (const layer of layers) layer.forEach((ele) => void shapes.push(...(ele.isNode() ? nodeShapes(ele) : edgeShapes(ele as cytoscape.EdgeSingular, background))));
  return shapes;
}

export interface ExportContext {
  background: string;
  text: string;
  border: string;
  legend: readonly LegendSection[];
}

export async function exportGraphImage(cy: cytoscape.Core, format: ImageFormat, scope: ImageScope, context: ExportContext): Promise<ExportedImage> {
  const legend = layoutLegend(context.legend, { background: context.background, text: context.text, border: context.border });
  const isFull = scope === 'full';
  if (format === 'svg') {
    // The view keeps its on-screen size; the whole graph is drawn at zoom 1 (model pixels), with a margin.
    const margin = 24;
    const box = isFull ? cy.elements().boundingBox({}) : cy.extent();
    const viewBox = isFull ? { x: box.x1 - margin, y: box.y1 - margin, w: box.w + 2 * margin, h: box.h + 2 * margin } : { x: box.x1, y: box.y1, w: box.w, h: box.h };
    const natural = isFull ? { width: viewBox.w, height: viewBox.h } : { width: cy.width(), height: cy.height() };
    const { svg, size } = pictureToSvg({ ...natural, viewBox, shapes: graphShapes(cy, context.background) }, legend, context.background);
    return { image: svg, ...size, scale: 1, natural };
  }
  // What cy.png sizes its canvas from: the whole drawing's box, or the view's.
  const natural = isFull ? { width: Math.ceil(cy.elements().boundingBox({}).w), height: Math.ceil(cy.elements().boundingBox({}).h) } : { width: cy.width(), height: cy.height() };
  const plan = planPng(natural, legend);
  // A largest size rather than a scale: with a scale alone cytoscape also multiplies by the screen's pixel ratio.
  const graphBlob = (await cy.png({ output: 'blob-promise', full: isFull, bg: context.background, maxWidth: plan.graph.width, maxHeight: plan.graph.height })) as Blob;
  const graph = await createImageBitmap(graphBlob);
  const canvas = document.createElement('canvas');
  canvas.width = plan.width;
  canvas.height = plan.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  ctx.fillStyle = context.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(graph, 0, 0);
  graph.close();
  ctx.translate(plan.legendX, plan.legendY);
  ctx.scale(plan.legendScale, plan.legendScale);
  paintShapes(ctx, legend.shapes);
  const image = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error(`The browser could not encode a ${canvas.width}×${canvas.height} PNG.`))), 'image/png'),
  );
  return { image, width: plan.width, height: plan.height, scale: plan.scale, natural };
}
