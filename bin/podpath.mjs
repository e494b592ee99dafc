#!/usr/bin/env node
// The `podpath` command. Podpath runs on Node 24, the Node of Electron's main process: inside
// `npm`/`npx` the pinned `node` package puts it first on PATH.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `podpath: needs Node.js 24 or newer, found ${process.version}. Run it through npm (\`npx podpath\`) so the project's pinned Node is used.`,
  );
  process.exit(1);
}
const { main } = await import('../electron/cli/main.ts');
await main(process.argv);
