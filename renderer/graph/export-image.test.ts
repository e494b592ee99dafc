import { describe, expect, test } from 'vitest';
import { escapeXml, layoutLegend, pictureToSvg } from './export-image.ts';
import { legendSections, legendTitle } from './legend-spec.ts';
import { fallbackTheme } from './theme.ts';

const colors = { background: '#fff', text: '#000', border: '#999' };

describe('image export (pure parts)', () => {
  test('the legend holds its title, every section and item, inside its frame', () => {
    const sections = legendSections(null, fallbackTheme);
    const legend = layoutLegend(sections, colors);
    const texts = legend.shapes.flatMap((s) => (s.type === 'text' ? [s.text] : []));
    expect(texts[0]).toBe(legendTitle);
    for (const section of sections) {
      expect(texts).toContain(section.title);
      for (const item of section.items) expect(texts).toContain(item.label);
    }
    for (const shape of legend.shapes) if (shape.type === 'text') expect(shape.y).toBeLessThan(legend.height);
  });

  test('the SVG escapes text and places the legend beside the graph', () => {
    const legend = layoutLegend(legendSections(null, fallbackTheme), colors);
    const svg = pictureToSvg(
      {
        width: 400,
        height: 300,
        viewBox: { x: -10, y: -10, w: 400, h: 300 },
        shapes: [
          { type: 'text', x: 0, y: 0, text: 'a<b & "c"', size: 11, color: '#000', anchor: 'middle' },
          { type: 'path', d: 'M0 0L10 10', stroke: 'rgb(1,2,3)', strokeWidth: 1, arrow: true },
        ],
      },
      legend,
      '#fff',
    );
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot;');
    expect(svg).toContain('<g class="legend" transform="translate(416 16)">');
    expect(svg).toContain('marker-end="url(#arrow0)"');
    expect(svg).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(escapeXml(`'`)).toBe('&apos;');
  });
});
