import { beforeEach, describe, expect, test, vi } from 'vitest';

const fake = vi.hoisted(() => {
  class FakeBrowserWindow {
    static created: FakeBrowserWindow[] = [];
    readonly once = vi.fn();
    readonly show = vi.fn();
    readonly options: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      FakeBrowserWindow.created.push(this);
    }
  }
  const state = { x: 40, y: 60, width: 1500, height: 900, manage: vi.fn() };
  return { FakeBrowserWindow, state, keeper: vi.fn((_options: unknown) => state) };
});

vi.mock('electron', () => ({ BrowserWindow: fake.FakeBrowserWindow }));
vi.mock('electron-window-state', () => ({ default: fake.keeper }));

const { createMainWindow } = await import('./window.ts');

beforeEach(() => {
  fake.FakeBrowserWindow.created.length = 0;
  fake.state.manage.mockClear();
  fake.keeper.mockClear();
});

describe('createMainWindow', () => {
  test('sandboxes the renderer: isolated preload world, no Node, web security on, no middle-click windows', () => {
    createMainWindow('/app/.vite/build/preload.cjs');
    expect(fake.FakeBrowserWindow.created[0]!.options.webPreferences).toMatchObject({
      preload: '/app/.vite/build/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });
});

describe('createMainWindow', () => {
  test('opens where electron-window-state says and lets it track the window', () => {
    const window = createMainWindow('/app/.vite/build/preload.cjs');

    expect(fake.FakeBrowserWindow.created).toHaveLength(1);
    const created = fake.FakeBrowserWindow.created[0]!;
    expect(window).toBe(created);
    expect(created.options).toMatchObject({
      x: 40,
      y: 60,
      width: 1500,
      height: 900,
      show: false,
      webPreferences: { preload: '/app/.vite/build/preload.cjs', sandbox: true, contextIsolation: true, nodeIntegration: false },
    });
    expect(fake.keeper).toHaveBeenCalledWith(expect.objectContaining({ defaultWidth: expect.any(Number), defaultHeight: expect.any(Number) }));
    expect(fake.state.manage).toHaveBeenCalledWith(created);
  });

  test('shows the window only once it has painted', () => {
    createMainWindow('/p.cjs');
    const created = fake.FakeBrowserWindow.created[0]!;
    expect(created.show).not.toHaveBeenCalled();
    const [event, onReady] = created.once.mock.calls[0] as [string, () => void];
    expect(event).toBe('ready-to-show');
    onReady();
    expect(created.show).toHaveBeenCalledTimes(1);
  });
});
