/**
 * `app://podpath/…`: the built renderer, served from its folder in the app (inside the asar) and
 * from nowhere else. A page on file:// would share the origin "null" with every local file and,
 * with the GrantFileProtocolExtraPrivileges fuse off (forge.config.ts), lose what file:// pages
 * were given beyond the web's rules; a standard, secure scheme of our own is a real origin.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol, type Protocol } from 'electron';
import { appHost, appScheme } from './security.ts';

/**
 * Before the app is ready: `standard` gives app:// origins and relative URLs, `secure` makes it
 * a secure context (the clipboard needs one), `supportFetchAPI` and `corsEnabled` let the page
 * load its module scripts and its layout worker from it.
 */
export function registerAppScheme(registrar: Pick<Protocol, 'registerSchemesAsPrivileged'> = protocol): void {
  registrar.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/** Once ready: answers app:// from `rendererDir`, each response with the Content-Security-Policy. */
export function serveAppFiles(
  handler: Pick<Protocol, 'handle'>,
  rendererDir: string,
  policy: string,
  fetchFile: (url: string) => Promise<Response> = (url) => net.fetch(url),
): void {
  handler.handle(appScheme, (request) => appFileResponse(request.url, rendererDir, policy, fetchFile));
}

export async function appFileResponse(url: string, rendererDir: string, policy: string, fetchFile: (url: string) => Promise<Response>): Promise<Response> {
  const path = appFilePath(url, rendererDir);
  if (path === null) return notFound();
  let file: Response;
  try {
    file = await fetchFile(pathToFileURL(path).href);
  } catch {
    return notFound();
  }
  if (!file.ok) return notFound();
  const headers = new Headers(file.headers);
  headers.set('Content-Security-Policy', policy);
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(file.body, { status: 200, headers });
}

/**
 * The file an app:// URL names inside `rendererDir`, or null: another host, a path that is not
 * valid percent-encoding or holds a NUL, or one that climbs out of the folder (`..`, `%2e%2e`,
 * `..%5c`).
 */
export function appFilePath(url: string, rendererDir: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${appScheme}:` || parsed.host !== appHost) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const root = resolve(rendererDir);
  const path = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  const inside = relative(root, path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : path;
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}
