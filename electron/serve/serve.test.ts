// Browser mode's door, tested over real HTTP and WebSocket connections on loopback.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { WireMessage } from '../../shared/ipc.ts';
import { emptyObjects } from '../../shared/kube/objects.ts';
import { backendFromSnapshot } from '../backend/backend.ts';
import { serve, type Served } from './serve.ts';

let served: Served;
let port: number;
const rendererDir = mkdtempSync(join(tmpdir(), 'podpath-renderer-'));
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Podpath</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'podpath-secret.txt'), 'secret');

beforeAll(async () => {
  const backend = backendFromSnapshot(
    {
      format: 'podpath.snapshot',
      version: 1,
      source: { context: 'test', server: null, kubernetesVersion: null, capturedAt: '2026-11-26T00:00:00Z' },
      objects: { ...emptyObjects(), nodes: [{ metadata: { name: 'n1', uid: 'u1' } }] },
    },
    { kind: 'snapshot', label: 'test.json', note: null },
  );
  served = await serve({ backend, rendererDir, port: 0 });
  port = Number(new URL(served.origin).port);
});
afterAll(() => served.close());

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cookie = () => `podpath_token=${served.token}`;

describe('podpath serve: HTTP', () => {
  test('listens on loopback and prints a token URL', () => {
    expect(served.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[A-Za-z0-9_-]{20,}$`));
  });

  test('without the token: 401', async () => {
    const res = await get('/');
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/token/);
  });

  test('a wrong token: 401', async () => {
    expect((await get('/?token=guess')).status).toBe(401);
    expect((await get('/', { cookie: 'podpath_token=guess' })).status).toBe(401);
  });

  test('the token in the URL is traded for an HttpOnly cookie and dropped from the address', async () => {
    const res = await get(`/?token=${served.token}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(String(res.headers['set-cookie'])).toMatch(/podpath_token=.+; HttpOnly; SameSite=Strict/);
  });

  test('with the cookie: the renderer, with a strict CSP', async () => {
    const res = await get('/', { cookie: cookie() });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Podpath</title>');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect((await get('/assets/app.js', { cookie: cookie() })).headers['content-type']).toMatch(/javascript/);
  });

  test('a foreign Host header (DNS rebinding): 403, even with the token', async () => {
    expect((await get('/', { host: `evil.example:${port}`, cookie: cookie() })).status).toBe(403);
    expect((await get('/', { host: `localhost:${port}`, cookie: cookie() })).status).toBe(403);
  });

  test('a foreign Origin: 403', async () => {
    expect((await get('/', { origin: 'http://evil.example', cookie: cookie() })).status).toBe(403);
    expect((await get('/', { origin: `http://127.0.0.1:${port}`, cookie: cookie() })).status).toBe(200);
  });

  test('nothing outside the renderer folder is served', async () => {
    expect((await get('/../podpath-secret.txt', { cookie: cookie() })).status).toBe(404);
    expect((await get('/%2e%2e/podpath-secret.txt', { cookie: cookie() })).status).toBe(404);
    expect((await get('/missing.js', { cookie: cookie() })).status).toBe(404);
  });
});

function openSocket(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
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

describe('podpath serve: WebSocket', () => {
  const origin = () => `http://127.0.0.1:${port}`;

  test('answers the contract\'s requests, validated', async () => {
    const ws = await openSocket({ origin: origin(), cookie: cookie() });
    const state = await ask(ws, 'getState', {});
    expect(state).toMatchObject({ type: 'reply', reply: { ok: true, value: { source: { label: 'test.json' } } } });
    if (state.type === 'reply' && state.reply.ok) expect(Object.keys((state.reply.value as { topology: { hosts: object } }).topology.hosts)).toEqual(['node:n1']);
    expect(await ask(ws, 'getObject', { id: 'node:n1' })).toMatchObject({ reply: { ok: true, value: { kind: 'nodes', object: { metadata: { name: 'n1' } } } } });
    expect(await ask(ws, 'getObject', { id: 42 })).toMatchObject({ reply: { ok: false, error: { code: 'invalid-payload' } } });
    expect(await ask(ws, 'readFile', { path: '/etc/passwd' })).toMatchObject({ reply: { ok: false, error: { code: 'unknown-request' } } });
    ws.close();
  });

  test('refuses a socket without the token, from a foreign origin, or without an origin', async () => {
    await expect(openSocket({ origin: origin() })).rejects.toThrow('HTTP 401');
    await expect(openSocket({ origin: 'http://evil.example', cookie: cookie() })).rejects.toThrow('HTTP 403');
    await expect(openSocket({ cookie: cookie() })).rejects.toThrow('HTTP 403');
  });
});
