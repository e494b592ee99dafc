/**
 * Browser mode (design §7): the same backend and renderer, served over HTTP and a WebSocket.
 *
 * The static files are public: they hold no secret. Everything that matters (contexts, the
 * cluster, exec credential plugins behind `openContext`) is behind the WebSocket, whose
 * handshake must carry the one-time token as a subprotocol (shared/ipc.ts `socketProtocols`).
 * The token reaches the page in the address's fragment (`/#token=…`), which browsers never send
 * to a server, so it never leaves this origin: no cookie another port on the host could read,
 * no query string in the history, no redirect (and so no open redirect). Every request must
 * name this server in its Host and Origin headers (hosts.ts), which defeats DNS rebinding.
 *
 * No request can crash it: every parse of a path, header or frame is guarded and answered with
 * 400 or a close code, and every socket has an `error` listener.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import { dispatchRequest, maxSnapshotBytes, socketPath, socketProtocol, tokenProtocolPrefix, type Reply, type WireMessage } from '../../shared/ipc.ts';
import type { Backend } from '../backend/backend.ts';
import { redact } from '../backend/kube/kube-error.ts';
import { hostsFor, type Hosts } from './hosts.ts';
import { replyText, warm } from './reply-text.ts';

export interface ServeOptions {
  backend: Backend;
  /** The folder holding the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  /** 0 picks any free port. */
  port?: number;
  /** The name (NAME or NAME:PORT) clients use to reach this server; only it is then accepted. */
  publicHost?: string;
  /** Fixed token, for tests; otherwise a fresh random one. */
  token?: string;
}

export interface Served {
  /** The address to open, with the token in its fragment. */
  url: string;
  origin: string;
  /** The port listened on (the origin's, unless `publicHost` names another). */
  port: number;
  token: string;
  /** Every origin the server answers to (one, unless it listens on a wildcard address). */
  origins: string[];
  close(): Promise<void>;
}

/** The close code for a socket whose handshake carried no valid token (4000–4999: the app's own). */
export const tokenRefusedCode = 4401;
const tokenRefusedReason = 'wrong or missing token: open the address podpath serve printed';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const statusTexts: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' };

/** A fault of Podpath's own, logged without any secret the error may carry (a URL's userinfo, a token). */
function logFault(what: string, error: unknown): void {
  console.error(redact(`podpath: ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
}

export async function serve(options: ServeOptions): Promise<Served> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const listenHost = options.host ?? '127.0.0.1';
  const server = createServer();
  // Room for the largest snapshot the renderer may send (openSnapshot), escaped inside JSON.
  // A larger frame, or text that is not UTF-8, closes that socket (1009, 1007): see attach().
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 2 * maxSnapshotBytes + (1 << 20),
    handleProtocols: (offered) => (offered.has(socketProtocol) ? socketProtocol : false),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`Port ${options.port} on ${listenHost} is in use: choose another with --port, or --port 0 for any free port.`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new Error(`${listenHost} is not an address of this machine: choose one with --host.`));
      else reject(error);
    });
    server.listen(options.port ?? 0, listenHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hosts = hostsFor({ listenHost, port, publicHost: options.publicHost });

  // A malformed request line or header: Node answers nothing itself once this listener exists.
  server.on('clientError', (_error, socket: Duplex) => {
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      answerHttp(req, res, hosts, options.rendererDir);
    } catch (error) {
      // A bug, not the client's fault: answer it and keep serving.
      logFault('a request failed', error);
      if (!res.headersSent) refuse(res, 500, 'Podpath failed on this request.');
      else res.destroy();
    }
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node's HTTP server lets go of the socket here, its error listener with it.
    socket.on('error', () => socket.destroy());
    try {
      const path = requestPath(req.url);
      if (path === null) return refuseUpgrade(socket, 400);
      if (path !== socketPath) return refuseUpgrade(socket, 404);
      const host = hosts.match(req.headers.host);
      // Browsers always send an Origin with a WebSocket; one without is not a page of ours.
      if (host === null || req.headers.origin !== `http://${host}`) return refuseUpgrade(socket, 403);
      const isAuthorized = hasToken(req.headers['sec-websocket-protocol'], token);
      sockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {
          // ws has already closed the socket with the code the fault calls for (1007, 1009…).
        });
        // Completing the handshake lets the page say why in its banner; nothing it sends is read.
        if (!isAuthorized) return ws.close(tokenRefusedCode, tokenRefusedReason);
        attach(ws, options.backend);
      });
    } catch (error) {
      logFault('a WebSocket handshake failed', error);
      refuseUpgrade(socket, 400);
    }
  });

  // Only sockets that carried the token hear the backend's events.
  const authorized = new Set<WebSocket>();
  const unsubscribe = options.backend.onEvent((name, payload) => {
    const message = JSON.stringify({ type: 'event', name, payload } satisfies WireMessage);
    for (const client of authorized) client.send(message);
    // Every page will now ask for the new source's whole state.
    if (name === 'didOpenSource') warmState(options.backend);
  });
  // The page asks for the whole state once its scripts have loaded: have its text ready by then.
  warmState(options.backend);

  function attach(ws: WebSocket, backend: Backend): void {
    authorized.add(ws);
    ws.on('close', () => authorized.delete(ws));
    ws.on('message', (data, isBinary) => void answer(ws, backend, data, isBinary));
  }

  const origins = [...hosts.accepted].map((authority) => `http://${authority}`);
  return {
    url: `http://${hosts.primary}/#token=${token}`,
    origin: `http://${hosts.primary}`,
    origins,
    port,
    token,
    async close() {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answerHttp(req: IncomingMessage, res: ServerResponse, hosts: Hosts, rendererDir: string): void {
  const host = hosts.match(req.headers.host);
  if (host === null) return refuse(res, 403, `Host ${printable(req.headers.host)} is not an address this Podpath serves.`);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return refuse(res, 403, `Origin ${printable(origin)} is not http://${host}.`);
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET and HEAD are served.');
  const path = requestPath(req.url);
  if (path === null) return refuse(res, 400, 'The request path is not a valid URL path.');
  // The page connects back to the name it was loaded from.
  const csp = contentSecurityPolicy({ connectSrc: [`ws://${host}`] });
  sendFile(res, rendererDir, path, csp, req.method === 'HEAD').catch((error: unknown) => {
    logFault('a file could not be served', error);
    if (!res.headersSent) refuse(res, 500, 'Podpath failed on this request.');
    else res.destroy();
  });
}

/**
 * The decoded path of a request target in origin form (`/a/b?q`), or null when it is not one:
 * `//[`, `*`, an absolute URL, bad percent-encoding, a NUL. Never resolved against a base URL,
 * where `//host/` would name another host.
 */
export function requestPath(target: string | undefined): string | null {
  if (target === undefined || !target.startsWith('/')) return null;
  const raw = target.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return path.includes('\0') ? null : path;
}

async function sendFile(res: ServerResponse, root: string, pathname: string, csp: string, isHead: boolean): Promise<void> {
  const relative = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^([/\\])+/, '');
  const path = join(root, relative);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return refuse(res, 404, 'Not found.');
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return refuse(res, 404, 'Not found.');
    size = info.size;
  } catch {
    return refuse(res, 404, 'Not found.');
  }
  res.writeHead(200, {
    'Content-Type': contentTypes[extname(path)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': relative === 'index.html' ? 'no-store' : 'max-age=3600',
  });
  if (isHead) return void res.end();
  const stream = createReadStream(path);
  // The file vanished or became unreadable after stat: the response is cut short, not the server.
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

async function answer(ws: WebSocket, backend: Backend, data: RawData, isBinary: boolean): Promise<void> {
  if (isBinary) return void ws.close(1003, 'messages must be text');
  let message: unknown;
  try {
    message = JSON.parse(rawText(data));
  } catch {
    return void ws.close(1007, 'messages must be JSON');
  }
  if (!isRequest(message)) return void ws.close(1003, 'expected a request');
  let text: string;
  try {
    text = replyText(message.id, await dispatchRequest(backend.handlers, message.name, message.payload));
  } catch (error) {
    const reply: Reply<unknown> = { ok: false, error: { code: 'failed', message: error instanceof Error ? error.message : String(error) } };
    text = replyText(message.id, reply);
  }
  // The page may have gone while the backend worked.
  if (ws.readyState === ws.OPEN) ws.send(text);
}

function warmState(backend: Backend): void {
  setImmediate(() => {
    dispatchRequest(backend.handlers, 'getState', {}).then(warm, (error: unknown) => logFault('the state could not be written ahead', error));
  });
}

function isRequest(message: unknown): message is Extract<WireMessage, { type: 'request' }> {
  if (typeof message !== 'object' || message === null) return false;
  const candidate = message as Record<string, unknown>;
  return candidate.type === 'request' && Number.isSafeInteger(candidate.id);
}

function rawText(data: RawData): string {
  return Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Whether the handshake's subprotocols carry the token; compared in constant time. */
function hasToken(header: string | undefined, token: string): boolean {
  const offered = (header ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith(tokenProtocolPrefix));
  if (offered === undefined) return false;
  const x = Buffer.from(offered.slice(tokenProtocolPrefix.length));
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${statusTexts[status] ?? 'Error'}: ${reason}\n`);
}

function refuseUpgrade(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${statusTexts[status] ?? 'Error'}\r\nConnection: close\r\n\r\n`);
}

/** A header value quoted for an error message, control characters escaped. */
function printable(value: string | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}
