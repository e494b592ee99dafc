/**
 * Fuzzing the request validator both transports share (issue 12): whatever a page sends over
 * the WebSocket or IPC — any name, any payload, nested without end — dispatchRequest answers
 * with a Reply, refusing what is malformed with a code and a message naming the field; a handler
 * sees only payloads its schema accepts, and nothing ever throws.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { dispatchRequest, parseRequest, requestNames, requestSchemas, type RequestHandlers, type RequestName } from '../../shared/ipc.ts';
import { check, hostileValue, materialize, mutationsOf, nested } from './fuzz.ts';

const seen: { name: RequestName; payload: unknown }[] = [];
const record = (name: RequestName) => (payload: unknown) => {
  seen.push({ name, payload });
  return null as never;
};
const handlers = Object.fromEntries(requestNames.map((name) => [name, record(name)])) as unknown as RequestHandlers;

const validPayloads: Record<RequestName, unknown> = {
  getState: {},
  getObject: { id: 'pod:1234' },
  listContexts: {},
  openContext: { context: 'kind-dev', namespaces: ['shop', 'kube-system'] },
  openDemo: {},
  openSnapshot: { name: 'a.podpath.json', text: '{}' },
  exportSnapshot: { layout: { 'pod:1': { x: 1, y: 2 } } },
  readDatapath: { nodes: ['kind-worker'], isConfirmed: true },
  cancelDatapathRead: {},
  readKubeletDns: { nodes: ['kind-worker'] },
};

async function dispatch(name: unknown, payload: unknown): Promise<void> {
  seen.length = 0;
  const reply = await dispatchRequest(handlers, name, payload);
  if (reply.ok) {
    expect(seen).toHaveLength(1);
    expect(requestSchemas[seen[0]!.name].safeParse(seen[0]!.payload).success).toBe(true);
  } else {
    expect(seen).toHaveLength(0);
    expect(['unknown-request', 'invalid-payload']).toContain(reply.error.code);
    expect(reply.error.message.length).toBeLessThan(1000);
    expect(reply.error.message).not.toMatch(/Maximum call stack|is not a function|Cannot read propert/);
  }
}

describe('fuzz: the WebSocket/IPC request validator', () => {
  test('regression: a name nested without end, or a page long, is refused as unknown in a short message', async () => {
    expect(parseRequest(nested(50_000, 'array'), {})).toEqual({ ok: false, error: { code: 'unknown-request', message: 'Unknown request (a list).' } });
    const long = parseRequest('x'.repeat(1_000_000), {});
    expect(!long.ok && long.error.message).toBe(`Unknown request "${'x'.repeat(60)}…".`);
  });

  test('every request with its valid payload broken, and random names and payloads', async () => {
    const broken = fc.constantFrom(...requestNames).chain((name) => mutationsOf({ payload: validPayloads[name] }).map(({ payload }) => ({ name, payload })));
    await check('ipc (valid payloads mutated)', fc.asyncProperty(broken, ({ name, payload }) => dispatch(name, materialize(payload))), 2000);
    const name = fc.oneof(fc.constantFrom<unknown>(...requestNames, '__proto__', 'constructor', 'toString', 'hasOwnProperty'), fc.string(), hostileValue);
    await check('ipc (random names and payloads)', fc.asyncProperty(name, hostileValue, (n, payload) => dispatch(materialize(n), materialize(payload))), 2000);
  });
});
