import cytoscape from 'cytoscape';
import { afterAll, describe, expect, test } from 'vitest';
import { arrowLength, edgeShapes, graphShapes, layoutLegend, legendScaleFor, nodeShapes, pictureToSvg, planPng, pngLimits, pointAlong, type Picture } from './export-image.ts';
import { escapeXml, Markers, shapeToSvg, type Shape } from './image-shapes.ts';
import { legendSections, legendTitle } from './legend-spec.ts';
import { graphStylesheet } from './stylesheet.ts';
import { fallbackTheme as theme } from './theme.ts';

const colors = { background: '#fff', text: '#000', border: '#999' };
const legend = layoutLegend(legendSections(null, theme), colors);
const svgOf = (shapes: Shape[]): string => {
  const markers = new Markers();
  return shapes.map((s) => shapeToSvg(s, markers)).join('\n') + markers.toSvg();
};

describe('the legend', () => {
  test('holds its title, every section and item, inside its frame', () => {
    const sections = legendSections(null, theme);
    const texts = legend.shapes.flatMap((s) => (s.type === 'text' ? [s.text] : []));
    expect(texts[0]).toBe(legendTitle);
    for (const section of sections) {
      expect(texts).toContain(section.title);
      for (const item of section.items) expect(texts).toContain(item.label);
    }
    for (const shape of legend.shapes) if (shape.type === 'text') expect(shape.y).toBeLessThan(legend.height);
  });

  test('names every state the canvas draws: not ready, Pending, folds, selection, a trace, the unscheduled box, inferred', () => {
    const labels = legendSections(null, theme).flatMap((s) => s.items.map((i) => i.label));
    for (const words of ['not ready', 'Pending', 'fold:', 'fold holding problems', 'selected', 'traced path', 'DNS lookup', 'denied', 'Unscheduled', 'inferred', 'headless Service', 'sidecar']) {
      expect(labels.some((label) => label.includes(words)), words).toBe(true);
    }
    // The not-ready sample carries the canvas's outline, in the not-ready colour.
    const notReady = legendSections(null, theme)[1]!.items.find((i) => i.label === 'pod not ready')!.sample;
    expect(notReady).toMatchObject({ kind: 'box', outline: theme.notReady });
  });

  test('lays many short items (namespaces) out in columns, keeping it compact', () => {
    const names = 24;
    const many: Picture = layoutLegend([...legendSections(null, theme), { title: 'Namespaces', items: Array.from({ length: names }, (_, i) => ({ sample: { kind: 'box', stroke: '#123456', fill: '#123456' }, label: `team-${i}` })) }], colors);
    expect(many.width).toBe(legend.width);
    // The section (a heading, its rows of 20 px, a gap) takes at most half the rows of one name a row.
    expect(many.height - legend.height).toBeLessThanOrEqual(20 + (names / 2) * 20 + 6);
    const xs = new Set(many.shapes.flatMap((s) => (s.type === 'text' && s.text.startsWith('team-') ? [s.x] : [])));
    expect(xs.size).toBeGreaterThan(1);
  });
});

describe('sizes', () => {
  test('the legend is drawn at the graph’s scale, between 40% and all of the graph’s height, and never below scale 1', () => {
    const h = legend.height;
    // A demo-sized picture at scale 2: the legend as large as the graph's text.
    expect(legendScaleFor(3000, 2, h)).toBe(2);
    // A huge graph shrunk to 0.3: the legend is still 40% of the image's height, readable seen whole.
    const big = legendScaleFor(7000, 0.3, h);
    expect(big * h).toBeCloseTo(0.4 * 7000);
    // A small graph at scale 2: the legend no taller than the graph.
    expect(legendScaleFor(h * 1.2, 2, h) * h).toBeLessThanOrEqual(h * 1.2);
    // A tiny graph: 12 px text all the same.
    expect(legendScaleFor(100, 2, h)).toBe(1);
  });

  test('a PNG is drawn at scale 2 when it fits, and shrunk to Chromium’s limits when not', () => {
    const demo = planPng({ width: 2400, height: 1700 }, legend);
    expect(demo.scale).toBe(2);
    expect(demo.graph).toEqual({ width: 4800, height: 3400 });

    for (const natural of [
      { width: 16_291, height: 21_127 },
      { width: 41_000, height: 27_000 },
      { width: 120_000, height: 400 },
    ]) {
      const plan = planPng(natural, legend);
      expect(plan.scale).toBeLessThan(2);
      expect(Math.max(plan.width, plan.height)).toBeLessThanOrEqual(pngLimits.maxSide);
      expect(plan.width * plan.height).toBeLessThanOrEqual(pngLimits.maxArea);
      // The limits are nearly used up: no needless shrinking.
      expect(Math.max(plan.width / pngLimits.maxSide, plan.height / pngLimits.maxSide, (plan.width * plan.height) / pngLimits.maxArea)).toBeGreaterThan(0.95);
      expect(plan.legendX).toBeGreaterThanOrEqual(plan.graph.width);
      expect(plan.legendX + legend.width * plan.legendScale).toBeLessThanOrEqual(plan.width);
    }
  });
});

describe('the SVG document', () => {
  test('escapes text, places the scaled legend beside the graph and defines its arrowheads', () => {
    const { svg, size } = pictureToSvg(
      {
        width: 400,
        height: 300,
        viewBox: { x: -10, y: -10, w: 400, h: 300 },
        shapes: [
          { type: 'text', x: 0, y: 0, text: 'a<b & "c"', size: 11, color: '#000', anchor: 'middle' },
          { type: 'path', d: 'M0 0L10 10', stroke: 'rgb(1,2,3)', strokeWidth: 1, arrow: { color: 'rgb(1,2,3)', length: 6 } },
        ],
      },
      legend,
      '#fff',
    );
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot;');
    const scale = legendScaleFor(300, 1, legend.height);
    expect(svg).toContain(`<g class="legend" transform="translate(${400 + 16 * scale} ${16 * scale}) scale(${Math.round(scale * 100) / 100})">`);
    expect(svg).toContain('marker-end="url(#arrow0)"');
    expect(svg).toMatch(/<marker id="arrow0" markerUnits="userSpaceOnUse"[^>]*markerWidth="6"/);
    expect(svg).toContain(`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}"`);
    expect(escapeXml(`'`)).toBe('&apos;');
  });
});

// The canvas's stylesheet applied by a headless cytoscape: each look a class gives must reach the SVG.
describe('every look of the canvas reaches the SVG', () => {
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: graphStylesheet(theme),
    elements: [
      { group: 'nodes', data: { id: 'host', label: 'node-1' }, classes: 'host', position: { x: 0, y: 0 } },
      { group: 'nodes', data: { id: 'pod', parent: 'host', label: 'db-0\n10.0.0.5', color: '#3f7fd0' }, classes: 'pod not-ready' },
      { group: 'nodes', data: { id: 'c', parent: 'pod', label: 'postgres', color: '#3f7fd0', width: 120, height: 22 }, classes: 'container', position: { x: 0, y: 0 } },
      { group: 'nodes', data: { id: 'init', label: 'init: migrate', color: '#3f7fd0', width: 120, height: 22 }, classes: 'container role-init', position: { x: 300, y: 0 } },
      { group: 'nodes', data: { id: 'sidecar', label: 'envoy', color: '#3f7fd0', width: 120, height: 22 }, classes: 'container role-sidecar', position: { x: 500, y: 0 } },
      { group: 'nodes', data: { id: 'hostnet', label: 'kube-proxy', color: '#3f7fd0', width: 120, height: 22 }, classes: 'pod host-network', position: { x: 700, y: 0 } },
      { group: 'nodes', data: { id: 'pending', label: 'web-0\nno IP', color: '#3f7fd0', width: 120, height: 22 }, classes: 'pod no-ip', position: { x: 900, y: 0 } },
      { group: 'nodes', data: { id: 'svc', label: 'db\nheadless', color: '#3f7fd0', width: 120, height: 40 }, classes: 'service headless', position: { x: 0, y: 300 } },
      { group: 'nodes', data: { id: 'fold', label: '400 pods', width: 200, height: 100, fontSize: 20 }, classes: 'fold fold-pods has-problems', position: { x: 300, y: 300 } },
      { group: 'nodes', data: { id: 'bridge', label: 'cni0\nbridge', width: 120, height: 30 }, classes: 'device device-bridge name-inferred', position: { x: 600, y: 300 } },
      { group: 'nodes', data: { id: 'chosen', label: 'api', color: '#3f7fd0', width: 120, height: 22 }, classes: 'container is-selected', position: { x: 900, y: 300 } },
      { group: 'nodes', data: { id: 'dim', label: 'far away', color: '#3f7fd0', width: 120, height: 22 }, classes: 'container is-trace-dimmed', position: { x: 1100, y: 300 } },
      { group: 'nodes', data: { id: 'unscheduled', label: 'Unscheduled · 1 pod' }, classes: 'group unscheduled' },
      { group: 'nodes', data: { id: 'lonely', parent: 'unscheduled', label: 'x', color: '#3f7fd0', width: 60, height: 22 }, classes: 'container', position: { x: 1300, y: 0 } },
    ],
  });
  afterAll(() => cy.destroy());
  const shapesOf = (id: string): Shape[] => nodeShapes(cy.getElementById(id) as cytoscape.NodeSingular);
  const svgOfNode = (id: string): string => svgOf(shapesOf(id));

  test('a pod not ready keeps its outline, outside its border, in the not-ready colour', () => {
    const shapes = graphShapes(cy, theme.background);
    const pod = cy.getElementById('pod');
    const outline = shapes.find((s) => s.type === 'rect' && s.fill === 'none' && s.strokeWidth === 2);
    expect(outline).toBeDefined();
    expect(outline).toMatchObject({ type: 'rect', strokeOpacity: 0.8 });
    expect(svgOf([outline!])).toMatch(/stroke="(#d1342b|rgb\(209,\s*52,\s*43\))"/);
    if (outline?.type === 'rect') expect(outline.w).toBeGreaterThan(pod.outerWidth());
  });

  test('dashed and dotted borders: hostNetwork pods, init and sidecar containers, headless Services, the unscheduled box', () => {
    expect(svgOfNode('hostnet')).toMatch(/<rect [^>]*stroke-dasharray="4 2"/);
    expect(svgOfNode('init')).toMatch(/<rect [^>]*stroke-dasharray="4 2"/);
    expect(svgOfNode('sidecar')).toMatch(/<rect [^>]*stroke-width="2"[^>]*stroke-dasharray="1 1"/);
    expect(svgOfNode('svc')).toMatch(/<polygon [^>]*stroke-dasharray="4 2"/);
    expect(svgOfNode('unscheduled')).toMatch(/<rect [^>]*stroke-dasharray="4 2"/);
  });

  test('a fold holding problems is tinted; a selection has its halo; a dimmed element its opacity', () => {
    expect(svgOfNode('fold')).toMatch(/<rect [^>]*fill="(#d1342b|rgb\(209,\s*52,\s*43\))" fill-opacity="0.14"/);
    const chosen = svgOfNode('chosen');
    expect(chosen).toMatch(/<rect [^>]*fill="(#f2a900|rgb\(242,\s*169,\s*0\))" fill-opacity="0.18" stroke="none"/);
    expect(chosen).toMatch(/<rect [^>]*stroke-width="3"/);
    expect(svgOfNode('dim')).toMatch(/<rect [^>]*opacity="0.18"/);
    expect(svgOfNode('dim')).toMatch(/<text [^>]*opacity="0.18"/);
  });

  test('inferred names are italic, a pod without an IP has a muted name, compound labels sit above their box', () => {
    expect(svgOfNode('bridge')).toMatch(/font-style="italic">cni0</);
    expect(svgOfNode('pending')).toMatch(/fill="(#5d6777|rgb\(93,\s*103,\s*119\))"[^>]*>web-0</);
    const host = shapesOf('host').find((s) => s.type === 'text' && s.text === 'node-1');
    const box = cy.getElementById('host').boundingBox({ includeLabels: false });
    expect(host?.type === 'text' && host.y).toBeLessThan(box.y1);
  });

  test('a node’s background image (a policy badge, a fold’s health strip) is drawn where cytoscape puts it', () => {
    const badge = cytoscape({
      headless: true,
      styleEnabled: true,
      style: [{ selector: 'node', style: { width: 100, height: 40, 'background-image': 'data:image/svg+xml;utf8,%3Csvg%2F%3E', 'background-width': '30px', 'background-height': '11px', 'background-fit': 'none', 'background-position-x': '100%', 'background-position-y': '0%', 'background-offset-y': -15, 'border-width': 0 } }],
      elements: [{ data: { id: 'p' }, position: { x: 50, y: 20 } }],
    });
    const { x, y } = badge.getElementById('p').position();
    const image = graphShapes(badge, '#fff').find((s) => s.type === 'image');
    badge.destroy();
    // At the right edge (100% of the room beside it), at the top (0%), raised 15 px.
    expect(image).toEqual({ type: 'image', href: 'data:image/svg+xml;utf8,%3Csvg%2F%3E', x: x + 50 - 30, y: y - 20 - 15, w: 30, h: 11, opacity: 1 });
    expect(svgOf([image!])).toMatch(/^<image href="data:image\/svg\+xml;utf8,%3Csvg%2F%3E" x="[-\d.]+" y="[-\d.]+" width="30" height="11"/);
  });
});

describe('edges', () => {
  // Styles from a headless cytoscape with the canvas stylesheet; the route (which only a renderer
  // computes) given here.
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: graphStylesheet(theme, { showAllEndpoints: true }),
    elements: [
      { group: 'nodes', data: { id: 'a', width: 10, height: 10 }, position: { x: 0, y: 0 } },
      { group: 'nodes', data: { id: 'b', width: 10, height: 10 }, position: { x: 200, y: 0 } },
      { group: 'edges', data: { id: 'tunnel', source: 'a', target: 'b', label: 'VXLAN' }, classes: 'tunnel' },
      { group: 'edges', data: { id: 'ready', source: 'a', target: 'b', label: '' }, classes: 'endpoint' },
      { group: 'edges', data: { id: 'notready', source: 'a', target: 'b', label: '' }, classes: 'endpoint not-ready' },
      { group: 'edges', data: { id: 'terminating', source: 'a', target: 'b', label: '' }, classes: 'endpoint terminating' },
      { group: 'edges', data: { id: 'exposure', source: 'a', target: 'b', label: '203.0.113.10' }, classes: 'exposure' },
    ],
  });
  afterAll(() => cy.destroy());
  const routed = (id: string): cytoscape.EdgeSingular => {
    const edge = cy.getElementById(id) as cytoscape.EdgeSingular;
    return Object.assign(Object.create(edge) as cytoscape.EdgeSingular, {
      sourceEndpoint: () => ({ x: 0, y: 0 }),
      targetEndpoint: () => ({ x: 200, y: 0 }),
      midpoint: () => ({ x: 100, y: 0 }),
      segmentPoints: () => undefined,
      controlPoints: () => undefined,
    });
  };
  const svgOfEdge = (id: string): string => svgOf(edgeShapes(routed(id), theme.background));

  test('line styles: the tunnel’s dash pattern, not-ready dashed, terminating dotted', () => {
    expect(svgOfEdge('tunnel')).toMatch(/<path [^>]*stroke-width="2.5" stroke-dasharray="8 4"/);
    expect(svgOfEdge('notready')).toMatch(/<path [^>]*stroke-dasharray="6 3"/);
    expect(svgOfEdge('terminating')).toMatch(/<path [^>]*stroke-width="1.8" stroke-dasharray="1 1"/);
    expect(svgOfEdge('tunnel')).toMatch(/font-weight="600"[^>]*>VXLAN</);
  });

  test('arrowheads in the edge’s arrow colour, as large as cytoscape draws them; faded edges keep their opacity', () => {
    const ready = svgOfEdge('ready');
    expect(ready).toMatch(/<path [^>]*opacity="0.55"[^>]*marker-end="url\(#arrow0\)"/);
    expect(ready).toMatch(new RegExp(`<marker id="arrow0" markerUnits="userSpaceOnUse"[^>]*markerWidth="${Math.round(arrowLength(1.2, 0.7) * 100) / 100}"`));
    expect(ready).toMatch(/<marker [^>]*><path d="M0,0L10,5L0,10z" fill="(#2f8f5b|rgb\(47,\s*143,\s*91\))"/);
    expect(svgOfEdge('tunnel')).not.toContain('marker-end');
  });

  test('a label at the target end sits target-text-offset along the edge from it', () => {
    const label = edgeShapes(routed('exposure'), theme.background).find((s) => s.type === 'text');
    expect(label).toMatchObject({ type: 'text', text: '203.0.113.10', x: 200 - 64 });
    expect(pointAlong([{ x: 0, y: 0 }, { x: 0, y: 10 }, { x: 10, y: 10 }], 15)).toEqual({ x: 5, y: 10 });
  });
});
