import { describe, expect, test, vi } from 'vitest';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import {
  appLocation,
  denyPermissions,
  desktopContentSecurityPolicy,
  guardNavigation,
  installContentSecurityPolicy,
  type GuardedContents,
} from './security.ts';

const built = appLocation(undefined, '/opt/podpath/.vite/renderer/main_window');
const dev = appLocation('http://localhost:5173', '/unused');

describe('appLocation', () => {
  test('the built renderer is the app:// origin, never a file', () => {
    expect(built.url).toBe('app://podpath/index.html');
    expect(built.rendererDir).toBe('/opt/podpath/.vite/renderer/main_window');
    expect(built.isAppUrl(built.url)).toBe(true);
    expect(built.isAppUrl(`${built.url}#/trace`)).toBe(true);
    expect(built.isAppUrl('app://podpath/assets/index.js')).toBe(true);
    expect(built.isAppUrl('file:///opt/podpath/.vite/renderer/main_window/index.html')).toBe(false);
    expect(built.isAppUrl('file:///etc/passwd')).toBe(false);
    expect(built.isAppUrl('app://evil/index.html')).toBe(false);
    expect(built.isAppUrl('app://podpath.evil/index.html')).toBe(false);
    expect(built.isAppUrl('https://podpath/index.html')).toBe(false);
    expect(built.isAppUrl('not a url')).toBe(false);
  });

  test('in development the app is the dev server origin', () => {
    expect(dev.url).toBe('http://localhost:5173');
    expect(dev.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(dev.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(dev.isAppUrl('http://localhost.evil.example:5173/')).toBe(false);
  });
});

describe('guardNavigation', () => {
  function guarded(location = built) {
    const listeners = new Map<string, (event: { url: string; preventDefault(): void }) => void>();
    let openHandler: Parameters<GuardedContents['setWindowOpenHandler']>[0] | undefined;
    const contents = {
      on: (name: string, listener: (event: { url: string; preventDefault(): void }) => void) => listeners.set(name, listener),
      setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
    } as unknown as GuardedContents;
    const openExternal = vi.fn();
    guardNavigation(contents, location, openExternal);
    const fire = (name: string, url = '') => {
      const event = { url, preventDefault: vi.fn() };
      const listener = listeners.get(name);
      if (!listener) throw new Error(`no ${name} listener`);
      listener(event);
      return event.preventDefault.mock.calls.length > 0;
    };
    const open = (url: string) => openHandler!({ url } as never);
    return { fire, open, openExternal };
  }

  test('navigation away from the app is cancelled; reloading the app is not', () => {
    const { fire } = guarded();
    expect(fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(fire('will-navigate', 'file:///home/user/notes.html')).toBe(true);
    expect(fire('will-navigate', 'file:///opt/podpath/.vite/renderer/main_window/index.html')).toBe(true);
    expect(fire('will-redirect', 'https://example.com/')).toBe(true);
    expect(fire('will-navigate', built.url)).toBe(false);
  });

  test('in development only the dev server is the app', () => {
    const { fire } = guarded(dev);
    expect(fire('will-navigate', 'http://localhost:5173/')).toBe(false);
    expect(fire('will-navigate', 'http://127.0.0.1:9999/')).toBe(true);
  });

  test('<webview> never attaches', () => {
    expect(guarded().fire('will-attach-webview')).toBe(true);
  });

  test('window.open is always denied; web links go to the browser instead', () => {
    const { open, openExternal } = guarded();
    expect(open('https://kubernetes.io/docs/concepts/services-networking/')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://kubernetes.io/docs/concepts/services-networking/');

    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', built.url, 'smb://host/share']) {
      expect(open(url)).toEqual({ action: 'deny' });
    }
    expect(openExternal).toHaveBeenCalledTimes(1);
  });
});

describe('Content-Security-Policy', () => {
  test('the built app gets the shared policy unchanged', () => {
    const policy = desktopContentSecurityPolicy(null);
    expect(policy).toBe(contentSecurityPolicy());
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe');
  });

  test('development adds only the dev server socket and inline styles', () => {
    const policy = desktopContentSecurityPolicy('http://localhost:5173');
    expect(policy).toContain("connect-src 'self' ws://localhost:5173");
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");
    expect(policy).toContain("script-src 'self';");
    expect(policy.match(/unsafe/g)).toHaveLength(1);
  });

  test('is sent as the response header, replacing any policy the response carried', () => {
    let listener: ((details: unknown, callback: (response: unknown) => void) => void) | undefined;
    const session = { webRequest: { onHeadersReceived: (l: typeof listener) => (listener = l) } };
    installContentSecurityPolicy(session as never, "default-src 'none'");

    let response: { responseHeaders?: Record<string, string[]> } | undefined;
    listener!(
      { responseHeaders: { 'content-security-policy': ["script-src 'unsafe-eval'"], 'Content-Type': ['text/html'] } },
      (r) => (response = r as typeof response),
    );
    expect(response?.responseHeaders).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'none'"] });
  });
});

describe('denyPermissions', () => {
  function handlers() {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
    let check: ((contents: unknown, permission: string) => boolean) | undefined;
    denyPermissions(
      {
        setPermissionRequestHandler: (h: typeof request) => (request = h),
        setPermissionCheckHandler: (h: typeof check) => (check = h),
      } as never,
      built,
    );
    const page = (url: string) => ({ getURL: () => url });
    const ask = (url: string, permission: string) => {
      const callback = vi.fn();
      request!(page(url), permission, callback);
      return callback.mock.calls[0]?.[0] as boolean | undefined;
    };
    return { ask, check: (url: string | null, permission: string) => check!(url === null ? null : page(url), permission) };
  }

  test.each(['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid'])('%s is refused', (permission) => {
    const { ask, check } = handlers();
    expect(ask(built.url, permission)).toBe(false);
    expect(check(built.url, permission)).toBe(false);
  });

  test('clipboard writes are granted to the app page only', () => {
    const { ask, check } = handlers();
    expect(ask(built.url, 'clipboard-sanitized-write')).toBe(true);
    expect(check(built.url, 'clipboard-sanitized-write')).toBe(true);
    expect(ask('https://example.com/', 'clipboard-sanitized-write')).toBe(false);
    expect(check(null, 'clipboard-sanitized-write')).toBe(false);
  });
});
