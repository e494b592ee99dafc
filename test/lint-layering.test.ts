// The layering of design §2 is a lint rule, an allowlist per room (eslint-rules/layering.js):
// these deliberate violations must fail `npm run lint`, and the allowed imports must pass.
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'podpath/layering' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
}

describe('import layering', () => {
  test.each([
    ['shared/topology/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['shared/topology/x.ts', "import { join } from 'path';\nexport const x = join;\n"],
    ['shared/topology/x.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['shared/topology/x.ts', "import React from 'react';\nexport const x = React;\n"],
    ['shared/topology/x.ts', "import { serve } from '../../electron/serve/serve.ts';\nexport const x = serve;\n"],
    ['shared/topology/x.ts', 'export const x = () => document.title;\n'],
    ['renderer/graph/x.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n"],
    ['renderer/graph/x.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
    ['renderer/graph/x.ts', "import { openBackend } from '../../electron/backend/backend.ts';\nexport const x = openBackend;\n"],
    ['electron/serve/x.ts', "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;\n"],
    ['electron/preload.ts', "import { z } from 'zod';\nexport const x = z;\n"],
    ['electron/preload.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    // What a deny-list let through: a network library or a test fixture in shared/ or the renderer.
    ['shared/topology/x.ts', "import { fetch } from 'undici';\nexport const x = fetch;\n"],
    ['shared/topology/x.ts', "import { generateCluster } from '../../test/fixtures/generate.ts';\nexport const x = generateCluster;\n"],
    ['renderer/graph/x.ts', "import { generateCluster } from '../../test/fixtures/generate.ts';\nexport const x = generateCluster;\n"],
    ['renderer/graph/x.ts', "import { parse } from 'yaml/dist/index.js';\nimport { Command } from 'commander';\nexport const x = [parse, Command];\n"],
    // Rooms inside electron/: the backend knows no transport, the server no CLI.
    ['electron/backend/x.ts', "import { WebSocketServer } from 'ws';\nexport const x = WebSocketServer;\n"],
    ['electron/backend/x.ts', "import { serve } from '../serve/serve.ts';\nexport const x = serve;\n"],
    ['electron/serve/x.ts', "import { main } from '../cli/main.ts';\nexport const x = main;\n"],
    ['electron/cli/x.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['electron/cli/x.ts', "export const x = () => import('../desktop/window.ts');\n"],
  ])('%s: %s is refused', async (filePath, code) => {
    expect(await layeringErrors(filePath, code)).not.toEqual([]);
  });

  test.each([
    ['shared/topology/x.ts', "import { z } from 'zod';\nimport { ids } from './ids.ts';\nexport const x = [z, ids];\n"],
    ['renderer/graph/x.ts', "import cytoscape from 'cytoscape';\nimport { ids } from '../../shared/topology/ids.ts';\nexport const x = [cytoscape, ids];\n"],
    ['electron/serve/x.ts', "import { createServer } from 'node:http';\nexport const x = createServer;\n"],
    ['electron/main.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['electron/desktop/x.ts', "import { ipcMain } from 'electron';\nexport const x = ipcMain;\n"],
    ['electron/preload.ts', "import { contextBridge } from 'electron';\nimport { channelOf } from '../shared/ipc.ts';\nexport const x = [contextBridge, channelOf];\n"],
    ['electron/backend/x.ts', "import { KubeConfig } from '@kubernetes/client-node';\nimport { derive } from '../../shared/topology/derive.ts';\nexport const x = [KubeConfig, derive];\n"],
    ['electron/cli/x.ts', "import { Command } from 'commander';\nimport { serve } from '../serve/serve.ts';\nexport const x = [Command, serve, () => import('playwright-core')];\n"],
    ['shared/topology/x.ts', "import { sha256 } from '@noble/hashes/sha2.js';\nexport const x = sha256;\n"],
    ['test/x.test.ts', "import { readFileSync } from 'node:fs';\nimport { GraphAdapter } from '../renderer/graph/adapter.ts';\nexport const x = [readFileSync, GraphAdapter];\n"],
  ])('%s: allowed imports pass', async (filePath, code) => {
    expect(await layeringErrors(filePath, code)).toEqual([]);
  });
});
