import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, test, vi } from 'vitest';
import { applicationMenuTemplate } from './menu.ts';

const items = (menu: MenuItemConstructorOptions | undefined) => (menu?.submenu ?? []) as MenuItemConstructorOptions[];

describe('applicationMenuTemplate', () => {
  const actions = { openSnapshot: vi.fn(), exportSnapshot: vi.fn() };

  test('File → Open Snapshot… (Ctrl/⌘+O) and Export Snapshot… (Ctrl/⌘+S) run their actions', () => {
    const template = applicationMenuTemplate(actions, { platform: 'linux', isPackaged: true });
    const file = template.find((m) => m.label === 'File');
    const [open, exportItem] = items(file);
    expect(open).toMatchObject({ label: 'Open Snapshot…', accelerator: 'CmdOrCtrl+O' });
    expect(exportItem).toMatchObject({ label: 'Export Snapshot…', accelerator: 'CmdOrCtrl+S' });
    (open!.click as () => void)();
    expect(actions.openSnapshot).toHaveBeenCalledTimes(1);
    expect(actions.exportSnapshot).not.toHaveBeenCalled();
    (exportItem!.click as () => void)();
    expect(actions.exportSnapshot).toHaveBeenCalledTimes(1);
    expect(items(file).at(-1)).toEqual({ role: 'quit' });
  });

  test('macOS gets the app menu first, and File closes the window instead of quitting', () => {
    const template = applicationMenuTemplate(actions, { platform: 'darwin', isPackaged: true });
    expect(template[0]).toMatchObject({ role: 'appMenu', label: 'Podpath' });
    expect(items(template.find((m) => m.label === 'File')).at(-1)).toEqual({ role: 'close' });
    expect(applicationMenuTemplate(actions, { platform: 'win32', isPackaged: true }).some((m) => m.role === 'appMenu')).toBe(false);
  });

  test('the developer tools only outside a packaged app', () => {
    const roles = (isPackaged: boolean) => items(applicationMenuTemplate(actions, { platform: 'linux', isPackaged }).find((m) => m.label === 'View')).map((i) => i.role);
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(false)).toContain('toggleDevTools');
  });
});
