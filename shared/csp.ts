/**
 * The renderer's Content-Security-Policy, one definition for both doors: the desktop window
 * (a meta tag in the built index.html, and a response header from the main process) and browser
 * mode (a response header from `podpath serve`). Scripts and styles only from the app itself;
 * no eval, no inline script, no plugins, no framing, no form posts, no remote connections
 * beyond the backend's own origin.
 */
export interface CspOptions {
  /** Extra origins the renderer may connect to, e.g. `ws://127.0.0.1:8080` for browser mode. */
  connectSrc?: string[];
  /** When false, drops directives that a <meta> tag cannot carry (frame-ancestors). */
  isHeader?: boolean;
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['worker-src', ["'self'", 'blob:']],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'"]],
    ['connect-src', ["'self'", ...(options.connectSrc ?? [])]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['object-src', ["'none'"]],
  ];
  if (options.isHeader !== false) directives.push(['frame-ancestors', ["'none'"]]);
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}
