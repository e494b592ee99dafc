#!/usr/bin/env node
// The `podpath` command. Podpath runs on Node 24, the Node of Electron's main process: inside
// `npm`/`npx` the pinned `node` package puts it first on PATH.
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBundle } from './cli-bundle.mjs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `podpath: needs Node.js 24 or newer, found ${process.version}. Run it through npm (\`npx podpath\`) so the project's pinned Node is used.`,
  );
  process.exit(1);
}
// V8's compiled code kept on disk (in the temp folder) for the next start: Node checks each
// entry against its source, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
// The built CLI when it is current (`npm install` and `npm test` build it); else the sources,
// so that a checkout edited since never runs stale code. Same commands, same output.
const bundle = currentBundle(fileURLToPath(new URL('..', import.meta.url)));
const { main } = await import(bundle ? pathToFileURL(bundle).href : '../electron/cli/main.ts');
await main(process.argv);
