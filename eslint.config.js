// The layering of design §2, enforced: a wrong import fails `npm run lint`, not review.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const noNode = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'Node modules belong in electron/, not here (design §2).' })),
  patterns: [{ group: ['node:*'], message: 'Node modules belong in electron/, not here (design §2).' }],
};
const noElectron = [
  { name: 'electron', message: 'Only the desktop entry files (electron/main.ts, electron/preload.ts, electron/desktop/) import electron.' },
  { name: '@kubernetes/client-node', message: 'The Kubernetes client runs in the backend (electron/kube/).' },
  { name: 'ws', message: 'Sockets belong in the backend (electron/).' },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.vite/', '.tsbuild/', 'dist/', 'out/', 'test-results/', 'lint-fixtures/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.es2024 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // shared/: pure code that runs anywhere — no Node, no Electron, no DOM, no UI library.
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...noNode.paths,
            ...noElectron,
            { name: 'react', message: 'shared/ is UI-free (design §2).' },
            { name: 'react-dom', message: 'shared/ is UI-free (design §2).' },
            { name: 'cytoscape', message: 'shared/ is UI-free (design §2).' },
          ],
          patterns: [
            ...noNode.patterns,
            { group: ['**/electron/**', '../electron', '**/renderer/**', '../renderer'], message: 'shared/ imports only shared/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'process', 'Buffer', 'require'],
    },
  },
  {
    // renderer/: Chromium — no Node, no Electron; talks to the backend only through shared/ipc.
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...noNode.paths, ...noElectron],
          patterns: [...noNode.patterns, { group: ['**/electron/**', '../electron'], message: 'The renderer reaches the backend only through shared/ipc.' }],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require'],
    },
  },
  {
    // electron/: Node. Only the desktop entry files may import electron itself, so the CLI and
    // browser mode run on plain Node.
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/desktop/**', 'electron/**/*.test.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron[0]],
          patterns: [{ group: ['**/renderer/**', '../renderer'], message: 'The backend never imports the renderer.' }],
        },
      ],
    },
  },
  {
    files: ['electron/main.ts', 'electron/desktop/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/renderer/**', '../renderer'], message: 'The backend never imports the renderer.' }] },
      ],
    },
  },
  {
    // The sandboxed preload: contextBridge/ipcRenderer and the contract, nothing else.
    files: ['electron/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The sandboxed preload has no Node.' })),
          patterns: [
            { regex: '^(?!electron$|\\.\\./shared/ipc\\.ts$).*', message: 'The preload imports only electron and ../shared/ipc.ts (design §2).' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', '**/*.test.ts', '*.config.ts', '*.config.js', 'bin/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
