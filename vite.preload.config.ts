import { defineConfig } from 'vite';

// Forge's Vite plugin supplies the rest: the entry from forge.config.ts and one CommonJS file,
// .vite/build/preload.cjs, with only electron external. A sandboxed preload can neither be an
// ES module nor require anything but electron's own modules at run time, so shared/ipc.ts and
// zod are bundled into that one file.
export default defineConfig({});
