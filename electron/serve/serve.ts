/**
 * Browser mode (design §7): the same backend and renderer, served over HTTP and a WebSocket on
 * 127.0.0.1 with a one-time token. Every request must carry the token (in the URL once, then in
 * an HttpOnly cookie) and name the served address in its Host and Origin headers, which defeats
 * other local users' guesses and DNS rebinding alike.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import { dispatchRequest, maxSnapshotBytes, socketPath, type WireMessage } from '../../shared/ipc.ts';
import type { Backend } from '../backend/backend.ts';

export interface ServeOptions {
  backend: Backend;
  /** The folder holding the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  /** 0 picks any free port. */
  port?: number;
  /** Fixed token, for tests; otherwise a fresh random one. */
  token?: string;
}

export interface Served {
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const cookieName = 'podpath_token';
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

export async function serve(options: ServeOptions): Promise<Served> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const listenHost = options.host ?? '127.0.0.1';
  const server = createServer();
  // Room for the largest snapshot the renderer may send (openSnapshot), escaped inside JSON.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 2 * maxSnapshotBytes + (1 << 20) });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`Port ${options.port} on ${listenHost} is in use: choose another with --port, or --port 0 for any free port.`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new Error(`${listenHost} is not an address of this machine: choose one with --host.`));
      else reject(error);
    });
    server.listen(options.port ?? 0, listenHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const authority = `${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${port}`;
  const origin = `http://${authority}`;
  const csp = contentSecurityPolicy({ connectSrc: [`ws://${authority}`] });

  /** 0 when the request may proceed, else the status to refuse it with. */
  function check(req: IncomingMessage, url: URL): { status: 0 | 401 | 403; reason: string } {
    if (req.headers.host !== authority) return { status: 403, reason: `Host ${req.headers.host ?? '(none)'} is not the served address ${authority}.` };
    const requestOrigin = req.headers.origin;
    if (requestOrigin !== undefined && requestOrigin !== origin) return { status: 403, reason: `Origin ${requestOrigin} is not ${origin}.` };
    const offered = url.searchParams.get('token') ?? cookieOf(req.headers.cookie, cookieName);
    if (!offered || !sameSecret(offered, token)) {
      return { status: 401, reason: 'This Podpath needs its token: open the full address that `podpath serve` printed.' };
    }
    return { status: 0, reason: '' };
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const verdict = check(req, url);
    if (verdict.status !== 0) return refuse(res, verdict.status, verdict.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET and HEAD are served.');
    if (url.searchParams.has('token')) {
      // Trade the token in the address for a cookie, and drop it from the address bar.
      url.searchParams.delete('token');
      res.writeHead(303, {
        'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search,
        'Cache-Control': 'no-store',
      });
      return res.end();
    }
    void sendFile(res, options.rendererDir, url.pathname, csp, req.method === 'HEAD');
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const verdict = req.headers.origin === undefined ? { status: 403, reason: 'A WebSocket needs an Origin.' } : check(req, url);
    if (url.pathname !== socketPath || verdict.status !== 0) {
      const status = url.pathname !== socketPath ? 404 : verdict.status;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => attach(ws, options.backend));
  });

  const unsubscribe = options.backend.onEvent((name, payload) => {
    const message = JSON.stringify({ type: 'event', name, payload } satisfies WireMessage);
    for (const client of sockets.clients) client.send(message);
  });

  return {
    url: `${origin}/?token=${token}`,
    origin,
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

function attach(ws: WebSocket, backend: Backend): void {
  ws.on('message', async (data) => {
    let message: Partial<Extract<WireMessage, { type: 'request' }>>;
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return ws.close(1003, 'messages must be JSON');
    }
    if (message.type !== 'request' || typeof message.id !== 'number') return ws.close(1003, 'expected a request');
    const reply = await dispatchRequest(backend.handlers, message.name, message.payload);
    ws.send(JSON.stringify({ type: 'reply', id: message.id, reply } satisfies WireMessage));
  });
}

async function sendFile(res: ServerResponse, root: string, pathname: string, csp: string, isHead: boolean): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^([/\\])+/, '');
  const path = join(root, relative);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return refuse(res, 404, 'Not found.');
  try {
    const info = await stat(path);
    if (!info.isFile()) return refuse(res, 404, 'Not found.');
    res.writeHead(200, {
      'Content-Type': contentTypes[extname(path)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': relative === 'index.html' ? 'no-store' : 'max-age=3600',
    });
    if (isHead) return void res.end();
    createReadStream(path).pipe(res);
  } catch {
    refuse(res, 404, 'Not found.');
  }
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Error'}: ${reason}\n`);
}

function cookieOf(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
