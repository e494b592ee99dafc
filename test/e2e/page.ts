/** A browser-mode page for end-to-end tests: `podpath serve` + Debian's Chromium + the page's errors. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { chromiumPath } from '../../scripts/system-deps.ts';
import { launchChromium, startServe, type RunningServe } from './serve.ts';

export interface OpenPage {
  page: Page;
  server: RunningServe;
  browser: Browser;
  /** Console errors and uncaught exceptions (CSP violations among them), for a test to assert none. */
  problems: string[];
  close(): Promise<void>;
}

export async function openPage(serveArgs: string[], options: { acceptDownloads?: boolean; permissions?: string[]; isFirstView?: boolean } = {}): Promise<OpenPage> {
  const server = await startServe(serveArgs);
  const browser = await launchChromium(chromiumPath);
  const page = await browser.newPage({
    viewport: { width: 1600, height: 1000 },
    acceptDownloads: options.acceptDownloads ?? false,
    // e.g. `clipboard-read` and `clipboard-write`, granted for the page's origin.
    ...(options.permissions ? { permissions: options.permissions } : {}),
  });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(process.env.PODPATH_E2E_STACKS ? `${error.message}\n${error.stack ?? ''}` : error.message));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid="graph"][data-element-count]', { timeout: 30_000 });
  // A picture opens on its busiest node, legible (adapter.ts showFirstView); tests that click
  // elements anywhere want all of it in view, as the Fit button gives (first-view.test.ts
  // checks the first view itself).
  if (!options.isFirstView) await fitWholeGraph(page);
  return {
    page,
    server,
    browser,
    problems,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

/**
 * A page opened once for the tests of the describe block this is called in (beforeAll) and
 * closed after them; `use` receives it, to keep in the block's own variables.
 */
export function usePage(serveArgs: string[], use: (opened: OpenPage) => void, options: Parameters<typeof openPage>[1] = {}): void {
  let opened: OpenPage | undefined;
  beforeAll(async () => {
    opened = await openPage(serveArgs, options);
    use(opened);
  });
  afterAll(() => opened?.close());
}

/** Fits the whole graph in view as the header's Fit button does (synchronously, in its click). */
export async function fitWholeGraph(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
}
