/**
 * The desktop app's main process: one window on the backend of electron/backend/backend.ts.
 * It only wires things together; the rules live in electron/desktop/ where tests can reach them.
 */
import path from 'node:path';
import { app, type BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import { openStartupBackend, type Backend } from './backend/backend.ts';
import { kubeconfigPaths } from './backend/kube/kubeconfig.ts';
import { adoptShellPath } from './backend/kube/shell-path.ts';
import { registerAppScheme, serveAppFiles } from './desktop/app-protocol.ts';
import { parseDesktopArgs, requestedSnapshot } from './desktop/args.ts';
import { forwardEvents, isAppFrame, registerRequestHandlers } from './desktop/ipc.ts';
import { applicationMenuTemplate } from './desktop/menu.ts';
import { exportSnapshotWithDialog, openSnapshotReporting, openSnapshotWithDialog, PendingFiles, windowDialogs } from './desktop/snapshots.ts';
import {
  appLocation,
  denyPermissions,
  desktopContentSecurityPolicy,
  guardNavigation,
  installContentSecurityPolicy,
} from './desktop/security.ts';
import { createMainWindow } from './desktop/window.ts';

// The built renderer's scheme must be privileged before the app is ready (app-protocol.ts).
registerAppScheme();

// A second launch focuses the first window instead of opening another backend.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  const dialogs = windowDialogs(dialog, () => mainWindow);
  // Snapshots the OS asks us to open. macOS sends `open-file` for a document opened with the app
  // (Finder, the Dock, `open -a`), before `ready` when that launched it.
  const pendingFiles = new PendingFiles();
  app.on('open-file', (event, file) => {
    event.preventDefault();
    pendingFiles.request(file);
  });
  const location = appLocation(MAIN_WINDOW_VITE_DEV_SERVER_URL, path.join(__dirname, `../renderer/${MAIN_WINDOW_VITE_NAME}`));

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
    const policy = desktopContentSecurityPolicy(location.devServerUrl);
    installContentSecurityPolicy(session.defaultSession, policy);
    if (!location.devServerUrl) serveAppFiles(session.defaultSession.protocol, location.rendererDir, policy);
    denyPermissions(session.defaultSession, location);

    const backend = await openDesktopBackend(pendingFiles.takeLast());
    registerRequestHandlers(ipcMain, backend.handlers, (event) =>
      isAppFrame(event, mainWindow?.webContents ?? null, location),
    );
    forwardEvents(backend, () => mainWindow?.webContents ?? null);
    app.on('will-quit', () => void backend.close());
    pendingFiles.startOpening((file) => void openSnapshotReporting(backend, dialogs, file));
    const menu = applicationMenuTemplate(
      {
        openSnapshot: () => void openSnapshotWithDialog(backend, dialogs),
        exportSnapshot: () => void exportSnapshotWithDialog(backend, dialogs, app.getPath('documents')),
      },
      { platform: process.platform, isPackaged: app.isPackaged },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(menu));

    openWindow();
    app.on('activate', () => {
      if (mainWindow === null) openWindow();
    });
  };

  // A second launch (a double-clicked snapshot on Linux and Windows) hands its argv to us.
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = requestedSnapshot(parseDesktopArgs(argv));
    if (file) pendingFiles.request(path.resolve(workingDirectory, file));
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
 * A snapshot named on the command line (`--snapshot FILE`, or a bare file the OS passed) or
 * handed over by macOS before the start opens first; else `--context` or the kubeconfig's
 * preferred context; else, or when that cannot be opened, the bundled demo with the reason.
 */
async function openDesktopBackend(handedOver: string | null): Promise<Backend> {
  const assetsDir = app.isPackaged ? path.join(process.resourcesPath, 'assets') : path.join(app.getAppPath(), 'assets');
  const args = parseDesktopArgs(process.argv);
  const snapshot = handedOver ?? requestedSnapshot(args);
  // Exec credential plugins (aws, gke-gcloud-auth-plugin, kubelogin) live on the user's shell
  // PATH, which an app started from a launcher does not inherit.
  await adoptShellPath();
  return openStartupBackend(
    { snapshotPath: snapshot && path.resolve(snapshot), context: args.context },
    {
      assetsDir,
      kubeconfigPaths: kubeconfigPaths({ explicit: args.kubeconfig ?? undefined }),
      stateFile: path.join(app.getPath('userData'), 'contexts.json'),
    },
    (message) => console.error(`Podpath: ${message}`),
  );
}
