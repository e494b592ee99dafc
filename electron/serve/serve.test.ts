// Browser mode's door, tested over real HTTP and WebSocket connections on loopback, and with raw
// TCP sockets sending the exact bytes a hostile page or peer would.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { socketProtocols, type WireMessage } from '../../shared/ipc.ts';
import { emptyObjects } from '../../shared/kube/objects.ts';
import { backendFromSnapshot, type Backend } from '../backend/backend.ts';
import { requestPath, serve, tokenRefusedCode, type Served } from './serve.ts';

let served: Served;
let port: number;
const rendererDir = mkdtempSync(join(tmpdir(), 'podpath-renderer-'));
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Podpath</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'podpath-secret.txt'), 'secret');

function testBackend(): Backend {
  return backendFromSnapshot(
    {
      format: 'podpath.snapshot',
      version: 1,
      source: { context: 'test', server: null, kubernetesVersion: null, capturedAt: '2026-11-26T00:00:00Z' },
      objects: { ...emptyObjects(), nodes: [{ metadata: { name: 'n1', uid: 'u1' } }] },
    },
    { kind: 'snapshot', label: 'test.json', note: null },
  );
}

beforeAll(async () => {
  served = await serve({ backend: testBackend(), rendererDir, port: 0 });
  port = served.port;
});
afterAll(() => served.close());

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}, to = port): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: to, path, headers: { host: `127.0.0.1:${to}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes on a fresh TCP connection and collects all that comes back until the server closes it (ask it to: `Connection: close`). */
function rawExchange(bytes: string | Buffer, to = port): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(to, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('podpath serve: HTTP', () => {
  test('prints an address whose token is in the fragment, which no browser sends to a server', () => {
    expect(served.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#token=[A-Za-z0-9_-]{32}$`));
    expect(served.origins).toEqual([`http://127.0.0.1:${port}`]);
  });

  test('the static files are public, with a strict CSP, and set no cookie', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Podpath</title>');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect((await get('/assets/app.js')).headers['content-type']).toMatch(/javascript/);
  });

  test('never redirects: a token in the query is ignored, and `/.//evil.example/` names no other host', async () => {
    for (const path of [`/?token=${served.token}`, `/.//evil.example/?token=${served.token}`, '//evil.example/']) {
      const res = await get(path);
      expect(res.status, path).not.toBe(303);
      expect(res.headers.location, path).toBeUndefined();
    }
    expect((await get(`/?token=${served.token}`)).status).toBe(200);
    expect((await get(`/.//evil.example/?token=${served.token}`)).status).toBe(404);
  });

  test('a foreign Host header (DNS rebinding): 403', async () => {
    expect((await get('/', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get('/', { host: `localhost:${port}` })).status).toBe(403);
    expect((await get('/', { host: `127.0.0.1:${port + 1}` })).status).toBe(403);
  });

  test('a foreign Origin: 403', async () => {
    expect((await get('/', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  test('nothing outside the renderer folder is served', async () => {
    expect((await get('/../podpath-secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/podpath-secret.txt')).status).toBe(404);
    expect((await get('/..%5cpodpath-secret.txt')).status).toBe(404);
    expect((await get('/missing.js')).status).toBe(404);
  });

  test('only GET and HEAD', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', headers: { host: `127.0.0.1:${port}` } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('x');
    });
    expect(res).toBe(405);
  });
});

describe('podpath serve: no request can crash it', () => {
  const host = () => `Host: 127.0.0.1:${port}\r\n`;

  test.each([
    ['`//[` (which new URL() throws on)', 'GET //[ HTTP/1.1\r\n', '404'],
    ['bad percent-encoding', 'GET /%ZZ HTTP/1.1\r\n', '400'],
    ['a NUL in the path', 'GET /%00 HTTP/1.1\r\n', '400'],
    ['an absolute-form target', 'GET http://evil.example/ HTTP/1.1\r\n', '400'],
    ['an asterisk target', 'OPTIONS * HTTP/1.1\r\n', '405'],
  ])('%s: answered, and the next request still served', async (_name, requestLine, status) => {
    const answer = await rawExchange(`${requestLine}${host()}Connection: close\r\n\r\n`);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect((await get('/')).status).toBe(200);
  });

  test('a request line that is not HTTP: 400', async () => {
    expect(await rawExchange('\x16\x03\x01 not http\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect((await get('/')).status).toBe(200);
  });

  test.each([
    ['`//[`', '//[', '404'],
    ['bad percent-encoding', '/%ZZ', '400'],
    ['an absolute-form target', 'http://evil.example/api', '400'],
  ])('a WebSocket handshake to %s: answered', async (_name, target, status) => {
    const handshake = `GET ${target} HTTP/1.1\r\n${host()}Origin: http://127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`;
    expect(await rawExchange(handshake)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect((await get('/')).status).toBe(200);
  });

  test('a handshake reset before the answer', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET /api HTTP/1.1\r\n${host()}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
        socket.resetAndDestroy();
        resolve();
      });
    });
    expect((await get('/')).status).toBe(200);
  });
});

function openSocket(headers: Record<string, string>, protocols: string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function ask(ws: WebSocket, name: string, payload: unknown): Promise<WireMessage> {
  return new Promise((resolve) => {
    const id = Math.floor(Math.random() * 1e9);
    ws.on('message', function onMessage(data) {
      const message = JSON.parse(String(data)) as WireMessage;
      if (message.type === 'reply' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    });
    ws.send(JSON.stringify({ type: 'request', id, name, payload }));
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string; messages: number }> {
  let messages = 0;
  ws.on('message', () => messages++);
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason), messages })));
}

const origin = () => `http://127.0.0.1:${port}`;
const withToken = () => socketProtocols(served.token);

/** A fresh authorized socket still gets its answers: the server lived through what came before. */
async function expectStillServing(): Promise<void> {
  const ws = await openSocket({ origin: origin() }, withToken());
  expect(await ask(ws, 'getState', {})).toMatchObject({ type: 'reply', reply: { ok: true } });
  ws.close();
}

describe('podpath serve: WebSocket', () => {
  test("answers the contract's requests, validated, to a handshake that carries the token", async () => {
    const ws = await openSocket({ origin: origin() }, withToken());
    // The server picks `podpath`, never echoing the token.
    expect(ws.protocol).toBe('podpath');
    const state = await ask(ws, 'getState', {});
    expect(state).toMatchObject({ type: 'reply', reply: { ok: true, value: { source: { label: 'test.json' } } } });
    if (state.type === 'reply' && state.reply.ok) expect(Object.keys((state.reply.value as { topology: { hosts: object } }).topology.hosts)).toEqual(['node:n1']);
    expect(await ask(ws, 'getObject', { id: 'node:n1' })).toMatchObject({ reply: { ok: true, value: { kind: 'nodes', object: { metadata: { name: 'n1' } } } } });
    expect(await ask(ws, 'getObject', { id: 42 })).toMatchObject({ reply: { ok: false, error: { code: 'invalid-payload' } } });
    expect(await ask(ws, 'readFile', { path: '/etc/passwd' })).toMatchObject({ reply: { ok: false, error: { code: 'unknown-request' } } });
    ws.close();
  });

  test.each([
    ['no token', () => socketProtocols(null), false],
    ['a wrong token', () => socketProtocols('A'.repeat(32)), false],
    ['a token one character short', () => socketProtocols(served.token.slice(1)), false],
    ['the old cookie', () => socketProtocols(null), true],
  ])('%s: closed (4401) before anything is read or sent', async (_name, protocols, hasCookie) => {
    const cookie: Record<string, string> = hasCookie ? { cookie: `podpath_token=${served.token}` } : {};
    const ws = await openSocket({ origin: origin(), ...cookie }, protocols());
    const done = closed(ws);
    ws.send(JSON.stringify({ type: 'request', id: 1, name: 'listContexts', payload: {} }));
    expect(await done).toEqual({ code: tokenRefusedCode, reason: expect.stringContaining('token'), messages: 0 });
  });

  test('refuses a socket from a foreign origin, without an origin, or on a foreign Host: 403', async () => {
    await expect(openSocket({ origin: 'http://evil.example' }, withToken())).rejects.toThrow('HTTP 403');
    await expect(openSocket({}, withToken())).rejects.toThrow('HTTP 403');
    await expect(openSocket({ origin: `http://localhost:${port}`, host: `localhost:${port}` }, withToken())).rejects.toThrow('HTTP 403');
  });

  test('a socket on another path: 404', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/other`, withToken(), { headers: { origin: origin() } });
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.once('error', reject);
      }),
    ).rejects.toThrow('HTTP 404');
  });

  test.each([
    ['not JSON', 'not json', 1007],
    ['JSON null', 'null', 1003],
    ['a request without an id', JSON.stringify({ type: 'request', name: 'getState', payload: {} }), 1003],
  ])('a message that is %s closes that socket only', async (_name, text, code) => {
    const ws = await openSocket({ origin: origin() }, withToken());
    const done = closed(ws);
    ws.send(text);
    expect((await done).code).toBe(code);
    await expectStillServing();
  });

  test('a binary message closes that socket (1003)', async () => {
    const ws = await openSocket({ origin: origin() }, withToken());
    const done = closed(ws);
    ws.send(Buffer.from('{}'), { binary: true });
    expect((await done).code).toBe(1003);
    await expectStillServing();
  });
});

/**
 * A WebSocket handshake done by hand over TCP, then `frame` sent as is: the bytes ws's own client
 * would refuse to send. Resolves with the close code of the server's close frame.
 */
function rawFrameCloseCode(frame: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let isUpgraded = false;
    socket.on('connect', () => {
      socket.write(
        `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: ${withToken().join(', ')}\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (!isUpgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!received.subarray(0, end).toString().startsWith('HTTP/1.1 101 ')) return reject(new Error(received.toString()));
        isUpgraded = true;
        received = received.subarray(end + 4);
        socket.write(frame);
      }
      // The server's close frame: opcode 8, unmasked, its code in the two bytes after the length.
      if (received.length >= 4 && (received[0]! & 0x0f) === 8) {
        resolve(received.readUInt16BE(2));
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

/** A masked client frame (RFC 6455 §5.2) with a payload under 126 bytes. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

describe('podpath serve: frames no client library would send', () => {
  test('a text frame of invalid UTF-8: that socket closes with 1007, the server lives on', async () => {
    expect(await rawFrameCloseCode(clientFrame(1, Buffer.from([0xc3, 0x28, 0xff])))).toBe(1007);
    await expectStillServing();
  });

  test('a frame announcing more than the payload limit: closed with 1009 before any of it is read', async () => {
    const header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(1n << 40n, 2);
    expect(await rawFrameCloseCode(Buffer.concat([header, randomBytes(4)]))).toBe(1009);
    await expectStillServing();
  });

  test('an unknown opcode: closed with 1002', async () => {
    expect(await rawFrameCloseCode(clientFrame(3, Buffer.from('x')))).toBe(1002);
    await expectStillServing();
  });
});

describe('requestPath', () => {
  test.each([
    ['/', '/'],
    ['/assets/app.js?v=1#x', '/assets/app.js'],
    ['/a%20b', '/a b'],
    ['//[', '//['],
  ])('%s → %s', (target, path) => expect(requestPath(target)).toBe(path));

  test.each(['', '*', 'http://evil.example/', '/%ZZ', '/%E0%A4%A', '/a%00b'])('%j is no path', (target) => {
    expect(requestPath(target)).toBeNull();
  });
});

describe('podpath serve: the address clients use', () => {
  test('on a wildcard address, the names of this machine are accepted, and foreign ones refused', async () => {
    const wide = await serve({ backend: testBackend(), rendererDir, host: '0.0.0.0', port: 0 });
    try {
      const widePort = wide.port;
      expect(wide.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${widePort}/#token=`));
      expect(wide.origins).toContain(`http://localhost:${widePort}`);
      // Before: every request was refused, the Host check wanting `0.0.0.0` itself.
      expect((await get('/', {}, widePort)).status).toBe(200);
      expect((await get('/', { host: `localhost:${widePort}` }, widePort)).status).toBe(200);
      expect((await get('/', { host: `evil.example:${widePort}` }, widePort)).status).toBe(403);
      expect((await get('/', { host: `0.0.0.0:${widePort}` }, widePort)).status).toBe(403);
    } finally {
      await wide.close();
    }
  });

  test('--public-host: only that name, with the listening port or its own', async () => {
    const named = await serve({ backend: testBackend(), rendererDir, port: 0, publicHost: 'podpath.example.test' });
    const tunnelled = await serve({ backend: testBackend(), rendererDir, port: 0, publicHost: 'localhost:9443' });
    try {
      const namedPort = named.port;
      expect(named.url).toBe(`http://podpath.example.test:${namedPort}/#token=${named.token}`);
      expect((await get('/', { host: `podpath.example.test:${namedPort}` }, namedPort)).status).toBe(200);
      expect((await get('/', { host: `127.0.0.1:${namedPort}` }, namedPort)).status).toBe(403);
      expect((await get('/', { host: `podpath.example.test:${namedPort}`, origin: 'http://evil.example' }, namedPort)).status).toBe(403);

      // Behind a tunnel (ssh -L 9443:…), the browser's Host names the tunnel's end.
      expect(tunnelled.origins).toEqual(['http://localhost:9443']);
      expect((await get('/', { host: 'localhost:9443' }, tunnelled.port)).status).toBe(200);
      expect((await get('/', { host: `localhost:${tunnelled.port}` }, tunnelled.port)).status).toBe(403);
    } finally {
      await named.close();
      await tunnelled.close();
    }
  });
});
