/**
 * The window's security rules (design §6): only the app's own page may load in it, nothing may
 * open new windows, the Content-Security-Policy arrives as a response header, and the web
 * permissions Chromium could grant are refused unless listed here.
 */
import type { HandlerDetails, Session, WindowOpenHandlerResponse } from 'electron';
import { contentSecurityPolicy } from '../../shared/csp.ts';

/**
 * The built renderer is served on its own privileged scheme (app-protocol.ts), not file://: a
 * real origin (`app://podpath`) that `'self'` in the CSP names, that no other local file shares,
 * and whose handler serves the renderer's folder and nothing else.
 */
export const appScheme = 'app';
export const appHost = 'podpath';
export const appOrigin = `${appScheme}://${appHost}`;

/** Where the renderer is loaded from, and the test every URL that claims to be the app must pass. */
export interface AppLocation {
  /** What the window loads: the Vite dev server in development, the built index.html otherwise. */
  readonly url: string;
  /** The dev server's URL, or null when running the built renderer. */
  readonly devServerUrl: string | null;
  /** The built renderer's folder, which alone app:// serves. */
  readonly rendererDir: string;
  isAppUrl(url: string): boolean;
}

export function appLocation(devServerUrl: string | undefined, rendererDir: string): AppLocation {
  if (devServerUrl) {
    const origin = new URL(devServerUrl).origin;
    return { url: devServerUrl, devServerUrl, rendererDir, isAppUrl: (url) => parseUrl(url)?.origin === origin };
  }
  return {
    url: `${appOrigin}/index.html`,
    devServerUrl: null,
    rendererDir,
    isAppUrl: (url) => {
      // Node's URL gives a scheme it does not know the origin "null", so compare its parts.
      const parsed = parseUrl(url);
      return parsed !== null && parsed.protocol === `${appScheme}:` && parsed.host === appHost;
    },
  };
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The policy the main process sends as a header with every response the session loads. */
export function desktopContentSecurityPolicy(devServerUrl: string | null): string {
  if (!devServerUrl) return contentSecurityPolicy();
  const dev = new URL(devServerUrl);
  const hmrSocket = `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`;
  // Vite's dev client injects each stylesheet as a <style> element; the built renderer links
  // files, so only development needs inline styles.
  return contentSecurityPolicy({ connectSrc: [hmrSocket] }).replace(/(^|; )style-src ([^;]*)/, "$1style-src $2 'unsafe-inline'");
}

type HeadersListener = Parameters<Session['webRequest']['onHeadersReceived']>[0];

export function installContentSecurityPolicy(session: Pick<Session, 'webRequest'>, policy: string): void {
  const listener: HeadersListener = (details, callback) => {
    const responseHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') responseHeaders[name] = value;
    }
    responseHeaders['Content-Security-Policy'] = [policy];
    callback({ responseHeaders });
  };
  session.webRequest.onHeadersReceived(listener);
}

/** Permissions the app's own page may use; every other request, and any foreign page, is refused. */
export const grantedPermissions: ReadonlySet<string> = new Set([
  // navigator.clipboard.writeText, for "copy command" buttons in trace evidence.
  'clipboard-sanitized-write',
]);

export function denyPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
  location: Pick<AppLocation, 'isAppUrl'>,
): void {
  const isGranted = (pageUrl: string | undefined, permission: string) =>
    grantedPermissions.has(permission) && pageUrl !== undefined && location.isAppUrl(pageUrl);
  session.setPermissionRequestHandler((webContents, permission, callback) => {
    callback(isGranted(webContents.getURL(), permission));
  });
  session.setPermissionCheckHandler((webContents, permission) => isGranted(webContents?.getURL(), permission));
}

type NavigationEvent = { url: string; preventDefault(): void };

/** The slice of WebContents the navigation rules touch, so tests can hand in a stand-in. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
}

/**
 * Keeps the window on the app: navigations and redirects away are cancelled, <webview> never
 * attaches, and window.open is always denied. An http(s) link the user opens goes to their
 * browser instead, which is where documentation links belong.
 */
export function guardNavigation(
  contents: GuardedContents,
  location: Pick<AppLocation, 'isAppUrl'>,
  openExternal: (url: string) => void,
): void {
  const stayOnApp = (event: NavigationEvent) => {
    if (!location.isAppUrl(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', stayOnApp);
  contents.on('will-redirect', stayOnApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isWebUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

function isWebUrl(url: string): boolean {
  const protocol = parseUrl(url)?.protocol;
  return protocol === 'https:' || protocol === 'http:';
}
