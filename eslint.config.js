// Lint for every room; the layering of design §2 is an allowlist per room
// (eslint-rules/layering.js), so a wrong import fails `npm run lint`, not review.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layering from './eslint-rules/layering.js';

export default tseslint.config(
  { ignores: ['node_modules/', '.vite/', '.tsbuild/', 'dist/', 'out/', 'test-results/', 'lint-fixtures/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.es2024 } },
    plugins: { podpath: layering },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'podpath/layering': 'error',
    },
  },
  {
    // shared/: pure code that runs anywhere — no Node, no DOM globals either.
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'process', 'Buffer', 'require'],
    },
  },
  {
    // renderer/: Chromium — no Node globals.
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/preload.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', '**/*.test.ts', '*.config.ts', '*.config.js', 'bin/**/*.mjs', 'eslint-rules/**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
