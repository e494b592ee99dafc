/**
 * The desktop app's main process: one window on the backend of electron/backend.ts. It only
 * wires things together; the rules live in electron/desktop/ where tests can reach them.
 */
import path from 'node:path';
import { app, type BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { openStartupBackend, type Backend } from './backend.ts';
import { adoptShellPath, kubeconfigPaths } from './kube/kubeconfig.ts';
import { parseDesktopArgs } from './desktop/args.ts';
import { forwardEvents, isAppFrame, registerRequestHandlers } from './desktop/ipc.ts';
import {
  appLocation,
  denyPermissions,
  desktopContentSecurityPolicy,
  guardNavigation,
  installContentSecurityPolicy,
} from './desktop/security.ts';
import { createMainWindow } from './desktop/window.ts';


// A second launch focuses the first window instead of opening another backend.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  const location = appLocation(
    MAIN_WINDOW_VITE_DEV_SERVER_URL,
    path.join(__dirname, `../renderer/${MAIN_WINDOW_VITE_NAME}/index.html`),
  );

  const openWindow = (): void => {
    const window = createMainWindow(path.join(__dirname, 'preload.cjs'));
    guardNavigation(window.webContents, location, (url) => void shell.openExternal(url));
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    mainWindow = window;
    window.loadURL(location.url).catch((error: unknown) => console.error('Podpath: the window failed to load:', error));
  };

  const start = async (): Promise<void> => {
    installContentSecurityPolicy(session.defaultSession, desktopContentSecurityPolicy(location.devServerUrl));
    denyPermissions(session.defaultSession, location);

    const backend = await openDesktopBackend();
    registerRequestHandlers(ipcMain, backend.handlers, (event) =>
      isAppFrame(event, mainWindow?.webContents ?? null, location),
    );
    forwardEvents(backend, () => mainWindow?.webContents ?? null);
    app.on('will-quit', () => void backend.close());

    openWindow();
    app.on('activate', () => {
      if (mainWindow === null) openWindow();
    });
  };

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.whenReady().then(start).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    dialog.showErrorBox('Podpath could not start', message);
    app.exit(1);
  });
}

/**
 * `--snapshot FILE` opens that file; else `--context` or the kubeconfig's preferred context;
 * else, or when that cannot be opened, the bundled demo with the reason on screen.
 */
async function openDesktopBackend(): Promise<Backend> {
  const assetsDir = app.isPackaged ? path.join(process.resourcesPath, 'assets') : path.join(app.getAppPath(), 'assets');
  const args = parseDesktopArgs(process.argv);
  // Exec credential plugins (aws, gke-gcloud-auth-plugin, kubelogin) live on the user's shell
  // PATH, which an app started from a launcher does not inherit.
  await adoptShellPath();
  return openStartupBackend(
    { snapshotPath: args.snapshotPath && path.resolve(args.snapshotPath), context: args.context },
    {
      assetsDir,
      kubeconfigPaths: kubeconfigPaths({ explicit: args.kubeconfig ?? undefined }),
      stateFile: path.join(app.getPath('userData'), 'contexts.json'),
    },
    (message) => console.error(`Podpath: ${message}`),
  );
}
