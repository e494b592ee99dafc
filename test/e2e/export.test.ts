// `podpath export` end to end: the real CLI serves the demo in-process, draws it in headless
// Chromium and writes the image; the images are then opened in Chromium as a user's viewer would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pngLimits } from '../../renderer/graph/export-image.ts';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { parseSnapshot, serializeSnapshot } from '../../shared/snapshot/format.ts';
import { derive } from '../../shared/topology/derive.ts';
import { generateCluster } from '../fixtures/generate.ts';
import { openPage } from './page.ts';
import { launchChromium, repoRoot } from './serve.ts';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.log(`skipped: export tests need Debian's Chromium at ${chromiumPath} (apt-get install chromium)`);

const demo = parseSnapshot(readFileSync(join(repoRoot, 'assets', 'demo-cluster.podpath.json'), 'utf8'));
const topology = derive(demo.objects, demo.source);
const hostName = Object.values(topology.hosts).map((h) => h.name).sort()[0]!;
// The shortest pod name: labels are truncated to fit their box, and this one surely fits.
const podName = Object.values(topology.pods).map((p) => p.name).sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0]!;

function runExport(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/podpath.mjs', 'export', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 240_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What `podpath export` says it wrote: "Wrote FILE (W×H px, scale S[: the full graph at 1:1 would be W×H])". */
function printedResolution(stdout: string): { width: number; height: number; scale: number; natural?: { width: number; height: number } } {
  const match = /^Wrote .+ \((\d+)×(\d+) px, scale ([\d.]+)(?:: the full graph at 1:1 would be (\d+)×(\d+))?\)$/m.exec(stdout);
  expect(match, stdout).not.toBeNull();
  const [, width, height, scale, naturalWidth, naturalHeight] = match!;
  return { width: Number(width), height: Number(height), scale: Number(scale), natural: naturalWidth ? { width: Number(naturalWidth), height: Number(naturalHeight) } : undefined };
}

/** A colour of the light theme as Chromium reports it (rgb) or as written (hex). */
const either = (hex: string, rgb: string): string => `(?:${hex}|rgb\\(${rgb.replace(/,/g, ',\\s*')}\\))`;
const notReadyColor = either('#d1342b', '209,52,43');

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const dir = mkdtempSync(join(tmpdir(), 'podpath-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('podpath export --format dot', () => {
  test('writes a Graphviz digraph of the demo without a browser', () => {
    const out = join(dir, 'demo.dot');
    const run = runExport(['--demo', '--format', 'dot', '-o', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^digraph "/);
    expect(text).toContain(`"cluster_node:${hostName}"`);
    expect(text).toContain(podName);
  });

  test('refuses a bad snapshot in one line', () => {
    const bad = join(dir, 'bad.json');
    rmSync(bad, { force: true });
    const run = runExport(['--snapshot', bad, '--format', 'dot', '-o', join(dir, 'x.dot')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^podpath: Cannot read snapshot .*bad\.json: no such file\.$/);
    expect(existsSync(join(dir, 'x.dot'))).toBe(false);
  });
});

describe.skipIf(!hasChromium)('podpath export --format png|svg', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium(chromiumPath);
    page = await browser.newPage();
  });
  afterAll(() => browser?.close());

  test('an SVG that parses as XML, opens as an image and holds the expected labels', async () => {
    const out = join(dir, 'demo.svg');
    const run = runExport(['--demo', '--format', 'svg', '-o', out]);
    expect(run.stderr.replace('Building the renderer…\n', '')).toBe('');
    expect(run.status).toBe(0);
    const svg = readFileSync(out, 'utf8');
    const checked = await page.evaluate(async (text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const error = doc.querySelector('parsererror')?.textContent ?? null;
      const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent ?? '');
      const legend = [...doc.querySelectorAll('g.legend text')].map((t) => t.textContent ?? '');
      const image = new Image();
      image.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
      await image.decode();
      return { error, root: doc.documentElement.localName, texts, legend, width: image.naturalWidth, height: image.naturalHeight };
    }, svg);
    expect(checked.error).toBeNull();
    expect(checked.root).toBe('svg');
    expect(checked.texts).toContain(hostName);
    expect(checked.texts).toContain(podName);
    expect(checked.texts).toContain('Internet');
    expect(checked.legend).toContain('Legend');
    expect(checked.legend).toContain('endpoint, not ready');
    expect(checked.legend).toContain('pod not ready');
    expect(checked.width).toBeGreaterThan(1000);
    expect(checked.height).toBeGreaterThan(600);
    expect(printedResolution(run.stdout)).toMatchObject({ width: checked.width, height: checked.height, scale: 1 });

    // The looks the canvas gives the demo's elements (each class is unit-tested in export-image.test.ts).
    const graph = svg.slice(svg.indexOf('<g class="graph">'), svg.indexOf('<g class="legend"'));
    // The ledger pods are not ready: their outline, in the not-ready colour, around their box.
    expect(graph).toMatch(new RegExp(`<rect [^>]*fill="none" stroke="${notReadyColor}" stroke-width="2" stroke-opacity="0.8"`));
    // hostNetwork pods and init containers dashed, sidecars dotted, the headless Service dashed.
    expect(graph).toMatch(/<rect [^>]*stroke-dasharray="4 2"/);
    expect(graph).toMatch(/<rect [^>]*stroke-width="2"[^>]*stroke-dasharray="1 1"/);
    expect(graph).toMatch(/<polygon [^>]*stroke-dasharray="4 2"/);
    // The VXLAN tunnel with its own dash pattern, and inferred names in italic.
    expect(graph).toMatch(/<path [^>]*stroke-width="2.5" stroke-dasharray="8 4"/);
    expect(graph).toMatch(/font-style="italic"/);
    // The Internet's edge to the Ingress has its arrowhead.
    expect(graph).toMatch(/marker-end="url\(#arrow\d+\)"/);
  });

  test('a PNG of the whole graph with the legend, and one of the view', async () => {
    for (const scope of ['full', 'view'] as const) {
      const out = join(dir, `demo-${scope}.png`);
      const run = runExport(['--demo', '--format', 'png', '--scope', scope, '-o', out]);
      expect(run.stderr.replace('Building the renderer…\n', '')).toBe('');
      expect(run.status).toBe(0);
      const bytes = readFileSync(out);
      const size = pngSize(bytes);
      // Drawn at twice the model size (legible when zoomed), the legend beside it; within what browsers decode.
      expect(size.width).toBeGreaterThan(scope === 'full' ? 3000 : 1500);
      expect(size.height).toBeGreaterThan(800);
      expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(pngLimits.maxSide);
      expect(printedResolution(run.stdout)).toEqual({ ...size, scale: 2, natural: undefined });
      const decoded = await page.evaluate(async (base64) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        return { width: image.naturalWidth, height: image.naturalHeight };
      }, bytes.toString('base64'));
      expect(decoded).toEqual(size);
    }
  });

  test('a PNG of a 10,000-pod cluster, shrunk to what Chromium draws and decodes, says its resolution', async () => {
    const file = join(dir, 'pods-10k.podpath.json');
    writeFileSync(
      file,
      serializeSnapshot({ format: 'podpath.snapshot', version: 1, source: { context: 'generated-10k', server: null, kubernetesVersion: null, capturedAt: '2025-01-01T00:00:00Z' }, objects: generateCluster(10_000) }),
    );
    const out = join(dir, 'pods-10k.png');
    const run = runExport(['--snapshot', file, '--format', 'png', '-o', out]);
    expect(run.stderr.replace('Building the renderer…\n', '')).toBe('');
    expect(run.status).toBe(0);
    const bytes = readFileSync(out);
    const size = pngSize(bytes);
    expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(pngLimits.maxSide);
    expect(size.width * size.height).toBeLessThanOrEqual(pngLimits.maxArea);
    // The graph at 1:1 is past the limits: it was drawn smaller, and the CLI says how much.
    const printed = printedResolution(run.stdout);
    expect(printed).toMatchObject(size);
    expect(printed.scale).toBeLessThan(1);
    expect(printed.natural!.width * printed.natural!.height).toBeGreaterThan(pngLimits.maxArea);
    expect(printed.natural!.width * printed.scale).toBeLessThanOrEqual(size.width);
    // A browser opens it (Chromium's decoder refuses much larger PNGs).
    const decoded = await page.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      return { width: image.naturalWidth, height: image.naturalHeight };
    }, bytes.toString('base64'));
    expect(decoded).toEqual(size);
  }, 300_000);

  test('the app menu downloads an SVG of the whole graph with the legend', async () => {
    const opened = await openPage(['--demo'], { acceptDownloads: true });
    try {
      const graph = opened.page.getByTestId('graph');
      await expect.poll(async () => Number(await graph.getAttribute('data-element-count')), { timeout: 30_000 }).toBeGreaterThan(0);
      const [download] = await Promise.all([opened.page.waitForEvent('download'), opened.page.getByTestId('export-image').selectOption({ label: 'SVG of the whole graph' })]);
      expect(download.suggestedFilename()).toMatch(/-graph\.svg$/);
      const path = join(dir, 'menu.svg');
      await download.saveAs(path);
      const svg = readFileSync(path, 'utf8');
      expect(svg).toContain(`>${podName}</text>`);
      expect(svg).toContain('>Legend</text>');
      expect(opened.problems).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  test('says so in one line when Chromium is missing', () => {
    const result = spawnSync(process.execPath, ['bin/podpath.mjs', 'export', '--demo', '--format', 'png', '-o', join(dir, 'none.png')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, PODPATH_CHROMIUM: '/nonexistent/chromium' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^podpath: Exporting PNG or SVG needs Chromium.*install chromium/);
  });
});
