/**
 * The application menu: File → Open Snapshot… (Ctrl/⌘+O) and Export Snapshot… (Ctrl/⌘+S), the
 * standard Edit, View and Window menus, and on macOS the app menu. A pure template, so tests
 * can read it without Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openSnapshot(): void;
  exportSnapshot(): void;
}

export function applicationMenuTemplate(actions: MenuActions, options: { platform: NodeJS.Platform; isPackaged: boolean; appName?: string }): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { id: 'open-snapshot', label: 'Open Snapshot…', accelerator: 'CmdOrCtrl+O', click: () => actions.openSnapshot() },
      { id: 'export-snapshot', label: 'Export Snapshot…', accelerator: 'CmdOrCtrl+S', click: () => actions.exportSnapshot() },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      // The developer tools only in development: a packaged app has no use for them.
      ...(options.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }]),
    ],
  };
  return [
    ...(isMac ? [{ label: options.appName ?? 'Podpath', role: 'appMenu' as const }] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ];
}
