// The layering of design §2 is a lint rule: these deliberate violations must fail `npm run lint`.
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
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
  ])('%s: allowed imports pass', async (filePath, code) => {
    expect(await layeringErrors(filePath, code)).toEqual([]);
  });
});
