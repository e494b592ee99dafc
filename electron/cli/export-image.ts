/**
 * `podpath export --format png|svg`: the renderer draws the image, so the snapshot is served in
 * browser mode in-process (127.0.0.1, any free port) and opened in headless Chromium, which
 * calls `window.podpathView.exportImage` and hands the bytes back.
 */
import { existsSync } from 'node:fs';
import type { Snapshot } from '../../shared/snapshot/format.ts';
import type { SourceInfo } from '../../shared/ipc.ts';
import { backendFromSnapshot } from '../backend/backend.ts';
import { ensureRenderer } from '../serve/renderer-build.ts';
import { serve } from '../serve/serve.ts';

/**
 * Debian's Chromium, headless, as root, without the background services that reach for the
 * network: the flags every headless run here uses (export, tests, benchmarks).
 */
export const headlessChromiumArgs: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium, unless PODPATH_CHROMIUM names another build. */
export function chromiumExecutable(): string {
  const path = process.env.PODPATH_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Exporting PNG or SVG needs Chromium, and ${path} does not exist: install chromium (sudo apt-get install chromium), or set PODPATH_CHROMIUM to a Chromium binary. DOT needs no browser.`);
  }
  return path;
}

// Run in the page (written as text: this side has no DOM types).
/** The graph has drawn: its element count is set and not zero. */
const drawnSelector = '[data-element-count]:not([data-element-count="0"])';

function imageExpression(format: string, scope: string): string {
  return `(async () => {
    const { image, ...size } = await window.podpathView.exportImage(${JSON.stringify(format)}, ${JSON.stringify(scope)});
    if (typeof image === 'string') return { text: image, size };
    const bytes = new Uint8Array(await image.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { base64: btoa(binary), size };
  })()`;
}

/** An image's bytes and how it was sized (the page's `ExportedImage`, without the image). */
export interface ImageExport {
  bytes: Buffer;
  /** The whole image, legend included, in pixels. */
  width: number;
  height: number;
  /** Image pixels per model pixel (scope `full`) or per screen pixel (`view`). */
  scale: number;
  /** The graph alone at scale 1. */
  natural: { width: number; height: number };
}

export interface ImageExportOptions {
  format: 'png' | 'svg';
  scope: 'view' | 'full';
  /** The size of the browser window, which is the view exported with scope `view`. */
  viewport?: { width: number; height: number };
  log?: (line: string) => void;
  timeoutMs?: number;
}

export async function exportImage(snapshot: Snapshot, source: SourceInfo, options: ImageExportOptions): Promise<ImageExport> {
  const executablePath = chromiumExecutable();
  const { chromium } = await import('playwright-core');
  const rendererDir = await ensureRenderer(options.log ?? (() => {}));
  const backend = backendFromSnapshot(snapshot, source);
  const served = await serve({ backend, rendererDir, host: '127.0.0.1', port: 0 });
  const timeout = options.timeoutMs ?? 120_000;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
  try {
    browser = await chromium.launch({
      executablePath,
      args: [...headlessChromiumArgs],
    });
    // The export evaluates its own scripts in the page, which the renderer's CSP (no eval) would
    // refuse now and then; the page is Podpath's own, served to this process alone.
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1600, height: 1000 }, bypassCSP: true });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(served.url);
    try {
      await page.waitForSelector(drawnSelector, { timeout });
    } catch (error) {
      throw new Error(`The renderer drew nothing within ${timeout / 1000} s${pageErrors.length > 0 ? `: ${pageErrors.join('; ')}` : ''}.`, { cause: error });
    }
    const result = (await page.evaluate(imageExpression(options.format, options.scope))) as ({ text: string } | { base64: string }) & { size: Omit<ImageExport, 'bytes'> };
    return { bytes: 'text' in result ? Buffer.from(result.text, 'utf8') : Buffer.from(result.base64, 'base64'), ...result.size };
  } finally {
    await browser?.close();
    await served.close();
    await backend.close();
  }
}
