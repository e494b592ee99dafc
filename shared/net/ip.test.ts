import { describe, expect, test } from 'vitest';
import { addressInCIDR, cidrContains } from './ip.ts';

describe('addressInCIDR', () => {
  test.each([
    ['10.244.1.0/24', 1, '10.244.1.1'],
    ['10.244.1.77/24', 1, '10.244.1.1'],
    ['10.244.0.0/16', 0, '10.244.0.0'],
    ['10.244.0.0/23', 256, '10.244.1.0'],
    ['10.1.2.128/25', 1, '10.1.2.129'],
    ['fd00:10:244:1::/64', 1, 'fd00:10:244:1::1'],
  ])('%s + %d = %s', (cidr, offset, expected) => {
    expect(addressInCIDR(cidr, offset)).toBe(expected);
  });

  test('rejects what is not a CIDR', () => {
    expect(addressInCIDR('10.244.1.0', 1)).toBeNull();
    expect(addressInCIDR('nonsense/24', 1)).toBeNull();
  });
});

test('cidrContains', () => {
  expect(cidrContains('10.244.0.0/16', '10.244.2.9')).toBe(true);
  expect(cidrContains('10.244.0.0/16', '10.245.0.1')).toBe(false);
  expect(cidrContains('10.244.0.0/16', 'fd00::1')).toBe(false);
  // The IPv4 fast path agrees with ipaddr.js at the edges.
  expect(cidrContains('10.244.1.0/24', '10.244.1.255')).toBe(true);
  expect(cidrContains('10.244.1.0/24', '10.244.2.0')).toBe(false);
  expect(cidrContains('10.244.1.7/24', '10.244.1.200')).toBe(true);
  expect(cidrContains('0.0.0.0/0', '203.0.113.9')).toBe(true);
  expect(cidrContains('10.0.0.1/32', '10.0.0.1')).toBe(true);
  expect(cidrContains('10.0.0.1/32', '10.0.0.2')).toBe(false);
  expect(cidrContains('10.0.0.0/33', '10.0.0.1')).toBe(false);
  expect(cidrContains('10.0.0.0/8', '10.0.0.256')).toBe(false);
  expect(cidrContains('fd00::/8', '10.0.0.1')).toBe(false);
});
