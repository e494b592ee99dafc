import { defineConfig } from 'vite';

// Forge's Vite plugin supplies the rest: the entry from forge.config.ts, CommonJS output as
// .vite/build/main.cjs, and electron plus every Node builtin kept external. Dependencies
// (zod, electron-window-state) are bundled, because the packaged app ships only .vite/.
export default defineConfig({});
