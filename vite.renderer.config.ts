/**
 * The renderer's Vite config, for two callers:
 *   - `vite build --config vite.renderer.config.ts` (browser mode, image export): builds
 *     renderer/ into dist/renderer;
 *   - Electron Forge's Vite plugin, as the config of the `main_window` renderer: Forge passes
 *     `forgeConfigSelf` and wants the output in .vite/renderer/<name> under the project.
 * No @vitejs/plugin-react: its dev preamble is an inline script, which the CSP forbids. Vite's
 * own transform (Oxc) compiles TSX with the automatic JSX runtime.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type ConfigEnv, type Plugin, type UserConfig } from 'vite';
import { contentSecurityPolicy } from './shared/csp.ts';
import { builtRendererDir } from './electron/serve/renderer-dir.ts';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

/** Puts the Content-Security-Policy in the built index.html as a <meta> tag (the desktop window
 * also gets it as a header; browser mode serves it as a header). Not in dev: Vite's dev client
 * needs inline and eval'd code. */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'podpath:csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        // Right after <meta charset>, before any script or stylesheet it must govern.
        const charset = /<meta charset="utf-8"\s*\/?>/i;
        if (!charset.test(html)) throw new Error('renderer/index.html needs <meta charset="utf-8"> for the CSP meta tag to follow.');
        const policy = contentSecurityPolicy({ isHeader: false }).replaceAll('"', '&quot;');
        return html.replace(charset, (tag) => `${tag}\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
      },
    },
  };
}

interface ForgeEnv extends ConfigEnv {
  forgeConfigSelf?: { name?: string };
}

export default defineConfig((env: ForgeEnv): UserConfig => {
  const forgeName = env.forgeConfigSelf ? (env.forgeConfigSelf.name ?? 'main_window') : null;
  return {
    root: fileURLToPath(new URL('./renderer/', import.meta.url)),
    base: './',
    publicDir: false,
    plugins: [contentSecurityPolicyMeta()],
    oxc: { jsx: { runtime: 'automatic' } },
    build: {
      // Forge resolves its outDir against our root (renderer/), so give it the absolute path it means.
      outDir: forgeName ? `${repoRoot}.vite/renderer/${forgeName}` : builtRendererDir(repoRoot),
      emptyOutDir: true,
      target: 'chrome130',
      sourcemap: true,
      // One graph library and React: a single chunk is fine for a desktop app.
      chunkSizeWarningLimit: 1500,
    },
    // The layout worker (renderer/graph/layout-worker.ts) is an ES module, like the page.
    worker: { format: 'es' },
    server: { strictPort: false },
  };
});
