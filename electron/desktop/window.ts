/**
 * The one window. Its webPreferences are the renderer's sandbox (design §6): no Node, an
 * isolated preload world, and the same web security a browser applies.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import windowStateKeeper from 'electron-window-state';

/** Where and how large the window was last time, as electron-window-state remembers it. */
export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export function mainWindowOptions(bounds: WindowBounds, preloadPath: string): BrowserWindowConstructorOptions {
  return {
    x: bounds.x,
    y: bounds.y,
    width: bounds.width,
    height: bounds.height,
    minWidth: 720,
    minHeight: 480,
    title: 'Podpath',
    // Shown on ready-to-show, so the window never flashes an empty white frame.
    show: false,
    backgroundColor: '#101418',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Creates the window where it was last closed, maximized if it was, and remembers it again. */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const state = windowStateKeeper({ defaultWidth: 1280, defaultHeight: 800 });
  const window = new BrowserWindow(mainWindowOptions(state, preloadPath));
  state.manage(window);
  window.once('ready-to-show', () => window.show());
  return window;
}
