/**
 * vitest globalSetup: builds the renderer once, before any test file starts `podpath serve`.
 * Two servers building it at the same moment would empty each other's output folder.
 */
import { ensureRenderer } from '../../electron/serve/renderer-build.ts';

export default async function setup(): Promise<void> {
  await ensureRenderer((line) => console.log(line));
}
