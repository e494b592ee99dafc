/**
 * Browser mode's door under fuzzing (issue 12): a real `serve` on loopback is sent random HTTP
 * request heads and, over an authenticated WebSocket, random text and binary frames — JSON
 * mutations of real requests, random JSON, random text and bytes. The property: the server never
 * goes down — after every input a fresh connection still gets its state — and a socket it closes
 * is closed with one of its own codes, never left hanging.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { backendFromSnapshot } from '../../electron/backend/backend.ts';
import { serve, type Served } from '../../electron/serve/serve.ts';
import { socketPath, socketProtocols, type WireMessage } from '../../shared/ipc.ts';
import { emptyObjects } from '../../shared/kube/objects.ts';
import { check } from './fuzz.ts';

let served: Served;
const rendererDir = mkdtempSync(join(tmpdir(), 'podpath-fuzz-renderer-'));
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Podpath</title>');

beforeAll(async () => {
  const backend = backendFromSnapshot(
    { format: 'podpath.snapshot', version: 1, source: { context: 'fuzz', server: null, kubernetesVersion: null, capturedAt: '2026-12-07T00:00:00Z' }, objects: { ...emptyObjects(), nodes: [{ metadata: { name: 'n1', uid: 'u1' } }] } },
    { kind: 'snapshot', label: 'fuzz.json', note: null },
  );
  served = await serve({ backend, rendererDir, port: 0 });
});
afterAll(() => served?.close());

const origin = () => `http://127.0.0.1:${served.port}`;

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}${socketPath}`, socketProtocols(served.token), { headers: { origin: origin() } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The server still answers: a fresh socket gets the state. */
async function stillServes(): Promise<void> {
  const ws = await openSocket();
  const reply = await new Promise<WireMessage>((resolve) => {
    ws.on('message', (data) => resolve(JSON.parse(String(data)) as WireMessage));
    ws.send(JSON.stringify({ type: 'request', id: 1, name: 'getState', payload: {} }));
  });
  expect(reply).toMatchObject({ type: 'reply', id: 1, reply: { ok: true } });
  ws.close();
}

/** Sends `frames` on one socket, then waits for its replies or its close (with a close code of the server's). */
async function send(frames: (string | Uint8Array)[]): Promise<void> {
  const ws = await openSocket();
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  for (const frame of frames) if (ws.readyState === WebSocket.OPEN) ws.send(frame, { binary: typeof frame !== 'string' });
  // A request with an id gets a reply; the rest are closed or ignored: end it ourselves after a ping round trip.
  await new Promise<void>((resolve) => {
    if (ws.readyState !== WebSocket.OPEN) return resolve();
    ws.once('pong', () => resolve());
    ws.once('close', () => resolve());
    ws.ping();
  });
  if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  expect([1000, 1002, 1003, 1005, 1006, 1007, 1009]).toContain(await closed);
}

const requestNames = ['getState', 'listContexts', 'openContext', 'openSnapshot', 'trace', 'exportSnapshot', 'whatIf', 'nothing'];
const request = fc.record({
  type: fc.oneof(fc.constant('request'), fc.string()),
  id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
  name: fc.oneof(fc.constantFrom(...requestNames), fc.string(), fc.json()),
  payload: fc.oneof(fc.jsonValue(), fc.object()),
});
const frame = fc.oneof(
  request.map((r) => JSON.stringify(r)),
  fc.json(),
  fc.string({ maxLength: 2000 }),
  fc.uint8Array({ maxLength: 2000 }),
);

describe('podpath serve under random input', () => {
  test('WebSocket frames: requests broken in every field, random JSON, text and bytes', async () => {
    await check('WebSocket frames', fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (frames) => {
      await send(frames);
      await stillServes();
    }), 400);
  });

  test('HTTP request heads: random targets, headers and bytes', async () => {
    const head = fc.oneof(
      fc.tuple(fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PRI', ''), fc.string({ maxLength: 200 }), fc.array(fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 200 })), { maxLength: 5 })).map(
        ([method, target, headers]) => Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\nConnection: close\r\n\r\n`, 'latin1'),
      ),
      fc.uint8Array({ maxLength: 1000 }).map((bytes) => Buffer.from(bytes)),
    );
    await check('HTTP heads', fc.asyncProperty(head, async (bytes) => {
      await new Promise<void>((resolve) => {
        const socket = connect(served.port, '127.0.0.1', () => socket.end(bytes));
        socket.on('data', () => {});
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
        // A head the server is still waiting to complete: it may keep the socket; end ours.
        socket.setTimeout(2000, () => socket.destroy());
      });
      await stillServes();
    }), 400);
  });
});
