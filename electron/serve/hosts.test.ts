import { describe, expect, test } from 'vitest';
import { hostsFor, parsePublicHost } from './hosts.ts';

describe('hostsFor', () => {
  test('a wildcard listener answers to loopback and to each address of this machine, IPv6 in brackets', () => {
    const hosts = hostsFor({ listenHost: '::', port: 8080, machineAddresses: ['127.0.0.1', '::1', '192.0.2.7', 'fe80::1'] });
    expect([...hosts.accepted]).toEqual(['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', '192.0.2.7:8080', '[fe80::1]:8080']);
    expect(hosts.primary).toBe('127.0.0.1:8080');
    expect(hosts.match('LOCALHOST:8080')).toBe('localhost:8080');
    expect(hosts.match('0.0.0.0:8080')).toBeNull();
    expect(hosts.match(undefined)).toBeNull();
  });

  test('a specific address answers to itself only', () => {
    expect([...hostsFor({ listenHost: '::1', port: 1 }).accepted]).toEqual(['[::1]:1']);
  });

  test('--public-host replaces every other name', () => {
    expect([...hostsFor({ listenHost: '0.0.0.0', port: 8080, publicHost: 'Podpath.example.test' }).accepted]).toEqual(['podpath.example.test:8080']);
    expect([...hostsFor({ listenHost: '127.0.0.1', port: 8080, publicHost: '[::1]:9443' }).accepted]).toEqual(['[::1]:9443']);
  });
});

describe('parsePublicHost', () => {
  test.each([
    ['podpath.example.test', { host: 'podpath.example.test', port: null }],
    ['localhost:9443', { host: 'localhost', port: 9443 }],
    ['[::1]:8080', { host: '[::1]', port: 8080 }],
  ])('%s', (value, parsed) => expect(parsePublicHost(value)).toEqual(parsed));

  test.each(['', 'http://x/', 'user@x', 'x/y', 'x:99999', 'x?y', 'x#y', 'a b'])('%j is refused', (value) => {
    expect(parsePublicHost(value)).toBeInstanceOf(Error);
  });
});
