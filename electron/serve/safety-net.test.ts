import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { keepServingThroughFaults } from './safety-net.ts';

describe('keepServingThroughFaults', () => {
  test('logs an uncaught exception and an unhandled rejection instead of letting them end the process', () => {
    const process = new EventEmitter();
    const lines: string[] = [];
    keepServingThroughFaults(process, (line) => lines.push(line));
    // With no listener, emitting either would be the process's end; here it is a log line.
    expect(process.emit('uncaughtException', new URIError('URI malformed'))).toBe(true);
    expect(process.emit('unhandledRejection', 'refused', Promise.resolve())).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/^podpath: an internal error, still serving: URIError: URI malformed/), 'podpath: an unhandled rejection, still serving: refused']);
  });

  test('logs no secret the fault carries', () => {
    const process = new EventEmitter();
    const lines: string[] = [];
    keepServingThroughFaults(process, (line) => lines.push(line));
    process.emit('uncaughtException', new Error('cannot reach https://admin:hunter2@127.0.0.1:6443 with Authorization: Bearer abcdefghijklmnop'));
    expect(lines.join('\n')).not.toMatch(/hunter2|abcdefghijklmnop/);
    expect(lines[0]).toContain('127.0.0.1:6443');
  });
});
