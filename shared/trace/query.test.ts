import { expect, test } from 'vitest';
import { parsePort, parsePortOrName, parseProtocol } from './query.ts';

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

test('after the colon of an end: digits are a port (and must be one), anything else a name', () => {
  expect(parsePortOrName('5432')).toEqual({ port: 5432 });
  expect(parsePortOrName('postgres')).toEqual({ name: 'postgres' });
  expect(parsePortOrName('dns-tcp')).toEqual({ name: 'dns-tcp' });
  // A name of digits only is read as a port: a container named "8080" cannot be written after the colon.
  expect(parsePortOrName('8080')).toEqual({ port: 8080 });
  expect(parsePortOrName('0')).toEqual({ error: 'expected a port number from 1 to 65535.' });
  expect(parsePortOrName('70000')).toEqual({ error: 'expected a port number from 1 to 65535.' });
  expect(parsePortOrName('')).toEqual({ error: 'expected a port number or name after the colon.' });
});
