// Constants that Electron Forge's Vite plugin defines when it builds electron/main.ts.
// Only the main entry may read them; a plain-Node file that did would throw a ReferenceError.

/** The renderer's Vite dev server (`electron-forge start`); undefined in a packaged build. */
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
/** The renderer's name in forge.config.ts: its build lands in `.vite/renderer/<name>/`. */
declare const MAIN_WINDOW_VITE_NAME: string;
