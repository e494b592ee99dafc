/**
 * The one window. Its webPreferences are the renderer's sandbox (design §6): no Node, an
 * isolated preload world, and the same web security a browser applies.
 */
import { BrowserWindow } from 'electron';
import windowStateKeeper from 'electron-window-state';

/**
 * Creates the window where it was last closed, maximized if it was, and remembers it again.
 * The options are written out in the `new BrowserWindow` call itself, where Electronegativity
 * (npm test) reads them.
 */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const state = windowStateKeeper({ defaultWidth: 1280, defaultHeight: 800 });
  const window = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
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
      // A middle click would open a link in a new window; window.open is denied anyway (security.ts).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  state.manage(window);
  window.once('ready-to-show', () => window.show());
  return window;
}
