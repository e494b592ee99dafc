import { expect, test } from 'vitest';
import { parsePort, parseProtocol } from './query.ts';

test('a port is digits from 1 to 65535', () => {
  expect(parsePort('80')).toEqual({ port: 80 });
  expect(parsePort('65535')).toEqual({ port: 65535 });
  for (const text of ['0', '65536', '', ' 80', '80.0', '-1', '1e2', 'http']) expect(parsePort(text), text).toEqual({ error: 'expected a port number from 1 to 65535.' });
});

test('a protocol is TCP, UDP or SCTP, in any case', () => {
  expect(parseProtocol('udp')).toEqual({ protocol: 'UDP' });
  expect(parseProtocol('SCTP')).toEqual({ protocol: 'SCTP' });
  for (const text of ['', 'ICMP', 'tcp ']) expect(parseProtocol(text), text).toEqual({ error: 'expected TCP, UDP or SCTP.' });
});
